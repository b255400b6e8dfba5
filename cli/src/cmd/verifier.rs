//! `zkcredit verifier`.

use std::path::PathBuf;

use eyre::{Context, Result};
use zkcredit_prover::prove::{load_params, load_vk};
use zkcredit_prover::public::INSTANCE_COUNT;
use zkcredit_verifier_codegen::{generate, Options, Protocol, Provenance};

use super::keys::bundled_keys;

/// Write the Solidity verifier for a verifying key (or, with --demo, for the bundled German Credit
/// model with the bundled demo SRS: the committed contracts/ZkCreditVerifier.sol).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Verifying key (from `zkcredit setup`); params.bin is read from the same directory.
    #[arg(long, required_unless_present = "demo")]
    pub vk: Option<PathBuf>,
    /// The bundled German Credit model's key (demo SRS) instead of --vk.
    #[arg(long, conflicts_with = "vk")]
    pub demo: bool,
    /// Output file.
    #[arg(long, default_value = "ZkCreditVerifier.sol")]
    pub out: PathBuf,
    /// Contract name.
    #[arg(long, default_value = "ZkCreditVerifier")]
    pub name: String,
    /// Also write the verifying key as its own contract (`<name>Key`, next to --out); the
    /// verifier then takes the key contract's address in its constructor.
    #[arg(long)]
    pub separate_vk: bool,
}

/// Run.
pub fn run(a: Args) -> Result<()> {
    let (params, vk, header) = match &a.vk {
        Some(path) => {
            let (vk, header) = load_vk(path, None)?;
            let params = load_params(&path.with_file_name("params.bin"), header.k)?;
            (params, vk, header)
        }
        None => {
            let keys = bundled_keys()?;
            (keys.params, keys.pk.get_vk().clone(), keys.header)
        }
    };
    let protocol = Protocol::from_vk(&params, &vk, INSTANCE_COUNT)?;
    let mut options = Options::new(Provenance::new(&header.model_digest, header.srs.describe()));
    options.contract_name = a.name.clone();
    options.separate_vk = a.separate_vk;
    let generated = generate(&protocol, &options)?;
    std::fs::write(&a.out, &generated.verifier).with_context(|| format!("writing {}", a.out.display()))?;
    println!(
        "wrote {} ({}: {}-byte proofs, {} public inputs, model {})",
        a.out.display(),
        a.name,
        generated.proof_len,
        generated.num_instance,
        header.model_digest
    );
    if let Some(key) = &generated.verifying_key {
        let path = a.out.with_file_name(format!("{}.sol", generated.vk_contract_name));
        std::fs::write(&path, key).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {} (deploy it first; pass its address to the {} constructor)", path.display(), a.name);
    }
    if let Some(reason) = header.srs.unfit_for_deployment() {
        println!("WARNING: the key was made from {reason}; never deploy this verifier where value is at stake");
    }
    Ok(())
}
