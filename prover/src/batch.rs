//! Batch proofs: one proof that every applicant of a batch passes the same committed model at the
//! same threshold, each slot bound to its own feature commitment, borrower and nonce (the public
//! inputs of [`crate::public::BatchPublicInputs`]). Applicants that fail are reported and left
//! out; empty slots are filled with a copy of a proved applicant under borrower 0, which no gate
//! approves.

use std::path::Path;
use std::sync::Arc;

use halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_proofs::plonk::ProvingKey;
use halo2_proofs::poly::kzg::commitment::ParamsKZG;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::circuit::{CreditCircuit, Layout, Witness};
use crate::error::{Error, Result};
use crate::field::{fr_from_hex, fr_to_hex};
use crate::hint;
use crate::model::CompiledModel;
use crate::protocol::Protocol;
use crate::prove::{keygen, layout_k, prove_circuit, witness, ModelFidelity, Progress, ProveRequest, SetupOutput};
use crate::public::{BatchPublicInputs, SlotPublic};
use crate::srs::{SrsInfo, SrsSource};

/// Format tag of batch proof files.
pub const BATCH_PROOF_FORMAT: &str = "zkcredit-batch-proof/1";

/// Rows and k of the batch circuit of `n` slots for `model`.
pub fn batch_size(model: &CompiledModel, n: usize) -> Result<(usize, u32)> {
    let layout = Layout::build_batch(&model.quantized, model.model_id(), None, n)?;
    Ok((layout.rows(), layout_k(&layout)))
}

/// Keys for batches of `n` applicants of `model`.
pub fn setup_batch(model: &CompiledModel, n: usize, srs: &SrsSource, progress: &dyn Progress) -> Result<SetupOutput> {
    keygen(model, Layout::build_batch(&model.quantized, model.model_id(), None, n)?, srs, progress)
}

/// One applicant of a batch, as given (`line`: where it came from, 1-based, for reports).
#[derive(Clone, Debug)]
pub struct BatchApplicant {
    /// The line (or position) of the applicant in the batch file.
    pub line: usize,
    /// The applicant; its threshold is the batch's.
    pub request: ProveRequest,
}

/// One proved slot, as the proof file records it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SlotJson {
    /// The applicant's line in the batch file (0: an empty slot).
    pub line: usize,
    /// 0x-hex feature commitment.
    pub feature_commitment: String,
    /// 0x-address (zero for an empty slot).
    pub borrower: String,
    /// Nonce.
    pub nonce: u64,
}

/// A batch proof file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BatchProofFile {
    /// [`BATCH_PROOF_FORMAT`].
    pub format: String,
    /// Model digest the proof is for.
    pub model_digest: String,
    /// Slots of the key.
    pub batch_size: usize,
    /// Proof bytes (halo2 proof and inversion hint), 0x-hex.
    pub proof: String,
    /// Public inputs as 0x-hex words in ABI order.
    pub instances: Vec<String>,
    /// Fixed-point threshold (decimal, signed) and the threshold as given.
    pub threshold_q: String,
    /// The threshold as given (a probability for sigmoid models).
    pub threshold: f64,
    /// 0x-hex model id.
    pub model_id: String,
    /// The slots, in order.
    pub slots: Vec<SlotJson>,
    /// The SRS the keys were made with.
    pub srs: SrsInfo,
    /// Ready calldata of `verifyProof(bytes,uint256[])`.
    pub calldata: String,
    /// The compiled model's fidelity.
    pub model_fidelity: ModelFidelity,
}

/// What a batch run produced: the proof (if any applicant passed) and the applicants left out.
pub struct BatchOutcome {
    /// The proof of every passing applicant, or `None` when none passed.
    pub file: Option<BatchProofFile>,
    /// `(line, reason)` of each applicant left out.
    pub rejected: Vec<(usize, Error)>,
}

