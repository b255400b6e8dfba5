//! Bit widths from interval bounds: every value the circuit range-checks is bounded over the
//! allowed feature box, layer by layer. Calibration fixes the widths this way, and a model file's
//! widths are checked against the same derivation when it is loaded.

use super::{bits_for, even, FeatureSpec, QLayer};

/// Widest accumulator the circuit decomposes (shift + out_bits + 1 bits, two per row).
pub const MAX_ACCUMULATOR_BITS: u32 = 120;

/// Widest output logit, in bits.
pub const MAX_LOGIT_BITS: u32 = 60;

/// The widths a quantized model's integer weights imply.
#[derive(Debug, PartialEq)]
pub(crate) struct Widths {
    /// Per layer: `Q` lies in `[-2^out_bits, 2^out_bits)` (0 for the output layer).
    pub out_bits: Vec<u32>,
    /// Per layer with a Clip: the width of `Q - max_q`.
    pub clip_bits: Vec<Option<u32>>,
    /// `|logit| <= logit_bound`.
    pub logit_bound: i64,
    /// Width of `logit - threshold`.
    pub compare_bits: u32,
    /// Fractional bits of the logit.
    pub output_scale: u32,
}

/// A feature's envelope at `2^input_scale`: the offset the circuit subtracts and the (even) width
/// of `X - offset`.
pub(crate) fn envelope(min: f64, max: f64, input_scale: u32) -> (i64, u32) {
    let scale = (input_scale as f64).exp2();
    let offset = ((min * scale).floor() as i64).min(0);
    let top = (max * scale).ceil() as i64;
    // The circuit decomposes two bits per row, so widths are even.
    (offset, even(bits_for(top.saturating_sub(offset).max(0) as u128)))
}

/// Propagate interval bounds through the layers. Errors name the layer (`layers[l]`) and say why;
/// arithmetic is checked, so hand-made weights cannot overflow it.
pub(crate) fn widths(input_scale: u32, features: &[FeatureSpec], layers: &[QLayer]) -> Result<Widths, String> {
    let overflow = |l: usize| format!("layers[{l}]: its accumulators overflow 127 bits over the feature ranges");
    let mut lo: Vec<i128> = features.iter().map(|f| i128::from(f.offset)).collect();
    let mut hi = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let span = 1i128.checked_shl(f.bits).filter(|_| f.bits <= 64).ok_or(format!("features[{i}].bits: {} is more than 64", f.bits))?;
        hi.push(i128::from(f.offset) + span - 1);
    }
    let mut in_scale = input_scale;
    let mut w = Widths { out_bits: vec![], clip_bits: vec![], logit_bound: 0, compare_bits: 0, output_scale: 0 };
    for (l, layer) in layers.iter().enumerate() {
        let (mut ylo, mut yhi) = (Vec::new(), Vec::new());
        for (j, (row, b)) in layer.weights.iter().zip(&layer.bias).enumerate() {
            if row.len() != lo.len() {
                return Err(format!("layers[{l}].weights[{j}]: {} weights, the layer takes {} inputs", row.len(), lo.len()));
            }
            let (mut a, mut z) = (i128::from(*b), i128::from(*b));
            for ((w, l_), h) in row.iter().zip(&lo).zip(&hi) {
                let (p, q) = (
                    i128::from(*w).checked_mul(*l_).ok_or_else(|| overflow(l))?,
                    i128::from(*w).checked_mul(*h).ok_or_else(|| overflow(l))?,
                );
                a = a.checked_add(p.min(q)).ok_or_else(|| overflow(l))?;
                z = z.checked_add(p.max(q)).ok_or_else(|| overflow(l))?;
            }
            ylo.push(a);
            yhi.push(z);
        }
        let last = l + 1 == layers.len();
        let acc_scale = in_scale.checked_add(layer.weight_scale).ok_or(format!("layers[{l}].weight_scale: too large"))?;
        let shift = layer.shift;
        if shift >= 127 || shift > acc_scale {
            return Err(format!("layers[{l}].shift: {shift} is more than the accumulator's {acc_scale} fractional bits"));
        }
        let q = |v: &i128| v >> shift;
        if last {
            let bound = ylo.iter().chain(&yhi).map(|v| v.unsigned_abs()).max().unwrap_or(0);
            if bits_for(bound) > MAX_LOGIT_BITS {
                return Err(format!("layers[{l}]: the output logit needs more than {MAX_LOGIT_BITS} bits; lower weight_bits"));
            }
            w.logit_bound = bound as i64;
            w.out_bits.push(0);
            w.clip_bits.push(None);
        } else {
            let m = ylo.iter().chain(&yhi).map(|v| q(v).unsigned_abs()).max().unwrap_or(0);
            // shift + out_bits + 1 bits are decomposed two per row: keep the total even.
            let r = bits_for(m) + 1;
            let out_bits = if (shift + r + 1) % 2 == 1 { r + 1 } else { r };
            if shift + out_bits + 1 > MAX_ACCUMULATOR_BITS {
                return Err(format!("layers[{l}]: {} bits needed, more than the circuit supports", shift + out_bits + 1));
            }
            w.out_bits.push(out_bits);
            let clip = layer.clip.as_ref().map(|c| {
                let widest = ylo.iter().chain(&yhi).map(|v| (q(v) - i128::from(c.max_q)).unsigned_abs()).max().unwrap_or(0);
                let bits = bits_for(widest) + 1;
                bits + (bits + 1) % 2
            });
            w.clip_bits.push(clip);
        }
        let (nlo, nhi): (Vec<i128>, Vec<i128>) = (ylo.iter().map(|v| q(v).max(0)).collect(), yhi.iter().map(|v| q(v).max(0)).collect());
        let (mut next_lo, mut next_hi) = (nlo, nhi);
        if layer.passes_raw {
            next_lo.extend(ylo.iter().map(q));
            next_hi.extend(yhi.iter().map(q));
        }
        if let Some(c) = &layer.clip {
            next_lo.extend(ylo.iter().map(|v| (q(v) - i128::from(c.max_q)).max(0)));
            next_hi.extend(yhi.iter().map(|v| (q(v) - i128::from(c.max_q)).max(0)));
        }
        (lo, hi) = (next_lo, next_hi);
        in_scale = acc_scale - shift;
    }
    // logit - threshold <= 2 * logit_bound for every admissible threshold.
    w.compare_bits = even(bits_for(2 * w.logit_bound.unsigned_abs() as u128));
    w.output_scale = in_scale;
    Ok(w)
}
