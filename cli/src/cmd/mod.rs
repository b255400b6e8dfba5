//! Subcommands.

mod attest;
mod bench;
mod commit;
mod compile;
mod demo;
mod demo_gate;
mod deploy;
mod gas;
mod gas_batch;
mod keys;
mod onchain;
mod prove;
mod prove_batch;
mod setup;
mod submit;
mod verifier;
mod verify;

use clap::{Parser, Subcommand};

/// zkcredit: prove on-chain that a borrower passes a committed credit model, without revealing
/// the borrower's data or the model's weights.
///
/// Typical flow: compile (ONNX + calibration data -> model.json), setup (SRS -> keys),
/// prove (applicant -> proof.json), verify (proof.json -> accept/reject), verifier (key ->
/// Solidity), gas (on-chain cost in revm); on a chain: deploy (verifier + CreditGate), attest
/// (a data provider signs the feature commitment), submit (the borrower's proof to the gate).
/// `zkcredit demo --out DIR` runs all of it on the bundled German Credit model.
#[derive(Parser, Debug)]
#[command(name = "zkcredit", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Quantize and calibrate an ONNX model; write the compiled model and a fidelity report.
    Compile(compile::Args),
    /// Compute the feature commitment (and salt) a data provider attests to.
    Commit(commit::Args),
    /// Generate proving and verifying keys from an SRS.
    Setup(setup::Args),
    /// Prove that an applicant passes the threshold.
    Prove(prove::Args),
    /// Verify a proof file; exits non-zero when the proof is invalid.
    Verify(verify::Args),
    /// Measure circuit size, setup, prove and verify cost; write JSON.
    Bench(bench::Args),
    /// Write the Solidity verifier contract for a verifying key.
    Verifier(verifier::Args),
    /// Measure on-chain verification gas in revm, side by side with snark-verifier; write JSON.
    Gas(gas::Args),
    /// Deploy the verifier and a CreditGate to a chain and register the policy.
    Deploy(deploy::Args),
    /// As a data provider, sign a borrower's feature commitment for a gate (EIP-712).
    Attest(attest::Args),
    /// Submit a proof and its attestation to a CreditGate; exits non-zero with the decoded error.
    Submit(submit::Args),
    /// Run the whole flow on the bundled German Credit model.
    Demo(demo::Args),
}

impl Command {
    /// Dispatch.
    pub fn run(self) -> eyre::Result<()> {
        match self {
            Command::Compile(a) => compile::run(a),
            Command::Commit(a) => commit::run(a),
            Command::Setup(a) => setup::run(a),
            Command::Prove(a) => prove::run(a),
            Command::Verify(a) => verify::run(a),
            Command::Bench(a) => bench::run(a),
            Command::Verifier(a) => verifier::run(a),
            Command::Gas(a) => gas::run(a),
            Command::Deploy(a) => deploy::run(a),
            Command::Attest(a) => attest::run(a),
            Command::Submit(a) => submit::run(a),
            Command::Demo(a) => demo::run(a),
        }
    }
}

/// Parse a file size k from a SRS choice.
pub fn srs_source(srs: Option<&std::path::Path>, insecure_dev_srs: bool) -> eyre::Result<zkcredit_prover::srs::SrsSource> {
    use zkcredit_prover::srs::SrsSource;
    match (srs, insecure_dev_srs) {
        (Some(_), true) => eyre::bail!("give either --srs or --insecure-dev-srs, not both"),
        (Some(p), false) => Ok(SrsSource::from_file(p)?),
        (None, true) => {
            eprintln!("WARNING: --insecure-dev-srs: the SRS toxic waste is derivable from a public seed; proofs made with it are forgeable. For development only; recorded in every artifact.");
            Ok(SrsSource::InsecureDev(0x5eed))
        }
        (None, false) => eyre::bail!(
            "no SRS: pass --srs FILE (.ptau from a Powers of Tau ceremony, or halo2 params) or, for development only, --insecure-dev-srs"
        ),
    }
}
