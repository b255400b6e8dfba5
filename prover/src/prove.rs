//! Setup, prove and verify: KZG on BN254 with the SHPLONK multi-open scheme and a Keccak
//! transcript byte-compatible with snark-verifier's `EvmTranscript` (so the EVM verifier can
//! replay it).

use std::path::Path;
use std::sync::Arc;

use halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_proofs::plonk::{create_proof, keygen_pk, keygen_vk_custom, verify_proof, ConstraintSystem, ProvingKey, VerifyingKey};
use halo2_proofs::poly::commitment::ParamsProver;
use halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_proofs::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
use halo2_proofs::poly::kzg::strategy::SingleStrategy;
use halo2_proofs::SerdeFormat;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use snark_verifier::loader::native::NativeLoader;
use snark_verifier::system::halo2::transcript::evm::EvmTranscript;

use crate::artifact::{self, ArtifactHeader};
use crate::circuit::{CreditCircuit, CreditConfig, Layout, Witness};
use crate::commitment::{feature_commitment, random_salt};
use crate::error::{Error, Result};
use crate::field::{fr_from_hex, fr_to_hex};
use crate::hint;
use crate::model::CompiledModel;
use crate::protocol::Protocol;
use crate::public::{PublicInputs, PublicJson, INSTANCE_COUNT};
use crate::srs::{SrsInfo, SrsSource};

/// Format tag of proof files.
pub const PROOF_FORMAT: &str = "zkcredit-proof/2";

/// Reports progress of long steps (the CLI draws spinners; the library stays UI-free).
pub trait Progress {
    /// A new stage starts.
    fn stage(&self, name: &str);
}

/// Progress reporting that does nothing.
pub struct NoProgress;
impl Progress for NoProgress {
    fn stage(&self, _: &str) {}
}

/// Rows of the planned circuit and the smallest k that holds them.
pub fn circuit_size(model: &CompiledModel) -> Result<(usize, u32)> {
    let layout = Layout::build(&model.quantized, model.model_id(), None)?;
    Ok((layout.rows(), layout_k(&layout)))
}

/// The smallest `k` whose `2^k` rows hold `layout`: gates look up to 5 rows ahead, and halo2
/// reserves blinding rows at the end.
pub fn layout_k(layout: &Layout) -> u32 {
    let mut cs = ConstraintSystem::<Fr>::default();
    CreditConfig::configure(&mut cs, layout.family);
    let need = layout.rows() + 6 + cs.minimum_rows();
    (need as f64).log2().ceil().max(4.0) as u32
}

/// Everything `setup` produces.
pub struct SetupOutput {
    /// KZG params trimmed to k.
    pub params: ParamsKZG<Bn256>,
    /// Proving key.
    pub pk: ProvingKey<G1Affine>,
    /// Header shared by the written files.
    pub header: ArtifactHeader,
}

/// Generate the proving and verifying keys for a compiled model.
pub fn setup(model: &CompiledModel, srs: &SrsSource, progress: &dyn Progress) -> Result<SetupOutput> {
    keygen(model, Layout::build(&model.quantized, model.model_id(), None)?, srs, progress)
}

/// Keys for the planned (witness-free) `layout` of `model`, at the smallest k that holds it.
pub(crate) fn keygen(model: &CompiledModel, layout: Layout, srs: &SrsSource, progress: &dyn Progress) -> Result<SetupOutput> {
    let k = layout_k(&layout);
    progress.stage(&format!("loading SRS for k = {k}"));
    let (params, info) = srs.load(k)?;
    let (family, batch) = (layout.family, layout.batch);
    let circuit = CreditCircuit { layout: Arc::new(layout) };
    progress.stage("generating verifying key");
    let vk = keygen_vk_custom(&params, &circuit, true).map_err(|e| Error::Halo2 { stage: "keygen_vk", reason: format!("{e:?}") })?;
    progress.stage("generating proving key");
    let pk = keygen_pk(&params, vk, &circuit).map_err(|e| Error::Halo2 { stage: "keygen_pk", reason: format!("{e:?}") })?;
    let header = ArtifactHeader {
        kind: String::new(),
        zkcredit_version: env!("CARGO_PKG_VERSION").into(),
        model_digest: model.digest.clone(),
        k,
        srs: info,
        payload_keccak: String::new(),
        family,
        batch,
    };
    Ok(SetupOutput { params, pk, header })
}

