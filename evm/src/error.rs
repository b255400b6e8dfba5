//! Errors of the EVM toolchain.

/// Errors returned by `zkcredit-evm`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// solc could not be found or run.
    #[error("solc at {path}: {reason}")]
    Solc {
        /// The solc command used (and where it was found).
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// solc reported errors.
    #[error("compiling {contract} failed: {errors}")]
    Compile {
        /// The contract being compiled.
        contract: String,
        /// solc's error messages.
        errors: String,
    },
    /// The EVM rejected a transaction before executing it.
    #[error("EVM: {0}")]
    Evm(String),
    /// Deployment did not produce a contract.
    #[error("deploying {contract} failed: {reason}")]
    Deploy {
        /// The contract.
        contract: String,
        /// Revert or halt reason.
        reason: String,
    },
}

/// Result alias.
pub type Result<T> = std::result::Result<T, Error>;
