//! The lender's half of `zkcredit demo` (steps 6-8): a data provider attests to the borrower's
//! feature commitment, the borrower proves with it, the CreditGate approves once and refuses
//! replays. On the embedded EVM (revm) or over JSON-RPC.

use std::path::{Path, PathBuf};

use eyre::Result;
use zkcredit_evm::Compiled;
use zkcredit_evm::GENESIS_TIMESTAMP;
use zkcredit_prover::commitment::{feature_commitment, random_salt};
use zkcredit_prover::model::CompiledModel;
use zkcredit_prover::prove::{prove, ProofFile, ProveRequest, SetupOutput};
use zkcredit_script::alloy::primitives::Address;
use zkcredit_script::alloy::signers::local::PrivateKeySigner;
use zkcredit_script::attest::AttestationFile;
use zkcredit_script::deployment::{DeployPlan, Deployment};
use zkcredit_script::local::{Approved, LocalGate, LOCAL_CHAIN_ID};
use zkcredit_script::policy::{fr_to_u256, Policy};
use zkcredit_script::rpc::{block_on, Rpc};
use zkcredit_script::signer::demo_signer;
use zkcredit_script::submission::Submission;
use zkcredit_script::Error;

use crate::ui::Spinner;

/// Model version the demo registers.
const VERSION: u32 = 1;
/// Attestation lifetime.
const DAY: u64 = 86_400;

/// Inputs of the gate steps.
pub struct GateDemo<'a> {
    /// The demo's output directory.
    pub out: &'a Path,
    /// The compiled model.
    pub model: &'a CompiledModel,
    /// Its keys.
    pub keys: &'a SetupOutput,
    /// The (passing) sample applicant the borrower is.
    pub sample: &'a Path,
    /// The policy threshold.
    pub threshold: f64,
    /// The compiled verifier from step 5.
    pub verifier: Compiled,
    /// Deploy demo keys to a chain that is not a local test chain.
    pub allow_demo_srs: bool,
}

