//! Literals of field elements, curve points and error selectors.

use std::fmt;

use halo2_proofs::halo2curves::bn256::{Fq, Fr, G1Affine, G2Affine};
use halo2_proofs::halo2curves::ff::PrimeField;
use sha3::{Digest, Keccak256};

use super::{Expr, Num};

/// A 256-bit big-endian word. Written as trimmed hex, or in decimal when it has at most four hex
/// digits (small numbers read better so).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Word(pub [u8; 32]);

impl Word {
    /// The word as 64 hex digits with `0x` (a constant in a bytecode blob).
    pub fn padded(&self) -> String {
        format!("0x{}", hex::encode(self.0))
    }
}

impl fmt::Display for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = hex::encode(self.0);
        let t = h.trim_start_matches('0');
        if t.is_empty() {
            f.write_str("0")
        } else if t.len() <= 4 {
            write!(f, "{}", u64::from_str_radix(t, 16).unwrap_or_default())
        } else {
            write!(f, "0x{t}")
        }
    }
}

fn word(mut le: [u8; 32]) -> Word {
    le.reverse();
    Word(le)
}

/// A scalar-field element.
pub fn fr_word(v: &Fr) -> Word {
    word(v.to_repr())
}

/// A scalar-field element as a literal.
pub fn fr(v: &Fr) -> Expr {
    Expr::Num(Num::Word(fr_word(v)))
}

/// A base-field element.
pub fn fq_word(v: &Fq) -> Word {
    word(v.to_repr())
}

/// The words of a G1 point: `[x, y]`.
pub fn g1_words(p: &G1Affine) -> [Word; 2] {
    [fq_word(&p.x), fq_word(&p.y)]
}

/// The EIP-197 words of a G2 point: `[x_im, x_re, y_im, y_re]`.
pub fn g2_words(p: &G2Affine) -> [Word; 4] {
    [fq_word(&p.x.c1), fq_word(&p.x.c0), fq_word(&p.y.c1), fq_word(&p.y.c0)]
}

/// A word as a literal.
pub fn lit(w: Word) -> Expr {
    Expr::Num(Num::Word(w))
}

/// The selector of a custom error: the first four bytes of `keccak256(signature)`.
pub fn selector(signature: &str) -> Expr {
    let d = Keccak256::digest(signature.as_bytes());
    Expr::Num(Num::Selector([d[0], d[1], d[2], d[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_big_endian_and_trimmed() {
        assert_eq!(fr_word(&Fr::from(0)).to_string(), "0");
        assert_eq!(fr_word(&Fr::from(2)).to_string(), "2");
        assert_eq!(fr_word(&Fr::from(0xffff)).to_string(), "65535");
        assert_eq!(fr_word(&Fr::from(0x1_0000)).to_string(), "0x10000");
        assert_eq!(fr_word(&-Fr::one()).to_string(), "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000");
        assert_eq!(fr_word(&Fr::from(2)).padded(), format!("0x{}2", "0".repeat(63)));
    }

    #[test]
    fn selectors_keep_their_leading_zeros() {
        // Four bytes, eight digits, whatever their value.
        let Expr::Num(Num::Selector(s)) = selector("MalformedProof()") else { panic!("not a selector") };
        assert_eq!(crate::yul::render::expr(&selector("MalformedProof()")), format!("0x{}", hex::encode(s)));
    }
}
