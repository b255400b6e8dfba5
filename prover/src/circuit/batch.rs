//! Batch layouts: one model evaluated on `N` applicants in one circuit. Rows `0..2 + 2N` hold the
//! public inputs of [`BatchPublicInputs`] (threshold, model id, then per slot the feature
//! commitment and the account word `borrower * 2^64 + nonce`); each slot is the single proof's
//! applicant planner (features, commitment, model, comparison with the shared threshold) and a
//! 224-bit decomposition of its account word. The model id is one fixed constant for the batch.

use halo2_proofs::halo2curves::bn256::Fr;

use super::layout::{CellRef, Col, Gadget, Gate, Layout, Witness};
use crate::error::{Error, Result};
use crate::field::fr_from_i128;
use crate::public::{account_word, BatchPublicInputs, BATCH_HEADER};

/// Bits of a slot's account word (160-bit borrower, 64-bit nonce).
pub const ACCOUNT_BITS: u32 = 224;

impl Layout {
    /// Plan a batch of `n` slots for `model`: `witnesses` (one per slot, sharing the threshold and
    /// the model id) or, for key generation, `None`.
    pub fn build_batch(model: &crate::quantize::QuantizedModel, model_id: Fr, witnesses: Option<&[Witness]>, n: usize) -> Result<Layout> {
        Self::plan_batch(model, model_id, witnesses, n, Layout::default())
    }

    /// [`Layout::build_batch`] with a fault planted in the witness (tests of the constraints).
    #[cfg(any(test, feature = "test-support"))]
    pub fn build_batch_cheating(
        model: &crate::quantize::QuantizedModel,
        model_id: Fr,
        witnesses: &[Witness],
        cheat: super::layout::Cheat,
    ) -> Result<Layout> {
        let l = Layout { cheat: Some((cheat, 0, 0)), ..Layout::default() };
        Self::plan_batch(model, model_id, Some(witnesses), witnesses.len(), l)
    }

    fn plan_batch(
        model: &crate::quantize::QuantizedModel,
        model_id: Fr,
        witnesses: Option<&[Witness]>,
        n: usize,
        mut l: Layout,
    ) -> Result<Layout> {
        let bad = |reason: String| Error::BadValue { what: "batch".into(), reason };
        if n == 0 {
            return Err(bad("a batch has at least one slot".into()));
        }
        let placeholder = vec![Witness::placeholder(model, model_id); n];
        let wits = witnesses.unwrap_or(&placeholder);
        if wits.len() != n {
            return Err(bad(format!("{} applicants for {n} slots", wits.len())));
        }
        let threshold_q = wits[0].public.threshold_q;
        if let Some(i) = wits.iter().position(|w| w.public.threshold_q != threshold_q || w.public.model_id != model_id) {
            return Err(bad(format!("slot {i} has another threshold or model id than the batch")));
        }
        let checked = witnesses.is_some() && !l.cheat_unchecked();
        l.batch = Some(n);
        l.plan_batch_rows(n, threshold_q);
        for (i, w) in wits.iter().enumerate() {
            let commitment = BATCH_HEADER + 2 * i;
            l.plan_applicant(model, w, commitment, checked).map_err(|e| Error::Slot { slot: i, source: Box::new(e) })?;
            let start = l.bits(account_word(&w.public.borrower, w.public.nonce), ACCOUNT_BITS);
            l.end_blank();
            l.instances.push((CellRef { col: Col::A, row: start }, commitment + 1));
            l.mark(Gadget::Address, CellRef { col: Col::A, row: start + 3 });
        }
        let id = l.constant(model_id);
        l.instances.push((id, 1));
        l.mark(Gadget::ModelId, id);
        l.instances.push((l.threshold_cell, 0));
        l.tie_instances(BatchPublicInputs::count(n));
        Ok(l)
    }

    /// Rows `0..2 + 2n`: the batch's public inputs through the bias gate; the threshold in row 0.
    fn plan_batch_rows(&mut self, n: usize, threshold_q: i128) {
        for _ in 0..BatchPublicInputs::count(n) {
            let r = self.new_row();
            self.enable(Gate::Bias, r);
        }
        self.threshold_cell = CellRef { col: Col::B, row: 0 };
        self.b[0] = fr_from_i128(threshold_q);
    }
}
