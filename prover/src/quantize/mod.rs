//! Fixed-point quantization and calibration.
//!
//! Inputs are quantized as `X = round(x * 2^input_scale)`. Each layer gets its own weight scale
//! `2^s_w`, chosen so the largest weight uses `weight_bits` bits; biases are quantized at the
//! accumulator scale. After a hidden layer the accumulator `Y` is divided by `2^shift` with
//! floor division (`Y = Q * 2^shift + rem`, `0 <= rem < 2^shift`) to bring it back to the
//! activation scale, then ReLU is applied. The final layer is not rescaled: its accumulator is the
//! logit `L` at scale `2^output_scale`, compared with the quantized threshold logit.
//!
//! Calibration fixes every bit width from interval bounds over the allowed feature box, so every
//! applicant inside the calibrated feature ranges can be proved.

mod calibrate;
pub mod trees;
mod validate;
mod widths;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::onnx::sigmoid;

pub use calibrate::calibrate;
pub use trees::{feature_thresholds, QNode, QTree, QTrees};

/// Knobs of the quantizer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct QuantConfig {
    /// Inputs are scaled by `2^input_bits` before rounding (0 keeps integer features exact).
    /// `None`: `compile` chooses the fewest bits that keep every calibration row's decision (see
    /// [`crate::model::compile`]).
    pub input_bits: Option<u32>,
    /// Bits used by the largest weight of each layer. `None`: `compile` starts at
    /// [`DEFAULT_WEIGHT_BITS`] and raises them while the score error misses its target.
    pub weight_bits: Option<u32>,
    /// Fractional bits of hidden activations. `None`: `compile` starts at
    /// [`DEFAULT_ACTIVATION_BITS`] and raises them while the score error misses its target.
    pub activation_bits: Option<u32>,
    /// Allowed feature range = calibration min/max widened by this fraction of the span on each side.
    pub range_margin: f64,
    /// Write the model even when its decisions differ from the float model's on some calibration
    /// rows (the count is recorded in the fidelity report).
    #[serde(default)]
    pub accept_disagreements: bool,
}

/// Fractional bits of hidden activations when neither the user nor the search sets them.
pub const DEFAULT_ACTIVATION_BITS: u32 = 16;

/// Bits of each layer's largest weight when neither the user nor the search sets them.
pub const DEFAULT_WEIGHT_BITS: u32 = 24;

impl Default for QuantConfig {
    fn default() -> Self {
        QuantConfig { input_bits: None, weight_bits: None, activation_bits: None, range_margin: 0.25, accept_disagreements: false }
    }
}

/// The allowed range of one model input and how the circuit range-checks it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FeatureSpec {
    /// Input name (from the dataset header).
    pub name: String,
    /// Smallest accepted value (float units).
    pub min: f64,
    /// Largest accepted value (float units).
    pub max: f64,
    /// Quantized lower end of the circuit's envelope: the circuit commits `X - offset`.
    pub offset: i64,
    /// `X - offset` is range-checked to `bits` bits.
    pub bits: u32,
}

/// A quantized dense layer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct QLayer {
    /// `weights[o][i]` at scale `2^weight_scale`.
    pub weights: Vec<Vec<i64>>,
    /// Biases at the accumulator scale.
    pub bias: Vec<i64>,
    /// Fractional bits of the weights.
    pub weight_scale: u32,
    /// Right shift applied to the accumulator (hidden layers; 0 for the output layer).
    pub shift: u32,
    /// Hidden layers: the rescaled value `Q` lies in `[-2^out_bits, 2^out_bits)`. 0 for the output layer.
    pub out_bits: u32,
    /// A hidden layer followed by LeakyRelu/PRelu passes on `relu(Q)` and then `Q` (twice as
    /// many values): `leaky(Q) = alpha Q + (1 - alpha) relu(Q)` is linear in the two, so the next
    /// layer's weights carry the slopes and the circuit needs no gadget beyond ReLU.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub passes_raw: bool,
    /// A hidden layer followed by Clip(0, max) passes on `relu(Q)` and then `relu(Q - max)`:
    /// `clip(Q) = relu(Q) - relu(Q - max)`, a second ReLU per neuron.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip: Option<ClipSpec>,
}

