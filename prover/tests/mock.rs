//! MockProver: the honest witness passes; perturbing one witness cell of each gadget, or any public input, is rejected.

mod common;

use std::sync::Arc;

use halo2_proofs::dev::MockProver;
use halo2_proofs::halo2curves::bn256::Fr;
use rand::SeedableRng;
use zkcredit_prover::circuit::{CreditCircuit, Gadget, Layout};
use zkcredit_prover::prove::{circuit_size, witness, ProveRequest};

fn honest() -> (Layout, Vec<Fr>, u32) {
    let m = common::mlp();
    let ds = zkcredit_prover::dataset::load(&common::example("dataset.csv"), &m.quantized.input_names()).unwrap();
    // A passing applicant.
    let row = ds
        .rows
        .iter()
        .find(|r| m.quantized.score(m.quantized.forward(&m.quantized.quantize_features(r).unwrap()).unwrap().logit) > 0.8)
        .unwrap();
    let req = ProveRequest { features: row.clone(), threshold: 0.5, borrower: [0x11; 20], nonce: 42, salt: None };
    let (w, _) = witness(m, &req, &mut rand_chacha::ChaCha20Rng::seed_from_u64(1)).unwrap();
    let layout = Layout::build(&m.quantized, m.model_id(), Some(&w)).unwrap();
    let (_, k) = circuit_size(m).unwrap();
    (layout, w.public.to_instances(), k)
}

fn run(layout: Layout, inst: Vec<Fr>, k: u32) -> bool {
    let c = CreditCircuit { layout: Arc::new(layout) };
    MockProver::run(k, &c, vec![inst]).unwrap().verify().is_ok()
}

#[test]
fn honest_witness_passes() {
    let (l, i, k) = honest();
    eprintln!("rows {} k {k}", l.rows());
    assert!(run(l, i, k));
}

#[test]
fn every_gadget_rejects_a_perturbed_cell() {
    for g in [
        Gadget::Feature,
        Gadget::Packing,
        Gadget::Linear,
        Gadget::Remainder,
        Gadget::Relu,
        Gadget::Compare,
        Gadget::Commitment,
        Gadget::Address,
        Gadget::Nonce,
        Gadget::ModelId,
    ] {
        let (l0, i, k) = honest();
        let cells: Vec<_> = l0.marks.iter().filter(|(m, _)| *m == g).map(|(_, c)| *c).collect();
        assert!(!cells.is_empty(), "no mark for {g:?}");
        for cell in cells {
            let mut l = l0.clone();
            l.tamper(cell, Fr::one());
            assert!(!run(l, i.clone(), k), "{g:?}: perturbed cell {cell:?} was accepted");
        }
    }
}

#[test]
fn every_public_input_is_bound() {
    for idx in 0..5 {
        let (l, mut i, k) = honest();
        i[idx] += Fr::one();
        assert!(!run(l, i, k), "changed public input {idx} was accepted");
    }
}

/// PRelu/LeakyRelu layers pass `relu(Q)` and `Q` on (the next layer reads `Q` from the ReLU row's
/// `z_shift` cell); Clip(0, max) layers pass `relu(Q)` and `relu(Q - max)`. For the exported torch
/// PReLU and ReLU6 models, an honest witness passes and the first neuron's ReLU output and its
/// second value (raw `Q`, or `relu(Q - max)`), perturbed, are rejected.
#[test]
fn prelu_and_relu6_models_pass_and_bind_their_second_values() {
    use zkcredit_prover::circuit::{CellRef, Col};
    let names = zkcredit_prover::encoding::Encoding::load(&common::example("encoding.json")).unwrap().inputs;
    let ds = zkcredit_prover::dataset::load(&common::example("dataset.csv"), &names).unwrap();
    for (file, leaky) in [("torch-prelu-mlp.onnx", true), ("torch-relu6-mlp.onnx", false)] {
        let model = common::repo().join("examples/models").join(file);
        let qc = zkcredit_prover::quantize::QuantConfig::default();
        let m = zkcredit_prover::model::compile(&model, &common::example("dataset.csv"), None, Some(&names), &qc, 0.5).unwrap();
        let q = &m.quantized;
        assert_eq!((q.layers().unwrap()[0].passes_raw, q.layers().unwrap()[0].clip.is_some()), (leaky, !leaky), "{file}");
        assert_eq!(q.layers().unwrap()[1].weights[0].len(), 2 * q.layers().unwrap()[0].weights.len(), "{file}");
        let row = ds.rows.iter().find(|r| q.score(q.forward(&q.quantize_features(r).unwrap()).unwrap().logit) > 0.8).unwrap();
        let req = ProveRequest { features: row.clone(), threshold: 0.5, borrower: [0x11; 20], nonce: 42, salt: None };
        let (w, _) = witness(&m, &req, &mut rand_chacha::ChaCha20Rng::seed_from_u64(1)).unwrap();
        let layout = Layout::build(q, m.model_id(), Some(&w)).unwrap();
        let (_, k) = circuit_size(&m).unwrap();
        let inst = w.public.to_instances();
        assert!(run(layout.clone(), inst.clone(), k), "{file}: honest witness rejected");
        let relu = layout.marks.iter().find(|(g, _)| *g == Gadget::Relu).unwrap().1;
        // The second value of neuron 0: the ReLU row's z_shift, or the output of its clip ReLU
        // (the first ReLU row after neuron 0's).
        let second = if leaky {
            CellRef { col: Col::A, row: relu.row }
        } else {
            let end = zkcredit_prover::circuit::Gate::End.opcode();
            let next = (relu.row + 1..layout.rows()).find(|r| layout.op[*r] == end).unwrap();
            CellRef { col: Col::B, row: next + 1 }
        };
        for cell in [relu, second] {
            let mut l = layout.clone();
            l.tamper(cell, Fr::one());
            assert!(!run(l, inst.clone(), k), "{file}: perturbed {cell:?} accepted");
        }
    }
}

