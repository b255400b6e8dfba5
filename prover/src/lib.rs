//! # zkcredit-prover
//!
//! Prove, with Halo2 (KZG on BN254), that a committed credit model scores a borrower's private,
//! committed features at or above a public threshold, bound to the borrower's address and a nonce.
//!
//! The flow, module by module:
//! 1. [`onnx`]: find the score of an ONNX graph as exporters write it (skl2onnx, onnxmltools,
//!    torch, tf2onnx) and lower it to a float network (affine preprocessing folded in) or a tree
//!    ensemble; tract evaluates the float reference.
//! 2. [`quantize`] and [`model`]: fixed-point quantization, calibration on a dataset, a fidelity
//!    report and the model digest -> a [`model::CompiledModel`].
//! 3. [`circuit`]: the gates and the layout (features range-checked and committed with
//!    [`poseidon`], dense layers with fixed weights, rescale remainders, ReLU, or the trees' split
//!    bits and multiplexers; the threshold comparison, address and nonce binding).
//! 4. [`srs`]: Perpetual Powers of Tau import or halo2 params; [`prove`]: keys, proofs,
//!    verification; [`batch`]: one proof for many applicants.
//! 5. [`commitment`]: the feature packing, the Poseidon commitment and the commitment file.
//!
//! What the prover shares with the on-chain verifier (the public-input ABI, the calldata, the
//! verifier's view of a key and the inversion hint) is the `zkcredit-protocol` crate, re-exported
//! here as [`public`], [`abi`], [`protocol`], [`hint`] and [`field`].
//!
//! Supporting modules: [`dataset`], [`encoding`], [`artifact`], [`digest`], [`error`],
//! [`metrics`] (CPU time and peak memory for the benchmarks).

pub mod artifact;
pub mod batch;
pub mod circuit;
pub mod commitment;
pub mod dataset;
pub mod digest;
pub mod encoding;
pub mod error;
pub mod metrics;
pub mod model;
pub mod onnx;
pub mod poseidon;
pub mod prove;
pub mod quantize;
pub mod srs;

pub use error::{Error, Result};
/// The ABI, field helpers, verifier protocol and inversion hint shared with the verifier
/// generator live in `zkcredit-protocol`.
pub use zkcredit_protocol::{abi, field, hint, protocol, public};
