//! `zkcredit bench`.

use std::path::PathBuf;
use std::time::Instant;

use eyre::{Context, Result};
use serde_json::json;
use zkcredit_prover::metrics::{cpu_seconds, peak_rss_bytes, reset_peak_rss};
use zkcredit_prover::model::{compile, CompiledModel};
use zkcredit_prover::prove::{circuit_size, load_params, load_pk, prove, setup, shape, verify, NoProgress, ProveRequest};
use zkcredit_prover::quantize::QuantConfig;
use zkcredit_prover::srs::SrsSource;

use crate::bundled;

/// Measure the circuit and the prover on a model (default: the bundled German Credit MLP) and
/// write the figures as JSON. Peak RSS is the process high-water mark while loading the keys and
/// proving (reset before, via /proc/self/clear_refs).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Where to write the JSON figures.
    #[arg(long, default_value = "bench.json")]
    pub json: PathBuf,
    /// A compiled model [default: the bundled German Credit MLP].
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Applicant rows (CSV matched by the model's input names, or JSON) to take a passing
    /// applicant from [default: the bundled German Credit data].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// SRS [default: the bundled demo .ptau].
    #[arg(long)]
    pub srs: Option<PathBuf>,
    /// Time with a seeded development SRS of any size (for models larger than the demo .ptau;
    /// proving and verifying cost the same as with a ceremony file of that power).
    #[arg(long)]
    pub insecure_dev_srs: bool,
    /// Proofs to time (the median is reported).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
    pub runs: u16,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Run.
pub fn run(a: Args) -> Result<()> {
    let tmp = std::env::temp_dir().join(format!("zkcredit-bench-{}", std::process::id()));
    let inputs = bundled::extract(&tmp)?;
    let gc = inputs.join("german-credit");
    let model = match &a.model {
        Some(p) => CompiledModel::load(p)?,
        None => {
            compile(&gc.join("mlp.onnx"), &gc.join("dataset.csv"), Some(&gc.join("encoding.json")), None, &QuantConfig::default(), 0.5)?
        }
    };
    let srs = match (&a.srs, a.insecure_dev_srs) {
        (None, false) => SrsSource::from_file(&inputs.join("srs/zkcredit-demo-k12.ptau"))?,
        (srs, insecure) => super::srs_source(srs.as_deref(), insecure)?,
    };
    let (rows, k) = circuit_size(&model)?;
    // A passing applicant from the data, found before the slow steps.
    let data = a.data.clone().unwrap_or_else(|| gc.join("dataset.csv"));
    let ds = zkcredit_prover::dataset::load(&data, &model.quantized.input_names())
        .wrap_err_with(|| format!("reading applicants for the benchmark from {} (pass --data with your model's data)", data.display()))?;
    let q = &model.quantized;
    let row = ds
        .rows
        .iter()
        .find(|r| q.quantize_features(r).and_then(|x| q.forward(&x)).is_ok_and(|t| q.score(t.logit) >= 0.5))
        .ok_or_else(|| eyre::eyre!("no row of {} lies in the model's calibrated ranges and passes the threshold 0.5: pass --data with applicants the model approves", data.display()))?;
    let t = Instant::now();
    let out = setup(&model, &srs, &NoProgress)?;
    let setup_s = t.elapsed().as_secs_f64();
    let (advice, fixed, lookups) = shape(out.pk.get_vk());
    out.save(&tmp)?;
    drop(out);

    let req = ProveRequest { features: row.clone(), threshold: 0.5, borrower: [0xaa; 20], nonce: 1, salt: None };

    reset_peak_rss();
    let (pk, header) = load_pk(&tmp.join("pk.bin"), &model)?;
    let params = load_params(&tmp.join("params.bin"), header.k)?;
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    let mut last = None;
    for _ in 0..a.runs {
        let (t, c) = (Instant::now(), cpu_seconds());
        let (file, _) = prove(&model, &pk, &params, &header.srs, &req, &mut rand::rngs::OsRng, &NoProgress)?;
        wall.push(t.elapsed().as_secs_f64());
        cpu.push(cpu_seconds() - c);
        last = Some(file);
    }
    let peak = peak_rss_bytes();
    let file = last.ok_or_else(|| eyre::eyre!("no proof"))?;
    let (proof, instances) = file.decode(&tmp.join("proof.json"))?;
    let t = Instant::now();
    verify(&params, pk.get_vk(), &proof, &instances)?;
    let verify_s = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&tmp);

    let report = json!({
        "model": model.onnx_file,
        "model_digest": model.digest,
        "k": k,
        "rows": rows,
        "advice_columns": advice,
        "fixed_columns": fixed,
        "lookups": lookups,
        "setup_s": setup_s,
        "prove_wall_s": median(wall),
        "prove_cpu_s": median(cpu),
        "verify_s": verify_s,
        "proof_bytes": proof.len(),
        "peak_rss_bytes": peak,
        "runs": a.runs,
        "threads": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "srs": header.srs.kind,
    });
    let text = serde_json::to_string_pretty(&report)?;
    std::fs::write(&a.json, text.clone() + "\n").with_context(|| format!("writing {}", a.json.display()))?;
    println!("{text}");
    Ok(())
}
