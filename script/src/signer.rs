//! Loading a signing key from an environment variable or a file, without ever echoing it.

use std::path::PathBuf;

use alloy::primitives::B256;
use alloy::signers::local::PrivateKeySigner;

use crate::error::{Error, Result};

/// Where a private key comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// An environment variable holding the 0x-hex key.
    Env(String),
    /// A file holding the 0x-hex key (surrounding whitespace ignored).
    File(PathBuf),
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Env(name) => write!(f, "environment variable {name}"),
            KeySource::File(path) => write!(f, "file {}", path.display()),
        }
    }
}

impl KeySource {
    /// Read and parse the key. Error messages name the source and the problem, never the key.
    pub fn load(&self) -> Result<PrivateKeySigner> {
        let bad = |reason: &str| Error::Key { origin: self.to_string(), reason: reason.to_string() };
        let text = match self {
            KeySource::Env(name) => std::env::var(name).map_err(|_| bad("not set (or not valid UTF-8)"))?,
            KeySource::File(path) => std::fs::read_to_string(path).map_err(|e| bad(&format!("cannot read: {}", e.kind())))?,
        };
        parse_key(text.trim()).map_err(|reason| bad(&reason))
    }
}

/// Parse a 32-byte 0x-hex private key into a signer.
fn parse_key(text: &str) -> std::result::Result<PrivateKeySigner, String> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    if digits.len() != 64 {
        return Err(format!("expected 64 hex digits (32 bytes), found {} characters", digits.len()));
    }
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(digits, &mut bytes).map_err(|_| "not hexadecimal".to_string())?;
    PrivateKeySigner::from_bytes(&B256::from(bytes)).map_err(|_| "not a valid secp256k1 private key (zero or >= n)".to_string())
}

/// A deterministic signer from a label (keccak of the label): for the demo's and tests' actors
/// only. Never use it for anything that holds value.
pub fn demo_signer(label: &str) -> PrivateKeySigner {
    let key = alloy::primitives::keccak256(format!("zkcredit demo key: {label}"));
    PrivateKeySigner::from_bytes(&key).expect("keccak output is a valid key except with negligible probability")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_errors_never_echo_the_key() {
        let secret = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
        let path = std::env::temp_dir().join(format!("zkcredit-key-{}", std::process::id()));
        std::fs::write(&path, format!("0x{secret}\n")).unwrap();
        let signer = KeySource::File(path.clone()).load().unwrap();
        assert_eq!(signer.address().to_string(), "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");

        let short = &secret[..63];
        std::fs::write(&path, short).unwrap();
        let e = KeySource::File(path.clone()).load().unwrap_err().to_string();
        assert!(e.contains("64 hex digits") && !e.contains(short), "{e}");
        std::fs::write(&path, format!("zz{}", &secret[2..])).unwrap();
        let e = KeySource::File(path.clone()).load().unwrap_err().to_string();
        assert!(e.contains("not hexadecimal") && !e.contains(&secret[2..]), "{e}");
        std::fs::write(&path, "0".repeat(64)).unwrap();
        assert!(KeySource::File(path.clone()).load().unwrap_err().to_string().contains("not a valid"));
        std::fs::remove_file(&path).unwrap();

        let e = KeySource::Env("ZKCREDIT_TEST_KEY_THAT_IS_NOT_SET".into()).load().unwrap_err().to_string();
        assert!(e.contains("ZKCREDIT_TEST_KEY_THAT_IS_NOT_SET") && e.contains("not set"), "{e}");
        assert!(KeySource::File(path).load().unwrap_err().to_string().contains("cannot read"));
    }
}
