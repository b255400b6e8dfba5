//! `zkcredit deploy`.

use std::path::PathBuf;

use eyre::Result;
use zkcredit_prover::model::CompiledModel;
use zkcredit_prover::prove::{load_params, load_vk};
use zkcredit_prover::public::INSTANCE_COUNT;
use zkcredit_script::deployment::DeployPlan;
use zkcredit_script::policy::Policy;
use zkcredit_script::rpc::{block_on, Rpc};
use zkcredit_verifier_codegen::{compile_verifier, Options, Provenance};

use super::keys::bundled_model_and_keys;
use super::onchain::{parse_address, ChainArgs};
use crate::ui::Spinner;
use zkcredit_prover::prove::Progress;

/// As a lender, deploy the generated verifier and a CreditGate to a chain, register the model's
/// policy (threshold) under a model version and trust the given attesters. The deploying account
/// owns the gate. Writes a deployment JSON for `attest` and `submit`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The chain, and the signing account (the deployer, who owns the gate).
    #[command(flatten)]
    pub chain: ChainArgs,
    /// The compiled model.
    #[arg(long, requires = "keys", required_unless_present = "demo")]
    pub model: Option<PathBuf>,
    /// Directory with vk.bin and params.bin (from `zkcredit setup`), with --model.
    #[arg(long, requires = "model")]
    pub keys: Option<PathBuf>,
    /// Deploy the bundled German Credit model with keys from the demo SRS instead of --model and
    /// --keys (refused on chains other than local test chains unless --allow-demo-srs).
    #[arg(long, conflicts_with_all = ["model", "keys"])]
    pub demo: bool,
    /// Deploy keys from the demo or a development SRS to a chain that is not a local test chain
    /// (31337, 1337). Such keys are not from a public ceremony: never where value is at stake.
    #[arg(long)]
    pub allow_demo_srs: bool,
    /// The policy: approve applicants whose score is at or above this (a probability for models
    /// ending in a sigmoid).
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// The model version to register the verifier under.
    #[arg(long, default_value_t = 1)]
    pub model_version: u32,
    /// A data provider whose attestations the gate accepts (repeatable).
    #[arg(long = "attester", value_name = "ADDRESS")]
    pub attesters: Vec<String>,
    /// Where to write the deployment JSON.
    #[arg(long, default_value = "deployment.json")]
    pub out: PathBuf,
}

/// The verifier for the key and the policy to register.
fn plan(a: &Args, attesters: Vec<zkcredit_script::alloy::primitives::Address>) -> Result<DeployPlan> {
    let (model, params, vk, header) = match (&a.model, &a.keys) {
        (Some(model), Some(keys)) => {
            let model = CompiledModel::load(model)?;
            let (vk, header) = load_vk(&keys.join("vk.bin"), Some(&model))?;
            let params = load_params(&keys.join("params.bin"), header.k)?;
            (model, params, vk, header)
        }
        _ => {
            let (model, keys, inputs) = bundled_model_and_keys()?;
            let _ = std::fs::remove_dir_all(&inputs);
            (model, keys.params, keys.pk.get_vk().clone(), keys.header)
        }
    };
    let (_, compiled) =
        compile_verifier(&params, &vk, &Options::new(Provenance::new(&header.model_digest, header.srs.describe())), INSTANCE_COUNT)?;
    let policy = Policy::new(&model, a.threshold)?;
    Ok(DeployPlan {
        verifier_creation: compiled.creation,
        model_version: a.model_version,
        model_id: policy.model_id,
        threshold: policy.threshold,
        model_digest: model.digest.clone(),
        attesters,
        srs: header.srs.clone(),
        allow_demo_srs: a.allow_demo_srs,
    })
}

/// Run.
pub fn run(a: Args) -> Result<()> {
    let attesters = a.attesters.iter().map(|s| parse_address("--attester", s)).collect::<Result<Vec<_>>>()?;
    let signer = a.chain.key.load("ZKCREDIT_PRIVATE_KEY")?;
    let spinner = Spinner::new("deploy");
    let deployment = block_on(async {
        // Connect first: a wrong URL or chain fails before the verifier is built.
        spinner.stage("connecting");
        let rpc = Rpc::connect(&a.chain.rpc_url, signer).await?;
        spinner.stage("generating and compiling the verifier");
        let plan = plan(&a, attesters)?;
        spinner.stage("deploying the verifier and the gate, registering the policy");
        Ok::<_, eyre::Report>(rpc.deploy(&plan).await?)
    })??;
    spinner.finish();
    deployment.save(&a.out)?;
    let d = &deployment;
    println!("chain {}: owner {}", d.chain_id, d.owner);
    println!(
        "  ZkCreditVerifier {}  {} gas, {} bytes (tx {})",
        d.verifier.address, d.verifier.gas_used, d.verifier.runtime_bytes, d.verifier.tx_hash
    );
    println!("  CreditGate       {}  {} gas, {} bytes (tx {})", d.gate.address, d.gate.gas_used, d.gate.runtime_bytes, d.gate.tx_hash);
    println!(
        "  model version {} (model id {:#x}, threshold word {:#x}); {} attester(s); setModel + setAttester {} gas",
        d.model_version,
        d.model_id,
        d.threshold,
        d.attesters.len(),
        d.configure_gas
    );
    println!("wrote {}", a.out.display());
    Ok(())
}
