//! ONNX import, calibration fidelity over all 1,000 German Credit rows, and SRS import.

mod common;

use std::path::PathBuf;

use zkcredit_prover::dataset;
use zkcredit_prover::model::compile;
use zkcredit_prover::onnx::OnnxModel;
use zkcredit_prover::quantize::QuantConfig;
use zkcredit_prover::srs::SrsSource;
use zkcredit_prover::Error;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

#[test]
fn circuit_decision_equals_float_decision_on_all_rows() {
    let m = common::mlp();
    let f = &m.fidelity;
    assert_eq!(f.rows, 1000);
    assert_eq!(f.decisions_agree, 1000, "disagreeing rows: {:?}", f.disagreements);
    assert!(f.max_abs_error < 1e-3, "max error {}", f.max_abs_error);
    // Both classes are present at the demo threshold.
    assert!(f.float_passes > 100 && f.float_passes < 900);
}

#[test]
fn tract_matches_the_committed_onnxruntime_scores() {
    let onnx = OnnxModel::load(&common::example("mlp.onnx")).unwrap();
    let names = zkcredit_prover::encoding::Encoding::load(&common::example("encoding.json")).unwrap().inputs;
    assert_eq!(names.len(), onnx.model.inputs());
    let ds = dataset::load(&common::example("dataset.csv"), &names).unwrap();
    let reference = dataset::column(&common::example("dataset.csv"), "mlp_score").unwrap();
    assert_eq!(reference.len(), 1000);
    for (row, r) in ds.rows.iter().zip(&reference) {
        assert!((onnx.reference(row).unwrap() - r).abs() < 1e-5);
    }
}

#[test]
fn logistic_regression_compiles_with_full_agreement() {
    let m = compile(
        &common::example("logreg.onnx"),
        &common::example("dataset.csv"),
        Some(&common::example("encoding.json")),
        None,
        &QuantConfig::default(),
        0.5,
    )
    .unwrap();
    assert_eq!(m.quantized.layers().map(<[_]>::len), Some(1));
    assert_eq!(m.fidelity.decisions_agree, 1000);
}

#[test]
fn matmul_add_identity_graph_is_supported() {
    let m = OnnxModel::load(&fixture("matmul_add.onnx")).unwrap();
    let n = m.model.network().unwrap();
    assert_eq!(n.layers.len(), 2);
    assert!(n.sigmoid);
}

#[test]
fn unsupported_op_is_named_with_its_node() {
    let err = OnnxModel::load(&fixture("tanh.onnx")).unwrap_err();
    match &err {
        Error::UnsupportedOp { op, node, .. } => assert_eq!((op.as_str(), node.as_str()), ("Tanh", "squash")),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("tanh.onnx"));
}

#[test]
fn malformed_models_are_rejected_with_the_file_named() {
    let err = OnnxModel::load(&fixture("garbage.onnx")).unwrap_err();
    assert!(matches!(err, Error::Onnx { .. }), "{err:?}");
    assert!(err.to_string().contains("garbage.onnx"));
    assert!(OnnxModel::load(&fixture("missing.onnx")).is_err());
}

#[test]
fn consecutive_linear_layers_fold_into_one() {
    let m = OnnxModel::load(&fixture("no_activation.onnx")).unwrap();
    let n = m.model.network().unwrap();
    assert_eq!((n.layers.len(), n.sigmoid), (1, false));
}

#[test]
fn graphs_that_are_not_an_affine_score_are_refused_with_the_node() {
    let structure = |file: &str, node: &str, words: &str| match OnnxModel::load(&fixture(file)) {
        Err(Error::UnsupportedStructure { node: n, reason, .. }) => {
            assert_eq!(n, node, "{file}");
            assert!(reason.contains(words), "{file}: {reason}");
        }
        other => panic!("{file}: expected a structure error, got {other:?}"),
    };
    structure("div_by_features.onnx", "reciprocal", "not affine");
    structure("multiclass.onnx", "softmax", "4 classes");
    let err = OnnxModel::load(&fixture("two_outputs.onnx")).unwrap_err();
    assert!(err.to_string().contains("several floating-point outputs (y, h)"), "{err}");
}

