//! Batches on chain: a data provider signs one EIP-712 `BatchAttestation(uint256[] slots, uint64
//! expiry)` over every slot of a batch proof (each slot's feature commitment and account word
//! `borrower << 64 | nonce`, in the proof's order); anyone relays proof and signature to
//! `CreditGate.submitBatch`, which approves every borrower of the batch or nobody.

use std::path::Path;

use alloy::primitives::{Address, Bytes, B256, U256};
use alloy::signers::local::PrivateKeySigner;
use alloy::signers::SignerSync;
use alloy::sol_types::{SolCall, SolStruct};
use serde::{Deserialize, Serialize};
use zkcredit_prover::batch::BatchProofFile;
use zkcredit_prover::public::{BatchPublicInputs, BATCH_HEADER};

use crate::attest::domain;
use crate::bindings::CreditGate;
use crate::error::{Error, Result};
use crate::policy::fr_to_u256;
use crate::submission::compact_signature;

alloy::sol! {
    /// The EIP-712 batch message (`CreditGate.BATCH_ATTESTATION_TYPEHASH`).
    #[derive(Debug, PartialEq, Eq)]
    struct BatchAttestation {
        /// The batch proof's public inputs after the header: per slot the feature commitment and
        /// `borrower << 64 | nonce`.
        uint256[] slots;
        /// Unix seconds after which the gate refuses the attestation.
        uint64 expiry;
    }
}

/// `kind` of a batch attestation file.
pub const BATCH_ATTESTATION_KIND: &str = "zkcredit-batch-attestation";

/// A signed batch attestation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchAttestationFile {
    /// Always [`BATCH_ATTESTATION_KIND`].
    pub kind: String,
    /// The chain the gate lives on.
    pub chain_id: u64,
    /// The gate (EIP-712 verifying contract).
    pub gate: Address,
    /// The signer (a data provider the gate trusts).
    pub attester: Address,
    /// The slot words signed.
    pub slots: Vec<U256>,
    /// Expiry, unix seconds.
    pub expiry: u64,
    /// 65-byte signature (r, s, v).
    pub signature: Bytes,
}

/// The slot words of a batch proof's public inputs.
pub fn slot_words(instances: &[U256]) -> &[U256] {
    &instances[BATCH_HEADER.min(instances.len())..]
}

impl BatchAttestationFile {
    /// Sign the slots of a batch proof with the data provider's key.
    pub fn sign(signer: &PrivateKeySigner, chain_id: u64, gate: Address, slots: Vec<U256>, expiry: u64) -> Result<Self> {
        let digest = BatchAttestation { slots: slots.clone(), expiry }.eip712_signing_hash(&domain(chain_id, gate));
        let sig = signer.sign_hash_sync(&digest).map_err(|e| Error::BadValue { what: "signature".into(), reason: e.to_string() })?;
        Ok(BatchAttestationFile {
            kind: BATCH_ATTESTATION_KIND.into(),
            chain_id,
            gate,
            attester: signer.address(),
            slots,
            expiry,
            signature: Bytes::from(sig.as_bytes().to_vec()),
        })
    }

    /// The EIP-712 digest that was signed.
    pub fn digest(&self) -> B256 {
        BatchAttestation { slots: self.slots.clone(), expiry: self.expiry }.eip712_signing_hash(&domain(self.chain_id, self.gate))
    }

    /// Read a batch attestation file and check its signature.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, e))?;
        let file: Self = serde_json::from_str(&text).map_err(|e| Error::file(path, format!("not a batch attestation: {e}")))?;
        if file.kind != BATCH_ATTESTATION_KIND {
            return Err(Error::file(path, format!("kind is `{}`, expected `{BATCH_ATTESTATION_KIND}`", file.kind)));
        }
        let sig = alloy::primitives::Signature::try_from(file.signature.as_ref()).map_err(|e| Error::file(path, e))?;
        let signer = sig.recover_address_from_prehash(&file.digest()).map_err(|e| Error::file(path, e))?;
        if signer != file.attester {
            return Err(Error::file(path, format!("signed by {signer}, but the file names attester {}", file.attester)));
        }
        Ok(file)
    }

    /// Write as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(|e| Error::file(path, e))?;
        std::fs::write(path, text + "\n").map_err(|e| Error::file(path, e))
    }
}

/// Everything `CreditGate.submitBatch` takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchSubmission {
    /// The model version the gate registered.
    pub model_version: u32,
    /// The proof bytes.
    pub proof: Bytes,
    /// The `2 + 2N` public inputs.
    pub instances: Vec<U256>,
    /// The attestation's expiry.
    pub expiry: u64,
    /// Compact signature: r ...
    pub sig_r: B256,
    /// ... and s with v's parity in the top bit.
    pub sig_vs: B256,
}

impl BatchSubmission {
    /// Pair a batch proof with its attestation; refuses an attestation over other slots.
    pub fn new(model_version: u32, proof: &BatchProofFile, proof_path: &Path, attestation: &BatchAttestationFile) -> Result<Self> {
        let (bytes, fields) = proof.decode(proof_path)?;
        let instances: Vec<U256> = fields.iter().map(fr_to_u256).collect();
        if instances.len() != BatchPublicInputs::count(proof.batch_size) {
            return Err(Error::file(proof_path, "public inputs do not match the batch size"));
        }
        if slot_words(&instances) != attestation.slots.as_slice() {
            return Err(Error::AttestationMismatch {
                reason: "it signs other slots (commitments, borrowers or nonces) than the proof's".into(),
            });
        }
        let (sig_r, sig_vs) = compact_signature(&attestation.signature)?;
        Ok(BatchSubmission { model_version, proof: Bytes::from(bytes), instances, expiry: attestation.expiry, sig_r, sig_vs })
    }

    /// The borrowers of the batch and their nonces, in slot order (empty slots left out).
    pub fn borrowers(&self) -> Vec<(Address, u64)> {
        slot_words(&self.instances)
            .chunks(2)
            .filter_map(|s| {
                let account = s.get(1)?;
                let borrower = Address::from_slice(&account.to_be_bytes::<32>()[4..24]);
                let nonce = account.as_limbs()[0];
                (borrower != Address::ZERO).then_some((borrower, nonce))
            })
            .collect()
    }

    /// The transaction's calldata.
    pub fn calldata(&self) -> Vec<u8> {
        CreditGate::submitBatchCall {
            modelVersion: self.model_version,
            proof: self.proof.clone(),
            instances: self.instances.clone(),
            expiry: self.expiry,
            sigR: self.sig_r,
            sigVs: self.sig_vs,
        }
        .abi_encode()
    }
}
