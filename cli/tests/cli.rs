//! End-to-end CLI tests: the happy path and every bad-input case gives a clear error naming the
//! file and the reason, a non-zero exit, and no panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zkcredit"));
    c.env("CI", "true");
    c
}

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("spawn zkcredit")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Fails (non-zero), says `needle`, and did not panic.
fn fails_with(o: &Output, needle: &str) {
    let e = stderr(o);
    assert!(!o.status.success(), "expected failure, got success: {e}");
    assert!(e.contains(needle), "stderr lacks `{needle}`: {e}");
    assert!(!e.contains("panicked"), "panicked: {e}");
}

/// A compiled model, keys and a valid proof, made once through the CLI.
fn workdir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("zkcredit-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let gc = examples().join("german-credit");
        let d = |p: &str| dir.join(p).to_string_lossy().into_owned();
        let g = |p: &str| gc.join(p).to_string_lossy().into_owned();
        let o = run(&[
            "compile",
            "--model",
            &g("mlp.onnx"),
            "--data",
            &g("dataset.csv"),
            "--encoding",
            &g("encoding.json"),
            "--out",
            &d("model.json"),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("1000/1000"));
        let ptau = examples().join("srs/zkcredit-demo-k12.ptau");
        let o = run(&["setup", "--model", &d("model.json"), "--srs", ptau.to_str().unwrap(), "--out", &d("keys")]);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = run(&[
            "prove",
            "--model",
            &d("model.json"),
            "--keys",
            &d("keys"),
            "--input",
            &g("samples/applicant6.json"),
            "--borrower",
            "0x00000000000000000000000000000000000000b0",
            "--nonce",
            "7",
            "--out",
            &d("proof.json"),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        dir
    })
}

fn p(name: &str) -> String {
    workdir().join(name).to_string_lossy().into_owned()
}

fn write(name: &str, content: &[u8]) -> String {
    let path = workdir().join(name);
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

const BORROWER: &str = "0x00000000000000000000000000000000000000b0";

/// `zkcredit prove` with a model, a key directory, an applicant and extra arguments.
fn prove_cmd(model: &str, keys: &str, input: &str, extra: &[&str]) -> Output {
    let out = if extra.contains(&"--out") { vec![] } else { vec!["--out".to_string(), p("never.json")] };
    let mut args = vec!["prove", "--model", model, "--keys", keys];
    if !input.is_empty() {
        args.extend(["--input", input]);
    }
    args.extend(out.iter().map(String::as_str));
    args.extend_from_slice(extra);
    run(&args)
}

fn prove_with(input: &str) -> Output {
    prove_cmd(&p("model.json"), &p("keys"), input, &["--borrower", BORROWER])
}

fn sample(n: u32) -> String {
    examples().join(format!("german-credit/samples/applicant{n}.json")).to_string_lossy().into_owned()
}

#[test]
fn commit_then_prove_with_the_same_salt_binds_the_attested_commitment() {
    let o = run(&["commit", "--model", &p("model.json"), "--input", &sample(5), "--out", &p("commitment.json")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let c: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p("commitment.json")).unwrap()).unwrap();
    let salt = c["salt"].as_str().unwrap();
    let out = p("salted-proof.json");
    let o = prove_cmd(&p("model.json"), &p("keys"), &sample(5), &["--borrower", BORROWER, "--salt", salt, "--out", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let proof: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(proof["instances"][0], c["feature_commitment"]);
    assert_eq!(proof["public"]["feature_commitment"], c["feature_commitment"]);
    assert_eq!(c["format"], "zkcredit-commitment/1");
    // --commitment takes the salt from the file, after checking it commits to this input.
    let out = p("committed-proof.json");
    let o = prove_cmd(
        &p("model.json"),
        &p("keys"),
        &sample(5),
        &["--borrower", BORROWER, "--commitment", &p("commitment.json"), "--out", &out],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let proof: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(proof["instances"][0], c["feature_commitment"]);
    let o = prove_cmd(&p("model.json"), &p("keys"), &sample(6), &["--borrower", BORROWER, "--commitment", &p("commitment.json")]);
    fails_with(&o, "commits to other applicant data than the input given");
    fails_with(
        &run(&[
            "attest",
            "--commitment",
            &write("not-a-commitment.json", b"{}"),
            "--borrower",
            BORROWER,
            "--gate",
            BORROWER,
            "--chain-id",
            "1",
        ]),
        "not-a-commitment.json: not a commitment file",
    );
}

#[test]
fn help_lists_every_subcommand() {
    let o = run(&["--help"]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    for c in ["compile", "commit", "setup", "prove", "verify", "bench", "verifier", "gas", "deploy", "attest", "submit", "demo"] {
        assert!(out.contains(c), "--help lacks {c}");
    }
}

#[test]
fn valid_proof_verifies_and_tampering_fails() {
    let o = run(&["verify", "--proof", &p("proof.json"), "--vk", &p("keys/vk.bin")]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Flip one hex digit of the proof bytes.
    let text = std::fs::read_to_string(p("proof.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let proof = v["proof"].as_str().unwrap().to_string();
    let mut bytes = proof.into_bytes();
    bytes[100] = if bytes[100] == b'0' { b'1' } else { b'0' };
    v["proof"] = String::from_utf8(bytes).unwrap().into();
    let bad = write("tampered.json", v.to_string().as_bytes());
    fails_with(&run(&["verify", "--proof", &bad, "--vk", &p("keys/vk.bin")]), "proof rejected");
    // Another borrower's address in the public inputs.
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["instances"][2] = "0x00000000000000000000000000000000000000000000000000000000000000b1".into();
    let bad = write("replayed.json", v.to_string().as_bytes());
    fails_with(&run(&["verify", "--proof", &bad, "--vk", &p("keys/vk.bin")]), "proof rejected");
    // An instance >= r.
    v["instances"][2] = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000002".into();
    let bad = write("alias.json", v.to_string().as_bytes());
    fails_with(&run(&["verify", "--proof", &bad, "--vk", &p("keys/vk.bin")]), "modulus");
}

#[test]
fn bad_applicant_inputs_are_rejected_before_proving() {
    fails_with(&prove_with(&write("short.json", br#"{"features": [1, 2, 3]}"#)), "short.json: 3 features given, the model takes 57");
    fails_with(&prove_with(&write("nan-literal.json", b"{\"features\": [NaN]}")), "NaN and Infinity are not numbers zkcredit accepts");
    let mut feats = vec!["0"; 57];
    feats[0] = "1e9";
    let s = format!(r#"{{"features": [{}]}}"#, feats.join(","));
    fails_with(&prove_with(&write("range.json", s.as_bytes())), "outside the calibrated range");
    fails_with(&prove_with(&write("nan.json", br#"{"features": ["NaN"]}"#)), "nan.json");
    let text = std::fs::read_to_string(sample(6)).unwrap();
    let cat = text.replace("\"purpose\": \"", "\"purpose\": \"spaceship ");
    fails_with(&prove_with(&write("category.json", cat.as_bytes())), "unknown category");
    fails_with(&prove_with(&write("broken.json", b"{\"fields\": ")), "broken.json");
    // A failing applicant gets a clear refusal, not a proof.
    let o = prove_with(&sample(1));
    fails_with(&o, "does not pass");
    let o = prove_cmd(&p("model.json"), &p("keys"), &sample(6), &["--borrower", "0x12"]);
    fails_with(&o, "40 hex digits");
}

#[test]
fn corrupt_keys_and_proofs_name_the_file() {
    let vk = std::fs::read(p("keys/vk.bin")).unwrap();
    let cut = write("cut-vk.bin", &vk[..vk.len() - 10]);
    fails_with(&run(&["verify", "--proof", &p("proof.json"), "--vk", &cut, "--params", &p("keys/params.bin")]), "cut-vk.bin");
    let junk = write("junk-vk.bin", b"definitely not a key");
    fails_with(&run(&["verify", "--proof", &p("proof.json"), "--vk", &junk, "--params", &p("keys/params.bin")]), "bad magic");
    let pk = std::fs::read(p("keys/pk.bin")).unwrap();
    std::fs::create_dir_all(workdir().join("badkeys")).unwrap();
    let mut flipped = pk.clone();
    let n = flipped.len() / 2;
    flipped[n] ^= 0xff;
    std::fs::write(workdir().join("badkeys/pk.bin"), flipped).unwrap();
    std::fs::copy(p("keys/params.bin"), workdir().join("badkeys/params.bin")).unwrap();
    let o = prove_cmd(&p("model.json"), &p("badkeys"), &sample(6), &["--borrower", BORROWER]);
    fails_with(&o, "checksum");
    let bad = write("notjson.json", b"[1, 2");
    fails_with(&run(&["verify", "--proof", &bad, "--vk", &p("keys/vk.bin")]), "notjson.json");
    fails_with(&run(&["verify", "--proof", &p("proof.json"), "--vk", &p("keys/pk.bin")]), "expected a verifying-key");
}

#[test]
fn mismatched_model_and_keys_are_refused() {
    let gc = examples().join("german-credit");
    let (model, data) = (gc.join("logreg.onnx"), gc.join("dataset.csv"));
    let compile =
        |extra: &[&str]| run(&[&["compile", "--model", model.to_str().unwrap(), "--data", data.to_str().unwrap()], extra].concat());
    // Without names, a CSV with more columns than inputs (label, split, scores) is refused.
    fails_with(&compile(&["--out", &p("logreg.json")]), "61 columns for a model of 57 inputs");
    // Named inputs: matched by name, the other columns ignored; a wrong name is reported.
    let encoding: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(gc.join("encoding.json")).unwrap()).unwrap();
    let mut names: Vec<String> = encoding["inputs"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    let names_file = write("names.txt", names.join("\n").as_bytes());
    let o = compile(&["--inputs", &format!("@{names_file}"), "--out", &p("logreg.json")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("rows, k = "), "compile reports the circuit size");
    names[3] = "no_such_column".into();
    let bad_names = write("bad-names.txt", names.join("\n").as_bytes());
    fails_with(&compile(&["--inputs", &format!("@{bad_names}"), "--out", &p("x.json")]), "have no column, e.g. `no_such_column`");
    let o = prove_cmd(&p("logreg.json"), &p("keys"), &sample(6), &["--borrower", BORROWER]);
    // Raw fields need an encoding: the logreg model was compiled without one.
    fails_with(&o, "without --encoding");
    let csv = std::fs::read_to_string(gc.join("dataset.csv")).unwrap();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').take(57).collect();
    let feats = format!(r#"{{"features": [{}]}}"#, row.join(","));
    let o =
        prove_cmd(&p("logreg.json"), &p("keys"), &write("row1.json", feats.as_bytes()), &["--borrower", BORROWER, "--threshold", "0.01"]);
    fails_with(&o, "mismatched artifacts");
}

/// A model whose decisions differ from the float model's is refused; accepted with the flag, the
/// count is in model.json and in every proof made with it.
#[test]
fn accepted_disagreements_are_recorded_in_the_model_and_every_proof() {
    let (models, gc) = (examples().join("models"), examples().join("german-credit"));
    let (onnx, data, enc) = (models.join("keras-mlp.onnx"), models.join("standardized.csv"), gc.join("encoding.json"));
    let compile = |extra: &[&str]| {
        let base = ["compile", "--model", onnx.to_str().unwrap(), "--data", data.to_str().unwrap(), "--encoding", enc.to_str().unwrap()];
        run(&[&base[..], &["--input-bits", "2", "--out", &p("coarse.json")], extra].concat())
    };
    fails_with(&compile(&[]), "differs from the float model's on 5 of 1000 calibration rows");
    assert!(!workdir().join("coarse.json").exists(), "a refused model is not written");
    let o = compile(&["--accept-disagreements"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let model: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p("coarse.json")).unwrap()).unwrap();
    assert_eq!(model["fidelity"]["decisions_agree"], 995);
    assert_eq!(model["fidelity"]["disagreements"].as_array().unwrap().len(), 5);
    let ptau = examples().join("srs/zkcredit-demo-k12.ptau");
    let o = run(&["setup", "--model", &p("coarse.json"), "--srs", ptau.to_str().unwrap(), "--out", &p("coarse-keys")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(&data).unwrap();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').take(57).collect();
    let input = write("standardized-row1.json", format!(r#"{{"features": [{}]}}"#, row.join(",")).as_bytes());
    let out = p("coarse-proof.json");
    let o = prove_cmd(&p("coarse.json"), &p("coarse-keys"), &input, &["--borrower", BORROWER, "--threshold", "0.01", "--out", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("differs from the float model's on 5 of 1000"));
    let proof: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(proof["model_fidelity"]["decisions_differ"], 5);
    assert_eq!(proof["model_fidelity"]["calibration_rows"], 1000);
    // The bundled model's proofs say 0.
    let proof: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p("proof.json")).unwrap()).unwrap();
    assert_eq!(proof["model_fidelity"]["decisions_differ"], 0);
}

#[test]
fn bench_reads_the_lenders_data_by_name_before_the_slow_steps() {
    let data = write("bench-data.csv", b"id,x\n1,2\n");
    let o = run(&["bench", "--model", &p("model.json"), "--data", &data, "--json", &p("b.json")]);
    fails_with(&o, "have no column");
    fails_with(&run(&["bench", "--runs", "0"]), "--runs");
}

#[test]
fn unsupported_onnx_fails_naming_op_and_node() {
    let fx = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../prover/tests/fixtures/tanh.onnx");
    let data = write("tiny.csv", b"a,b,c\n1,2,3\n4,5,6\n");
    let o = run(&["compile", "--model", fx.to_str().unwrap(), "--data", &data, "--out", &p("x.json")]);
    fails_with(&o, "unsupported ONNX op `Tanh` at node `squash`");
    let o = run(&["setup", "--model", &p("model.json"), "--out", &p("nokeys")]);
    fails_with(&o, "no SRS");
}

#[test]
fn attest_signs_with_a_key_file_and_submit_refuses_mismatches_before_sending() {
    let key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    let key_file = write("attester.key", format!("{key}\n").as_bytes());
    let o = run(&["commit", "--model", &p("model.json"), "--input", &sample(5), "--out", &p("commitment-5.json")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let gate = "0x00000000000000000000000000000000000000a1";
    let attest = |extra: &[&str]| {
        let mut args = vec!["attest", "--commitment", &p("commitment-5.json")].into_iter().map(String::from).collect::<Vec<_>>();
        args.extend(extra.iter().map(|s| s.to_string()));
        bin().env_remove("ZKCREDIT_ATTESTER_KEY").args(&args).output().unwrap()
    };
    let base = ["--borrower", BORROWER, "--gate", gate, "--chain-id", "31337"];
    // No key: the default environment variable is named, nothing else.
    fails_with(&attest(&[&base[..], &["--out", &p("att.json")]].concat()), "environment variable ZKCREDIT_ATTESTER_KEY: not set");
    // A bad address names its flag.
    fails_with(&attest(&["--borrower", "0x12", "--gate", gate, "--chain-id", "1", "--key-file", &key_file]), "--borrower");
    // A key file that is not a key: the file is named, the content is not echoed.
    let bad_key = write("bad.key", b"0xnot-a-key-but-a-secret-looking-string");
    let o = attest(&[&base[..], &["--key-file", &bad_key]].concat());
    fails_with(&o, "bad.key");
    assert!(!stderr(&o).contains("secret-looking"));
    // Signed: the file loads, and the key appears nowhere in the output.
    let o = attest(&[&base[..], &["--key-file", &key_file, "--out", &p("att.json")]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(!all.contains(&key[2..]) && all.contains("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"), "{all}");

    // submit: proof.json commits to applicant 6 with a random salt; the attestation is for
    // applicant 5: refused before any RPC (the URL is unreachable on purpose).
    let proof_json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p("proof.json")).unwrap()).unwrap();
    let proof_digest = proof_json["model_digest"].as_str().unwrap();
    let deployment = serde_json::json!({
        "kind": "zkcredit-deployment", "zkcredit_version": "0.1.0", "chain_id": 31337,
        "owner": "0x0000000000000000000000000000000000000001",
        "verifier": {"address": "0x00000000000000000000000000000000000000a0", "tx_hash": format!("0x{}", "00".repeat(32)), "gas_used": 1, "runtime_bytes": 1},
        "gate": {"address": gate, "tx_hash": format!("0x{}", "00".repeat(32)), "gas_used": 1, "runtime_bytes": 1},
        "model_version": 1, "model_id": "0x1", "threshold": "0x0", "model_digest": proof_digest, "attesters": [], "configure_gas": 0
    });
    let dep = write("deployment.json", deployment.to_string().as_bytes());
    let submit = |deployment: &str| {
        run(&[
            "submit",
            "--rpc-url",
            "http://127.0.0.1:9",
            "--key-file",
            &key_file,
            "--deployment",
            deployment,
            "--proof",
            &p("proof.json"),
            "--attestation",
            &p("att.json"),
        ])
    };
    fails_with(&submit(&dep), "attestation does not match: it signs feature commitment");
    let other_model = write("other-model-deployment.json", deployment.to_string().replace(proof_digest, "0x1234").as_bytes());
    fails_with(&submit(&other_model), "registered model 0x1234");
    fails_with(&submit(&write("broken-deployment.json", b"{\"kind\": 1")), "broken-deployment.json");
    let tampered = std::fs::read_to_string(p("att.json")).unwrap().replace("\"expiry\": ", "\"expiry\": 1");
    let tampered = write("tampered-att.json", tampered.as_bytes());
    let o = run(&["submit", "--rpc-url", "http://127.0.0.1:9", "--key-file", &key_file, "--deployment", &dep, "--attestation", &tampered]);
    fails_with(&o, "tampered-att.json");
}

/// `verifier`, `gas` and `deploy` never fall back to the bundled model silently: it takes `--demo`.
#[test]
fn the_bundled_model_takes_an_explicit_demo_flag() {
    fails_with(&run(&["verifier", "--out", &p("v.sol")]), "--vk");
    fails_with(&run(&["gas"]), "--proof");
    fails_with(&run(&["deploy", "--rpc-url", "http://127.0.0.1:1", "--attester", BORROWER]), "--model");
    fails_with(&run(&["verifier", "--demo", "--vk", &p("keys/vk.bin")]), "cannot be used with");
    // The bundled keys come from the demo SRS: the generated verifier and every key say so.
    let o = run(&["verifier", "--vk", &p("keys/vk.bin"), "--out", &p("demo-verifier.sol")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("demo SRS"));
    assert!(std::fs::read_to_string(p("demo-verifier.sol")).unwrap().contains("DEMO: one local contribution"));
    let proof: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p("proof.json")).unwrap()).unwrap();
    assert_eq!(proof["srs"]["demo"], true);
}

/// solc is found through ZKCREDIT_SOLC, then PATH, then the repository's pinned shim, so an
/// installed binary works: a solc on PATH is used (here a broken one, named in the error).
#[test]
fn solc_is_taken_from_the_variable_then_path() {
    use std::os::unix::fs::PermissionsExt;
    let dir = workdir().join("fake-bin");
    std::fs::create_dir_all(&dir).unwrap();
    let fake = dir.join("solc");
    std::fs::write(&fake, "#!/bin/sh\necho 'this solc is broken' >&2\nexit 3\n").unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default());
    let o = bin().env_remove("ZKCREDIT_SOLC").env("PATH", &path).args(["gas", "--demo"]).output().unwrap();
    fails_with(&o, &format!("{} (from PATH)", fake.display()));
    let o = bin().env("ZKCREDIT_SOLC", workdir().join("no-such-solc")).args(["gas", "--demo"]).output().unwrap();
    fails_with(&o, "ZKCREDIT_SOLC names no file");
}

/// The same commands, files and public inputs for a tree ensemble (the German Credit LightGBM):
/// compile, setup, prove, verify, verifier, gas and bench.
#[test]
fn every_command_works_on_a_tree_ensemble() {
    let dir = workdir().join("trees");
    std::fs::create_dir_all(&dir).unwrap();
    let d = |f: &str| dir.join(f).to_string_lossy().into_owned();
    let gc = examples().join("german-credit");
    let g = |f: &str| gc.join(f).to_string_lossy().into_owned();
    let o = run(&[
        "compile",
        "--model",
        &g("trees/lightgbm.onnx"),
        "--data",
        &g("dataset.csv"),
        "--encoding",
        &g("encoding.json"),
        "--out",
        &d("model.json"),
    ]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success() && out.contains("100 trees") && out.contains("1000/1000"), "{out}{}", stderr(&o));
    let ptau = examples().join("srs/zkcredit-demo-k12.ptau");
    let o = run(&["setup", "--model", &d("model.json"), "--srs", ptau.to_str().unwrap(), "--out", &d("keys")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = prove_cmd(&d("model.json"), &d("keys"), &sample(3), &["--borrower", BORROWER, "--out", &d("proof.json")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["verify", "--proof", &d("proof.json"), "--vk", &d("keys/vk.bin")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["verifier", "--vk", &d("keys/vk.bin"), "--out", &d("TreeVerifier.sol")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read_to_string(d("TreeVerifier.sol")).unwrap().contains("function verifyProof"));
    let o = run(&["gas", "--proof", &d("proof.json"), "--vk", &d("keys/vk.bin"), "--json", &d("gas.json")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let gas: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d("gas.json")).unwrap()).unwrap();
    assert!(gas["verify_gas_tx"].as_u64().is_some_and(|g| g > 200_000), "{gas}");
    let o = run(&["bench", "--model", &d("model.json"), "--runs", "1", "--json", &d("bench.json")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bench: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d("bench.json")).unwrap()).unwrap();
    assert_eq!(bench["k"], 12, "{bench}");
}

/// `setup --batch` and `prove --batch`: a JSON-lines batch with a failing applicant (reported by
/// line, left out), proved in one proof that `verify` accepts; a malformed line names the file and
/// line; single keys are refused for a batch, and batch keys for a single proof.
#[test]
fn batch_setup_prove_and_verify() {
    let dir = workdir().join("batch");
    std::fs::create_dir_all(&dir).unwrap();
    let d = |f: &str| dir.join(f).to_string_lossy().into_owned();
    let ptau = examples().join("srs/zkcredit-demo-k12.ptau");
    let o = run(&["setup", "--model", &p("model.json"), "--srs", ptau.to_str().unwrap(), "--batch", "2", "--out", &d("keys")]);
    assert!(o.status.success() && String::from_utf8_lossy(&o.stdout).contains("batch of 2"), "{}", stderr(&o));
    let line = |n: u32, borrower: &str| {
        let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(sample(n)).unwrap()).unwrap();
        v["borrower"] = borrower.into();
        v["nonce"] = 3.into();
        v.to_string()
    };
    // Sample 1 fails the threshold; samples 5 and 6 pass.
    let batch = write(
        "batch/batch.jsonl",
        format!("{}\n\n{}\n{}\n", line(1, BORROWER), line(5, BORROWER), line(6, "0x00000000000000000000000000000000000000b6")).as_bytes(),
    );
    let o = prove_cmd(&p("model.json"), &d("keys"), "", &["--batch", &batch, "--out", &d("proof.json")]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        out.contains("left out: ") && out.contains("batch.jsonl:1: the applicant does not pass") && out.contains("proved 2 applicants"),
        "{out}"
    );
    let o = run(&["verify", "--proof", &d("proof.json"), "--vk", &d("keys/vk.bin")]);
    assert!(o.status.success() && String::from_utf8_lossy(&o.stdout).contains("2 borrowers pass"), "{}", stderr(&o));
    // A malformed line.
    let bad = write("batch/bad.jsonl", format!("{}\n{{\"features\": [1, 2]\n", line(5, BORROWER)).as_bytes());
    fails_with(&prove_cmd(&p("model.json"), &d("keys"), "", &["--batch", &bad]), "bad.jsonl:2");
    // Keys of the wrong kind.
    fails_with(&prove_cmd(&p("model.json"), &p("keys"), "", &["--batch", &batch]), "setup --batch");
    fails_with(&run(&["verify", "--proof", &p("proof.json"), "--vk", &d("keys/vk.bin")]), "batches of 2");
}

/// `gas --batch 2`: both paths measured on one gate, the JSON keys a CI job reads.
#[test]
fn gas_reports_the_batch_path_beside_the_single_one() {
    let json = p("gas-batch.json");
    let o = run(&["gas", "--batch", "2", "--json", &json]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    for key in ["batch_size", "batch_verify_gas_tx", "batch_submit_gas_tx", "per_borrower_gas", "single_submit_gas_tx", "fork"] {
        assert!(!r[key].is_null(), "no `{key}` in {r}");
    }
    assert_eq!(r["batch_size"], 2);
    let (per, single) = (r["per_borrower_gas"].as_u64().unwrap(), r["single_submit_gas_tx"].as_u64().unwrap());
    assert!(per < single, "a batch of 2 costs {per} per borrower, a single submit {single}");
    fails_with(&run(&["gas", "--batch", "64"]), "--insecure-dev-srs");
    // A budget: a baseline 10 % cheaper per borrower fails naming the figure.
    let mut tight = r.clone();
    tight["per_borrower_gas"] = (per * 9 / 10).into();
    let baseline = write("gas-baseline.json", tight.to_string().as_bytes());
    let o = run(&["gas", "--batch", "2", "--check", &baseline, "--tolerance", "1"]);
    fails_with(&o, "/per_borrower_gas");
}
