//! Test support for the zkcredit workspace (a dev-dependency only).

pub mod snapshot;

pub use snapshot::{root, updating};
