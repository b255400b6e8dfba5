//! Step 4: every denominator the verifier divides by, inverted together. The inverse of their
//! product is the proof's last word (the inversion hint, `zkcredit_protocol::hint`), checked with
//! one `mulmod`, so no modexp is needed. Then the Lagrange basis and the instance column at `x`.

use std::collections::BTreeMap;

use crate::protocol::{Denominator, Protocol};
use crate::yul::literal::fr;
use crate::yul::{addmod, call, calldataload, dec, mload, mstore, mulmod, neg, product, require, sum, Builtin, Expr, Stmt};

use super::layout::{Calldata, Memory};
use super::transcript::Challenges;

/// Where the inverses (and the values derived from them) are kept.
#[derive(Clone, Debug)]
pub struct Inverses {
    /// `x^n`.
    pub xn: usize,
    /// `(x^n - 1) / n`.
    pub xn1_ninv: usize,
    /// `L_i(x)`, by `i` (first `1 / (x w^-i - 1)`).
    pub lagrange: BTreeMap<i32, usize>,
    /// `1 / (x^n - 1)`.
    pub vanishing: usize,
    /// `1 / (u - x w^r)`, by rotation `r`.
    pub opening: BTreeMap<i32, usize>,
    /// `1 / x`.
    pub x: usize,
    /// `Z_0`: the vanishing polynomial of the first rotation set at `u`.
    pub z0: usize,
}

/// `x^n` by repeated squaring, the denominators, `Z_0`, and the batch inversion.
pub fn inverses(p: &Protocol, cd: &Calldata, ch: &Challenges, mem: &mut Memory) -> (Inverses, Vec<Stmt>) {
    let (x, u) = (ch.x, ch.u);
    let xn = mem.alloc("x^n");
    let xn1_ninv = mem.alloc("(x^n - 1) / n");
    let mut body = vec![Stmt::Section("x^n by repeated squaring.".into())];
    let v = || Expr::Var("v");
    let mut square = vec![Stmt::Let(vec!["v"], Some(mload(x)))];
    square.extend((0..p.k).map(|_| Stmt::Assign("v", mulmod(v(), v()))));
    square.push(Stmt::Line(vec![mstore(xn, v()), mstore(xn1_ninv, mulmod(addmod(v(), neg(dec(1))), fr(&p.n_inv)))]));
    body.push(Stmt::Block(square));

    let denominators = p.denominators();
    let n = denominators.len();
    let base = mem.alloc_n(n, "values to invert, then their inverses: x w^-i - 1 (Lagrange), x^n - 1, u - x w^r, x");
    let prefix = mem.alloc_n(n.saturating_sub(1), "prefix products of the batch inversion");
    body.push(Stmt::Section("Denominators: x w^-i - 1 for each Lagrange basis polynomial, x^n - 1, u - x w^r per rotation, x.".into()));
    let mut inv = Inverses { xn, xn1_ninv, lagrange: BTreeMap::new(), vanishing: 0, opening: BTreeMap::new(), x: 0, z0: 0 };
    for (k, d) in denominators.iter().enumerate() {
        let slot = base + 0x20 * k;
        body.push(match *d {
            Denominator::Lagrange(i) => {
                inv.lagrange.insert(i, slot);
                mstore(slot, addmod(mulmod(mload(x), fr(&p.omega_pow(-i))), neg(dec(1)))).note(format!("x w^-{i} - 1"))
            }
            Denominator::Vanishing => {
                inv.vanishing = slot;
                mstore(slot, addmod(mload(xn), neg(dec(1)))).note("x^n - 1")
            }
            Denominator::Opening(r) => {
                inv.opening.insert(r, slot);
                mstore(slot, addmod(mload(u), mulmod(mload(x), fr(&-p.omega_pow(r))))).note(format!("u - x w^{r}"))
            }
            Denominator::X => {
                inv.x = slot;
                mstore(slot, mload(x)).note("x")
            }
        });
    }
    // Z_0 = prod over the first set's rotations of (u - x w^r), needed before the inversion.
    inv.z0 = mem.alloc("Z_0 = vanishing polynomial of the first rotation set at u");
    let first_set = p.query_sets().into_iter().next().map(|s| s.rotations).unwrap_or_default();
    body.push(mstore(inv.z0, product(first_set.iter().map(|r| mload(inv.opening[r])))));
    body.push(Stmt::Section(
        "Batch inversion (Montgomery): prefix products; the inverse of their product is the proof's hint, checked here.".into(),
    ));
    body.push(Stmt::Block(batch_inversion(n, base, prefix, cd.hint)));
    (inv, body)
}

/// Montgomery's trick over the `n` words at `base`: prefix products into `prefix`, the product's
/// inverse from the hint (checked), then each word replaced by its inverse.
fn batch_inversion(n: usize, base: usize, prefix: usize, hint: usize) -> Vec<Stmt> {
    let var = Expr::Var;
    let mut block = vec![Stmt::Let(vec!["acc"], Some(mload(base)))];
    for i in 1..n {
        block.push(Stmt::Line(vec![
            mstore(prefix + 0x20 * (i - 1), var("acc")),
            Stmt::Assign("acc", mulmod(var("acc"), mload(base + 0x20 * i))),
        ]));
    }
    block.push(Stmt::Let(vec!["inv"], Some(calldataload(hint))));
    block.push(require(call(Builtin::Eq, [mulmod(var("acc"), var("inv")), dec(1)])));
    block.push(Stmt::Let(vec!["v"], None));
    for i in (1..n).rev() {
        let (si, pi) = (base + 0x20 * i, prefix + 0x20 * (i - 1));
        block.push(Stmt::Line(vec![
            Stmt::Assign("v", mload(si)),
            mstore(si, mulmod(var("inv"), mload(pi))),
            Stmt::Assign("inv", mulmod(var("inv"), var("v"))),
        ]));
    }
    block.push(mstore(base, var("inv")));
    block
}

/// `L_i(x)` from its inverted denominator, and the instance column at each rotation it is read.
/// Returns the memory word of the instance column at each rotation.
pub fn instance_column(p: &Protocol, cd: &Calldata, inv: &Inverses, mem: &mut Memory) -> (BTreeMap<i32, usize>, Vec<Stmt>) {
    let mut body =
        vec![Stmt::Section("Lagrange basis at x: L_i(x) = w^i (x^n - 1) / (n (x - w^i)) = ((x^n - 1) / n) / (x w^-i - 1).".into())];
    for &s in inv.lagrange.values() {
        body.push(mstore(s, mulmod(mload(s), mload(inv.xn1_ninv))));
    }
    let mut slots = BTreeMap::new();
    for r in p.instance_rotations() {
        let s = mem.alloc(&format!("instance column at x w^{r}"));
        slots.insert(r, s);
        let terms = (0..p.num_instance).map(|i| mulmod(calldataload(cd.instance(i)), mload(inv.lagrange[&(i as i32 - r)])));
        body.push(Stmt::Section(format!("Instance column at x w^{r}: sum of public input i times L_(i - {r})(x).")));
        body.push(mstore(s, sum(terms)));
    }
    (slots, body)
}
