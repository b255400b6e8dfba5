//! ONNX import: read a graph of Gemm/MatMul/Add/Relu/Sigmoid (plus shape-only ops) into a
//! [`FloatModel`], and run the float reference forward pass through tract.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tract_onnx::pb::{AttributeProto, NodeProto, TensorProto};
use tract_onnx::prelude::*;

use crate::error::{Error, Result};

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

/// A feed-forward network: dense layers with ReLU between them, and an optional final sigmoid.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatModel {
    /// The layers in order; a ReLU follows every layer but the last.
    pub layers: Vec<Dense>,
    /// Whether the output passes through a sigmoid (a probability) or is a raw logit.
    pub sigmoid: bool,
}

impl FloatModel {
    /// Number of model inputs.
    pub fn inputs(&self) -> usize {
        self.layers.first().map_or(0, Dense::inputs)
    }

    /// Float forward pass in f64 (returns the logit, before the sigmoid).
    pub fn logit(&self, x: &[f64]) -> f64 {
        let mut cur = x.to_vec();
        for (l, layer) in self.layers.iter().enumerate() {
            let mut next: Vec<f64> =
                layer.weights.iter().zip(&layer.bias).map(|(row, b)| row.iter().zip(&cur).map(|(w, v)| w * v).sum::<f64>() + b).collect();
            if l + 1 < self.layers.len() {
                next.iter_mut().for_each(|v| *v = v.max(0.0));
            }
            cur = next;
        }
        cur[0]
    }
}

/// An ONNX model loaded for zkcredit: the layer structure plus a tract runnable for the reference.
pub struct OnnxModel {
    /// Where it was read from.
    pub path: PathBuf,
    /// Keccak-256 of the file bytes.
    pub file_keccak: [u8; 32],
    /// The extracted network.
    pub network: FloatModel,
    runnable: std::sync::Arc<TypedSimplePlan>,
}

impl std::fmt::Debug for OnnxModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnnxModel").field("path", &self.path).field("network", &self.network).finish()
    }
}

impl OnnxModel {
    /// Read and check an ONNX file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let onnx_err = |reason: String| Error::Onnx { path: path.to_path_buf(), reason };
        let proto = tract_onnx::onnx().proto_model_for_read(&mut bytes.as_slice()).map_err(|e| onnx_err(format!("{e:#}")))?;
        let graph = proto.graph.as_ref().ok_or_else(|| onnx_err("the model has no graph".into()))?;
        let network = extract(path, graph)?;
        let n = network.inputs();
        let runnable = tract_onnx::onnx()
            .model_for_read(&mut bytes.as_slice())
            .and_then(|m| m.with_input_fact(0, f32::fact([1, n]).into()))
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| onnx_err(format!("tract could not load it: {e:#}")))?;
        let model = OnnxModel { path: path.to_path_buf(), file_keccak: crate::digest::keccak(&bytes), network, runnable };
        // The extracted network must reproduce tract's own evaluation.
        let probe: Vec<f64> = (0..n).map(|i| ((i * 7 + 3) % 5) as f64 * 0.5).collect();
        let tract_out = model.reference(&probe)?;
        let ours = model.network.logit(&probe);
        let ours = if model.network.sigmoid { sigmoid(ours) } else { ours };
        if (tract_out - ours).abs() > 1e-3 * (1.0 + ours.abs()) {
            return Err(onnx_err(format!("extracted network disagrees with tract ({ours} vs {tract_out})")));
        }
        Ok(model)
    }

    /// The float reference output (probability if the model ends in a sigmoid) computed by tract.
    pub fn reference(&self, x: &[f64]) -> Result<f64> {
        let n = self.network.inputs();
        if x.len() != n {
            return Err(Error::FeatureCount { expected: n, got: x.len() });
        }
        let data: Vec<f32> = x.iter().map(|v| *v as f32).collect();
        let input = Tensor::from_shape(&[1, n], &data).map_err(|e| Error::Onnx { path: self.path.clone(), reason: format!("{e:#}") })?;
        let out = self
            .runnable
            .run(tvec!(input.into_tvalue()))
            .map_err(|e| Error::Onnx { path: self.path.clone(), reason: format!("tract run failed: {e:#}") })?;
        let view = out[0].to_plain_array_view::<f32>().map_err(|e| Error::Onnx { path: self.path.clone(), reason: format!("{e:#}") })?;
        view.iter().next().map(|v| f64::from(*v)).ok_or_else(|| Error::Onnx { path: self.path.clone(), reason: "empty output".into() })
    }
}

