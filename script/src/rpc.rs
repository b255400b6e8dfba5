//! The gate on a real chain over JSON-RPC (alloy): deploy the verifier and the gate, configure
//! them, and submit proofs. Every state-changing call is first simulated with `eth_call`, so a
//! revert comes back decoded (the custom error and its fields) before any gas is spent.

use std::future::Future;
use std::time::Duration;

use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, Bytes};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::{TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::{SolCall, SolConstructor};

use crate::bindings::{describe_revert, CreditGate};
use crate::deployment::{DeployPlan, Deployed, Deployment, DEPLOYMENT_KIND};
use crate::error::{Error, Result};
use crate::local::Approved;
use crate::submission::Submission;

/// Percent added to `eth_estimateGas` for the gas limit of a sent transaction.
pub const GAS_MARGIN_PERCENT: u64 = 10;

/// How long to wait for a receipt.
pub const RECEIPT_TIMEOUT: Duration = Duration::from_secs(180);

/// Run a future to completion on a fresh single-threaded runtime (the CLI is synchronous).
pub fn block_on<F: Future>(future: F) -> Result<F::Output> {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| Error::rpc("starting the async runtime", e))?;
    Ok(runtime.block_on(future))
}

/// A JSON-RPC endpoint with a signing account.
pub struct Rpc {
    provider: DynProvider,
    from: Address,
    chain_id: u64,
}

/// A mined transaction that did not revert.
#[derive(Clone, Debug)]
pub struct Mined {
    /// Its receipt.
    pub receipt: TransactionReceipt,
}

impl Rpc {
    /// Connect to `url` and sign with `signer`. Fails early when the node is unreachable.
    pub async fn connect(url: &str, signer: PrivateKeySigner) -> Result<Self> {
        let parsed = url.parse().map_err(|e| Error::BadValue { what: "--rpc-url".into(), reason: format!("`{url}`: {e}") })?;
        let from = signer.address();
        let provider = ProviderBuilder::new().wallet(signer).connect_http(parsed).erased();
        let chain_id = provider.get_chain_id().await.map_err(|e| Error::rpc(&format!("reading the chain id from {url}"), e))?;
        Ok(Rpc { provider, from, chain_id })
    }

