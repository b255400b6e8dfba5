//! Verifier gas of circuit *shapes*, before a circuit is written.
//!
//! The generated verifier's gas depends on the circuit's shape, not on what it computes: one ecMul
//! per commitment (advice, fixed, permutation, quotient chunks), ~1k gas per opened evaluation,
//! the quotient degree. This tool builds synthetic halo2 circuits with a chosen shape (gates of
//! the right degree and rotations, an all-zero witness that satisfies them), proves them, and
//! measures zkcredit's verifier for each in revm (Osaka), along with the prover's CPU time.
//!
//! ```text
//! cargo run --release -p zkcredit-verifier-codegen --example gas_model [-- OUT.json [NAME-FILTER]]
//! ```
//!
//! It answered "what must the credit circuit look like to verify for <= 250k gas at k = 11".

mod carry;

use std::time::Instant;

use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_proofs::plonk::{
    create_proof, keygen_pk, keygen_vk_custom, Advice, Circuit, Column, ConstraintSystem, Error, Expression, Fixed, Instance, VirtualCells,
};
use halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_proofs::poly::kzg::multiopen::ProverSHPLONK;
use halo2_proofs::poly::Rotation;
use rand::SeedableRng;
use serde::Serialize;
use snark_verifier::loader::native::NativeLoader;
use snark_verifier::system::halo2::transcript::evm::EvmTranscript;
use zkcredit_prover::hint;
use zkcredit_prover::metrics::cpu_seconds;
use zkcredit_verifier_codegen::codegen::{Options, Provenance};
use zkcredit_verifier_codegen::{gas, Protocol};

/// One circuit shape.
#[derive(Clone, Copy, Debug, Serialize)]
struct Shape {
    name: &'static str,
    k: u32,
    /// Copy constraints on both advice columns (the permutation argument).
    permutation: bool,
    /// Maximum gate degree (3, 4 or 5).
    degree: usize,
    /// Selector columns besides the Poseidon one (each holds opcodes 1..=max_opcode).
    selector_columns: usize,
    /// Rotations of advice column `a` read by the opcode gates, besides the Poseidon round's
    /// `0..=5` (each one more opened evaluation).
    a_rotations: &'static [i32],
    /// Rotations of advice column `b` read by the opcode gates, besides `0..=2`.
    b_rotations: &'static [i32],
    /// Stand-in gates of the right degree and rotations, or an exact gate set.
    gates: Gates,
}

/// Which gates a shape declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
enum Gates {
    /// Stand-ins: one MAC, two booleans, a ReLU and a Poseidon round per selector column, with
    /// the shape's rotations.
    Synthetic,
    /// The carry-round layout's constraints with their interpolated selectors ([`carry`]); the
    /// argument is an optional extra link rotation.
    CarryRounds(Option<i32>),
}

/// The rotations of the shapes measured before the blocked layout was drawn up: the input repeat
/// `a[-77]` and one accumulator `b[-1]`.
const BASE_A: &[i32] = &[-77];
const BASE_B: &[i32] = &[-1];

#[derive(Clone, Debug)]
struct Config {
    a: Column<Advice>,
    b: Column<Advice>,
    w: Column<Fixed>,
    poseidon: Column<Fixed>,
    selectors: Vec<Column<Fixed>>,
}

#[derive(Clone, Default)]
struct Synthetic;

thread_local!(static SHAPE: std::cell::Cell<Option<Shape>> = const { std::cell::Cell::new(None) });

fn shape() -> Shape {
    SHAPE.with(|s| s.get()).unwrap_or(SHAPES[0])
}

fn constant(v: u64) -> Expression<Fr> {
    Expression::Constant(Fr::from(v))
}

/// Nonzero where the fixed column holds `v`, zero where it holds any other value in `0..=max`.
fn opcode(m: &mut VirtualCells<'_, Fr>, col: Column<Fixed>, v: u64, max: u64) -> Expression<Fr> {
    let q = m.query_fixed(col, Rotation::cur());
    (1..=max).filter(|u| *u != v).fold(q.clone(), |e, u| e * (q.clone() - constant(u)))
}

impl Circuit<Fr> for Synthetic {
    type Config = Config;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = ();

