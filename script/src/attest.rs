//! EIP-712 attestations: a data provider signs (feature commitment, borrower, expiry) for one
//! credit gate on one chain; the gate checks the signature in `submit` (check 5).
//!
//! Domain: name "zkcredit CreditGate", version "1", the chain id and the gate's address. Type:
//! `Attestation(uint256 featureCommitment,address borrower,uint64 expiry)`.

use std::path::Path;

use alloy::primitives::{Address, Bytes, B256, U256};
use alloy::signers::local::PrivateKeySigner;
use alloy::signers::SignerSync;
use alloy::sol_types::{eip712_domain, Eip712Domain, SolStruct};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

alloy::sol! {
    /// The EIP-712 message (`CreditGate.ATTESTATION_TYPEHASH`).
    #[derive(Debug, PartialEq, Eq)]
    struct Attestation {
        /// Public input 0 of the proof: Poseidon commitment to the borrower's features.
        uint256 featureCommitment;
        /// The borrower the data belongs to.
        address borrower;
        /// Unix seconds after which the gate refuses the attestation.
        uint64 expiry;
    }
}

/// `kind` of an attestation file.
pub const ATTESTATION_KIND: &str = "zkcredit-attestation";

/// The gate's EIP-712 domain.
pub fn domain(chain_id: u64, gate: Address) -> Eip712Domain {
    eip712_domain! { name: "zkcredit CreditGate", version: "1", chain_id: chain_id, verifying_contract: gate, }
}

/// A signed attestation, as written by `zkcredit attest` and read by `zkcredit submit`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationFile {
    /// Always [`ATTESTATION_KIND`].
    pub kind: String,
    /// The chain the gate lives on.
    pub chain_id: u64,
    /// The gate (EIP-712 verifying contract).
    pub gate: Address,
    /// The signer (a data provider the gate trusts).
    pub attester: Address,
    /// The borrower.
    pub borrower: Address,
    /// The feature commitment (public input 0).
    pub feature_commitment: U256,
    /// Expiry, unix seconds.
    pub expiry: u64,
    /// 65-byte signature (r, s, v with v in {27, 28}).
    pub signature: Bytes,
}

impl AttestationFile {
    /// Sign an attestation with the data provider's key.
    pub fn sign(
        signer: &PrivateKeySigner,
        chain_id: u64,
        gate: Address,
        borrower: Address,
        feature_commitment: U256,
        expiry: u64,
    ) -> Result<Self> {
        let message = Attestation { featureCommitment: feature_commitment, borrower, expiry };
        let digest = message.eip712_signing_hash(&domain(chain_id, gate));
        let sig = signer.sign_hash_sync(&digest).map_err(|e| Error::BadValue { what: "signature".into(), reason: e.to_string() })?;
        Ok(AttestationFile {
            kind: ATTESTATION_KIND.to_string(),
            chain_id,
            gate,
            attester: signer.address(),
            borrower,
            feature_commitment,
            expiry,
            signature: Bytes::from(sig.as_bytes().to_vec()),
        })
    }

    /// The EIP-712 digest that was signed.
    pub fn digest(&self) -> B256 {
        let message = Attestation { featureCommitment: self.feature_commitment, borrower: self.borrower, expiry: self.expiry };
        message.eip712_signing_hash(&domain(self.chain_id, self.gate))
    }

    /// Check that the signature is `attester`'s over this file's fields.
    pub fn check_signature(&self) -> Result<()> {
        let mismatch = |reason: String| Error::AttestationMismatch { reason };
        let sig = alloy::primitives::Signature::try_from(self.signature.as_ref())
            .map_err(|e| mismatch(format!("signature is not 65 bytes (r, s, v): {e}")))?;
        let signer = sig.recover_address_from_prehash(&self.digest()).map_err(|e| mismatch(format!("signature does not recover: {e}")))?;
        if signer != self.attester {
            return Err(mismatch(format!("signed by {signer}, but the file names attester {}", self.attester)));
        }
        Ok(())
    }

    /// Read and check an attestation file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, e))?;
        let file: AttestationFile = serde_json::from_str(&text).map_err(|e| Error::file(path, format!("not an attestation: {e}")))?;
        if file.kind != ATTESTATION_KIND {
            return Err(Error::file(path, format!("kind is `{}`, expected `{ATTESTATION_KIND}`", file.kind)));
        }
        file.check_signature().map_err(|e| Error::file(path, e))?;
        Ok(file)
    }

    /// Write as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(|e| Error::file(path, e))?;
        std::fs::write(path, text + "\n").map_err(|e| Error::file(path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signer::demo_signer;

    #[test]
    fn signature_round_trips_and_binds_every_field() {
        let attester = demo_signer("attester");
        let gate = Address::with_last_byte(0x6a);
        let a = AttestationFile::sign(&attester, 31337, gate, Address::with_last_byte(0xb0), U256::from(42u64), 1_800_000_000).unwrap();
        a.check_signature().unwrap();
        assert_eq!(a.signature.len(), 65);
        assert!(a.signature[64] == 27 || a.signature[64] == 28);
        let tweaks: [fn(&mut AttestationFile); 5] = [
            |a| a.chain_id += 1,
            |a| a.gate = Address::with_last_byte(0x6b),
            |a| a.borrower = Address::with_last_byte(0xb1),
            |a| a.feature_commitment += U256::from(1u64),
            |a| a.expiry += 1,
        ];
        for (i, tweak) in tweaks.iter().enumerate() {
            let mut b = a.clone();
            tweak(&mut b);
            assert!(b.check_signature().is_err(), "field {i} is not bound");
        }
    }
}
