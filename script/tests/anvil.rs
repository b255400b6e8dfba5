//! End to end on a real node: anvil 1.7.1 (npm @foundry-rs/anvil, installed by
//! scripts/setup-node-tools.sh) on 127.0.0.1 at a free port. Deploy, attest, prove, submit over
//! JSON-RPC; check the event and the stored approval; replay from another account and with the
//! same nonce; a failing applicant gets no approval; the verifier's gas estimate is a limit at
//! which a genuine proof passes. Anvil is stopped by its PID.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use alloy::network::TransactionBuilder;
use alloy::primitives::{Bytes, U256};
use alloy::rpc::types::TransactionRequest;
use alloy::signers::local::PrivateKeySigner;
use common::{root, Bundle, THRESHOLD, VERSION};
use zkcredit_script::attest::AttestationFile;
use zkcredit_script::rpc::{block_on, Rpc};
use zkcredit_script::signer::demo_signer;
use zkcredit_script::submission::Submission;
use zkcredit_script::Error;

/// anvil's first development account (mnemonic "test test ... junk"), a public test key: the
/// lender. The other actors are fresh demo keys it funds.
fn lender() -> PrivateKeySigner {
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80".parse().unwrap()
}

/// A running anvil, killed by PID when dropped (also when the test panics).
struct Anvil {
    child: Child,
    url: String,
}