    fn without_witnesses(&self) -> Self {
        Synthetic
    }

    fn configure(m: &mut ConstraintSystem<Fr>) -> Config {
        let s = shape();
        let (a, b, w) = (m.advice_column(), m.advice_column(), m.fixed_column());
        let instance: Column<Instance> = m.instance_column();
        let poseidon = m.fixed_column();
        if let Gates::CarryRounds(link) = s.gates {
            let op = m.fixed_column();
            carry::configure(m, a, b, w, op, poseidon, instance, link);
            return Config { a, b, w, poseidon, selectors: vec![op] };
        }
        let selectors: Vec<_> = (0..s.selector_columns).map(|_| m.fixed_column()).collect();
        if s.permutation {
            m.enable_equality(a);
            m.enable_equality(b);
        }
        if s.degree == 3 {
            // Degree 3: every body is at most quadratic under a linear selector, so each S-box
            // keeps two intermediates (t = u^2, v = t u; the output t v enters the MDS sum).
            // Full round over five rows: u at a[0..2], t at b[0..2], v at a[3], b[3], a[4];
            // the next state at a[5..7].
            m.create_gate("poseidon round (degree 3)", |m| {
                let q = m.query_fixed(poseidon, Rotation::cur());
                let u: Vec<_> = (0..3).map(|i| m.query_advice(a, Rotation(i))).collect();
                let t: Vec<_> = (0..3).map(|i| m.query_advice(b, Rotation(i))).collect();
                let v = [m.query_advice(a, Rotation(3)), m.query_advice(b, Rotation(3)), m.query_advice(a, Rotation(4))];
                let next: Vec<_> = (5..8).map(|i| m.query_advice(a, Rotation(i))).collect();
                let rc: Vec<_> = (0..3).map(|i| m.query_fixed(w, Rotation(i))).collect();
                let mut out = Vec::new();
                for i in 0..3 {
                    out.push(q.clone() * (t[i].clone() - u[i].clone() * u[i].clone()));
                    out.push(q.clone() * (v[i].clone() - t[i].clone() * u[i].clone()));
                }
                for j in 0..3 {
                    let sum = (0..3).fold(rc[j].clone(), |acc, i| acc + constant((i + j + 2) as u64) * t[i].clone() * v[i].clone());
                    out.push(q.clone() * (next[j].clone() - sum));
                }
                out
            });
        } else {
            // A Poseidon round over rows 0..2 into rows 3..5, full (2) or partial (1) in one gate:
            // t_i = u_i^2 in full rounds, t_i = 1 for the unboxed words of partial rounds, so the
            // S-box output is t_i^2 u_i throughout (degree 4 with its selector).
            m.create_gate("poseidon round", |m| {
                let q = m.query_fixed(poseidon, Rotation::cur());
                let full = q.clone() - constant(1);
                let u: Vec<_> = (0..3).map(|i| m.query_advice(a, Rotation(i))).collect();
                let t: Vec<_> = (0..3).map(|i| m.query_advice(b, Rotation(i))).collect();
                let next: Vec<_> = (3..6).map(|i| m.query_advice(a, Rotation(i))).collect();
                let rc: Vec<_> = (0..3).map(|i| m.query_fixed(w, Rotation(i))).collect();
                let mut out = vec![q.clone() * (t[0].clone() - u[0].clone() * u[0].clone())];
                for i in 1..3 {
                    out.push(q.clone() * (t[i].clone() - constant(1) - full.clone() * (u[i].clone() * u[i].clone() - constant(1))));
                }
                for j in 0..3 {
                    let sum = (0..3)
                        .fold(rc[j].clone(), |acc, i| acc + constant((i + j + 2) as u64) * t[i].clone() * t[i].clone() * u[i].clone());
                    out.push(q.clone() * (next[j].clone() - sum));
                }
                out
            });
        }
        // Opcodes of degree-2 bodies: as many per column as the degree allows (at degree 3 the
        // selector is the column itself, linear, and every body of the column shares it).
        let max = (s.degree - 2) as u64;
        let sel = move |m: &mut VirtualCells<'_, Fr>, col: Column<Fixed>, v: u64| {
            if max == 1 {
                m.query_fixed(col, Rotation::cur())
            } else {
                opcode(m, col, v, max)
            }
        };
        for (ci, col) in selectors.iter().enumerate() {
            let col = *col;
            m.create_gate("opcodes", |m| {
                let (a0, a1) = (m.query_advice(a, Rotation::cur()), m.query_advice(a, Rotation::next()));
                let a_rep = s.a_rotations.first().map_or(constant(0), |r| m.query_advice(a, Rotation(*r)));
                let b0 = m.query_advice(b, Rotation::cur());
                let b_prev = s.b_rotations.first().map_or(constant(0), |r| m.query_advice(b, Rotation(*r)));
                let w0 = m.query_fixed(w, Rotation::cur());
                // The public inputs enter through the first column's multiply-accumulate.
                let public = if ci == 0 { m.query_instance(instance, Rotation::cur()) } else { constant(0) };
                let bit = |d: Expression<Fr>| d.clone() * (d - constant(1));
                let mut out = vec![
                    sel(m, col, 1) * (b0.clone() - b_prev - w0.clone() * a0.clone() - public),
                    sel(m, col, 1) * (a0.clone() - a_rep),
                    sel(m, col, 2) * bit(a0.clone() - constant(2) * b0.clone()),
                    sel(m, col, 2) * bit(b0.clone() - constant(2) * a1.clone()),
                ];
                if max >= 3 {
                    out.push(sel(m, col, 3) * (a1 - b0 * (a0 - w0)));
                }
                if ci == 0 {
                    for r in s.a_rotations.iter().skip(1) {
                        let x = m.query_advice(a, Rotation(*r));
                        out.push(sel(m, col, 1) * x);
                    }
                    for r in s.b_rotations.iter().skip(1) {
                        let x = m.query_advice(b, Rotation(*r));
                        out.push(sel(m, col, 2) * x);
                    }
                }
                out
            });
        }
        Config { a, b, w, poseidon, selectors }
    }

    fn synthesize(&self, config: Config, mut layouter: impl Layouter<Fr>) -> Result<(), Error> {
        let s = shape();
        let max = s.degree - 2;
        if let Gates::CarryRounds(_) = s.gates {
            return layouter.assign_region(
                || "carry rounds",
                |mut region| {
                    for row in 0..(1usize << s.k) - 48 {
                        region.assign_advice(config.a, row, Value::known(Fr::zero()));
                        region.assign_advice(config.b, row, Value::known(Fr::zero()));
                        region.assign_fixed(config.w, row, Fr::zero());
                        // No gate in the first rows, whose negative rotations reach the blinding rows.
                        let t = if row < 100 { carry::Type::Empty } else { carry::SYNTHETIC_CYCLE[row % carry::SYNTHETIC_CYCLE.len()] };
                        let (op, qp) = carry::point(t);
                        region.assign_fixed(config.selectors[0], row, op);
                        region.assign_fixed(config.poseidon, row, qp);
                    }
                    Ok(())
                },
            );
        }
        layouter.assign_region(
            || "synthetic",
            |mut region| {
                for row in 0..(1usize << s.k) - 48 {
                    region.assign_advice(config.a, row, Value::known(Fr::zero()));
                    region.assign_advice(config.b, row, Value::known(Fr::zero()));
                    region.assign_fixed(config.w, row, Fr::zero());
                    let full_round = (100..300).contains(&row) && row % 3 == 0;
                    region.assign_fixed(config.poseidon, row, Fr::from(if full_round { 2 } else { 0 }));
                    for (i, col) in config.selectors.iter().enumerate() {
                        let on = row > 300 && (row * 7 + i) % 5 < 4;
                        region.assign_fixed(*col, row, Fr::from(if on { ((row + i) % (max + 1)) as u64 } else { 0 }));
                    }
                }
                Ok(())
            },
        )
    }
}

