//! Columns and custom gates. Two advice columns (`a`, `b`), three fixed columns (`w` for weights
//! and constants, and two opcode columns `op` and `qp`), and one instance column (read only by the
//! `bias` gate, so it is outside the permutation argument).
//!
//! Every gate is selected by the value of an opcode column through a Lagrange-style polynomial
//! that vanishes on the column's other values, so the six gates cost two fixed
//! commitments (each one ecMul in the on-chain verifier), not one per gate:
//!
//! | column | value | gate | selector | body degree |
//! |---|---|---|---|---|
//! | `op` | 1 | [`Gate::Mac`] | `op (op - 2) (op - 3)` | 2 |
//! | `op` | 2 | [`Gate::Bits`] | `op (op - 1) (op - 3)` | 2 |
//! | `op` | 3 | [`Gate::End`] | `op (op - 1) (op - 2)` | 2 |
//! | `qp` | 1, 2 | [`Gate::PoseidonPartial`], [`Gate::PoseidonFull`] | `qp (3 - qp)` | 3 |
//! | `qp` | 3 | [`Gate::Bias`] | `qp (qp - 1) (qp - 2)` | 1 |
//!
//! The maximum degree is 5 (four quotient chunks). The Poseidon round tells full from partial
//! rounds by `qp - 1` inside its body: in a partial round the unboxed words carry `t = 1`.
//!
//! A tree-ensemble circuit ([`Family::Trees`]) has a fourth fixed column, `qt`, selecting
//! [`Gate::Mux`] (`qt = 1`, selector `qt`, body degree 2); a network's circuit has no `qt`, so its
//! verifying key is unchanged by the tree gadget.

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Expression, Fixed, Instance, VirtualCells};
use halo2_proofs::poly::Rotation;
use serde::{Deserialize, Serialize};

use super::layout::Gate;
use crate::poseidon;

/// The model family a circuit is configured for (halo2's circuit parameters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Dense layers (and linear models).
    #[default]
    Network,
    /// A tree ensemble: the network's gates and the `qt` column's [`Gate::Mux`].
    Trees,
}

impl Family {
    /// Whether this is [`Family::Network`] (the default, left out of key headers).
    pub fn is_network(&self) -> bool {
        *self == Family::Network
    }
}

/// The circuit's columns.
#[derive(Clone, Debug)]
pub struct CreditConfig {
    /// Advice column `a`.
    pub a: Column<Advice>,
    /// Advice column `b`.
    pub b: Column<Advice>,
    /// Fixed column `w` (weights and constants).
    pub w: Column<Fixed>,
    /// Opcode column of the arithmetic gates (multiply-accumulate, bits, end of a running sum).
    pub op: Column<Fixed>,
    /// Opcode column of the Poseidon rounds and the constant/public-input gate.
    pub qp: Column<Fixed>,
    /// Opcode column of the tree gadget's multiplexer (tree circuits only).
    pub qt: Option<Column<Fixed>>,
    /// The public inputs.
    pub instance: Column<Instance>,
}

fn constant(v: u64) -> Expression<Fr> {
    Expression::Constant(Fr::from(v))
}

/// `prod (q - v)` over the column's other values `v` in `0..=3`: nonzero exactly where `q = value`.
fn select(m: &mut VirtualCells<'_, Fr>, col: Column<Fixed>, value: u64) -> Expression<Fr> {
    let q = m.query_fixed(col, Rotation::cur());
    (1..=3u64).filter(|v| *v != value).fold(q.clone(), |e, v| e * (q.clone() - constant(v)))
}

