//! The model matrix (`examples/models/`): credit models exported by skl2onnx and in the shapes
//! torch.onnx.export and tf2onnx emit, and tree ensembles exported by skl2onnx and onnxmltools
//! (LightGBM, XGBoost), taken as they come. Each lowers to a network or a tree ensemble that
//! reproduces onnxruntime's committed scores on all 1,000 rows, and compiles with default options.

mod common;

use std::path::PathBuf;

use zkcredit_prover::dataset;
use zkcredit_prover::encoding::Encoding;
use zkcredit_prover::model::compile;
use zkcredit_prover::onnx::OnnxModel;
use zkcredit_prover::quantize::QuantConfig;

fn models() -> PathBuf {
    common::repo().join("examples/models")
}

/// The 57 input names (the German Credit encoding's), which both data files carry as columns.
fn names() -> Vec<String> {
    Encoding::load(&common::example("encoding.json")).unwrap().inputs
}

/// (model, calibration data, threshold)
fn matrix() -> Vec<(&'static str, PathBuf, f64)> {
    let raw = common::example("dataset.csv");
    let std = models().join("standardized.csv");
    vec![
        ("sklearn-logreg", raw.clone(), 0.5),
        ("sklearn-logreg-nozipmap", raw.clone(), 0.5),
        ("sklearn-scaler-logreg", raw.clone(), 0.5),
        ("sklearn-mlp", raw.clone(), 0.5),
        ("sklearn-scaler-mlp", raw.clone(), 0.5),
        ("sklearn-scaler-mlp-large", raw.clone(), 0.5),
        ("sklearn-ridge", raw.clone(), 0.5),
        ("torch-mlp", raw.clone(), 0.5),
        ("torch-bn-mlp", raw.clone(), 0.5),
        ("torch-leaky-mlp", raw.clone(), 0.5),
        ("torch-prelu-mlp", raw.clone(), 0.5),
        ("torch-relu6-mlp", raw.clone(), 0.5),
        ("keras-mlp", std, 0.5),
        ("sklearn-gbm", raw.clone(), 0.5),
        ("sklearn-extratrees", raw.clone(), 0.5),
        ("sklearn-tree", raw.clone(), 0.5),
        ("sklearn-gbm-regressor", raw.clone(), 0.5),
        ("lightgbm-regressor", raw.clone(), 0.5),
        ("xgboost", raw, 0.5),
    ]
}

#[test]
fn every_model_reproduces_onnxruntime_on_every_row() {
    let scores = models().join("scores.csv");
    for (name, data, _) in matrix() {
        let onnx = OnnxModel::load(&models().join(format!("{name}.onnx"))).unwrap_or_else(|e| panic!("{name}: {e}"));
        let ds = dataset::load(&data, &names()).unwrap();
        let reference = dataset::column(&scores, name).unwrap();
        assert_eq!(reference.len(), ds.rows.len());
        let mut worst = 0f64;
        for (row, r) in ds.rows.iter().zip(&reference) {
            let ours = onnx.model.output(row);
            worst = worst.max((ours - r).abs() / (1.0 + r.abs()));
            assert!((onnx.reference(row).unwrap() - ours).abs() < 1e-3 * (1.0 + ours.abs()), "{name}: reference vs lowered");
        }
        println!(
            "{name}: {}, sigmoid {}, reference {:?}, max rel. error vs onnxruntime {worst:.2e}",
            onnx.model.network().map_or_else(
                || format!("{} trees", onnx.model.trees().map_or(0, |t| t.trees.len())),
                |n| format!("{} layers", n.layers.len())
            ),
            onnx.model.sigmoid(),
            onnx.reference_kind
        );
        assert!(worst < 1e-4, "{name}: lowered network differs from onnxruntime by {worst}");
    }
}

#[test]
fn every_model_compiles_with_defaults() {
    for (name, data, threshold) in matrix() {
        let m = compile(&models().join(format!("{name}.onnx")), &data, None, Some(&names()), &QuantConfig::default(), threshold)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let f = &m.fidelity;
        let c = &m.calibration;
        println!(
            "{name}: bits {}/{}/{} ({}), {}/{} decisions equal, max |err| {:.2e}",
            c.input_bits, c.weight_bits, c.activation_bits, c.reason, f.decisions_agree, f.rows, f.max_abs_error
        );
        assert_eq!(f.decisions_agree, f.rows, "{name}: rows {:?} decide differently", f.disagreements);
        assert!(f.max_abs_error <= c.error_target, "{name}: score error {} above the target {}", f.max_abs_error, c.error_target);
        assert_eq!(c.chosen_by, "compile");
    }
}
