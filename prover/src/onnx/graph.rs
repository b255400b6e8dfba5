//! The ONNX graph as zkcredit reads it: who produces each tensor, which output is the score, and
//! which nodes the score depends on (everything else, e.g. a classifier's label branch, is
//! ignored).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use tract_onnx::pb::{type_proto, GraphProto, NodeProto, TensorProto, ValueInfoProto};

use crate::error::{Error, Result};

/// ONNX element types of floating-point tensors (float, float16, double, bfloat16).
const FLOAT_TYPES: [i32; 4] = [1, 10, 11, 16];

/// A parsed graph with its producer index.
pub(super) struct Graph<'a> {
    pub(super) path: PathBuf,
    pub(super) proto: &'a GraphProto,
    producer: HashMap<&'a str, usize>,
    initializers: HashMap<&'a str, &'a TensorProto>,
    input: &'a ValueInfoProto,
}

impl<'a> Graph<'a> {
    pub(super) fn new(path: &Path, proto: &'a GraphProto) -> Result<Self> {
        let initializers: HashMap<&str, &TensorProto> = proto.initializer.iter().map(|t| (t.name.as_str(), t)).collect();
        let mut producer = HashMap::new();
        for (i, node) in proto.node.iter().enumerate() {
            for out in node.output.iter().filter(|o| !o.is_empty()) {
                producer.insert(out.as_str(), i);
            }
        }
        let inputs: Vec<&ValueInfoProto> = proto.input.iter().filter(|i| !initializers.contains_key(i.name.as_str())).collect();
        let input = match inputs.as_slice() {
            [one] => *one,
            [] => return Err(Error::Onnx { path: path.to_path_buf(), reason: "the graph has no non-constant input".into() }),
            many => {
                let names: Vec<&str> = many.iter().map(|i| i.name.as_str()).collect();
                return Err(Error::Onnx {
                    path: path.to_path_buf(),
                    reason: format!(
                        "the graph has {} inputs ({}); zkcredit takes one input vector of features (export with a single float input)",
                        names.len(),
                        names.join(", ")
                    ),
                });
            }
        };
        Ok(Graph { path: path.to_path_buf(), proto, producer, initializers, input })
    }

    /// The graph input's name.
    pub(super) fn input_name(&self) -> &str {
        &self.input.name
    }

    /// The number of features: the last dimension of the input's shape, which must be fixed.
    pub(super) fn input_width(&self) -> Result<usize> {
        let dims = match self.input.r#type.as_ref().and_then(|t| t.value.as_ref()) {
            Some(type_proto::Value::TensorType(t)) => t.shape.as_ref().map(|s| s.dim.clone()).unwrap_or_default(),
            None => vec![],
        };
        let last = dims.last().and_then(|d| match &d.value {
            Some(tract_onnx::pb::tensor_shape_proto::dimension::Value::DimValue(v)) if *v > 0 => Some(*v as usize),
            _ => None,
        });
        last.ok_or_else(|| Error::Onnx {
            path: self.path.clone(),
            reason: format!(
                "the input `{}` has no fixed feature dimension (its shape must end in the number of features, e.g. [None, 24])",
                self.input.name
            ),
        })
    }

    /// A constant initializer by name.
    pub(super) fn initializer(&self, name: &str) -> Option<&'a TensorProto> {
        self.initializers.get(name).copied()
    }

    /// The node that produces `tensor`.
    pub(super) fn producer(&self, tensor: &str) -> Option<&'a NodeProto> {
        self.producer.get(tensor).map(|i| &self.proto.node[*i])
    }

    /// The tensor holding the score: the graph's one floating-point output (a ZipMap output
    /// stands for the probabilities it maps). Integer outputs (labels) are ignored.
    pub(super) fn score_output(&self) -> Result<String> {
        let mut candidates: Vec<String> = Vec::new();
        for out in &self.proto.output {
            let mut name = out.name.as_str();
            let mut elem = out.r#type.as_ref().and_then(|t| t.value.as_ref()).map(|type_proto::Value::TensorType(t)| t.elem_type);
            if let Some(node) = self.producer(name).filter(|n| n.op_type == "ZipMap") {
                name = node.input.first().map(String::as_str).unwrap_or_default();
                elem = Some(1);
            }
            if elem.is_some_and(|e| FLOAT_TYPES.contains(&e)) && !candidates.iter().any(|c| c == name) {
                candidates.push(name.to_string());
            }
        }
        match candidates.len() {
            1 => Ok(candidates.remove(0)),
            0 => Err(Error::Onnx { path: self.path.clone(), reason: "the graph has no floating-point output to read a score from".into() }),
            _ => Err(Error::Onnx {
                path: self.path.clone(),
                reason: format!(
                    "the graph has several floating-point outputs ({}); zkcredit proves one score: export only the score",
                    candidates.join(", ")
                ),
            }),
        }
    }

    /// The nodes `tensor` depends on, in graph order.
    pub(super) fn slice_nodes(&self, tensor: &str) -> Vec<&'a NodeProto> {
        let mut needed = BTreeSet::new();
        let mut stack = vec![tensor.to_string()];
        while let Some(t) = stack.pop() {
            if let Some(&i) = self.producer.get(t.as_str()) {
                if needed.insert(i) {
                    stack.extend(self.proto.node[i].input.iter().filter(|s| !s.is_empty()).cloned());
                }
            }
        }
        needed.into_iter().map(|i| &self.proto.node[i]).collect()
    }
}

/// A node's name for messages: its own, or its index and op.
pub(super) fn node_name(node: &NodeProto) -> String {
    if node.name.is_empty() {
        format!("{} -> {}", node.op_type, node.output.first().map(String::as_str).unwrap_or("?"))
    } else {
        node.name.clone()
    }
}
