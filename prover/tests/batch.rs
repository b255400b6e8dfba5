//! The batch circuit under MockProver: the bundled MLP on three applicants in one circuit. The
//! honest witness passes (an empty slot filled with a copy under borrower 0 included); a
//! perturbed cell of any gadget in any slot, commitments or accounts swapped between slots, a
//! failing applicant in any slot and every changed public input are rejected.

mod common;

use std::sync::Arc;

use halo2_proofs::dev::MockProver;
use halo2_proofs::halo2curves::bn256::Fr;
use rand::SeedableRng;
use zkcredit_prover::circuit::{Cheat, CreditCircuit, Layout, Witness};
use zkcredit_prover::prove::{layout_k, witness, ProveRequest};
use zkcredit_prover::public::{BatchPublicInputs, SlotPublic};

const SLOTS: usize = 3;

/// Dataset rows whose scores are above 0.8 (`pass`) or below 0.3.
fn rows(pass: bool, n: usize) -> Vec<Vec<f64>> {
    let m = common::mlp();
    let q = &m.quantized;
    let ds = zkcredit_prover::dataset::load(&common::example("dataset.csv"), &q.input_names()).unwrap();
    ds.rows
        .into_iter()
        .filter(|r| {
            let s = q.score(q.forward(&q.quantize_features(r).unwrap()).unwrap().logit);
            if pass {
                s > 0.8
            } else {
                s < 0.3
            }
        })
        .take(n)
        .collect()
}

/// Slot witnesses for `features`, borrower `0x0i..`, nonce `i + 1` (slot `empty`: borrower 0).
fn witnesses(features: &[Vec<f64>], empty: Option<usize>) -> Vec<Witness> {
    let m = common::mlp();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let t = m.quantized.threshold_q(0.5).unwrap();
    features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let borrower = if empty == Some(i) { [0; 20] } else { [i as u8 + 1; 20] };
            let req = ProveRequest { features: f.clone(), threshold: 0.5, borrower, nonce: i as u64 + 1, salt: None };
            witness(m, &req, &mut rng).map(|(w, _)| w).unwrap_or_else(|_| {
                // A failing applicant: the witness a cheating prover would use.
                let x = m.quantized.quantize_features(f).unwrap();
                let salt = Fr::from(9);
                let feature_commitment = zkcredit_prover::commitment::feature_commitment(&m.quantized, &x, salt);
                let public = zkcredit_prover::public::PublicInputs {
                    feature_commitment,
                    threshold_q: t,
                    borrower,
                    nonce: i as u64 + 1,
                    model_id: m.model_id(),
                };
                Witness { features: x, salt, public }
            })
        })
        .collect()
}

fn instances(w: &[Witness]) -> Vec<Fr> {
    let p = &w[0].public;
    let slots = w.iter().map(|w| SlotPublic {
        feature_commitment: w.public.feature_commitment,
        borrower: w.public.borrower,
        nonce: w.public.nonce,
    });
    BatchPublicInputs { threshold_q: p.threshold_q, model_id: p.model_id, slots: slots.collect() }.to_instances()
}

fn run(layout: Layout, inst: Vec<Fr>) -> bool {
    let k = layout_k(&layout);
    let c = CreditCircuit { layout: Arc::new(layout) };
    MockProver::run(k, &c, vec![inst]).unwrap().verify().is_ok()
}

fn honest() -> (Layout, Vec<Fr>) {
    let m = common::mlp();
    let w = witnesses(&rows(true, SLOTS), None);
    (Layout::build_batch(&m.quantized, m.model_id(), Some(&w), SLOTS).unwrap(), instances(&w))
}

#[test]
fn the_honest_batch_passes_and_its_shape_is_the_slots() {
    let m = common::mlp();
    let (l, inst) = honest();
    assert_eq!(inst.len(), 2 + 2 * SLOTS);
    let single = Layout::build(&m.quantized, m.model_id(), None).unwrap().rows();
    println!("batch of {SLOTS}: {} rows (single: {single}), k {}", l.rows(), layout_k(&l));
    assert!(run(l, inst));
    // A partial batch: the last slot a copy of the first under borrower 0.
    let mut f = rows(true, SLOTS - 1);
    f.push(f[0].clone());
    let w = witnesses(&f, Some(SLOTS - 1));
    assert!(run(Layout::build_batch(&m.quantized, m.model_id(), Some(&w), SLOTS).unwrap(), instances(&w)));
}

#[test]
fn a_perturbed_cell_in_any_slot_is_rejected() {
    let (l0, inst) = honest();
    assert!(l0.marks.len() >= SLOTS * 8, "{} marks", l0.marks.len());
    for (g, cell) in l0.marks.clone() {
        let mut l = l0.clone();
        l.tamper(cell, Fr::one());
        assert!(!run(l, inst.clone()), "{g:?} at {cell:?} accepted");
    }
}

#[test]
fn swapped_slots_and_changed_public_inputs_are_rejected() {
    let (l, inst) = honest();
    for (a, b, what) in [(2, 4, "commitments"), (3, 5, "accounts"), (2, 6, "commitments of slots 0 and 2")] {
        let mut bad = inst.clone();
        bad.swap(a, b);
        assert!(!run(l.clone(), bad), "{what} swapped accepted");
    }
    for i in 0..inst.len() {
        let mut bad = inst.clone();
        bad[i] += Fr::one();
        assert!(!run(l.clone(), bad), "public input {i} changed accepted");
    }
}

#[test]
fn a_failing_applicant_in_any_slot_is_rejected() {
    let m = common::mlp();
    let fail = rows(false, 1).remove(0);
    for slot in 0..SLOTS {
        let mut f = rows(true, SLOTS);
        f[slot] = fail.clone();
        let w = witnesses(&f, None);
        let err = Layout::build_batch(&m.quantized, m.model_id(), Some(&w), SLOTS).unwrap_err().to_string();
        assert!(err.contains(&format!("batch slot {slot}")) && err.contains("does not pass"), "{err}");
        let l = Layout::build_batch_cheating(&m.quantized, m.model_id(), &w, Cheat::Unchecked).unwrap();
        assert!(!run(l, instances(&w)), "failing applicant in slot {slot} accepted");
    }
}
