//! zkcredit's generated verifier for the German Credit MLP, compiled with the pinned solc and run
//! in revm: it accepts genuine proofs, rejects every mutation of proof, public inputs and
//! calldata shape (including x + r, which snark-verifier accepts), fails cheaply, agrees with
//! snark-verifier on the same key, and its gas, bytecode and calldata sizes are snapshot-tested.

use std::sync::OnceLock;

use halo2_proofs::halo2curves::bn256::Fr;
use rand::{Rng, SeedableRng};
use sha3::{Digest, Keccak256};
use zkcredit_evm::solc;
use zkcredit_evm::Address;
use zkcredit_evm::{CallOutcome, Evm};
use zkcredit_verifier_codegen::{abi, baseline, gas, generate, Options, Protocol, Provenance};

mod common;

use common::{add_modulus, Proved};

struct Fixture {
    proved: Proved,
    ours: solc::Compiled,
    theirs: solc::Compiled,
    source: String,
}

impl std::ops::Deref for Fixture {
    type Target = Proved;
    fn deref(&self) -> &Proved {
        &self.proved
    }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let proved = common::prove_sample(7);
        assert_eq!(proved.file.calldata, format!("0x{}", hex::encode(abi::calldata(&proved.proof, &proved.instances))));
        let protocol = Protocol::from_vk(&proved.params, &proved.vk, proved.instances.len()).unwrap();
        let source = generate(&protocol, &Options::new(Provenance::new(&proved.header.model_digest, proved.header.srs.describe())))
            .unwrap()
            .verifier;
        let ours = solc::compile(&source, "ZkCreditVerifier", true).unwrap();
        let theirs = solc::compile(&baseline::solidity(&proved.params, &proved.vk), "Halo2Verifier", false).unwrap();
        Fixture { proved, ours, theirs, source }
    })
}

fn deploy(code: &[u8]) -> (Evm, Address) {
    let mut chain = Evm::new();
    let (addr, _) = chain.deploy("verifier", code).unwrap();
    (chain, addr)
}

fn selector(sig: &str) -> Vec<u8> {
    Keccak256::digest(sig.as_bytes())[..4].to_vec()
}

/// A rejection must not burn the gas: well under the genuine verification's cost.
fn assert_rejected_cheaply(out: &CallOutcome, what: &str) {
    assert!(!out.returned_true(), "{what}: accepted");
    assert!(out.gas_used < 300_000, "{what}: rejection used {} gas", out.gas_used);
}

#[test]
fn genuine_proof_accepted_and_1000_mutations_rejected() {
    let f = fixture();
    let (mut chain, addr) = deploy(&f.ours.creation);
    let genuine = chain.call(addr, &abi::calldata(&f.proof, &f.instances)).unwrap();
    assert!(genuine.returned_true(), "genuine proof rejected: {:?}", genuine);

    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1000);
    let mut accepted = 0;
    let mut reverted = 0;
    for i in 0..1000 {
        let mut bad = f.proof.clone();
        if i % 2 == 0 {
            let pos = rng.gen_range(0..bad.len());
            bad[pos] ^= rng.gen_range(1..=255u8);
        } else {
            let w = rng.gen_range(0..bad.len() / 32);
            rng.fill(&mut bad[32 * w..32 * w + 32]);
        }
        let out = chain.call(addr, &abi::calldata(&bad, &f.instances)).unwrap();
        assert_rejected_cheaply(&out, &format!("mutation {i}"));
        accepted += usize::from(out.returned_true());
        reverted += usize::from(!out.success);
    }
    assert_eq!(accepted, 0);
    // Most random words are off the curve or >= r and revert with MalformedProof; the rest
    // reach the pairing and return false.
    assert!(reverted > 0 && reverted < 1000, "reverted {reverted} of 1000");
}

#[test]
fn wrong_inversion_hint_rejected() {
    let f = fixture();
    let (mut chain, addr) = deploy(&f.ours.creation);
    let cut = f.halo2_proof.len();
    let with_hint = |word: &[u8]| abi::calldata(&[&f.halo2_proof[..], word].concat(), &f.instances);
    let mut plus_one = f.proof[cut..].to_vec();
    let last = plus_one.len() - 1;
    plus_one[last] ^= 1;
    for (what, word) in [("hint with its low bit flipped", plus_one), ("zero hint", vec![0u8; 32])] {
        let out = chain.call(addr, &with_hint(&word)).unwrap();
        assert_rejected_cheaply(&out, what);
        assert!(out.success, "{what}: a canonical but wrong hint returns false rather than reverting");
    }
    // hint + r: the same residue, but not the canonical encoding.
    let mut aliased = f.proof[cut..].to_vec();
    add_modulus(&mut aliased);
    let out = chain.call(addr, &with_hint(&aliased)).unwrap();
    assert_rejected_cheaply(&out, "hint + r");
    assert_eq!(out.output, selector("MalformedProof()"), "hint + r: wrong revert data");
}

