//! Compile Solidity with the pinned solc-js shim (`tools/solc/solc`) through foundry-compilers.

use std::path::{Path, PathBuf};

use foundry_compilers::solc::Solc;
use serde_json::json;

use crate::error::{Error, Result};

/// Creation and runtime bytecode of one contract.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// Init code.
    pub creation: Vec<u8>,
    /// Deployed code.
    pub runtime: Vec<u8>,
}

/// The solc command: `$ZKCREDIT_SOLC`, else `tools/solc/solc` in this repository.
pub fn solc_path() -> PathBuf {
    std::env::var_os("ZKCREDIT_SOLC").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/solc/solc"))
}

/// Compile `source` (one file) and return `contract`'s bytecode. Never uses via-IR.
pub fn compile(source: &str, contract: &str, optimize: bool) -> Result<Compiled> {
    let path = solc_path();
    let solc = Solc::new(&path).map_err(|e| Error::Solc {
        path: path.display().to_string(),
        reason: format!("{e} (run scripts/setup-node-tools.sh to install the pinned solc-js shim)"),
    })?;
    let input = json!({
        "language": "Solidity",
        "sources": { "Verifier.sol": { "content": source } },
        "settings": {
            "optimizer": { "enabled": optimize, "runs": 200 },
            "viaIR": false,
            "evmVersion": "cancun",
            "outputSelection": { "*": { "*": ["evm.bytecode.object", "evm.deployedBytecode.object"] } }
        }
    });
    let raw = solc.compile_output(&input).map_err(|e| Error::Solc { path: path.display().to_string(), reason: e.to_string() })?;
    let out: serde_json::Value = serde_json::from_slice(&raw)
        .map_err(|e| Error::Solc { path: path.display().to_string(), reason: format!("unreadable output: {e}") })?;
    let errors: Vec<String> = out["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["severity"] == "error")
        .map(|e| e["formattedMessage"].as_str().unwrap_or("?").to_string())
        .collect();
    if !errors.is_empty() {
        return Err(Error::Compile { contract: contract.into(), errors: errors.join("\n") });
    }
    let c = &out["contracts"]["Verifier.sol"][contract]["evm"];
    let hex_of = |v: &serde_json::Value| hex::decode(v["object"].as_str().unwrap_or_default()).unwrap_or_default();
    let compiled = Compiled { creation: hex_of(&c["bytecode"]), runtime: hex_of(&c["deployedBytecode"]) };
    if compiled.creation.is_empty() {
        return Err(Error::Compile { contract: contract.into(), errors: "no bytecode in solc's output".into() });
    }
    Ok(compiled)
}
