//! `zkcredit submit`.

use std::path::PathBuf;

use eyre::Result;
use zkcredit_prover::prove::ProofFile;
use zkcredit_script::attest::AttestationFile;
use zkcredit_script::deployment::Deployment;
use zkcredit_script::rpc::{block_on, Rpc};
use zkcredit_script::submission::Submission;

use super::onchain::ChainArgs;

/// As a borrower, submit a proof and its attestation to the lender's CreditGate. Simulates first:
/// a revert is reported with the gate's decoded custom error and nothing is sent. Prints the gas
/// used and the decoded `Approved` event; exits non-zero on any failure.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The chain, and the signing account (the borrower: the proof's borrower must be its address).
    #[command(flatten)]
    pub chain: ChainArgs,
    /// deployment.json from `zkcredit deploy` (gate address, model version).
    #[arg(long, default_value = "deployment.json")]
    pub deployment: PathBuf,
    /// The proof (from `zkcredit prove`).
    #[arg(long, default_value = "proof.json")]
    pub proof: PathBuf,
    /// The attestation (from `zkcredit attest`).
    #[arg(long, default_value = "attestation.json")]
    pub attestation: PathBuf,
}

/// Run.
pub fn run(a: Args) -> Result<()> {
    let deployment = Deployment::load(&a.deployment)?;
    let attestation = AttestationFile::load(&a.attestation)?;
    let proof = ProofFile::load(&a.proof)?;
    let submission = Submission::for_deployment(&deployment, &proof, &a.proof, &attestation, &a.attestation)?;
    let signer = a.chain.key.load("ZKCREDIT_PRIVATE_KEY")?;
    submission.check_sender(signer.address())?;
    let (approved, mined) = block_on(async {
        let rpc = Rpc::connect(&a.chain.rpc_url, signer).await?;
        deployment.check_chain(rpc.chain_id())?;
        rpc.submit(deployment.gate.address, &submission).await
    })??;
    let e = &approved.event;
    println!(
        "approved in tx {} (block {}): {} gas",
        mined.receipt.transaction_hash,
        mined.receipt.block_number.unwrap_or_default(),
        approved.gas_used
    );
    println!(
        "  Approved(borrower {}, modelVersion {}, featureCommitment {:#x}, nonce {}, attester {})",
        e.borrower, e.modelVersion, e.featureCommitment, e.nonce, e.attester
    );
    Ok(())
}
