//! Tree-ensemble edge cases on ensembles built in code: a feature exactly on a threshold under
//! each node mode (on the integer grid and between grid points), a single-leaf tree, a feature no
//! tree reads, a single tree and 500 trees (compile and lay out only); and the ONNX trees
//! zkcredit refuses, each with its reason and node.

mod common;

use std::sync::Arc;

use halo2_proofs::dev::MockProver;
use halo2_proofs::halo2curves::bn256::Fr;
use rand::{Rng, SeedableRng};
use zkcredit_prover::circuit::{Cheat, CreditCircuit, Layout, Witness};
use zkcredit_prover::commitment::feature_commitment;
use zkcredit_prover::onnx::trees::{FloatNode, FloatTree, Mode};
use zkcredit_prover::onnx::{Float, OnnxModel, TreeEnsemble};
use zkcredit_prover::prove::layout_k;
use zkcredit_prover::public::PublicInputs;
use zkcredit_prover::quantize::{calibrate, QuantConfig, QuantizedModel};

const MODES: [Mode; 4] = [Mode::Leq, Mode::Lt, Mode::Gte, Mode::Gt];

fn stump(feature: usize, threshold: f32, mode: Mode, yes: f64, no: f64) -> FloatTree {
    FloatTree { nodes: vec![FloatNode::Split { feature, threshold, mode, yes: 1, no: 2 }, FloatNode::Leaf(yes), FloatNode::Leaf(no)] }
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("x{i}")).collect()
}

/// MockProver on `x` with the public threshold at `delta` quanta above the circuit's own score.
fn mock(q: &QuantizedModel, x: &[i64], delta: i128) -> bool {
    let salt = Fr::from(5);
    let logit = q.forward(x).unwrap().logit;
    let public = PublicInputs {
        feature_commitment: feature_commitment(q, x, salt),
        threshold_q: logit + delta,
        borrower: [7; 20],
        nonce: 1,
        model_id: Fr::from(99),
    };
    let w = Witness { features: x.to_vec(), salt, public: public.clone() };
    let layout = Layout::build_cheating(q, Fr::from(99), &w, Cheat::Unchecked).unwrap();
    let k = layout_k(&layout);
    let c = CreditCircuit { layout: Arc::new(layout) };
    MockProver::run(k, &c, vec![public.to_instances()]).unwrap().verify().is_ok()
}

/// Eight stumps on `x0` (thresholds 3 and 2.5, each mode), leaves `±2^i` so every combination of
/// outcomes has its own score, a single-leaf tree, and `x2`, which no tree reads. At every
/// integer `x0` in 0..=6 (on 3 exactly, and either side of 2.5) the quantized score equals the
/// float model's exactly, and the circuit computes that score: the threshold at the score passes,
/// one quantum above it is refused.
#[test]
fn a_feature_on_a_threshold_takes_the_branch_of_its_mode() {
    let mut trees = Vec::new();
    for (i, (t, mode)) in [3.0f32, 2.5].iter().flat_map(|t| MODES.map(|m| (*t, m))).enumerate() {
        let w = f64::from(1u32 << i);
        trees.push(stump(0, t, mode, w, -w));
    }
    trees.push(FloatTree { nodes: vec![FloatNode::Leaf(0.25)] });
    trees.push(stump(1, 10.0, Mode::Leq, 0.5, -0.5));
    let e = TreeEnsemble { inputs: 3, trees, base: 0.125, sigmoid: false };
    let rows: Vec<Vec<f64>> = (0..=6).flat_map(|x0| [0.0, 20.0].map(|x1| vec![f64::from(x0), x1, 1.0 + f64::from(x0 % 2)])).collect();
    let q = calibrate(&Float::Trees(e.clone()), &names(3), &rows, &QuantConfig::default()).unwrap();
    assert_eq!(q.trees().unwrap().trees.len(), 10);
    let scale = f64::from(q.output_scale).exp2();
    for row in &rows {
        let x = q.quantize_features(row).unwrap();
        let logit = q.forward(&x).unwrap().logit;
        assert_eq!(logit as f64, e.raw(row) * scale, "x = {row:?}: quantized score {logit}, float {}", e.raw(row));
    }
    for row in rows.iter().filter(|r| r[0] == 2.0 || r[0] == 3.0) {
        let x = q.quantize_features(row).unwrap();
        assert!(mock(&q, &x, 0), "x = {row:?}: the threshold at the score refused");
        assert!(!mock(&q, &x, 1), "x = {row:?}: one quantum above the score accepted");
    }
}

/// Depth-4 trees with random splits over 57 features of random integer data.
fn forest(n: usize, seed: u64) -> (TreeEnsemble, Vec<Vec<f64>>) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let rows: Vec<Vec<f64>> = (0..200).map(|_| (0..57).map(|j| f64::from(rng.gen_range(0..(4 << (j % 8))))).collect()).collect();
    let trees = (0..n)
        .map(|_| {
            let mut nodes = Vec::new();
            for i in 0..31usize {
                if i < 15 {
                    let f = rng.gen_range(0..57);
                    let t = rng.gen_range(0..(4u32 << (f % 8))) as f32 + 0.5;
                    nodes.push(FloatNode::Split { feature: f, threshold: t, mode: Mode::Leq, yes: 2 * i + 1, no: 2 * i + 2 });
                } else {
                    nodes.push(FloatNode::Leaf(rng.gen_range(-0.1..0.1)));
                }
            }
            FloatTree { nodes }
        })
        .collect();
    (TreeEnsemble { inputs: 57, trees, base: 0.0, sigmoid: true }, rows)
}

/// One tree is proved (MockProver); 500 trees compile with every decision equal and lay out
/// (too large for a proof in CI: the row count is printed).
#[test]
fn one_tree_proves_and_five_hundred_trees_compile() {
    for n in [1, 500] {
        let (e, rows) = forest(n, n as u64);
        let q = calibrate(&Float::Trees(e.clone()), &names(57), &rows, &QuantConfig::default()).unwrap();
        let agree = rows
            .iter()
            .filter(|r| (q.score(q.forward(&q.quantize_features(r).unwrap()).unwrap().logit) >= 0.5) == (e.output(r) >= 0.5))
            .count();
        assert_eq!(agree, rows.len(), "{n} trees");
        let layout = Layout::build(&q, Fr::from(99), None).unwrap();
        println!("{n} trees: {}, {} rows, k {}", q.summary(), layout.rows(), layout_k(&layout));
        if n == 1 {
            let x = q.quantize_features(&rows[0]).unwrap();
            assert!(mock(&q, &x, 0) && !mock(&q, &x, 1));
        }
    }
}

/// Trees zkcredit cannot prove are refused at import, naming the node and the reason.
#[test]
fn unsupported_tree_ensembles_are_refused_with_the_reason() {
    for (file, words) in [("tree_eq.onnx", "BRANCH_EQ"), ("tree_multiclass.onnx", "3 classes"), ("tree_after_scaler.onnx", "preprocessed")]
    {
        let err = OnnxModel::load(&common::repo().join("prover/tests/fixtures").join(file)).unwrap_err().to_string();
        assert!(err.contains(words) && err.contains("trees"), "{file}: {err}");
    }
}
