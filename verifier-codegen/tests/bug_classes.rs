//! Regression tests for bug classes found in 2025-2026 audits of other SNARK verifiers, run
//! against zkcredit's generated verifier in revm: an all-zero proof and proofs whose points are the
//! identity, a genuine proof for another model's key of the same shape, and non-canonical ABI
//! encodings of the `verifyProof` calldata. Each is rejected, cheaply.

use std::sync::OnceLock;

use rand::SeedableRng;
use sha3::{Digest, Keccak256};
use zkcredit_evm::solc;
use zkcredit_evm::Address;
use zkcredit_evm::{CallOutcome, Evm};
use zkcredit_prover::model::compile;
use zkcredit_prover::prove::{prove, setup, NoProgress, ProveRequest};
use zkcredit_prover::quantize::QuantConfig;
use zkcredit_prover::srs::SrsSource;
use zkcredit_verifier_codegen::{abi, generate, Options, Protocol, Provenance};

mod common;

use common::{root, Proved};

fn selector(sig: &str) -> Vec<u8> {
    Keccak256::digest(sig.as_bytes())[..4].to_vec()
}

/// The bundled model's keys, a genuine proof and its verifier's creation code, made once.
fn fixture() -> &'static (Proved, Vec<u8>) {
    static F: OnceLock<(Proved, Vec<u8>)> = OnceLock::new();
    F.get_or_init(|| {
        let p = common::prove_sample(7);
        let protocol = Protocol::from_vk(&p.params, &p.vk, p.instances.len()).unwrap();
        let source = generate(&protocol, &Options::new(Provenance::new(&p.header.model_digest, p.header.srs.describe()))).unwrap().verifier;
        let creation = solc::compile(&source, "ZkCreditVerifier", true).unwrap().creation;
        (p, creation)
    })
}

/// The verifier deployed on a fresh chain, with the genuine proof it accepts.
fn verifier() -> (&'static Proved, Evm, Address) {
    let (p, creation) = fixture();
    let mut chain = Evm::new();
    let (addr, _) = chain.deploy("verifier", creation).unwrap();
    assert!(chain.call(addr, &abi::calldata(&p.proof, &p.instances)).unwrap().returned_true(), "genuine proof rejected");
    (p, chain, addr)
}

fn refused(out: &CallOutcome, what: &str) {
    assert!(!out.returned_true(), "{what}: accepted");
    assert!(out.gas_used < 300_000, "{what}: rejection used {} gas", out.gas_used);
}

/// The byte offsets of the G1 points in a zkcredit proof: the witness and quotient commitments
/// first, then the evaluations, then SHPLONK's two points, then the inversion hint.
fn point_offsets(p: &Proved) -> Vec<usize> {
    let protocol = Protocol::from_vk(&p.params, &p.vk, p.instances.len()).unwrap();
    let leading = protocol.num_witness.iter().sum::<usize>() + protocol.num_chunk;
    let halo2 = protocol.halo2_proof_len();
    (0..leading).map(|i| 64 * i).chain([halo2 - 128, halo2 - 64]).collect()
}

#[test]
fn all_zero_and_identity_point_proofs_are_rejected() {
    let (p, mut chain, addr) = verifier();
    let zero = vec![0u8; p.proof.len()];
    refused(&chain.call(addr, &abi::calldata(&zero, &p.instances)).unwrap(), "all-zero proof");
    // (0, 0) is how the EVM precompiles encode the point at infinity.
    let offsets = point_offsets(p);
    // 2 advice, the permutation product, the vanishing argument's random polynomial, 4 quotient
    // chunks, SHPLONK's W and W'.
    assert_eq!(offsets.len(), 10, "points in the proof");
    for at in offsets {
        let mut bad = p.proof.clone();
        bad[at..at + 64].fill(0);
        refused(&chain.call(addr, &abi::calldata(&bad, &p.instances)).unwrap(), &format!("identity point at byte {at}"));
    }
    // Every point the identity at once, evaluations and hint kept.
    let mut bad = p.proof.clone();
    for at in point_offsets(p) {
        bad[at..at + 64].fill(0);
    }
    refused(&chain.call(addr, &abi::calldata(&bad, &p.instances)).unwrap(), "every point the identity");
}

