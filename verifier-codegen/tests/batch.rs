//! A real batch proof: the bundled MLP's batch keys (8 slots, the demo batch SRS of power 14),
//! the six sample applicants proved in one proof (those below the threshold reported and left
//! out, the empty slots filled under borrower 0); accepted natively and by its generated verifier
//! in revm; 1,000 random proof mutations and every public input changed (by one, and by `r`)
//! rejected. Batch gas, proof size and circuit shape are snapshot-tested.

mod common;

use halo2_proofs::halo2curves::bn256::Fr;
use rand::{Rng, SeedableRng};
use zkcredit_evm::Evm;
use zkcredit_prover::batch::{prove_batch, setup_batch, BatchApplicant, BatchProofFile};
use zkcredit_prover::model::compile;
use zkcredit_prover::prove::{verify_counted, NoProgress, ProveRequest};
use zkcredit_prover::public::BatchPublicInputs;
use zkcredit_prover::quantize::QuantConfig;
use zkcredit_prover::srs::SrsSource;
use zkcredit_verifier_codegen::{abi, compile_verifier, Options, Provenance};

const SLOTS: usize = 8;

#[test]
fn a_batch_of_the_sample_applicants_verifies_natively_and_on_chain() {
    let ex = common::root().join("examples");
    let gc = ex.join("german-credit");
    let model = compile(&gc.join("mlp.onnx"), &gc.join("dataset.csv"), Some(&gc.join("encoding.json")), None, &QuantConfig::default(), 0.5)
        .unwrap();
    let keys = setup_batch(&model, SLOTS, &SrsSource::from_file(&ex.join("srs/zkcredit-demo-k14.ptau")).unwrap(), &NoProgress).unwrap();
    assert!(keys.header.srs.demo, "the bundled batch SRS is marked demo");
    let applicants: Vec<BatchApplicant> = (1..=6)
        .map(|n| {
            let features = model.applicant_inputs(&gc.join(format!("samples/applicant{n}.json"))).unwrap();
            BatchApplicant { line: n, request: ProveRequest { features, threshold: 0.5, borrower: [n as u8; 20], nonce: 1, salt: None } }
        })
        .collect();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(8);
    let outcome = prove_batch(&model, &keys.pk, &keys.params, &keys.header.srs, SLOTS, &applicants, &mut rng, &NoProgress).unwrap();
    let file = outcome.file.expect("some sample applicants pass");
    let proved: Vec<usize> = file.slots.iter().map(|s| s.line).filter(|l| *l != 0).collect();
    let left_out: Vec<usize> = outcome.rejected.iter().map(|(l, _)| *l).collect();
    println!("proved lines {proved:?}, left out {left_out:?}");
    assert_eq!(proved.len() + left_out.len(), 6);
    assert!(outcome.rejected.iter().all(|(_, e)| e.to_string().contains("does not pass")));
    assert!(file.slots[proved.len()..].iter().all(|s| s.borrower == format!("0x{}", "00".repeat(20))));

    let (proof, instances) = file.decode(&gc).unwrap();
    assert_eq!(instances.len(), BatchPublicInputs::count(SLOTS));
    verify_counted(&keys.params, keys.pk.get_vk(), &proof, &instances, instances.len()).unwrap();

    let mut options = Options::new(Provenance::new(&keys.header.model_digest, keys.header.srs.describe()));
    options.contract_name = "ZkCreditBatchVerifier".into();
    let (source, compiled) = compile_verifier(&keys.params, keys.pk.get_vk(), &options, instances.len()).unwrap();
    // The committed batch verifier of the bundled model (8 slots, demo batch SRS) is this one.
    zkcredit_testkit::snapshot::text("contracts/ZkCreditBatchVerifier.sol", &source.verifier);
    assert!(source.verifier.contains("DO NOT EDIT") && source.verifier.contains(&keys.header.model_digest));
    forge_fixture(&file, &compiled.creation);
    let mut chain = Evm::new();
    let (addr, deploy_gas) = chain.deploy("batch verifier", &compiled.creation).unwrap();
    let genuine = chain.call(addr, &abi::calldata(&proof, &instances)).unwrap();
    assert!(genuine.returned_true(), "genuine batch proof rejected: {genuine:?}");

    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1000);
    for i in 0..1000 {
        let mut bad = proof.clone();
        if i % 2 == 0 {
            let pos = rng.gen_range(0..bad.len());
            bad[pos] ^= rng.gen_range(1..=255u8);
        } else {
            let w = rng.gen_range(0..bad.len() / 32);
            rng.fill(&mut bad[32 * w..32 * w + 32]);
        }
        assert!(!chain.call(addr, &abi::calldata(&bad, &instances)).unwrap().returned_true(), "mutation {i} accepted");
    }
    for i in 0..instances.len() {
        let mut bad = instances.clone();
        bad[i] += Fr::one();
        assert!(!chain.call(addr, &abi::calldata(&proof, &bad)).unwrap().returned_true(), "public input {i} + 1 accepted");
        let mut cd = abi::calldata(&proof, &instances);
        let at = cd.len() - 32 * (instances.len() - i);
        common::add_modulus(&mut cd[at..at + 32]);
        assert!(!chain.call(addr, &cd).unwrap().returned_true(), "public input {i} + r accepted");
    }

    let shape = zkcredit_prover::prove::shape(keys.pk.get_vk());
    let now = serde_json::json!({
        "batch_size": SLOTS,
        "k": keys.header.k,
        "rows": zkcredit_prover::batch::batch_size(&model, SLOTS).unwrap().0,
        "advice_columns": shape.0,
        "fixed_columns": shape.1,
        "public_inputs": instances.len(),
        "proof_bytes": proof.len(),
        "batch_verify_gas_tx": genuine.gas_used,
        "verifier_deploy_gas": deploy_gas,
        "verifier_runtime_bytes": compiled.runtime.len(),
    });
    println!("{now}");
    zkcredit_testkit::snapshot::json("verifier-codegen/tests/snapshots/batch.json", &now, &[("/batch_verify_gas_tx", 0.01)]);
}

