//! The credit gate on the embedded EVM (revm, Osaka): the whole flow with real proofs, each
//! refusal with its decoded error, the gas target (submit <= verify + 40k) and a gas snapshot,
//! and the proof fixture the Foundry tests read.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use alloy::primitives::{Address, U256};
use common::{root, updating, Bundle, THRESHOLD, VERSION};
use zkcredit_evm::GENESIS_TIMESTAMP;
use zkcredit_script::attest::AttestationFile;
use zkcredit_script::local::{LocalGate, LOCAL_CHAIN_ID};
use zkcredit_script::signer::demo_signer;
use zkcredit_script::submission::{compact_signature, Submission};
use zkcredit_script::Error;

const DAY: u64 = 86_400;

fn bundle() -> &'static Bundle {
    static B: OnceLock<Bundle> = OnceLock::new();
    B.get_or_init(Bundle::new)
}

fn gate() -> LocalGate {
    LocalGate::deploy(demo_signer("lender").address(), &bundle().plan(vec![demo_signer("attester").address()])).unwrap()
}

fn reverted_with(result: Result<impl std::fmt::Debug, Error>, error: &str) {
    match result {
        Err(Error::Reverted { reason, .. }) => assert!(reason.starts_with(error), "expected {error}, got {reason}"),
        other => panic!("expected a revert with {error}, got {other:?}"),
    }
}

#[test]
fn approves_once_refuses_replays_and_meets_the_gas_target() {
    let b = bundle();
    let mut g = gate();
    let borrower = demo_signer("borrower").address();
    let sub = b.submission(&demo_signer("attester"), (LOCAL_CHAIN_ID, g.deployment.gate.address), borrower, 6, 1, GENESIS_TIMESTAMP + DAY);

    // The gate computes the same EIP-712 digest the attester signed.
    let att = AttestationFile::sign(
        &demo_signer("attester"),
        LOCAL_CHAIN_ID,
        g.deployment.gate.address,
        borrower,
        sub.feature_commitment(),
        sub.expiry,
    )
    .unwrap();
    assert_eq!(g.attestation_digest(sub.feature_commitment(), borrower, sub.expiry).unwrap().as_ref(), att.digest().as_slice());

    // Another account replaying the borrower's transaction data: BorrowerMismatch.
    reverted_with(g.submit(demo_signer("thief").address(), &sub), "BorrowerMismatch");

    let verify_gas = g.verify_gas(&sub).unwrap();
    let approved = g.submit(borrower, &sub).unwrap();
    assert_eq!(approved.event.borrower, borrower);
    assert_eq!(approved.event.modelVersion, VERSION);
    assert_eq!(approved.event.featureCommitment, sub.feature_commitment());
    assert_eq!(approved.event.nonce, 1);
    assert_eq!(approved.event.attester, demo_signer("attester").address());
    let stored = g.approval_of(borrower).unwrap();
    assert_eq!(
        (stored.nonce, stored.modelVersion, stored.approvedAt, stored.attestationExpiry),
        (1, VERSION, GENESIS_TIMESTAMP, sub.expiry)
    );

    // The same submission again (same nonce): NonceAlreadyUsed.
    reverted_with(g.submit(borrower, &sub), "NonceAlreadyUsed");

    // Target: submit costs at most the verifier call + 40k.
    let overhead = approved.gas_used - verify_gas;
    assert!(overhead <= 40_000, "submit {} gas = verify {verify_gas} + {overhead} (> 40k)", approved.gas_used);
    snapshot_gas(&g, approved.gas_used, verify_gas);
}

/// Gas snapshot: deploy figures exact, transaction figures within 1 % (calldata gas varies with
/// the number of zero bytes of each randomized proof). Update with ZKCREDIT_UPDATE_SNAPSHOTS=1.
fn snapshot_gas(g: &LocalGate, submit_gas: u64, verify_gas: u64) {
    let d = &g.deployment;
    let now = serde_json::json!({
        "fork": "osaka",
        "submit_gas_tx": submit_gas,
        "verify_gas_tx": verify_gas,
        "submit_overhead_gas": submit_gas - verify_gas,
        "gate_deploy_gas": d.gate.gas_used,
        "gate_runtime_bytes": d.gate.runtime_bytes,
        "verifier_deploy_gas": d.verifier.gas_used,
        "verifier_runtime_bytes": d.verifier.runtime_bytes,
        "configure_gas": d.configure_gas,
    });
    let tolerant = [("/submit_gas_tx", 0.01), ("/verify_gas_tx", 0.01), ("/submit_overhead_gas", 0.01)];
    zkcredit_testkit::snapshot::json("script/tests/snapshots/gate_gas.json", &now, &tolerant);
}

