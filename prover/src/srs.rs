//! Structured reference strings: import a Perpetual Powers of Tau `.ptau` file (snarkjs format),
//! read halo2 raw KZG params, or — only when explicitly asked — make an insecure local one.

use std::io::Read;
use std::path::{Path, PathBuf};

use halo2_proofs::halo2curves::bn256::{Bn256, Fq, Fq2, G1Affine, G2Affine};
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_proofs::halo2curves::CurveAffine;
use halo2_proofs::poly::commitment::Params;
use halo2_proofs::poly::kzg::commitment::ParamsKZG;
use halo2_proofs::SerdeFormat;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::digest::{hex32, keccak};
use crate::error::{Error, Result};

/// Where an SRS came from; recorded in every artifact made with it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SrsInfo {
    /// `ptau`, `halo2-params` or `INSECURE-DEV-SRS`.
    pub kind: String,
    /// File name, or the dev seed.
    pub source: String,
    /// Keccak-256 of the source file (empty for the dev SRS).
    pub keccak: String,
    /// Largest supported k of the source.
    pub max_k: u32,
    /// True for the local development SRS: its toxic waste is known; never deploy it.
    pub insecure: bool,
    /// True for the bundled demo `.ptau` (one local contribution, not a public ceremony).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
}

/// Keccak-256 of `examples/srs/zkcredit-demo-k12.ptau`: keys made from it are marked `demo`.
pub const DEMO_PTAU_KECCAK: &str = "0xe6137e33f3c23a573705f6f63520b60022f59fe326b2eacec3850b191292bb6a";
/// Keccak-256 of `examples/srs/zkcredit-demo-k14.ptau` (the batch demo SRS, trimmed): also `demo`.
pub const DEMO_BATCH_PTAU_KECCAK: &str = "0x03c5117275ce64df4a13b3a0722c96560f8e7b003320ffa84bd0e719de8eb323";

impl SrsInfo {
    /// One line for a generated verifier's header: the source, its hash and size, and a warning
    /// for the development or demo SRS.
    pub fn describe(&self) -> String {
        let mut text = format!("{} {} (keccak {}, max k {})", self.kind, self.source, self.keccak, self.max_k);
        if self.insecure {
            text += " INSECURE: development only, never deploy";
        } else if self.demo {
            text += " DEMO: one local contribution, not a public ceremony; never deploy";
        }
        text
    }

    /// Why keys from this SRS must not secure anything of value, if they must not: the
    /// development SRS (toxic waste derivable from a public seed) or the demo `.ptau` (one local
    /// contribution). `None` for any other file, which the user vouches for.
    pub fn unfit_for_deployment(&self) -> Option<&'static str> {
        if self.insecure {
            Some("an INSECURE development SRS (its toxic waste follows from a public seed: proofs are forgeable)")
        } else if self.demo {
            Some("the bundled demo SRS (one local contribution, not a public ceremony)")
        } else {
            None
        }
    }
}

/// Where to take the SRS from.
#[derive(Clone, Debug)]
pub enum SrsSource {
    /// A snarkjs / Perpetual Powers of Tau `.ptau` file.
    Ptau(PathBuf),
    /// halo2 `ParamsKZG` raw bytes.
    Halo2Params(PathBuf),
    /// A deterministic local SRS from a seed. Insecure.
    InsecureDev(u64),
}

impl SrsSource {
    /// Pick by file content: `.ptau` files start with the magic `ptau`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let mut magic = [0u8; 4];
        std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic)).map_err(|e| Error::io(path, e))?;
        Ok(if &magic == b"ptau" { SrsSource::Ptau(path.into()) } else { SrsSource::Halo2Params(path.into()) })
    }

    /// Load params for exactly `2^k` rows.
    pub fn load(&self, k: u32) -> Result<(ParamsKZG<Bn256>, SrsInfo)> {
        match self {
            SrsSource::Ptau(p) => read_ptau(p, k),
            SrsSource::Halo2Params(p) => {
                let bytes = std::fs::read(p).map_err(|e| Error::io(p, e))?;
                let mut params = ParamsKZG::<Bn256>::read_custom(&mut bytes.as_slice(), SerdeFormat::RawBytes)
                    .map_err(|e| Error::artifact(p, format!("not halo2 KZG params: {e}")))?;
                let max_k = params.k();
                if max_k < k {
                    return Err(Error::Srs {
                        origin: p.display().to_string(),
                        reason: format!("supports k <= {max_k}, the circuit needs k = {k}"),
                    });
                }
                params.downsize(k);
                Ok((
                    params,
                    SrsInfo {
                        kind: "halo2-params".into(),
                        source: file_name(p),
                        keccak: hex32(&keccak(&bytes)),
                        max_k,
                        insecure: false,
                        demo: false,
                    },
                ))
            }
            SrsSource::InsecureDev(seed) => {
                let rng = rand_chacha::ChaCha20Rng::seed_from_u64(*seed);
                let params = ParamsKZG::<Bn256>::setup(k, rng);
                Ok((
                    params,
                    SrsInfo {
                        kind: "INSECURE-DEV-SRS".into(),
                        source: format!("seed {seed}"),
                        keccak: String::new(),
                        max_k: k,
                        insecure: true,
                        demo: false,
                    },
                ))
            }
        }
    }
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()
}

struct Cursor<'a> {
    path: &'a Path,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end =
            self.pos.checked_add(n).filter(|e| *e <= self.bytes.len()).ok_or_else(|| Error::artifact(self.path, "truncated .ptau file"))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap_or([0; 4])))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap_or([0; 8])))
    }
}

