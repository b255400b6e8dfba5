//! The batch-inversion hint: the last 32 bytes of every zkcredit proof.
//!
//! The verifier divides by a few values that depend on the transcript challenges `x` and `u`
//! ([`Protocol::denominators`]: `x w^-i - 1` per Lagrange polynomial, `x^n - 1`, `u - x w^r` per
//! opened rotation, `x`). It inverts them together with Montgomery's trick, which leaves one field
//! inverse. On-chain that inverse costs a modexp (4,048 gas under EIP-7883, Osaka, plus the call);
//! read from calldata and checked with one `mulmod` it costs ~0.6k. So a zkcredit proof is the
//! halo2 proof (byte-compatible with snark-verifier's `EvmTranscript`) followed by one big-endian
//! word: the inverse of the product of all denominators.
//!
//! The hint adds no freedom: it is a function of the halo2 proof and the public inputs, the
//! verifier accepts it only if `product * hint == 1 (mod r)` and the word is below `r` (one
//! encoding per proof), and a vanishing denominator has no inverse, so then no hint passes.
//! [`inversion_hint`] computes it by replaying the transcript exactly as the verifier does.

use halo2_proofs::halo2curves::bn256::{Fr, G1Affine};
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use snark_verifier::loader::native::NativeLoader;
use snark_verifier::system::halo2::transcript::evm::EvmTranscript;
use snark_verifier::util::transcript::{Transcript, TranscriptRead};

use crate::error::{Error, Result};
use crate::field::fr_to_be_bytes;
use crate::protocol::{Denominator, Protocol};

/// Length of the hint in bytes.
pub use crate::protocol::HINT_LEN;

/// The challenges `x` (evaluation point) and `u` (SHPLONK opening point) of a halo2 proof, read
/// in the verifier's transcript order.
pub fn challenges(p: &Protocol, halo2_proof: &[u8], instances: &[Fr]) -> Result<(Fr, Fr)> {
    let bad = |e: snark_verifier::Error| Error::Rejected(format!("reading the proof transcript: {e:?}"));
    if halo2_proof.len() != p.halo2_proof_len() || instances.len() != p.num_instance {
        return Err(Error::Rejected(format!(
            "{} proof bytes and {} public inputs, expected {} and {}",
            halo2_proof.len(),
            instances.len(),
            p.halo2_proof_len(),
            p.num_instance
        )));
    }
    let mut t = EvmTranscript::<G1Affine, NativeLoader, &[u8], Vec<u8>>::new(halo2_proof);
    t.common_scalar(&p.transcript_init).map_err(bad)?;
    for x in instances {
        t.common_scalar(x).map_err(bad)?;
    }
    for (&nw, &nc) in p.num_witness.iter().zip(&p.num_challenge) {
        t.read_n_ec_points(nw).map_err(bad)?;
        t.squeeze_n_challenges(nc);
    }
    t.read_n_ec_points(p.num_chunk).map_err(bad)?;
    let x = t.squeeze_challenge();
    t.read_n_scalars(p.evaluations.len()).map_err(bad)?;
    t.squeeze_n_challenges(2); // mu, gamma
    t.read_ec_point().map_err(bad)?; // W
    let u = t.squeeze_challenge();
    Ok((x, u))
}

/// The value of one denominator at the challenges.
pub fn denominator(p: &Protocol, d: Denominator, x: Fr, u: Fr) -> Fr {
    match d {
        Denominator::Lagrange(i) => x * p.omega_pow(-i) - Fr::ONE,
        Denominator::Vanishing => x.pow_vartime([p.n()]) - Fr::ONE,
        Denominator::Opening(r) => u - x * p.omega_pow(r),
        Denominator::X => x,
    }
}

/// The inverse of the product of all denominators for this proof and these public inputs.
pub fn inversion_hint(p: &Protocol, halo2_proof: &[u8], instances: &[Fr]) -> Result<Fr> {
    let (x, u) = challenges(p, halo2_proof, instances)?;
    let product: Fr = p.denominators().into_iter().map(|d| denominator(p, d, x, u)).product();
    Option::from(product.invert()).ok_or_else(|| Error::Rejected("a verifier denominator vanishes at this proof's challenges".into()))
}

/// The zkcredit proof: `halo2_proof` followed by its hint.
pub fn with_hint(p: &Protocol, halo2_proof: &[u8], instances: &[Fr]) -> Result<Vec<u8>> {
    let hint = inversion_hint(p, halo2_proof, instances)?;
    Ok([halo2_proof, &fr_to_be_bytes(&hint)].concat())
}

/// Split a zkcredit proof into the halo2 proof and the hint, checking the hint's encoding.
pub fn split(proof: &[u8]) -> Result<(&[u8], Fr)> {
    let cut = proof.len().checked_sub(HINT_LEN).ok_or_else(|| Error::Rejected(format!("{} proof bytes: too short", proof.len())))?;
    let (halo2_proof, word) = proof.split_at(cut);
    let mut repr = [0u8; 32];
    repr.copy_from_slice(word);
    repr.reverse();
    let hint = Option::from(Fr::from_repr(repr)).ok_or_else(|| Error::Rejected("the inversion hint is not below r".into()))?;
    Ok((halo2_proof, hint))
}