impl GateDemo<'_> {
    fn plan(&self) -> Result<DeployPlan> {
        let policy = Policy::new(self.model, self.threshold)?;
        Ok(DeployPlan {
            verifier_creation: self.verifier.creation.clone(),
            model_version: VERSION,
            model_id: policy.model_id,
            threshold: policy.threshold,
            model_digest: self.model.digest.clone(),
            attesters: vec![demo_signer("attester").address()],
            srs: self.keys.header.srs.clone(),
            allow_demo_srs: self.allow_demo_srs,
        })
    }

    /// Steps 6 and 7: the data provider commits and attests, the borrower proves with that salt.
    fn attest_and_prove(&self, d: &Deployment, borrower: Address, now: u64) -> Result<Submission> {
        let attester: PrivateKeySigner = demo_signer("attester");
        let features = self.model.applicant_inputs(self.sample)?;
        let salt = random_salt(&mut rand::rngs::OsRng);
        let q = &self.model.quantized;
        let commitment = fr_to_u256(&feature_commitment(q, &q.quantize_features(&features)?, salt));
        let att = AttestationFile::sign(&attester, d.chain_id, d.gate.address, borrower, commitment, now + DAY)?;
        let att_path = self.out.join("attestation.json");
        att.save(&att_path)?;
        println!(
            "6. attest   data provider {} (demo key) signs commitment {:#x} for borrower {borrower}, gate {}, valid 24 h (EIP-712) -> {}",
            att.attester,
            commitment,
            d.gate.address,
            att_path.display()
        );
        let spinner = Spinner::new("prove");
        let req = ProveRequest { features, threshold: self.threshold, borrower: borrower.into_array(), nonce: 1, salt: Some(salt) };
        let (file, _) = prove(self.model, &self.keys.pk, &self.keys.params, &self.keys.header.srs, &req, &mut rand::rngs::OsRng, &spinner)?;
        spinner.finish();
        let proof_path = self.out.join("proof-borrower.json");
        file.save(&proof_path)?;
        println!("7. prove    the borrower proves with the attested commitment's salt, nonce 1 -> {}", proof_path.display());
        let file = ProofFile::load(&proof_path)?;
        Ok(Submission::new(VERSION, &file, &proof_path, &att)?)
    }

    fn report(&self, d: &Deployment, where_: &str, approved: &Approved, verify_gas: Option<u64>) -> Result<PathBuf> {
        let path = self.out.join("deployment.json");
        d.save(&path)?;
        println!(
            "8. gate     {where_}: ZkCreditVerifier {} ({} gas), CreditGate {} ({} gas, {} bytes); policy: version {VERSION}, threshold {}",
            d.verifier.address, d.verifier.gas_used, d.gate.address, d.gate.gas_used, d.gate.runtime_bytes, self.threshold
        );
        let overhead =
            verify_gas.map(|v| format!(" = verifyProof {v} + {} for the gate", approved.gas_used.saturating_sub(v))).unwrap_or_default();
        println!(
            "   submit    Approved(borrower {}, nonce {}, attester {}) for {} gas{overhead}",
            approved.event.borrower, approved.event.nonce, approved.event.attester, approved.gas_used
        );
        Ok(path)
    }

    /// Steps 6-8 on the embedded EVM.
    pub fn run_local(&self) -> Result<()> {
        let lender = demo_signer("lender").address();
        let borrower = demo_signer("borrower").address();
        let mut gate = LocalGate::deploy(lender, &self.plan()?)?;
        let sub = self.attest_and_prove(&gate.deployment, borrower, GENESIS_TIMESTAMP)?;
        let replay = gate.submit(demo_signer("thief").address(), &sub);
        let verify_gas = gate.verify_gas(&sub)?;
        let approved = gate.submit(borrower, &sub)?;
        let again = gate.submit(borrower, &sub);
        let stored = gate.approval_of(borrower)?;
        let path = self.report(&gate.deployment, "revm (Osaka), chain id 1", &approved, Some(verify_gas))?;
        let (replay_refused, again_refused) = (replay.is_err(), again.is_err());
        println!("   replay    from another account: {}", refusal(replay));
        println!("   replay    same nonce again: {}", refusal(again));
        println!(
            "   stored    approvalOf(borrower): nonce {}, model version {}, approved at {}",
            stored.nonce, stored.modelVersion, stored.approvedAt
        );
        println!("   deployment -> {} (chain id {LOCAL_CHAIN_ID}); on a real chain: zkcredit demo --rpc-url URL", path.display());
        if !(replay_refused && again_refused) {
            eyre::bail!("the gate approved a replayed submission");
        }
        Ok(())
    }

    /// Steps 6-8 on a chain: `key` deploys, owns the gate and is the borrower.
    pub fn run_rpc(&self, url: &str, key: PrivateKeySigner) -> Result<()> {
        let borrower = key.address();
        let plan = self.plan()?;
        block_on(async {
            let rpc = Rpc::connect(url, key).await?;
            let spinner = Spinner::new("deploy");
            let d = rpc.deploy(&plan).await?;
            spinner.finish();
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|t| t.as_secs()).unwrap_or(GENESIS_TIMESTAMP);
            let sub = self.attest_and_prove(&d, borrower, now)?;
            let (approved, mined) = rpc.submit(d.gate.address, &sub).await?;
            let again = rpc.submit(d.gate.address, &sub).await.map(|(a, _)| a);
            let stored = rpc.approval_of(d.gate.address, borrower).await?;
            let path = self.report(&d, &format!("chain {} via {url}", d.chain_id), &approved, None)?;
            println!("   tx        {}", mined.receipt.transaction_hash);
            let again_refused = again.is_err();
            println!("   replay    same nonce again: {}", refusal(again));
            println!(
                "   stored    approvalOf(borrower): nonce {}, model version {}, approved at {}",
                stored.nonce, stored.modelVersion, stored.approvedAt
            );
            println!("   deployment -> {}", path.display());
            if !again_refused {
                eyre::bail!("the gate approved a replayed submission");
            }
            Ok(())
        })?
    }
}

/// "refused: <decoded error>", or a loud failure if it was accepted.
fn refusal<T>(result: std::result::Result<T, Error>) -> String {
    match result {
        Err(Error::Reverted { reason, .. }) => format!("refused, {reason}"),
        Err(e) => format!("failed: {e}"),
        Ok(_) => "ACCEPTED (this is a bug)".to_string(),
    }
}
