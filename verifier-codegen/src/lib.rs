//! # zkcredit-verifier-codegen
//!
//! On-chain verification of zkcredit proofs.
//!
//! - [`solc`]: compile Solidity with the pinned solc-js shim through foundry-compilers.
//! - [`evm`]: an embedded revm chain (Osaka) to deploy verifiers and measure gas.
//! - [`baseline`]: snark-verifier's generated verifier for the same key, the reference that
//!   zkcredit's own generator is compared against.

pub mod baseline;
pub mod error;
pub mod evm;
pub mod solc;

pub use error::{Error, Result};
