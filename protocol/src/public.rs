//! The public inputs of a zkcredit proof: an ABI shared by the prover, the verifier contract and
//! the lender's gate. Every value is one 32-byte big-endian word, `< r` (the BN254 scalar field
//! modulus), in this order:
//!
//! | index | name | encoding | constrained by |
//! |---|---|---|---|
//! | 0 | `feature_commitment` | `Poseidon(pack(features - offsets), salt)` | the in-circuit Poseidon of the private features |
//! | 1 | `threshold` | logit threshold in fixed point (`2^output_scale`), signed: negative `t` is `r - |t|` | `logit - threshold` decomposed into `compare_bits` bits, i.e. the proof asserts `logit >= threshold` |
//! | 2 | `borrower` | the borrower's 20-byte address as an integer | decomposed into 160 bits |
//! | 3 | `nonce` | unsigned 64-bit integer | decomposed into 64 bits |
//! | 4 | `model_id` | the model digest's top 248 bits (`keccak >> 8`) | equal to a fixed constant of the circuit |
//!
//! There is no decision input: a proof exists only for an applicant who passes (asserted pass).
//!
//! A **batch** proof (one model, `N` applicants) has `2 + 2N` public inputs:
//!
//! | index | name | encoding | constrained by |
//! |---|---|---|---|
//! | 0 | `threshold` | as above, shared by every slot | each slot's `logit - threshold` decomposed into `compare_bits` bits |
//! | 1 | `model_id` | as above | equal to a fixed constant of the circuit |
//! | `2 + 2i` | `feature_commitment_i` | as above, slot `i`'s features and salt | slot `i`'s in-circuit Poseidon |
//! | `3 + 2i` | `account_i` | `borrower_i * 2^64 + nonce_i` (224 bits) | decomposed into 224 bits |
//!
//! Every slot passes the threshold. A batch with fewer applicants than `N` fills the empty slots
//! with a copy of an applicant under borrower 0, which no gate approves.

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::PrimeField;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::field::{fr_from_hex, fr_from_i128, fr_to_hex};

/// Number of public inputs.
pub const INSTANCE_COUNT: usize = 5;
/// Names of the public inputs, in order.
pub const INSTANCE_NAMES: [&str; INSTANCE_COUNT] = ["feature_commitment", "threshold", "borrower", "nonce", "model_id"];

/// The public inputs of one proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicInputs {
    /// Poseidon commitment to the features and salt.
    pub feature_commitment: Fr,
    /// Fixed-point logit threshold.
    pub threshold_q: i128,
    /// The borrower's address.
    pub borrower: [u8; 20],
    /// Replay-protection nonce.
    pub nonce: u64,
    /// The model id (digest >> 8).
    pub model_id: Fr,
}

impl PublicInputs {
    /// Values used during key generation.
    pub fn placeholder(model_id: Fr) -> Self {
        PublicInputs { feature_commitment: Fr::zero(), threshold_q: 0, borrower: [0; 20], nonce: 0, model_id }
    }

    /// The instance column, in ABI order.
    pub fn to_instances(&self) -> Vec<Fr> {
        let mut addr = [0u8; 32];
        addr[..20].copy_from_slice(&self.borrower);
        addr[..20].reverse();
        vec![
            self.feature_commitment,
            fr_from_i128(self.threshold_q),
            Fr::from_repr(addr).unwrap_or(Fr::zero()),
            Fr::from(self.nonce),
            self.model_id,
        ]
    }

    /// The instances as 0x-hex words.
    pub fn to_hex(&self) -> Vec<String> {
        self.to_instances().iter().map(fr_to_hex).collect()
    }
}

/// Public inputs before the slots of a batch proof (threshold, model id).
pub const BATCH_HEADER: usize = 2;

/// One applicant of a batch proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotPublic {
    /// Poseidon commitment to the slot's features and salt.
    pub feature_commitment: Fr,
    /// The borrower's address (zero: an empty slot).
    pub borrower: [u8; 20],
    /// Replay-protection nonce.
    pub nonce: u64,
}

/// The public inputs of a batch proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchPublicInputs {
    /// Fixed-point logit threshold, shared by every slot.
    pub threshold_q: i128,
    /// The model id.
    pub model_id: Fr,
    /// The applicants, in slot order.
    pub slots: Vec<SlotPublic>,
}

