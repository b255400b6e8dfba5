//! The carry-round layout's exact gate set (docs/design/permutation-free-circuit.md), so the gas
//! model can price what the shape rows only approximate: the selector and coefficient polynomials
//! that two opcode columns need to tell its ten row types apart.
//!
//! Each row type sits at a point `(op, qp)` (the placement `docs/design/opcode_points.py` found).
//! A constraint is `sum_m c_m(op, qp) * m` over cell monomials `m`; every coefficient is solved
//! for exactly, modulo r, from what it must be at each type's point (a selector: zero at the other
//! types and nonzero at its own, from the null space; a linear part: the selector's value at its
//! type and zero elsewhere):
//!
//! - the class selectors (cubic): `w a` on the five MAC variants, the running sum's booleans and
//!   the ReLU on `bits` and `end`;
//! - the linear parts (quartic): each MAC variant's previous accumulator (`b[-1]`, `b[-D]`,
//!   `b[-32]`, `b[-31]`, the instance on chain starts) and each one's input rule (`a[-D]`,
//!   `a[-1]`, `a = 1`);
//! - Poseidon's selector (quadratic) and its full-round flag (linear).
//!
//! All constraints vanish on an all-zero witness on rows of every type but chain starts (`a = 1`)
//! and partial Poseidon rounds (`t = 1`), which the synthetic circuit therefore leaves out.

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Expression, Fixed, Instance, VirtualCells};
use halo2_proofs::poly::Rotation;
use zkcredit_prover::circuit::config::poseidon_round;

/// Layer-1 group length (bias row, 66 MAC rows, 16 running-sum rows, 8 layer-2 rows).
pub const D: i32 = 91;

/// The row types and their points, as found by `opcode_points.py` ("carry rounds, layer 3 on
/// its own MAC variant, links merged into MAC variants").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Empty,
    MacRepeat,
    TmacHold,
    Const,
    Round,
    L3,
    Bits,
    End,
    PoseidonFull,
    PoseidonPartial,
}

pub const TYPES: [(Type, (i64, i64)); 10] = [
    (Type::Empty, (0, 0)),
    (Type::MacRepeat, (1, 2)),
    (Type::TmacHold, (-2, 2)),
    (Type::Const, (0, 2)),
    (Type::Round, (3, 2)),
    (Type::L3, (-1, 2)),
    (Type::Bits, (2, 0)),
    (Type::End, (3, 0)),
    (Type::PoseidonFull, (-1, 1)),
    (Type::PoseidonPartial, (2, 3)),
];

fn fe(v: i64) -> Fr {
    if v < 0 {
        -Fr::from(v.unsigned_abs())
    } else {
        Fr::from(v as u64)
    }
}

/// The opcode column values of a type.
pub fn point(t: Type) -> (Fr, Fr) {
    let (_, (x, y)) = TYPES.iter().find(|(u, _)| *u == t).copied().unwrap_or((Type::Empty, (0, 0)));
    (fe(x), fe(y))
}

fn monomials(degree: usize) -> Vec<(usize, usize)> {
    (0..=degree).flat_map(|d| (0..=d).map(move |i| (i, d - i))).collect()
}

fn row(degree: usize, t: Type) -> Vec<Fr> {
    let (x, y) = point(t);
    monomials(degree).iter().map(|(i, j)| x.pow_vartime([*i as u64]) * y.pow_vartime([*j as u64])).collect()
}

/// The value of a polynomial (coefficients over [`monomials`]) at a type's point.
fn eval(degree: usize, c: &[Fr], t: Type) -> Fr {
    row(degree, t).iter().zip(c).map(|(m, k)| *m * k).sum()
}

/// Reduced row echelon form of `rows` (each `n` coefficients and one right-hand side); returns
/// the pivot columns.
fn echelon(rows: &mut [Vec<Fr>], n: usize) -> Vec<usize> {
    let mut pivots = Vec::new();
    for col in 0..n {
        let rank = pivots.len();
        let Some(p) = (rank..rows.len()).find(|&i| !bool::from(rows[i][col].is_zero())) else { continue };
        rows.swap(rank, p);
        let inv = rows[rank][col].invert().unwrap_or(Fr::ZERO);
        rows[rank] = rows[rank].iter().map(|v| *v * inv).collect();
        let pivot = rows[rank].clone();
        for (i, r) in rows.iter_mut().enumerate() {
            if i != rank && !bool::from(r[col].is_zero()) {
                let f = r[col];
                *r = r.iter().zip(&pivot).map(|(a, b)| *a - f * b).collect();
            }
        }
        pivots.push(col);
    }
    pivots
}

