//! snark-verifier's verifier for the German Credit MLP key, compiled with the pinned solc and run
//! in revm: it accepts a genuine zkcredit proof (so the prover's transcript is EVM-compatible) and
//! rejects mutated proofs and public inputs.

use std::path::PathBuf;

use halo2_proofs::halo2curves::bn256::Fr;
use rand::SeedableRng;
use zkcredit_prover::model::compile;
use zkcredit_prover::prove::{prove, setup, NoProgress, ProveRequest};
use zkcredit_prover::quantize::QuantConfig;
use zkcredit_prover::srs::SrsSource;
use zkcredit_verifier_codegen::{baseline, evm::Evm, solc};

#[test]
fn snark_verifier_accepts_zkcredit_proofs_in_revm() {
    let ex = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let gc = ex.join("german-credit");
    let model =
        compile(&gc.join("mlp.onnx"), &gc.join("dataset.csv"), Some(&gc.join("encoding.json")), &QuantConfig::default(), 0.5).unwrap();
    let keys = setup(&model, &SrsSource::from_file(&ex.join("srs/zkcredit-demo-k12.ptau")).unwrap(), &NoProgress).unwrap();
    let features = model.applicant_inputs(&gc.join("samples/applicant6.json")).unwrap();
    let req = ProveRequest { features, threshold: 0.5, borrower: [0xb0; 20], nonce: 5, salt: None };
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
    let (file, _) = prove(&model, &keys.pk, &keys.params, &keys.header.srs, &req, &mut rng, &NoProgress).unwrap();
    let (proof, instances) = file.decode(&gc).unwrap();

    let source = baseline::solidity(&keys.params, keys.pk.get_vk());
    let compiled = solc::compile(&source, "Halo2Verifier", false).unwrap();
    let mut chain = Evm::new();
    let (addr, deploy_gas) = chain.deploy("Halo2Verifier", &compiled.creation).unwrap();

    let genuine = chain.call(addr, &baseline::calldata(&instances, &proof)).unwrap();
    assert!(genuine.success, "genuine proof rejected");
    snapshot(genuine.gas_used, deploy_gas, compiled.runtime.len(), baseline::calldata(&instances, &proof).len());

    for pos in [0, 100, 500, proof.len() - 1] {
        let mut bad = proof.clone();
        bad[pos] ^= 1;
        assert!(!chain.call(addr, &baseline::calldata(&instances, &bad)).unwrap().success, "byte {pos} flipped but accepted");
    }
    for i in 0..instances.len() {
        let mut bad = instances.clone();
        bad[i] += Fr::one();
        assert!(!chain.call(addr, &baseline::calldata(&bad, &proof)).unwrap().success, "instance {i} changed but accepted");
    }
}

/// Sizes and deploy gas are deterministic and compared exactly; verification gas varies by a few
/// hundred gas with the proof's zero bytes (calldata pricing), so it must stay within 1 %.
fn snapshot(verify_gas_tx: u64, deploy_gas: u64, runtime_bytes: usize, calldata_bytes: usize) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/snark_verifier_baseline.json");
    let now = serde_json::json!({
        "fork": "osaka",
        "verify_gas_tx": verify_gas_tx,
        "deploy_gas": deploy_gas,
        "runtime_bytes": runtime_bytes,
        "calldata_bytes": calldata_bytes,
    });
    if std::env::var_os("ZKCREDIT_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&now).unwrap() + "\n").unwrap();
    }
    let hint = format!("rerun with ZKCREDIT_UPDATE_SNAPSHOTS=1 and commit {} if the change is intended", path.display());
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default()).expect(&hint);
    for key in ["fork", "deploy_gas", "runtime_bytes", "calldata_bytes"] {
        assert_eq!(saved[key], now[key], "{key} changed: {hint}");
    }
    let old = saved["verify_gas_tx"].as_u64().unwrap_or(0) as f64;
    assert!((verify_gas_tx as f64 - old).abs() <= old * 0.01, "verify gas {verify_gas_tx} vs snapshot {old}: {hint}");
}
