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
use crate::quantize::{calibrate, QuantConfig, QuantizedModel, DEFAULT_ACTIVATION_BITS, DEFAULT_WEIGHT_BITS};

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

/// One pair of scales `compile` tried.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct TriedScale {
    /// Fractional input bits.
    pub input_bits: u32,
    /// Bits of each layer's largest weight.
    #[serde(default)]
    pub weight_bits: u32,
    /// Fractional bits of hidden activations.
    #[serde(default)]
    pub activation_bits: u32,
    /// Calibration rows whose decision equals the float model's.
    pub decisions_agree: usize,
    /// Max |quantized score - float score|.
    pub max_abs_error: f64,
}

/// What `compile` chose for the input and activation scales, and why.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct CalibrationReport {
    /// The fractional input bits of the model.
    pub input_bits: u32,
    /// The bits of each layer's largest weight.
    #[serde(default)]
    pub weight_bits: u32,
    /// The fractional bits of its hidden activations.
    #[serde(default)]
    pub activation_bits: u32,
    /// `user` (every scale given) or `compile` (some chosen).
    pub chosen_by: String,
    /// Why these scales.
    pub reason: String,
    /// The score error aimed for.
    pub error_target: f64,
    /// Every pair of scales tried, in order.
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
        m.quantized.validate().map_err(|e| Error::parse(path, format!("quantized.{e}")))?;
        if let Some(enc) = &m.encoding {
            if enc.inputs != m.quantized.input_names() {
                return Err(Error::parse(path, "encoding.inputs differ from the names of quantized.features"));
            }
        }
        if m.digest != hex32(&m.digest_bytes()) {
            return Err(Error::parse(path, "the digest does not match the quantized model (edited or corrupt file)"));
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
                Error::parse(path, format!("{e}: an applicant file is JSON, {{\"features\": [numbers]}} or {{\"fields\": {{raw field: value}}}}"))
            }
        })?;
        self.applicant_value(&v, path)
    }

    /// The model inputs of an applicant given as a JSON object (`features` or raw `fields`);
    /// errors name `origin` (a file, or a file and line).
    pub fn applicant_value(&self, v: &serde_json::Value, origin: &Path) -> Result<Vec<f64>> {
        let path = origin;
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
    let n = onnx.model.inputs();
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

/// How far `compile` raises weight and activation bits, 4 at a time, while the score error misses
/// its target (each extra bit widens the range checks and the accumulators).
pub const MAX_REFINED_BITS: (u32, u32) = (32, 24);

/// A step counts as progress when it cuts the score error by at least this factor.
const PROGRESS: f64 = 0.9;

/// The score error `compile` aims for: 1e-3 of a probability, or of the float scores' spread for
/// a model without a sigmoid.
fn error_target(sigmoid: bool, floats: &[f64]) -> f64 {
    if sigmoid {
        return 1e-3;
    }
    let (lo, hi) = floats.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    1e-3 * (hi - lo).max(1.0)
}

/// One quantization tried by [`choose_scales`].
struct Candidate {
    bits: Bits,
    model: QuantizedModel,
    fidelity: FidelityReport,
}

/// Input, weight and activation bits.
#[derive(Clone, Copy)]
struct Bits {
    input: u32,
    weight: u32,
    activation: u32,
}

/// The search of [`choose_scales`]: every quantization tried, against precomputed float scores.
struct Search<'a> {
    onnx: &'a OnnxModel,
    ds: &'a dataset::Dataset,
    cfg: &'a QuantConfig,
    floats: Vec<f64>,
    threshold: f64,
    target: f64,
    tried: Vec<Candidate>,
}