impl Anvil {
    fn start(chain_id: u64) -> Self {
        let bin = std::env::var_os("ZKCREDIT_ANVIL")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join("tools/foundry/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"));
        assert!(bin.exists(), "anvil not found at {}: run scripts/setup-node-tools.sh (or set ZKCREDIT_ANVIL)", bin.display());
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(&bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--chain-id", &chain_id.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
        let anvil = Anvil { child, url: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(30);
        while block_on(Rpc::connect(&anvil.url, lender())).unwrap().is_err() {
            assert!(Instant::now() < deadline, "anvil did not answer on {} within 30 s", anvil.url);
            std::thread::sleep(Duration::from_millis(100));
        }
        anvil
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let pid = self.child.id();
        let _ = Command::new("kill").arg(pid.to_string()).status();
        let _ = self.child.wait();
    }
}

fn reverted_with<T: std::fmt::Debug>(result: Result<T, Error>, error: &str) {
    match result {
        Err(Error::Reverted { reason, .. }) => assert!(reason.starts_with(error), "expected {error}, got {reason}"),
        other => panic!("expected a revert with {error}, got {other:?}"),
    }
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

#[test]
fn deploy_attest_prove_submit_on_anvil() {
    let anvil = Anvil::start(31337);
    let b = Bundle::new();
    let attester = demo_signer("attester");
    let (borrower, thief, failing) = (demo_signer("borrower"), demo_signer("thief"), demo_signer("failing applicant"));
    let (borrower_addr, thief_addr, failing_addr) = (borrower.address(), thief.address(), failing.address());

    block_on(async {
        let owner = Rpc::connect(&anvil.url, lender()).await.unwrap();
        for who in [borrower_addr, thief_addr, failing_addr] {
            let fund = TransactionRequest::default().with_to(who).with_value(U256::from(10u64).pow(U256::from(19u64)));
            owner.send("funding", fund).await.unwrap();
        }
        // The lender deploys the verifier and the gate and registers the policy.
        let d = owner.deploy(&b.plan(vec![attester.address()])).await.unwrap();
        assert_eq!(d.chain_id, 31337);
        assert!(d.verifier.runtime_bytes > 6000 && d.gate.runtime_bytes > 4000, "{d:?}");
        let gate = d.gate.address;

        // The verifier on its own (issue 15): the node's gas estimate for a genuine proof is a
        // limit at which it returns true, by eth_call and in a mined transaction; one gas less
        // reverts instead of answering false.
        let (_, salt) = b.commit(&b.applicant(6), 5);
        let proof = b.prove(b.applicant(6), THRESHOLD, borrower_addr, 1, salt).unwrap();
        let verify_call = hex::decode(proof.calldata.trim_start_matches("0x")).unwrap();
        let verify = TransactionRequest::default().with_to(d.verifier.address).with_input(Bytes::from(verify_call));
        let estimate = owner.estimate_gas(verify.clone()).await.unwrap();
        let mut word_true = [0u8; 32];
        word_true[31] = 1;
        assert_eq!(
            owner.call(verify.clone().with_gas_limit(estimate)).await.unwrap().as_ref(),
            word_true,
            "eth_call at the estimate {estimate}"
        );
        let short = owner.call(verify.clone().with_gas_limit(estimate - 1)).await;
        assert!(short.is_err(), "one gas below the estimate {estimate} returned {short:?} instead of reverting");
        let mined = owner.send_unchecked("verifyProof", verify.with_gas_limit(estimate)).await.unwrap();
        assert!(mined.receipt.status());
        assert_eq!(
            owner.traced_output(mined.receipt.transaction_hash).await.unwrap().as_ref(),
            word_true,
            "mined at the estimate {estimate}"
        );

        // The provider attests, the borrower proves and submits.
        let sub = b.submission(&attester, (d.chain_id, gate), borrower_addr, 6, 1, now() + 86_400);
        let rpc = Rpc::connect(&anvil.url, borrower).await.unwrap();
        let (approved, mined) = rpc.submit(gate, &sub).await.unwrap();
        assert!(mined.receipt.status());
        let e = &approved.event;
        assert_eq!((e.borrower, e.modelVersion, e.nonce, e.attester), (borrower_addr, VERSION, 1, attester.address()));
        assert_eq!(e.featureCommitment, sub.feature_commitment());
        let stored = rpc.approval_of(gate, borrower_addr).await.unwrap();
        assert_eq!((stored.nonce, stored.modelVersion), (1, VERSION));
        assert!(stored.approvedAt > 0);

        // The same transaction data from another account: simulated, and also mined.
        let thief_rpc = Rpc::connect(&anvil.url, thief).await.unwrap();
        reverted_with(thief_rpc.submit(gate, &sub).await, "BorrowerMismatch");
        let raw = TransactionRequest::default().with_to(gate).with_input(Bytes::from(sub.calldata())).with_gas_limit(1_000_000);
        reverted_with(thief_rpc.send_unchecked("submit", raw).await, "mined with status 0");
        assert_eq!(rpc.approval_of(gate, thief_addr).await.unwrap().approvedAt, 0);

        // The same nonce again, from the borrower.
        reverted_with(rpc.submit(gate, &sub).await, "NonceAlreadyUsed");

        // A failing applicant: no proof at the lender's threshold; a proof at a laxer threshold is refused.
        let features = b.applicant(2);
        let (commitment, salt) = b.commit(&features, 11);
        assert!(matches!(b.prove(features.clone(), THRESHOLD, failing_addr, 1, salt), Err(zkcredit_prover::Error::BelowThreshold { .. })));
        let lax = b.prove(features, 0.05, failing_addr, 1, salt).unwrap();
        let att = AttestationFile::sign(&attester, d.chain_id, gate, failing_addr, commitment, now() + 86_400).unwrap();
        let lax_sub = Submission::new(VERSION, &lax, Path::new("lax.json"), &att).unwrap();
        let failing_rpc = Rpc::connect(&anvil.url, failing).await.unwrap();
        reverted_with(failing_rpc.submit(gate, &lax_sub).await, "ThresholdMismatch");
        assert_eq!(rpc.approval_of(gate, failing_addr).await.unwrap().approvedAt, 0);
    })
    .unwrap();

    // Stop anvil by its PID and check it is gone.
    let pid = anvil.child.id();
    drop(anvil);
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists()
            || std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default().contains("zombie")
    );
}

/// Keys from the demo SRS are refused on a chain that is not a local test chain (here anvil under
/// Sepolia's id) before anything is sent, and deploy when the user explicitly allows it.
#[test]
fn demo_keys_are_refused_on_other_chains_unless_allowed() {
    let anvil = Anvil::start(11_155_111);
    let b = Bundle::new();
    let mut plan = b.plan(vec![demo_signer("attester").address()]);
    assert!(plan.srs.demo, "the bundled keys are marked demo");
    block_on(async {
        let owner = Rpc::connect(&anvil.url, lender()).await.unwrap();
        match owner.deploy(&plan).await {
            Err(Error::UnsafeSrs { chain_id, reason }) => assert!(chain_id == 11_155_111 && reason.contains("demo"), "{reason}"),
            other => panic!("expected UnsafeSrs, got {other:?}"),
        }
        plan.allow_demo_srs = true;
        let d = owner.deploy(&plan).await.unwrap();
        // Nothing was sent before: the verifier is the lender's first contract.
        assert_eq!(d.verifier.address, lender().address().create(0));
    })
    .unwrap();
}