/// The Foundry fixture `contracts/test/fixtures/german-credit-batch.json` (a batch proof for the
/// committed batch verifier, read by `contracts/test/CreditGateBatch.t.sol`): rewritten with
/// ZKCREDIT_UPDATE_SNAPSHOTS=1, and checked to verify with the committed verifier's bytecode.
fn forge_fixture(file: &BatchProofFile, creation: &[u8]) {
    let path = common::root().join("contracts/test/fixtures/german-credit-batch.json");
    if zkcredit_testkit::updating() {
        let doc = serde_json::json!({
            "note": "Generated by verifier-codegen/tests/batch.rs (ZKCREDIT_UPDATE_SNAPSHOTS=1); read by contracts/test/CreditGateBatch.t.sol.",
            "model": "examples/german-credit/mlp.onnx", "slots": file.batch_size, "threshold": file.threshold,
            "borrowers": file.slots.iter().filter(|s| s.line != 0).map(|s| s.borrower.clone()).collect::<Vec<_>>(),
            "proof": file.proof, "instances": file.instances, "calldata": file.calldata,
        });
        std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
    }
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} is missing ({e}): regenerate it with ZKCREDIT_UPDATE_SNAPSHOTS=1", path.display()));
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut chain = Evm::new();
    let (addr, _) = chain.deploy("ZkCreditBatchVerifier", creation).unwrap();
    let calldata = hex::decode(doc["calldata"].as_str().unwrap().trim_start_matches("0x")).unwrap();
    assert!(
        chain.call(addr, &calldata).unwrap().returned_true(),
        "{} no longer verifies: regenerate it with ZKCREDIT_UPDATE_SNAPSHOTS=1",
        path.display()
    );
}