/// A base-field element stored in Montgomery form, little-endian (snarkjs/ffjavascript layout).
fn fq_from_montgomery(path: &Path, b: &[u8]) -> Result<Fq> {
    let mut repr = <Fq as PrimeField>::Repr::default();
    repr.as_mut().copy_from_slice(b);
    let m = Option::<Fq>::from(Fq::from_repr(repr)).ok_or_else(|| Error::artifact(path, "coordinate not below the field modulus"))?;
    // m = a * R mod q with R = 2^256.
    let r_inv = Fq::from(2).pow_vartime([256]).invert().unwrap_or(Fq::ZERO);
    Ok(m * r_inv)
}

fn read_ptau(path: &Path, k: u32) -> Result<(ParamsKZG<Bn256>, SrsInfo)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let mut c = Cursor { path, bytes: &bytes, pos: 0 };
    if c.take(4)? != b"ptau" {
        return Err(Error::artifact(path, "not a .ptau file (bad magic)"));
    }
    let _version = c.u32()?;
    let n_sections = c.u32()?;
    let mut sections: Vec<(u32, usize, usize)> = Vec::new();
    for _ in 0..n_sections {
        let kind = c.u32()?;
        let size = usize::try_from(c.u64()?).map_err(|_| Error::artifact(path, "section too large"))?;
        let start = c.pos;
        c.take(size)?;
        sections.push((kind, start, size));
    }
    let section = |kind: u32| {
        sections
            .iter()
            .find(|s| s.0 == kind)
            .map(|s| &bytes[s.1..s.1 + s.2])
            .ok_or_else(|| Error::artifact(path, format!("missing section {kind}")))
    };
    let mut h = Cursor { path, bytes: section(1)?, pos: 0 };
    let n8 = h.u32()? as usize;
    if n8 != 32 {
        return Err(Error::artifact(path, format!("field size {n8} bytes: not a BN254 (bn128) ptau")));
    }
    let q = h.take(n8)?;
    let mut q_be = q.to_vec();
    q_be.reverse();
    if hex::encode(&q_be) != Fq::MODULUS.trim_start_matches("0x") {
        return Err(Error::artifact(path, "curve is not BN254 (bn128)"));
    }
    let power = h.u32()?;
    if power < k {
        return Err(Error::Srs {
            origin: path.display().to_string(),
            reason: format!("holds 2^{power} powers, the circuit needs k = {k}"),
        });
    }
    let n = 1usize << k;
    let g1 = section(2)?;
    let g2 = section(3)?;
    if g1.len() < n * 64 || g2.len() < 2 * 128 {
        return Err(Error::artifact(path, "tau sections shorter than the header's power says"));
    }
    let point1 = |i: usize| -> Result<G1Affine> {
        let b = &g1[i * 64..(i + 1) * 64];
        let (x, y) = (fq_from_montgomery(path, &b[..32])?, fq_from_montgomery(path, &b[32..])?);
        Option::from(G1Affine::from_xy(x, y)).ok_or_else(|| Error::artifact(path, format!("tauG1[{i}] is not on the curve")))
    };
    let point2 = |i: usize| -> Result<G2Affine> {
        let b = &g2[i * 128..(i + 1) * 128];
        let f = |o: usize| fq_from_montgomery(path, &b[o..o + 32]);
        let x = Fq2 { c0: f(0)?, c1: f(32)? };
        let y = Fq2 { c0: f(64)?, c1: f(96)? };
        Option::from(G2Affine::from_xy(x, y)).ok_or_else(|| Error::artifact(path, format!("tauG2[{i}] is not on the curve")))
    };
    let g: Vec<G1Affine> = (0..n).map(point1).collect::<Result<_>>()?;
    if g[0] != G1Affine::generator() {
        return Err(Error::artifact(path, "tauG1[0] is not the G1 generator"));
    }
    let (g2_0, s_g2) = (point2(0)?, point2(1)?);
    if g2_0 != G2Affine::generator() {
        return Err(Error::artifact(path, "tauG2[0] is not the G2 generator"));
    }
    if g.len() > 1 && g[1] == g[0] {
        return Err(Error::Srs {
            origin: path.display().to_string(),
            reason: "tau = 1: this is an uncontributed `powersoftau new` file".into(),
        });
    }
    let base = ParamsKZG::<Bn256>::setup(1, rand_chacha::ChaCha20Rng::seed_from_u64(0));
    let params = base.from_parts(k, g, None, g2_0, s_g2);
    let keccak = hex32(&keccak(&bytes));
    let demo = keccak == DEMO_PTAU_KECCAK || keccak == DEMO_BATCH_PTAU_KECCAK;
    Ok((params, SrsInfo { kind: "ptau".into(), source: file_name(path), keccak, max_k: power, insecure: false, demo }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled demo files are the ones whose hashes mark keys as `demo`.
    #[test]
    fn bundled_demo_ptau_files_have_the_recorded_hashes() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/srs");
        for (file, recorded) in [("zkcredit-demo-k12.ptau", DEMO_PTAU_KECCAK), ("zkcredit-demo-k14.ptau", DEMO_BATCH_PTAU_KECCAK)] {
            let bytes = std::fs::read(dir.join(file)).unwrap();
            assert_eq!(hex32(&keccak(&bytes)), recorded, "{file}");
        }
    }
}