/// The upper bound of a Clip(0, max) activation in fixed point.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ClipSpec {
    /// `max` at the scale of `Q`.
    pub max_q: i64,
    /// `Q - max_q` lies in `[-2^bits, 2^bits)` (`bits + 1` is even: decomposed two bits per row).
    pub bits: u32,
}

/// What the circuit evaluates on the features (serialized as the model file's `layers` or
/// `trees` field).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    /// Dense layers; ReLU after all but the last.
    Layers(Vec<QLayer>),
    /// A tree ensemble.
    Trees(QTrees),
}

/// The fixed-point model the circuit implements.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct QuantizedModel {
    /// Fractional bits of the inputs.
    pub input_scale: u32,
    /// One entry per model input.
    pub features: Vec<FeatureSpec>,
    /// The layers or the trees.
    #[serde(flatten)]
    pub body: Body,
    /// Fractional bits of the output logit (the score of a tree ensemble).
    pub output_scale: u32,
    /// Whether the float model ends in a sigmoid (threshold given as a probability).
    pub sigmoid: bool,
    /// `|logit| <= logit_bound` for every applicant inside the calibrated feature ranges.
    pub logit_bound: i64,
    /// `L - T` is range-checked to this many bits (enough for `2 * logit_bound`).
    pub compare_bits: u32,
}

/// Every intermediate value of the integer forward pass (the circuit's witness).
#[derive(Clone, Debug)]
pub struct ForwardTrace {
    /// Quantized inputs.
    pub x: Vec<i64>,
    /// Per layer: accumulators `Y` (bias included).
    pub acc: Vec<Vec<i128>>,
    /// Per hidden layer: rescaled values `Q = floor(Y / 2^shift)`.
    pub rescaled: Vec<Vec<i128>>,
    /// Per hidden layer: ReLU outputs.
    pub activations: Vec<Vec<i128>>,
    /// The output logit at scale `2^output_scale`.
    pub logit: i128,
}

/// `b` rounded up to an even number.
pub fn even(b: u32) -> u32 {
    b + (b & 1)
}

/// Smallest `b` with `v < 2^b` (at least 1).
pub fn bits_for(v: u128) -> u32 {
    (128 - v.leading_zeros()).max(1)
}

impl QuantizedModel {
    /// Number of inputs.
    pub fn inputs(&self) -> usize {
        self.features.len()
    }

    /// The input names, in order (what calibration and applicant data are matched by).
    pub fn input_names(&self) -> Vec<String> {
        self.features.iter().map(|f| f.name.clone()).collect()
    }

    /// Check and quantize one applicant's features.
    pub fn quantize_features(&self, x: &[f64]) -> Result<Vec<i64>> {
        if x.len() != self.inputs() {
            return Err(Error::FeatureCount { expected: self.inputs(), got: x.len() });
        }
        let scale = (self.input_scale as f64).exp2();
        x.iter()
            .zip(&self.features)
            .enumerate()
            .map(|(i, (v, f))| {
                let err = |reason: String| Error::FeatureOutOfRange { index: i, name: f.name.clone(), value: *v, reason };
                if !v.is_finite() {
                    return Err(err("not a finite number".into()));
                }
                if *v < f.min || *v > f.max {
                    return Err(err(format!("outside the calibrated range [{}, {}]", f.min, f.max)));
                }
                let q = (v * scale).round() as i64;
                let off = q - f.offset;
                if off < 0 || (off as u128) >> f.bits != 0 {
                    return Err(err(format!("quantized value {q} does not fit the circuit's {}-bit range", f.bits)));
                }
                Ok(q)
            })
            .collect()
    }

    /// The shape in one line: `layers 57x16 -> 16x8 -> 8x1`, or the trees' count, depth and splits.
    pub fn summary(&self) -> String {
        match &self.body {
            Body::Layers(layers) => format!(
                "layers {}",
                layers
                    .iter()
                    .map(|l| format!("{}x{}", l.weights.first().map_or(0, Vec::len), l.weights.len()))
                    .collect::<Vec<_>>()
                    .join(" -> ")
            ),
            Body::Trees(t) => {
                let n = t.trees.len();
                let depth = t.trees.iter().map(QTree::depth).max().unwrap_or(0);
                format!("{n} tree{}, depth <= {depth}, {} splits", if n == 1 { "" } else { "s" }, t.splits())
            }
        }
    }

