//! What a deployment leaves behind: addresses, transactions and gas, as JSON (`zkcredit deploy
//! --out`), read back by `zkcredit submit`.

use std::path::Path;

use alloy::primitives::{Address, B256, U256};
use serde::{Deserialize, Serialize};
use zkcredit_prover::srs::SrsInfo;

use crate::error::{Error, Result};

/// `kind` of a deployment file.
pub const DEPLOYMENT_KIND: &str = "zkcredit-deployment";

/// One deployed contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployed {
    /// Its address.
    pub address: Address,
    /// The creation transaction (zero on the embedded EVM).
    pub tx_hash: B256,
    /// Gas used by the creation transaction.
    pub gas_used: u64,
    /// Runtime bytecode size.
    pub runtime_bytes: usize,
}

/// A verifier + credit gate deployment with its first policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// Always [`DEPLOYMENT_KIND`].
    pub kind: String,
    /// zkcredit version that deployed it.
    pub zkcredit_version: String,
    /// Chain id.
    pub chain_id: u64,
    /// The deployer, also the gate's owner.
    pub owner: Address,
    /// The generated verifier.
    pub verifier: Deployed,
    /// The credit gate.
    pub gate: Deployed,
    /// The registered model version.
    pub model_version: u32,
    /// Its model id (public input 4).
    pub model_id: U256,
    /// Its policy threshold (public input 1).
    pub threshold: U256,
    /// The model digest (0x-hex keccak).
    pub model_digest: String,
    /// Trusted attesters.
    pub attesters: Vec<Address>,
    /// Gas of `setModel` and `setAttester` together.
    pub configure_gas: u64,
}

impl Deployment {
    /// Read a deployment file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, e))?;
        let d: Deployment = serde_json::from_str(&text).map_err(|e| Error::file(path, format!("not a deployment: {e}")))?;
        if d.kind != DEPLOYMENT_KIND {
            return Err(Error::file(path, format!("kind is `{}`, expected `{DEPLOYMENT_KIND}`", d.kind)));
        }
        Ok(d)
    }

    /// The chain a node serves must be the deployment's.
    pub fn check_chain(&self, chain_id: u64) -> Result<()> {
        if chain_id != self.chain_id {
            return Err(Error::BadValue {
                what: "--rpc-url".into(),
                reason: format!("chain id {chain_id} differs from the deployment's {}", self.chain_id),
            });
        }
        Ok(())
    }

    /// Write as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(|e| Error::file(path, e))?;
        std::fs::write(path, text + "\n").map_err(|e| Error::file(path, e))
    }
}

/// What `deploy` registers.
#[derive(Clone, Debug)]
pub struct DeployPlan {
    /// Creation bytecode of the generated verifier.
    pub verifier_creation: Vec<u8>,
    /// Model version to register it under.
    pub model_version: u32,
    /// Model id (public input 4).
    pub model_id: U256,
    /// Threshold (public input 1).
    pub threshold: U256,
    /// Model digest, recorded in the deployment file.
    pub model_digest: String,
    /// Attesters to trust.
    pub attesters: Vec<Address>,
    /// The SRS the keys were made from.
    pub srs: SrsInfo,
    /// Deploy keys from a demo or development SRS to a chain that is not a local test chain.
    pub allow_demo_srs: bool,
}

/// Chain ids of local test chains (anvil and hardhat: 31337; ganache and geth --dev: 1337), where
/// keys from the demo or development SRS may be deployed.
pub const LOCAL_TEST_CHAIN_IDS: [u64; 2] = [31337, 1337];

impl DeployPlan {
    /// Refuse keys from the demo or development SRS on any chain but a local test chain, unless
    /// the plan explicitly allows it.
    pub fn check_chain(&self, chain_id: u64) -> Result<()> {
        match self.srs.unfit_for_deployment() {
            Some(reason) if !self.allow_demo_srs && !LOCAL_TEST_CHAIN_IDS.contains(&chain_id) => {
                Err(Error::UnsafeSrs { chain_id, reason: reason.into() })
            }
            _ => Ok(()),
        }
    }
}
