//! A borrower's submission to the gate: the proof, its public inputs and the attestation, checked
//! against each other before anything is sent.

use std::path::Path;

use alloy::primitives::{Address, Bytes, Signature, B256, U256};
use alloy::sol_types::SolCall;
use zkcredit_prover::prove::ProofFile;
use zkcredit_prover::public::INSTANCE_COUNT;

use crate::attest::AttestationFile;
use crate::bindings::CreditGate;
use crate::deployment::Deployment;
use crate::error::{Error, Result};
use crate::policy::fr_to_u256;

/// Everything `CreditGate.submit` takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    /// The model version the gate registered for this model.
    pub model_version: u32,
    /// The proof bytes.
    pub proof: Bytes,
    /// The five public inputs.
    pub instances: Vec<U256>,
    /// The attestation's expiry.
    pub expiry: u64,
    /// The attester's signature in EIP-2098 compact form: r ...
    pub sig_r: B256,
    /// ... and s with v's parity in the top bit.
    pub sig_vs: B256,
}

impl Submission {
    /// Pair a proof file with an attestation. Refuses an attestation for another commitment or
    /// borrower (the gate would refuse it too, after the caller paid for the proof check).
    pub fn new(model_version: u32, proof: &ProofFile, proof_path: &Path, attestation: &AttestationFile) -> Result<Self> {
        let (bytes, fields) = proof.decode(proof_path)?;
        let instances: Vec<U256> = fields.iter().map(fr_to_u256).collect();
        if instances.len() != INSTANCE_COUNT {
            return Err(Error::file(proof_path, format!("{} public inputs, expected {INSTANCE_COUNT}", instances.len())));
        }
        let (sig_r, sig_vs) = compact_signature(&attestation.signature)?;
        let s = Submission { model_version, proof: Bytes::from(bytes), instances, expiry: attestation.expiry, sig_r, sig_vs };
        if s.feature_commitment() != attestation.feature_commitment {
            return Err(Error::AttestationMismatch {
                reason: format!(
                    "it signs feature commitment {:#x}, the proof commits to {:#x} (prove with the salt the commitment was made with)",
                    attestation.feature_commitment,
                    s.feature_commitment()
                ),
            });
        }
        if s.borrower() != attestation.borrower {
            return Err(Error::AttestationMismatch {
                reason: format!("it is for borrower {}, the proof for {}", attestation.borrower, s.borrower()),
            });
        }
        Ok(s)
    }

    /// [`Submission::new`] for a deployment: the proof must be for the model the deployment
    /// registered and the attestation for its gate and chain.
    pub fn for_deployment(
        deployment: &Deployment,
        proof: &ProofFile,
        proof_path: &Path,
        attestation: &AttestationFile,
        attestation_path: &Path,
    ) -> Result<Self> {
        if !proof.model_digest.eq_ignore_ascii_case(&deployment.model_digest) {
            return Err(Error::file(
                proof_path,
                format!(
                    "the proof is for model {}, the deployment registered model {} (version {})",
                    proof.model_digest, deployment.model_digest, deployment.model_version
                ),
            ));
        }
        let submission = Submission::new(deployment.model_version, proof, proof_path, attestation)?;
        if attestation.gate != deployment.gate.address || attestation.chain_id != deployment.chain_id {
            return Err(Error::file(
                attestation_path,
                format!(
                    "the attestation is for gate {} on chain {}, the deployment is gate {} on chain {}",
                    attestation.gate, attestation.chain_id, deployment.gate.address, deployment.chain_id
                ),
            ));
        }
        Ok(submission)
    }

    /// The gate approves only `msg.sender`: refuse to send from another account.
    pub fn check_sender(&self, sender: Address) -> Result<()> {
        if sender != self.borrower() {
            return Err(Error::BadValue {
                what: "signing key".into(),
                reason: format!(
                    "the proof is for borrower {}, but the key is {sender}'s: the gate only approves msg.sender (prove for this address)",
                    self.borrower()
                ),
            });
        }
        Ok(())
    }

    /// Public input 0.
    pub fn feature_commitment(&self) -> U256 {
        self.instances[0]
    }

    /// Public input 2 as an address (its low 20 bytes).
    pub fn borrower(&self) -> Address {
        Address::from_word(self.instances[2].into())
    }

    /// Public input 3.
    pub fn nonce(&self) -> U256 {
        self.instances[3]
    }

    /// The ABI call.
    pub fn call(&self) -> CreditGate::submitCall {
        CreditGate::submitCall {
            modelVersion: self.model_version,
            proof: self.proof.clone(),
            instances: self.instances.clone(),
            expiry: self.expiry,
            sigR: self.sig_r,
            sigVs: self.sig_vs,
        }
    }

    /// The transaction's calldata.
    pub fn calldata(&self) -> Vec<u8> {
        self.call().abi_encode()
    }
}

/// A 65-byte (r, s, v) signature in EIP-2098 compact form (r, s | parity << 255).
pub fn compact_signature(signature: &[u8]) -> Result<(B256, B256)> {
    let sig = Signature::try_from(signature)
        .map_err(|e| Error::AttestationMismatch { reason: format!("signature is not 65 bytes (r, s, v): {e}") })?;
    let compact = sig.as_erc2098();
    Ok((B256::from_slice(&compact[..32]), B256::from_slice(&compact[32..])))
}
