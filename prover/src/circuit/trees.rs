//! Tree ensembles: the split bits ([`super::splits`]), per internal node one multiplexer, and the
//! ensemble's score as a dot product over the trees' outputs, compared with the threshold like a
//! network's logit.
//!
//! A split whose threshold lies outside the feature's envelope is decided and costs nothing. Each internal node is one
//! [`Gate::Mux`](super::Gate::Mux) over two rows: the bit picks the `no` child (bit 1) or the
//! `yes` child (bit 0), each a cell or a constant leaf (a copy of a pinned zero plus its value in
//! `w`). Subtrees whose leaves are all equal fold into a constant.

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::Field;

use super::features::FeatureInput;
use super::layout::{CellRef, Col, Gadget, Gate, Layout};
use super::splits::{Split, Splits};
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

/// The tree planner's state: the model, the pinned zero and the split bits.
struct TreePlan<'a> {
    model: &'a QuantizedModel,
    zero: CellRef,
    splits: Splits,
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
        let splits = self.plan_splits(model, trees, features, zero);
        let plan = TreePlan { model, zero, splits };
        let mut bias = i128::from(trees.base);
        let mut terms = Vec::with_capacity(trees.trees.len() + 1);
        for tree in &trees.trees {
            match self.plan_node(&plan, tree, 0) {
                Operand::Const(v) => bias += i128::from(v),
                Operand::Cell(c) => terms.push((Fr::ONE, c)),
            }
        }
        // score - threshold, decomposed by the comparison gadget.
        terms.push((-Fr::ONE, self.threshold_cell));
        let y = self.dot(fr_from_i128(bias), &terms);
        self.compare(model, y, public, checked)
    }

    fn plan_node(&mut self, plan: &TreePlan, tree: &QTree, i: usize) -> Operand {
        let (feature, le, yes, no) = match &tree.nodes[i] {
            QNode::Leaf(v) => return Operand::Const(*v),
            QNode::Split { feature, le, yes, no } => (*feature, *le, *yes, *no),
        };
        match plan.splits.get(&plan.model.features[feature], feature, le) {
            Split::Always(true) => self.plan_node(plan, tree, yes),
            Split::Always(false) => self.plan_node(plan, tree, no),
            Split::Bit(bit) => {
                let (y, n) = (self.plan_node(plan, tree, yes), self.plan_node(plan, tree, no));
                match (y, n) {
                    (Operand::Const(p), Operand::Const(q)) if p == q => Operand::Const(p),
                    _ => {
                        let out = self.mux(plan.zero, bit, y, n);
                        if !self.marks_any(Gadget::Mux) {
                            self.mark(Gadget::Mux, out);
                        }
                        Operand::Cell(out)
                    }
                }
            }
        }
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
        let picks_no = bool::from(self.a[r].is_zero()) == self.cheat_wrong_branch();
        let out = if picks_no { n } else { y };
        self.b[r1] = out;
        self.enable(Gate::Mux, r);
        CellRef { col: Col::B, row: r1 }
    }
}
