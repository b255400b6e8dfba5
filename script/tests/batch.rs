//! The gate's batch path on revm with real batch proofs (the bundled MLP, 4 slots, the demo batch
//! SRS): one transaction approves every borrower of the batch once, with the same record and
//! event as `submit`; a replayed batch, one reused nonce, an attestation over other slots, an
//! expired one or one by an untrusted signer, and a wrong threshold each revert with their error
//! and approve nobody. Batch gas per borrower is printed and snapshot-tested.

mod common;

use alloy::primitives::{Address, U256};
use common::{root, Bundle, THRESHOLD};
use rand::SeedableRng;
use zkcredit_evm::GENESIS_TIMESTAMP;
use zkcredit_prover::batch::{prove_batch, setup_batch, BatchApplicant, BatchProofFile};
use zkcredit_prover::prove::{NoProgress, ProveRequest, SetupOutput};
use zkcredit_prover::srs::SrsSource;
use zkcredit_script::batch::{slot_words, BatchAttestationFile, BatchSubmission};
use zkcredit_script::local::{LocalGate, LOCAL_CHAIN_ID};
use zkcredit_script::signer::demo_signer;
use zkcredit_script::Error;
use zkcredit_verifier_codegen::{compile_verifier, Options, Provenance};

const SLOTS: usize = 4;
const DAY: u64 = 86_400;

fn reverted_with<T: std::fmt::Debug>(result: Result<T, Error>, error: &str) {
    match result {
        Err(Error::Reverted { reason, .. }) => assert!(reason.starts_with(error), "expected {error}, got {reason}"),
        other => panic!("expected a revert with {error}, got {other:?}"),
    }
}

struct Fixture {
    bundle: Bundle,
    keys: SetupOutput,
}

impl Fixture {
    fn new() -> Self {
        let bundle = Bundle::new();
        let srs = SrsSource::from_file(&root().join("examples/srs/zkcredit-demo-k14.ptau")).unwrap();
        let keys = setup_batch(&bundle.model, SLOTS, &srs, &NoProgress).unwrap();
        Fixture { bundle, keys }
    }

    /// A gate with the single and the batch verifier registered.
    fn gate(&self) -> LocalGate {
        let mut g = LocalGate::deploy(demo_signer("lender").address(), &self.bundle.plan(vec![demo_signer("attester").address()])).unwrap();
        let options = Options::new(Provenance::new(&self.keys.header.model_digest, self.keys.header.srs.describe()));
        let n = zkcredit_prover::public::BatchPublicInputs::count(SLOTS);
        let (_, compiled) = compile_verifier(&self.keys.params, self.keys.pk.get_vk(), &options, n).unwrap();
        g.add_batch_verifier(demo_signer("lender").address(), &compiled.creation, SLOTS as u16).unwrap();
        g
    }

    /// A batch proof of the passing sample applicants (3, 4, 5), borrowers `who`, nonce `nonce`.
    fn prove(&self, who: &[Address], nonces: &[u64]) -> BatchProofFile {
        let applicants: Vec<BatchApplicant> = who
            .iter()
            .zip(nonces)
            .enumerate()
            .map(|(i, (b, n))| BatchApplicant {
                line: i + 1,
                request: ProveRequest {
                    features: self.bundle.applicant(3 + i),
                    threshold: THRESHOLD,
                    borrower: b.into_array(),
                    nonce: *n,
                    salt: None,
                },
            })
            .collect();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(nonces[0]);
        let out = prove_batch(
            &self.bundle.model,
            &self.keys.pk,
            &self.keys.params,
            &self.keys.header.srs,
            SLOTS,
            &applicants,
            &mut rng,
            &NoProgress,
        )
        .unwrap();
        assert!(out.rejected.is_empty(), "{:?}", out.rejected.iter().map(|(l, e)| format!("{l}: {e}")).collect::<Vec<_>>());
        out.file.unwrap()
    }

    fn submission(&self, g: &LocalGate, file: &BatchProofFile, signer: &str, expiry: u64) -> BatchSubmission {
        let (_, fields) = file.decode(&root()).unwrap();
        let words: Vec<U256> = fields.iter().map(zkcredit_script::policy::fr_to_u256).collect();
        let att = BatchAttestationFile::sign(
            &demo_signer(signer),
            LOCAL_CHAIN_ID,
            g.deployment.gate.address,
            slot_words(&words).to_vec(),
            expiry,
        )
        .unwrap();
        BatchSubmission::new(1, file, &root(), &att).unwrap()
    }
}

