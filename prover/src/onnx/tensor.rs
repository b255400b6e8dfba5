//! Constant tensors (initializers and `Constant` nodes) as `f64` arrays.

use std::path::Path;

use tract_onnx::pb::TensorProto;

use crate::error::{Error, Result};

/// A constant tensor: its shape and its values in row-major order.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Tensor {
    pub(super) dims: Vec<usize>,
    pub(super) data: Vec<f64>,
}

impl Tensor {
    /// A vector of values.
    pub(super) fn vector(data: Vec<f64>) -> Self {
        Tensor { dims: vec![data.len()], data }
    }

    /// The values as one per feature of a width-`n` activation: a scalar broadcasts, a tensor of
    /// `n` values (shape `[n]`, `[1, n]`, ...) maps one to one.
    pub(super) fn per_feature(&self, n: usize) -> Option<Vec<f64>> {
        match self.data.len() {
            1 => Some(vec![self.data[0]; n]),
            len if len == n && self.dims.iter().rev().skip(1).all(|d| *d == 1) => Some(self.data.clone()),
            _ => None,
        }
    }

    /// The values as integer indices.
    pub(super) fn indices(&self) -> Vec<i64> {
        self.data.iter().map(|v| *v as i64).collect()
    }
}

/// Read a constant tensor of any numeric ONNX type.
pub(super) fn read(path: &Path, t: &TensorProto) -> Result<Tensor> {
    let bad = |reason: String| Error::Onnx { path: path.to_path_buf(), reason: format!("tensor `{}`: {reason}", t.name) };
    let dims =
        t.dims.iter().map(|d| usize::try_from(*d).map_err(|_| bad(format!("negative dimension {d}")))).collect::<Result<Vec<_>>>()?;
    let count: usize = dims.iter().product();
    let raw = &t.raw_data;
    let le = |width: usize| raw.chunks_exact(width);
    let data: Vec<f64> = match (t.data_type, raw.is_empty()) {
        (1, false) => le(4).map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]]))).collect(),
        (1, true) => t.float_data.iter().map(|v| f64::from(*v)).collect(),
        (11, false) => le(8).map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])).collect(),
        (11, true) => t.double_data.clone(),
        (7, false) => le(8).map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) as f64).collect(),
        (7, true) => t.int64_data.iter().map(|v| *v as f64).collect(),
        (6, false) => le(4).map(|c| f64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]]))).collect(),
        // int32, int16, int8, uint8, uint16 and bool are stored in int32_data.
        (2..=6 | 9, true) => t.int32_data.iter().map(|v| f64::from(*v)).collect(),
        (3, false) => raw.iter().map(|b| f64::from(*b as i8)).collect(),
        (2 | 9, false) => raw.iter().map(|b| f64::from(*b)).collect(),
        (other, _) => {
            return Err(bad(format!("unsupported tensor data type {other} (expected a float, double or integer tensor)")));
        }
    };
    if data.len() != count {
        return Err(bad(format!("holds {} values but its shape {:?} needs {count} (external data is not supported)", data.len(), dims)));
    }
    if let Some(v) = data.iter().find(|v| !v.is_finite()) {
        return Err(bad(format!("contains the non-finite value {v}")));
    }
    Ok(Tensor { dims, data })
}
