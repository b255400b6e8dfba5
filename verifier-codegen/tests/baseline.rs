//! snark-verifier's verifier for the German Credit MLP key, compiled with the pinned solc and run
//! in revm: it accepts a genuine zkcredit proof (so the prover's transcript is EVM-compatible) and
//! rejects mutated proofs and public inputs.

mod common;

use common::add_modulus;
use halo2_proofs::halo2curves::bn256::Fr;
use zkcredit_evm::{solc, Evm};
use zkcredit_verifier_codegen::baseline;

#[test]
fn snark_verifier_accepts_zkcredit_proofs_in_revm() {
    let common::Proved { params, vk, halo2_proof: proof, instances, .. } = common::prove_sample(11);
    let source = baseline::solidity(&params, &vk);
    let compiled = solc::compile(&source, "Halo2Verifier", false).unwrap();
    let mut chain = Evm::new();
    let (addr, deploy_gas) = chain.deploy("Halo2Verifier", &compiled.creation).unwrap();

    let genuine = chain.call(addr, &baseline::calldata(&instances, &proof)).unwrap();
    assert!(genuine.success, "genuine proof rejected");
    // Known gaps of the baseline, recorded for the comparison with zkcredit's own verifier:
    // it accepts a public input x + r in place of x, and an invalid proof burns all the gas.
    let mut aliased = baseline::calldata(&instances, &proof);
    add_modulus(&mut aliased[2 * 32..3 * 32]);
    let accepts_alias = chain.call(addr, &aliased).unwrap().success;
    let mut bad = proof.clone();
    bad[300] ^= 1;
    let invalid = chain.call(addr, &baseline::calldata(&instances, &bad)).unwrap();
    assert!(!invalid.success);
    let gaps = Gaps { accepts_x_plus_r: accepts_alias, invalid_proof_gas: invalid.gas_used };
    snapshot(genuine.gas_used, deploy_gas, compiled.runtime.len(), baseline::calldata(&instances, &proof).len(), &gaps);

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
struct Gaps {
    accepts_x_plus_r: bool,
    invalid_proof_gas: u64,
}

fn snapshot(verify_gas_tx: u64, deploy_gas: u64, runtime_bytes: usize, calldata_bytes: usize, gaps: &Gaps) {
    let path = "verifier-codegen/tests/snapshots/snark_verifier_baseline.json";
    let now = serde_json::json!({
        "fork": "osaka",
        "verify_gas_tx": verify_gas_tx,
        "deploy_gas": deploy_gas,
        "runtime_bytes": runtime_bytes,
        "calldata_bytes": calldata_bytes,
        "accepts_public_input_plus_r": gaps.accepts_x_plus_r,
        "invalid_proof_gas": gaps.invalid_proof_gas,
    });
    zkcredit_testkit::snapshot::json(path, &now, &[("/verify_gas_tx", 0.01)]);
}
