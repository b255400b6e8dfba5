//! `zkcredit commit`.

use std::path::PathBuf;

use eyre::{Context, Result};
use serde_json::json;
use zkcredit_prover::field::{fr_from_hex, fr_to_hex};
use zkcredit_prover::model::CompiledModel;
use zkcredit_prover::prove::{feature_commitment, random_salt};

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
    let q = &model.quantized;
    let x = q.quantize_features(&model.applicant_inputs(&a.input)?)?;
    let salt = match a.salt.as_deref() {
        Some(s) => fr_from_hex("--salt", s)?,
        None => random_salt(&mut rand::rngs::OsRng),
    };
    let c = feature_commitment(q, &x, salt);
    let doc = json!({ "model_digest": model.digest, "feature_commitment": fr_to_hex(&c), "salt": fr_to_hex(&salt) });
    std::fs::write(&a.out, serde_json::to_string_pretty(&doc)? + "\n").with_context(|| format!("writing {}", a.out.display()))?;
    println!("feature commitment {} (salt in {})", fr_to_hex(&c), a.out.display());
    Ok(())
}
