//! `zkcredit prove`.

use std::path::PathBuf;

use eyre::{Context, Result};
use zkcredit_prover::commitment::CommitmentFile;
use zkcredit_prover::field::fr_from_hex;
use zkcredit_prover::model::CompiledModel;
use zkcredit_prover::prove::{load_params, load_pk, prove, Progress, ProveRequest};
use zkcredit_prover::public::parse_address;

use crate::ui::Spinner;

/// Prove that an applicant scores at or above the threshold.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The compiled model.
    #[arg(long, default_value = "model.json")]
    pub model: PathBuf,
    /// Directory with pk.bin and params.bin (from `zkcredit setup`).
    #[arg(long, default_value = "keys")]
    pub keys: PathBuf,
    /// Applicant JSON: {"features": [...]} (model inputs) or {"fields": {...}} (raw fields).
    #[arg(long, required_unless_present = "batch")]
    pub input: Option<PathBuf>,
    /// A batch file (JSON lines, one applicant per line: `features` or `fields`, `borrower`,
    /// `nonce`, optionally `salt` or `commitment`), proved in one proof with batch keys
    /// (`setup --batch N`). Applicants below the threshold are reported by line and left out.
    #[arg(long, conflicts_with_all = ["input", "borrower", "salt", "commitment"])]
    pub batch: Option<PathBuf>,
    /// Pass threshold (a probability for models ending in a sigmoid).
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// The borrower's address (the proof is only valid for this msg.sender).
    #[arg(long, required_unless_present = "batch")]
    pub borrower: Option<String>,
    /// Replay-protection nonce (64-bit). A CreditGate accepts only a nonce above the borrower's
    /// last used one, so nonces start at 1 and increase.
    #[arg(long, default_value_t = 1)]
    pub nonce: u64,
    /// Commitment salt (0x-hex field element); random when omitted. Must match the attested commitment.
    #[arg(long)]
    pub salt: Option<String>,
    /// The commitment file (`zkcredit commit`) the data provider attested: its salt is used, after
    /// checking that it commits to this model and these inputs.
    #[arg(long, conflicts_with = "salt")]
    pub commitment: Option<PathBuf>,
    /// Where to write the proof.
    #[arg(long, default_value = "proof.json")]
    pub out: PathBuf,
}

/// Run.
pub fn run(a: Args) -> Result<()> {
    let model = CompiledModel::load(&a.model)?;
    if let Some(batch) = &a.batch {
        return super::prove_batch::run(&a, &model, batch);
    }
    let (Some(input), Some(borrower)) = (&a.input, &a.borrower) else {
        eyre::bail!("give --input and --borrower (or --batch FILE)");
    };
    let features = model.applicant_inputs(input)?;
    let salt = match (&a.salt, &a.commitment) {
        (Some(s), _) => Some(fr_from_hex("--salt", s)?),
        (None, Some(path)) => Some(CommitmentFile::load(path)?.salt_for(path, &model, &features)?),
        (None, None) => None,
    };
    let req = ProveRequest { features, threshold: a.threshold, borrower: parse_address(borrower)?, nonce: a.nonce, salt };
    // Validate the applicant before loading the (large) proving key.
    zkcredit_prover::prove::witness(&model, &req, &mut rand::rngs::OsRng)?;
    let spinner = Spinner::new("prove");
    spinner.stage("loading keys");
    let (pk, header) = load_pk(&a.keys.join("pk.bin"), &model)?;
    let params = load_params(&a.keys.join("params.bin"), header.k)?;
    let t = std::time::Instant::now();
    let (file, score) = prove(&model, &pk, &params, &header.srs, &req, &mut rand::rngs::OsRng, &spinner)?;
    let elapsed = t.elapsed();
    file.save(&a.out).with_context(|| format!("writing {}", a.out.display()))?;
    spinner.finish();
    println!(
        "proved in {elapsed:.2?}: score {score:.4} >= {} (private, not in the proof); proof {} bytes -> {}",
        a.threshold,
        file.proof.len() / 2 - 1,
        a.out.display()
    );
    let f = &file.model_fidelity;
    if f.decisions_differ > 0 {
        println!(
            "note: this model's decision differs from the float model's on {} of {} calibration rows (accepted at compile; recorded in the proof's `model_fidelity`)",
            f.decisions_differ, f.calibration_rows
        );
    }
    Ok(())
}
