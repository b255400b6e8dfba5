//! Models as lenders export them (`examples/models/`, and the tree ensembles of
//! `examples/german-credit/trees/`), end to end: compiled with default options, keyed with the
//! demo SRS, proved, verified natively and by their generated verifier in revm; a tampered proof
//! and a changed public input are rejected on chain. The tree models' figures are snapshot-tested.

mod common;

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::Field;
use rand::SeedableRng;
use zkcredit_evm::Evm;
use zkcredit_prover::dataset;
use zkcredit_prover::encoding::Encoding;
use zkcredit_prover::model::compile;
use zkcredit_prover::prove::{prove, setup, verify, NoProgress, ProveRequest};
use zkcredit_prover::quantize::QuantConfig;
use zkcredit_prover::srs::SrsSource;
use zkcredit_verifier_codegen::{abi, compile_verifier, Options, Provenance};

/// What one model costs, end to end.
struct Measured {
    model: zkcredit_prover::model::CompiledModel,
    k: u32,
    verify_gas: u64,
    deploy_gas: u64,
    runtime_bytes: usize,
    proof_bytes: usize,
}

fn end_to_end(model: &str, data: &str) -> Measured {
    run(&format!("examples/models/{model}"), data)
}

fn run(model: &str, data: &str) -> Measured {
    let root = common::root();
    let data = root.join(data);
    let names = Encoding::load(&root.join("examples/german-credit/encoding.json")).unwrap().inputs;
    let m = compile(&root.join(model), &data, None, Some(&names), &QuantConfig::default(), 0.5).unwrap();
    assert_eq!(m.fidelity.decisions_agree, m.fidelity.rows, "{model}");
    let keys = setup(&m, &SrsSource::from_file(&root.join("examples/srs/zkcredit-demo-k12.ptau")).unwrap(), &NoProgress).unwrap();
    // The first calibration row the model approves.
    let ds = dataset::load(&data, &names).unwrap();
    let q = &m.quantized;
    let row = ds.rows.iter().find(|r| q.quantize_features(r).and_then(|x| q.forward(&x)).is_ok_and(|t| q.score(t.logit) >= 0.6)).unwrap();
    let req = ProveRequest { features: row.clone(), threshold: 0.5, borrower: [0xb0; 20], nonce: 3, salt: None };
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
    let (file, _) = prove(&m, &keys.pk, &keys.params, &keys.header.srs, &req, &mut rng, &NoProgress).unwrap();
    let (proof, instances) = file.decode(&root).unwrap();
    verify(&keys.params, keys.pk.get_vk(), &proof, &instances).unwrap();

    let options = Options::new(Provenance::new(&keys.header.model_digest, keys.header.srs.describe()));
    let (_, compiled) = compile_verifier(&keys.params, keys.pk.get_vk(), &options, instances.len()).unwrap();
    let mut chain = Evm::new();
    let (addr, deploy_gas) = chain.deploy("verifier", &compiled.creation).unwrap();
    let genuine = chain.call(addr, &abi::calldata(&proof, &instances)).unwrap();
    assert!(genuine.returned_true(), "{model}: genuine proof rejected on chain");
    let mut bad = proof.clone();
    bad[200] ^= 1;
    assert!(!chain.call(addr, &abi::calldata(&bad, &instances)).unwrap().returned_true(), "{model}: tampered proof accepted");
    let mut other = instances.clone();
    other[1] += Fr::ONE;
    assert!(!chain.call(addr, &abi::calldata(&proof, &other)).unwrap().returned_true(), "{model}: changed threshold accepted");
    println!("{model}: k {}, verify gas {}, proof {} bytes", keys.header.k, genuine.gas_used, proof.len());
    Measured {
        model: m,
        k: keys.header.k,
        verify_gas: genuine.gas_used,
        deploy_gas,
        runtime_bytes: compiled.runtime.len(),
        proof_bytes: proof.len(),
    }
}

const RAW: &str = "examples/german-credit/dataset.csv";

#[test]
fn sklearn_logistic_regression_end_to_end() {
    end_to_end("sklearn-logreg.onnx", RAW);
}

#[test]
fn sklearn_scaler_mlp_pipeline_end_to_end() {
    end_to_end("sklearn-scaler-mlp.onnx", RAW);
}

#[test]
fn torch_prelu_mlp_end_to_end() {
    end_to_end("torch-prelu-mlp.onnx", RAW);
}

/// Standardized continuous inputs at the 10 fractional bits compile chooses: 57 features of 14-16
/// bits need several 248-bit words in the feature commitment (multi-word packing).
#[test]
fn keras_mlp_on_standardized_inputs_packs_several_words_end_to_end() {
    let m = end_to_end("keras-mlp.onnx", "examples/models/standardized.csv").model;
    let bits: u32 = m.quantized.features.iter().map(|f| f.bits).sum();
    assert!(bits > 2 * 248, "{bits} feature bits fit fewer than three words");
}

#[test]
fn torch_relu6_mlp_end_to_end() {
    end_to_end("torch-relu6-mlp.onnx", RAW);
}

/// The German Credit LightGBM (100 trees, depth 4) and random forest (50 trees, depth 5), end to
/// end, with their figures snapshot-tested (verify gas within 1 %: calldata zero bytes vary).
#[test]
fn tree_ensembles_end_to_end() {
    let mut figures = serde_json::Map::new();
    for name in ["lightgbm", "random-forest"] {
        let m = run(&format!("examples/german-credit/trees/{name}.onnx"), RAW);
        let (rows, _) = zkcredit_prover::prove::circuit_size(&m.model).unwrap();
        figures.insert(
            name.into(),
            serde_json::json!({
                "model": m.model.quantized.summary(),
                "k": m.k,
                "rows": rows,
                "proof_bytes": m.proof_bytes,
                "verify_gas_tx": m.verify_gas,
                "verifier_deploy_gas": m.deploy_gas,
                "verifier_runtime_bytes": m.runtime_bytes,
            }),
        );
        assert!(m.verify_gas <= 300_000 && m.proof_bytes <= 2048 && m.runtime_bytes <= 24_576, "{name}: over the targets");
    }
    let tolerant = [("/lightgbm/verify_gas_tx", 0.01), ("/random-forest/verify_gas_tx", 0.01)];
    zkcredit_testkit::snapshot::json("verifier-codegen/tests/snapshots/trees.json", &serde_json::Value::Object(figures), &tolerant);
}

/// XGBoost through onnxmltools: `BRANCH_LT` splits and a LOGISTIC margin.
#[test]
fn xgboost_end_to_end() {
    end_to_end("xgboost.onnx", RAW);
}
