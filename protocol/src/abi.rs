//! The on-chain verifier's ABI: `verifyProof(bytes proof, uint256[] instances) returns (bool)`.
//! Proof files carry the ready calldata for this call.

use crate::field::fr_to_be_bytes;
use halo2_proofs::halo2curves::bn256::Fr;
use sha3::{Digest, Keccak256};

/// The function signature.
pub const VERIFY_SIGNATURE: &str = "verifyProof(bytes,uint256[])";

/// The 4-byte selector of [`VERIFY_SIGNATURE`].
pub fn verify_selector() -> [u8; 4] {
    let h = Keccak256::digest(VERIFY_SIGNATURE.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

/// Canonical ABI calldata of `verifyProof(proof, instances)`.
pub fn calldata(proof: &[u8], instances: &[Fr]) -> Vec<u8> {
    let words = |v: usize| {
        let mut w = [0u8; 32];
        w[24..].copy_from_slice(&(v as u64).to_be_bytes());
        w
    };
    let padded = proof.len().div_ceil(32) * 32;
    let mut out = Vec::with_capacity(4 + 0x80 + padded + 32 * instances.len());
    out.extend(verify_selector());
    out.extend(words(0x40));
    out.extend(words(0x60 + padded));
    out.extend(words(proof.len()));
    out.extend(proof);
    out.resize(out.len() + padded - proof.len(), 0);
    out.extend(words(instances.len()));
    for x in instances {
        out.extend(fr_to_be_bytes(x));
    }
    out
}
