//! `model.json` is validated on load: a hand-edited or corrupt file gets an error naming the
//! field, never a panic, and a file that loads builds its circuit and runs its forward pass
//! without panicking. A property test over mutated copies of real compiled models.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use rand::{Rng, SeedableRng};
use serde_json::Value;
use zkcredit_prover::digest::hex32;
use zkcredit_prover::model::{compile, digest_of, CompiledModel};
use zkcredit_prover::prove::circuit_size;
use zkcredit_prover::quantize::{QuantConfig, QuantizedModel};

/// The bundled MLP and the ReLU6 MLP (its `clip` fields), as JSON.
fn models() -> Vec<Value> {
    let relu6 = compile(
        &common::repo().join("examples/models/torch-relu6-mlp.onnx"),
        &common::example("dataset.csv"),
        Some(&common::example("encoding.json")),
        None,
        &QuantConfig::default(),
        0.5,
    )
    .unwrap();
    [common::mlp().clone(), relu6].iter().map(|m| serde_json::to_value(m).unwrap()).collect()
}

/// JSON pointers of every leaf and array under `at`.
fn paths(v: &Value, at: String, leaves: &mut Vec<String>, arrays: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| paths(x, format!("{at}/{k}"), leaves, arrays)),
        Value::Array(a) => {
            arrays.push(at.clone());
            a.iter().enumerate().for_each(|(i, x)| paths(x, format!("{at}/{i}"), leaves, arrays));
        }
        _ => leaves.push(at),
    }
}

/// Change one thing in `quantized`, then re-sign the digest so that validation, not the digest
/// check, must catch it. Returns what was changed.
fn mutate(model: &Value, rng: &mut impl Rng) -> (Value, String) {
    let mut v = model.clone();
    let (mut leaves, mut arrays) = (Vec::new(), Vec::new());
    paths(&v["quantized"], "/quantized".into(), &mut leaves, &mut arrays);
    let what = if rng.gen_bool(0.75) {
        let p = &leaves[rng.gen_range(0..leaves.len())];
        let leaf = v.pointer_mut(p).unwrap();
        let old = leaf.as_f64().unwrap_or(0.0);
        let new: Value = match rng.gen_range(0..8) {
            0 => 0.into(),
            1 => (old as i64 + 1).into(),
            2 => (old as i64 - 1).into(),
            3 => (old as i64).saturating_mul(2).into(),
            4 => i64::MAX.into(),
            5 => (-i64::MAX).into(),
            6 => 1e300.into(),
            _ => (-(old.abs() as i64) - 1).into(),
        };
        let d = format!("{p}: {leaf} -> {new}");
        *leaf = new;
        d
    } else {
        let p = &arrays[rng.gen_range(0..arrays.len())];
        let arr = v.pointer_mut(p).unwrap().as_array_mut().unwrap();
        if arr.is_empty() {
            return (v, format!("{p}: empty, unchanged"));
        }
        let i = rng.gen_range(0..arr.len());
        if rng.gen_bool(0.5) {
            arr.remove(i);
            format!("{p}: element {i} removed")
        } else {
            let x = arr[i].clone();
            arr.insert(i, x);
            format!("{p}: element {i} duplicated")
        }
    };
    if let Ok(q) = serde_json::from_value::<QuantizedModel>(v["quantized"].clone()) {
        v["digest"] = hex32(&digest_of(&q)).into();
    }
    (v, what)
}

fn load(v: &Value, path: &Path) -> Result<zkcredit_prover::Result<CompiledModel>, String> {
    std::fs::write(path, serde_json::to_string_pretty(v).unwrap()).unwrap();
    catch_unwind(AssertUnwindSafe(|| CompiledModel::load(path))).map_err(|_| "load panicked".to_string())
}

#[test]
fn mutated_model_files_are_refused_or_work_and_never_panic() {
    let dir = std::env::temp_dir().join(format!("zkcredit-model-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.json");
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(17);
    let (mut refused, mut loaded) = (0, 0);
    for model in models() {
        assert!(load(&model, &path).unwrap().is_ok(), "the unmutated model loads");
        for _ in 0..300 {
            let (v, what) = mutate(&model, &mut rng);
            match load(&v, &path).unwrap_or_else(|e| panic!("{what}: {e}")) {
                Err(e) => {
                    let msg = e.to_string();
                    assert!(msg.contains("model.json"), "{what}: the error does not name the file: {msg}");
                    refused += 1;
                }
                Ok(m) => {
                    let built = catch_unwind(AssertUnwindSafe(|| {
                        let _ = circuit_size(&m);
                        let mid: Vec<f64> = m.quantized.features.iter().map(|f| (f.min + f.max) / 2.0).collect();
                        let _ = m.quantized.quantize_features(&mid).and_then(|x| m.quantized.forward(&x));
                    }));
                    assert!(built.is_ok(), "{what}: a model that loads panicked in circuit building or forward");
                    loaded += 1;
                }
            }
        }
    }
    println!("{refused} refused, {loaded} loaded (weights changed within their widths)");
    assert!(refused > 300 && loaded > 0, "{refused} refused, {loaded} loaded");
    let _ = std::fs::remove_dir_all(&dir);
}

/// What is changed, how, and what the error must say.
type Case = (&'static str, fn(&mut Value), &'static str);

#[test]
fn inconsistent_widths_and_shapes_name_the_field() {
    let dir = std::env::temp_dir().join(format!("zkcredit-model-fields-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.json");
    let model = serde_json::to_value(common::mlp()).unwrap();
    let cases: [Case; 6] = [
        (
            "out_bits",
            |v| v["quantized"]["layers"][0]["out_bits"] = (v["quantized"]["layers"][0]["out_bits"].as_u64().unwrap() + 2).into(),
            "quantized.layers[0].out_bits is",
        ),
        ("feature bits", |v| v["quantized"]["features"][3]["bits"] = 64.into(), "quantized.features[3].bits is 64"),
        (
            "a weight removed",
            |v| drop(v["quantized"]["layers"][1]["weights"][2].as_array_mut().unwrap().pop()),
            "quantized.layers[1].weights[2]: 15 weights, the layer takes 16 inputs",
        ),
        (
            "a bias removed",
            |v| drop(v["quantized"]["layers"][0]["bias"].as_array_mut().unwrap().pop()),
            "quantized.layers[0].bias: 15 biases for 16 outputs",
        ),
        ("compare bits", |v| v["quantized"]["compare_bits"] = 200.into(), "quantized.compare_bits is 200"),
        ("output scale", |v| v["quantized"]["output_scale"] = 3.into(), "quantized.output_scale is 3"),
    ];
    for (what, edit, needle) in cases {
        let mut v = model.clone();
        edit(&mut v);
        let q: QuantizedModel = serde_json::from_value(v["quantized"].clone()).unwrap();
        v["digest"] = hex32(&digest_of(&q)).into();
        let err = load(&v, &path).unwrap().err().unwrap_or_else(|| panic!("{what}: accepted")).to_string();
        assert!(err.contains(needle), "{what}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
