//! Errors of the on-chain side. None of them ever carries key material.

use std::path::PathBuf;

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while attesting, deploying or submitting.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The signing key could not be loaded; `origin` names the variable or file, never the key.
    #[error("signing key from {origin}: {reason}")]
    Key {
        /// `environment variable NAME` or `file PATH`.
        origin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A JSON file could not be read, parsed or written.
    #[error("{}: {reason}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A user-supplied value is invalid.
    #[error("{what}: {reason}")]
    BadValue {
        /// The value (flag or field).
        what: String,
        /// Why it is refused.
        reason: String,
    },
    /// The attestation does not belong to this proof, gate or borrower.
    #[error("attestation does not match: {reason}")]
    AttestationMismatch {
        /// Which field differs.
        reason: String,
    },
    /// A JSON-RPC request failed (connection, node error, timeout).
    #[error("RPC error while {during}: {reason}")]
    Rpc {
        /// What was being done.
        during: String,
        /// The transport's or node's message.
        reason: String,
    },
    /// A call or transaction reverted.
    #[error("{call} reverted: {reason}")]
    Reverted {
        /// The contract function.
        call: String,
        /// The decoded custom error (for example `BorrowerMismatch(sender: 0x.., borrower: ..)`),
        /// or the raw revert data when it decodes to nothing known.
        reason: String,
        /// The raw revert data.
        data: Vec<u8>,
    },
    /// A contract deployment did not produce a contract.
    #[error("deploying {contract}: {reason}")]
    Deploy {
        /// Which contract.
        contract: String,
        /// Why.
        reason: String,
    },
    /// Keys from a demo or development SRS deployed to a chain that is not a local test chain.
    #[error("refusing to deploy to chain {chain_id}: the keys come from {reason}. Make keys from a Perpetual Powers of Tau file (`zkcredit setup --srs`), or pass --allow-demo-srs if this chain holds nothing of value")]
    UnsafeSrs {
        /// The chain.
        chain_id: u64,
        /// What the SRS is.
        reason: String,
    },
    /// From the prover (proof files, models, keys).
    #[error(transparent)]
    Prover(#[from] zkcredit_prover::Error),
    /// From the compiler or the embedded EVM.
    #[error(transparent)]
    Evm(#[from] zkcredit_evm::Error),
}

impl Error {
    pub(crate) fn file(path: &std::path::Path, reason: impl std::fmt::Display) -> Self {
        Error::File { path: path.to_path_buf(), reason: reason.to_string() }
    }

    pub(crate) fn rpc(during: &str, reason: impl std::fmt::Display) -> Self {
        Error::Rpc { during: during.to_string(), reason: reason.to_string() }
    }
}
