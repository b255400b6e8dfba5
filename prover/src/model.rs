//! `compile`: ONNX + calibration data -> a [`CompiledModel`] (quantized weights, feature ranges,
//! digest, fidelity report), saved as JSON.

use std::path::Path;

use halo2_proofs::halo2curves::bn256::Fr;
use serde::{Deserialize, Serialize};

use crate::dataset;
use crate::digest::{hex32, keccak};
use crate::encoding::Encoding;
use crate::error::{Error, Result};
use crate::onnx::OnnxModel;
use crate::public::model_id_from_digest;
use crate::quantize::{calibrate, QuantConfig, QuantizedModel};

/// Format tag of compiled model files.
pub const MODEL_FORMAT: &str = "zkcredit-model/1";

/// How well the quantized model tracks the float model on the calibration data.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FidelityReport {
    /// Rows compared.
    pub rows: usize,
    /// Threshold used for the decision comparison.
    pub threshold: f64,
    /// Max |quantized score - float score|.
    pub max_abs_error: f64,
    /// Mean |quantized score - float score|.
    pub mean_abs_error: f64,
    /// Rows where the circuit's decision equals the float model's.
    pub decisions_agree: usize,
    /// Row indices where they differ.
    pub disagreements: Vec<usize>,
    /// Rows passing the threshold (float model).
    pub float_passes: usize,
}

/// The compiled model artifact.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CompiledModel {
    /// [`MODEL_FORMAT`].
    pub format: String,
    /// Keccak-256 of the circuit-defining part (`quantized`), 0x-hex.
    pub digest: String,
    /// The ONNX file it came from.
    pub onnx_file: String,
    /// Keccak-256 of the ONNX bytes.
    pub onnx_keccak: String,
    /// Quantizer settings.
    pub config: QuantConfig,
    /// Everything the circuit is built from.
    pub quantized: QuantizedModel,
    /// Raw field encoding, when given.
    pub encoding: Option<Encoding>,
    /// Fidelity on the calibration data.
    pub fidelity: FidelityReport,
    /// How the input scale was chosen.
    #[serde(default)]
    pub calibration: CalibrationReport,
}

/// One input scale `compile` tried.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct TriedScale {
    /// Fractional input bits.
    pub input_bits: u32,
    /// Calibration rows whose decision equals the float model's.
    pub decisions_agree: usize,
    /// Max |quantized score - float score|.
    pub max_abs_error: f64,
}

/// What `compile` chose for the input scale, and why.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct CalibrationReport {
    /// The fractional input bits of the model.
    pub input_bits: u32,
    /// `user` (`--input-bits`) or `compile`.
    pub chosen_by: String,
    /// Why this scale.
    pub reason: String,
    /// The score error aimed for.
    pub error_target: f64,
    /// Every scale tried, in order.
    pub tried: Vec<TriedScale>,
}

/// Digest of a quantized model: keccak256("zkcredit-model/1" || canonical JSON).
pub fn digest_of(q: &QuantizedModel) -> [u8; 32] {
    let mut bytes = MODEL_FORMAT.as_bytes().to_vec();
    bytes.extend(serde_json::to_vec(q).unwrap_or_default());
    keccak(&bytes)
}

impl CompiledModel {
    /// The model digest as bytes.
    pub fn digest_bytes(&self) -> [u8; 32] {
        digest_of(&self.quantized)
    }

    /// The model id public input.
    pub fn model_id(&self) -> Fr {
        model_id_from_digest(&self.digest_bytes())
    }