/// The logistic function.
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

struct Matrix {
    dims: Vec<usize>,
    data: Vec<f64>,
}

fn tensor_values(path: &Path, t: &TensorProto) -> Result<Matrix> {
    let bad = |reason: String| Error::Onnx { path: path.to_path_buf(), reason: format!("tensor `{}`: {reason}", t.name) };
    let dims =
        t.dims.iter().map(|d| usize::try_from(*d).map_err(|_| bad(format!("negative dimension {d}")))).collect::<Result<Vec<_>>>()?;
    let count: usize = dims.iter().product();
    let data: Vec<f64> = match t.data_type {
        1 if !t.raw_data.is_empty() => {
            t.raw_data.chunks_exact(4).map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]]))).collect()
        }
        1 => t.float_data.iter().map(|v| f64::from(*v)).collect(),
        11 if !t.raw_data.is_empty() => t.raw_data.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect(),
        11 => t.double_data.clone(),
        7 if !t.raw_data.is_empty() => {
            t.raw_data.chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().unwrap_or([0; 8])) as f64).collect()
        }
        7 => t.int64_data.iter().map(|v| *v as f64).collect(),
        other => return Err(bad(format!("unsupported tensor data type {other} (expected float, double or int64)"))),
    };
    if data.len() != count {
        return Err(bad(format!("holds {} values but its shape {:?} needs {count} (external data is not supported)", data.len(), dims)));
    }
    if let Some(v) = data.iter().find(|v| !v.is_finite()) {
        return Err(bad(format!("contains the non-finite value {v}")));
    }
    Ok(Matrix { dims, data })
}

fn attr<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

fn node_name(node: &NodeProto, idx: usize) -> String {
    if node.name.is_empty() {
        format!("#{idx} ({})", node.op_type)
    } else {
        node.name.clone()
    }
}