#[test]
fn every_public_input_is_bound_and_must_be_below_r() {
    let f = fixture();
    let (mut chain, addr) = deploy(&f.ours.creation);
    for i in 0..f.instances.len() {
        let mut bad = f.instances.clone();
        bad[i] += Fr::one();
        let out = chain.call(addr, &abi::calldata(&f.proof, &bad)).unwrap();
        assert_rejected_cheaply(&out, &format!("public input {i} + 1"));
        assert!(out.success, "a changed but canonical public input returns false rather than reverting");

        let mut cd = abi::calldata(&f.proof, &f.instances);
        let at = cd.len() - 32 * (f.instances.len() - i);
        add_modulus(&mut cd[at..at + 32]);
        let out = chain.call(addr, &cd).unwrap();
        assert_rejected_cheaply(&out, &format!("public input {i} + r"));
        let mut expect = selector("PublicInputNotInField(uint256)");
        expect.extend([0u8; 31]);
        expect.push(i as u8);
        assert_eq!(out.output, expect, "public input {i} + r: wrong revert data");
    }
}

/// What a gas sweep saw, by outcome.
#[derive(Debug, Default)]
struct Sweep {
    /// Limits below the transaction's intrinsic gas or calldata floor (no valid transaction).
    invalid: usize,
    /// Reverts, by revert data: `PrecompileFailed(a)` counted per precompile address `a`.
    precompile_failed: std::collections::BTreeMap<u8, usize>,
    /// Other reverts (out of gas outside a precompile: no revert data).
    other_reverts: usize,
    returned_true: usize,
    returned_false: usize,
    /// The lowest limit that did not revert.
    lowest_returning: Option<u64>,
}

/// Call `calldata` with every gas limit from 21,000 up to `top` in steps of `step`.
fn sweep(chain: &mut Evm, addr: Address, calldata: &[u8], top: u64, step: u64) -> Sweep {
    let precompile_failed = selector("PrecompileFailed(uint256)");
    let mut seen = Sweep::default();
    for limit in (21_000..=top).step_by(step as usize) {
        let Ok(out) = chain.call_with_gas_limit(addr, calldata, limit) else {
            seen.invalid += 1;
            continue;
        };
        if !out.success {
            if out.output.len() == 36 && out.output[..4] == precompile_failed[..] {
                *seen.precompile_failed.entry(out.output[35]).or_default() += 1;
            } else {
                assert!(out.output.is_empty(), "limit {limit}: unexpected revert data 0x{}", hex::encode(&out.output));
                seen.other_reverts += 1;
            }
            continue;
        }
        seen.lowest_returning.get_or_insert(limit);
        if out.returned_true() {
            seen.returned_true += 1;
        } else {
            seen.returned_false += 1;
        }
    }
    seen
}