    /// Write as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(|e| Error::parse(path, e))?;
        std::fs::write(path, text + "\n").map_err(|e| Error::io(path, e))
    }

    /// Read and check a compiled model.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let m: CompiledModel =
            serde_json::from_str(&text).map_err(|e| Error::parse(path, format!("not a compiled zkcredit model: {e}")))?;
        if m.format != MODEL_FORMAT {
            return Err(Error::parse(path, format!("format `{}` is not `{MODEL_FORMAT}`", m.format)));
        }
        if m.digest != hex32(&m.digest_bytes()) {
            return Err(Error::parse(path, "the digest does not match the quantized model (edited or corrupt file)"));
        }
        if m.quantized.layers.is_empty() || m.quantized.features.is_empty() {
            return Err(Error::parse(path, "the model has no layers or no inputs"));
        }
        Ok(m)
    }

    /// Turn an applicant JSON (`{"features": [..]}` or `{"fields": {..}}`) into model inputs.
    pub fn applicant_inputs(&self, path: &Path) -> Result<Vec<f64>> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            if ["NaN", "Infinity"].iter().any(|w| text.contains(w)) {
                Error::parse(path, format!("{e}: NaN and Infinity are not numbers zkcredit accepts (JSON has no such values); give every feature a finite value"))
            } else {
                Error::parse(path, e)
            }
        })?;
        if let Some(feats) = v.get("features") {
            let arr = feats.as_array().ok_or_else(|| Error::parse(path, "`features` must be an array of numbers"))?;
            let n = self.quantized.inputs();
            if arr.len() != n {
                return Err(Error::parse(
                    path,
                    format!("{} features given, the model takes {n} (in the order of model.json's `quantized.features`)", arr.len()),
                ));
            }
            return arr
                .iter()
                .enumerate()
                .map(|(i, x)| x.as_f64().ok_or_else(|| Error::parse(path, format!("features[{i}] = {x} is not a number"))))
                .collect();
        }
        if let Some(fields) = v.get("fields").and_then(|f| f.as_object()) {
            let enc = self
                .encoding
                .as_ref()
                .ok_or_else(|| Error::parse(path, "raw `fields` given but the model was compiled without --encoding"))?;
            return enc.encode(fields).map_err(|e| Error::parse(path, e));
        }
        Err(Error::parse(path, "expected an object with `features` (model inputs) or `fields` (raw applicant fields)"))
    }
}

/// Compile an ONNX model, calibrating on `data`. The data's columns are matched to the model's
/// inputs by name: the encoding's input names, else `input_names`; without either, a CSV must have
/// exactly one column per input.
pub fn compile(
    onnx_path: &Path,
    data: &Path,
    encoding: Option<&Path>,
    input_names: Option<&[String]>,
    cfg: &QuantConfig,
    threshold: f64,
) -> Result<CompiledModel> {
    let onnx = OnnxModel::load(onnx_path)?;
    let n = onnx.network.inputs();
    let encoding = encoding.map(Encoding::load).transpose()?;
    let names = match (&encoding, input_names) {
        (Some(enc), Some(names)) if enc.inputs != names => {
            return Err(Error::Mismatch("the input names given differ from the encoding's inputs: give one of them".into()));
        }
        (Some(enc), _) => Some(enc.inputs.as_slice()),
        (None, names) => names,
    };
    if let Some(names) = names {
        if names.len() != n {
            return Err(Error::Mismatch(format!("{} input names are given, the model takes {n} inputs", names.len())));
        }
    }
    let ds = match names {
        Some(names) => dataset::load(data, names)?,
        None => dataset::load_positional(data, n)?,
    };
    let (quantized, fidelity, calibration) = choose_scales(&onnx, &ds, cfg, threshold)?;
    let digest = digest_of(&quantized);
    Ok(CompiledModel {
        format: MODEL_FORMAT.into(),
        digest: hex32(&digest),
        onnx_file: onnx_path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
        onnx_keccak: hex32(&onnx.file_keccak),
        config: cfg.clone(),
        quantized,
        encoding,
        fidelity,
        calibration,
    })
}

/// Input scales `compile` tries, fewest bits first.
pub const INPUT_BITS_CANDIDATES: [u32; 9] = [0, 2, 4, 6, 8, 10, 12, 14, 16];

/// The score error `compile` aims for: 1e-3 of a probability, or of the float scores' spread for
/// a model without a sigmoid.
fn error_target(sigmoid: bool, floats: &[f64]) -> f64 {
    if sigmoid {
        return 1e-3;
    }
    let (lo, hi) = floats.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    1e-3 * (hi - lo).max(1.0)
}

