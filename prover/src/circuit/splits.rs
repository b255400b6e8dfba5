//! The split bits of a tree ensemble: `[X' > T]` for every distinct split `(feature, le)` whose
//! outcome is not decided by the feature's envelope (`T = le - offset` in `[0, 2^bits - 1)`), made
//! once and shared by every node that tests it. Per feature, the cheaper of two gadgets:
//!
//! - **one comparison per threshold**: `X' - T - 1 + 2^B` (`B = bits + 1`) decomposed into `B + 1`
//!   bits, whose top bit is `[X' > T]`; about `bits / 2 + 5` rows per threshold.
//! - **a thermometer** over the feature's sorted thresholds `T_1 < ... < T_m`: bits `c_i`, each
//!   boolean and `c_(i+1) = c_i c_(i+1)` (non-increasing), checked by a chain of
//!   [`Gate::Mux`](super::Gate::Mux) rows (`c_i ? c_(i+1) : 0`); with `i* = sum c_i`,
//!   `T_(i*) < X' <= T_(i*+1)` (`T_0 = -1`, `T_(m+1) = 2^bits - 1`) by two `bits`-bit range
//!   checks on `X' - 1 - sum c_i (T_i - T_(i-1))` and `T_1 + sum c_i (T_(i+1) - T_i) - X'`. The
//!   thresholds are strictly increasing, so `i*` is the number of thresholds below `X'` and
//!   `c_i = [X' > T_i]`. About four rows per threshold plus two range checks: it pays for a
//!   feature tested against many thresholds (an amount, an age).

use std::collections::HashMap;

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::{Field, PrimeField};

use super::features::FeatureInput;
use super::layout::{mask, to_i128, CellRef, Col, Gadget, Gate, Layout};
use crate::field::fr_from_i128;
use crate::quantize::{feature_thresholds, FeatureSpec, QTrees, QuantizedModel};

/// Where a split sends an applicant: decided by the envelope (`true`: to `yes`), or the cell of
/// `[X' > T]` (1: to `no`).
#[derive(Clone, Copy, Debug)]
pub(super) enum Split {
    Always(bool),
    Bit(CellRef),
}

/// The comparison bits of every distinct non-constant split, by `(feature, le)`.
pub(super) struct Splits(HashMap<(usize, i64), CellRef>);

impl Splits {
    /// The outcome of the split `X <= le` on feature `feature`.
    pub(super) fn get(&self, spec: &FeatureSpec, feature: usize, le: i64) -> Split {
        if let Some(c) = self.0.get(&(feature, le)) {
            return Split::Bit(*c);
        }
        // Not planned: T = le - offset is outside [0, 2^bits - 1), so the envelope decides.
        Split::Always(i128::from(le) - i128::from(spec.offset) >= 0)
    }
}

/// Rows of one comparison on a feature of `bits` bits whose `X'` has `terms` terms.
fn comparison_rows(terms: usize, bits: u32) -> usize {
    1 + terms + (bits as usize + 2) / 2 + 1
}

/// Rows of a thermometer over `m` thresholds.
fn thermometer_rows(m: usize, terms: usize, bits: u32) -> usize {
    2 * m + 2 * (1 + terms + m) + 2 * (bits as usize / 2 + 1)
}

impl Layout {
    /// Plan the bits of every split of `trees`, feature by feature, thresholds in increasing order.
    pub(super) fn plan_splits(&mut self, model: &QuantizedModel, trees: &QTrees, features: &[FeatureInput], zero: CellRef) -> Splits {
        let mut bits = HashMap::new();
        for (f, (spec, x)) in model.features.iter().zip(features).enumerate() {
            let ts = feature_thresholds(trees, f, spec);
            if ts.is_empty() {
                continue;
            }
            let terms = x.terms().len();
            let cells = if thermometer_rows(ts.len(), terms, spec.bits) < ts.len() * comparison_rows(terms, spec.bits) {
                self.thermometer(zero, x, spec.bits, &ts)
            } else {
                ts.iter().map(|t| self.comparison(x, spec.bits, *t)).collect()
            };
            for (t, c) in ts.iter().zip(cells) {
                bits.insert((f, t + spec.offset), c);
            }
        }
        Splits(bits)
    }

