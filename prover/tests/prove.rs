//! Real setup -> prove -> verify on the German Credit MLP (insecure dev SRS), and rejection of
//! tampered proofs and changed public inputs by native verification.

mod common;

use halo2_proofs::halo2curves::bn256::Fr;
use rand::SeedableRng;
use zkcredit_prover::prove::{prove, setup, verify, NoProgress, ProveRequest};
use zkcredit_prover::srs::SrsSource;

#[test]
fn setup_prove_verify_and_reject_tampering() {
    let m = common::mlp();
    let out = setup(m, &SrsSource::InsecureDev(7), &NoProgress).unwrap();
    assert!(out.header.srs.insecure);
    let ds = zkcredit_prover::dataset::load(&common::example("dataset.csv"), m.quantized.inputs()).unwrap();
    let row = ds.rows[0].clone();
    let req = ProveRequest { features: row, threshold: 0.3, borrower: [0xab; 20], nonce: 9, salt: None };
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let t = std::time::Instant::now();
    let (file, _score) = prove(m, &out.pk, &out.params, &out.header.srs, &req, &mut rng, &NoProgress).unwrap();
    eprintln!("prove {:?}", t.elapsed());
    let (proof, inst) = file.decode(std::path::Path::new("proof.json")).unwrap();
    eprintln!("proof bytes {}", proof.len());
    let vk = out.pk.get_vk();
    verify(&out.params, vk, &proof, &inst).unwrap();

    // Every public input changed: rejected.
    for i in 0..inst.len() {
        let mut bad = inst.clone();
        bad[i] += Fr::one();
        assert!(verify(&out.params, vk, &proof, &bad).is_err(), "instance {i} changed but accepted");
    }
    // Flipped proof bytes across the whole proof: rejected.
    for pos in (0..proof.len()).step_by(37) {
        let mut bad = proof.clone();
        bad[pos] ^= 0x01;
        assert!(verify(&out.params, vk, &bad, &inst).is_err(), "flipped byte {pos} accepted");
    }
    // Truncated and over-long proofs: rejected.
    assert!(verify(&out.params, vk, &proof[..proof.len() - 1], &inst).is_err());
    let mut long = proof.clone();
    long.extend_from_slice(&[0u8; 32]);
    assert!(verify(&out.params, vk, &long, &inst).is_err());
}
