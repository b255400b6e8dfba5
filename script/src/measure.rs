//! Gas of the single and the batch path side by side, measured on the embedded chain: one gate
//! with both verifiers, a real single proof submitted by its borrower and a real batch proof of
//! `N` borrowers relayed with one batch attestation.

use alloy::primitives::{Address, U256};
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use zkcredit_prover::batch::{prove_batch, BatchApplicant};
use zkcredit_prover::commitment::random_salt;
use zkcredit_prover::model::CompiledModel;
use zkcredit_prover::prove::{prove, NoProgress, ProveRequest, SetupOutput};

use crate::attest::AttestationFile;
use crate::batch::{slot_words, BatchAttestationFile, BatchSubmission};
use crate::deployment::DeployPlan;
use crate::error::{Error, Result};
use crate::local::{LocalGate, LOCAL_CHAIN_ID};
use crate::policy::{fr_to_u256, Policy};
use crate::signer::demo_signer;
use crate::submission::Submission;

/// What `zkcredit gas --batch N` reports.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BatchGasReport {
    /// The EVM fork measured.
    pub fork: String,
    /// Slots of the batch key (every slot a distinct borrower).
    pub batch_size: usize,
    /// Transaction gas of `verifyProof` on the batch verifier.
    pub batch_verify_gas_tx: u64,
    /// Transaction gas of `submitBatch`.
    pub batch_submit_gas_tx: u64,
    /// `batch_submit_gas_tx / batch_size`.
    pub per_borrower_gas: u64,
    /// Transaction gas of a single borrower's `submit`.
    pub single_submit_gas_tx: u64,
    /// Transaction gas of `verifyProof` on the single verifier.
    pub single_verify_gas_tx: u64,
    /// Batch proof size.
    pub batch_proof_bytes: usize,
    /// Runtime bytecode of the batch verifier (EIP-170 limit: 24,576).
    pub batch_verifier_runtime_bytes: usize,
    /// Deployment gas of the batch verifier.
    pub batch_verifier_deploy_gas: u64,
    /// k of the batch circuit.
    pub batch_k: u32,
    /// The SRS of the batch keys (gas does not depend on it).
    pub srs: String,
}

/// A distinct borrower address per slot.
fn borrower(i: usize) -> Address {
    let mut b = [0u8; 20];
    b[0] = 0xb0;
    b[12..].copy_from_slice(&(i as u64 + 1).to_be_bytes());
    Address::from(b)
}

/// The two keys to compare and their generated verifiers' creation code.
pub struct Paths<'a> {
    /// Single-proof keys.
    pub single: &'a SetupOutput,
    /// Creation code of the single verifier.
    pub single_verifier: Vec<u8>,
    /// Batch keys.
    pub batch: &'a SetupOutput,
    /// Creation code of the batch verifier.
    pub batch_verifier: Vec<u8>,
}

/// Measure both paths for `model`; `rows` are applicants that pass (at least the batch size;
/// the first is also the single applicant).
pub fn batch_gas(model: &CompiledModel, paths: Paths<'_>, rows: &[Vec<f64>], threshold: f64) -> Result<BatchGasReport> {
    let (keys, batch) = (paths.single, paths.batch);
    let n = batch.header.batch.ok_or_else(|| Error::BadValue { what: "batch keys".into(), reason: "made for single proofs".into() })?;
    if rows.len() < n {
        return Err(Error::BadValue { what: "applicants".into(), reason: format!("{} passing rows for {n} slots", rows.len()) });
    }
    let attester = demo_signer("attester");
    let owner = demo_signer("lender").address();
    let policy = Policy::new(model, threshold)?;
    let plan = DeployPlan {
        verifier_creation: paths.single_verifier,
        model_version: 1,
        model_id: policy.model_id,
        threshold: policy.threshold,
        model_digest: model.digest.clone(),
        attesters: vec![attester.address()],
        srs: keys.header.srs.clone(),
        allow_demo_srs: true,
    };
    let mut gate = LocalGate::deploy(owner, &plan)?;
    let batch_addr = gate.add_batch_verifier(owner, &paths.batch_verifier, n as u16)?;
    let runtime = gate.evm.code_size(batch_addr);
    let deploy_gas = zkcredit_evm::Evm::new().deploy("batch verifier", &paths.batch_verifier)?.1;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let expiry = zkcredit_evm::GENESIS_TIMESTAMP + 86_400;

    // The single path: borrower 0 proves and submits.
    let salt = random_salt(&mut rng);
    let req = ProveRequest { features: rows[0].clone(), threshold, borrower: borrower(0).into_array(), nonce: 1, salt: Some(salt) };
    let (file, _) = prove(model, &keys.pk, &keys.params, &keys.header.srs, &req, &mut rng, &NoProgress)?;
    let commitment = fr_to_u256(&file.decode(std::path::Path::new("proof.json"))?.1[0]);
    let att = AttestationFile::sign(&attester, LOCAL_CHAIN_ID, gate.deployment.gate.address, borrower(0), commitment, expiry)?;
    let single = Submission::new(1, &file, std::path::Path::new("proof.json"), &att)?;
    let single_verify = gate.verify_gas(&single)?;
    let single_submit = gate.submit(borrower(0), &single)?.gas_used;

    // The batch path: borrowers 1..=n, one proof, one attestation, relayed by a third account.
    let applicants: Vec<BatchApplicant> = (0..n)
        .map(|i| BatchApplicant {
            line: i + 1,
            request: ProveRequest { features: rows[i].clone(), threshold, borrower: borrower(i + 1).into_array(), nonce: 1, salt: None },
        })
        .collect();
    let outcome = prove_batch(model, &batch.pk, &batch.params, &batch.header.srs, n, &applicants, &mut rng, &NoProgress)?;
    let proof = outcome.file.ok_or_else(|| Error::BadValue { what: "batch".into(), reason: "no applicant passes".into() })?;
    let (bytes, fields) = proof.decode(std::path::Path::new("batch.json"))?;
    let words: Vec<U256> = fields.iter().map(fr_to_u256).collect();
    let att = BatchAttestationFile::sign(&attester, LOCAL_CHAIN_ID, gate.deployment.gate.address, slot_words(&words).to_vec(), expiry)?;
    let sub = BatchSubmission::new(1, &proof, std::path::Path::new("batch.json"), &att)?;
    let verify_call = crate::bindings::IZkCreditVerifier::verifyProofCall { proof: bytes.into(), instances: words };
    let batch_verify = gate.evm.call(batch_addr, &alloy::sol_types::SolCall::abi_encode(&verify_call))?;
    if !batch_verify.returned_true() {
        return Err(Error::Reverted {
            call: "verifyProof (batch)".into(),
            reason: crate::bindings::describe_revert(&batch_verify.output),
            data: batch_verify.output,
        });
    }
    let (batch_submit, events) = gate.submit_batch(demo_signer("relayer").address(), &sub)?;
    if events.len() != n {
        return Err(Error::BadValue { what: "batch".into(), reason: format!("{} approvals for {n} borrowers", events.len()) });
    }
    Ok(BatchGasReport {
        fork: "osaka".into(),
        batch_size: n,
        batch_verify_gas_tx: batch_verify.gas_used,
        batch_submit_gas_tx: batch_submit,
        per_borrower_gas: batch_submit / n as u64,
        single_submit_gas_tx: single_submit,
        single_verify_gas_tx: single_verify,
        batch_proof_bytes: sub.proof.len(),
        batch_verifier_runtime_bytes: runtime,
        batch_verifier_deploy_gas: deploy_gas,
        batch_k: batch.header.k,
        srs: batch.header.srs.describe(),
    })
}
