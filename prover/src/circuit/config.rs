//! Columns and custom gates. Two advice columns (`a`, `b`), one fixed column (`w`), one instance
//! column (read only by the `bias` gate, so it is outside the permutation argument), and one
//! selector per [`Gate`](super::layout::Gate). Maximum gate degree is 4 (the
//! Poseidon rounds: selector x `t^2 * u` with `t = u^2`).

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Expression, Fixed, Instance, Selector};
use halo2_proofs::poly::Rotation;

use super::layout::{Gate, GATES};
use crate::poseidon;

/// The circuit's columns and selectors.
#[derive(Clone, Debug)]
pub struct CreditConfig {
    /// Advice column `a`.
    pub a: Column<Advice>,
    /// Advice column `b`.
    pub b: Column<Advice>,
    /// Fixed column `w` (weights and constants).
    pub w: Column<Fixed>,
    /// The public inputs.
    pub instance: Column<Instance>,
    /// One selector per gate, indexed by `Gate as usize`.
    pub selectors: [Selector; GATES],
}

impl CreditConfig {
    /// Declare the columns and gates.
    pub fn configure(meta: &mut ConstraintSystem<Fr>) -> Self {
        let a = meta.advice_column();
        let b = meta.advice_column();
        let w = meta.fixed_column();
        let instance = meta.instance_column();
        meta.enable_equality(a);
        meta.enable_equality(b);
        // Degree 5 keeps the 4n extended domain of degree 4 and lets selector compression pack
        // the seven gates into three fixed columns instead of five (two fewer commitments for one
        // more quotient chunk).
        meta.set_minimum_degree(5);
        let selectors = [(); GATES].map(|_| meta.selector());
        let one = || Expression::Constant(Fr::one());
        let two = || Expression::Constant(Fr::from(2));

        meta.create_gate("mac", |m| {
            let q = m.query_selector(selectors[Gate::Mac as usize]);
            let (b0, b1) = (m.query_advice(b, Rotation::cur()), m.query_advice(b, Rotation::next()));
            let (a1, w1) = (m.query_advice(a, Rotation::next()), m.query_fixed(w, Rotation::next()));
            vec![q * (b1 - b0 - w1 * a1)]
        });
        meta.create_gate("bias", |m| {
            let q = m.query_selector(selectors[Gate::Bias as usize]);
            let inst = m.query_instance(instance, Rotation::cur());
            vec![q * (m.query_advice(b, Rotation::cur()) - m.query_fixed(w, Rotation::cur()) - inst)]
        });
        let boolean = |d: Expression<Fr>| d.clone() * (d - one());
        meta.create_gate("bits", |m| {
            let q = m.query_selector(selectors[Gate::Bits as usize]);
            let (a0, b0, a1) =
                (m.query_advice(a, Rotation::cur()), m.query_advice(b, Rotation::cur()), m.query_advice(a, Rotation::next()));
            vec![q.clone() * boolean(a0 - two() * b0.clone()), q * boolean(b0 - two() * a1)]
        });
        meta.create_gate("bits end", |m| {
            let q = m.query_selector(selectors[Gate::BitsEnd as usize]);
            let (a0, b0) = (m.query_advice(a, Rotation::cur()), m.query_advice(b, Rotation::cur()));
            vec![q.clone() * boolean(a0 - two() * b0.clone()), q * boolean(b0)]
        });
        meta.create_gate("relu", |m| {
            let q = m.query_selector(selectors[Gate::Relu as usize]);
            let (b0, b1) = (m.query_advice(b, Rotation::cur()), m.query_advice(b, Rotation::next()));
            let a1 = m.query_advice(a, Rotation::next());
            let w0 = m.query_fixed(w, Rotation::cur());
            vec![q * (b1 - b0 * (a1 - w0))]
        });
        let mds = poseidon::params().mds;
        for full in [true, false] {
            let gate = if full { Gate::PoseidonFull } else { Gate::PoseidonPartial };
            meta.create_gate(if full { "poseidon full round" } else { "poseidon partial round" }, |m| {
                let q = m.query_selector(selectors[gate as usize]);
                let u: Vec<_> = (0..3).map(|i| m.query_advice(a, Rotation(i))).collect();
                let t: Vec<_> = (0..3).map(|i| m.query_advice(b, Rotation(i))).collect();
                let next: Vec<_> = (3..6).map(|i| m.query_advice(a, Rotation(i))).collect();
                let k: Vec<_> = (0..3).map(|i| m.query_fixed(w, Rotation(i))).collect();
                let sboxed = (if full { 3 } else { 1 }) as usize;
                let mut out = Vec::new();
                for i in 0..sboxed {
                    out.push(q.clone() * (t[i].clone() - u[i].clone() * u[i].clone()));
                }
                let v: Vec<Expression<Fr>> =
                    (0..3).map(|i| if i < sboxed { t[i].clone() * t[i].clone() * u[i].clone() } else { u[i].clone() }).collect();
                for j in 0..3 {
                    let mut sum = k[j].clone();
                    for (i, vi) in v.iter().enumerate() {
                        sum = sum + Expression::Constant(mds[j][i]) * vi.clone();
                    }
                    out.push(q.clone() * (next[j].clone() - sum));
                }
                out
            });
        }
        CreditConfig { a, b, w, instance, selectors }
    }
}
