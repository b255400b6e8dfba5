//! `zkcredit setup`.

use std::path::PathBuf;

use eyre::Result;
use zkcredit_prover::model::CompiledModel;
use zkcredit_prover::prove::setup;

use crate::ui::Spinner;

/// Generate keys: writes pk.bin, vk.bin and params.bin into --out.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The compiled model (from `zkcredit compile`).
    #[arg(long, default_value = "model.json")]
    pub model: PathBuf,
    /// SRS: a .ptau file (Perpetual Powers of Tau, snarkjs format) or halo2 KZG params.
    #[arg(long)]
    pub srs: Option<PathBuf>,
    /// DEVELOPMENT ONLY: make an SRS from a public seed (forgeable proofs). Recorded in the keys.
    #[arg(long)]
    pub insecure_dev_srs: bool,
    /// Output directory.
    #[arg(long, default_value = "keys")]
    pub out: PathBuf,
}

/// Run.
pub fn run(a: Args) -> Result<()> {
    let model = CompiledModel::load(&a.model)?;
    let srs = super::srs_source(a.srs.as_deref(), a.insecure_dev_srs)?;
    let spinner = Spinner::new("setup");
    let t = std::time::Instant::now();
    let out = setup(&model, &srs, &spinner)?;
    out.save(&a.out)?;
    spinner.finish();
    println!(
        "setup done in {:.2?}: k = {}, SRS {} ({}), keys in {}",
        t.elapsed(),
        out.header.k,
        out.header.srs.source,
        out.header.srs.kind,
        a.out.display()
    );
    Ok(())
}
