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

/// PRelu (and LeakyRelu) layers pass `relu(Q)` and `Q` on; the next layer reads `Q` from the
/// ReLU row's `z_shift` cell. An honest witness of the exported torch PReLU model passes; the
/// ReLU output and the raw `Q` cell of the first neuron, perturbed, are rejected.
#[test]
fn prelu_model_passes_and_binds_its_raw_input() {
    use zkcredit_prover::circuit::{CellRef, Col};
    let names = zkcredit_prover::encoding::Encoding::load(&common::example("encoding.json")).unwrap().inputs;
    let model = common::repo().join("examples/models/torch-prelu-mlp.onnx");
    let qc = zkcredit_prover::quantize::QuantConfig::default();
    let m = zkcredit_prover::model::compile(&model, &common::example("dataset.csv"), None, Some(&names), &qc, 0.5).unwrap();
    assert!(m.quantized.layers[0].passes_raw && m.quantized.layers[1].weights[0].len() == 2 * m.quantized.layers[0].weights.len());
    let ds = zkcredit_prover::dataset::load(&common::example("dataset.csv"), &names).unwrap();
    let q = &m.quantized;
    let row = ds.rows.iter().find(|r| q.score(q.forward(&q.quantize_features(r).unwrap()).unwrap().logit) > 0.8).unwrap();
    let req = ProveRequest { features: row.clone(), threshold: 0.5, borrower: [0x11; 20], nonce: 42, salt: None };
    let (w, _) = witness(&m, &req, &mut rand_chacha::ChaCha20Rng::seed_from_u64(1)).unwrap();
    let layout = Layout::build(q, m.model_id(), Some(&w)).unwrap();
    let (_, k) = circuit_size(&m).unwrap();
    let inst = w.public.to_instances();
    assert!(run(layout.clone(), inst.clone(), k), "honest PRelu witness rejected");
    let relu = layout.marks.iter().find(|(g, _)| *g == Gadget::Relu).unwrap().1;
    for cell in [relu, CellRef { col: Col::A, row: relu.row }] {
        let mut l = layout.clone();
        l.tamper(cell, Fr::one());
        assert!(!run(l, inst.clone(), k), "perturbed {cell:?} accepted");
    }
}
