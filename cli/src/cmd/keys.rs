//! Keys of the bundled German Credit model with the bundled demo SRS (deterministic).

use eyre::Result;
use zkcredit_prover::model::{compile, CompiledModel};
use zkcredit_prover::prove::{setup, NoProgress, SetupOutput};
use zkcredit_prover::quantize::QuantConfig;
use zkcredit_prover::srs::SrsSource;

use crate::bundled;

/// The bundled model (threshold 0.5) and its keys; inputs are extracted to a temporary directory.
pub fn bundled_model_and_keys() -> Result<(CompiledModel, SetupOutput, std::path::PathBuf)> {
    let tmp = std::env::temp_dir().join(format!("zkcredit-bundled-{}", std::process::id()));
    let inputs = bundled::extract(&tmp)?;
    let gc = inputs.join("german-credit");
    let model =
        compile(&gc.join("mlp.onnx"), &gc.join("dataset.csv"), Some(&gc.join("encoding.json")), None, &QuantConfig::default(), 0.5)?;
    let keys = setup(&model, &SrsSource::from_file(&inputs.join("srs/zkcredit-demo-k12.ptau"))?, &NoProgress)?;
    Ok((model, keys, inputs))
}

/// Just the keys.
pub fn bundled_keys() -> Result<SetupOutput> {
    let (_, keys, inputs) = bundled_model_and_keys()?;
    let _ = std::fs::remove_dir_all(&inputs);
    Ok(keys)
}
