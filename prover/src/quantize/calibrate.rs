//! Calibration: a float model and calibration rows -> the quantized model.

use super::trees::{compare_bits, quantize};
use super::widths::{envelope, widths, MAX_LOGIT_BITS};
use super::{Body, ClipSpec, FeatureSpec, QLayer, QuantConfig, QuantizedModel, DEFAULT_ACTIVATION_BITS, DEFAULT_WEIGHT_BITS};
use crate::error::{Error, Result};
use crate::onnx::{Activation, Dense, Float, FloatModel, TreeEnsemble};

/// Build the quantized model from a float model and calibration rows. For a tree ensemble,
/// `weight_bits` is the precision of its largest leaf and `activation_bits` is unused.
pub fn calibrate(model: &Float, names: &[String], rows: &[Vec<f64>], cfg: &QuantConfig) -> Result<QuantizedModel> {
    let n = model.inputs();
    if rows.is_empty() {
        return Err(Error::Calibration("the calibration dataset has no rows".into()));
    }
    if names.len() != n {
        return Err(Error::FeatureCount { expected: n, got: names.len() });
    }
    let input_bits = cfg.input_bits.unwrap_or(0);
    let activation_bits = cfg.activation_bits.unwrap_or(DEFAULT_ACTIVATION_BITS);
    let weight_bits = cfg.weight_bits.unwrap_or(DEFAULT_WEIGHT_BITS);
    if input_bits > 24 || weight_bits > 40 || activation_bits > 32 || !(0.0..=10.0).contains(&cfg.range_margin) {
        return Err(Error::Calibration(
            "quantization settings out of range (input <= 24, weight <= 40, activation <= 32 bits, margin in [0, 10])".into(),
        ));
    }
    let features = feature_specs(names, rows, cfg, input_bits)?;
    match model {
        Float::Network(network) => calibrate_network(network, features, input_bits, weight_bits, activation_bits),
        Float::Trees(trees) => calibrate_trees(trees, features, input_bits, weight_bits),
    }
}

/// Each input's allowed range (calibration min/max widened by the margin; 0/1 for binary inputs)
/// and the circuit's envelope of it.
fn feature_specs(names: &[String], rows: &[Vec<f64>], cfg: &QuantConfig, input_bits: u32) -> Result<Vec<FeatureSpec>> {
    let mut features = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let col: Vec<f64> = rows.iter().map(|r| r[i]).collect();
        if let Some(v) = col.iter().find(|v| !v.is_finite()) {
            return Err(Error::Calibration(format!("input `{name}` has the non-finite calibration value {v}")));
        }
        let (dmin, dmax) = col.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
        let binary = col.iter().all(|v| *v == 0.0 || *v == 1.0);
        let (min, max) = if binary {
            (0.0, 1.0)
        } else {
            let span = (dmax - dmin).max(1.0);
            let lo = dmin - cfg.range_margin * span;
            let lo = if dmin >= 0.0 { lo.max(0.0) } else { lo };
            (lo.floor(), (dmax + cfg.range_margin * span).ceil())
        };
        let (offset, bits) = envelope(min, max, input_bits);
        if bits > 64 {
            return Err(Error::Calibration(format!("input `{name}` spans more than 64 bits")));
        }
        features.push(FeatureSpec { name: name.clone(), min, max, offset, bits });
    }
    Ok(features)
}

/// Leaves at the scale that gives the largest `leaf_bits` bits; thresholds on the input grid.
fn calibrate_trees(t: &TreeEnsemble, features: Vec<FeatureSpec>, input_bits: u32, leaf_bits: u32) -> Result<QuantizedModel> {
    let (trees, output_scale) = quantize(t, input_bits, leaf_bits);
    let bound = trees.bound();
    if bound >> MAX_LOGIT_BITS != 0 {
        return Err(Error::Calibration(format!("the trees' score needs more than {MAX_LOGIT_BITS} bits; lower weight_bits")));
    }
    Ok(QuantizedModel {
        input_scale: input_bits,
        features,
        body: Body::Trees(trees),
        output_scale,
        sigmoid: t.sigmoid,
        logit_bound: bound as i64,
        compare_bits: compare_bits(bound),
    })
}

