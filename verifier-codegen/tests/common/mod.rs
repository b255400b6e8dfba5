//! Shared by the verifier tests: keys for the bundled German Credit MLP (demo SRS) and one proof.

// Each test file uses its own subset of these helpers.
#![allow(dead_code)]

use std::path::PathBuf;

use halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_proofs::plonk::VerifyingKey;
use halo2_proofs::poly::kzg::commitment::ParamsKZG;
use rand::SeedableRng;
use zkcredit_prover::artifact::ArtifactHeader;
use zkcredit_prover::model::compile;
use zkcredit_prover::prove::{prove, setup, NoProgress, ProofFile, ProveRequest};
use zkcredit_prover::quantize::QuantConfig;
use zkcredit_prover::srs::SrsSource;

/// Keys and a proof for sample applicant 6 (borrower 0xb0..b0, nonce 5, threshold 0.5).
pub struct Proved {
    pub params: ParamsKZG<Bn256>,
    pub vk: VerifyingKey<G1Affine>,
    pub header: ArtifactHeader,
    pub file: ProofFile,
    /// The zkcredit proof: the halo2 proof and the inversion hint.
    pub proof: Vec<u8>,
    /// The halo2 proof alone (what snark-verifier reads).
    pub halo2_proof: Vec<u8>,
    pub instances: Vec<Fr>,
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Set up the bundled model and prove sample applicant 6 with a seeded RNG.
pub fn prove_sample(seed: u64) -> Proved {
    let ex = root().join("examples");
    let gc = ex.join("german-credit");
    let model = compile(&gc.join("mlp.onnx"), &gc.join("dataset.csv"), Some(&gc.join("encoding.json")), None, &QuantConfig::default(), 0.5)
        .unwrap();
    let keys = setup(&model, &SrsSource::from_file(&ex.join("srs/zkcredit-demo-k12.ptau")).unwrap(), &NoProgress).unwrap();
    let features = model.applicant_inputs(&gc.join("samples/applicant6.json")).unwrap();
    let req = ProveRequest { features, threshold: 0.5, borrower: [0xb0; 20], nonce: 5, salt: None };
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let (file, _) = prove(&model, &keys.pk, &keys.params, &keys.header.srs, &req, &mut rng, &NoProgress).unwrap();
    let (proof, instances) = file.decode(&gc).unwrap();
    let halo2_proof = zkcredit_prover::hint::split(&proof).unwrap().0.to_vec();
    Proved { vk: keys.pk.get_vk().clone(), params: keys.params, header: keys.header, file, proof, halo2_proof, instances }
}

/// `word += r` on a 32-byte big-endian word (r = the BN254 scalar field modulus).
pub fn add_modulus(word: &mut [u8]) {
    let r = hex::decode("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001").unwrap();
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let s = u16::from(word[i]) + u16::from(r[i]) + carry;
        word[i] = s as u8;
        carry = s >> 8;
    }
}