/// Running short of gas is never a verdict (issue 15). Each precompile call gets 63/64 of the
/// gas left, so it fails for every limit in a window at least as wide as its own price (ecAdd
/// 150, ecMul 6,000, pairing 113,000); a 50-gas step lands in each window of each call. The genuine proof
/// either reverts or returns true at every limit, the lowest limit that does not revert returns
/// true (what `eth_estimateGas` finds), and a tampered proof reverts or returns false.
#[test]
fn short_of_gas_reverts_and_is_never_a_verdict() {
    let f = fixture();
    let (mut chain, addr) = deploy(&f.ours.creation);
    let genuine = abi::calldata(&f.proof, &f.instances);
    // The pairing needs 113,000 + 113,000 / 63 available, more than the transaction finally uses.
    let top = chain.call(addr, &genuine).unwrap().gas_used + 2_000;
    let seen = sweep(&mut chain, addr, &genuine, top, 50);
    assert_eq!(seen.returned_false, 0, "genuine proof reported invalid when short of gas: {seen:?}");
    assert!(seen.returned_true > 0, "never accepted up to {top}: {seen:?}");
    // ecMul and the pairing fail with gas to spare for the custom error. A failed ecAdd (it
    // fails below ~152 gas available) leaves the verifier 1/64 of that, 2 gas: too little even
    // to revert with data, so it ends as an out-of-gas halt, counted in `other_reverts`.
    for precompile in [0x07, 0x08] {
        assert!(seen.precompile_failed.get(&precompile).is_some_and(|n| *n > 0), "no step hit precompile {precompile}'s window: {seen:?}");
    }
    // The exact lowest limit that does not revert (what eth_estimateGas finds), by bisection
    // below the sweep's: it returns true, and one gas less reverts.
    let (mut lo, mut hi) = (seen.lowest_returning.unwrap() - 50, seen.lowest_returning.unwrap());
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if chain.call_with_gas_limit(addr, &genuine, mid).unwrap().success {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    assert!(chain.call_with_gas_limit(addr, &genuine, hi).unwrap().returned_true(), "the lowest returning limit {hi} says false");
    assert!(!chain.call_with_gas_limit(addr, &genuine, hi - 1).unwrap().success);
    println!("lowest limit that does not revert: {hi}");
    println!("genuine proof: {seen:?}");

    // A tampered evaluation (still below r, so it passes the input checks and reaches the
    // pairing): the first word whose low bit flipped makes the verifier return false.
    let tampered = (0..f.halo2_proof.len() / 32)
        .map(|w| {
            let mut bad = f.proof.clone();
            bad[32 * w + 31] ^= 1;
            abi::calldata(&bad, &f.instances)
        })
        .find(|cd| {
            let out = chain.call(addr, cd).unwrap();
            out.success && !out.returned_true()
        })
        .expect("no single-bit tamper reaches the pairing");
    let seen = sweep(&mut chain, addr, &tampered, top, 50);
    assert_eq!(seen.returned_true, 0, "tampered proof accepted at some gas limit: {seen:?}");
    assert!(seen.returned_false > 0 && seen.precompile_failed.contains_key(&0x08), "{seen:?}");
    println!("tampered proof: {seen:?}");
}

#[test]
fn calldata_shape_is_exact() {
    let f = fixture();
    let (mut chain, addr) = deploy(&f.ours.creation);
    let good = abi::calldata(&f.proof, &f.instances);
    let malformed = selector("MalformedCalldata()");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("one byte short", good[..good.len() - 1].to_vec()),
        ("one word short", good[..good.len() - 32].to_vec()),
        ("one extra byte", [good.clone(), vec![0]].concat()),
        ("one extra word", [good.clone(), vec![0; 32]].concat()),
        ("proof truncated by a word", abi::calldata(&f.proof[..f.proof.len() - 32], &f.instances)),
        ("proof extended by a word", abi::calldata(&[f.proof.clone(), vec![1; 32]].concat(), &f.instances)),
        ("one public input missing", abi::calldata(&f.proof, &f.instances[..f.instances.len() - 1])),
        ("one public input extra", abi::calldata(&f.proof, &[f.instances.clone(), vec![Fr::one()]].concat())),
        ("empty", selector("verifyProof(bytes,uint256[])")),
    ];
    for (what, cd) in cases {
        let out = chain.call(addr, &cd).unwrap();
        assert_rejected_cheaply(&out, what);
        assert!(!out.success, "{what}: returned instead of reverting");
        assert!(out.output.is_empty() || out.output == malformed, "{what}: unexpected revert data 0x{}", hex::encode(&out.output));
    }
}

