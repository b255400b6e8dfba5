//! Binary artifact container for keys and params: `ZKCREDIT` magic, kind, format version, a JSON
//! header (model digest, k, SRS origin, payload checksum) and the halo2 payload. The checksum is
//! verified before halo2 parses the payload, so corrupt or truncated files fail with a clear error.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::circuit::Family;
use crate::digest::{hex32, keccak};
use crate::error::{Error, Result};
use crate::srs::SrsInfo;

/// File magic.
pub const MAGIC: &[u8; 8] = b"ZKCREDIT";
/// Container format version.
pub const FORMAT_VERSION: u16 = 1;

/// Header of a key or params file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ArtifactHeader {
    /// `proving-key`, `verifying-key` or `params`.
    pub kind: String,
    /// zkcredit version that wrote it.
    pub zkcredit_version: String,
    /// The compiled model's digest.
    pub model_digest: String,
    /// Circuit size (2^k rows).
    pub k: u32,
    /// SRS origin.
    pub srs: SrsInfo,
    /// Keccak-256 of the payload.
    pub payload_keccak: String,
    /// The circuit family the key was made for (absent: a network).
    #[serde(default, skip_serializing_if = "Family::is_network")]
    pub family: Family,
    /// Slots of a batch key (absent: a single-applicant key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<usize>,
}

/// Write a container.
pub fn write(path: &Path, mut header: ArtifactHeader, payload: &[u8]) -> Result<()> {
    header.payload_keccak = hex32(&keccak(payload));
    let json = serde_json::to_vec(&header).map_err(|e| Error::parse(path, e))?;
    let mut out = Vec::with_capacity(payload.len() + json.len() + 16);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(payload);
    std::fs::File::create(path).and_then(|mut f| f.write_all(&out)).map_err(|e| Error::io(path, e))
}

/// Read a container of the expected kind, checking magic, version and checksum.
pub fn read(path: &Path, kind: &str) -> Result<(ArtifactHeader, Vec<u8>)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if bytes.len() < 14 || &bytes[..8] != MAGIC {
        return Err(Error::artifact(path, format!("not a zkcredit {kind} file (bad magic)")));
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if version != FORMAT_VERSION {
        return Err(Error::artifact(path, format!("format version {version}, this zkcredit reads {FORMAT_VERSION}")));
    }
    let len = u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]) as usize;
    let json = bytes.get(14..14 + len).ok_or_else(|| Error::artifact(path, "truncated header"))?;
    let header: ArtifactHeader = serde_json::from_slice(json).map_err(|e| Error::artifact(path, format!("corrupt header: {e}")))?;
    if header.kind != kind {
        return Err(Error::artifact(path, format!("is a {} file, expected a {kind}", header.kind)));
    }
    let payload = bytes[14 + len..].to_vec();
    if hex32(&keccak(&payload)) != header.payload_keccak {
        return Err(Error::artifact(path, "corrupt or truncated (payload checksum mismatch)"));
    }
    Ok((header, payload))
}
