//! Step 6: SHPLONK (BDFG21). One MSM with the ecMul/ecAdd precompiles, normalised so the first
//! commitment needs no multiplication, and one 2-pair pairing check:
//!
//! f = sum_i gamma^i (Z_0 / Z_i) sum_j mu^j (C_ij - r_ij(u) G) - Z_0 W, and
//! e(f + u W', [1]) = e(W', [s]).
//!
//! (Z_0 / Z_i) r_ij(u) simplifies because the Lagrange basis of set i at u is
//! Z_i / ((u - x w^r_k) x^(m-1) prod_(l != k) (w^r_k - w^r_l)).

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::Field;

use crate::error::{Error, Result};
use crate::protocol::{Protocol, Query, QuerySet};
use crate::yul::literal::{fr, g1_words, g2_words, lit, selector};
use crate::yul::poly::Leaves;
use crate::yul::{addmod, call, calldatacopy, dec, hex, mload, mstore, mulmod, neg, product, sum, Builtin, Expr, Func, Stmt};

use super::inversion::Inverses;
use super::layout::{Calldata, Key, Memory, Openings};
use super::transcript::Challenges;

/// The error a failed precompile call reverts with (its argument: the precompile's address).
pub const PRECOMPILE_FAILED: &str = "PrecompileFailed(uint256)";

/// Where a commitment comes from.
#[derive(Clone, Copy, Debug)]
enum PointSrc {
    /// In the proof, at this calldata offset.
    Proof(usize),
    /// A verifying-key constant (index into `Protocol::preprocessed`).
    Fixed(usize),
    /// The SRS generator.
    G1,
}

/// How many precompile calls the MSM makes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Calls {
    /// ecMul calls.
    pub ec_muls: usize,
    /// ecAdd calls.
    pub ec_adds: usize,
}

/// Everything the opening argument reads.
pub struct Inputs<'a> {
    /// The protocol.
    pub p: &'a Protocol,
    /// The calldata layout.
    pub cd: &'a Calldata,
    /// The verifying key.
    pub key: &'a Key<'a>,
    /// The challenges.
    pub ch: &'a Challenges,
    /// The inverses.
    pub inv: &'a Inverses,
    /// The openings.
    pub open: &'a Openings,
}

/// The MSM and the pairing; returns the precompile calls they make.
pub fn shplonk(i: &Inputs, mem: &mut Memory) -> Result<(Calls, Vec<Stmt>)> {
    let gpow = mem.alloc("gamma^i");
    let coeff = mem.alloc("set coefficient gamma^i Z_0 / Z_i");
    let gsum = mem.alloc("scalar of the generator, accumulated");
    let mut body = vec![
        Stmt::Section("SHPLONK (BDFG21) multi-open: the MSM accumulates in 0x00; the first commitment has coefficient 1.".into()),
        Stmt::Line(vec![mstore(gpow, dec(1)), mstore(gsum, dec(0))]),
    ];
    let mut calls = Calls::default();
    let mut first = true;
    for (n, set) in i.p.query_sets().iter().enumerate() {
        body.push(Stmt::Comment(format!("set {n}: rotations {:?}, polynomials {:?}", set.rotations, set.polys)));
        // Set coefficient: gamma^i * Z_0 * prod_k 1/(u - x w^r_k).
        if n == 0 {
            body.push(mstore(coeff, dec(1)));
        } else {
            let inv_prod = product(set.rotations.iter().map(|r| mload(i.inv.opening[r])));
            body.push(mstore(gpow, mulmod(mload(gpow), mload(i.ch.gamma))));
            body.push(mstore(coeff, mulmod(mulmod(mload(gpow), mload(i.inv.z0)), inv_prod)));
        }
        let r_part = r_part(i, set)?;
        body.push(mstore(gsum, addmod(mload(gsum), mulmod(mload(gpow), r_part))));
        body.push(Stmt::Block(commitments(i, set, coeff, &mut first, &mut calls)));
    }
    body.push(Stmt::Section("Generator: -Z_0 * sum; W: -Z_0; W': u.".into()));
    body.push(load_operand(i.key, PointSrc::G1));
    body.push(ec_mul_acc(neg(mulmod(mload(gsum), mload(i.inv.z0)))));
    body.push(calldatacopy(0x40, i.cd.w, 0x40));
    body.push(ec_mul_acc(neg(mload(i.inv.z0))));
    body.push(calldatacopy(0x40, i.cd.w_prime, 0x40));
    body.push(ec_mul_acc(mload(i.ch.u)));
    calls.ec_muls += 3;
    calls.ec_adds += 3;
    body.extend(pairing(i.p, i.cd));
    Ok((calls, body))
}

