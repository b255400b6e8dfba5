//! # zkcredit-verifier-codegen
//!
//! On-chain verification of zkcredit proofs. The flow: a verifying key becomes a [`Protocol`]
//! (what the proof contains and how it is checked), the [`codegen`] generator builds the
//! verification as a typed Yul tree ([`yul`]), the passes [`cse`] and [`stack`] rewrite it, and it
//! is rendered once into the askama templates under `templates/`. [`compile::compile_verifier`]
//! compiles it with the EVM toolchain (`zkcredit-evm`: solc and an embedded revm chain), and
//! [`gas`] measures it there against [`baseline`], snark-verifier's verifier for the same key.
//!
//! - [`protocol`]: the verifier's view of a circuit, read from a halo2-axiom verifying key (it
//!   lives in `zkcredit-protocol`, shared with the prover, which computes the proof's inversion
//!   hint from it).
//! - [`yul`]: the tree, its literals, the quotient's polynomials lowered to it, and its rendering.
//! - [`codegen`]: the layout and one module per verification step; [`cse`]: the quotient's shared
//!   subexpressions, computed once; [`stack`]: where each use reads the moduli from.
//! - [`compile`]: generated and compiled in one step; [`gas`]: both verifiers on one proof in one
//!   chain, with a breakdown; [`baseline`].

pub mod baseline;
pub mod codegen;
pub mod compile;
pub mod cse;
pub mod error;
pub mod gas;
pub mod stack;
pub mod yul;

pub use codegen::{generate, Generated, Options, Provenance};
pub use compile::compile_verifier;
pub use error::{Error, Result};
pub use zkcredit_evm::Compiled;
pub use zkcredit_protocol::protocol::{self, Protocol};
pub use zkcredit_protocol::{abi, hint, public};
