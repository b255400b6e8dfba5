//! A lender's policy for one model: the public-input words the gate requires.

use std::str::FromStr;

use alloy::primitives::U256;
use zkcredit_prover::field::{fr_from_i128, fr_to_hex, Fr};
use zkcredit_prover::model::CompiledModel;

use crate::error::Result;

/// The words `CreditGate.setModel` registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Public input 4: the model id.
    pub model_id: U256,
    /// Public input 1: the fixed-point logit threshold, as a field element.
    pub threshold: U256,
}

impl Policy {
    /// The policy "this model, scores at or above `threshold`" (a probability for models ending
    /// in a sigmoid), encoded exactly as the prover encodes the public inputs.
    pub fn new(model: &CompiledModel, threshold: f64) -> Result<Self> {
        let t = model.quantized.threshold_q(threshold)?;
        Ok(Policy { model_id: fr_to_u256(&model.model_id()), threshold: fr_to_u256(&fr_from_i128(t)) })
    }
}

/// A field element as a 256-bit integer.
pub fn fr_to_u256(x: &Fr) -> U256 {
    U256::from_str(&fr_to_hex(x)).expect("fr_to_hex writes a 0x-prefixed 32-byte word")
}
