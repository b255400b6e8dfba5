//! # zkcredit-prover
//!
//! Prove, with Halo2 (KZG on BN254), that a committed credit model scores a borrower's private,
//! committed features at or above a public threshold, bound to the borrower's address and a nonce.
//!
//! The flow, module by module:
//! 1. [`onnx`]: find the score of an ONNX graph as exporters write it (skl2onnx, torch, tf2onnx)
//!    and lower it to a float network (affine preprocessing folded in); tract evaluates the float
//!    reference.
//! 2. [`quantize`] and [`model`]: fixed-point quantization, calibration on a dataset, a fidelity
//!    report and the model digest -> a [`model::CompiledModel`].
//! 3. [`circuit`]: the gates and the layout (features range-checked and committed with
//!    [`poseidon`], dense layers with fixed weights, rescale remainders, ReLU, the threshold
//!    comparison, address and nonce binding).
//! 4. [`srs`]: Perpetual Powers of Tau import or halo2 params; [`prove`]: keys, proofs, verification.
//! 5. [`public`]: the public-input ABI shared with the contracts; [`abi`]: the verifier call's
//!    calldata, carried in every proof file.
//! 6. [`protocol`]: the verifier's view of a verifying key (transcript order, openings, quotient);
//!    [`hint`]: the batch-inversion hint appended to every proof so the on-chain verifier needs no
//!    modexp.
//!
//! Supporting modules: [`dataset`], [`encoding`], [`artifact`], [`field`], [`digest`], [`error`],
//! [`metrics`] (CPU time and peak memory for the benchmarks).

pub mod abi;
pub mod artifact;
pub mod circuit;
pub mod commitment;
pub mod dataset;
pub mod digest;
pub mod encoding;
pub mod error;
pub mod field;
pub mod hint;
pub mod metrics;
pub mod model;
pub mod onnx;
pub mod poseidon;
pub mod protocol;
pub mod prove;
pub mod public;
pub mod quantize;
pub mod srs;

pub use error::{Error, Result};
