//! A model file is checked on load: its shape is consistent and every bit width, scale and bound
//! equals what its weights and feature ranges imply (the derivation calibration used), so a
//! hand-edited or corrupt `model.json` is refused with the field named instead of building a
//! circuit that cannot be proved, or panicking.

use super::trees::compare_bits;
use super::widths::{envelope, widths, MAX_LOGIT_BITS};
use super::{Body, QLayer, QTrees, QuantizedModel};

/// Largest weight magnitude a model file may hold (calibration stays far below).
const MAX_WEIGHT: i64 = 1 << 48;

/// Largest fractional scale of inputs and weights.
const MAX_SCALE: u32 = 48;

impl QuantizedModel {
    /// Check the model's consistency. The error names the field (`layers[1].out_bits`, ...).
    pub fn validate(&self) -> Result<(), String> {
        self.validate_features()?;
        match &self.body {
            Body::Layers(layers) => self.validate_network(layers),
            Body::Trees(trees) => self.validate_trees(trees),
        }
    }

    /// The bounds and widths of a tree ensemble follow from its leaves; its output scale is the
    /// leaves' own (any value up to 48 bits).
    fn validate_trees(&self, trees: &QTrees) -> Result<(), String> {
        trees.validate(self.features.len())?;
        if self.output_scale > MAX_SCALE {
            return Err(format!("output_scale: {} is more than {MAX_SCALE}", self.output_scale));
        }
        let bound = trees.bound();
        if bound >> MAX_LOGIT_BITS != 0 {
            return Err(format!("trees: the score needs more than {MAX_LOGIT_BITS} bits; lower the leaf precision"));
        }
        let mismatch = |field: &str, has: i128, needs: i128| Err(format!("{field} is {has}, the leaves imply {needs}"));
        if i128::from(self.logit_bound) != bound {
            return mismatch("logit_bound", self.logit_bound.into(), bound);
        }
        if self.compare_bits != compare_bits(bound) {
            return mismatch("compare_bits", self.compare_bits.into(), compare_bits(bound).into());
        }
        Ok(())
    }

    fn validate_network(&self, layers: &[QLayer]) -> Result<(), String> {
        validate_layers(layers)?;
        let w = widths(self.input_scale, &self.features, layers)?;
        let mismatch =
            |field: String, has: i128, needs: i128| Err(format!("{field} is {has}, the weights and feature ranges imply {needs}"));
        for (l, (layer, (out_bits, clip_bits))) in layers.iter().zip(w.out_bits.iter().zip(&w.clip_bits)).enumerate() {
            if layer.out_bits != *out_bits {
                return mismatch(format!("layers[{l}].out_bits"), layer.out_bits.into(), (*out_bits).into());
            }
            if let (Some(c), Some(bits)) = (&layer.clip, clip_bits) {
                if c.bits != *bits {
                    return mismatch(format!("layers[{l}].clip.bits"), c.bits.into(), (*bits).into());
                }
            }
        }
        if self.logit_bound != w.logit_bound {
            return mismatch("logit_bound".into(), self.logit_bound.into(), w.logit_bound.into());
        }
        if self.compare_bits != w.compare_bits {
            return mismatch("compare_bits".into(), self.compare_bits.into(), w.compare_bits.into());
        }
        if self.output_scale != w.output_scale {
            return mismatch("output_scale".into(), self.output_scale.into(), w.output_scale.into());
        }
        Ok(())
    }

    fn validate_features(&self) -> Result<(), String> {
        if self.features.is_empty() {
            return Err("features: the model has no inputs".into());
        }
        if self.input_scale > MAX_SCALE {
            return Err(format!("input_scale: {} is more than {MAX_SCALE}", self.input_scale));
        }
        for (i, f) in self.features.iter().enumerate() {
            if f.name.is_empty() {
                return Err(format!("features[{i}].name: empty"));
            }
            if !(f.min.is_finite() && f.max.is_finite() && f.min <= f.max && f.min.abs() < 1e15 && f.max.abs() < 1e15) {
                return Err(format!("features[{i}] (`{}`): the range [{}, {}] is not a finite interval", f.name, f.min, f.max));
            }
            let (offset, bits) = envelope(f.min, f.max, self.input_scale);
            if f.offset != offset {
                return Err(format!("features[{i}].offset is {}, its range [{}, {}] implies {offset}", f.offset, f.min, f.max));
            }
            if f.bits != bits {
                return Err(format!("features[{i}].bits is {}, its range [{}, {}] implies {bits}", f.bits, f.min, f.max));
            }
        }
        Ok(())
    }
}

fn validate_layers(layers: &[QLayer]) -> Result<(), String> {
    let n = layers.len();
    if n == 0 {
        return Err("layers: the model has no layers".into());
    }
    for (l, layer) in layers.iter().enumerate() {
        let at = |field: &str| format!("layers[{l}].{field}");
        if layer.weights.is_empty() {
            return Err(format!("{}: the layer has no outputs", at("weights")));
        }
        if layer.bias.len() != layer.weights.len() {
            return Err(format!("{}: {} biases for {} outputs", at("bias"), layer.bias.len(), layer.weights.len()));
        }
        if layer.weight_scale > MAX_SCALE {
            return Err(format!("{}: {} is more than {MAX_SCALE}", at("weight_scale"), layer.weight_scale));
        }
        if let Some((j, _)) = layer.weights.iter().flatten().enumerate().find(|(_, w)| w.unsigned_abs() > MAX_WEIGHT as u64) {
            return Err(format!("{}: weight {j} (row-major) exceeds 2^48 in magnitude", at("weights")));
        }
        if layer.passes_raw && layer.clip.is_some() {
            return Err(format!("{}: a layer passes on either Q (LeakyRelu) or relu(Q - max) (Clip), not both", at("clip")));
        }
        if let Some(c) = &layer.clip {
            if c.max_q <= 0 {
                return Err(format!("{}: {} must be positive", at("clip.max_q"), c.max_q));
            }
        }
        if l + 1 == n {
            if layer.weights.len() != 1 {
                return Err(format!(
                    "{}: the output layer has {} outputs, the circuit proves one score",
                    at("weights"),
                    layer.weights.len()
                ));
            }
            if layer.shift != 0 || layer.out_bits != 0 || layer.passes_raw || layer.clip.is_some() {
                return Err(format!("layers[{l}]: the output layer has no shift, activation or range (shift 0, out_bits 0)"));
            }
        }
    }
    Ok(())
}
