//! Dense layers: per neuron a dot product with fixed weights (one multiply-accumulate row per
//! term), then for a hidden layer the rescale and ReLU (and Clip's second ReLU), for the output
//! layer the threshold comparison.

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::{Field, PrimeField};

use super::features::{feature_terms, FeatureInput};
use super::layout::{mask, to_i128, CellRef, Col, Gadget, Layout};
use crate::error::{Error, Result};
use crate::field::fr_from_i128;
use crate::public::PublicInputs;
use crate::quantize::{ClipSpec, QLayer, QuantizedModel};

/// What a layer reads: the features' running-sum cells (first layer) or the previous layer's
/// outputs.
pub(super) enum LayerInputs<'a> {
    /// The first layer reads `X' = X - offset` off the packed words' running sums.
    Features(&'a [FeatureInput]),
    /// Later layers read cells.
    Cells(Vec<CellRef>),
}

impl Layout {
    /// Plan layer `li`; returns the cells the next layer reads (`relu(Q)`, then `Q` after a
    /// LeakyRelu or `relu(Q - max)` after a Clip).
    pub(super) fn plan_layer(
        &mut self,
        model: &QuantizedModel,
        li: usize,
        inputs: &LayerInputs,
        public: &PublicInputs,
        checked: bool,
    ) -> Result<Vec<CellRef>> {
        let layers = model.layers().unwrap_or_default();
        let layer = &layers[li];
        let last = li + 1 == layers.len();
        let (mut next, mut raw) = (Vec::new(), Vec::new());
        for (j, (row, bias)) in layer.weights.iter().zip(&layer.bias).enumerate() {
            let first = li == 0 && j == 0;
            let (mut b, mut terms) = neuron_terms(model, li, row, *bias, inputs);
            if last {
                // Output layer: d = logit - threshold.
                terms.push((-Fr::ONE, self.threshold_cell));
            } else {
                // Offset so the decomposed value is non-negative: v = y + 2^(shift + r).
                b += 1i128 << (layer.shift + layer.out_bits);
            }
            let y = self.dot(fr_from_i128(b), &terms);
            if first {
                self.mark(Gadget::Linear, CellRef { col: Col::B, row: y.row - 1 });
            }
            if last {
                self.compare(model, y, public, checked)?;
                continue;
            }
            let (out, zs) = self.rescale_relu(y, layer, li, j, checked, first)?;
            next.push(out);
            raw.push(match &layer.clip {
                Some(c) => self.clip_second(zs, layer.out_bits, c, li, j, checked)?,
                None => zs,
            });
        }
        if layer.passes_raw || layer.clip.is_some() {
            next.extend(raw);
        }
        Ok(next)
    }

    /// `Q = floor(y / 2^shift)` and `relu(Q)` from one running sum of `y + 2^(shift + r)` over
    /// `shift + r + 1` bits (the low `shift` bits are the remainder, the top bit the sign).
    /// Returns the ReLU output and the cell holding `Q + 2^r` (`z_shift`, in `a` of its row).
    fn rescale_relu(&mut self, y: CellRef, layer: &QLayer, li: usize, j: usize, checked: bool, first: bool) -> Result<(CellRef, CellRef)> {
        let (s, r) = (layer.shift, layer.out_bits);
        let nbits = s + r + 1;
        let v = to_i128(self.value(y));
        if checked && (v < 0 || v >> nbits != 0) {
            return Err(Error::Calibration(format!(
                "layer {li} neuron {j}: accumulator {} outside the calibrated range",
                v - (1i128 << (s + r))
            )));
        }
        let start = self.bits(Fr::from_u128(v.max(0) as u128 & mask(nbits)), nbits);
        self.copy(y, CellRef { col: Col::A, row: start });
        if first {
            self.mark(Gadget::Remainder, CellRef { col: Col::A, row: start + 1 });
        }
        let out = self.relu(start, s, r);
        if first {
            self.mark(Gadget::Relu, out);
        }
        Ok((out, CellRef { col: Col::A, row: out.row }))
    }

    /// `relu(Q - max)` for a Clip(0, max) layer, from the cell `zs = Q + 2^r`: `d = Q - max` is
    /// offset by `2^bits`, decomposed into `bits + 1` bits and passed through a ReLU.
    fn clip_second(&mut self, zs: CellRef, r: u32, c: &ClipSpec, layer: usize, neuron: usize, checked: bool) -> Result<CellRef> {
        let bias = fr_from_i128((1i128 << c.bits) - (1i128 << r) - i128::from(c.max_q));
        let v = self.dot(bias, &[(Fr::ONE, zs)]);
        let value = to_i128(self.value(v));
        if checked && (value < 0 || value >> (c.bits + 1) != 0) {
            return Err(Error::Calibration(format!("layer {layer} neuron {neuron}: Q - max outside the calibrated {}-bit range", c.bits)));
        }
        let start = self.bits(Fr::from_u128(value.max(0) as u128 & mask(c.bits + 1)), c.bits + 1);
        self.copy(v, CellRef { col: Col::A, row: start });
        Ok(self.relu(start, 0, c.bits))
    }

    /// The comparison: `d = logit - threshold` decomposed into `compare_bits` bits, so the proof
    /// asserts `logit >= threshold`. An applicant below the threshold cannot be laid out.
    pub(super) fn compare(&mut self, model: &QuantizedModel, y: CellRef, public: &PublicInputs, checked: bool) -> Result<()> {
        let t = public.threshold_q;
        let d = to_i128(self.value(y));
        if checked && d < 0 {
            return Err(Error::BelowThreshold { score: model.score(d + t), threshold: model.score(t), logit_q: d + t, threshold_q: t });
        }
        if checked && d >> model.compare_bits != 0 {
            return Err(Error::BadValue {
                what: "threshold".into(),
                reason: format!("logit - threshold = {d} does not fit {} bits", model.compare_bits),
            });
        }
        let start = self.range_check(y, model.compare_bits);
        self.mark(Gadget::Compare, CellRef { col: Col::A, row: start + 1 });
        Ok(())
    }
}

/// The bias and the terms of one neuron. The first layer reads `X' = X - offset`, so the offsets
/// fold into its bias; after a LeakyRelu the second half of the inputs is `Q`, read as
/// `z_shift = Q + 2^R`, so `w 2^R` comes off the bias.
fn neuron_terms(model: &QuantizedModel, li: usize, row: &[i64], bias: i64, inputs: &LayerInputs) -> (i128, Vec<(Fr, CellRef)>) {
    let mut b = i128::from(bias);
    let terms = match inputs {
        LayerInputs::Features(features) => {
            b += row.iter().zip(&model.features).map(|(w, f)| i128::from(*w) * i128::from(f.offset)).sum::<i128>();
            feature_terms(row.iter().map(|w| fr_from_i128(i128::from(*w))), features)
        }
        LayerInputs::Cells(cells) => row.iter().zip(cells).map(|(w, c)| (fr_from_i128(i128::from(*w)), *c)).collect(),
    };
    let layers = model.layers().unwrap_or_default();
    if li > 0 && layers[li - 1].passes_raw {
        let (half, r) = (row.len() / 2, layers[li - 1].out_bits);
        b -= row[half..].iter().map(|w| i128::from(*w) << r).sum::<i128>();
    }
    (b, terms)
}