const SHAPES: [Shape; 17] = [
    Shape {
        name: "shipped now: permutation, degree 5, 2 opcode columns",
        k: 11,
        permutation: true,
        degree: 5,
        selector_columns: 1,
        a_rotations: &[],
        b_rotations: &[],
        gates: Gates::Synthetic,
    },
    Shape {
        name: "blocked layout: no permutation, degree 5, 2 opcode columns",
        k: 11,
        permutation: false,
        degree: 5,
        selector_columns: 1,
        a_rotations: &[-82, -1],
        b_rotations: &[-82, -96, -11, -8],
        gates: Gates::Synthetic,
    },
    Shape {
        name: "blocked layout, one more link rotation",
        k: 11,
        permutation: false,
        degree: 5,
        selector_columns: 1,
        a_rotations: &[-82, -1],
        b_rotations: &[-82, -96, -11, -8, -250],
        gates: Gates::Synthetic,
    },
    Shape {
        name: "carry rounds: no permutation, degree 5, 2 opcode columns",
        k: 11,
        permutation: false,
        degree: 5,
        selector_columns: 1,
        a_rotations: &[-91, -1],
        b_rotations: &[-1, -91, -32, -12],
        gates: Gates::Synthetic,
    },
    Shape {
        name: "carry rounds, with the layer-3 step b[-31] and one link",
        k: 11,
        permutation: false,
        degree: 5,
        selector_columns: 1,
        a_rotations: &[-91, -1],
        b_rotations: &[-1, -91, -32, -12, -31, -250],
        gates: Gates::Synthetic,
    },
    Shape {
        name: "carry rounds, exact gates (interpolated selectors)",
        k: 11,
        permutation: false,
        degree: 5,
        selector_columns: 1,
        a_rotations: &[-91, -1],
        b_rotations: &[-1, -91, -32, -12, -31],
        gates: Gates::CarryRounds(None),
    },
    Shape {
        name: "carry rounds, exact gates, one link",
        k: 11,
        permutation: false,
        degree: 5,
        selector_columns: 1,
        a_rotations: &[-91, -1],
        b_rotations: &[-1, -91, -32, -12, -31, -250],
        gates: Gates::CarryRounds(Some(-250)),
    },
    Shape {
        name: "degree 3, no permutation, w + Poseidon + 1 selector column",
        k: 11,
        permutation: false,
        degree: 3,
        selector_columns: 1,
        a_rotations: &[-82, -1],
        b_rotations: &[-82, -96, -11, -8],
        gates: Gates::Synthetic,
    },
    Shape {
        name: "degree 3, no permutation, w + Poseidon + 2 selector columns",
        k: 11,
        permutation: false,
        degree: 3,
        selector_columns: 2,
        a_rotations: &[-82, -1],
        b_rotations: &[-82, -96, -11, -8],
        gates: Gates::Synthetic,
    },
    Shape {
        name: "degree 3, no permutation, w + Poseidon + 3 selector columns",
        k: 11,
        permutation: false,
        degree: 3,
        selector_columns: 3,
        a_rotations: &[-82, -1],
        b_rotations: &[-82, -96, -11, -8],
        gates: Gates::Synthetic,
    },
    Shape {
        name: "shipped: permutation, degree 5, 3 selector columns",
        k: 11,
        permutation: true,
        degree: 5,
        selector_columns: 2,
        a_rotations: BASE_A,
        b_rotations: BASE_B,
        gates: Gates::Synthetic,
    },
    Shape {
        name: "no permutation, degree 5, 3 selector columns",
        k: 11,
        permutation: false,
        degree: 5,
        selector_columns: 2,
        a_rotations: BASE_A,
        b_rotations: BASE_B,
        gates: Gates::Synthetic,
    },
    Shape {
        name: "no permutation, degree 5, 2 selector columns",
        k: 11,
        permutation: false,
        degree: 5,
        selector_columns: 1,
        a_rotations: BASE_A,
        b_rotations: BASE_B,
        gates: Gates::Synthetic,
    },
    Shape {
        name: "no permutation, degree 4, 3 selector columns",
        k: 11,
        permutation: false,
        degree: 4,
        selector_columns: 2,
        a_rotations: BASE_A,
        b_rotations: BASE_B,
        gates: Gates::Synthetic,
    },
    Shape {
        name: "no permutation, degree 4, 2 selector columns",
        k: 11,
        permutation: false,
        degree: 4,
        selector_columns: 1,
        a_rotations: BASE_A,
        b_rotations: BASE_B,
        gates: Gates::Synthetic,
    },
    Shape {
        name: "no permutation, degree 4, 2 selector columns, +4 rotations",
        k: 11,
        permutation: false,
        degree: 4,
        selector_columns: 1,
        a_rotations: &[-77, 20, 21, 22, 23],
        b_rotations: BASE_B,
        gates: Gates::Synthetic,
    },
    Shape {
        name: "no permutation, degree 4, 2 selector columns, k = 12",
        k: 12,
        permutation: false,
        degree: 4,
        selector_columns: 1,
        a_rotations: BASE_A,
        b_rotations: BASE_B,
        gates: Gates::Synthetic,
    },
];