/// Walk the graph in order, following the single activation tensor from the graph input.
fn extract(path: &Path, graph: &tract_onnx::pb::GraphProto) -> Result<FloatModel> {
    let mut consts: HashMap<String, Matrix> = HashMap::new();
    for init in &graph.initializer {
        consts.insert(init.name.clone(), tensor_values(path, init)?);
    }
    let input = graph
        .input
        .iter()
        .find(|i| !consts.contains_key(&i.name))
        .ok_or_else(|| Error::Onnx { path: path.to_path_buf(), reason: "the graph has no non-constant input".into() })?;
    let mut cur = input.name.clone();
    let mut layers: Vec<Dense> = Vec::new();
    // Whether the last op on the activation was a dense layer (so Add may fold into its bias),
    // a ReLU, or a sigmoid (which must be last).
    #[derive(PartialEq)]
    enum Last {
        Start,
        Dense,
        Relu,
        Sigmoid,
    }
    let mut last = Last::Start;
    let structure = |node: &str, reason: &str| Error::UnsupportedStructure {
        path: path.to_path_buf(),
        node: node.to_string(),
        reason: reason.to_string(),
    };

    for (idx, node) in graph.node.iter().enumerate() {
        let name = node_name(node, idx);
        let op = node.op_type.as_str();
        if op == "Constant" {
            let t = attr(node, "value").and_then(|a| a.t.as_ref()).ok_or_else(|| structure(&name, "Constant without a tensor `value`"))?;
            let out = node.output.first().ok_or_else(|| structure(&name, "Constant without output"))?;
            consts.insert(out.clone(), tensor_values(path, t)?);
            continue;
        }
        if !matches!(op, "Gemm" | "MatMul" | "Add" | "Relu" | "Sigmoid" | "Flatten" | "Reshape" | "Identity") {
            return Err(Error::UnsupportedOp { path: path.to_path_buf(), op: op.to_string(), node: name });
        }
        if !node.input.contains(&cur) {
            return Err(structure(
                &name,
                &format!("does not consume the running activation `{cur}` (only a single chain of layers is supported)"),
            ));
        }
        if last == Last::Sigmoid {
            return Err(structure(&name, "only a Sigmoid may end the graph; nothing may follow it"));
        }
        match op {
            "Gemm" | "MatMul" => {
                if last == Last::Dense {
                    return Err(structure(&name, "two linear layers without a Relu between them; fold them into one"));
                }
                let (a, b) = (&node.input[0], node.input.get(1).ok_or_else(|| structure(&name, "missing weight input"))?);
                if *a != cur {
                    return Err(structure(&name, "the activation must be the first input"));
                }
                let w = consts.get(b).ok_or_else(|| structure(&name, "the weight must be a constant initializer"))?;
                if w.dims.len() != 2 {
                    return Err(structure(&name, "the weight must be a matrix"));
                }
                let get_i = |n: &str, d: i64| attr(node, n).map_or(d, |a| a.i);
                let get_f = |n: &str| attr(node, n).map_or(1.0, |a| f64::from(a.f));
                if op == "Gemm" && get_i("transA", 0) != 0 {
                    return Err(structure(&name, "Gemm with transA=1 is not supported"));
                }
                let trans_b = op == "Gemm" && get_i("transB", 0) != 0;
                let (alpha, beta) = if op == "Gemm" { (get_f("alpha"), get_f("beta")) } else { (1.0, 1.0) };
                let (rows, cols) = (w.dims[0], w.dims[1]);
                let (n_in, n_out) = if trans_b { (cols, rows) } else { (rows, cols) };
                let weights: Vec<Vec<f64>> = (0..n_out)
                    .map(|o| (0..n_in).map(|i| alpha * if trans_b { w.data[o * cols + i] } else { w.data[i * cols + o] }).collect())
                    .collect();
                let mut bias = vec![0.0; n_out];
                if let Some(c) = node.input.get(2).filter(|c| !c.is_empty()) {
                    let c = consts.get(c).ok_or_else(|| structure(&name, "the bias must be a constant initializer"))?;
                    add_bias(&mut bias, c, beta).map_err(|r| structure(&name, &r))?;
                }
                if let Some(prev) = layers.last() {
                    if prev.outputs() != n_in {
                        return Err(structure(
                            &name,
                            &format!("expects {n_in} inputs but the previous layer has {} outputs", prev.outputs()),
                        ));
                    }
                }
                layers.push(Dense { weights, bias });
                last = Last::Dense;
            }
            "Add" => {
                let other = node.input.iter().find(|i| **i != cur).ok_or_else(|| structure(&name, "Add of the activation to itself"))?;
                let c = consts.get(other).ok_or_else(|| structure(&name, "Add is only supported with a constant bias"))?;
                match (last == Last::Dense, layers.last_mut()) {
                    (true, Some(layer)) => add_bias(&mut layer.bias, c, 1.0).map_err(|r| structure(&name, &r))?,
                    _ => return Err(structure(&name, "Add must directly follow a MatMul or Gemm")),
                }
            }
            "Relu" => {
                if last != Last::Dense {
                    return Err(structure(&name, "Relu must follow a linear layer"));
                }
                last = Last::Relu;
            }
            "Sigmoid" => {
                if last != Last::Dense {
                    return Err(structure(&name, "Sigmoid must follow the last linear layer"));
                }
                last = Last::Sigmoid;
            }
            _ => {} // Flatten, Reshape, Identity: shape only on a [1, n] vector.
        }
        cur = node.output.first().cloned().ok_or_else(|| structure(&name, "node without output"))?;
    }
    if layers.is_empty() {
        return Err(structure("<graph>", "no Gemm or MatMul layer found"));
    }
    if last == Last::Relu {
        return Err(structure("<graph>", "the graph ends in a Relu; the last layer must be linear (optionally followed by Sigmoid)"));
    }
    if layers.last().map(Dense::outputs) != Some(1) {
        return Err(structure("<graph>", "the model must have exactly one output (a score)"));
    }
    if graph.output.first().map(|o| &o.name) != Some(&cur) {
        return Err(structure("<graph>", "the graph output is not the end of the layer chain"));
    }
    Ok(FloatModel { layers, sigmoid: last == Last::Sigmoid })
}

fn add_bias(bias: &mut [f64], c: &Matrix, scale: f64) -> std::result::Result<(), String> {
    if c.data.len() == 1 {
        bias.iter_mut().for_each(|b| *b += scale * c.data[0]);
    } else if c.data.len() == bias.len() {
        bias.iter_mut().zip(&c.data).for_each(|(b, v)| *b += scale * v);
    } else {
        return Err(format!("bias has {} values for {} outputs", c.data.len(), bias.len()));
    }
    Ok(())
}
