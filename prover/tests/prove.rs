//! Real setup -> prove -> verify on the German Credit MLP (insecure dev SRS), and rejection of
//! tampered proofs and changed public inputs by native verification.

mod common;

use halo2_proofs::halo2curves::bn256::Fr;
use rand::SeedableRng;
use zkcredit_prover::prove::{circuit_size, prove, setup, shape, verify, NoProgress, ProveRequest};
use zkcredit_prover::srs::SrsSource;

#[test]
fn setup_prove_verify_and_reject_tampering() {
    let m = common::mlp();
    let out = setup(m, &SrsSource::InsecureDev(7), &NoProgress).unwrap();
    assert!(out.header.srs.insecure);
    let ds = zkcredit_prover::dataset::load(&common::example("dataset.csv"), &m.quantized.input_names()).unwrap();
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
    snapshot(m, vk, proof.len());

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
    // A wrong inversion hint (the proof's last word) is rejected even though the halo2 proof is intact.
    let mut bad = proof.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let err = verify(&out.params, vk, &bad, &inst).unwrap_err().to_string();
    assert!(err.contains("inversion hint"), "{err}");
    // Truncated and over-long proofs: rejected.
    assert!(verify(&out.params, vk, &proof[..proof.len() - 1], &inst).is_err());
    let mut long = proof.clone();
    long.extend_from_slice(&[0u8; 32]);
    assert!(verify(&out.params, vk, &long, &inst).is_err());
}

/// Circuit shape and proof size are part of the product: a change fails here until the snapshot
/// is updated on purpose (see `zkcredit_testkit::snapshot`).
fn snapshot(
    m: &zkcredit_prover::model::CompiledModel,
    vk: &halo2_proofs::plonk::VerifyingKey<halo2_proofs::halo2curves::bn256::G1Affine>,
    proof_bytes: usize,
) {
    let (rows, k) = circuit_size(m).unwrap();
    let (advice, fixed, lookups) = shape(vk);
    let now = serde_json::json!({
        "model": "german-credit/mlp.onnx",
        "k": k,
        "rows": rows,
        "advice_columns": advice,
        "fixed_columns": fixed,
        "lookups": lookups,
        "proof_bytes": proof_bytes,
    });
    zkcredit_testkit::snapshot::json("prover/tests/snapshots/circuit_shape.json", &now, &[]);
}
