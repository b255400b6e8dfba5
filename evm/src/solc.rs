//! Compile Solidity through foundry-compilers with the solc found by [`find`]: `ZKCREDIT_SOLC`,
//! else `solc` on `PATH`, else the repository's pinned solc-js shim (`tools/solc/solc`, solc
//! 0.8.30), so an installed binary works wherever a solc is.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use foundry_compilers::solc::Solc;
use serde_json::json;

use crate::error::{Error, Result};

/// The variable naming the solc to use.
pub const SOLC_VAR: &str = "ZKCREDIT_SOLC";

/// Creation and runtime bytecode of one contract.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// Init code.
    pub creation: Vec<u8>,
    /// Deployed code.
    pub runtime: Vec<u8>,
}

/// A solc command and where it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SolcCommand {
    /// The executable.
    pub path: PathBuf,
    /// `ZKCREDIT_SOLC`, `PATH` or `the repository's pinned shim`.
    pub origin: &'static str,
}

impl std::fmt::Display for SolcCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (from {})", self.path.display(), self.origin)
    }
}

/// The repository's pinned solc-js shim (installed by `scripts/setup-node-tools.sh`).
pub fn pinned_shim() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/solc/solc")
}

/// Find solc: `ZKCREDIT_SOLC`, then `solc` on `PATH`, then [`pinned_shim`].
pub fn find() -> Result<SolcCommand> {
    find_in(std::env::var_os(SOLC_VAR), std::env::var_os("PATH"), &pinned_shim())
}

/// [`find`] over explicit inputs.
pub fn find_in(solc_var: Option<OsString>, path_var: Option<OsString>, shim: &Path) -> Result<SolcCommand> {
    if let Some(v) = solc_var.filter(|v| !v.is_empty()) {
        let path = PathBuf::from(v);
        if !path.is_file() {
            return Err(Error::Solc { path: path.display().to_string(), reason: format!("{SOLC_VAR} names no file") });
        }
        return Ok(SolcCommand { path, origin: SOLC_VAR });
    }
    if let Some(found) = path_var.iter().flat_map(std::env::split_paths).map(|dir| dir.join("solc")).find(|p| is_executable(p)) {
        return Ok(SolcCommand { path: found, origin: "PATH" });
    }
    if shim.is_file() {
        return Ok(SolcCommand { path: shim.to_path_buf(), origin: "the repository's pinned shim" });
    }
    Err(Error::Solc {
        path: "solc".into(),
        reason: format!(
            "not found: set {SOLC_VAR} to a solc >= 0.8.24 (0.8.30 reproduces the committed figures), put one on PATH, or run scripts/setup-node-tools.sh in the repository for the pinned shim at {}",
            shim.display()
        ),
    })
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Compile `source` (one file) and return `contract`'s bytecode. Never uses via-IR.
pub fn compile(source: &str, contract: &str, optimize: bool) -> Result<Compiled> {
    let cmd = find()?;
    let path = &cmd.path;
    let solc = Solc::new(path).map_err(|e| Error::Solc { path: cmd.to_string(), reason: e.to_string() })?;
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
    let raw = solc.compile_output(&input).map_err(|e| Error::Solc { path: cmd.to_string(), reason: e.to_string() })?;
    let out: serde_json::Value =
        serde_json::from_slice(&raw).map_err(|e| Error::Solc { path: cmd.to_string(), reason: format!("unreadable output: {e}") })?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn exe(dir: &Path, name: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    #[test]
    fn the_variable_then_path_then_the_shim() {
        let tmp = std::env::temp_dir().join(format!("zkcredit-solc-find-{}", std::process::id()));
        let (var, on_path, shim) = (exe(&tmp.join("a"), "my-solc"), exe(&tmp.join("bin"), "solc"), exe(&tmp.join("shim"), "solc"));
        let path_var = Some(std::env::join_paths([tmp.join("empty"), tmp.join("bin")]).unwrap());
        let found = find_in(Some(var.clone().into()), path_var.clone(), &shim).unwrap();
        assert_eq!((found.path, found.origin), (var, SOLC_VAR));
        let found = find_in(None, path_var, &shim).unwrap();
        assert_eq!((found.path, found.origin), (on_path, "PATH"));
        let found = find_in(None, Some(tmp.join("empty").into()), &shim).unwrap();
        assert_eq!(found.path, shim);
        let err = find_in(Some(tmp.join("missing").into()), None, &shim).unwrap_err().to_string();
        assert!(err.contains("ZKCREDIT_SOLC names no file"), "{err}");
        let err = find_in(None, None, &tmp.join("no-shim")).unwrap_err().to_string();
        assert!(err.contains("not found") && err.contains("ZKCREDIT_SOLC"), "{err}");
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