impl CreditConfig {
    /// Declare the columns and gates of a `family` circuit.
    pub fn configure(meta: &mut ConstraintSystem<Fr>, family: Family) -> Self {
        let a = meta.advice_column();
        let b = meta.advice_column();
        let w = meta.fixed_column();
        let op = meta.fixed_column();
        let qp = meta.fixed_column();
        let instance = meta.instance_column();
        meta.enable_equality(a);
        meta.enable_equality(b);
        let two = || constant(2);
        let boolean = |d: Expression<Fr>| d.clone() * (d - constant(1));

        meta.create_gate("mac", |m| {
            let q = select(m, op, Gate::Mac.opcode());
            let (b0, b1) = (m.query_advice(b, Rotation::cur()), m.query_advice(b, Rotation::next()));
            let (a1, w1) = (m.query_advice(a, Rotation::next()), m.query_fixed(w, Rotation::next()));
            vec![q * (b1 - b0 - w1 * a1)]
        });
        meta.create_gate("bits", |m| {
            let q = select(m, op, Gate::Bits.opcode());
            let (a0, b0, a1) =
                (m.query_advice(a, Rotation::cur()), m.query_advice(b, Rotation::cur()), m.query_advice(a, Rotation::next()));
            vec![q.clone() * boolean(a0 - two() * b0.clone()), q * boolean(b0 - two() * a1)]
        });
        meta.create_gate("end", |m| {
            let q = select(m, op, Gate::End.opcode());
            let (a0, b0) = (m.query_advice(a, Rotation::cur()), m.query_advice(b, Rotation::cur()));
            let (a1, b1) = (m.query_advice(a, Rotation::next()), m.query_advice(b, Rotation::next()));
            let w0 = m.query_fixed(w, Rotation::cur());
            vec![q.clone() * boolean(a0 - two() * b0.clone()), q.clone() * boolean(b0.clone()), q * (b1 - b0 * (a1 - w0))]
        });
        meta.create_gate("bias", |m| {
            let q = select(m, qp, Gate::Bias.opcode());
            let inst = m.query_instance(instance, Rotation::cur());
            vec![q * (m.query_advice(b, Rotation::cur()) - m.query_fixed(w, Rotation::cur()) - inst)]
        });
        meta.create_gate("poseidon round", |m| {
            let q = m.query_fixed(qp, Rotation::cur());
            // Nonzero on partial (1) and full (2) rounds, zero on bias rows (3) and elsewhere.
            let s = q.clone() * (constant(3) - q.clone());
            poseidon_round(m, [a, b], w, s, q - constant(1))
        });
        let qt = (family == Family::Trees).then(|| {
            let qt = meta.fixed_column();
            meta.create_gate("mux", |m| {
                // b[1] = y + a[0] (n - y), n = b[0] + w[0], y = a[1] + w[1]: a[0] = 1 picks n.
                let q = m.query_fixed(qt, Rotation::cur());
                let (a0, b0, w0) =
                    (m.query_advice(a, Rotation::cur()), m.query_advice(b, Rotation::cur()), m.query_fixed(w, Rotation::cur()));
                let (a1, b1, w1) =
                    (m.query_advice(a, Rotation::next()), m.query_advice(b, Rotation::next()), m.query_fixed(w, Rotation::next()));
                let (no, yes) = (b0 + w0, a1 + w1);
                vec![q.clone() * boolean(a0.clone()), q * (b1 - yes.clone() - a0 * (no - yes))]
            });
            qt
        });
        CreditConfig { a, b, w, op, qp, qt, instance }
    }
}

/// The constraints of one Poseidon round over rows 0..2 (`u` in `a`, `t` in `b`, round constants
/// in `w`) into rows 3..5 of `a`, each scaled by the selector `s`; `full` is 1 on full rounds and
/// 0 on partial ones. `t_0 = u_0^2` in every round; `t_i = u_i^2` in full rounds and 1 in partial
/// ones, so the S-box output is `t_i^2 u_i` throughout and `u' = M (t^2 u) + k`.
pub fn poseidon_round(
    m: &mut VirtualCells<'_, Fr>,
    [a, b]: [Column<Advice>; 2],
    w: Column<Fixed>,
    s: Expression<Fr>,
    full: Expression<Fr>,
) -> Vec<Expression<Fr>> {
    let mds = poseidon::params().mds;
    let u: Vec<_> = (0..3).map(|i| m.query_advice(a, Rotation(i))).collect();
    let t: Vec<_> = (0..3).map(|i| m.query_advice(b, Rotation(i))).collect();
    let next: Vec<_> = (3..6).map(|i| m.query_advice(a, Rotation(i))).collect();
    let k: Vec<_> = (0..3).map(|i| m.query_fixed(w, Rotation(i))).collect();
    let mut out = vec![s.clone() * (t[0].clone() - u[0].clone() * u[0].clone())];
    for i in 1..3 {
        let sq = u[i].clone() * u[i].clone() - constant(1);
        out.push(s.clone() * (t[i].clone() - constant(1) - full.clone() * sq));
    }
    for j in 0..3 {
        let mut sum = k[j].clone();
        for i in 0..3 {
            sum = sum + Expression::Constant(mds[j][i]) * t[i].clone() * t[i].clone() * u[i].clone();
        }
        out.push(s.clone() * (next[j].clone() - sum));
    }
    out
}