/// The generator's scalar from set `set`: gamma^i x^-(m-1) sum_k c_k / (u - x w^r_k) sum_j mu^j
/// e_j(r_k), with Z_0 applied at the end.
fn r_part(i: &Inputs, set: &QuerySet) -> Result<Expr> {
    let eval = |poly: usize, rotation: i32| {
        i.open.poly(Query { poly, rotation }).ok_or_else(|| {
            Error::Unsupported(format!("opening polynomial {poly} at rotation {rotation}, which the proof does not evaluate"))
        })
    };
    let mut terms = Vec::new();
    for (k, &rk) in set.rotations.iter().enumerate() {
        let mut ck = Fr::ONE;
        for (l, &rl) in set.rotations.iter().enumerate() {
            if l != k {
                ck *= i.p.omega_pow(rk) - i.p.omega_pow(rl);
            }
        }
        let ck_inv: Fr = Option::from(ck.invert()).ok_or_else(|| Error::Unsupported("repeated rotation in a set".into()))?;
        let mut horner = eval(*set.polys.last().unwrap_or(&0), rk)?;
        for &poly in set.polys.iter().rev().skip(1) {
            horner = addmod(mulmod(horner, mload(i.ch.mu)), eval(poly, rk)?);
        }
        let diff = mload(i.inv.opening[&rk]);
        let weight = if ck_inv == Fr::ONE { diff } else { mulmod(diff, fr(&ck_inv)) };
        terms.push(mulmod(weight, horner));
    }
    let mut r_part = sum(terms);
    for _ in 1..set.rotations.len() {
        r_part = mulmod(r_part, mload(i.inv.x));
    }
    Ok(r_part)
}

/// The set's commitments into the MSM, each scaled by its coefficient times mu^j (and a quotient
/// chunk c by x^(n * chunk_degree * c)). The very first needs no multiplication: it starts the
/// accumulator.
fn commitments(i: &Inputs, set: &QuerySet, coeff: usize, first: &mut bool, calls: &mut Calls) -> Vec<Stmt> {
    let p = i.p;
    let s = || Expr::Var("s");
    let mut block = vec![Stmt::Let(vec!["s"], Some(mload(coeff)))];
    for (j, &poly) in set.polys.iter().enumerate() {
        if j > 0 {
            block.push(Stmt::Assign("s", mulmod(s(), mload(i.ch.mu))));
        }
        let sources: Vec<(PointSrc, usize)> = if poly < p.preprocessed.len() {
            vec![(PointSrc::Fixed(poly), 0)]
        } else if poly == p.quotient_poly() {
            (0..p.num_chunk).map(|c| (PointSrc::Proof(i.cd.quotient + 0x40 * c), p.chunk_degree * c)).collect()
        } else {
            vec![(PointSrc::Proof(i.cd.witness(poly - p.first_witness_poly())), 0)]
        };
        for (src, chunk_pow) in sources {
            block.push(load_operand(i.key, src));
            if *first {
                // Coefficient 1 by construction (set 0, first polynomial, first chunk).
                block.push(Stmt::Expr(call(Builtin::Mcopy, [hex(0x00), hex(0x40), hex(0x40)])));
                *first = false;
            } else {
                let scalar = if chunk_pow == 0 { s() } else { mulmod(s(), product((0..chunk_pow).map(|_| mload(i.inv.xn)))) };
                block.push(ec_mul_acc(scalar));
                calls.ec_muls += 1;
                calls.ec_adds += 1;
            }
        }
    }
    block
}

/// `ec_mul_acc(scalar)`: the accumulator += scalar * the operand.
fn ec_mul_acc(scalar: Expr) -> Stmt {
    Stmt::Expr(Expr::Call(Func::EcMulAcc, vec![scalar]))
}

/// Load a commitment into the operand slot (0x40).
fn load_operand(key: &Key, src: PointSrc) -> Stmt {
    let store = |[x, y]: [Expr; 2]| Stmt::Line(vec![mstore(0x40, x), mstore(0x60, y)]);
    match src {
        PointSrc::Proof(off) => calldatacopy(0x40, off, 0x40),
        PointSrc::Fixed(i) => match key.fixed_point_at(i) {
            Some(at) => Stmt::Expr(call(Builtin::Mcopy, [hex(0x40), hex(at), hex(0x40)])),
            None => store(key.fixed_point(i)),
        },
        PointSrc::G1 => store(g1_words(&key.g1()).map(lit)),
    }
}

/// e(f + u W', [1]_2) * e(W', -[s]_2) == 1. The pairing's inputs are checked points, so the call
/// fails only for lack of gas: that reverts (never a `false` verdict); only the pairing's answer
/// and the hint can return false.
fn pairing(p: &Protocol, cd: &Calldata) -> Vec<Stmt> {
    let words =
        |at: usize, w: [crate::yul::Word; 4]| Stmt::Line(w.into_iter().enumerate().map(|(k, w)| mstore(at + 0x20 * k, lit(w))).collect());
    let call_ok = call(Builtin::Staticcall, [call(Builtin::Gas, []), hex(0x08), hex(0x00), hex(0x180), hex(0x00), hex(0x20)]);
    let failed = Expr::Call(Func::RevertIndex, vec![selector(PRECOMPILE_FAILED), hex(0x08)]);
    vec![
        Stmt::Section("Pairing: e(f + u W', [1]_2) * e(W', -[s]_2) == 1.".into()),
        words(0x40, g2_words(&p.g2)),
        calldatacopy(0xc0, cd.w_prime, 0x40),
        words(0x100, g2_words(&p.neg_s_g2())),
        Stmt::If(call(Builtin::IsZero, [call_ok]), vec![Stmt::Expr(failed)]),
        crate::yul::require(mload(0x00)),
    ]
}
