//! # zkcredit-script
//!
//! The on-chain side of zkcredit, after the proof: a data provider **attests** to a borrower's
//! feature commitment ([`attest`], EIP-712), the lender **deploys** the generated verifier and the
//! hand-written `CreditGate` (contracts/CreditGate.sol) and registers its policy ([`policy`],
//! [`deployment`]), and the borrower **submits** proof + attestation ([`submission`]); the gate
//! approves them once per nonce. The same calldata runs on an embedded EVM ([`local`], revm:
//! the demo's default and where gas is measured) or on any chain over JSON-RPC ([`rpc`], alloy).
//!
//! - [`batch`]: one attestation and one transaction for a batch proof's borrowers.
//! - [`measure`]: gas of the single and the batch path side by side (`zkcredit gas --batch`).
//! - [`bindings`]: `sol!` bindings from the committed Foundry artifacts; revert decoding.
//! - [`signer`]: private keys from an environment variable or a file, never echoed.
//! - [`error`]: the crate's errors.

pub mod attest;
pub mod batch;
pub mod bindings;
pub mod deployment;
pub mod error;
pub mod local;
pub mod measure;
pub mod policy;
pub mod rpc;
pub mod signer;
pub mod submission;

pub use alloy;
pub use error::{Error, Result};
