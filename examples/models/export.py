"""Export the zkcredit model matrix: credit models trained on the German Credit data and exported
the way lenders export them, by the real exporters, unmodified.

Data: `../german-credit/dataset.csv` (the 1,000 encoded applicants, 57 inputs named in its header,
the label and the stratified train/test split made by `../german-credit/train.py`).

Models (all binary classifiers of P(good), or a regression score):
  sklearn-logreg.onnx          skl2onnx LogisticRegression (LinearClassifier + ZipMap, as exported)
  sklearn-logreg-nozipmap.onnx skl2onnx LogisticRegression, options zipmap=False
  sklearn-scaler-logreg.onnx   skl2onnx Pipeline(StandardScaler, LogisticRegression): Scaler op
  sklearn-mlp.onnx             skl2onnx MLPClassifier(32, 16), relu: int32 class list, label branch
  sklearn-scaler-mlp.onnx      skl2onnx Pipeline(StandardScaler, MLPClassifier(16, 8))
  sklearn-ridge.onnx           skl2onnx Ridge on the label: LinearRegressor, a raw score
  sklearn-scaler-mlp-large.onnx  skl2onnx Pipeline(StandardScaler, MLPClassifier(128, 64, 32)):
                               the size figure (k 15); `python export.py --large` writes it alone
                               and adds its column to scores.csv
  torch-mlp.onnx               the graph torch.onnx.export emits for nn.Sequential(standardize,
                               Linear, ReLU, Linear, ReLU, Linear, Sigmoid): Sub/Div prelude,
                               Gemm(transB=1); built with onnx.helper from trained weights (the torch
                               wheel is ~6 GB here)
  torch-bn-mlp.onnx            the same with BatchNorm1d after the first Linear (inference form)
  torch-leaky-mlp.onnx         the torch-mlp graph with LeakyReLU(0.1) between layers (weights
                               trained with ReLU: scikit-learn has no leaky activation)
  torch-prelu-mlp.onnx         the same with PReLU, one constant slope per neuron (0.05 to 0.3)
  torch-relu6-mlp.onnx         the same with ReLU6 (Clip(0, 6)) between layers
  keras-mlp.onnx               the graph tf2onnx emits for a Keras Sequential of Dense layers:
                               MatMul + Add, a free batch dimension, a 2-class Softmax output;
                               built with onnx.helper on standardized inputs (`standardized.csv`)

Reference scores: `scores.csv` holds, per model, onnxruntime's score of each dataset row (the
positive class's probability, or the regression output) so zkcredit's import can be checked
against the exporter's own runtime.

Run: pip install -r requirements.txt && python export.py   (Python 3.11)
"""

import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd
import skl2onnx
from onnx import TensorProto, helper, numpy_helper
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "german-credit", "dataset.csv")
SEED = 7
N_INPUTS = 57


def load():
    df = pd.read_csv(DATA)
    names = list(df.columns[:N_INPUTS])
    x = df[names].to_numpy(np.float32)
    y = df["label_good"].to_numpy()
    train = (df["split"] == "train").to_numpy()
    return df, names, x, y, train


def sklearn_models(x, y, train):
    xt, yt = x[train], y[train]
    mlp = dict(activation="relu", alpha=3.0, max_iter=2000, random_state=SEED)
    out = {}
    logreg = LogisticRegression(C=0.3, max_iter=5000).fit(xt, yt)
    kind = [("input", FloatTensorType([None, N_INPUTS]))]
    out["sklearn-logreg"] = to_onnx(logreg, initial_types=kind)
    out["sklearn-logreg-nozipmap"] = to_onnx(logreg, initial_types=kind, options={id(logreg): {"zipmap": False}})
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(C=0.3, max_iter=5000))]).fit(xt, yt)
    out["sklearn-scaler-logreg"] = to_onnx(pipe, initial_types=kind)
    # Unscaled inputs (amounts in the thousands) train a poor MLP, as they would for a lender; it
    # is exported as trained.
    out["sklearn-mlp"] = to_onnx(MLPClassifier((32, 16), **mlp).fit(xt, yt), initial_types=kind)
    pipe_mlp = Pipeline([("scale", StandardScaler()), ("clf", MLPClassifier((16, 8), **mlp))]).fit(xt, yt)
    out["sklearn-scaler-mlp"] = to_onnx(pipe_mlp, initial_types=kind)
    out["sklearn-ridge"] = to_onnx(Ridge(alpha=10.0).fit(xt, yt.astype(np.float32)), initial_types=kind)
    return out


