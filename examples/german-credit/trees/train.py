"""Train the zkcredit German Credit tree models and export them with the real exporters, unmodified.

Data: `../dataset.csv` (the 1,000 encoded applicants, their 57 model inputs, the label and the
stratified 70/30 split made by `../train.py`), so the tree models see exactly the inputs the MLP sees.

Models (P(creditability = good), exported as a lender would export them):
  lightgbm.onnx        LightGBM `LGBMClassifier` (gradient boosting: 100 trees, depth <= 4), exported by
                       onnxmltools `convert_lightgbm` (TreeEnsembleClassifier, post_transform LOGISTIC,
                       a ZipMap over the class probabilities)
  random-forest.onnx   scikit-learn `RandomForestClassifier` (50 trees, depth <= 5), exported by skl2onnx
                       `to_onnx` (TreeEnsembleClassifier, leaf probabilities averaged, a ZipMap)

Reference scores: `scores.csv` holds onnxruntime's P(good) for every row and model (the exporter's own
runtime), so zkcredit's import is checked against it; `PROVENANCE.md` records versions and test AUCs.

Run: pip install -r requirements.txt && python train.py   (Python 3.11)
     python train.py --grid DIR   exports the README's cost grid (LightGBM, 10/100/300 trees x depth 3/5) to DIR
"""

import hashlib
import os
import sys

import lightgbm
import numpy as np
import onnx
import onnxmltools
import onnxruntime as ort
import pandas as pd
import skl2onnx
import sklearn
from onnxmltools.convert.common.data_types import FloatTensorType as MlFloat
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "dataset.csv")
SEED = 7
N_INPUTS = 57


def load():
    df = pd.read_csv(DATA)
    names = list(df.columns[:N_INPUTS])
    x = df[names].to_numpy(np.float32)
    y = df["label_good"].to_numpy()
    train = (df["split"] == "train").to_numpy()
    return df, x, y, train


def ort_scores(model, x):
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    outs = sess.run(None, {sess.get_inputs()[0].name: x})
    zipmap = [o for o in outs if isinstance(o, list)][0]
    return np.array([d[1] for d in zipmap], dtype=np.float64)


def main():
    df, x, y, train = load()
    test = ~train
    gbm = lightgbm.LGBMClassifier(
        n_estimators=100, max_depth=4, num_leaves=16, learning_rate=0.05, min_child_samples=20,
        subsample=1.0, colsample_bytree=1.0, random_state=SEED, deterministic=True, n_jobs=1, verbose=-1,
    ).fit(x[train], y[train])
    forest = RandomForestClassifier(n_estimators=50, max_depth=5, random_state=SEED, n_jobs=1).fit(x[train], y[train])
    models = {
        "lightgbm": (gbm, onnxmltools.convert_lightgbm(gbm, initial_types=[("input", MlFloat([None, N_INPUTS]))],
                                                       target_opset=13)),
        "random-forest": (forest, to_onnx(forest, initial_types=[("input", FloatTensorType([None, N_INPUTS]))],
                                          target_opset={"": 13, "ai.onnx.ml": 3})),
    }
    scores = pd.DataFrame({"row": np.arange(len(df))})
    aucs = {}
    for name, (clf, model) in models.items():
        onnx.checker.check_model(model)
        with open(os.path.join(HERE, f"{name}.onnx"), "wb") as f:
            f.write(model.SerializeToString())
        s = ort_scores(model, x)
        # The export must reproduce the trained model.
        assert np.max(np.abs(s - clf.predict_proba(x)[:, 1])) < 1e-5, name
        scores[name] = s
        aucs[name] = roc_auc_score(y[test], s[test])
        print(f"{name}: test AUC {aucs[name]:.4f}, pass rate @0.5 {float((s >= 0.5).mean()):.3f}, "
              f"closest to 0.5 {float(np.min(np.abs(s - 0.5))):.2e}, ops {sorted({n.op_type for n in model.graph.node})}")
    scores.to_csv(os.path.join(HERE, "scores.csv"), index=False, float_format="%.9g")
    mlp_auc = roc_auc_score(y[test], df["mlp_score"].to_numpy()[test])
    with open(DATA, "rb") as f:
        data_sha = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(HERE, "PROVENANCE.md"), "w") as f:
        f.write(f"""# Provenance of the German Credit tree models

- Data: `../dataset.csv` (sha256 `{data_sha}`), made by `../train.py` (see `../PROVENANCE.md`): the same 57
  inputs, label and stratified 70/30 split (`random_state={SEED}`) as the MLP.
- `lightgbm.onnx`: LightGBM {lightgbm.__version__} `LGBMClassifier(n_estimators=100, max_depth=4, num_leaves=16,
  learning_rate=0.05, min_child_samples=20, random_state={SEED}, deterministic=True)`; exported by onnxmltools
  {onnxmltools.__version__} `convert_lightgbm` (defaults). Test AUC **{aucs['lightgbm']:.4f}**.
- `random-forest.onnx`: scikit-learn {sklearn.__version__} `RandomForestClassifier(n_estimators=50, max_depth=5,
  random_state={SEED})`; exported by skl2onnx {skl2onnx.__version__} `to_onnx` (defaults). Test AUC
  **{aucs['random-forest']:.4f}**.
- The MLP of `../mlp.onnx`, for comparison: test AUC **{mlp_auc:.4f}**.
- `scores.csv`: onnxruntime {ort.__version__} P(good) per row; the exports match the trained models
  (`predict_proba`) within 1e-5.
- Re-create: `pip install -r requirements.txt && python train.py` (Python 3.11).
""")


def grid(out):
    """The cost grid of the README: LightGBM with 10, 100 and 300 trees of depth 3 and 5 (full trees:
    num_leaves = 2^depth), exported to `out/lightgbm-<trees>x<depth>.onnx` (not committed)."""
    _, x, y, train = load()
    os.makedirs(out, exist_ok=True)
    for trees in (10, 100, 300):
        for depth in (3, 5):
            gbm = lightgbm.LGBMClassifier(
                n_estimators=trees, max_depth=depth, num_leaves=2 ** depth, learning_rate=0.05, min_child_samples=5,
                random_state=SEED, deterministic=True, n_jobs=1, verbose=-1,
            ).fit(x[train], y[train])
            model = onnxmltools.convert_lightgbm(gbm, initial_types=[("input", MlFloat([None, N_INPUTS]))], target_opset=13)
            path = os.path.join(out, f"lightgbm-{trees}x{depth}.onnx")
            with open(path, "wb") as f:
                f.write(model.SerializeToString())
            print(path)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--grid"]:
        grid(sys.argv[2])
    else:
        main()
