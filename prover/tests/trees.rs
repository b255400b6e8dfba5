//! Tree ensembles: the German Credit LightGBM and random forest, exported by onnxmltools and
//! skl2onnx, are read, reproduce onnxruntime on every row, compile with every decision equal, and
//! their circuits accept the honest witness and reject a tampered one (MockProver).

mod common;

use std::sync::{Arc, OnceLock};

use halo2_proofs::dev::MockProver;
use halo2_proofs::halo2curves::bn256::Fr;
use rand::SeedableRng;
use zkcredit_prover::circuit::{CreditCircuit, Family, Gadget, Layout};
use zkcredit_prover::dataset;
use zkcredit_prover::model::{compile, CompiledModel};
use zkcredit_prover::onnx::OnnxModel;
use zkcredit_prover::prove::{circuit_size, witness, ProveRequest};
use zkcredit_prover::quantize::QuantConfig;

const MODELS: [&str; 2] = ["lightgbm", "random-forest"];

fn tree_file(name: &str) -> std::path::PathBuf {
    common::example("trees").join(name)
}

fn compiled(name: &str) -> &'static CompiledModel {
    static M: [OnceLock<CompiledModel>; 2] = [OnceLock::new(), OnceLock::new()];
    let i = MODELS.iter().position(|m| *m == name).unwrap();
    M[i].get_or_init(|| {
        compile(
            &tree_file(&format!("{name}.onnx")),
            &common::example("dataset.csv"),
            Some(&common::example("encoding.json")),
            None,
            &QuantConfig::default(),
            0.5,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"))
    })
}

#[test]
fn tree_models_reproduce_onnxruntime_on_every_row() {
    let names = zkcredit_prover::encoding::Encoding::load(&common::example("encoding.json")).unwrap().inputs;
    let ds = dataset::load(&common::example("dataset.csv"), &names).unwrap();
    for name in MODELS {
        let onnx = OnnxModel::load(&tree_file(&format!("{name}.onnx"))).unwrap_or_else(|e| panic!("{name}: {e}"));
        let trees = onnx.model.trees().expect("a tree ensemble");
        let reference = dataset::column(&tree_file("scores.csv"), name).unwrap();
        let worst = ds.rows.iter().zip(&reference).map(|(row, r)| (onnx.reference(row).unwrap() - r).abs()).fold(0f64, f64::max);
        println!("{name}: {} trees, reference {:?}, max abs error vs onnxruntime {worst:.2e}", trees.trees.len(), onnx.reference_kind);
        assert!(worst < 1e-6, "{name}: {worst}");
    }
}

#[test]
fn tree_models_compile_with_every_decision_equal() {
    for name in MODELS {
        let m = compiled(name);
        let (rows, k) = circuit_size(m).unwrap();
        let f = &m.fidelity;
        println!(
            "{name}: {}, input bits {}, output scale {}, decisions {}/{}, max error {:.1e}, rows {rows}, k {k}",
            m.quantized.summary(),
            m.quantized.input_scale,
            m.quantized.output_scale,
            f.decisions_agree,
            f.rows,
            f.max_abs_error
        );
        assert_eq!((f.decisions_agree, f.rows), (1000, 1000), "{name}");
    }
}

fn honest(name: &str) -> (Layout, Vec<Fr>, u32) {
    let m = compiled(name);
    let ds = dataset::load(&common::example("dataset.csv"), &m.quantized.input_names()).unwrap();
    let row = ds
        .rows
        .iter()
        .find(|r| m.quantized.score(m.quantized.forward(&m.quantized.quantize_features(r).unwrap()).unwrap().logit) > 0.7)
        .unwrap();
    let req = ProveRequest { features: row.clone(), threshold: 0.5, borrower: [0x11; 20], nonce: 42, salt: None };
    let (w, _) = witness(m, &req, &mut rand_chacha::ChaCha20Rng::seed_from_u64(1)).unwrap();
    let layout = Layout::build(&m.quantized, m.model_id(), Some(&w)).unwrap();
    assert_eq!(layout.family, Family::Trees);
    let (_, k) = circuit_size(m).unwrap();
    (layout, w.public.to_instances(), k)
}

fn run(layout: Layout, inst: Vec<Fr>, k: u32) -> bool {
    let c = CreditCircuit { layout: Arc::new(layout) };
    MockProver::run(k, &c, vec![inst]).unwrap().verify().is_ok()
}

#[test]
fn tree_circuits_accept_the_honest_witness_and_reject_tampering() {
    for name in MODELS {
        let (l, i, k) = honest(name);
        assert!(run(l.clone(), i.clone(), k), "{name}: honest witness");
        for (gadget, cell) in l.marks.clone() {
            let mut bad = l.clone();
            bad.tamper(cell, Fr::one());
            assert!(!run(bad, i.clone(), k), "{name}: tampered {gadget:?} accepted");
        }
        assert!(l.marks.iter().any(|(g, _)| *g == Gadget::Split) && l.marks.iter().any(|(g, _)| *g == Gadget::Mux));
    }
}
