//! `zkcredit demo`.

use std::path::PathBuf;

use eyre::{Context, Result};
use zkcredit_prover::model::{compile, CompiledModel};
use zkcredit_prover::prove::{prove, setup, verify, ProveRequest};
use zkcredit_prover::quantize::QuantConfig;
use zkcredit_prover::srs::SrsSource;
use zkcredit_prover::Error;

use crate::bundled;
use crate::ui::Spinner;

/// Run the whole flow on the bundled German Credit MLP: compile, setup, prove every sample
/// applicant (those below the threshold get no proof), verify natively and with the generated
/// Solidity verifier, then the lender's side: a data provider attests, the borrower proves and
/// submits to a CreditGate, which approves once. On an embedded EVM (revm) by default; with
/// --rpc-url on a real chain, where the key (ZKCREDIT_PRIVATE_KEY by default) deploys, owns the
/// gate and is the borrower. Every artifact is left in --out.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output directory (model.json, pk.bin, vk.bin, params.bin, proof.json, ...).
    #[arg(long, default_value = "zkcredit-demo")]
    pub out: PathBuf,
    /// Pass threshold (probability of good credit).
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// SRS file [default: the bundled demo .ptau, one local contribution; not a public ceremony].
    #[arg(long)]
    pub srs: Option<PathBuf>,
    /// DEVELOPMENT ONLY: use a seeded insecure SRS instead.
    #[arg(long)]
    pub insecure_dev_srs: bool,
    /// Run the gate steps on this chain (JSON-RPC) instead of the embedded EVM.
    #[arg(long)]
    pub rpc_url: Option<String>,
    /// With --rpc-url: deploy the demo keys even if the chain is not a local test chain (31337,
    /// 1337). They come from the demo or a development SRS: never on a chain that holds value.
    #[arg(long, requires = "rpc_url")]
    pub allow_demo_srs: bool,
    /// With --rpc-url: the deployer and borrower key [default: --key-env ZKCREDIT_PRIVATE_KEY].
    #[command(flatten)]
    pub key: super::onchain::KeyArgs,
}

