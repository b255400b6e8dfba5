"""Export the tree ensembles of the zkcredit model matrix, by the real exporters, unmodified, and add
their onnxruntime scores to `scores.csv` (the linear models and MLPs come from `export.py`).

Data: `../german-credit/dataset.csv` (57 inputs, the label, the train/test split), as in `export.py`.

Models (P(good), or a regression score of the 0/1 label):
  sklearn-gbm.onnx            skl2onnx GradientBoostingClassifier(50 trees, depth 3): TreeEnsembleClassifier
                              with base values, LOGISTIC, class ids all 0
  sklearn-extratrees.onnx     skl2onnx ExtraTreesClassifier(30 trees, depth 5): leaf probabilities averaged
  sklearn-tree.onnx           skl2onnx DecisionTreeClassifier(depth 6): one tree
  sklearn-gbm-regressor.onnx  skl2onnx GradientBoostingRegressor(50 trees, depth 3): TreeEnsembleRegressor
  lightgbm-regressor.onnx     onnxmltools LGBMRegressor(50 trees, depth 4): TreeEnsembleRegressor
  xgboost.onnx                onnxmltools XGBClassifier(50 trees, depth 4): BRANCH_LT splits, LOGISTIC

Run: pip install -r requirements.txt && python export_trees.py   (Python 3.11; after export.py)
"""

import os

import lightgbm
import numpy as np
import onnx
import onnxmltools
import pandas as pd
import xgboost
from onnxmltools.convert.common.data_types import FloatTensorType as MlFloat
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.ensemble import ExtraTreesClassifier, GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.metrics import roc_auc_score
from sklearn.tree import DecisionTreeClassifier

from export import HERE, N_INPUTS, SEED, load, score


def sk(model, x):
    return to_onnx(model, initial_types=[("input", FloatTensorType([None, N_INPUTS]))])


def main():
    _, _, x, y, train = load()
    test = ~train
    fit = lambda m, target=y: m.fit(x[train], target[train])  # noqa: E731
    models = {
        "sklearn-gbm": sk(fit(GradientBoostingClassifier(n_estimators=50, max_depth=3, random_state=SEED)), x),
        "sklearn-extratrees": sk(fit(ExtraTreesClassifier(n_estimators=30, max_depth=5, random_state=SEED)), x),
        "sklearn-tree": sk(fit(DecisionTreeClassifier(max_depth=6, random_state=SEED)), x),
        "sklearn-gbm-regressor": sk(fit(GradientBoostingRegressor(n_estimators=50, max_depth=3, random_state=SEED), y.astype(np.float64)), x),
        "lightgbm-regressor": onnxmltools.convert_lightgbm(
            fit(lightgbm.LGBMRegressor(n_estimators=50, max_depth=4, num_leaves=16, learning_rate=0.05, random_state=SEED,
                                       deterministic=True, verbose=-1), y.astype(np.float64)),
            initial_types=[("input", MlFloat([None, N_INPUTS]))]),
        "xgboost": onnxmltools.convert_xgboost(
            fit(xgboost.XGBClassifier(n_estimators=50, max_depth=4, learning_rate=0.1, random_state=SEED)),
            initial_types=[("input", MlFloat([None, N_INPUTS]))]),
    }
    path = os.path.join(HERE, "scores.csv")
    scores = pd.read_csv(path)
    for name, model in models.items():
        onnx.checker.check_model(model)
        with open(os.path.join(HERE, f"{name}.onnx"), "wb") as f:
            f.write(model.SerializeToString())
        scores[name] = s = score(model, x)
        ops = sorted({n.op_type for n in model.graph.node})
        print(f"{name}: ops {ops}, test AUC {roc_auc_score(y[test], s[test]):.4f}, {os.path.getsize(os.path.join(HERE, name + '.onnx'))} bytes")
    scores.to_csv(path, index=False, float_format="%.7g")
    with open(os.path.join(HERE, "VERSIONS"), "a") as f:
        f.write(f"trees: lightgbm {lightgbm.__version__}, xgboost {xgboost.__version__}, onnxmltools {onnxmltools.__version__}\n")


if __name__ == "__main__":
    main()
