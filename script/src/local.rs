//! The gate on an embedded EVM (revm, Osaka, chain id 1): what the demo runs by default and what
//! the gas target is measured on. Same calldata, same contracts as on a real chain.

use alloy::primitives::{Address, Bytes, U256};
use alloy::sol_types::{SolCall, SolConstructor, SolEvent};
use zkcredit_evm::{CallOutcome, Evm};

use crate::bindings::CreditGate;
use crate::deployment::{DeployPlan, Deployed, Deployment, DEPLOYMENT_KIND};
use crate::error::{Error, Result};
use crate::submission::Submission;

/// The chain id revm runs with.
pub const LOCAL_CHAIN_ID: u64 = 1;

/// A verifier and a configured gate on an embedded chain.
pub struct LocalGate {
    /// The chain.
    pub evm: Evm,
    /// What was deployed.
    pub deployment: Deployment,
}

/// The receipt of a successful `submit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approved {
    /// Transaction gas used.
    pub gas_used: u64,
    /// The decoded `Approved` event.
    pub event: CreditGate::Approved,
}

impl LocalGate {
    /// Deploy the verifier and the gate (owned by `owner`), register the model version and trust
    /// the attesters.
    pub fn deploy(owner: Address, plan: &DeployPlan) -> Result<Self> {
        let mut evm = Evm::new();
        evm.set_caller(owner);
        let (verifier, verifier_gas) = evm.deploy("ZkCreditVerifier", &plan.verifier_creation)?;
        let mut gate_init = CreditGate::BYTECODE.to_vec();
        gate_init.extend(CreditGate::constructorCall { initialOwner: owner }.abi_encode());
        let (gate, gate_gas) = evm.deploy("CreditGate", &gate_init)?;
        let mut local = LocalGate {
            evm,
            deployment: Deployment {
                kind: DEPLOYMENT_KIND.into(),
                zkcredit_version: env!("CARGO_PKG_VERSION").into(),
                chain_id: LOCAL_CHAIN_ID,
                owner,
                verifier: Deployed { address: verifier, tx_hash: Default::default(), gas_used: verifier_gas, runtime_bytes: 0 },
                gate: Deployed { address: gate, tx_hash: Default::default(), gas_used: gate_gas, runtime_bytes: 0 },
                model_version: plan.model_version,
                model_id: plan.model_id,
                threshold: plan.threshold,
                model_digest: plan.model_digest.clone(),
                attesters: plan.attesters.clone(),
                configure_gas: 0,
            },
        };
        local.deployment.verifier.runtime_bytes = local.evm.code_size(verifier);
        local.deployment.gate.runtime_bytes = local.evm.code_size(gate);
        let set_model =
            CreditGate::setModelCall { modelVersion: plan.model_version, verifier, modelId: plan.model_id, threshold: plan.threshold };
        local.deployment.configure_gas += local.transact(owner, "setModel", &set_model.abi_encode())?.gas_used;
        for attester in &plan.attesters {
            let call = CreditGate::setAttesterCall { attester: *attester, trusted: true };
            local.deployment.configure_gas += local.transact(owner, "setAttester", &call.abi_encode())?.gas_used;
        }
        Ok(local)
    }

    /// Send a transaction from `from`; a revert becomes [`Error::Reverted`] with the decoded error.
    pub fn transact(&mut self, from: Address, name: &str, calldata: &[u8]) -> Result<CallOutcome> {
        self.evm.set_caller(from);
        let out = self.evm.call(self.deployment.gate.address, calldata)?;
        if !out.success {
            return Err(Error::Reverted { call: name.into(), reason: crate::bindings::describe_revert(&out.output), data: out.output });
        }
        Ok(out)
    }

    /// Submit from `from`; returns the gas and the decoded `Approved` event.
    pub fn submit(&mut self, from: Address, submission: &Submission) -> Result<Approved> {
        let out = self.transact(from, "submit", &submission.calldata())?;
        let event = out.logs.iter().find_map(|log| CreditGate::Approved::decode_log(log).ok()).ok_or_else(|| Error::Reverted {
            call: "submit".into(),
            reason: "succeeded without an Approved event".into(),
            data: vec![],
        })?;
        Ok(Approved { gas_used: out.gas_used, event: event.data })
    }

    /// Transaction gas of calling the verifier directly with the same proof (the baseline of the
    /// "submit costs at most verify + 40k" target).
    pub fn verify_gas(&mut self, submission: &Submission) -> Result<u64> {
        let call = crate::bindings::IZkCreditVerifier::verifyProofCall {
            proof: submission.proof.clone(),
            instances: submission.instances.clone(),
        };
        let out = self.evm.call(self.deployment.verifier.address, &call.abi_encode())?;
        if !out.returned_true() {
            return Err(Error::Reverted {
                call: "verifyProof".into(),
                reason: crate::bindings::describe_revert(&out.output),
                data: out.output,
            });
        }
        Ok(out.gas_used)
    }

    /// Deploy a batch verifier (creation code) for `slots` and register it for the model version.
    pub fn add_batch_verifier(&mut self, owner: Address, creation: &[u8], slots: u16) -> Result<Address> {
        self.evm.set_caller(owner);
        let (verifier, _) = self.evm.deploy("ZkCreditBatchVerifier", creation)?;
        let call = CreditGate::setBatchVerifierCall { modelVersion: self.deployment.model_version, verifier, slots };
        self.transact(owner, "setBatchVerifier", &call.abi_encode())?;
        Ok(verifier)
    }

    /// Relay a batch from `from`; returns the gas and every decoded `Approved` event.
    pub fn submit_batch(&mut self, from: Address, submission: &crate::batch::BatchSubmission) -> Result<(u64, Vec<CreditGate::Approved>)> {
        let out = self.transact(from, "submitBatch", &submission.calldata())?;
        let events = out.logs.iter().filter_map(|log| CreditGate::Approved::decode_log(log).ok()).map(|e| e.data).collect();
        Ok((out.gas_used, events))
    }

    /// The stored approval of `borrower`.
    pub fn approval_of(&mut self, borrower: Address) -> Result<CreditGate::Approval> {
        let out = self.transact(borrower, "approvalOf", &CreditGate::approvalOfCall { borrower }.abi_encode())?;
        CreditGate::approvalOfCall::abi_decode_returns(&out.output).map_err(|e| Error::Reverted {
            call: "approvalOf".into(),
            reason: format!("undecodable return: {e}"),
            data: out.output,
        })
    }

    /// The digest an attester signs, as the gate computes it.
    pub fn attestation_digest(&mut self, commitment: U256, borrower: Address, expiry: u64) -> Result<Bytes> {
        let call = CreditGate::attestationDigestCall { featureCommitment: commitment, borrower, expiry };
        Ok(Bytes::from(self.transact(borrower, "attestationDigest", &call.abi_encode())?.output))
    }
}
