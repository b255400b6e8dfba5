//! Tree ensembles: the German Credit LightGBM and random forest, exported by onnxmltools and
//! skl2onnx, are read, reproduce onnxruntime on every row, compile with every decision equal, and
//! their circuits accept the honest witness and reject a tampered one (MockProver).

mod common;

use std::sync::{Arc, OnceLock};

use halo2_proofs::dev::MockProver;
use halo2_proofs::halo2curves::bn256::Fr;
use rand::SeedableRng;
use zkcredit_prover::circuit::{Cheat, CreditCircuit, Family, Gadget, Layout, Witness};
use zkcredit_prover::dataset;
use zkcredit_prover::model::{compile, CompiledModel};
use zkcredit_prover::onnx::OnnxModel;
use zkcredit_prover::prove::{circuit_size, witness, ProveRequest};
use zkcredit_prover::quantize::{feature_thresholds, Body, QNode, QuantConfig};

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

/// The honest witness of an applicant the model approves (score > 0.7), and the circuit size.
fn approved(name: &str) -> (Witness, u32) {
    let m = compiled(name);
    let ds = dataset::load(&common::example("dataset.csv"), &m.quantized.input_names()).unwrap();
    let row = ds
        .rows
        .iter()
        .find(|r| m.quantized.score(m.quantized.forward(&m.quantized.quantize_features(r).unwrap()).unwrap().logit) > 0.7)
        .unwrap();
    let req = ProveRequest { features: row.clone(), threshold: 0.5, borrower: [0x11; 20], nonce: 42, salt: None };
    let (w, _) = witness(m, &req, &mut rand_chacha::ChaCha20Rng::seed_from_u64(1)).unwrap();
    (w, circuit_size(m).unwrap().1)
}

fn honest(name: &str) -> (Layout, Vec<Fr>, u32) {
    let m = compiled(name);
    let (w, k) = approved(name);
    let layout = Layout::build(&m.quantized, m.model_id(), Some(&w)).unwrap();
    assert_eq!(layout.family, Family::Trees);
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
        for g in [Gadget::Split, Gadget::Thermometer, Gadget::Mux] {
            assert!(l.marks.iter().any(|(m, _)| *m == g), "{name}: no {g:?} planned");
        }
    }
}

/// `n` indices spread over `0..len`, first and last included.
fn spread(len: usize, n: usize) -> Vec<usize> {
    (0..n).map(|i| i * (len - 1) / (n - 1)).collect()
}

/// A witness whose path through the trees is wrong, consistently: a split bit flipped (from a
/// per-threshold comparison or a thermometer) or a multiplexer picking the other child, with every
/// later multiplexer and the score computed from it. The constraints refuse each one.
#[test]
fn tree_circuits_reject_a_flipped_split_bit_or_a_wrong_branch() {
    for name in MODELS {
        let m = compiled(name);
        let trees = m.quantized.trees().unwrap();
        let (w, k) = approved(name);
        let inst = w.public.to_instances();
        let splits: usize = m.quantized.features.iter().enumerate().map(|(f, spec)| feature_thresholds(trees, f, spec).len()).sum();
        let (planned, muxes) = Layout::build_cheating(&m.quantized, m.model_id(), &w, Cheat::Unchecked).unwrap().planned();
        assert_eq!(planned, splits, "{name}: every distinct split has one bit");
        let cheats = spread(splits, 6).into_iter().map(Cheat::FlipSplit).chain(spread(muxes, 4).into_iter().map(Cheat::WrongBranch));
        for cheat in cheats {
            let l = Layout::build_cheating(&m.quantized, m.model_id(), &w, cheat).unwrap();
            assert!(!run(l, inst.clone(), k), "{name}: {cheat:?} accepted ({splits} split bits, {muxes} multiplexers)");
        }
    }
}

/// The score compared with the threshold exactly: a public threshold equal to the applicant's
/// fixed-point score passes, one quantum above it is refused by the constraints.
#[test]
fn tree_circuits_compare_the_score_with_the_threshold_to_one_quantum() {
    for name in MODELS {
        let m = compiled(name);
        let (mut w, k) = approved(name);
        let logit = m.quantized.forward(&w.features).unwrap().logit;
        for (threshold, accepted) in [(logit, true), (logit + 1, false)] {
            w.public.threshold_q = threshold;
            let l = Layout::build_cheating(&m.quantized, m.model_id(), &w, Cheat::Unchecked).unwrap();
            assert_eq!(run(l, w.public.to_instances(), k), accepted, "{name}: threshold {threshold}, score {logit}");
        }
    }
}

/// A prover that evaluates the trees with two sibling leaves swapped (in the first tree where that
/// changes this applicant's witness) while claiming the committed model: its witness under the
/// committed model's fixed columns (the leaves are fixed values, bound by the key) is refused.
#[test]
fn tree_circuits_reject_a_swapped_leaf_value() {
    for name in MODELS {
        let m = compiled(name);
        let (w, k) = approved(name);
        let honest = Layout::build(&m.quantized, m.model_id(), Some(&w)).unwrap();
        let trees = m.quantized.trees().unwrap().trees.len();
        let forged = (0..trees)
            .find_map(|t| {
                let mut q = m.quantized.clone();
                let Body::Trees(ts) = &mut q.body else { unreachable!() };
                let nodes = &mut ts.trees[t].nodes;
                for i in 0..nodes.len() {
                    if let QNode::Split { yes, no, .. } = nodes[i] {
                        if let (QNode::Leaf(a), QNode::Leaf(b)) = (nodes[yes].clone(), nodes[no].clone()) {
                            (nodes[yes], nodes[no]) = (QNode::Leaf(b), QNode::Leaf(a));
                        }
                    }
                }
                let l = Layout::build_cheating(&q, m.model_id(), &w, Cheat::Unchecked).ok()?;
                (l.rows() == honest.rows() && (l.a != honest.a || l.b != honest.b)).then_some(l)
            })
            .unwrap_or_else(|| panic!("{name}: no leaf swap changes the witness"));
        let mut bad = honest.clone();
        (bad.a, bad.b) = (forged.a, forged.b);
        assert!(!run(bad, w.public.to_instances(), k), "{name}: swapped leaf accepted");
    }
}