#[test]
fn a_batch_approves_each_borrower_once_or_nobody() {
    let f = Fixture::new();
    let mut g = f.gate();
    let who = [demo_signer("b1").address(), demo_signer("b2").address(), demo_signer("b3").address()];
    let relayer = demo_signer("relayer").address();
    let expiry = GENESIS_TIMESTAMP + DAY;
    let first = f.prove(&who, &[1, 1, 1]);
    let sub = f.submission(&g, &first, "attester", expiry);
    assert_eq!(sub.borrowers(), who.iter().map(|b| (*b, 1)).collect::<Vec<_>>());

    // Refusals first: each reverts and approves nobody.
    reverted_with(g.submit_batch(relayer, &f.submission(&g, &first, "stranger", expiry)), "UntrustedAttester");
    let mut other = f.submission(&g, &first, "attester", expiry);
    other.expiry += 1; // signed for another expiry: another signer recovers
    reverted_with(g.submit_batch(relayer, &other), "UntrustedAttester");
    let mut other_slots = sub.clone();
    other_slots.instances[3] ^= U256::from(1u64) << 64; // one slot's borrower changed: the proof fails first
    reverted_with(g.submit_batch(relayer, &other_slots), "ProofRejected");
    g.evm.set_timestamp(expiry + 1);
    reverted_with(g.submit_batch(relayer, &sub), "AttestationExpired");
    g.evm.set_timestamp(GENESIS_TIMESTAMP);
    for b in who {
        assert_eq!(g.approval_of(b).unwrap().nonce, 0, "approved by a refused batch");
    }

    let (gas, events) = g.submit_batch(relayer, &sub).unwrap();
    assert_eq!(events.iter().map(|e| (e.borrower, e.nonce)).collect::<Vec<_>>(), who.iter().map(|b| (*b, 1)).collect::<Vec<_>>());
    for (b, e) in who.iter().zip(&events) {
        assert_eq!(e.featureCommitment, sub.instances[2 + 2 * who.iter().position(|x| x == b).unwrap()]);
        assert_eq!(g.approval_of(*b).unwrap().nonce, 1);
    }
    println!("batch of {SLOTS} slots, {} borrowers: {gas} gas, {} per borrower", who.len(), gas / who.len() as u64);

    // Replay: NonceAlreadyUsed.
    reverted_with(g.submit_batch(relayer, &sub), "NonceAlreadyUsed");
    // A new batch where one borrower reuses nonce 1: nobody advances to nonce 2.
    let second = f.prove(&who, &[2, 1, 2]);
    reverted_with(g.submit_batch(relayer, &f.submission(&g, &second, "attester", expiry)), "NonceAlreadyUsed");
    for b in who {
        assert_eq!(g.approval_of(b).unwrap().nonce, 1);
    }
    let third = f.prove(&who, &[2, 2, 2]);
    g.submit_batch(relayer, &f.submission(&g, &third, "attester", expiry)).unwrap();
    assert_eq!(g.approval_of(who[1]).unwrap().nonce, 2);

    // A gate whose policy has another threshold: ThresholdMismatch, nobody approved.
    let mut plan = f.bundle.plan(vec![demo_signer("attester").address()]);
    plan.threshold += U256::from(1u64);
    let mut strict = LocalGate::deploy(demo_signer("lender").address(), &plan).unwrap();
    let options = Options::new(Provenance::new(&f.keys.header.model_digest, f.keys.header.srs.describe()));
    let n = zkcredit_prover::public::BatchPublicInputs::count(SLOTS);
    let (_, compiled) = compile_verifier(&f.keys.params, f.keys.pk.get_vk(), &options, n).unwrap();
    strict.add_batch_verifier(demo_signer("lender").address(), &compiled.creation, SLOTS as u16).unwrap();
    reverted_with(strict.submit_batch(relayer, &f.submission(&strict, &first, "attester", expiry)), "ThresholdMismatch");
    assert_eq!(strict.approval_of(who[0]).unwrap().nonce, 0);
}
