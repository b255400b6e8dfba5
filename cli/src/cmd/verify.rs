//! `zkcredit verify`.

use std::path::PathBuf;

use eyre::Result;
use zkcredit_prover::prove::{load_params, load_vk, verify, ProofFile};

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
    let file = ProofFile::load(&a.proof)?;
    let (vk, header) = load_vk(&vk_path, None)?;
    if header.model_digest != file.model_digest {
        eyre::bail!(
            "{} is for model {}, but {} is for model {}",
            a.proof.display(),
            file.model_digest,
            vk_path.display(),
            header.model_digest
        );
    }
    let params = load_params(&params_path, header.k)?;
    let (proof, instances) = file.decode(&a.proof)?;
    let t = std::time::Instant::now();
    verify(&params, &vk, &proof, &instances).map_err(|e| eyre::eyre!("{}: {e}", a.proof.display()))?;
    println!(
        "valid proof ({:.2?}): borrower {} passes threshold {} of model {} (nonce {})",
        t.elapsed(),
        file.public.borrower,
        file.public.threshold,
        file.model_digest,
        file.public.nonce
    );
    if header.srs.insecure {
        println!("WARNING: made with an INSECURE development SRS; do not rely on it");
    }
    Ok(())
}
