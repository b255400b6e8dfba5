//! Shared by the gate tests: the bundled German Credit model, its keys (demo SRS, deterministic),
//! the compiled verifier for them, and proofs with attestations for chosen borrowers.

// Each test file uses its own subset of these helpers.
#![allow(dead_code)]

use std::path::Path;

use alloy::primitives::{Address, U256};
use alloy::signers::local::PrivateKeySigner;
use zkcredit_prover::commitment::{feature_commitment, random_salt};
use zkcredit_prover::field::Fr;
use zkcredit_prover::model::{compile, CompiledModel};
use zkcredit_prover::prove::{prove, setup, NoProgress, ProofFile, ProveRequest, SetupOutput};
use zkcredit_prover::quantize::QuantConfig;
use zkcredit_prover::srs::SrsSource;
use zkcredit_script::attest::AttestationFile;
use zkcredit_script::deployment::DeployPlan;
use zkcredit_script::policy::{fr_to_u256, Policy};
use zkcredit_script::submission::Submission;
use zkcredit_verifier_codegen::{compile_verifier, Options, Provenance};

/// Threshold of the bundled policy.
pub const THRESHOLD: f64 = 0.5;
/// Model version the tests register.
pub const VERSION: u32 = 1;

#[allow(unused_imports)]
pub use zkcredit_testkit::{root, updating};

/// The bundled model and its keys.
pub struct Bundle {
    pub model: CompiledModel,
    pub keys: SetupOutput,
}

impl Bundle {
    pub fn new() -> Self {
        Self::of("mlp.onnx")
    }

    /// A German Credit model of `examples/german-credit/` (e.g. `trees/lightgbm.onnx`) and its keys.
    pub fn of(model: &str) -> Self {
        let ex = root().join("examples");
        let gc = ex.join("german-credit");
        let model =
            compile(&gc.join(model), &gc.join("dataset.csv"), Some(&gc.join("encoding.json")), None, &QuantConfig::default(), THRESHOLD)
                .unwrap();
        let keys = setup(&model, &SrsSource::from_file(&ex.join("srs/zkcredit-demo-k12.ptau")).unwrap(), &NoProgress).unwrap();
        Bundle { model, keys }
    }

    /// Sample applicant `n` (1-based) of examples/german-credit/samples.
    pub fn applicant(&self, n: usize) -> Vec<f64> {
        self.model.applicant_inputs(&root().join(format!("examples/german-credit/samples/applicant{n}.json"))).unwrap()
    }

    /// The deploy plan: the generated verifier for these keys, the bundled policy.
    pub fn plan(&self, attesters: Vec<Address>) -> DeployPlan {
        let options = Options::new(Provenance::new(&self.keys.header.model_digest, self.keys.header.srs.describe()));
        let (_, compiled) = compile_verifier(&self.keys.params, self.keys.pk.get_vk(), &options, 5).unwrap();
        let policy = Policy::new(&self.model, THRESHOLD).unwrap();
        DeployPlan {
            verifier_creation: compiled.creation,
            model_version: VERSION,
            model_id: policy.model_id,
            threshold: policy.threshold,
            model_digest: self.model.digest.clone(),
            attesters,
            srs: self.keys.header.srs.clone(),
            allow_demo_srs: false,
        }
    }

    /// The commitment (and its salt) a data provider computes for an applicant.
    pub fn commit(&self, features: &[f64], seed: u64) -> (U256, Fr) {
        use rand::SeedableRng;
        let salt = random_salt(&mut rand_chacha::ChaCha20Rng::seed_from_u64(seed));
        let x = self.model.quantized.quantize_features(features).unwrap();
        (fr_to_u256(&feature_commitment(&self.model.quantized, &x, salt)), salt)
    }

    /// Prove `features` for `borrower` at `threshold`; `Err` for an applicant below it.
    pub fn prove(&self, features: Vec<f64>, threshold: f64, borrower: Address, nonce: u64, salt: Fr) -> zkcredit_prover::Result<ProofFile> {
        let req = ProveRequest { features, threshold, borrower: borrower.into_array(), nonce, salt: Some(salt) };
        let (file, _) =
            prove(&self.model, &self.keys.pk, &self.keys.params, &self.keys.header.srs, &req, &mut rand::rngs::OsRng, &NoProgress)?;
        Ok(file)
    }

    /// Attest (for `gate` = (chain id, address)), prove and pair them: a complete submission for `borrower`.
    pub fn submission(
        &self,
        attester: &PrivateKeySigner,
        (chain_id, gate): (u64, Address),
        borrower: Address,
        applicant: usize,
        nonce: u64,
        expiry: u64,
    ) -> Submission {
        let features = self.applicant(applicant);
        let (commitment, salt) = self.commit(&features, nonce);
        let att = AttestationFile::sign(attester, chain_id, gate, borrower, commitment, expiry).unwrap();
        let file = self.prove(features, THRESHOLD, borrower, nonce, salt).unwrap();
        Submission::new(VERSION, &file, Path::new("proof.json"), &att).unwrap()
    }
}