#[derive(Serialize)]
struct Row {
    shape: Shape,
    commitments: usize,
    evaluations: usize,
    verify_gas_tx: u64,
    proof_bytes: usize,
    prove_cpu_seconds: f64,
}

fn measure(s: Shape) -> Result<Row, Box<dyn std::error::Error>> {
    SHAPE.with(|c| c.set(Some(s)));
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let params = ParamsKZG::<Bn256>::setup(s.k, &mut rng);
    if let Gates::CarryRounds(_) = s.gates {
        let mock = halo2_proofs::dev::MockProver::run(s.k, &Synthetic, vec![vec![Fr::zero(); 5]])?;
        // The all-zero witness must satisfy the exact gates, or the proof below is meaningless.
        if let Err(failures) = mock.verify() {
            return Err(format!("{}: {} constraint failures, first: {:?}", s.name, failures.len(), failures.first()).into());
        }
    }
    let vk = keygen_vk_custom(&params, &Synthetic, true)?;
    let pk = keygen_pk(&params, vk.clone(), &Synthetic)?;
    let instances = vec![Fr::zero(); 5];
    let mut times = Vec::new();
    let mut proof = Vec::new();
    for _ in 0..5 {
        let start = cpu_seconds();
        let mut transcript = EvmTranscript::<G1Affine, NativeLoader, Vec<u8>, Vec<u8>>::new(vec![]);
        create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
            &params,
            &pk,
            &[Synthetic],
            &[&[&instances]],
            &mut rng,
            &mut transcript,
        )?;
        times.push(cpu_seconds() - start);
        proof = transcript.finalize();
    }
    times.sort_by(f64::total_cmp);
    let options = Options::new(Provenance { model_digest: "0x00".into(), srs: "synthetic".into() });
    let protocol = Protocol::from_vk(&params, &vk, instances.len())?;
    let proof = hint::with_hint(&protocol, &proof, &instances)?;
    let (report, _, _) = gas::measure(&params, &vk, &options, &proof, &instances)?;
    let cs = vk.cs();
    let permutation = if s.permutation { 3 } else { 0 };
    let commitments = cs.num_advice_columns() + cs.num_fixed_columns() + permutation + 1 + (cs.degree() - 1);
    Ok(Row {
        shape: s,
        commitments,
        evaluations: (proof.len() - hint::HINT_LEN - 64 * (cs.num_advice_columns() + usize::from(s.permutation) + cs.degree() + 2)) / 32,
        verify_gas_tx: report.verify_gas_tx,
        proof_bytes: proof.len(),
        prove_cpu_seconds: times[times.len() / 2],
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).unwrap_or_else(|| "target/gas_model.json".into());
    let started = Instant::now();
    let mut rows = Vec::new();
    println!("{:<62} {:>5} {:>5} {:>9} {:>7} {:>9}", "shape", "comm", "evals", "gas (tx)", "proof", "prove CPU");
    // An optional second argument measures only the shapes whose name contains it.
    let only = std::env::args().nth(2).unwrap_or_default();
    for s in SHAPES.into_iter().filter(|s| s.name.contains(only.as_str())) {
        let row = measure(s)?;
        println!(
            "{:<62} {:>5} {:>5} {:>9} {:>7} {:>8.2}s",
            s.name, row.commitments, row.evaluations, row.verify_gas_tx, row.proof_bytes, row.prove_cpu_seconds
        );
        rows.push(row);
    }
    std::fs::write(&out, serde_json::to_string_pretty(&rows)? + "\n")?;
    println!("wrote {out} in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}
