//! Reading ONNX node attributes, with the ONNX defaults when an attribute is absent.

use tract_onnx::pb::{AttributeProto, NodeProto};

pub(super) fn attr<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

pub(super) fn int(node: &NodeProto, name: &str, default: i64) -> i64 {
    attr(node, name).map_or(default, |a| a.i)
}

pub(super) fn float(node: &NodeProto, name: &str, default: f64) -> f64 {
    attr(node, name).map_or(default, |a| f64::from(a.f))
}

pub(super) fn ints(node: &NodeProto, name: &str) -> Vec<i64> {
    attr(node, name).map_or_else(Vec::new, |a| a.ints.clone())
}

/// Float attributes, or their `*_as_tensor` (double) form (ONNX-ML opset 3).
pub(super) fn floats(node: &NodeProto, name: &str) -> Vec<f64> {
    if let Some(a) = attr(node, name).filter(|a| !a.floats.is_empty()) {
        return a.floats.iter().map(|v| f64::from(*v)).collect();
    }
    attr(node, &format!("{name}_as_tensor")).and_then(|a| a.t.as_ref()).map_or_else(Vec::new, |t| {
        if !t.double_data.is_empty() {
            t.double_data.clone()
        } else if !t.float_data.is_empty() {
            t.float_data.iter().map(|v| f64::from(*v)).collect()
        } else {
            t.raw_data.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect()
        }
    })
}

pub(super) fn strings(node: &NodeProto, name: &str) -> Vec<String> {
    attr(node, name).map_or_else(Vec::new, |a| a.strings.iter().map(|s| String::from_utf8_lossy(s).into_owned()).collect())
}

pub(super) fn string(node: &NodeProto, name: &str, default: &str) -> String {
    attr(node, name).map_or(default.to_string(), |a| String::from_utf8_lossy(&a.s).into_owned())
}