    /// The dense layers, for a network.
    pub fn layers(&self) -> Option<&[QLayer]> {
        match &self.body {
            Body::Layers(l) => Some(l),
            Body::Trees(_) => None,
        }
    }

    /// The tree ensemble, for a tree model.
    pub fn trees(&self) -> Option<&QTrees> {
        match &self.body {
            Body::Layers(_) => None,
            Body::Trees(t) => Some(t),
        }
    }

    /// Integer forward pass, exactly as the circuit computes it.
    pub fn forward(&self, x: &[i64]) -> Result<ForwardTrace> {
        let mut trace = ForwardTrace { x: x.to_vec(), acc: vec![], rescaled: vec![], activations: vec![], logit: 0 };
        let layers = match &self.body {
            Body::Layers(layers) => layers,
            Body::Trees(trees) => {
                trace.logit = trees.score(x);
                return Ok(trace);
            }
        };
        let mut cur: Vec<i128> = x.iter().map(|v| i128::from(*v)).collect();
        for (l, layer) in layers.iter().enumerate() {
            let y: Vec<i128> = layer
                .weights
                .iter()
                .zip(&layer.bias)
                .map(|(row, b)| row.iter().zip(&cur).map(|(w, v)| i128::from(*w) * v).sum::<i128>() + i128::from(*b))
                .collect();
            trace.acc.push(y.clone());
            if l + 1 == layers.len() {
                trace.logit = y[0];
                break;
            }
            let q: Vec<i128> = y.iter().map(|v| v >> layer.shift).collect();
            let bound = 1i128 << layer.out_bits;
            if let Some((j, v)) = q.iter().enumerate().find(|(_, v)| **v < -bound || **v >= bound) {
                return Err(Error::Calibration(format!(
                    "layer {l} neuron {j}: value {v} outside the calibrated {}-bit range",
                    layer.out_bits
                )));
            }
            cur = q.iter().map(|v| (*v).max(0)).collect();
            if layer.passes_raw {
                cur.extend(&q);
            }
            if let Some(c) = &layer.clip {
                let d: Vec<i128> = q.iter().map(|v| v - i128::from(c.max_q)).collect();
                if let Some((j, v)) = d.iter().enumerate().find(|(_, v)| v.unsigned_abs() >= 1u128 << c.bits) {
                    return Err(Error::Calibration(format!(
                        "layer {l} neuron {j}: Q - max = {v} outside the calibrated {}-bit range",
                        c.bits
                    )));
                }
                cur.extend(d.iter().map(|v| (*v).max(0)));
            }
            trace.rescaled.push(q);
            trace.activations.push(cur.clone());
        }
        Ok(trace)
    }

    /// The quantized model's score: a probability if the model ends in a sigmoid, else the logit.
    pub fn score(&self, logit: i128) -> f64 {
        let l = logit as f64 / (self.output_scale as f64).exp2();
        if self.sigmoid {
            sigmoid(l)
        } else {
            l
        }
    }

    /// The threshold in fixed point: pass iff `logit >= threshold_q`. For sigmoid models the
    /// threshold is a probability in (0, 1), compared as `logit >= ceil(logit(p) * 2^output_scale)`.
    pub fn threshold_q(&self, threshold: f64) -> Result<i128> {
        let bad = |reason: &str| Error::BadValue { what: format!("threshold {threshold}"), reason: reason.to_string() };
        if !threshold.is_finite() {
            return Err(bad("not a finite number"));
        }
        let l = if self.sigmoid {
            if threshold <= 0.0 || threshold >= 1.0 {
                return Err(bad("a probability threshold must lie strictly between 0 and 1"));
            }
            (threshold / (1.0 - threshold)).ln()
        } else {
            threshold
        };
        let t = (l * (self.output_scale as f64).exp2()).ceil();
        let bound = self.logit_bound as f64;
        if t.abs() > bound {
            let scale = (self.output_scale as f64).exp2();
            return Err(bad(&format!(
                "its logit {l:.3} lies outside the model's reachable logit range [{:.3}, {:.3}]: every applicant would {}",
                -bound / scale,
                bound / scale,
                if t < 0.0 { "pass" } else { "fail" }
            )));
        }
        Ok(t as i128)
    }
}
