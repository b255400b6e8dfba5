pub mod error;
pub mod field;
pub mod poseidon;
pub use error::{Error, Result};