#[test]
fn refuses_bad_attestations_policies_and_nonces() {
    let b = bundle();
    let mut g = gate();
    let gate_addr = g.deployment.gate.address;
    let borrower = demo_signer("borrower").address();
    let attester = demo_signer("attester");
    let sub = b.submission(&attester, (LOCAL_CHAIN_ID, gate_addr), borrower, 6, 7, GENESIS_TIMESTAMP + DAY);

    // Expired attestation.
    g.evm.set_timestamp(GENESIS_TIMESTAMP + DAY + 1);
    reverted_with(g.submit(borrower, &sub), "AttestationExpired");
    g.evm.set_timestamp(GENESIS_TIMESTAMP);

    // Signed by someone the gate does not trust.
    let stranger =
        AttestationFile::sign(&demo_signer("stranger"), LOCAL_CHAIN_ID, gate_addr, borrower, sub.feature_commitment(), sub.expiry).unwrap();
    let mut untrusted = sub.clone();
    (untrusted.sig_r, untrusted.sig_vs) = compact_signature(&stranger.signature).unwrap();
    reverted_with(g.submit(borrower, &untrusted), "UntrustedAttester");

    // Signed for another gate (EIP-712 domain): recovers to a stranger.
    let other_gate =
        AttestationFile::sign(&attester, LOCAL_CHAIN_ID, Address::with_last_byte(1), borrower, sub.feature_commitment(), sub.expiry)
            .unwrap();
    let mut wrong_domain = sub.clone();
    (wrong_domain.sig_r, wrong_domain.sig_vs) = compact_signature(&other_gate.signature).unwrap();
    reverted_with(g.submit(borrower, &wrong_domain), "UntrustedAttester");

    // An attestation for other features does not pair with the proof (refused before sending).
    let file = b.prove(b.applicant(6), THRESHOLD, borrower, 8, b.commit(&b.applicant(6), 99).1).unwrap();
    let att = AttestationFile::sign(&attester, LOCAL_CHAIN_ID, gate_addr, borrower, sub.feature_commitment(), sub.expiry).unwrap();
    assert!(matches!(Submission::new(VERSION, &file, Path::new("p.json"), &att), Err(Error::AttestationMismatch { .. })));

    // Unknown model version; a tampered proof point (off the curve: the verifier's own error
    // passes through the gate); a wrong inversion hint (the verifier answers false); an aliased
    // public input.
    let mut unknown = sub.clone();
    unknown.model_version = 9;
    reverted_with(g.submit(borrower, &unknown), "UnknownModelVersion");
    let tamper = |at: usize| {
        let mut tampered = sub.clone();
        let mut bytes = tampered.proof.to_vec();
        let at = at.min(bytes.len() - 1);
        bytes[at] ^= 4;
        tampered.proof = bytes.into();
        tampered
    };
    reverted_with(g.submit(borrower, &tamper(40)), "MalformedProof");
    reverted_with(g.submit(borrower, &tamper(usize::MAX)), "ProofRejected");
    let mut aliased = sub.clone();
    aliased.instances[3] += U256::from_str_radix("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001", 16).unwrap();
    reverted_with(g.submit(borrower, &aliased), "PublicInputNotInField: public input 3");

    // Nothing above was approved; the genuine submission still is.
    assert_eq!(g.approval_of(borrower).unwrap().approvedAt, 0);
    g.submit(borrower, &sub).unwrap();
}

#[test]
fn a_failing_applicant_gets_no_approval() {
    let b = bundle();
    let mut g = gate();
    let applicant = demo_signer("failing applicant").address();
    let attester = demo_signer("attester");
    // Sample applicant 2 scores below 0.5: no proof exists for the lender's threshold.
    let features = b.applicant(2);
    let (commitment, salt) = b.commit(&features, 3);
    let e = b.prove(features.clone(), THRESHOLD, applicant, 1, salt).unwrap_err();
    assert!(matches!(e, zkcredit_prover::Error::BelowThreshold { .. }), "{e}");
    // A proof against a laxer threshold exists, and the gate refuses it: ThresholdMismatch.
    let lax = b.prove(features, 0.05, applicant, 1, salt).unwrap();
    let att = AttestationFile::sign(&attester, LOCAL_CHAIN_ID, g.deployment.gate.address, applicant, commitment, GENESIS_TIMESTAMP + DAY)
        .unwrap();
    let sub = Submission::new(VERSION, &lax, Path::new("lax.json"), &att).unwrap();
    reverted_with(g.submit(applicant, &sub), "ThresholdMismatch");
    assert_eq!(g.approval_of(applicant).unwrap().approvedAt, 0);
}

