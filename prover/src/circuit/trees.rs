//! Tree ensembles: per distinct split `(feature, le)` one comparison bit, per internal node one
//! multiplexer, and the ensemble's score as a dot product over the trees' outputs, compared with
//! the threshold like a network's logit.
//!
//! A split compares the range-checked feature `X' = X - offset` with `T = le - offset`: the value
//! `X' - T - 1 + 2^B` (`B = bits + 1`, odd) lies in `[0, 2^(B+1))` and its top bit, from the
//! running sum's [`Gate::End`](super::Gate::End) row, is `[X' > T]`. A split whose `T` lies outside
//! the feature's envelope is constant and costs nothing. Each internal node is one
//! [`Gate::Mux`](super::Gate::Mux) over two rows: the bit picks the `no` child (bit 1) or the
//! `yes` child (bit 0), each a cell or a constant leaf (a copy of a pinned zero plus its value in
//! `w`). Subtrees whose leaves are all equal fold into a constant.

use std::collections::HashMap;

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::{Field, PrimeField};

use super::binding::THRESHOLD_CELL;
use super::features::FeatureInput;
use super::layout::{mask, to_i128, CellRef, Col, Gadget, Gate, Layout};
use crate::error::Result;
use crate::field::fr_from_i128;
use crate::public::PublicInputs;
use crate::quantize::{QNode, QTree, QTrees, QuantizedModel};

/// A subtree's value: a constant (a leaf, or a subtree whose splits are all decided) or a cell.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Operand {
    Const(i64),
    Cell(CellRef),
}

/// The outcome of a split for every applicant in the envelope, or the cell of `[X' > T]`.
#[derive(Clone, Copy, Debug)]
enum Split {
    Always(bool),
    Bit(CellRef),
}

/// The tree planner's state: the features' cells, the pinned zero and the comparison bits made so far.
struct TreePlan<'a> {
    model: &'a QuantizedModel,
    features: &'a [FeatureInput],
    zero: CellRef,
    bits: HashMap<(usize, i64), Split>,
    muxes: usize,
}

impl Layout {
    /// Plan the trees and the comparison of `base + sum of the trees' outputs` with the threshold.
    pub(super) fn plan_trees(
        &mut self,
        model: &QuantizedModel,
        trees: &QTrees,
        features: &[FeatureInput],
        public: &PublicInputs,
        checked: bool,
    ) -> Result<()> {
        let zero = self.constant(Fr::ZERO);
        let mut plan = TreePlan { model, features, zero, bits: HashMap::new(), muxes: 0 };
        let mut bias = i128::from(trees.base);
        let mut terms = Vec::with_capacity(trees.trees.len() + 1);
        for tree in &trees.trees {
            match self.plan_node(&mut plan, tree, 0) {
                Operand::Const(v) => bias += i128::from(v),
                Operand::Cell(c) => terms.push((Fr::ONE, c)),
            }
        }
        // score - threshold, decomposed by the comparison gadget.
        terms.push((-Fr::ONE, THRESHOLD_CELL));
        let y = self.dot(fr_from_i128(bias), &terms);
        self.compare(model, y, public, checked)
    }

    fn plan_node(&mut self, plan: &mut TreePlan, tree: &QTree, i: usize) -> Operand {
        let (feature, le, yes, no) = match &tree.nodes[i] {
            QNode::Leaf(v) => return Operand::Const(*v),
            QNode::Split { feature, le, yes, no } => (*feature, *le, *yes, *no),
        };
        match self.split(plan, feature, le) {
            Split::Always(true) => self.plan_node(plan, tree, yes),
            Split::Always(false) => self.plan_node(plan, tree, no),
            Split::Bit(bit) => {
                let (y, n) = (self.plan_node(plan, tree, yes), self.plan_node(plan, tree, no));
                match (y, n) {
                    (Operand::Const(p), Operand::Const(q)) if p == q => Operand::Const(p),
                    _ => {
                        let out = self.mux(plan.zero, bit, y, n);
                        if plan.muxes == 0 {
                            self.mark(Gadget::Mux, out);
                        }
                        plan.muxes += 1;
                        Operand::Cell(out)
                    }
                }
            }
        }
    }

    /// The bit `[X' > T]` of a split, made once per distinct `(feature, le)`.
    fn split(&mut self, plan: &mut TreePlan, feature: usize, le: i64) -> Split {
        if let Some(s) = plan.bits.get(&(feature, le)) {
            return *s;
        }
        let spec = &plan.model.features[feature];
        let t = i128::from(le) - i128::from(spec.offset);
        let s = if t < 0 {
            Split::Always(false)
        } else if t >= (1i128 << spec.bits) - 1 {
            Split::Always(true)
        } else {
            // v = X' - T - 1 + 2^B, decomposed into B + 1 bits; the top one is [X' > T].
            let big = spec.bits + 1;
            let y = self.dot(fr_from_i128((1i128 << big) - t - 1), &plan.features[feature].terms());
            let v = to_i128(self.value(y));
            let start = self.bits(Fr::from_u128(v.max(0) as u128 & mask(big + 1)), big + 1);
            self.end_blank();
            self.copy(y, CellRef { col: Col::A, row: start });
            let top = Self::z(start, big);
            if !plan.bits.values().any(|s| matches!(s, Split::Bit(_))) {
                self.mark(Gadget::Split, top);
            }
            Split::Bit(top)
        };
        plan.bits.insert((feature, le), s);
        s
    }

    /// `bit ? no : yes` over two rows (see [`Gate::Mux`]).
    fn mux(&mut self, zero: CellRef, bit: CellRef, yes: Operand, no: Operand) -> CellRef {
        let (r, r1) = (self.new_row(), self.new_row());
        self.copy(bit, CellRef { col: Col::A, row: r });
        let place = |l: &mut Layout, op: Operand, cell: CellRef, w_row: usize| -> Fr {
            match op {
                Operand::Cell(c) => l.copy(c, cell),
                Operand::Const(v) => {
                    l.copy(zero, cell);
                    l.w[w_row] = fr_from_i128(i128::from(v));
                }
            }
            l.value(cell) + l.w[w_row]
        };
        let n = place(self, no, CellRef { col: Col::B, row: r }, r);
        let y = place(self, yes, CellRef { col: Col::A, row: r1 }, r1);
        let out = if bool::from(self.a[r].is_zero()) { y } else { n };
        self.b[r1] = out;
        self.enable(Gate::Mux, r);
        CellRef { col: Col::B, row: r1 }
    }
}