#[test]
fn differential_against_snark_verifier() {
    let f = fixture();
    let (mut chain, ours) = deploy(&f.ours.creation);
    let (theirs, _) = chain.deploy("snark-verifier", &f.theirs.creation).unwrap();
    // Ours reads the halo2 proof followed by the inversion hint; snark-verifier the halo2 proof.
    let hint = &f.proof[f.halo2_proof.len()..];
    let both = |chain: &mut Evm, halo2_proof: &[u8], instances: &[Fr]| {
        let a = chain.call(ours, &abi::calldata(&[halo2_proof, hint].concat(), instances)).unwrap().returned_true();
        let b = chain.call(theirs, &baseline::calldata(instances, halo2_proof)).unwrap().success;
        (a, b)
    };
    assert_eq!(both(&mut chain, &f.halo2_proof, &f.instances), (true, true), "genuine proof");
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2000);
    for i in 0..60 {
        let mut bad = f.halo2_proof.clone();
        let pos = rng.gen_range(0..bad.len());
        bad[pos] ^= 1 << (i % 8);
        assert_eq!(both(&mut chain, &bad, &f.instances), (false, false), "bit flip at byte {pos}");
    }
    for i in 0..f.instances.len() {
        let mut bad = f.instances.clone();
        bad[i] += Fr::one();
        assert_eq!(both(&mut chain, &f.halo2_proof, &bad), (false, false), "public input {i} + 1");
    }
    // The documented difference: snark-verifier reduces public inputs mod r, so x + r passes it.
    let mut ours_cd = abi::calldata(&f.proof, &f.instances);
    let at = ours_cd.len() - 32 * f.instances.len();
    add_modulus(&mut ours_cd[at..at + 32]);
    let mut theirs_cd = baseline::calldata(&f.instances, &f.halo2_proof);
    add_modulus(&mut theirs_cd[..32]);
    assert!(!chain.call(ours, &ours_cd).unwrap().returned_true(), "ours accepted x + r");
    assert!(chain.call(theirs, &theirs_cd).unwrap().success, "snark-verifier now rejects x + r: update the docs");
}

#[test]
fn separate_verifying_key_contract() {
    let f = fixture();
    let protocol = Protocol::from_vk(&f.params, &f.vk, f.instances.len()).unwrap();
    let mut options = Options::new(Provenance::new(&f.header.model_digest, f.header.srs.describe()));
    options.separate_vk = true;
    let generated = generate(&protocol, &options).unwrap();
    let key = solc::compile(generated.verifying_key.as_ref().unwrap(), &generated.vk_contract_name, true).unwrap();
    let verifier = solc::compile(&generated.verifier, &options.contract_name, true).unwrap();
    let mut chain = Evm::new();
    let (key_addr, _) = chain.deploy("key", &key.creation).unwrap();
    let mut init = verifier.creation.clone();
    init.extend([0u8; 12]);
    init.extend(key_addr.as_slice());
    let (addr, _) = chain.deploy("verifier", &init).unwrap();
    assert!(chain.call(addr, &abi::calldata(&f.proof, &f.instances)).unwrap().returned_true());
    let mut bad = f.proof.clone();
    bad[700] ^= 4;
    assert_rejected_cheaply(&chain.call(addr, &abi::calldata(&bad, &f.instances)).unwrap(), "mutated proof");
    // A verifier pointed at a contract that is not the key refuses to deploy.
    let mut wrong = verifier.creation.clone();
    wrong.extend([0u8; 12]);
    wrong.extend(addr.as_slice());
    assert!(chain.deploy("verifier", &wrong).is_err());
}

#[test]
fn committed_verifier_matches_the_generator() {
    let f = fixture();
    // Regenerate with `zkcredit verifier --demo --out contracts/ZkCreditVerifier.sol` (or the update variable).
    zkcredit_testkit::snapshot::text("contracts/ZkCreditVerifier.sol", &f.source);
    assert!(f.source.contains("DO NOT EDIT") && f.source.contains(&f.header.model_digest));
}

#[test]
fn gas_snapshot() {
    let f = fixture();
    let (report, _, _) = gas::measure(
        &f.params,
        &f.vk,
        &Options::new(Provenance::new(&f.header.model_digest, f.header.srs.describe())),
        &f.proof,
        &f.instances,
    )
    .unwrap();
    assert!(report.runtime_bytes <= 12_000, "runtime bytecode {} B > 12,000", report.runtime_bytes);
    assert!(report.verify_gas_tx < report.snark_verifier_verify_gas_tx, "not cheaper than snark-verifier");
    assert!(report.deploy_gas < report.snark_verifier_deploy_gas);
    assert!(report.runtime_bytes < report.snark_verifier_runtime_bytes);
    snapshot(&report);
}

/// Execution gas, sizes and deploy gas are deterministic and compared exactly; transaction gas
/// varies by a few hundred gas with the proof's zero bytes (calldata pricing): within 1 %.
fn snapshot(report: &gas::GasReport) {
    let now = serde_json::to_value(report).unwrap();
    let tolerant = [("/verify_gas_tx", 0.01), ("/snark_verifier_verify_gas_tx", 0.01), ("/breakdown/calldata", 0.02)];
    zkcredit_testkit::snapshot::json("verifier-codegen/tests/snapshots/verifier_gas.json", &now, &tolerant);
}
