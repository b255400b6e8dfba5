//! Errors of the verifier crate.

/// Errors returned by `zkcredit-verifier-codegen`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The `solc` shim could not be found or run.
    #[error("solc at {path}: {reason}")]
    Solc {
        /// The solc path used.
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
    /// A verifier rejected the proof being measured.
    #[error("{verifier} rejected the proof (output {output})")]
    Rejected {
        /// Which verifier.
        verifier: String,
        /// Its return or revert data.
        output: String,
    },
    /// Reading the verifying key's protocol, or a proof's hint, failed in the prover crate.
    #[error(transparent)]
    Prover(#[from] zkcredit_prover::Error),
    /// The verifying key uses a feature the generator does not support.
    #[error("unsupported circuit for the Solidity verifier: {0}")]
    Unsupported(String),
}

/// Result alias.
pub type Result<T> = std::result::Result<T, Error>;