fn calibrate_network(
    model: &FloatModel,
    features: Vec<FeatureSpec>,
    input_bits: u32,
    weight_bits: u32,
    activation_bits: u32,
) -> Result<QuantizedModel> {
    let mut layers = Vec::new();
    let mut in_scale = input_bits;
    for (l, float_layer) in model.layers.iter().enumerate() {
        let layer = &with_slopes(float_layer, l.checked_sub(1).and_then(|p| model.activations.get(p)));
        let max_w = layer.weights.iter().flatten().fold(0f64, |m, w| m.max(w.abs()));
        let s_w = if max_w > 0.0 { (weight_bits as i32 - max_w.log2().ceil() as i32).clamp(0, 48) as u32 } else { weight_bits };
        let weights: Vec<Vec<i64>> =
            layer.weights.iter().map(|r| r.iter().map(|w| (w * (s_w as f64).exp2()).round() as i64).collect()).collect();
        let bias: Vec<i64> = layer.bias.iter().map(|b| (b * ((in_scale + s_w) as f64).exp2()).round() as i64).collect();
        let acc_scale = in_scale + s_w;
        let last = l + 1 == model.layers.len();
        let shift = if last { 0 } else { acc_scale.saturating_sub(activation_bits) };
        let passes_raw = matches!(model.activations.get(l), Some(Activation::LeakyRelu { .. }));
        // The widths are filled in below, from interval bounds.
        let clip = match model.activations.get(l) {
            Some(Activation::Clip { max }) => Some(ClipSpec { max_q: (max * ((acc_scale - shift) as f64).exp2()).round() as i64, bits: 0 }),
            _ => None,
        };
        layers.push(QLayer { weights, bias, weight_scale: s_w, shift, out_bits: 0, passes_raw, clip });
        in_scale = acc_scale - shift;
    }
    let w = widths(input_bits, &features, &layers).map_err(Error::Calibration)?;
    for (layer, (out_bits, clip_bits)) in layers.iter_mut().zip(w.out_bits.iter().zip(&w.clip_bits)) {
        layer.out_bits = *out_bits;
        if let (Some(c), Some(bits)) = (&mut layer.clip, clip_bits) {
            c.bits = *bits;
        }
    }
    Ok(QuantizedModel {
        input_scale: input_bits,
        features,
        body: Body::Layers(layers),
        output_scale: w.output_scale,
        sigmoid: model.sigmoid,
        logit_bound: w.logit_bound,
        compare_bits: w.compare_bits,
    })
}

/// The layer as the circuit sees it: after a LeakyRelu/PRelu with slopes `alpha`, its inputs are
/// `relu(Q)` then `Q`, weighted `w (1 - alpha)` and `w alpha`; after a Clip(0, max), `relu(Q)` then
/// `relu(Q - max)`, weighted `w` and `-w`.
fn with_slopes(layer: &Dense, before: Option<&Activation>) -> Dense {
    match before {
        Some(Activation::LeakyRelu { alpha }) => Dense {
            weights: layer
                .weights
                .iter()
                .map(|row| {
                    let relu = row.iter().zip(alpha).map(|(w, a)| w * (1.0 - a));
                    relu.chain(row.iter().zip(alpha).map(|(w, a)| w * a)).collect()
                })
                .collect(),
            bias: layer.bias.clone(),
        },
        // clip(Q) = relu(Q) - relu(Q - max).
        Some(Activation::Clip { .. }) => Dense {
            weights: layer.weights.iter().map(|row| row.iter().copied().chain(row.iter().map(|w| -w)).collect()).collect(),
            bias: layer.bias.clone(),
        },
        _ => layer.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onnx::sigmoid;

    fn tiny() -> FloatModel {
        FloatModel {
            layers: vec![
                Dense { weights: vec![vec![0.5, -0.25], vec![-1.0, 0.75]], bias: vec![0.1, 0.2] },
                Dense { weights: vec![vec![1.5, -2.0]], bias: vec![0.3] },
            ],
            activations: vec![Activation::Relu],
            sigmoid: true,
        }
    }

    #[test]
    fn quantized_forward_tracks_float() {
        let rows: Vec<Vec<f64>> = (0..20).map(|i| vec![i as f64, (i % 7) as f64]).collect();
        let names = vec!["a".to_string(), "b".to_string()];
        let q = calibrate(&Float::Network(tiny()), &names, &rows, &QuantConfig::default()).unwrap();
        for r in &rows {
            let t = q.forward(&q.quantize_features(r).unwrap()).unwrap();
            let float = sigmoid(tiny().logit(r));
            assert!((q.score(t.logit) - float).abs() < 1e-4, "{} vs {float}", q.score(t.logit));
        }
    }

    #[test]
    fn rejects_bad_features() {
        let rows: Vec<Vec<f64>> = (0..20).map(|i| vec![i as f64, (i % 7) as f64]).collect();
        let q = calibrate(&Float::Network(tiny()), &["a".into(), "b".into()], &rows, &QuantConfig::default()).unwrap();
        assert!(matches!(q.quantize_features(&[1.0]), Err(Error::FeatureCount { .. })));
        assert!(matches!(q.quantize_features(&[f64::NAN, 1.0]), Err(Error::FeatureOutOfRange { .. })));
        assert!(matches!(q.quantize_features(&[1e9, 1.0]), Err(Error::FeatureOutOfRange { .. })));
        assert!(q.threshold_q(1.5).is_err());
    }
}
