//! snark-verifier 0.2.7's generated EVM verifier for the same verifying key: the differential
//! reference and the gas figure zkcredit's own verifier is measured against.
//!
//! Its calldata is the public inputs (32-byte words) followed by the proof bytes. It must be
//! compiled without the optimizer and never with via-IR.

use std::rc::Rc;

use halo2_proofs::halo2curves::bn256::{Bn256, Fq, Fr, G1Affine};
use halo2_proofs::plonk::VerifyingKey;
use halo2_proofs::poly::commitment::ParamsProver;
use halo2_proofs::poly::kzg::commitment::ParamsKZG;
use snark_verifier::loader::evm::{encode_calldata, EvmLoader};
use snark_verifier::pcs::kzg::{Bdfg21, KzgAs, KzgDecidingKey};
use snark_verifier::system::halo2::transcript::evm::EvmTranscript;
use snark_verifier::system::halo2::{compile, Config};
use snark_verifier::verifier::plonk::PlonkVerifier;
use snark_verifier::verifier::SnarkVerifier;
use zkcredit_protocol::public::INSTANCE_COUNT;

type Verifier = PlonkVerifier<KzgAs<Bn256, Bdfg21>>;

/// The Solidity source of snark-verifier's verifier for `vk`.
pub fn solidity(params: &ParamsKZG<Bn256>, vk: &VerifyingKey<G1Affine>) -> String {
    let protocol = compile(params, vk, Config::kzg().with_num_instance(vec![INSTANCE_COUNT]));
    let dk: KzgDecidingKey<Bn256> = KzgDecidingKey::new(params.get_g()[0], params.g2(), params.s_g2());
    let loader = EvmLoader::new::<Fq, Fr>();
    let protocol = protocol.loaded(&loader);
    let mut transcript = EvmTranscript::<_, Rc<EvmLoader>, _, _>::new(&loader);
    let instances = transcript.load_instances(vec![INSTANCE_COUNT]);
    // Reading and verifying symbolically emits the verifier code; it cannot fail for a well-formed key.
    if let Ok(proof) = Verifier::read_proof(&dk, &protocol, &instances, &mut transcript) {
        let _ = Verifier::verify(&dk, &protocol, &instances, &proof);
    }
    // snark-verifier pins `0.8.19` exactly; the only edit: accept the project's pinned 0.8.x.
    loader.solidity_code().replace("pragma solidity 0.8.19;", "pragma solidity ^0.8.19;")
}

/// snark-verifier's calldata: instances then proof.
pub fn calldata(instances: &[Fr], proof: &[u8]) -> Vec<u8> {
    encode_calldata(&[instances.to_vec()], proof)
}
