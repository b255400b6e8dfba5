//! ONNX import: find the score a graph computes and lower it to a [`Float`] model (a
//! [`FloatModel`]: dense layers with activations between them and an optional final sigmoid; or a
//! [`TreeEnsemble`]), and evaluate the float reference.
//!
//! What exporters emit is taken as it comes ([`lower`] lists every op): the score output is found
//! among the graph's outputs (a ZipMap is followed back to its probabilities), the positive class
//! of a binary classifier is picked, and everything that does not feed the score (the label
//! branch: ArgMax, Cast, ArrayFeatureExtractor over the class list, ZipMap) is ignored. Affine
//! preprocessing (Scaler, BatchNormalization, Sub/Add/Mul/Div by constants) folds into the linear
//! layers.
//!
//! The float reference is tract, run on the score's part of the graph; where tract cannot run
//! it (Scaler, for one), the lowered network in `f64` is the reference, and the import says so
//! ([`Reference`]).

mod attrs;
mod graph;
mod lower;
mod tensor;
pub mod trees;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tract_onnx::prelude::*;

use crate::error::{Error, Result};
pub use trees::TreeEnsemble;

/// A dense layer `y = W x + b`, weights stored as `[out][in]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    /// `weights[o][i]`.
    pub weights: Vec<Vec<f64>>,
    /// One bias per output.
    pub bias: Vec<f64>,
}

impl Dense {
    /// Inputs of the layer.
    pub fn inputs(&self) -> usize {
        self.weights.first().map_or(0, Vec::len)
    }
    /// Outputs of the layer.
    pub fn outputs(&self) -> usize {
        self.weights.len()
    }
}

/// The activation after a hidden layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Activation {
    /// `max(x, 0)`.
    Relu,
    /// `x` for `x >= 0`, else `alpha x` (LeakyRelu; PRelu with one slope per neuron).
    LeakyRelu {
        /// One slope per neuron of the layer.
        alpha: Vec<f64>,
    },
    /// `min(max(x, 0), max)` (Clip with a lower bound of 0, e.g. ReLU6).
    Clip {
        /// The upper bound.
        max: f64,
    },
}

impl Activation {
    /// Apply to one value.
    pub fn apply(&self, x: f64, neuron: usize) -> f64 {
        match self {
            Activation::Relu => x.max(0.0),
            Activation::LeakyRelu { alpha } => {
                if x >= 0.0 {
                    x
                } else {
                    alpha.get(neuron).copied().unwrap_or(0.0) * x
                }
            }
            Activation::Clip { max } => x.clamp(0.0, *max),
        }
    }

    /// The ONNX op it came from, for messages.
    pub fn op(&self) -> &'static str {
        match self {
            Activation::Relu => "Relu",
            Activation::LeakyRelu { .. } => "LeakyRelu",
            Activation::Clip { .. } => "Clip",
        }
    }
}

/// A feed-forward network: dense layers with an activation after every one but the last, and an
/// optional final sigmoid.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatModel {
    /// The layers in order.
    pub layers: Vec<Dense>,
    /// The activation after each hidden layer (`layers.len() - 1` of them).
    pub activations: Vec<Activation>,
    /// Whether the output passes through a sigmoid (a probability) or is a raw score (a logit or
    /// a regression output).
    pub sigmoid: bool,
}

impl FloatModel {
    /// Number of model inputs.
    pub fn inputs(&self) -> usize {
        self.layers.first().map_or(0, Dense::inputs)
    }

    /// Float forward pass in f64 (returns the score before the sigmoid).
    pub fn logit(&self, x: &[f64]) -> f64 {
        let mut cur = x.to_vec();
        for (l, layer) in self.layers.iter().enumerate() {
            let mut next: Vec<f64> =
                layer.weights.iter().zip(&layer.bias).map(|(row, b)| row.iter().zip(&cur).map(|(w, v)| w * v).sum::<f64>() + b).collect();
            if let Some(act) = self.activations.get(l) {
                next.iter_mut().enumerate().for_each(|(i, v)| *v = act.apply(*v, i));
            }
            cur = next;
        }
        cur[0]
    }

    /// The model's output: the probability for a sigmoid model, else the raw score.
    pub fn output(&self, x: &[f64]) -> f64 {
        let l = self.logit(x);
        if self.sigmoid {
            sigmoid(l)
        } else {
            l
        }
    }
}

/// The float model an ONNX graph's score lowers to.
#[derive(Clone, Debug, PartialEq)]
pub enum Float {
    /// A feed-forward network (linear models included).
    Network(FloatModel),
    /// A tree ensemble.
    Trees(TreeEnsemble),
}

impl Float {
    /// Number of model inputs.
    pub fn inputs(&self) -> usize {
        match self {
            Float::Network(n) => n.inputs(),
            Float::Trees(t) => t.inputs,
        }
    }

    /// Whether the output is a probability (a final sigmoid).
    pub fn sigmoid(&self) -> bool {
        match self {
            Float::Network(n) => n.sigmoid,
            Float::Trees(t) => t.sigmoid,
        }
    }

    /// The model's output in `f64`.
    pub fn output(&self, x: &[f64]) -> f64 {
        match self {
            Float::Network(n) => n.output(x),
            Float::Trees(t) => t.output(x),
        }
    }

