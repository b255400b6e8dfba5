//! `zkcredit attest`.

use std::path::PathBuf;
use std::str::FromStr;

use eyre::Result;
use zkcredit_prover::commitment::CommitmentFile;
use zkcredit_script::alloy::primitives::U256;
use zkcredit_script::attest::AttestationFile;
use zkcredit_script::deployment::Deployment;
use zkcredit_script::policy::fr_to_u256;

use super::onchain::{parse_address, KeyArgs};

/// As a data provider, sign a borrower's feature commitment for one credit gate (EIP-712), so the
/// gate accepts their proof. The commitment comes from `zkcredit commit` on the data you hold.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// commitment.json from `zkcredit commit` (its `feature_commitment` is signed).
    #[arg(long, required_unless_present = "feature_commitment")]
    pub commitment: Option<PathBuf>,
    /// The feature commitment as 0x-hex (instead of --commitment).
    #[arg(long, conflicts_with = "commitment")]
    pub feature_commitment: Option<String>,
    /// The borrower's address.
    #[arg(long)]
    pub borrower: String,
    /// deployment.json from `zkcredit deploy` (gate address and chain id).
    #[arg(long, required_unless_present_all = ["gate", "chain_id"])]
    pub deployment: Option<PathBuf>,
    /// The gate's address (instead of --deployment).
    #[arg(long, requires = "chain_id", conflicts_with = "deployment")]
    pub gate: Option<String>,
    /// The gate's chain id (with --gate).
    #[arg(long, requires = "gate")]
    pub chain_id: Option<u64>,
    /// Seconds from now until the attestation expires.
    #[arg(long, default_value_t = 86_400)]
    pub expires_in: u64,
    /// The data provider's key [default: --key-env ZKCREDIT_ATTESTER_KEY].
    #[command(flatten)]
    pub key: KeyArgs,
    /// Where to write the attestation.
    #[arg(long, default_value = "attestation.json")]
    pub out: PathBuf,
}

/// Run.
pub fn run(a: Args) -> Result<()> {
    let commitment = match (&a.commitment, &a.feature_commitment) {
        (Some(path), _) => fr_to_u256(&CommitmentFile::load(path)?.commitment()?),
        (None, Some(hex)) => parse_word("--feature-commitment", hex)?,
        (None, None) => eyre::bail!("give --commitment FILE or --feature-commitment HEX"),
    };
    let (gate, chain_id) = match (&a.deployment, &a.gate, a.chain_id) {
        (Some(path), _, _) => {
            let d = Deployment::load(path)?;
            (d.gate.address, d.chain_id)
        }
        (None, Some(gate), Some(chain_id)) => (parse_address("--gate", gate)?, chain_id),
        _ => eyre::bail!("give --deployment FILE, or --gate ADDRESS with --chain-id N"),
    };
    let borrower = parse_address("--borrower", &a.borrower)?;
    let signer = a.key.load("ZKCREDIT_ATTESTER_KEY")?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let expiry = now.checked_add(a.expires_in).ok_or_else(|| eyre::eyre!("--expires-in {} overflows", a.expires_in))?;
    let att = AttestationFile::sign(&signer, chain_id, gate, borrower, commitment, expiry)?;
    att.save(&a.out)?;
    println!(
        "attester {} signed feature commitment {commitment:#x} for borrower {borrower} at gate {gate} (chain {chain_id}), valid until unix {expiry} -> {}",
        att.attester,
        a.out.display()
    );
    Ok(())
}

fn parse_word(what: &str, hex: &str) -> Result<U256> {
    U256::from_str(hex).map_err(|e| eyre::eyre!("{what}: `{hex}` is not a 0x-hex 256-bit word ({e})"))
}