impl SetupOutput {
    /// Write `pk.bin`, `vk.bin` and `params.bin` into `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let with = |kind: &str| ArtifactHeader { kind: kind.into(), ..self.header.clone() };
        artifact::write(&dir.join("pk.bin"), with("proving-key"), &self.pk.to_bytes(SerdeFormat::RawBytes))?;
        artifact::write(&dir.join("vk.bin"), with("verifying-key"), &self.pk.get_vk().to_bytes(SerdeFormat::RawBytes))?;
        let mut params = Vec::new();
        self.params.write_custom(&mut params, SerdeFormat::RawBytes).map_err(|e| Error::io(dir.join("params.bin"), e))?;
        artifact::write(&dir.join("params.bin"), with("params"), &params)
    }
}

fn check_model(path: &Path, header: &ArtifactHeader, model: Option<&CompiledModel>) -> Result<()> {
    if let Some(m) = model {
        if m.digest != header.model_digest {
            return Err(Error::Mismatch(format!("{} was made for model {}, not {}", path.display(), header.model_digest, m.digest)));
        }
    }
    Ok(())
}

/// Read a proving key (checked against `model`).
pub fn load_pk(path: &Path, model: &CompiledModel) -> Result<(ProvingKey<G1Affine>, ArtifactHeader)> {
    let (h, payload) = artifact::read(path, "proving-key")?;
    check_model(path, &h, Some(model))?;
    let pk = ProvingKey::<G1Affine>::from_bytes::<CreditCircuit>(&payload, SerdeFormat::RawBytes, h.family)
        .map_err(|e| Error::artifact(path, format!("unreadable proving key: {e}")))?;
    Ok((pk, h))
}

/// Read a verifying key (checked against `model` when given).
pub fn load_vk(path: &Path, model: Option<&CompiledModel>) -> Result<(VerifyingKey<G1Affine>, ArtifactHeader)> {
    let (h, payload) = artifact::read(path, "verifying-key")?;
    check_model(path, &h, model)?;
    let vk = VerifyingKey::<G1Affine>::from_bytes::<CreditCircuit>(&payload, SerdeFormat::RawBytes, h.family)
        .map_err(|e| Error::artifact(path, format!("unreadable verifying key: {e}")))?;
    Ok((vk, h))
}

/// Read KZG params written by `setup`.
pub fn load_params(path: &Path, expect_k: u32) -> Result<ParamsKZG<Bn256>> {
    let (h, payload) = artifact::read(path, "params")?;
    if h.k != expect_k {
        return Err(Error::Mismatch(format!("{} holds params for k = {}, the key needs k = {expect_k}", path.display(), h.k)));
    }
    ParamsKZG::<Bn256>::read_custom(&mut payload.as_slice(), SerdeFormat::RawBytes)
        .map_err(|e| Error::artifact(path, format!("unreadable params: {e}")))
}

/// The proof file: everything another tool needs, as JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ProofFile {
    /// [`PROOF_FORMAT`].
    pub format: String,
    /// Model digest the proof is for.
    pub model_digest: String,
    /// Proof bytes, 0x-hex.
    pub proof: String,
    /// Public inputs as 32-byte 0x-hex words in ABI order (see [`crate::public`]).
    pub instances: Vec<String>,
    /// The same public inputs, decoded.
    pub public: PublicJson,
    /// The SRS the keys were made with.
    pub srs: SrsInfo,
    /// Ready calldata (0x-hex) of `verifyProof(bytes,uint256[])` on the generated verifier.
    #[serde(default)]
    pub calldata: String,
    /// How faithful the proved model is to the float model it was compiled from (from `model.json`).
    #[serde(default)]
    pub model_fidelity: ModelFidelity,
}

/// The compiled model's fidelity, carried into every proof so that a reader of the proof alone
/// sees whether the lender accepted decisions that differ from the float model's.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ModelFidelity {
    /// Calibration rows compared at compile time.
    pub calibration_rows: usize,
    /// Threshold of that comparison.
    pub calibration_threshold: f64,
    /// Rows where the circuit's decision differs from the float model's (0 unless the lender
    /// passed `--accept-disagreements`).
    pub decisions_differ: usize,
    /// Max |quantized score - float score| over those rows.
    pub max_abs_error: f64,
}

