//! `zkcredit setup`.

use std::path::PathBuf;

use eyre::Result;
use zkcredit_prover::batch::setup_batch;
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
    /// Keys for batch proofs of N applicants (one proof, one transaction for all of them); k
    /// grows with N (8 slots of the bundled MLP: k = 14, the demo batch SRS
    /// examples/srs/zkcredit-demo-k14.ptau).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub batch: Option<u32>,
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
    let out = match a.batch {
        Some(n) => setup_batch(&model, n as usize, &srs, &spinner)?,
        None => setup(&model, &srs, &spinner)?,
    };
    out.save(&a.out)?;
    spinner.finish();
    println!(
        "setup done in {:.2?}: {}k = {}, SRS {} ({}), keys in {}",
        t.elapsed(),
        out.header.batch.map_or(String::new(), |n| format!("batch of {n}, ")),
        out.header.k,
        out.header.srs.source,
        out.header.srs.kind,
        a.out.display()
    );
    Ok(())
}
