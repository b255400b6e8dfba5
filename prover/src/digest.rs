//! Keccak-256 helpers for model digests and file fingerprints.

use sha3::{Digest, Keccak256};

/// Keccak-256 of `bytes`.
pub fn keccak(bytes: &[u8]) -> [u8; 32] {
    Keccak256::digest(bytes).into()
}

/// 0x-prefixed hex of a digest.
pub fn hex32(d: &[u8; 32]) -> String {
    format!("0x{}", hex::encode(d))
}