    /// `[X' > T]` as the top bit of the `B + 1`-bit running sum of `X' - T - 1 + 2^B`, `B = bits + 1`.
    fn comparison(&mut self, x: &FeatureInput, bits: u32, t: i64) -> CellRef {
        let big = bits + 1;
        let y = self.dot(fr_from_i128((1i128 << big) - i128::from(t) - 1), &x.terms());
        let start = self.range_check(y, big + 1);
        let top = Self::z(start, big);
        if self.cheat_flips_split() {
            let flipped = Fr::ONE - self.value(top);
            self.set(top, flipped);
        }
        if !self.marks_any(Gadget::Split) {
            self.mark(Gadget::Split, top);
        }
        top
    }

    /// The thermometer bits `[X' > T_i]` of thresholds `ts` (strictly increasing, in `[0, 2^bits - 1)`).
    fn thermometer(&mut self, zero: CellRef, x: &FeatureInput, bits: u32, ts: &[i64]) -> Vec<CellRef> {
        let xv = to_i128(x.terms().iter().map(|(w, c)| *w * self.value(*c)).sum());
        let base = self.rows();
        let cells: Vec<CellRef> = (0..ts.len()).map(|i| CellRef { col: Col::A, row: base + 2 * i }).collect();
        for t in ts {
            let (r, _) = (self.new_row(), self.new_row());
            let c = (xv > i128::from(*t)) != self.cheat_flips_split();
            self.a[r] = Fr::from(u64::from(c));
            self.enable(Gate::Mux, r);
        }
        // Mux i: a[0] = c_i, no = c_(i+1) (zero after the last), yes = 0, output c_i c_(i+1) = c_(i+1).
        for (i, c) in cells.iter().enumerate() {
            let next = cells.get(i + 1).copied();
            self.copy(next.unwrap_or(zero), CellRef { col: Col::B, row: c.row });
            self.copy(zero, CellRef { col: Col::A, row: c.row + 1 });
            let out = CellRef { col: Col::B, row: c.row + 1 };
            self.b[out.row] = self.a[c.row] * self.b[c.row];
            if let Some(n) = next {
                self.copy(n, out);
            }
        }
        if !self.marks_any(Gadget::Thermometer) {
            self.mark(Gadget::Thermometer, cells[0]);
        }
        // X' - 1 - T_(i*) = X' - sum c_i (T_i - T_(i-1)), T_0 = -1.
        let mut lower = x.terms();
        let mut prev = -1i128;
        for (c, t) in cells.iter().zip(ts) {
            lower.push((-fr_from_i128(i128::from(*t) - prev), *c));
            prev = i128::from(*t);
        }
        let d = self.dot(Fr::ZERO, &lower);
        self.range_check(d, bits);
        // T_(i*+1) - X' = T_1 + sum c_i (T_(i+1) - T_i) - X', T_(m+1) = 2^bits - 1.
        let mut upper: Vec<(Fr, CellRef)> = x.terms().into_iter().map(|(w, c)| (-w, c)).collect();
        let top = (1i128 << bits) - 1;
        for (i, c) in cells.iter().enumerate() {
            let next = ts.get(i + 1).map_or(top, |t| i128::from(*t));
            upper.push((fr_from_i128(next - i128::from(ts[i])), *c));
        }
        let d = self.dot(fr_from_i128(i128::from(ts[0])), &upper);
        self.range_check(d, bits);
        cells
    }

    /// Range-check `y` into `[0, 2^n)` (`n` even): its `n`-bit running sum and a blank row.
    /// Returns the running sum's first row.
    pub(super) fn range_check(&mut self, y: CellRef, n: u32) -> usize {
        let v = to_i128(self.value(y));
        let start = self.bits(Fr::from_u128(v.max(0) as u128 & mask(n)), n);
        self.end_blank();
        self.copy(y, CellRef { col: Col::A, row: start });
        start
    }
}
