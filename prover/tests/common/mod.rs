//! Shared fixtures: the bundled German Credit MLP, compiled once per test binary.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use zkcredit_prover::model::{compile, CompiledModel};
use zkcredit_prover::quantize::QuantConfig;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn example(name: &str) -> PathBuf {
    repo().join("examples/german-credit").join(name)
}

pub fn mlp() -> &'static CompiledModel {
    static M: OnceLock<CompiledModel> = OnceLock::new();
    M.get_or_init(|| {
        compile(&example("mlp.onnx"), &example("dataset.csv"), Some(&example("encoding.json")), None, &QuantConfig::default(), 0.5)
            .expect("compile")
    })
}
