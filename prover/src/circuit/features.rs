//! The features: `X - offset` of every input range-checked by one running sum per packed word
//! (the packing of [`crate::commitment::word_groups`], the same the commitment hashes), so the
//! packed word is the running sum's first cell and each feature is read off it.

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::{Field, PrimeField};

use super::layout::{mask, CellRef, Col, Gadget, Layout, Witness};
use crate::commitment::word_groups;
use crate::error::{Error, Result};
use crate::field::pow2;
use crate::quantize::QuantizedModel;

/// Where a feature sits in its word's running sum: `X' = lo - 2^bits hi` (`hi = None`: zero).
#[derive(Clone, Copy, Debug)]
pub(super) struct FeatureInput {
    lo: CellRef,
    hi: Option<CellRef>,
    bits: u32,
}

impl Layout {
    /// Range-check and pack the features. Feature j starts at bit o_j of its word, so
    /// `X'_j = z_(o_j) - 2^(bits_j) z_(o_j + bits_j)`, and the packed word itself is `z_0`.
    /// Returns each feature's cells and the packed words (what the commitment hashes).
    pub(super) fn plan_features(
        &mut self,
        model: &QuantizedModel,
        wit: &Witness,
        checked: bool,
    ) -> Result<(Vec<FeatureInput>, Vec<CellRef>)> {
        for (i, (x, f)) in wit.features.iter().zip(&model.features).enumerate() {
            let off = i128::from(*x) - i128::from(f.offset);
            if checked && (off < 0 || off >> f.bits != 0) {
                return Err(Error::FeatureOutOfRange {
                    index: i,
                    name: f.name.clone(),
                    value: *x as f64,
                    reason: format!("quantized offset {off} outside the circuit's {}-bit range", f.bits),
                });
            }
        }
        let n = model.inputs();
        let mut inputs = vec![FeatureInput { lo: CellRef { col: Col::A, row: 0 }, hi: None, bits: 0 }; n];
        let mut words = Vec::new();
        for group in word_groups(&model.features) {
            let width: u32 = group.iter().map(|&i| model.features[i].bits).sum();
            let width = (width + width % 2).max(2);
            let mut value = Fr::ZERO;
            let mut offsets = Vec::with_capacity(group.len());
            let mut o = 0u32;
            for &i in &group {
                let f = &model.features[i];
                let off = (i128::from(wit.features[i]) - i128::from(f.offset)).max(0) as u128 & mask(f.bits);
                value += Fr::from_u128(off) * pow2(o);
                offsets.push(o);
                o += f.bits;
            }
            let start = self.bits(value, width);
            self.end_blank();
            for (&i, o) in group.iter().zip(offsets) {
                let bits = model.features[i].bits;
                let hi = (o + bits < width).then(|| Self::z(start, o + bits));
                inputs[i] = FeatureInput { lo: Self::z(start, o), hi, bits };
            }
            words.push(CellRef { col: Col::A, row: start });
        }
        self.mark(Gadget::Feature, CellRef { col: Col::B, row: words[0].row });
        self.mark(Gadget::Packing, words[0]);
        Ok((inputs, words))
    }
}

impl FeatureInput {
    /// The terms of `X'` alone.
    pub(super) fn terms(&self) -> Vec<(Fr, CellRef)> {
        let mut t = vec![(Fr::ONE, self.lo)];
        t.extend(self.hi.map(|hi| (-pow2(self.bits), hi)));
        t
    }
}

/// The terms of `sum_j w_j X'_j` over running-sum cells, with the coefficients of a cell shared by
/// two neighbouring features (`hi` of one is `lo` of the next) merged and zero terms dropped.
pub(super) fn feature_terms(weights: impl Iterator<Item = Fr>, inputs: &[FeatureInput]) -> Vec<(Fr, CellRef)> {
    let mut terms: Vec<(Fr, CellRef)> = Vec::new();
    let mut push = |c: Fr, cell: CellRef| match terms.last_mut() {
        Some((acc, last)) if *last == cell => *acc += c,
        _ => terms.push((c, cell)),
    };
    for (w, x) in weights.zip(inputs) {
        push(w, x.lo);
        if let Some(hi) = x.hi {
            push(-w * pow2(x.bits), hi);
        }
    }
    terms.retain(|(c, _)| !bool::from(c.is_zero()));
    terms
}