    /// The signing account.
    pub fn from(&self) -> Address {
        self.from
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// Simulate, then send and wait for the receipt. A revert in simulation returns the decoded
    /// custom error and sends nothing. Without a gas limit set, the limit is the node's estimate
    /// plus [`GAS_MARGIN_PERCENT`]: the verifier reverts (never answers "invalid") when short of
    /// gas, so the estimate is a limit at which a valid proof passes, and the margin absorbs
    /// state that changes between the estimate and the block.
    pub async fn send(&self, what: &str, tx: TransactionRequest) -> Result<Mined> {
        let mut tx = tx.with_from(self.from);
        if let Err(e) = self.provider.call(tx.clone()).await {
            return Err(failed(e, what, &format!("simulating {what}")));
        }
        if tx.gas.is_none() {
            let estimate =
                self.provider.estimate_gas(tx.clone()).await.map_err(|e| failed(e, what, &format!("estimating the gas of {what}")))?;
            tx = tx.with_gas_limit(estimate + estimate * GAS_MARGIN_PERCENT / 100);
        }
        self.send_unchecked(what, tx).await
    }

    /// `eth_estimateGas` for `tx` from the signing account.
    pub async fn estimate_gas(&self, tx: TransactionRequest) -> Result<u64> {
        self.provider.estimate_gas(tx.with_from(self.from)).await.map_err(|e| Error::rpc("estimating gas", e))
    }

    /// `eth_call` of `tx` from the signing account; returns the return data.
    pub async fn call(&self, tx: TransactionRequest) -> Result<Bytes> {
        self.provider.call(tx.with_from(self.from)).await.map_err(|e| failed(e, "eth_call", "eth_call"))
    }

    /// The return data of a mined transaction, from anvil's or geth's `debug_traceTransaction`
    /// call tracer (receipts carry none).
    pub async fn traced_output(&self, tx_hash: alloy::primitives::B256) -> Result<Bytes> {
        let trace: serde_json::Value = self
            .provider
            .raw_request("debug_traceTransaction".into(), (tx_hash, serde_json::json!({ "tracer": "callTracer" })))
            .await
            .map_err(|e| Error::rpc("debug_traceTransaction", e))?;
        let output = trace["output"].as_str().unwrap_or("0x");
        output.parse().map_err(|e| Error::BadValue { what: "traced output".into(), reason: format!("`{output}`: {e}") })
    }

    /// Send without simulating first and wait for the receipt; a mined revert (status 0) is an
    /// [`Error::Reverted`] without data (receipts carry none).
    pub async fn send_unchecked(&self, what: &str, tx: TransactionRequest) -> Result<Mined> {
        let tx = tx.with_from(self.from);
        let pending = self.provider.send_transaction(tx).await.map_err(|e| Error::rpc(&format!("sending {what}"), e))?;
        let receipt = pending
            .with_timeout(Some(RECEIPT_TIMEOUT))
            .get_receipt()
            .await
            .map_err(|e| Error::rpc(&format!("waiting for the receipt of {what}"), e))?;
        if !receipt.status() {
            return Err(Error::Reverted {
                call: what.into(),
                reason: format!("mined with status 0 in transaction {}", receipt.transaction_hash),
                data: vec![],
            });
        }
        Ok(Mined { receipt })
    }

    async fn deploy_code(&self, name: &str, code: Vec<u8>) -> Result<Deployed> {
        let mined = self.send(&format!("deploying {name}"), TransactionRequest::default().with_deploy_code(code)).await?;
        let address = mined
            .receipt
            .contract_address
            .ok_or_else(|| Error::Deploy { contract: name.into(), reason: "receipt without a contract address".into() })?;
        let code = self.provider.get_code_at(address).await.map_err(|e| Error::rpc(&format!("reading {name}'s code"), e))?;
        Ok(Deployed { address, tx_hash: mined.receipt.transaction_hash, gas_used: mined.receipt.gas_used, runtime_bytes: code.len() })
    }

    /// Deploy the verifier and the gate (owned by the signing account), register the model
    /// version and trust the attesters.
    pub async fn deploy(&self, plan: &DeployPlan) -> Result<Deployment> {
        plan.check_chain(self.chain_id)?;
        let verifier = self.deploy_code("ZkCreditVerifier", plan.verifier_creation.clone()).await?;
        let mut init = CreditGate::BYTECODE.to_vec();
        init.extend(CreditGate::constructorCall { initialOwner: self.from }.abi_encode());
        let gate = self.deploy_code("CreditGate", init).await?;
        let set_model = CreditGate::setModelCall {
            modelVersion: plan.model_version,
            verifier: verifier.address,
            modelId: plan.model_id,
            threshold: plan.threshold,
        };
        let mut configure_gas = self.call_gate(gate.address, "setModel", set_model.abi_encode()).await?.receipt.gas_used;
        for attester in &plan.attesters {
            let call = CreditGate::setAttesterCall { attester: *attester, trusted: true };
            configure_gas += self.call_gate(gate.address, "setAttester", call.abi_encode()).await?.receipt.gas_used;
        }
        Ok(Deployment {
            kind: DEPLOYMENT_KIND.into(),
            zkcredit_version: env!("CARGO_PKG_VERSION").into(),
            chain_id: self.chain_id,
            owner: self.from,
            verifier,
            gate,
            model_version: plan.model_version,
            model_id: plan.model_id,
            threshold: plan.threshold,
            model_digest: plan.model_digest.clone(),
            attesters: plan.attesters.clone(),
            configure_gas,
        })
    }

    async fn call_gate(&self, gate: Address, what: &str, calldata: Vec<u8>) -> Result<Mined> {
        self.send(what, TransactionRequest::default().with_to(gate).with_input(Bytes::from(calldata))).await
    }

    /// Submit a proof to `gate`; returns the gas used and the decoded `Approved` event.
    pub async fn submit(&self, gate: Address, submission: &Submission) -> Result<(Approved, Mined)> {
        let mined = self.call_gate(gate, "submit", submission.calldata()).await?;
        let event = mined.receipt.decoded_log::<CreditGate::Approved>().ok_or_else(|| Error::Reverted {
            call: "submit".into(),
            reason: "mined without an Approved event".into(),
            data: vec![],
        })?;
        Ok((Approved { gas_used: mined.receipt.gas_used, event: event.data }, mined))
    }

    /// The stored approval of `borrower` at `gate`.
    pub async fn approval_of(&self, gate: Address, borrower: Address) -> Result<CreditGate::Approval> {
        let tx = TransactionRequest::default().with_to(gate).with_input(Bytes::from(CreditGate::approvalOfCall { borrower }.abi_encode()));
        let out = self.provider.call(tx).await.map_err(|e| Error::rpc("reading approvalOf", e))?;
        CreditGate::approvalOfCall::abi_decode_returns(&out).map_err(|e| Error::Reverted {
            call: "approvalOf".into(),
            reason: format!("undecodable return: {e}"),
            data: out.to_vec(),
        })
    }
}

/// A node's answer to a failed call: the decoded revert when it carries revert data, else the
/// transport error while `doing`.
fn failed(e: alloy::transports::TransportError, call: &str, doing: &str) -> Error {
    match e.as_error_resp().and_then(|r| r.as_revert_data()) {
        Some(data) => Error::Reverted { call: call.into(), reason: describe_revert(&data), data: data.to_vec() },
        None => Error::rpc(doing, e),
    }
}
