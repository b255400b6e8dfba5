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