impl ModelFidelity {
    /// The figures of a compiled model.
    pub fn of(model: &CompiledModel) -> Self {
        let f = &model.fidelity;
        ModelFidelity {
            calibration_rows: f.rows,
            calibration_threshold: f.threshold,
            decisions_differ: f.rows.saturating_sub(f.decisions_agree),
            max_abs_error: f.max_abs_error,
        }
    }
}

impl ProofFile {
    /// Write as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(|e| Error::parse(path, e))?;
        std::fs::write(path, text + "\n").map_err(|e| Error::io(path, e))
    }

    /// Read a proof file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let p: ProofFile = serde_json::from_str(&text).map_err(|e| Error::parse(path, format!("not a zkcredit proof: {e}")))?;
        if p.format != PROOF_FORMAT {
            return Err(Error::parse(path, format!("format `{}` is not `{PROOF_FORMAT}`", p.format)));
        }
        Ok(p)
    }

    /// Decoded proof bytes and instances.
    pub fn decode(&self, path: &Path) -> Result<(Vec<u8>, Vec<Fr>)> {
        let proof = self
            .proof
            .strip_prefix("0x")
            .and_then(|h| hex::decode(h).ok())
            .ok_or_else(|| Error::parse(path, "`proof` must be 0x-prefixed hex"))?;
        if self.instances.len() != INSTANCE_COUNT {
            return Err(Error::parse(path, format!("{} instances, expected {INSTANCE_COUNT}", self.instances.len())));
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

/// What to prove.
#[derive(Clone, Debug)]
pub struct ProveRequest {
    /// Model inputs (float units).
    pub features: Vec<f64>,
    /// Threshold (probability for sigmoid models).
    pub threshold: f64,
    /// Borrower address.
    pub borrower: [u8; 20],
    /// Nonce.
    pub nonce: u64,
    /// Commitment salt; random when `None`.
    pub salt: Option<Fr>,
}

/// Build the witness (all checks happen here, before any proving work).
pub fn witness(model: &CompiledModel, req: &ProveRequest, rng: &mut impl RngCore) -> Result<(Witness, f64)> {
    let q = &model.quantized;
    let x = q.quantize_features(&req.features)?;
    let trace = q.forward(&x)?;
    let t = q.threshold_q(req.threshold)?;
    let score = q.score(trace.logit);
    if trace.logit < t {
        return Err(Error::BelowThreshold { score, threshold: req.threshold, logit_q: trace.logit, threshold_q: t });
    }
    let salt = req.salt.unwrap_or_else(|| random_salt(rng));
    let public = PublicInputs {
        feature_commitment: feature_commitment(q, &x, salt),
        threshold_q: t,
        borrower: req.borrower,
        nonce: req.nonce,
        model_id: model.model_id(),
    };
    Ok((Witness { features: x, salt, public }, score))
}

/// Prove. Returns the proof file and the quantized score (which stays private; reported to the prover only).
pub fn prove(
    model: &CompiledModel,
    pk: &ProvingKey<G1Affine>,
    params: &ParamsKZG<Bn256>,
    srs: &SrsInfo,
    req: &ProveRequest,
    rng: &mut (impl RngCore + Clone),
    progress: &dyn Progress,
) -> Result<(ProofFile, f64)> {
    progress.stage("checking inputs and computing the witness");
    let (wit, score) = witness(model, req, rng)?;
    let layout = Layout::build(&model.quantized, model.model_id(), Some(&wit))?;
    let circuit = CreditCircuit { layout: Arc::new(layout) };
    let instances = wit.public.to_instances();
    progress.stage("proving");
    let halo2_proof = prove_circuit(params, pk, circuit, &instances, rng.clone())?;
    let protocol = Protocol::from_vk(params, pk.get_vk(), INSTANCE_COUNT)?;
    let proof = hint::with_hint(&protocol, &halo2_proof, &instances)?;
    let file = ProofFile {
        format: PROOF_FORMAT.into(),
        model_digest: model.digest.clone(),
        proof: format!("0x{}", hex::encode(&proof)),
        instances: instances.iter().map(fr_to_hex).collect(),
        public: PublicJson::new(&wit.public, req.threshold),
        srs: srs.clone(),
        calldata: format!("0x{}", hex::encode(crate::abi::calldata(&proof, &instances))),
        model_fidelity: ModelFidelity::of(model),
    };
    Ok((file, score))
}

/// Run the halo2 prover on a circuit.
pub fn prove_circuit(
    params: &ParamsKZG<Bn256>,
    pk: &ProvingKey<G1Affine>,
    circuit: CreditCircuit,
    instances: &[Fr],
    rng: impl RngCore,
) -> Result<Vec<u8>> {
    let mut transcript = EvmTranscript::<G1Affine, NativeLoader, Vec<u8>, Vec<u8>>::new(vec![]);
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        params,
        pk,
        &[circuit],
        &[&[instances]],
        rng,
        &mut transcript,
    )
    .map_err(|e| Error::Halo2 { stage: "prove", reason: format!("{e:?}") })?;
    Ok(transcript.finalize())
}

/// Verify a zkcredit proof (the halo2 proof and its inversion hint, see [`hint`]) against public
/// inputs.
pub fn verify(params: &ParamsKZG<Bn256>, vk: &VerifyingKey<G1Affine>, proof: &[u8], instances: &[Fr]) -> Result<()> {
    verify_counted(params, vk, proof, instances, INSTANCE_COUNT)
}

/// [`verify`] for a key with `expected` public inputs (a batch key's `2 + 2N`).
pub fn verify_counted(
    params: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
    proof: &[u8],
    instances: &[Fr],
    expected: usize,
) -> Result<()> {
    if instances.len() != expected {
        return Err(Error::Rejected(format!("{} public inputs, expected {expected}", instances.len())));
    }
    let (halo2_proof, hint) = hint::split(proof)?;
    verify_halo2(params, vk, halo2_proof, instances)?;
    let protocol = Protocol::from_vk(params, vk, expected)?;
    if hint::inversion_hint(&protocol, halo2_proof, instances)? != hint {
        return Err(Error::Rejected("the inversion hint does not match the proof".into()));
    }
    Ok(())
}

/// Verify a proof file with a verifying key (and the params beside it): the key must be for the
/// proof's model. Returns the proof file and the key's header.
pub fn verify_file(proof_path: &Path, vk_path: &Path, params_path: &Path) -> Result<(ProofFile, ArtifactHeader)> {
    let file = ProofFile::load(proof_path)?;
    let (vk, header) = load_vk(vk_path, None)?;
    if !header.model_digest.eq_ignore_ascii_case(&file.model_digest) {
        return Err(Error::Mismatch(format!(
            "{} is for model {}, but {} is for model {}",
            proof_path.display(),
            file.model_digest,
            vk_path.display(),
            header.model_digest
        )));
    }
    if let Some(n) = header.batch {
        return Err(Error::Mismatch(format!("{} is a key for batches of {n}, {} a single proof", vk_path.display(), proof_path.display())));
    }
    let params = load_params(params_path, header.k)?;
    let (proof, instances) = file.decode(proof_path)?;
    verify(&params, &vk, &proof, &instances).map_err(|e| match e {
        Error::Rejected(reason) => Error::Rejected(format!("{}: {reason}", proof_path.display())),
        other => other,
    })?;
    Ok((file, header))
}

/// Verify halo2 proof bytes (no hint) against public inputs.
pub fn verify_halo2(params: &ParamsKZG<Bn256>, vk: &VerifyingKey<G1Affine>, proof: &[u8], instances: &[Fr]) -> Result<()> {
    let mut rest: &[u8] = proof;
    let mut transcript = EvmTranscript::<G1Affine, NativeLoader, &mut &[u8], Vec<u8>>::new(&mut rest);
    let strategy = SingleStrategy::new(params);
    verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
        params.verifier_params(),
        vk,
        strategy,
        &[&[instances]],
        &mut transcript,
    )
    .map_err(|e| Error::Rejected(format!("{e:?}")))?;
    drop(transcript);
    if !rest.is_empty() {
        return Err(Error::Rejected(format!("{} trailing bytes after the proof", rest.len())));
    }
    Ok(())
}

/// Number of advice, fixed and instance columns and the lookup count of a verifying key.
pub fn shape(vk: &VerifyingKey<G1Affine>) -> (usize, usize, usize) {
    let cs = vk.cs();
    (cs.num_advice_columns(), cs.num_fixed_columns(), cs.lookups().len())
}
