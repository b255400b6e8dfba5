//! `zkcredit commit`.

use std::path::PathBuf;

use eyre::Result;
use zkcredit_prover::commitment::{random_salt, CommitmentFile};
use zkcredit_prover::field::fr_from_hex;
use zkcredit_prover::model::CompiledModel;

/// Compute the Poseidon commitment to an applicant's features (what a data provider attests to).
/// Writes the commitment and its salt; keep the salt private and pass it to `prove --salt`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The compiled model.
    #[arg(long, default_value = "model.json")]
    pub model: PathBuf,
    /// Applicant JSON: {"features": [...]} or {"fields": {...}}.
    #[arg(long)]
    pub input: PathBuf,
    /// Salt (0x-hex field element); random when omitted.
    #[arg(long)]
    pub salt: Option<String>,
    /// Where to write {"feature_commitment", "salt"} (private: contains the salt).
    #[arg(long, default_value = "commitment.json")]
    pub out: PathBuf,
}

/// Run.
pub fn run(a: Args) -> Result<()> {
    let model = CompiledModel::load(&a.model)?;
    let salt = match a.salt.as_deref() {
        Some(s) => fr_from_hex("--salt", s)?,
        None => random_salt(&mut rand::rngs::OsRng),
    };
    let file = CommitmentFile::new(&model, &model.applicant_inputs(&a.input)?, salt)?;
    file.save(&a.out)?;
    println!("feature commitment {} (salt in {})", file.feature_commitment, a.out.display());
    Ok(())
}