/// contracts/test/fixtures/german-credit.json: two proofs (nonces 1 and 2) for one borrower,
/// read by the Foundry tests. Fails when they no longer verify with the committed verifier
/// (the circuit or SRS changed); regenerate with ZKCREDIT_UPDATE_SNAPSHOTS=1.
#[test]
fn forge_fixture_verifies_with_the_committed_verifier() {
    let path = root().join("contracts/test/fixtures/german-credit.json");
    let source = std::fs::read_to_string(root().join("contracts/ZkCreditVerifier.sol")).unwrap();
    let compiled = zkcredit_evm::compile(&source, "ZkCreditVerifier", true).unwrap();
    let mut evm = zkcredit_evm::Evm::new();
    let (verifier, _) = evm.deploy("ZkCreditVerifier", &compiled.creation).unwrap();
    let borrower = demo_signer("borrower").address();
    if updating() {
        let b = bundle();
        let proofs: Vec<_> = (1..=2u64)
            .map(|nonce| {
                let f = b.prove(b.applicant(6), THRESHOLD, borrower, nonce, b.commit(&b.applicant(6), nonce).1).unwrap();
                serde_json::json!({ "proof": f.proof, "instances": f.instances, "calldata": f.calldata })
            })
            .collect();
        let doc = serde_json::json!({
            "note": "Generated by script/tests/gate.rs (ZKCREDIT_UPDATE_SNAPSHOTS=1); read by contracts/test/CreditGate.t.sol.",
            "model": "examples/german-credit/mlp.onnx", "applicant": "samples/applicant6.json", "threshold": THRESHOLD,
            "borrower": borrower, "proofs": proofs,
        });
        std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
    }
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} is missing ({e}): regenerate it with ZKCREDIT_UPDATE_SNAPSHOTS=1", path.display()));
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["borrower"].as_str().unwrap().to_lowercase(), borrower.to_string().to_lowercase());
    for p in doc["proofs"].as_array().unwrap() {
        let calldata = hex::decode(p["calldata"].as_str().unwrap().trim_start_matches("0x")).unwrap();
        let out = evm.call(verifier, &calldata).unwrap();
        assert!(
            out.returned_true(),
            "{} no longer verifies with contracts/ZkCreditVerifier.sol; regenerate: ZKCREDIT_UPDATE_SNAPSHOTS=1 cargo test --release -p zkcredit-script --test gate",
            path.display()
        );
    }
}

/// A gate deployed with a tree ensemble's verifier (the German Credit LightGBM) approves a
/// borrower the trees pass: same gate, same ABI, same public inputs as the MLP.
#[test]
fn a_tree_ensemble_gate_approves_a_passing_borrower() {
    let b = Bundle::of("trees/lightgbm.onnx");
    assert!(b.model.quantized.trees().is_some());
    let mut g = LocalGate::deploy(demo_signer("lender").address(), &b.plan(vec![demo_signer("attester").address()])).unwrap();
    let borrower = demo_signer("borrower").address();
    let q = &b.model.quantized;
    let applicant = (1..=6)
        .find(|n| q.score(q.forward(&q.quantize_features(&b.applicant(*n)).unwrap()).unwrap().logit) >= THRESHOLD)
        .expect("a sample applicant the trees approve");
    let sub = b.submission(
        &demo_signer("attester"),
        (LOCAL_CHAIN_ID, g.deployment.gate.address),
        borrower,
        applicant,
        1,
        GENESIS_TIMESTAMP + DAY,
    );
    let approved = g.submit(borrower, &sub).unwrap();
    assert_eq!((approved.event.borrower, approved.event.nonce), (borrower, 1));
    assert_eq!(g.approval_of(borrower).unwrap().nonce, 1);
    reverted_with(g.submit(borrower, &sub), "NonceAlreadyUsed");
    println!("tree gate: applicant {applicant}, submit {} gas", approved.gas_used);
}
