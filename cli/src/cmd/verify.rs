//! `zkcredit verify`.

use std::path::PathBuf;

use eyre::Result;
use zkcredit_prover::batch::{verify_batch_file, BATCH_PROOF_FORMAT};
use zkcredit_prover::prove::verify_file;

/// Verify a proof file. Exits non-zero when the proof is invalid.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The proof JSON.
    #[arg(long, default_value = "proof.json")]
    pub proof: PathBuf,
    /// Verifying key [default: vk.bin beside the proof, else keys/vk.bin beside it].
    #[arg(long)]
    pub vk: Option<PathBuf>,
    /// KZG params [default: params.bin next to the verifying key].
    #[arg(long)]
    pub params: Option<PathBuf>,
}

/// Run.
pub fn run(a: Args) -> Result<()> {
    let dir = a.proof.parent().map(PathBuf::from).unwrap_or_default();
    let vk_path = a.vk.unwrap_or_else(|| {
        let beside = dir.join("vk.bin");
        if beside.exists() {
            beside
        } else {
            dir.join("keys").join("vk.bin")
        }
    });
    let params_path = a.params.unwrap_or_else(|| vk_path.with_file_name("params.bin"));
    let t = std::time::Instant::now();
    let text = std::fs::read_to_string(&a.proof).unwrap_or_default();
    if text.contains(&format!("\"{BATCH_PROOF_FORMAT}\"")) {
        let (file, header) = verify_batch_file(&a.proof, &vk_path, &params_path)?;
        let proved: Vec<_> = file.slots.iter().filter(|s| s.line != 0).collect();
        println!(
            "valid batch proof ({:.2?}): {} borrowers pass threshold {} of model {} ({} slots)",
            t.elapsed(),
            proved.len(),
            file.threshold,
            file.model_digest,
            file.batch_size
        );
        for s in proved {
            println!("  borrower {} (nonce {})", s.borrower, s.nonce);
        }
        if let Some(reason) = header.srs.unfit_for_deployment() {
            println!("WARNING: made from {reason}; do not rely on it where value is at stake");
        }
        return Ok(());
    }
    let (file, header) = verify_file(&a.proof, &vk_path, &params_path)?;
    println!(
        "valid proof ({:.2?}): borrower {} passes threshold {} of model {} (nonce {})",
        t.elapsed(),
        file.public.borrower,
        file.public.threshold,
        file.model_digest,
        file.public.nonce
    );
    if let Some(reason) = header.srs.unfit_for_deployment() {
        println!("WARNING: made from {reason}; do not rely on it where value is at stake");
    }
    Ok(())
}