/// Coefficients of a polynomial of the given degree taking each listed value at its type's point
/// (other types unconstrained); free variables are zero, so low-degree monomials are preferred.
fn solve(degree: usize, values: &[(Type, Fr)]) -> Vec<Fr> {
    let n = monomials(degree).len();
    let mut rows: Vec<Vec<Fr>> = values
        .iter()
        .map(|(t, v)| {
            let mut r = row(degree, *t);
            r.push(*v);
            r
        })
        .collect();
    let pivots = echelon(&mut rows, n);
    assert!(rows[pivots.len()..].iter().all(|r| bool::from(r[n].is_zero())), "no polynomial of degree {degree} takes these values");
    let mut c = vec![Fr::ZERO; n];
    for (r, col) in pivots.iter().enumerate() {
        c[*col] = rows[r][n];
    }
    c
}

/// Exactly `value` at `t`, zero at every other type.
fn only(degree: usize, t: Type, value: Fr) -> Vec<Fr> {
    let values: Vec<_> = TYPES.iter().map(|(u, _)| (*u, if *u == t { value } else { Fr::ZERO })).collect();
    solve(degree, &values)
}

/// A polynomial of the given degree vanishing at every type outside `members` and at none of
/// them: a combination of the null space of the non-members' rows, with small weights tried in turn.
fn selector(degree: usize, members: &[Type]) -> Vec<Fr> {
    let n = monomials(degree).len();
    let mut rows: Vec<Vec<Fr>> = TYPES
        .iter()
        .filter(|(t, _)| !members.contains(t))
        .map(|(t, _)| {
            let mut r = row(degree, *t);
            r.push(Fr::ZERO);
            r
        })
        .collect();
    let pivots = echelon(&mut rows, n);
    let free: Vec<usize> = (0..n).filter(|c| !pivots.contains(c)).collect();
    // Null-space basis vector per free column: x_free = 1, x_pivot = -row[free].
    let basis: Vec<Vec<Fr>> = free
        .iter()
        .map(|&f| {
            let mut v = vec![Fr::ZERO; n];
            v[f] = Fr::ONE;
            for (r, &p) in pivots.iter().enumerate() {
                v[p] = -rows[r][f];
            }
            v
        })
        .collect();
    for seed in 1u64..200 {
        let mut c = vec![Fr::ZERO; n];
        for (k, v) in basis.iter().enumerate() {
            let weight = Fr::from((seed * 31 + k as u64 * 17) % 11 + 1);
            for (ci, vi) in c.iter_mut().zip(v) {
                *ci += weight * vi;
            }
        }
        if members.iter().all(|t| !bool::from(eval(degree, &c, *t).is_zero())) {
            return c;
        }
    }
    panic!("no degree-{degree} selector for {members:?}")
}

/// `sum c_ij op^i qp^j` as an expression (zero coefficients dropped).
fn poly(m: &mut VirtualCells<'_, Fr>, op: Column<Fixed>, qp: Column<Fixed>, degree: usize, c: &[Fr]) -> Expression<Fr> {
    let (x, y) = (m.query_fixed(op, Rotation::cur()), m.query_fixed(qp, Rotation::cur()));
    let mut out: Option<Expression<Fr>> = None;
    for ((i, j), k) in monomials(degree).into_iter().zip(c) {
        if bool::from(k.is_zero()) {
            continue;
        }
        let mut term: Option<Expression<Fr>> = None;
        for _ in 0..i {
            term = Some(term.map_or(x.clone(), |t| t * x.clone()));
        }
        for _ in 0..j {
            term = Some(term.map_or(y.clone(), |t| t * y.clone()));
        }
        let term = match term {
            Some(t) if *k == Fr::ONE => t,
            Some(t) => Expression::Constant(*k) * t,
            None => Expression::Constant(*k),
        };
        out = Some(out.map_or(term.clone(), |o| o + term));
    }
    out.unwrap_or(Expression::Constant(Fr::ZERO))
}