/// Run.
pub fn run(a: Args) -> Result<()> {
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let inputs = bundled::extract(&a.out.join("inputs"))?;
    let gc = inputs.join("german-credit");
    let srs = match (a.srs.as_deref(), a.insecure_dev_srs) {
        (None, false) => SrsSource::from_file(&inputs.join("srs/zkcredit-demo-k12.ptau"))?,
        (s, dev) => super::srs_source(s, dev)?,
    };

    println!("1. compile  German Credit MLP ({}), calibrated on 1,000 rows", gc.join("mlp.onnx").display());
    let model = compile(
        &gc.join("mlp.onnx"),
        &gc.join("dataset.csv"),
        Some(&gc.join("encoding.json")),
        None,
        &QuantConfig::default(),
        a.threshold,
    )?;
    let model_path = a.out.join("model.json");
    model.save(&model_path)?;
    let f = &model.fidelity;
    println!("   digest {}; max |score error| {:.1e}; decisions agree {}/{}", model.digest, f.max_abs_error, f.decisions_agree, f.rows);
    let model = CompiledModel::load(&model_path)?;

    let spinner = Spinner::new("setup");
    let t = std::time::Instant::now();
    let keys = setup(&model, &srs, &spinner)?;
    keys.save(&a.out)?;
    spinner.finish();
    println!("2. setup    k = {}, SRS {} ({}) in {:.2?}", keys.header.k, keys.header.srs.source, keys.header.srs.kind, t.elapsed());

    println!("3. prove    threshold {} for each sample applicant", a.threshold);
    let mut first: Option<(PathBuf, PathBuf)> = None;
    for (i, sample) in bundled::samples(&inputs).iter().enumerate() {
        let features = model.applicant_inputs(sample)?;
        let mut borrower = [0u8; 20];
        borrower[19] = i as u8 + 1;
        borrower[0] = 0xb0;
        let req = ProveRequest { features, threshold: a.threshold, borrower, nonce: i as u64 + 1, salt: None };
        let spinner = Spinner::new("prove");
        let t = std::time::Instant::now();
        match prove(&model, &keys.pk, &keys.params, &keys.header.srs, &req, &mut rand::rngs::OsRng, &spinner) {
            Ok((file, score)) => {
                let path = if first.is_none() { a.out.join("proof.json") } else { a.out.join(format!("proof-applicant{}.json", i + 1)) };
                file.save(&path)?;
                spinner.finish();
                println!(
                    "   applicant{}: score {score:.3} passes; proof {} bytes in {:.2?} -> {}",
                    i + 1,
                    file.proof.len() / 2 - 1,
                    t.elapsed(),
                    path.display()
                );
                first.get_or_insert((path, sample.clone()));
            }
            Err(Error::BelowThreshold { score, .. }) => {
                spinner.finish();
                println!("   applicant{}: score {score:.3} is below {}; no proof exists", i + 1, a.threshold);
            }
            Err(e) => return Err(e.into()),
        }
    }

    let Some((proof_path, sample)) = first else { eyre::bail!("no sample applicant passes threshold {}", a.threshold) };
    let file = zkcredit_prover::prove::ProofFile::load(&proof_path)?;
    let (proof, instances) = file.decode(&proof_path)?;
    let vk = keys.pk.get_vk();
    verify(&keys.params, vk, &proof, &instances)?;
    let mut tampered = proof.clone();
    tampered[proof.len() / 2] ^= 1;
    let rejected = verify(&keys.params, vk, &tampered, &instances).is_err();
    let mut other = instances.clone();
    other[2] += zkcredit_prover::field::Fr::one();
    let replay_rejected = verify(&keys.params, vk, &proof, &other).is_err();
    println!("4. verify   {}: valid; flipped byte rejected: {rejected}; other borrower rejected: {replay_rejected}", proof_path.display());
    if !(rejected && replay_rejected) {
        eyre::bail!("a tampered proof was accepted");
    }
    println!("   verify again with: zkcredit verify --proof {}", proof_path.display());
    let Some(verifier) = evm_verify(&a.out, &keys, &proof, &instances)? else { return Ok(()) };
    let gate = super::demo_gate::GateDemo {
        out: &a.out,
        model: &model,
        keys: &keys,
        sample: &sample,
        threshold: a.threshold,
        verifier,
        allow_demo_srs: a.allow_demo_srs,
    };
    match &a.rpc_url {
        None => gate.run_local(),
        Some(url) => gate.run_rpc(url, a.key.load("ZKCREDIT_PRIVATE_KEY")?),
    }
}

/// Step 5: verify on an embedded EVM (revm, Osaka) with zkcredit's generated verifier for this
/// key, side by side with snark-verifier's.
fn evm_verify(
    out: &std::path::Path,
    keys: &zkcredit_prover::prove::SetupOutput,
    proof: &[u8],
    instances: &[zkcredit_prover::field::Fr],
) -> Result<Option<zkcredit_evm::Compiled>> {
    use zkcredit_evm::Evm;
    use zkcredit_verifier_codegen::{abi, gas, Options, Provenance};
    let options = Options::new(Provenance::new(&keys.header.model_digest, keys.header.srs.describe()));
    let (report, generated, compiled) = match gas::measure(&keys.params, keys.pk.get_vk(), &options, proof, instances) {
        Ok(r) => r,
        Err(e @ zkcredit_verifier_codegen::Error::Evm(zkcredit_evm::Error::Solc { .. })) => {
            println!("5. EVM      skipped (and the gate steps after it): {e}");
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    let sol_path = out.join("ZkCreditVerifier.sol");
    std::fs::write(&sol_path, &generated.verifier).with_context(|| format!("writing {}", sol_path.display()))?;
    let mut chain = Evm::new();
    let (addr, _) = chain.deploy(&options.contract_name, &compiled.creation)?;
    let mut tampered = proof.to_vec();
    tampered[7] ^= 1;
    let bad = chain.call(addr, &abi::calldata(&tampered, instances))?;
    println!(
        "5. EVM      revm ({}): verifier {} bytes, deployed for {} gas; proof accepted for {} gas (snark-verifier: {}); tampered proof {}",
        report.fork,
        report.runtime_bytes,
        report.deploy_gas,
        report.verify_gas_tx,
        report.snark_verifier_verify_gas_tx,
        if bad.returned_true() { "ACCEPTED" } else { "rejected" }
    );
    if bad.returned_true() {
        eyre::bail!("on-chain verification accepted a tampered proof");
    }
    println!("   verifier source: {}", sol_path.display());
    Ok(Some(compiled))
}
