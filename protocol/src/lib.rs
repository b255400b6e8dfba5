//! # zkcredit-protocol
//!
//! What the prover and the generated Solidity verifier must agree on, in one place that both
//! depend on:
//!
//! - [`public`]: the public-input ABI (named indices, encodings) shared with the contracts;
//! - [`abi`]: the calldata of `verifyProof(bytes, uint256[])`;
//! - [`protocol`]: the verifier's view of a verifying key: the proof's layout, the transcript
//!   order, the openings, the quotient expression and the denominators;
//! - [`hint`]: the batch-inversion hint the prover appends so the verifier needs no modexp;
//! - [`field`]: BN254 scalar helpers (hex, big-endian words, signed integers).

pub mod abi;
pub mod error;
pub mod field;
pub mod hint;
pub mod protocol;
pub mod public;

pub use error::{Error, Result};
pub use protocol::Protocol;