/// Prove a batch with keys for `n` slots. Each applicant is checked first; those that fail (below
/// the threshold, out of range) are reported in [`BatchOutcome::rejected`] and left out. More
/// passing applicants than slots is an error (nothing is proved).
#[allow(clippy::too_many_arguments)]
pub fn prove_batch(
    model: &CompiledModel,
    pk: &ProvingKey<G1Affine>,
    params: &ParamsKZG<Bn256>,
    srs: &SrsInfo,
    n: usize,
    applicants: &[BatchApplicant],
    rng: &mut (impl RngCore + Clone),
    progress: &dyn Progress,
) -> Result<BatchOutcome> {
    progress.stage("checking applicants and computing the witnesses");
    let threshold = applicants.first().map_or(0.5, |a| a.request.threshold);
    let mut passed: Vec<(usize, Witness)> = Vec::new();
    let mut rejected = Vec::new();
    for a in applicants {
        if a.request.threshold != threshold {
            return Err(Error::BadValue {
                what: format!("batch line {}", a.line),
                reason: "every applicant of a batch has the batch's threshold".into(),
            });
        }
        if a.request.borrower == [0; 20] {
            rejected.push((a.line, Error::BadValue { what: "borrower".into(), reason: "the zero address marks an empty slot".into() }));
            continue;
        }
        match witness(model, &a.request, rng) {
            Ok((w, _)) => passed.push((a.line, w)),
            Err(e) => rejected.push((a.line, e)),
        }
    }
    if passed.len() > n {
        return Err(Error::BadValue { what: "batch".into(), reason: format!("{} applicants pass, the keys hold {n} slots", passed.len()) });
    }
    let Some(first) = passed.first().map(|(_, w)| w.clone()) else {
        return Ok(BatchOutcome { file: None, rejected });
    };
    while passed.len() < n {
        let mut empty = first.clone();
        empty.public.borrower = [0; 20];
        empty.public.nonce = 0;
        passed.push((0, empty));
    }
    let wits: Vec<Witness> = passed.iter().map(|(_, w)| w.clone()).collect();
    let public = BatchPublicInputs {
        threshold_q: first.public.threshold_q,
        model_id: first.public.model_id,
        slots: wits
            .iter()
            .map(|w| SlotPublic { feature_commitment: w.public.feature_commitment, borrower: w.public.borrower, nonce: w.public.nonce })
            .collect(),
    };
    let layout = Layout::build_batch(&model.quantized, model.model_id(), Some(&wits), n)?;
    let instances = public.to_instances();
    progress.stage(&format!("proving {n} slots ({} applicants)", passed.iter().filter(|(l, _)| *l != 0).count()));
    let halo2_proof = prove_circuit(params, pk, CreditCircuit { layout: Arc::new(layout) }, &instances, rng.clone())?;
    let protocol = Protocol::from_vk(params, pk.get_vk(), instances.len())?;
    let proof = hint::with_hint(&protocol, &halo2_proof, &instances)?;
    let slots = passed
        .iter()
        .map(|(line, w)| SlotJson {
            line: *line,
            feature_commitment: fr_to_hex(&w.public.feature_commitment),
            borrower: format!("0x{}", hex::encode(w.public.borrower)),
            nonce: w.public.nonce,
        })
        .collect();
    let file = BatchProofFile {
        format: BATCH_PROOF_FORMAT.into(),
        model_digest: model.digest.clone(),
        batch_size: n,
        proof: format!("0x{}", hex::encode(&proof)),
        instances: instances.iter().map(fr_to_hex).collect(),
        threshold_q: first.public.threshold_q.to_string(),
        threshold,
        model_id: fr_to_hex(&first.public.model_id),
        slots,
        srs: srs.clone(),
        calldata: format!("0x{}", hex::encode(crate::abi::calldata(&proof, &instances))),
        model_fidelity: ModelFidelity::of(model),
    };
    Ok(BatchOutcome { file: Some(file), rejected })
}