/// Quantize with the user's input scale, or choose it: the fewest input bits at which every
/// calibration row's decision equals the float model's and the score error is within
/// [`error_target`] (else the fewest with every decision equal). A model whose decisions differ
/// on some row is refused unless [`QuantConfig::accept_disagreements`].
fn choose_scales(
    onnx: &OnnxModel,
    ds: &dataset::Dataset,
    cfg: &QuantConfig,
    threshold: f64,
) -> Result<(QuantizedModel, FidelityReport, CalibrationReport)> {
    let candidates: Vec<u32> = match cfg.input_bits {
        Some(bits) => vec![bits],
        None => INPUT_BITS_CANDIDATES.to_vec(),
    };
    let floats = ds.rows.iter().map(|r| onnx.reference(r)).collect::<Result<Vec<f64>>>()?;
    let target = error_target(onnx.network.sigmoid, &floats);
    let mut tried: Vec<(u32, QuantizedModel, FidelityReport)> = Vec::new();
    for bits in candidates {
        let q = match calibrate(&onnx.network, &ds.names, &ds.rows, &QuantConfig { input_bits: Some(bits), ..cfg.clone() }) {
            Ok(q) => q,
            // More input bits can overflow a width the circuit supports: keep what was found.
            Err(_) if !tried.is_empty() => break,
            Err(e) => return Err(e),
        };
        let f = compare(&floats, &q, &ds.rows, threshold)?;
        let done = f.decisions_agree == f.rows && f.max_abs_error <= target;
        tried.push((bits, q, f));
        if done {
            break;
        }
    }
    let all_agree = |f: &FidelityReport| f.decisions_agree == f.rows;
    let (index, reason) = if let Some(i) = tried.iter().position(|(_, _, f)| all_agree(f) && f.max_abs_error <= target) {
        (i, "fewest input bits with every decision equal and the score error within the target")
    } else if let Some(i) = tried.iter().position(|(_, _, f)| all_agree(f)) {
        (i, "fewest input bits with every decision equal (the score error target was not met)")
    } else {
        let best = (0..tried.len()).max_by_key(|i| (tried[*i].2.decisions_agree, usize::MAX - *i)).unwrap_or(0);
        let f = &tried[best].2;
        if !cfg.accept_disagreements {
            return Err(Error::Fidelity {
                differing: f.rows - f.decisions_agree,
                rows: f.rows,
                threshold,
                input_bits: tried.iter().map(|t| t.0).collect(),
                sample: f.disagreements.iter().take(8).copied().collect(),
            });
        }
        (best, "most decisions equal; disagreements accepted by the user")
    };
    let calibration = CalibrationReport {
        input_bits: tried[index].0,
        chosen_by: if cfg.input_bits.is_some() { "user".into() } else { "compile".into() },
        reason: reason.into(),
        error_target: target,
        tried: tried
            .iter()
            .map(|(b, _, f)| TriedScale { input_bits: *b, decisions_agree: f.decisions_agree, max_abs_error: f.max_abs_error })
            .collect(),
    };
    let (_, q, f) = tried.swap_remove(index);
    Ok((q, f, calibration))
}

/// Compare the circuit's arithmetic with the float reference ([`OnnxModel::reference`]) on every row.
pub fn fidelity(onnx: &OnnxModel, q: &QuantizedModel, rows: &[Vec<f64>], threshold: f64) -> Result<FidelityReport> {
    let floats = rows.iter().map(|r| onnx.reference(r)).collect::<Result<Vec<f64>>>()?;
    compare(&floats, q, rows, threshold)
}

/// [`fidelity`] against precomputed float scores.
fn compare(floats: &[f64], q: &QuantizedModel, rows: &[Vec<f64>], threshold: f64) -> Result<FidelityReport> {
    let t = q.threshold_q(threshold)?;
    let (mut max, mut sum, mut agree, mut passes) = (0f64, 0f64, 0usize, 0usize);
    let mut disagreements = Vec::new();
    for (i, (r, &float)) in rows.iter().zip(floats).enumerate() {
        let trace = q.forward(&q.quantize_features(r)?)?;
        let err = (q.score(trace.logit) - float).abs();
        max = max.max(err);
        sum += err;
        let float_pass = float >= threshold;
        passes += usize::from(float_pass);
        if float_pass == (trace.logit >= t) {
            agree += 1;
        } else {
            disagreements.push(i);
        }
    }
    Ok(FidelityReport {
        rows: rows.len(),
        threshold,
        max_abs_error: max,
        mean_abs_error: sum / rows.len().max(1) as f64,
        decisions_agree: agree,
        disagreements,
        float_passes: passes,
    })
}
