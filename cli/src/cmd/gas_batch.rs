//! `zkcredit gas --batch N`: the single and the batch path side by side.

use std::path::Path;

use eyre::Result;
use zkcredit_prover::batch::{batch_size, setup_batch};
use zkcredit_prover::dataset;
use zkcredit_prover::model::{compile, CompiledModel};
use zkcredit_prover::prove::{setup, SetupOutput};
use zkcredit_prover::public::{BatchPublicInputs, INSTANCE_COUNT};
use zkcredit_prover::quantize::QuantConfig;
use zkcredit_prover::srs::SrsSource;
use zkcredit_script::measure::{batch_gas, BatchGasReport, Paths};
use zkcredit_verifier_codegen::{compile_verifier, Options, Provenance};

use crate::ui::Spinner;
use zkcredit_prover::prove::Progress;

/// Run `gas --batch n`.
pub fn run(a: &super::gas::Args, n: usize) -> Result<()> {
    let tmp = std::env::temp_dir().join(format!("zkcredit-gas-{}", std::process::id()));
    let bundled = crate::bundled::extract(&tmp)?;
    let gc = bundled.join("german-credit");
    let model = match &a.model {
        Some(p) => CompiledModel::load(p)?,
        None => {
            compile(&gc.join("mlp.onnx"), &gc.join("dataset.csv"), Some(&gc.join("encoding.json")), None, &QuantConfig::default(), 0.5)?
        }
    };
    let data = a.data.clone().unwrap_or_else(|| gc.join("dataset.csv"));
    let rows = passing_rows(&model, &data, n)?;
    let (_, k) = batch_size(&model, n)?;
    let srs = |demo: &str| -> Result<SrsSource> {
        Ok(match (&a.srs, a.insecure_dev_srs) {
            (Some(p), _) => SrsSource::from_file(p)?,
            (None, true) => SrsSource::InsecureDev(0x5eed),
            (None, false) if k <= 14 => SrsSource::from_file(&bundled.join(demo))?,
            (None, false) => eyre::bail!("a batch of {n} needs k = {k}, more than the bundled demo SRS (14): pass --srs FILE or --insecure-dev-srs (gas does not depend on the SRS)"),
        })
    };
    let spinner = Spinner::new("gas --batch");
    spinner.stage("single keys");
    let single = setup(&model, &srs("srs/zkcredit-demo-k12.ptau")?, &spinner)?;
    spinner.stage(&format!("batch keys ({n} slots, k = {k})"));
    let batch = setup_batch(&model, n, &srs("srs/zkcredit-demo-k14.ptau")?, &spinner)?;
    spinner.stage("generating and compiling both verifiers");
    let creation = |keys: &SetupOutput, count: usize| -> Result<Vec<u8>> {
        let options = Options::new(Provenance::new(&keys.header.model_digest, keys.header.srs.describe()));
        Ok(compile_verifier(&keys.params, keys.pk.get_vk(), &options, count)?.1.creation)
    };
    let paths = Paths {
        single: &single,
        single_verifier: creation(&single, INSTANCE_COUNT)?,
        batch: &batch,
        batch_verifier: creation(&batch, BatchPublicInputs::count(n))?,
    };
    spinner.stage(&format!("proving {n} applicants and submitting on revm"));
    let report = batch_gas(&model, paths, &rows, 0.5)?;
    spinner.finish();
    let _ = std::fs::remove_dir_all(&tmp);
    print!("{}", table(&report));
    super::gas::finish(a, &serde_json::to_value(&report)?)
}

/// The first `n` rows of `data` the model passes at 0.5.
fn passing_rows(model: &CompiledModel, data: &Path, n: usize) -> Result<Vec<Vec<f64>>> {
    let q = &model.quantized;
    let ds = dataset::load(data, &q.input_names())?;
    let rows: Vec<Vec<f64>> = ds
        .rows
        .into_iter()
        .filter(|r| q.quantize_features(r).and_then(|x| q.forward(&x)).is_ok_and(|t| q.score(t.logit) >= 0.5))
        .take(n)
        .collect();
    if rows.len() < n {
        eyre::bail!("{} has {} rows the model passes, the batch needs {n}", data.display(), rows.len());
    }
    Ok(rows)
}

fn table(r: &BatchGasReport) -> String {
    let per_single = r.single_submit_gas_tx;
    format!(
        "revm ({}), batch of {} (k {}):\n  single submit        {:>10} gas (verifyProof {})\n  batch submitBatch    {:>10} gas (verifyProof {})\n  per borrower         {:>10} gas ({:.1}x cheaper than single)\n  batch proof          {:>10} bytes\n  batch verifier       {:>10} bytes runtime, {} gas to deploy\n",
        r.fork,
        r.batch_size,
        r.batch_k,
        per_single,
        r.single_verify_gas_tx,
        r.batch_submit_gas_tx,
        r.batch_verify_gas_tx,
        r.per_borrower_gas,
        per_single as f64 / r.per_borrower_gas.max(1) as f64,
        r.batch_proof_bytes,
        r.batch_verifier_runtime_bytes,
        r.batch_verifier_deploy_gas
    )
}