impl Search<'_> {
    fn meets(&self, f: &FidelityReport) -> bool {
        f.decisions_agree == f.rows && f.max_abs_error <= self.target
    }

    /// Quantize at `bits`; `None` when the circuit cannot hold them (more bits than it supports).
    fn try_bits(&mut self, bits: Bits) -> Result<Option<usize>> {
        let cfg = QuantConfig {
            input_bits: Some(bits.input),
            weight_bits: Some(bits.weight),
            activation_bits: Some(bits.activation),
            ..self.cfg.clone()
        };
        let model = match calibrate(&self.onnx.model, &self.ds.names, &self.ds.rows, &cfg) {
            Ok(q) => q,
            Err(_) if !self.tried.is_empty() => return Ok(None),
            Err(e) => return Err(e),
        };
        let fidelity = compare(&self.floats, &model, &self.ds.rows, self.threshold)?;
        self.tried.push(Candidate { bits, model, fidelity });
        Ok(Some(self.tried.len() - 1))
    }

    /// The fewest input bits that meet the target; stops early once every decision agrees and
    /// more input bits no longer cut the error (something else limits it). Returns the best tried.
    fn inputs(&mut self, weight: u32, activation: u32) -> Result<usize> {
        let candidates = self.cfg.input_bits.map_or(INPUT_BITS_CANDIDATES.to_vec(), |b| vec![b]);
        let mut best: Option<usize> = None;
        for input in candidates {
            let Some(i) = self.try_bits(Bits { input, weight, activation })? else { break };
            let f = &self.tried[i].fidelity;
            let stalled = best.is_some_and(|b| {
                let prev = &self.tried[b].fidelity;
                prev.decisions_agree == prev.rows && f.max_abs_error >= PROGRESS * prev.max_abs_error
            });
            if self.meets(f) {
                return Ok(i);
            }
            if stalled {
                break;
            }
            best = Some(i);
        }
        best.ok_or_else(|| Error::Calibration("no input scale could be tried".into()))
    }

    /// The first candidate that meets the target; else the lowest score error with every decision
    /// equal; else the most decisions equal.
    fn pick(&self) -> usize {
        let t = &self.tried;
        if let Some(i) = t.iter().position(|c| self.meets(&c.fidelity)) {
            return i;
        }
        let agree = |i: &usize| t[*i].fidelity.decisions_agree == t[*i].fidelity.rows;
        let by_error = |a: &usize, b: &usize| t[*a].fidelity.max_abs_error.total_cmp(&t[*b].fidelity.max_abs_error);
        if let Some(i) = (0..t.len()).filter(agree).min_by(by_error) {
            return i;
        }
        (0..t.len()).max_by_key(|i| (t[*i].fidelity.decisions_agree, usize::MAX - *i)).unwrap_or(0)
    }

    /// Raise weight or activation bits (whichever cuts the error more) while the target is missed
    /// and a step still makes progress.
    fn refine(&mut self, mut best: usize) -> Result<usize> {
        while !self.meets(&self.tried[best].fidelity) {
            let b = self.tried[best].bits;
            let mut steps = Vec::new();
            if self.cfg.weight_bits.is_none() && b.weight + 4 <= MAX_REFINED_BITS.0 {
                steps.push(Bits { weight: b.weight + 4, ..b });
            }
            if self.cfg.activation_bits.is_none() && b.activation + 4 <= MAX_REFINED_BITS.1 {
                steps.push(Bits { activation: b.activation + 4, ..b });
            }
            let mut next: Option<usize> = None;
            for bits in steps {
                if let Some(i) = self.try_bits(bits)? {
                    let better = |j: usize| self.tried[i].fidelity.max_abs_error < self.tried[j].fidelity.max_abs_error;
                    if next.is_none_or(better) {
                        next = Some(i);
                    }
                }
            }
            match next {
                Some(i) if self.tried[i].fidelity.max_abs_error < PROGRESS * self.tried[best].fidelity.max_abs_error => best = i,
                _ => break,
            }
        }
        Ok(best)
    }
}

/// Quantize with the user's scales, or choose them: the fewest input bits (of
/// [`INPUT_BITS_CANDIDATES`]) at which every calibration row's decision equals the float model's
/// and the score error is within [`error_target`]; if the error target is missed, weight and
/// activation bits are raised (see [`Search::refine`]). Without every decision equal the model is
/// refused unless [`QuantConfig::accept_disagreements`].
fn choose_scales(
    onnx: &OnnxModel,
    ds: &dataset::Dataset,
    cfg: &QuantConfig,
    threshold: f64,
) -> Result<(QuantizedModel, FidelityReport, CalibrationReport)> {
    let floats = ds.rows.iter().map(|r| onnx.reference(r)).collect::<Result<Vec<f64>>>()?;
    let target = error_target(onnx.model.sigmoid(), &floats);
    let mut search = Search { onnx, ds, cfg, floats, threshold, target, tried: Vec::new() };
    let weight = cfg.weight_bits.unwrap_or(DEFAULT_WEIGHT_BITS);
    let activation = cfg.activation_bits.unwrap_or(DEFAULT_ACTIVATION_BITS);
    let first = search.inputs(weight, activation)?;
    search.refine(first)?;
    let index = search.pick();
    let chosen = &search.tried[index].fidelity;
    let reason = if search.meets(chosen) {
        "fewest bits with every decision equal and the score error within the target"
    } else if chosen.decisions_agree == chosen.rows {
        "every decision equal; more bits did not bring the score error within the target"
    } else if !cfg.accept_disagreements {
        let mut input_bits: Vec<u32> = search.tried.iter().map(|c| c.bits.input).collect();
        input_bits.sort_unstable();
        input_bits.dedup();
        return Err(Error::Fidelity {
            differing: chosen.rows - chosen.decisions_agree,
            rows: chosen.rows,
            threshold,
            input_bits,
            sample: chosen.disagreements.iter().take(8).copied().collect(),
        });
    } else {
        "most decisions equal; disagreements accepted by the user"
    };
    let all_given = cfg.input_bits.is_some() && cfg.weight_bits.is_some() && cfg.activation_bits.is_some();
    let b = search.tried[index].bits;
    let calibration = CalibrationReport {
        input_bits: b.input,
        weight_bits: b.weight,
        activation_bits: b.activation,
        chosen_by: if all_given { "user" } else { "compile" }.into(),
        reason: reason.into(),
        error_target: target,
        tried: search
            .tried
            .iter()
            .map(|c| TriedScale {
                input_bits: c.bits.input,
                weight_bits: c.bits.weight,
                activation_bits: c.bits.activation,
                decisions_agree: c.fidelity.decisions_agree,
                max_abs_error: c.fidelity.max_abs_error,
            })
            .collect(),
    };
    let chosen = search.tried.swap_remove(index);
    Ok((chosen.model, chosen.fidelity, calibration))
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
