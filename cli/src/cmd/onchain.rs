//! Options shared by the on-chain subcommands (attest, deploy, submit): where the signing key
//! comes from, and address parsing.

use std::path::PathBuf;

use eyre::Result;
use zkcredit_script::alloy::primitives::Address;
use zkcredit_script::alloy::signers::local::PrivateKeySigner;
use zkcredit_script::signer::KeySource;

/// A private key from an environment variable (default) or a file; never a command-line value,
/// so it does not land in shell history or `ps`.
#[derive(clap::Args, Debug)]
pub struct KeyArgs {
    /// Environment variable holding the 0x-hex private key.
    #[arg(long, value_name = "VAR")]
    pub key_env: Option<String>,
    /// File holding the 0x-hex private key (instead of --key-env).
    #[arg(long, value_name = "PATH", conflicts_with = "key_env")]
    pub key_file: Option<PathBuf>,
}

impl KeyArgs {
    /// Load the signer; `default_env` is used when neither flag is given.
    pub fn load(&self, default_env: &str) -> Result<PrivateKeySigner> {
        let source = match (&self.key_env, &self.key_file) {
            (_, Some(path)) => KeySource::File(path.clone()),
            (Some(var), None) => KeySource::Env(var.clone()),
            (None, None) => KeySource::Env(default_env.to_string()),
        };
        Ok(source.load()?)
    }
}

/// A JSON-RPC endpoint and the account that signs there.
#[derive(clap::Args, Debug)]
pub struct ChainArgs {
    /// JSON-RPC endpoint, e.g. http://127.0.0.1:8545.
    #[arg(long)]
    pub rpc_url: String,
    /// The signing account [default: --key-env ZKCREDIT_PRIVATE_KEY].
    #[command(flatten)]
    pub key: KeyArgs,
}

/// Parse a 0x-prefixed 20-byte address.
pub fn parse_address(flag: &str, s: &str) -> Result<Address> {
    s.parse().map_err(|e| eyre::eyre!("{flag}: `{s}` is not a 0x-prefixed 20-byte address ({e})"))
}
