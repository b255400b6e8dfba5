//! Conversions between integers, field elements and the 0x-hex words used in artifacts.

pub use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::{Field, PrimeField};

use crate::error::Error;

/// A signed integer as a field element: negative values are encoded as `r - |v|`.
pub fn fr_from_i128(v: i128) -> Fr {
    let mag = Fr::from_u128(v.unsigned_abs());
    if v < 0 {
        -mag
    } else {
        mag
    }
}

/// A field element as a 32-byte big-endian 0x-hex word (the EVM's `uint256` encoding).
pub fn fr_to_hex(v: &Fr) -> String {
    let mut bytes = v.to_repr();
    bytes.as_mut().reverse();
    format!("0x{}", hex::encode(bytes.as_ref()))
}

/// The 32-byte big-endian encoding of a field element.
pub fn fr_to_be_bytes(v: &Fr) -> [u8; 32] {
    let mut bytes: [u8; 32] = v.to_repr();
    bytes.reverse();
    bytes
}

/// Parse a 0x-hex word (at most 32 bytes, big-endian) into a field element; values `>= r` are rejected.
pub fn fr_from_hex(what: &str, s: &str) -> Result<Fr, Error> {
    let digits = s.strip_prefix("0x").unwrap_or(s);
    let bad = |reason: &str| Error::BadValue { what: what.to_string(), reason: reason.to_string() };
    if digits.is_empty() || digits.len() > 64 {
        return Err(bad("expected 0x followed by 1 to 64 hex digits"));
    }
    let padded = format!("{digits:0>64}");
    let mut bytes = hex::decode(padded).map_err(|_| bad("not hexadecimal"))?;
    bytes.reverse();
    let mut repr = <Fr as PrimeField>::Repr::default();
    repr.as_mut().copy_from_slice(&bytes);
    Option::<Fr>::from(Fr::from_repr(repr)).ok_or_else(|| bad("not below the BN254 scalar field modulus r"))
}

/// `2^n` as a field element.
pub fn pow2(n: u32) -> Fr {
    Fr::from(2).pow_vartime([u64::from(n)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_negative_encoding() {
        let v = fr_from_i128(-5);
        assert_eq!(v + Fr::from(5), Fr::zero());
        let h = fr_to_hex(&v);
        assert_eq!(h.len(), 66);
        assert_eq!(fr_from_hex("x", &h).unwrap(), v);
        assert_eq!(fr_from_hex("x", "0x2a").unwrap(), Fr::from(42));
        // r itself is not a canonical field element.
        let r = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
        assert!(fr_from_hex("x", r).is_err());
        assert!(fr_from_hex("x", "0xzz").is_err());
    }
}