/// `borrower * 2^64 + nonce`: a batch slot's account word (224 bits).
pub fn account_word(borrower: &[u8; 20], nonce: u64) -> Fr {
    let mut le = [0u8; 32];
    le[..8].copy_from_slice(&nonce.to_le_bytes());
    for (dst, src) in le[8..28].iter_mut().zip(borrower.iter().rev()) {
        *dst = *src;
    }
    Fr::from_repr(le).unwrap_or(Fr::zero())
}

impl BatchPublicInputs {
    /// Number of public inputs of a batch of `n`.
    pub fn count(n: usize) -> usize {
        BATCH_HEADER + 2 * n
    }

    /// The instance column, in ABI order.
    pub fn to_instances(&self) -> Vec<Fr> {
        let mut out = vec![fr_from_i128(self.threshold_q), self.model_id];
        for s in &self.slots {
            out.push(s.feature_commitment);
            out.push(account_word(&s.borrower, s.nonce));
        }
        out
    }

    /// Slot `i`'s public inputs in the single-proof form (the circuit plans each slot with them).
    pub fn slot(&self, i: usize) -> PublicInputs {
        let s = &self.slots[i];
        PublicInputs {
            feature_commitment: s.feature_commitment,
            threshold_q: self.threshold_q,
            borrower: s.borrower,
            nonce: s.nonce,
            model_id: self.model_id,
        }
    }
}

/// Model id from a model digest: the top 248 bits, so it is always `< r`.
pub fn model_id_from_digest(digest: &[u8; 32]) -> Fr {
    let mut be = [0u8; 32];
    be[1..].copy_from_slice(&digest[..31]);
    be.reverse();
    Fr::from_repr(be).unwrap_or(Fr::zero())
}

/// Parse a 0x-prefixed 20-byte address.
pub fn parse_address(s: &str) -> Result<[u8; 20]> {
    let bad = |r: &str| Error::BadValue { what: format!("address `{s}`"), reason: r.to_string() };
    let digits = s.strip_prefix("0x").ok_or_else(|| bad("must start with 0x"))?;
    if digits.len() != 40 {
        return Err(bad("must have exactly 40 hex digits"));
    }
    let bytes = hex::decode(digits).map_err(|_| bad("not hexadecimal"))?;
    let mut out = [0u8; 20];
    out.copy_from_slice(&bytes);
    Ok(out)
}

/// The public inputs in the proof file, human-readable.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PublicJson {
    /// 0x-hex commitment.
    pub feature_commitment: String,
    /// Fixed-point threshold (decimal, signed).
    pub threshold_q: String,
    /// The threshold as given (probability for sigmoid models).
    pub threshold: f64,
    /// 0x-address.
    pub borrower: String,
    /// Nonce.
    pub nonce: u64,
    /// 0x-hex model id.
    pub model_id: String,
}

impl PublicJson {
    /// From typed inputs.
    pub fn new(p: &PublicInputs, threshold: f64) -> Self {
        PublicJson {
            feature_commitment: fr_to_hex(&p.feature_commitment),
            threshold_q: p.threshold_q.to_string(),
            threshold,
            borrower: format!("0x{}", hex::encode(p.borrower)),
            nonce: p.nonce,
            model_id: fr_to_hex(&p.model_id),
        }
    }

    /// Back to typed inputs.
    pub fn parse(&self) -> Result<PublicInputs> {
        Ok(PublicInputs {
            feature_commitment: fr_from_hex("public.feature_commitment", &self.feature_commitment)?,
            threshold_q: self
                .threshold_q
                .parse()
                .map_err(|_| Error::BadValue { what: "public.threshold_q".into(), reason: "not an integer".into() })?,
            borrower: parse_address(&self.borrower)?,
            nonce: self.nonce,
            model_id: fr_from_hex("public.model_id", &self.model_id)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_encodes_as_uint160() {
        let a = parse_address("0x00000000000000000000000000000000000000ff").unwrap();
        let p = PublicInputs { borrower: a, ..PublicInputs::placeholder(Fr::zero()) };
        assert_eq!(p.to_instances()[2], Fr::from(255));
        assert!(parse_address("0x12").is_err());
        assert!(parse_address("12").is_err());
    }
}
