//! The public inputs: rows 0..5 of `b` hold them (the `bias` gate ties each to the instance
//! column), the threshold is used in place by the output layer, the borrower's address and the
//! nonce are range-checked, the model id is a fixed constant, and every public value computed
//! elsewhere is copied into its row.

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::PrimeField;

use super::layout::{CellRef, Col, Gadget, Gate, Layout, ADDRESS_BITS, NONCE_BITS};
use crate::field::fr_from_i128;
use crate::public::{PublicInputs, INSTANCE_COUNT};

/// Where the threshold (public input 1) sits: the output layer subtracts it in place.
const THRESHOLD_CELL: CellRef = CellRef { col: Col::B, row: 1 };

impl Layout {
    /// Rows 0..INSTANCE_COUNT: the public inputs, `b[i] = instance[i]` through the bias gate.
    pub(super) fn plan_public_rows(&mut self, threshold_q: i128) {
        for _ in 0..INSTANCE_COUNT {
            let r = self.new_row();
            self.enable(Gate::Bias, r);
        }
        self.b[THRESHOLD_CELL.row] = fr_from_i128(threshold_q);
        self.threshold_cell = THRESHOLD_CELL;
    }

    /// The borrower address (160 bits) and nonce (64 bits), range-checked and tied to instances 2
    /// and 3; the model id, a fixed constant of this circuit, tied to instance 4.
    pub(super) fn plan_binding(&mut self, public: &PublicInputs, model_id: Fr) {
        let mut addr = [0u8; 32];
        for (dst, src) in addr.iter_mut().zip(public.borrower.iter().rev()) {
            *dst = *src;
        }
        let start = self.bits(Fr::from_repr(addr).unwrap_or(Fr::zero()), ADDRESS_BITS);
        self.end_blank();
        self.instances.push((CellRef { col: Col::A, row: start }, 2));
        self.mark(Gadget::Address, CellRef { col: Col::A, row: start + 3 });
        let start = self.bits(Fr::from(public.nonce), NONCE_BITS);
        self.end_blank();
        self.instances.push((CellRef { col: Col::A, row: start }, 3));
        self.mark(Gadget::Nonce, CellRef { col: Col::A, row: start + 3 });
        let id = self.constant(model_id);
        self.instances.push((id, 4));
        self.mark(Gadget::ModelId, id);
        self.instances.push((THRESHOLD_CELL, 1));
    }

    /// Copy every public value into its row of `b` (the threshold is already there); `count`
    /// public inputs in all.
    pub(super) fn tie_instances(&mut self, count: usize) {
        debug_assert_eq!(self.instances.len(), count);
        for (cell, i) in self.instances.clone() {
            if cell == (CellRef { col: Col::B, row: i }) {
                continue;
            }
            self.b[i] = self.value(cell);
            self.copies.push((CellRef { col: Col::B, row: i }, cell));
        }
    }
}