/// Zero has exactly one encoding in every signed or range-checked decomposition (a bug class of
/// other circuits: a "negative zero" sign bit that lets a value through twice). A ReLU whose input
/// `Q` is exactly 0 carries the sign bit 1 (`Q + 2^r = 2^r`); a witness claiming sign 0 with the
/// same output 0 is rejected. A comparison exactly at the threshold (`logit - T = 0`) passes, and
/// setting its top bit is rejected; one below the threshold cannot be laid out.
#[test]
fn zero_has_one_encoding_in_relu_and_comparison() {
    use zkcredit_prover::circuit::{CellRef, Col, Witness};
    use zkcredit_prover::commitment::feature_commitment;
    use zkcredit_prover::onnx::{Activation, Dense, Float, FloatModel};
    use zkcredit_prover::public::PublicInputs;
    use zkcredit_prover::quantize::{calibrate, QuantConfig};

    // Hidden neuron 0 has zero weights and bias: its Q is 0 for every applicant.
    let float = FloatModel {
        layers: vec![
            Dense { weights: vec![vec![0.0, 0.0], vec![0.5, 0.25]], bias: vec![0.0, 0.1] },
            Dense { weights: vec![vec![1.0, 1.0]], bias: vec![0.0] },
        ],
        activations: vec![Activation::Relu],
        sigmoid: false,
    };
    let rows: Vec<Vec<f64>> = (0..20).map(|i| vec![f64::from(i), f64::from(i % 5)]).collect();
    let q = calibrate(&Float::Network(float), &["a".into(), "b".into()], &rows, &QuantConfig::default()).unwrap();
    let x = q.quantize_features(&rows[7]).unwrap();
    let logit = q.forward(&x).unwrap().logit;
    let model_id = Fr::from(7u64);
    let witness_at = |threshold_q: i128| {
        let salt = Fr::from(99u64);
        let public =
            PublicInputs { feature_commitment: feature_commitment(&q, &x, salt), threshold_q, borrower: [0x22; 20], nonce: 3, model_id };
        Witness { features: x.clone(), salt, public }
    };
    let k = 10;
    let w = witness_at(logit);
    let honest = Layout::build(&q, model_id, Some(&w)).unwrap();
    let inst = w.public.to_instances();
    assert!(run(honest.clone(), inst.clone(), k), "exactly at the threshold must pass");

    // The zero ReLU: `a` of its row holds z_shift = Q + 2^r = 2^r, `b` the output 0; the sign bit
    // is `b` of the row above (the running sum's end).
    let relu = honest.marks.iter().find(|(g, _)| *g == Gadget::Relu).unwrap().1;
    let r = q.layers().unwrap()[0].out_bits;
    assert_eq!(honest.value(CellRef { col: Col::A, row: relu.row }), zkcredit_prover::field::pow2(r), "Q is 0");
    assert_eq!(honest.value(relu), Fr::zero());
    let sign = CellRef { col: Col::B, row: relu.row - 1 };
    assert_eq!(honest.value(sign), Fr::one(), "zero is non-negative");
    let mut negative_zero = honest.clone();
    negative_zero.tamper(sign, -Fr::one());
    assert_eq!(negative_zero.value(relu), Fr::zero(), "the output a sign-0 witness claims is the same 0");
    assert!(!run(negative_zero, inst.clone(), k), "the sign-0 encoding of Q = 0 was accepted");

    // The comparison at d = 0: every running-sum cell is 0; its top bit set is rejected.
    let start = honest.marks.iter().find(|(g, _)| *g == Gadget::Compare).unwrap().1.row - 1;
    let top = CellRef { col: Col::B, row: start + (q.compare_bits / 2) as usize - 1 };
    assert_eq!(honest.value(top), Fr::zero());
    let mut flipped = honest.clone();
    flipped.tamper(top, Fr::one());
    assert!(!run(flipped, inst, k), "d = 0 with its top bit set was accepted");
    // One below the threshold is refused before any circuit is built.
    assert!(Layout::build(&q, model_id, Some(&witness_at(logit + 1))).is_err());
}