/// Declare the carry-round gate set over the given columns; `link` adds one more long rotation
/// (a link from the public-input rows) to the chain start's linear part.
#[allow(clippy::too_many_arguments)]
pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: Column<Advice>,
    b: Column<Advice>,
    w: Column<Fixed>,
    op: Column<Fixed>,
    qp: Column<Fixed>,
    instance: Column<Instance>,
    link: Option<i32>,
) {
    const MAC: &[Type] = &[Type::MacRepeat, Type::TmacHold, Type::Const, Type::Round, Type::L3];
    let sel_wa = selector(3, MAC);
    let sel_bits = selector(3, &[Type::Bits]);
    let sel_end = selector(3, &[Type::End]);
    let sel_pos = selector(2, &[Type::PoseidonFull, Type::PoseidonPartial]);
    let full = solve(1, &[(Type::PoseidonFull, Fr::ONE), (Type::PoseidonPartial, Fr::ZERO)]);
    // Linear parts of the MAC slot, per cell, scaled like the class selector at their type: the
    // previous accumulator of each variant, and the chain start's public input.
    let at = |t: Type| eval(3, &sel_wa, t);
    let prev: Vec<(i32, Vec<Fr>)> = [(-1, Type::MacRepeat), (-D, Type::TmacHold), (-32, Type::Round), (-31, Type::L3)]
        .into_iter()
        .map(|(r, t)| (r, only(4, t, at(t))))
        .collect();
    let chain_start = only(4, Type::Const, at(Type::Const));
    // The input rule: a = a[-D] (repeat), a = a[-1] (hold), a = 1 (chain start).
    let one = |ts: &[Type]| {
        let values: Vec<_> = TYPES.iter().map(|(u, _)| (*u, if ts.contains(u) { Fr::ONE } else { Fr::ZERO })).collect();
        solve(4, &values)
    };
    let input_a0 = one(&[Type::MacRepeat, Type::TmacHold, Type::L3, Type::Const]);
    let repeat = one(&[Type::MacRepeat]);
    let hold = one(&[Type::TmacHold, Type::L3]);
    let unit = one(&[Type::Const]);

    meta.create_gate("mac variants", |m| {
        let (a0, b0, w0) = (m.query_advice(a, Rotation::cur()), m.query_advice(b, Rotation::cur()), m.query_fixed(w, Rotation::cur()));
        let mut acc = poly(m, op, qp, 3, &sel_wa) * (b0 - w0 * a0.clone());
        for (r, c) in &prev {
            let cell = m.query_advice(b, Rotation(*r));
            acc = acc - poly(m, op, qp, 4, c) * cell;
        }
        let mut start = m.query_instance(instance, Rotation::cur());
        if let Some(r) = link {
            start = start + m.query_advice(b, Rotation(r));
        }
        acc = acc - poly(m, op, qp, 4, &chain_start) * start;
        let rule = poly(m, op, qp, 4, &input_a0) * a0
            - poly(m, op, qp, 4, &repeat) * m.query_advice(a, Rotation(-D))
            - poly(m, op, qp, 4, &hold) * m.query_advice(a, Rotation(-1))
            - poly(m, op, qp, 4, &unit);
        vec![acc, rule]
    });
    meta.create_gate("running sums", |m| {
        let (a0, b0) = (m.query_advice(a, Rotation::cur()), m.query_advice(b, Rotation::cur()));
        let (bp, b12, w0) = (m.query_advice(b, Rotation(-1)), m.query_advice(b, Rotation(-12)), m.query_fixed(w, Rotation::cur()));
        let two = Expression::Constant(Fr::from(2));
        let boolean = |d: Expression<Fr>| d.clone() * (d - Expression::Constant(Fr::ONE));
        let (sb, se) = (poly(m, op, qp, 3, &sel_bits), poly(m, op, qp, 3, &sel_end));
        vec![
            sb.clone() * boolean(bp.clone() - two.clone() * a0.clone()) + se.clone() * boolean(bp - two.clone() * b0.clone()),
            sb * boolean(a0.clone() - two * b0.clone()) + se.clone() * boolean(b0.clone()),
            se * (a0 - b0 * (b12 - w0)),
        ]
    });
    meta.create_gate("poseidon round", |m| {
        let s = poly(m, op, qp, 2, &sel_pos);
        let full = poly(m, op, qp, 1, &full);
        poseidon_round(m, [a, b], w, s, full)
    });
}

/// The types the synthetic circuit cycles through (no chain starts, whose `a = 1` an all-zero
/// witness breaks, and no partial rounds, whose unboxed words need `t = 1`).
pub const SYNTHETIC_CYCLE: [Type; 8] =
    [Type::Empty, Type::MacRepeat, Type::TmacHold, Type::Round, Type::L3, Type::Bits, Type::End, Type::PoseidonFull];
