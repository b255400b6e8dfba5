//! `zkcredit compile`.

use std::path::PathBuf;

use eyre::Result;
use zkcredit_prover::model::compile;
use zkcredit_prover::prove::circuit_size;
use zkcredit_prover::quantize::QuantConfig;

/// Quantize an ONNX model (linear models and MLPs as skl2onnx, torch and tf2onnx export them) and
/// calibrate it on a dataset.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The ONNX model.
    #[arg(long)]
    pub model: PathBuf,
    /// Calibration data: CSV with a header (columns matched to the inputs by name) or JSON rows.
    #[arg(long)]
    pub data: PathBuf,
    /// Optional raw-field encoding (encoding.json), so `prove` accepts raw applicant fields; its
    /// input names also name the data's columns.
    #[arg(long)]
    pub encoding: Option<PathBuf>,
    /// The model's input names, comma-separated, or `@FILE` with one name per line: the data's
    /// columns are matched by these names (other columns are ignored). Not needed with
    /// --encoding, or when the data has exactly one column per input.
    #[arg(long)]
    pub inputs: Option<String>,
    /// Threshold used for the decision-agreement part of the fidelity report.
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// Fractional bits of the inputs (0 keeps integer features exact). Default: the fewest bits
    /// at which every calibration row's decision equals the float model's.
    #[arg(long)]
    pub input_bits: Option<u32>,
    /// Bits of the largest weight in each layer.
    /// Default: 24, raised (28, 32) while the score error misses its target and that helps.
    #[arg(long)]
    pub weight_bits: Option<u32>,
    /// Fractional bits of hidden activations. Default: 16, raised (20, 24) while the score error
    /// misses its target and that helps.
    #[arg(long)]
    pub activation_bits: Option<u32>,
    /// Allowed feature range = calibration min/max widened by this fraction of the span.
    #[arg(long, default_value_t = QuantConfig::default().range_margin)]
    pub range_margin: f64,
    /// Write the model even if its decisions differ from the float model's on calibration rows
    /// (the count is recorded in model.json).
    #[arg(long)]
    pub accept_disagreements: bool,
    /// Where to write the compiled model.
    #[arg(long, default_value = "model.json")]
    pub out: PathBuf,
}

/// Run.
pub fn run(a: Args) -> Result<()> {
    let cfg = QuantConfig {
        input_bits: a.input_bits,
        weight_bits: a.weight_bits,
        activation_bits: a.activation_bits,
        range_margin: a.range_margin,
        accept_disagreements: a.accept_disagreements,
    };
    let names = a.inputs.as_deref().map(input_names).transpose()?;
    let m = compile(&a.model, &a.data, a.encoding.as_deref(), names.as_deref(), &cfg, a.threshold)?;
    m.save(&a.out)?;
    let f = &m.fidelity;
    println!("compiled {} -> {}", a.model.display(), a.out.display());
    println!("  model digest   {}", m.digest);
    println!("  model          {}", m.quantized.summary());
    let c = &m.calibration;
    println!(
        "  scales         input {} / weight {} / activation {} bits ({}: {})",
        c.input_bits, c.weight_bits, c.activation_bits, c.chosen_by, c.reason
    );
    for t in &c.tried {
        println!(
            "    tried {:>2}/{:>2}/{:>2}: {}/{} decisions equal, max |err| {:.2e}",
            t.input_bits, t.weight_bits, t.activation_bits, t.decisions_agree, f.rows, t.max_abs_error
        );
    }
    println!("  fidelity       max |err| {:.2e}, mean |err| {:.2e} over {} rows", f.max_abs_error, f.mean_abs_error, f.rows);
    println!("  decisions      {}/{} agree with the float model at threshold {}", f.decisions_agree, f.rows, f.threshold);
    if !f.disagreements.is_empty() {
        println!("  disagreeing rows: {:?}", f.disagreements);
    }
    let (rows, k) = circuit_size(&m)?;
    println!("  circuit        {rows} rows, k = {k}: `setup` needs an SRS of power >= {k}");
    println!("                 (the demo .ptau has power 12; for deployment use the Perpetual Powers of Tau file");
    println!("                 powersOfTau28_hez_final_{:02}.ptau or larger)", k.max(8));
    Ok(())
}

/// `a,b,c` or `@FILE` (one name per line).
fn input_names(arg: &str) -> Result<Vec<String>> {
    let text = match arg.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).map_err(|e| eyre::eyre!("--inputs {path}: {e}"))?,
        None => arg.replace(',', "\n"),
    };
    Ok(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect())
}
