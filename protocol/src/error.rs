//! Errors of the protocol crate.

/// Errors returned by `zkcredit-protocol`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A single value (a field element, an address) is not acceptable.
    #[error("{what}: {reason}")]
    BadValue {
        /// Which value.
        what: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The proof is malformed (length, hint).
    #[error("proof rejected: {0}")]
    Rejected(String),
    /// The verifying key uses a proof-system feature zkcredit's verifiers do not support.
    #[error("unsupported proof system shape: {0}")]
    Protocol(String),
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;
