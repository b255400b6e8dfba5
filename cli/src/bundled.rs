//! The bundled German Credit example (model, data, encoding, sample applicants, demo SRS),
//! embedded so `demo` and `bench` run from any directory without Python or downloads.

use std::path::{Path, PathBuf};

use eyre::{Context, Result};

macro_rules! asset {
    ($p:literal) => {
        ($p, include_bytes!(concat!("../../examples/", $p)).as_slice())
    };
}

/// `(path under examples/, bytes)`.
pub const ASSETS: &[(&str, &[u8])] = &[
    asset!("german-credit/mlp.onnx"),
    asset!("german-credit/logreg.onnx"),
    asset!("german-credit/dataset.csv"),
    asset!("german-credit/encoding.json"),
    asset!("german-credit/samples/applicant1.json"),
    asset!("german-credit/samples/applicant2.json"),
    asset!("german-credit/samples/applicant3.json"),
    asset!("german-credit/samples/applicant4.json"),
    asset!("german-credit/samples/applicant5.json"),
    asset!("german-credit/samples/applicant6.json"),
    asset!("srs/zkcredit-demo-k12.ptau"),
    asset!("srs/zkcredit-demo-k14.ptau"),
];

/// Write the bundled files under `dir`; returns `dir`.
pub fn extract(dir: &Path) -> Result<PathBuf> {
    for (name, bytes) in ASSETS {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(dir.to_path_buf())
}

/// The sample applicant files, in order.
pub fn samples(dir: &Path) -> Vec<PathBuf> {
    ASSETS.iter().filter(|(n, _)| n.contains("/samples/")).map(|(n, _)| dir.join(n)).collect()
}