def init(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def torch_shaped(x, y, train, batch_norm, activation="Relu"):
    """The graph torch.onnx.export (opset 17) emits for a standardizing MLP: Sub, Div, then Gemm
    with transB=1 (weights stored [out, in]), Relu, ..., Sigmoid; batch dimension named."""
    mean, std = x[train].mean(0), x[train].std(0) + 1e-6
    clf = MLPClassifier((16, 8), activation="relu", alpha=3.0, max_iter=2000, random_state=SEED)
    clf.fit((x[train] - mean) / std, y[train])
    nodes = [
        helper.make_node("Sub", ["input", "mean"], ["/standardize/Sub_output_0"], name="/standardize/Sub"),
        helper.make_node("Div", ["/standardize/Sub_output_0", "std"], ["/standardize/Div_output_0"], name="/standardize/Div"),
    ]
    inits = [init("mean", mean), init("std", std)]
    cur = "/standardize/Div_output_0"
    layers = list(zip(clf.coefs_, clf.intercepts_))
    for i, (w, b) in enumerate(layers):
        nodes.append(helper.make_node("Gemm", [cur, f"{i}.weight", f"{i}.bias"], [f"/{i}/Gemm_output_0"], name=f"/{i}/Gemm", transB=1))
        inits += [init(f"{i}.weight", w.T), init(f"{i}.bias", b)]
        cur = f"/{i}/Gemm_output_0"
        if batch_norm and i == 0:
            # An inference-form BatchNorm1d that is the identity on these activations' statistics:
            # the running mean/var of the layer's outputs, scale and shift that undo them.
            h = (x[train] - mean) / std @ w + b
            m, v = h.mean(0), h.var(0)
            g, beta = np.sqrt(v + 1e-5), m
            nodes.append(
                helper.make_node(
                    "BatchNormalization", [cur, "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"],
                    ["/bn/BatchNormalization_output_0"], name="/bn/BatchNormalization", epsilon=1e-5,
                )
            )
            inits += [init("bn.weight", g), init("bn.bias", beta), init("bn.running_mean", m), init("bn.running_var", v)]
            cur = "/bn/BatchNormalization_output_0"
        if i + 1 < len(layers):
            out = f"/{i}/{activation}_output_0"
            if activation == "PRelu":
                # nn.PReLU(num_parameters=width): one slope per neuron.
                slopes = np.linspace(0.05, 0.3, len(b))
                nodes.append(helper.make_node("PRelu", [cur, f"{i}.prelu.weight"], [out], name=f"/{i}/PRelu"))
                inits.append(init(f"{i}.prelu.weight", slopes))
            elif activation == "Clip":
                # nn.ReLU6 exports as Clip with constant min and max inputs.
                nodes.append(helper.make_node("Clip", [cur, "relu6.min", "relu6.max"], [out], name=f"/{i}/Clip"))
                if i == 0:
                    inits += [init("relu6.min", np.float32(0.0)), init("relu6.max", np.float32(6.0))]
            else:
                extra = {"alpha": 0.1} if activation == "LeakyRelu" else {}
                nodes.append(helper.make_node(activation, [cur], [out], name=f"/{i}/{activation}", **extra))
            cur = out
    nodes.append(helper.make_node("Sigmoid", [cur], ["output"], name="/Sigmoid"))
    graph = helper.make_graph(
        nodes, "main_graph",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", N_INPUTS])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 1])], inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="pytorch", ir_version=8)


def keras_shaped(xs, y, train):
    """The graph tf2onnx emits for Sequential([Dense(24, relu), Dense(12, relu), Dense(2, softmax)])
    on standardized inputs: MatMul + Add per Dense, Softmax over two classes, free batch dim."""
    clf = MLPClassifier((24, 12), activation="relu", alpha=3.0, max_iter=2000, random_state=SEED).fit(xs[train], y[train])
    nodes, inits, cur = [], [], "dense_input"
    layers = list(zip(clf.coefs_, clf.intercepts_))
    for i, (w, b) in enumerate(layers):
        last = i + 1 == len(layers)
        if last:  # a 2-unit softmax layer equivalent to the sigmoid unit: logits [0, z]
            w = np.concatenate([np.zeros_like(w), w], axis=1)
            b = np.concatenate([np.zeros_like(b), b])
        p = f"sequential/dense_{i}"
        nodes.append(helper.make_node("MatMul", [cur, f"{p}/MatMul/ReadVariableOp:0"], [f"{p}/MatMul:0"], name=f"{p}/MatMul"))
        nodes.append(helper.make_node("Add", [f"{p}/MatMul:0", f"{p}/BiasAdd/ReadVariableOp:0"], [f"{p}/BiasAdd:0"], name=f"{p}/BiasAdd"))
        inits += [init(f"{p}/MatMul/ReadVariableOp:0", w), init(f"{p}/BiasAdd/ReadVariableOp:0", b)]
        cur = f"{p}/BiasAdd:0"
        op, out = ("Softmax", f"dense_{i}") if last else ("Relu", f"{p}/Relu:0")
        nodes.append(helper.make_node(op, [cur], [out], name=f"{p}/{op}", **({"axis": -1} if last else {})))
        cur = out
    graph = helper.make_graph(
        nodes, "tf2onnx",
        [helper.make_tensor_value_info("dense_input", TensorProto.FLOAT, ["unk__6", N_INPUTS])],
        [helper.make_tensor_value_info(cur, TensorProto.FLOAT, ["unk__7", 2])], inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="tf2onnx", ir_version=8)


def score(model, x):
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    outs = sess.run(None, {sess.get_inputs()[0].name: x})
    for o in outs:
        if isinstance(o, list):  # ZipMap: a list of {class: probability}
            return np.array([d[1] for d in o], dtype=np.float64)
    floats = [o for o in outs if np.asarray(o).dtype.kind == "f"]
    v = np.asarray(floats[-1], dtype=np.float64)
    return v[:, 1] if v.ndim == 2 and v.shape[1] == 2 else v.reshape(-1)


def large(x, y, train):
    mlp = MLPClassifier((128, 64, 32), activation="relu", alpha=3.0, max_iter=2000, random_state=SEED)
    pipe = Pipeline([("scale", StandardScaler()), ("clf", mlp)]).fit(x[train], y[train])
    return to_onnx(pipe, initial_types=[("input", FloatTensorType([None, N_INPUTS]))])


def write_large():
    _, _, x, y, train = load()
    model = large(x, y, train)
    onnx.checker.check_model(model)
    with open(os.path.join(HERE, "sklearn-scaler-mlp-large.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    path = os.path.join(HERE, "scores.csv")
    scores = pd.read_csv(path)
    scores["sklearn-scaler-mlp-large"] = score(model, x)
    scores.to_csv(path, index=False, float_format="%.7g")


def main():
    if sys.argv[1:] == ["--large"]:
        return write_large()
    df, names, x, y, train = load()
    mean, std = x[train].mean(0), x[train].std(0) + 1e-6
    xs = ((x - mean) / std).astype(np.float32)
    models = sklearn_models(x, y, train)
    models["torch-mlp"] = torch_shaped(x, y, train, batch_norm=False)
    models["torch-bn-mlp"] = torch_shaped(x, y, train, batch_norm=True)
    models["torch-leaky-mlp"] = torch_shaped(x, y, train, batch_norm=False, activation="LeakyRelu")
    models["torch-prelu-mlp"] = torch_shaped(x, y, train, batch_norm=False, activation="PRelu")
    models["torch-relu6-mlp"] = torch_shaped(x, y, train, batch_norm=False, activation="Clip")
    inputs = {name: x for name in models}
    models["keras-mlp"] = keras_shaped(xs, y, train)
    inputs["keras-mlp"] = xs
    scores = pd.DataFrame({"row": np.arange(len(df))})
    for name, model in models.items():
        onnx.checker.check_model(model)
        with open(os.path.join(HERE, f"{name}.onnx"), "wb") as f:
            f.write(model.SerializeToString())
        scores[name] = score(model, inputs[name])
        print(f"{name}: {len(model.graph.node)} nodes, ops {sorted({n.op_type for n in model.graph.node})}")
    scores.to_csv(os.path.join(HERE, "scores.csv"), index=False, float_format="%.7g")
    write_large()
    std_df = pd.DataFrame(xs, columns=names)
    std_df["label_good"] = y
    std_df.to_csv(os.path.join(HERE, "standardized.csv"), index=False, float_format="%.6g")
    versions = f"skl2onnx {skl2onnx.__version__}, onnx {onnx.__version__}, onnxruntime {ort.__version__}"
    with open(os.path.join(HERE, "VERSIONS"), "w") as f:
        f.write(versions + "\n")
    print(versions)


if __name__ == "__main__":
    main()
