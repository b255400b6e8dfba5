//! # zkcredit-evm
//!
//! The EVM toolchain zkcredit compiles, deploys and measures contracts with, separate from code
//! generation: [`solc`] drives the pinned solc (found through `ZKCREDIT_SOLC`, then `PATH`, then
//! the repository's solc-js shim), [`chain`] is an embedded revm chain pinned to Osaka,
//! [`budget`] compares gas reports with a committed baseline.

pub mod budget;
pub mod chain;
pub mod error;
pub mod solc;

pub use chain::{calldata_gas, CallOutcome, Evm, GENESIS_TIMESTAMP, SPEC, TX_GAS_LIMIT};
pub use error::{Error, Result};
pub use revm::primitives::Address;
pub use solc::{compile, Compiled};
