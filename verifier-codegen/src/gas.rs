//! Gas measurement: deploy zkcredit's verifier and snark-verifier's for the same key in one revm
//! chain (Osaka), verify the same proof with both, and break our figure down.

use halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_proofs::plonk::VerifyingKey;
use halo2_proofs::poly::kzg::commitment::ParamsKZG;
use serde::Serialize;

use zkcredit_evm::{calldata_gas, solc, Evm};
use zkcredit_protocol::hint;

use crate::codegen::{Generated, Options};
use crate::compile::compile_verifier;
use crate::error::{Error, Result};
use crate::{abi, baseline};

/// Intrinsic gas of every transaction.
pub const TX_BASE_GAS: u64 = 21_000;
/// EIP-1108 prices.
pub const EC_ADD_GAS: u64 = 150;
/// EIP-1108 prices.
pub const EC_MUL_GAS: u64 = 6_000;
/// A 2-pair pairing check (EIP-1108: 45,000 + 34,000 per pair).
pub const PAIRING_GAS: u64 = 45_000 + 2 * 34_000;

/// Where the verification gas goes.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Breakdown {
    /// 21,000 per transaction.
    pub intrinsic: u64,
    /// Calldata (16 per non-zero byte, 4 per zero byte).
    pub calldata: u64,
    /// The pairing precompile.
    pub pairing: u64,
    /// ecMul calls.
    pub ec_mul_count: usize,
    /// Gas of the ecMul calls.
    pub ec_mul: u64,
    /// ecAdd calls.
    pub ec_add_count: usize,
    /// Gas of the ecAdd calls.
    pub ec_add: u64,
    /// Everything else: transcript hashing, field arithmetic, checks, memory, call overhead.
    pub rest: u64,
}

/// The gas report of `zkcredit gas`.
#[derive(Clone, Debug, Serialize)]
pub struct GasReport {
    /// The EVM fork measured.
    pub fork: String,
    /// Transaction gas of `verifyProof` (what the caller pays).
    pub verify_gas_tx: u64,
    /// Execution gas alone (without intrinsic and calldata gas).
    pub verify_gas_exec: u64,
    /// Deployment gas of the verifier.
    pub deploy_gas: u64,
    /// Runtime bytecode size of the verifier.
    pub runtime_bytes: usize,
    /// Calldata size of `verifyProof`.
    pub calldata_bytes: usize,
    /// Proof size.
    pub proof_bytes: usize,
    /// The breakdown of `verify_gas_tx`.
    pub breakdown: Breakdown,
    /// snark-verifier 0.2.7's verifier on the same proof, same chain.
    pub snark_verifier_verify_gas_tx: u64,
    /// snark-verifier's deployment gas.
    pub snark_verifier_deploy_gas: u64,
    /// snark-verifier's runtime bytecode size.
    pub snark_verifier_runtime_bytes: usize,
}

/// Measure zkcredit's generated verifier (and snark-verifier's) on one proof. Also returns the
/// generated source and its compiled bytecode, so callers need not compile it again.
pub fn measure(
    params: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
    options: &Options,
    proof: &[u8],
    instances: &[Fr],
) -> Result<(GasReport, Generated, solc::Compiled)> {
    let (generated, ours) = compile_verifier(params, vk, options, instances.len())?;
    let theirs = solc::compile(&baseline::solidity(params, vk), "Halo2Verifier", false)?;
    let mut chain = Evm::new();
    let mut deploy_gas = 0;
    let address = if let Some(vk_source) = &generated.verifying_key {
        let key = solc::compile(vk_source, &generated.vk_contract_name, true)?;
        let (key_addr, key_gas) = chain.deploy(&generated.vk_contract_name, &key.creation)?;
        let mut init = ours.creation.clone();
        init.extend([0u8; 12]);
        init.extend(key_addr.as_slice());
        let (addr, gas) = chain.deploy(&options.contract_name, &init)?;
        deploy_gas += key_gas + gas;
        addr
    } else {
        let (addr, gas) = chain.deploy(&options.contract_name, &ours.creation)?;
        deploy_gas += gas;
        addr
    };
    let calldata = abi::calldata(proof, instances);
    let call = chain.call(address, &calldata)?;
    if !call.returned_true() {
        return Err(Error::Rejected { verifier: options.contract_name.clone(), output: format!("0x{}", hex::encode(&call.output)) });
    }
    let (base_addr, base_deploy) = chain.deploy("Halo2Verifier", &theirs.creation)?;
    // snark-verifier reads the halo2 proof alone (no inversion hint).
    let (halo2_proof, _) = hint::split(proof)?;
    let base = chain.call(base_addr, &baseline::calldata(instances, halo2_proof))?;
    if !base.success {
        return Err(Error::Rejected { verifier: "snark-verifier".into(), output: format!("0x{}", hex::encode(&base.output)) });
    }
    let ec_mul = EC_MUL_GAS * generated.ec_muls as u64;
    let ec_add = EC_ADD_GAS * generated.ec_adds as u64;
    let breakdown = Breakdown {
        intrinsic: TX_BASE_GAS,
        calldata: calldata_gas(&calldata),
        pairing: PAIRING_GAS,
        ec_mul_count: generated.ec_muls,
        ec_mul,
        ec_add_count: generated.ec_adds,
        ec_add,
        rest: call.exec_gas.saturating_sub(PAIRING_GAS + ec_mul + ec_add),
    };
    let report = GasReport {
        fork: "osaka".into(),
        verify_gas_tx: call.gas_used,
        verify_gas_exec: call.exec_gas,
        deploy_gas,
        runtime_bytes: ours.runtime.len(),
        calldata_bytes: calldata.len(),
        proof_bytes: proof.len(),
        breakdown,
        snark_verifier_verify_gas_tx: base.gas_used,
        snark_verifier_deploy_gas: base_deploy,
        snark_verifier_runtime_bytes: theirs.runtime.len(),
    };
    Ok((report, generated, ours))
}

impl GasReport {
    /// A human-readable table.
    pub fn table(&self) -> String {
        let b = &self.breakdown;
        let rows = [
            ("verify gas (transaction)", self.verify_gas_tx.to_string(), self.snark_verifier_verify_gas_tx.to_string()),
            ("verify gas (execution)", self.verify_gas_exec.to_string(), "-".into()),
            ("deploy gas", self.deploy_gas.to_string(), self.snark_verifier_deploy_gas.to_string()),
            ("runtime bytecode (bytes)", self.runtime_bytes.to_string(), self.snark_verifier_runtime_bytes.to_string()),
            ("calldata (bytes)", self.calldata_bytes.to_string(), "-".into()),
        ];
        let mut out = format!("{:<28} {:>12} {:>16}\n", format!("[{}]", self.fork), "zkcredit", "snark-verifier");
        for (name, ours, theirs) in rows {
            out += &format!("{name:<28} {ours:>12} {theirs:>16}\n");
        }
        out += &format!(
            "breakdown: intrinsic {} + calldata {} + pairing {} + {} ecMul {} + {} ecAdd {} + rest {}\n",
            b.intrinsic, b.calldata, b.pairing, b.ec_mul_count, b.ec_mul, b.ec_add_count, b.ec_add, b.rest
        );
        out
    }
}
