//! Poseidon over the BN254 scalar field: width 3 (rate 2), x^5 S-box, 8 full and 57 partial rounds.
//!
//! Round constants and the MDS matrix come from the Grain LFSR generation of the Poseidon paper,
//! as implemented by `poseidon-primitives` (the parameters circomlib's `Poseidon(2)` uses). The
//! hash of a fixed-length input starts from the zero state, absorbs two elements at a time into
//! state words 1 and 2, permutes, and returns state word 0 (so for two inputs it equals
//! circomlib's `Poseidon([x, y])`).

use std::sync::OnceLock;

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::Field;
use poseidon_primitives::poseidon::primitives::Spec;

/// State width.
pub const WIDTH: usize = 3;
/// Number of full rounds (half before, half after the partial rounds).
pub const FULL_ROUNDS: usize = 8;
/// Number of partial rounds.
pub const PARTIAL_ROUNDS: usize = 57;

#[derive(Debug)]
struct Bn254PoseidonSpec;

impl Spec<Fr, WIDTH, 2> for Bn254PoseidonSpec {
    fn full_rounds() -> usize {
        FULL_ROUNDS
    }
    fn partial_rounds() -> usize {
        PARTIAL_ROUNDS
    }
    fn sbox(val: Fr) -> Fr {
        val.pow_vartime([5])
    }
    fn secure_mds() -> usize {
        0
    }
}

/// Round constants (one row of [`WIDTH`] per round) and the MDS matrix.
#[derive(Debug)]
pub struct PoseidonParams {
    /// `round_constants[r][i]` is added to state word `i` at the start of round `r`.
    pub round_constants: Vec<[Fr; WIDTH]>,
    /// The MDS matrix applied after the S-boxes of every round.
    pub mds: [[Fr; WIDTH]; WIDTH],
}

/// The (lazily generated) parameters.
pub fn params() -> &'static PoseidonParams {
    static PARAMS: OnceLock<PoseidonParams> = OnceLock::new();
    PARAMS.get_or_init(|| {
        let (round_constants, mds, _) = Bn254PoseidonSpec::constants();
        PoseidonParams { round_constants, mds }
    })
}

/// Is round `r` a full round?
pub fn is_full_round(r: usize) -> bool {
    !(FULL_ROUNDS / 2..FULL_ROUNDS / 2 + PARTIAL_ROUNDS).contains(&r)
}

/// The Poseidon permutation, in place.
pub fn permute(state: &mut [Fr; WIDTH]) {
    let p = params();
    for (r, rc) in p.round_constants.iter().enumerate() {
        for (s, c) in state.iter_mut().zip(rc) {
            *s += c;
        }
        if is_full_round(r) {
            for s in state.iter_mut() {
                *s = s.pow_vartime([5]);
            }
        } else {
            state[0] = state[0].pow_vartime([5]);
        }
        *state = mds_mul(&p.mds, state);
    }
}

/// `m * v`.
pub fn mds_mul(m: &[[Fr; WIDTH]; WIDTH], v: &[Fr; WIDTH]) -> [Fr; WIDTH] {
    let mut out = [Fr::ZERO; WIDTH];
    for (o, row) in out.iter_mut().zip(m) {
        *o = row.iter().zip(v).map(|(a, b)| *a * b).sum();
    }
    out
}

/// Fixed-length hash (see the module docs for the construction).
pub fn hash(inputs: &[Fr]) -> Fr {
    let mut state = [Fr::ZERO; WIDTH];
    for chunk in inputs.chunks(2) {
        state[1] += chunk[0];
        if let Some(x) = chunk.get(1) {
            state[2] += x;
        }
        permute(&mut state);
    }
    state[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::fr_to_hex;

    #[test]
    fn matches_circomlib_poseidon_of_one_two() {
        // circomlib / iden3 test vector: Poseidon([1, 2]).
        let h = hash(&[Fr::from(1), Fr::from(2)]);
        assert_eq!(fr_to_hex(&h), "0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a");
    }

    #[test]
    fn hash_depends_on_every_input() {
        let base = hash(&[Fr::from(3), Fr::from(4), Fr::from(5)]);
        assert_ne!(base, hash(&[Fr::from(3), Fr::from(4), Fr::from(6)]));
        assert_ne!(base, hash(&[Fr::from(4), Fr::from(3), Fr::from(5)]));
    }
}