/// Read a batch file: JSON lines, one applicant per line, each an applicant object (`features`
/// or raw `fields`, as `prove --input` takes) with `borrower` (0x-address), `nonce` and optionally
/// `salt` (0x-hex) or `commitment` (a `zkcredit commit` file, relative to the batch file, whose
/// salt is used after checking it commits to this applicant). Blank lines and `#` comments are
/// skipped. A malformed line is an error naming the file and line.
pub fn load_batch_file(model: &CompiledModel, path: &Path, threshold: f64) -> Result<Vec<BatchApplicant>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let origin = std::path::PathBuf::from(format!("{}:{line_no}", path.display()));
        let v: serde_json::Value =
            serde_json::from_str(trimmed).map_err(|e| Error::parse(&origin, format!("{e}: each line is one JSON applicant object")))?;
        let features = model.applicant_value(&v, &origin)?;
        let borrower = v
            .get("borrower")
            .and_then(|b| b.as_str())
            .ok_or_else(|| Error::parse(&origin, "`borrower` (a 0x-address string) is missing"))
            .and_then(|b| crate::public::parse_address(b).map_err(|e| Error::parse(&origin, e)))?;
        let nonce = v
            .get("nonce")
            .and_then(|n| n.as_u64())
            .ok_or_else(|| Error::parse(&origin, "`nonce` (an unsigned 64-bit integer) is missing"))?;
        let salt = match (v.get("salt"), v.get("commitment")) {
            (Some(_), Some(_)) => return Err(Error::parse(&origin, "give `salt` or `commitment`, not both")),
            (Some(s), None) => Some(fr_from_hex("salt", s.as_str().unwrap_or_default()).map_err(|e| Error::parse(&origin, e))?),
            (None, Some(c)) => {
                let file = dir.join(c.as_str().ok_or_else(|| Error::parse(&origin, "`commitment` must be a file path"))?);
                Some(crate::commitment::CommitmentFile::load(&file)?.salt_for(&file, model, &features)?)
            }
            (None, None) => None,
        };
        out.push(BatchApplicant { line: line_no, request: ProveRequest { features, threshold, borrower, nonce, salt } });
    }
    if out.is_empty() {
        return Err(Error::parse(path, "no applicants (one JSON object per line)"));
    }
    Ok(out)
}

/// Verify a batch proof file with a batch verifying key (and the params beside it). Returns the
/// file and the key's header.
pub fn verify_batch_file(
    proof_path: &Path,
    vk_path: &Path,
    params_path: &Path,
) -> Result<(BatchProofFile, crate::artifact::ArtifactHeader)> {
    let file = BatchProofFile::load(proof_path)?;
    let (vk, header) = crate::prove::load_vk(vk_path, None)?;
    if !header.model_digest.eq_ignore_ascii_case(&file.model_digest) {
        return Err(Error::Mismatch(format!(
            "{} is for model {}, {} for model {}",
            proof_path.display(),
            file.model_digest,
            vk_path.display(),
            header.model_digest
        )));
    }
    if header.batch != Some(file.batch_size) {
        return Err(Error::Mismatch(format!(
            "{} is a batch of {}, {} is a key for {}",
            proof_path.display(),
            file.batch_size,
            vk_path.display(),
            header.batch.map_or("single proofs".to_string(), |n| format!("batches of {n}"))
        )));
    }
    let params = crate::prove::load_params(params_path, header.k)?;
    let (proof, instances) = file.decode(proof_path)?;
    crate::prove::verify_counted(&params, &vk, &proof, &instances, instances.len()).map_err(|e| match e {
        Error::Rejected(reason) => Error::Rejected(format!("{}: {reason}", proof_path.display())),
        other => other,
    })?;
    Ok((file, header))
}

impl BatchProofFile {
    /// Write as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(|e| Error::parse(path, e))?;
        std::fs::write(path, text + "\n").map_err(|e| Error::io(path, e))
    }

    /// Read a batch proof file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let p: BatchProofFile = serde_json::from_str(&text).map_err(|e| Error::parse(path, format!("not a zkcredit batch proof: {e}")))?;
        if p.format != BATCH_PROOF_FORMAT {
            return Err(Error::parse(path, format!("format `{}` is not `{BATCH_PROOF_FORMAT}`", p.format)));
        }
        Ok(p)
    }

    /// Decoded proof bytes and instances (exactly `2 + 2 * batch_size` of them).
    pub fn decode(&self, path: &Path) -> Result<(Vec<u8>, Vec<Fr>)> {
        let proof = self
            .proof
            .strip_prefix("0x")
            .and_then(|h| hex::decode(h).ok())
            .ok_or_else(|| Error::parse(path, "`proof` must be 0x-prefixed hex"))?;
        let expected = BatchPublicInputs::count(self.batch_size);
        if self.instances.len() != expected {
            return Err(Error::parse(path, format!("{} instances, a batch of {} has {expected}", self.instances.len(), self.batch_size)));
        }
        let inst = self
            .instances
            .iter()
            .enumerate()
            .map(|(i, h)| fr_from_hex(&format!("instances[{i}]"), h).map_err(|e| Error::parse(path, e)))
            .collect::<Result<Vec<_>>>()?;
        Ok((proof, inst))
    }
}