#[test]
fn a_genuine_proof_for_another_model_of_the_same_shape_is_rejected() {
    let (p, mut chain, addr) = verifier();
    // The torch-shaped 57-16-8-1 MLP: the bundled model's shape (k 11, same gates and columns),
    // other weights, so another verifying key.
    let gc = root().join("examples/german-credit");
    let other = compile(
        &root().join("examples/models/torch-mlp.onnx"),
        &gc.join("dataset.csv"),
        Some(&gc.join("encoding.json")),
        None,
        &QuantConfig::default(),
        0.5,
    )
    .unwrap();
    let keys = setup(&other, &SrsSource::from_file(&root().join("examples/srs/zkcredit-demo-k12.ptau")).unwrap(), &NoProgress).unwrap();
    assert_eq!(keys.header.k, p.header.k, "the same circuit size");
    let features = other.applicant_inputs(&gc.join("samples/applicant6.json")).unwrap();
    let req = ProveRequest { features, threshold: 0.01, borrower: [0xb0; 20], nonce: 5, salt: None };
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
    let (file, _) = prove(&other, &keys.pk, &keys.params, &keys.header.srs, &req, &mut rng, &NoProgress).unwrap();
    let (proof, mut instances) = file.decode(&gc).unwrap();
    assert_eq!(proof.len(), p.proof.len(), "the same proof length");
    refused(&chain.call(addr, &abi::calldata(&proof, &instances)).unwrap(), "another model's proof");
    // Even claiming the bundled model's id.
    instances[4] = p.instances[4];
    refused(&chain.call(addr, &abi::calldata(&proof, &instances)).unwrap(), "another model's proof under this model's id");
}

#[test]
fn non_canonical_calldata_encodings_are_rejected() {
    let (p, mut chain, addr) = verifier();
    let good = abi::calldata(&p.proof, &p.instances);
    let word = |v: u64| {
        let mut w = [0u8; 32];
        w[24..].copy_from_slice(&v.to_be_bytes());
        w.to_vec()
    };
    let (proof_len_at, inst_off_at) = (4 + 64, 4 + 32);
    let inst_len_at = 4 + 96 + p.proof.len();
    let set = |cd: &mut Vec<u8>, at: usize, w: Vec<u8>| cd[at..at + 32].copy_from_slice(&w);
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    // A decoder that follows offsets accepts these; the verifier requires the canonical layout.
    let mut gap = good[..4 + 64].to_vec();
    set(&mut gap, 4, word(0x60));
    set(&mut gap, 4 + 32, word(0x60 + 32 + 32 + p.proof.len() as u64));
    gap.extend(vec![0u8; 32]);
    gap.extend(&good[4 + 64..]);
    cases.push(("proof offset 0x60 after a padding word", gap));
    let mut dirty = good.clone();
    dirty[4] = 0x80;
    cases.push(("proof offset with a dirty high byte", dirty));
    let mut dirty = good.clone();
    dirty[proof_len_at] = 1;
    cases.push(("proof length with a dirty high byte", dirty));
    let mut dirty = good.clone();
    dirty[inst_len_at] = 1;
    cases.push(("instance count with a dirty high byte", dirty));
    let mut aliased = good.clone();
    set(&mut aliased, inst_off_at, word(0x40));
    cases.push(("instances offset aliasing the proof", aliased));
    let mut wrong = good.clone();
    wrong[..4].copy_from_slice(&selector("verifyProof(bytes,uint256[],uint256)"));
    cases.push(("wrong selector", wrong));
    cases.push(("no selector", good[4..].to_vec()));
    for (what, cd) in cases {
        let out = chain.call(addr, &cd).unwrap();
        refused(&out, what);
        assert!(!out.success, "{what}: returned instead of reverting");
        let malformed = selector("MalformedCalldata()");
        assert!(out.output.is_empty() || out.output == malformed, "{what}: unexpected revert data 0x{}", hex::encode(&out.output));
    }
}
