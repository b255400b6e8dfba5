//! `zkcredit prove --batch FILE`: many applicants, one proof.

use std::path::Path;

use eyre::{Context, Result};
use zkcredit_prover::batch::{load_batch_file, prove_batch};
use zkcredit_prover::metrics::{cpu_seconds, peak_rss_bytes};
use zkcredit_prover::model::CompiledModel;
use zkcredit_prover::prove::{load_params, load_pk, Progress};

use crate::ui::Spinner;

/// Prove the applicants of `batch` with the batch keys in `a.keys`.
pub fn run(a: &super::prove::Args, model: &CompiledModel, batch: &Path) -> Result<()> {
    let applicants = load_batch_file(model, batch, a.threshold)?;
    let spinner = Spinner::new("prove --batch");
    spinner.stage("loading keys");
    let (pk, header) = load_pk(&a.keys.join("pk.bin"), model)?;
    let Some(n) = header.batch else {
        eyre::bail!("{} is a key for single proofs: make batch keys with `zkcredit setup --batch N`", a.keys.join("pk.bin").display());
    };
    let params = load_params(&a.keys.join("params.bin"), header.k)?;
    let (t, cpu) = (std::time::Instant::now(), cpu_seconds());
    let outcome = prove_batch(model, &pk, &params, &header.srs, n, &applicants, &mut rand::rngs::OsRng, &spinner)?;
    let (elapsed, cpu) = (t.elapsed(), cpu_seconds() - cpu);
    spinner.finish();
    for (line, reason) in &outcome.rejected {
        println!("left out: {}:{line}: {reason}", batch.display());
    }
    let Some(file) = outcome.file else {
        eyre::bail!("no applicant of {} passes: nothing to prove", batch.display());
    };
    file.save(&a.out).with_context(|| format!("writing {}", a.out.display()))?;
    let proved = file.slots.iter().filter(|s| s.line != 0).count();
    println!(
        "proved {proved} applicants ({} slots, {} empty) in {elapsed:.2?} ({cpu:.2} CPU-s, peak RSS {:.0} MB); proof {} bytes -> {}",
        n,
        n - proved,
        peak_rss_bytes() as f64 / 1e6,
        file.proof.len() / 2 - 1,
        a.out.display()
    );
    for s in file.slots.iter().filter(|s| s.line != 0) {
        println!("  line {}: borrower {} nonce {}", s.line, s.borrower, s.nonce);
    }
    Ok(())
}
