//! The feature commitment a data provider attests to: features packed into 248-bit words (the
//! one packing, shared with the circuit's planner), hashed with a salt by Poseidon, and the
//! commitment file (`zkcredit commit`) that carries the commitment and its private salt.

use std::path::Path;

use halo2_proofs::halo2curves::bn256::Fr;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::field::{fr_from_hex, fr_to_hex, pow2};
use crate::model::CompiledModel;
use crate::poseidon;
use crate::quantize::{FeatureSpec, QuantizedModel};

/// Bits per packed field element of the feature commitment.
pub const PACK_BITS: u32 = 248;

/// Format tag of commitment files.
pub const COMMITMENT_FORMAT: &str = "zkcredit-commitment/1";

/// The features of each packed word, in input order: a feature starts a new word when it would
/// overflow [`PACK_BITS`]. Feature `i` of a word sits at the bit offset of the widths before it.
pub fn word_groups(features: &[FeatureSpec]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = 0u32;
    for (i, f) in features.iter().enumerate() {
        if used + f.bits > PACK_BITS {
            groups.push(Vec::new());
            used = 0;
        }
        if let Some(g) = groups.last_mut() {
            g.push(i);
        }
        used += f.bits;
    }
    groups
}

/// The packed words of quantized features (`X - offset`, little-endian within a word).
pub fn packed_words(q: &QuantizedModel, features: &[i64]) -> Vec<Fr> {
    word_groups(&q.features)
        .iter()
        .map(|group| {
            let mut word = Fr::zero();
            let mut at = 0u32;
            for &i in group {
                let f = &q.features[i];
                word += Fr::from(features[i].wrapping_sub(f.offset) as u64) * pow2(at);
                at += f.bits;
            }
            word
        })
        .collect()
}

/// Poseidon of the packed words followed by the salt.
pub fn feature_commitment(q: &QuantizedModel, features: &[i64], salt: Fr) -> Fr {
    let mut words = packed_words(q, features);
    words.push(salt);
    poseidon::hash(&words)
}

/// A uniformly random commitment salt.
pub fn random_salt(rng: &mut impl RngCore) -> Fr {
    let mut wide = [0u8; 64];
    rng.fill_bytes(&mut wide);
    <Fr as halo2_proofs::halo2curves::ff::FromUniformBytes<64>>::from_uniform_bytes(&wide)
}

/// What `zkcredit commit` writes: private (it holds the salt), kept by the data provider and
/// handed to the borrower for `prove --salt`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CommitmentFile {
    /// [`COMMITMENT_FORMAT`] (absent in files of earlier versions).
    #[serde(default = "commitment_format")]
    pub format: String,
    /// The model whose feature packing the commitment uses.
    pub model_digest: String,
    /// The commitment (0x-hex field element): public input 0 of the proof.
    pub feature_commitment: String,
    /// The salt (0x-hex field element).
    pub salt: String,
}

fn commitment_format() -> String {
    COMMITMENT_FORMAT.into()
}

impl CommitmentFile {
    /// Commit to an applicant's model inputs with `salt`.
    pub fn new(model: &CompiledModel, inputs: &[f64], salt: Fr) -> Result<Self> {
        let x = model.quantized.quantize_features(inputs)?;
        Ok(CommitmentFile {
            format: COMMITMENT_FORMAT.into(),
            model_digest: model.digest.clone(),
            feature_commitment: fr_to_hex(&feature_commitment(&model.quantized, &x, salt)),
            salt: fr_to_hex(&salt),
        })
    }

    /// Read and check a commitment file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let c: CommitmentFile = serde_json::from_str(&text)
            .map_err(|e| Error::parse(path, format!("not a commitment file (write one with `zkcredit commit`): {e}")))?;
        if c.format != COMMITMENT_FORMAT {
            return Err(Error::parse(path, format!("format `{}` is not `{COMMITMENT_FORMAT}`", c.format)));
        }
        c.commitment().map_err(|e| Error::parse(path, e))?;
        c.salt().map_err(|e| Error::parse(path, e))?;
        Ok(c)
    }

    /// Write as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(|e| Error::parse(path, e))?;
        std::fs::write(path, text + "\n").map_err(|e| Error::io(path, e))
    }

    /// The salt to prove with, after checking that this commitment is to exactly these model
    /// inputs of this model (else the proof's commitment would not be the attested one).
    pub fn salt_for(&self, path: &Path, model: &CompiledModel, inputs: &[f64]) -> Result<Fr> {
        if !self.model_digest.eq_ignore_ascii_case(&model.digest) {
            return Err(Error::Mismatch(format!("{} commits for model {}, not {}", path.display(), self.model_digest, model.digest)));
        }
        let salt = self.salt().map_err(|e| Error::parse(path, e))?;
        let again = CommitmentFile::new(model, inputs, salt)?;
        if again.feature_commitment != self.feature_commitment {
            return Err(Error::Mismatch(format!(
                "{} commits to other applicant data than the input given (commitment {} from the file's salt, {} in the file)",
                path.display(),
                again.feature_commitment,
                self.feature_commitment
            )));
        }
        Ok(salt)
    }

    /// The commitment as a field element.
    pub fn commitment(&self) -> Result<Fr> {
        Ok(fr_from_hex("feature_commitment", &self.feature_commitment)?)
    }

    /// The salt as a field element.
    pub fn salt(&self) -> Result<Fr> {
        Ok(fr_from_hex("salt", &self.salt)?)
    }
}
