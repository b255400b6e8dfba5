//! Typed errors of the prover crate. Every variant names what was being read and why it failed.

use std::path::PathBuf;

/// Errors returned by `zkcredit-prover`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The ONNX file could not be parsed or evaluated.
    #[error("{path}: not a usable ONNX model: {reason}")]
    Onnx {
        /// The model file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The ONNX graph uses an operator zkcredit cannot prove.
    #[error("{path}: unsupported ONNX op `{op}` at node `{node}` (supported: Gemm, MatMul, Add, Relu, Sigmoid, Flatten, Reshape, Identity, Constant)")]
    UnsupportedOp {
        /// The model file.
        path: PathBuf,
        /// The operator type.
        op: String,
        /// The node name (or its index when unnamed).
        node: String,
    },
    /// The ONNX graph is made of supported ops but not in a supported shape.
    #[error("{path}: unsupported model structure at node `{node}`: {reason}")]
    UnsupportedStructure {
        /// The model file.
        path: PathBuf,
        /// The node name.
        node: String,
        /// What is wrong.
        reason: String,
    },
    /// A JSON or CSV document is malformed.
    #[error("{path}: {reason}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line or field where known.
        reason: String,
    },
    /// A binary artifact (key, SRS, proof bytes) is malformed or truncated.
    #[error("{path}: {reason}")]
    BadArtifact {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A single value supplied by the user is not acceptable.
    #[error("{what}: {reason}")]
    BadValue {
        /// Which value.
        what: String,
        /// Why it was rejected.
        reason: String,
    },
    /// An applicant's feature vector has the wrong length.
    #[error("expected {expected} features, got {got}")]
    FeatureCount {
        /// Inputs the model takes.
        expected: usize,
        /// Inputs supplied.
        got: usize,
    },
    /// A feature is NaN, infinite or outside the range the model was calibrated for.
    #[error("feature {index} (`{name}`) = {value}: {reason}")]
    FeatureOutOfRange {
        /// Input position.
        index: usize,
        /// Input name.
        name: String,
        /// The supplied value.
        value: f64,
        /// Why it is rejected (with the allowed range).
        reason: String,
    },
    /// The quantized model would decide differently from the float model on calibration rows.
    #[error(
        "the quantized model's decision differs from the float model's on {differing} of {rows} calibration rows at threshold {threshold} (e.g. rows {sample:?}), at every input scale tried ({input_bits:?} fractional bits); try more --input-bits (or leave it out so that compile chooses), a larger --weight-bits or --activation-bits, or pass --accept-disagreements to write it anyway (the count is recorded in model.json)"
    )]
    Fidelity {
        /// Rows whose decisions differ at the best scale.
        differing: usize,
        /// Calibration rows.
        rows: usize,
        /// The decision threshold.
        threshold: f64,
        /// The input scales tried.
        input_bits: Vec<u32>,
        /// Some of the differing rows (0-based).
        sample: Vec<usize>,
    },
    /// Calibration found values the quantized circuit cannot represent.
    #[error("calibration failed: {0}")]
    Calibration(String),
    /// One applicant of a batch cannot be proved.
    #[error("batch slot {slot}: {source}")]
    Slot {
        /// The slot (0-based).
        slot: usize,
        /// Why.
        #[source]
        source: Box<Error>,
    },
    /// The applicant scores below the threshold, so no proof of passing exists.
    #[error("the applicant does not pass: score {score:.6} < threshold {threshold} (logit {logit_q} < {threshold_q} in fixed point); no proof can be made")]
    BelowThreshold {
        /// The model's score (probability) for this applicant, from the quantized model.
        score: f64,
        /// The probability threshold.
        threshold: f64,
        /// The quantized logit.
        logit_q: i128,
        /// The quantized threshold logit.
        threshold_q: i128,
    },
    /// Artifacts made for different models or keys were combined.
    #[error("mismatched artifacts: {0}")]
    Mismatch(String),
    /// The SRS is too small or otherwise unusable.
    #[error("SRS {origin}: {reason}")]
    Srs {
        /// Where the SRS came from.
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// The proof did not verify.
    #[error("proof rejected: {0}")]
    Rejected(String),
    /// From the protocol shared with the verifier (unsupported key shape, malformed proof or hint,
    /// a bad field element or address).
    #[error(transparent)]
    Protocol(#[from] zkcredit_protocol::Error),
    /// Key generation or proving failed inside halo2.
    #[error("halo2 {stage} failed: {reason}")]
    Halo2 {
        /// keygen or prove.
        stage: &'static str,
        /// halo2's error.
        reason: String,
    },
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An I/O error for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
    /// A parse error for `path`.
    pub fn parse(path: impl Into<PathBuf>, reason: impl std::fmt::Display) -> Self {
        Error::Parse { path: path.into(), reason: reason.to_string() }
    }
    /// A malformed binary artifact.
    pub fn artifact(path: impl Into<PathBuf>, reason: impl std::fmt::Display) -> Self {
        Error::BadArtifact { path: path.into(), reason: reason.to_string() }
    }
}