    /// The network, if the model is one.
    pub fn network(&self) -> Option<&FloatModel> {
        match self {
            Float::Network(n) => Some(n),
            Float::Trees(_) => None,
        }
    }

    /// The tree ensemble, if the model is one.
    pub fn trees(&self) -> Option<&TreeEnsemble> {
        match self {
            Float::Network(_) => None,
            Float::Trees(t) => Some(t),
        }
    }
}

/// Where the float reference comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reference {
    /// tract, running the score's part of the ONNX graph.
    Tract,
    /// The lowered model in `f64` (tract does not run an op of this graph).
    Lowered,
}

/// An ONNX model loaded for zkcredit: the lowered network and the float reference.
pub struct OnnxModel {
    /// Where it was read from.
    pub path: PathBuf,
    /// Keccak-256 of the file bytes.
    pub file_keccak: [u8; 32],
    /// The lowered model.
    pub model: Float,
    /// The graph input's name (what a calibration column may be called when there is one input).
    pub input_name: String,
    /// The tensor the score was read from, and the column of the positive class in it.
    pub score: (String, usize),
    /// What [`OnnxModel::reference`] runs.
    pub reference_kind: Reference,
    /// Why tract is not the reference, when it is not.
    pub tract_error: Option<String>,
    runnable: Option<std::sync::Arc<TypedSimplePlan>>,
}

impl std::fmt::Debug for OnnxModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnnxModel").field("path", &self.path).field("model", &self.model).field("score", &self.score).finish()
    }
}

impl OnnxModel {
    /// Read an ONNX file, find its score and lower it.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let onnx_err = |reason: String| Error::Onnx { path: path.to_path_buf(), reason };
        let proto = tract_onnx::onnx().proto_model_for_read(&mut bytes.as_slice()).map_err(|e| onnx_err(format!("{e:#}")))?;
        let g = proto.graph.as_ref().ok_or_else(|| onnx_err("the model has no graph".into()))?;
        let graph = graph::Graph::new(path, g)?;
        let lowered = lower::lower(&graph)?;
        let model = lowered.model;
        let n = model.inputs();
        let (runnable, tract_error) = match tract_plan(&proto, &graph, &lowered.score.0, n) {
            Ok(plan) => (Some(plan), None),
            Err(e) => (None, Some(format!("{e:#}"))),
        };
        let model = OnnxModel {
            path: path.to_path_buf(),
            file_keccak: crate::digest::keccak(&bytes),
            model,
            input_name: graph.input_name().to_string(),
            score: lowered.score,
            reference_kind: if runnable.is_some() { Reference::Tract } else { Reference::Lowered },
            tract_error,
            runnable,
        };
        // Where tract runs the graph, the lowered network must reproduce it.
        if model.runnable.is_some() {
            for probe in 0..4 {
                let x: Vec<f64> = (0..n).map(|i| ((i * 7 + 3 + probe * 5) % 5) as f64 * 0.5 - 0.5 * probe as f64).collect();
                let tract_out = model.reference(&x)?;
                let ours = model.model.output(&x);
                if (tract_out - ours).abs() > 1e-3 * (1.0 + ours.abs()) {
                    return Err(onnx_err(format!(
                        "the lowered network disagrees with tract ({ours} vs {tract_out}): please report this model"
                    )));
                }
            }
        }
        Ok(model)
    }

    /// The float reference score (a probability if the model ends in a sigmoid), from tract where
    /// it runs the graph, else from the lowered network.
    pub fn reference(&self, x: &[f64]) -> Result<f64> {
        let n = self.model.inputs();
        if x.len() != n {
            return Err(Error::FeatureCount { expected: n, got: x.len() });
        }
        let Some(runnable) = &self.runnable else {
            return Ok(self.model.output(x));
        };
        let err = |reason: String| Error::Onnx { path: self.path.clone(), reason };
        let data: Vec<f32> = x.iter().map(|v| *v as f32).collect();
        let input = Tensor::from_shape(&[1, n], &data).map_err(|e| err(format!("{e:#}")))?;
        let out = runnable.run(tvec!(input.into_tvalue())).map_err(|e| err(format!("tract run failed: {e:#}")))?;
        let out = out[0].cast_to::<f32>().map_err(|e| err(format!("{e:#}")))?;
        let view = out.to_plain_array_view::<f32>().map_err(|e| err(format!("{e:#}")))?;
        view.iter().nth(self.score.1).map(|v| f64::from(*v)).ok_or_else(|| err(format!("tract's output has no column {}", self.score.1)))
    }
}

/// tract, on the part of the graph the score depends on (the label branch and ZipMap removed).
fn tract_plan(
    proto: &tract_onnx::pb::ModelProto,
    graph: &graph::Graph,
    score: &str,
    n: usize,
) -> TractResult<std::sync::Arc<TypedSimplePlan>> {
    let mut pruned = proto.clone();
    if let Some(g) = pruned.graph.as_mut() {
        g.node = graph.slice_nodes(score).into_iter().cloned().collect();
        g.output.retain(|o| o.name == score);
        if g.output.is_empty() {
            g.output.push(tract_onnx::pb::ValueInfoProto { name: score.to_string(), ..Default::default() });
        }
        g.value_info.clear();
    }
    let model = tract_onnx::onnx().model_for_proto_model(&pruned)?.with_input_fact(0, f32::fact([1, n]).into())?;
    model.into_optimized()?.into_runnable()
}

/// The logistic function.
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}
