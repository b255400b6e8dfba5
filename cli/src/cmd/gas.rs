//! `zkcredit gas`.

use std::path::PathBuf;

use eyre::{Context, Result};
use zkcredit_prover::prove::{load_params, load_vk, prove, NoProgress, ProofFile, ProveRequest};
use zkcredit_verifier_codegen::{gas, Options, Provenance};

use super::keys::bundled_model_and_keys;

/// Measure on-chain verification in revm (Osaka): zkcredit's verifier and snark-verifier's for the
/// same key and proof. Prints a table; with --json also writes the figures. With --demo instead of
/// --proof, proves bundled sample applicant 6 on the bundled German Credit model.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Write the report as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// A proof file to measure.
    #[arg(long, required_unless_present_any = ["demo", "batch"])]
    pub proof: Option<PathBuf>,
    /// Measure the batch path beside the single one: batch keys for N slots, a real batch of N
    /// passing applicants relayed to a CreditGate with `submitBatch`, and one single `submit`.
    #[arg(long, value_name = "N", conflicts_with_all = ["proof", "vk", "separate_vk"], value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub batch: Option<u32>,
    /// With --batch: the compiled model [default: the bundled German Credit MLP].
    #[arg(long, requires = "batch")]
    pub model: Option<PathBuf>,
    /// With --batch: applicant rows (CSV with the model's input names) to take passing applicants
    /// from [default: the bundled German Credit data].
    #[arg(long, requires = "batch")]
    pub data: Option<PathBuf>,
    /// With --batch: the SRS for both keys [default: the bundled demo files, up to k = 14].
    #[arg(long, requires = "batch")]
    pub srs: Option<PathBuf>,
    /// Compare with a committed baseline (a JSON report written by --json): exit non-zero, naming
    /// each figure, when one costs more than the baseline by more than --tolerance.
    #[arg(long, value_name = "BASELINE.json")]
    pub check: Option<PathBuf>,
    /// Allowed growth over the baseline, in percent (transaction gas varies by a few dozen gas
    /// with the proof's zero bytes).
    #[arg(long, default_value_t = 0.5, requires = "check")]
    pub tolerance: f64,
    /// With --batch: a development SRS of any size (gas does not depend on it).
    #[arg(long, requires = "batch", conflicts_with = "srs")]
    pub insecure_dev_srs: bool,
    /// Measure a fresh proof on the bundled German Credit model (demo SRS) instead of --proof.
    #[arg(long, conflicts_with_all = ["proof", "vk"])]
    pub demo: bool,
    /// Its verifying key [default: vk.bin beside the proof]; params.bin is read beside the key.
    #[arg(long)]
    pub vk: Option<PathBuf>,
    /// Measure the verifier with a separate verifying-key contract (deploy gas includes both).
    #[arg(long)]
    pub separate_vk: bool,
}

/// Run.
pub fn run(a: Args) -> Result<()> {
    if let Some(n) = a.batch {
        return super::gas_batch::run(&a, n as usize);
    }
    let (params, vk, header, proof, instances) = match &a.proof {
        Some(path) => {
            let vk_path = a.vk.clone().unwrap_or_else(|| path.with_file_name("vk.bin"));
            let (vk, header) = load_vk(&vk_path, None)?;
            let params = load_params(&vk_path.with_file_name("params.bin"), header.k)?;
            let file = ProofFile::load(path)?;
            let (proof, instances) = file.decode(path)?;
            (params, vk, header, proof, instances)
        }
        None => {
            let (model, keys, inputs) = bundled_model_and_keys()?;
            let features = model.applicant_inputs(&inputs.join("german-credit/samples/applicant6.json"))?;
            let req = ProveRequest { features, threshold: 0.5, borrower: [0xb0; 20], nonce: 1, salt: None };
            let (file, _) = prove(&model, &keys.pk, &keys.params, &keys.header.srs, &req, &mut rand::rngs::OsRng, &NoProgress)?;
            let (proof, instances) = file.decode(&inputs)?;
            let _ = std::fs::remove_dir_all(&inputs);
            (keys.params, keys.pk.get_vk().clone(), keys.header, proof, instances)
        }
    };
    let mut options = Options::new(Provenance::new(&header.model_digest, header.srs.describe()));
    options.separate_vk = a.separate_vk;
    let (report, _, _) = gas::measure(&params, &vk, &options, &proof, &instances)?;
    print!("{}", report.table());
    println!("solc: {}", zkcredit_evm::solc::find()?);
    finish(&a, &serde_json::to_value(&report)?)
}

/// Write the report (--json) and compare it with the baseline (--check).
pub fn finish(a: &Args, report: &serde_json::Value) -> Result<()> {
    if let Some(path) = &a.json {
        let text = serde_json::to_string_pretty(report)? + "\n";
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    if let Some(path) = &a.check {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading baseline {}", path.display()))?;
        let baseline: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{}: not a JSON gas report", path.display()))?;
        let worse = zkcredit_evm::budget::regressions(report, &baseline, a.tolerance);
        if !worse.is_empty() {
            let lines: Vec<String> = worse.iter().map(|r| format!("  {r}")).collect();
            eyre::bail!("costs more than {} (tolerance {} %):\n{}", path.display(), a.tolerance, lines.join("\n"));
        }
        println!("within {} % of {}", a.tolerance, path.display());
    }
    Ok(())
}