#[test]
fn leaky_relu_and_clip_calibrate_with_a_second_value_per_neuron() {
    let rows: Vec<Vec<f64>> = (0..10).map(|i| vec![i as f64, 1.0, -1.0]).collect();
    let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    let m = OnnxModel::load(&fixture("leaky_relu.onnx")).unwrap();
    assert_eq!(
        m.model.network().unwrap().activations,
        vec![zkcredit_prover::onnx::Activation::LeakyRelu { alpha: vec![0.1f32 as f64; 4] }]
    );
    let q = zkcredit_prover::quantize::calibrate(&m.model, &names, &rows, &QuantConfig::default()).unwrap();
    assert!(q.layers().unwrap()[0].passes_raw && q.layers().unwrap()[1].weights[0].len() == 8);
    let m = OnnxModel::load(&fixture("clip.onnx")).unwrap();
    assert_eq!(m.model.network().unwrap().activations, vec![zkcredit_prover::onnx::Activation::Clip { max: 6.0 }]);
    let q = zkcredit_prover::quantize::calibrate(&m.model, &names, &rows, &QuantConfig::default()).unwrap();
    let clip = q.layers().unwrap()[0].clip.as_ref().unwrap();
    // max = 6 at the 16 activation bits of Q.
    assert_eq!(clip.max_q, 6 << 16);
    assert_eq!(q.layers().unwrap()[1].weights[0].len(), 8);
}

#[test]
fn ptau_import_checks_size_contribution_and_integrity() {
    let ptau = common::repo().join("examples/srs/zkcredit-demo-k12.ptau");
    let (params, info) = SrsSource::from_file(&ptau).unwrap().load(11).unwrap();
    assert_eq!(info.max_k, 12);
    assert!(!info.insecure);
    assert_eq!(halo2_proofs::poly::commitment::Params::k(&params), 11);
    // Too small for the circuit.
    let err = SrsSource::Ptau(ptau.clone()).load(13).unwrap_err();
    assert!(err.to_string().contains("needs k = 13"), "{err}");
    // A `powersoftau new` file has tau = 1: refused.
    let err = SrsSource::Ptau(fixture("uncontributed.ptau")).load(2).unwrap_err();
    assert!(err.to_string().contains("uncontributed"), "{err}");
    // Truncated.
    let dir = std::env::temp_dir().join(format!("zkc-srs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bytes = std::fs::read(&ptau).unwrap();
    let cut = dir.join("cut.ptau");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let err = SrsSource::from_file(&cut).unwrap().load(11).unwrap_err();
    assert!(err.to_string().contains("cut.ptau"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn halo2_raw_params_are_accepted_and_downsized() {
    use halo2_proofs::halo2curves::bn256::Bn256;
    use halo2_proofs::poly::commitment::Params;
    use halo2_proofs::poly::kzg::commitment::ParamsKZG;
    use rand::SeedableRng;
    let dir = std::env::temp_dir().join(format!("zkc-params-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("k8.params");
    let params = ParamsKZG::<Bn256>::setup(8, rand_chacha::ChaCha20Rng::seed_from_u64(1));
    let mut bytes = Vec::new();
    params.write_custom(&mut bytes, halo2_proofs::SerdeFormat::RawBytes).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    let src = SrsSource::from_file(&path).unwrap();
    assert!(matches!(src, SrsSource::Halo2Params(_)));
    let (p, info) = src.load(6).unwrap();
    assert_eq!((p.k(), info.kind.as_str(), info.max_k), (6, "halo2-params", 8));
    assert!(src.load(9).unwrap_err().to_string().contains("supports k <= 8"));
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    assert!(src.load(6).unwrap_err().to_string().contains("k8.params"));
    std::fs::remove_dir_all(&dir).ok();
}
