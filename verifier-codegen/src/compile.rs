//! A verifying key to a deployable verifier: generated, then compiled with the pinned solc.

use halo2_proofs::halo2curves::bn256::{Bn256, G1Affine};
use halo2_proofs::plonk::VerifyingKey;
use halo2_proofs::poly::kzg::commitment::ParamsKZG;
use zkcredit_evm::Compiled;

use crate::codegen::{generate, Generated, Options};
use crate::error::Result;
use crate::Protocol;

/// Generate the verifier for `vk` (with `num_instances` public inputs) and compile it (optimizer
/// on, never via-IR). Returns the source and its bytecode.
pub fn compile_verifier(
    params: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
    options: &Options,
    num_instances: usize,
) -> Result<(Generated, Compiled)> {
    let protocol = Protocol::from_vk(params, vk, num_instances)?;
    let generated = generate(&protocol, options)?;
    let compiled = zkcredit_evm::compile(&generated.verifier, &options.contract_name, true)?;
    Ok((generated, compiled))
}
