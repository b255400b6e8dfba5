//! Errors of the verifier crate.

/// Errors returned by `zkcredit-verifier-codegen`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Compiling, deploying or calling in the EVM toolchain failed.
    #[error(transparent)]
    Evm(#[from] zkcredit_evm::Error),
    /// A verifier rejected the proof being measured.
    #[error("{verifier} rejected the proof (output {output})")]
    Rejected {
        /// Which verifier.
        verifier: String,
        /// Its return or revert data.
        output: String,
    },
    /// Reading the verifying key's protocol, or a proof's hint, failed.
    #[error(transparent)]
    Protocol(#[from] zkcredit_protocol::Error),
    /// The verifying key uses a feature the generator does not support.
    #[error("unsupported circuit for the Solidity verifier: {0}")]
    Unsupported(String),
}

/// Result alias.
pub type Result<T> = std::result::Result<T, Error>;
