//! Small helpers to write Yul: literals of field elements and points, and the quotient
//! expression as nested `addmod`/`mulmod` calls.
//!
//! Every value the generated code keeps is reduced below r, except the result of `sub(R, a)`
//! which is at most r; `addmod` and `mulmod` accept any 256-bit inputs, so these never leak.

use halo2_proofs::halo2curves::bn256::{Fq, Fr, G1Affine, G2Affine};
use halo2_proofs::halo2curves::ff::PrimeField;

use crate::protocol::{Common, Expr, Query};

/// A big-endian hex literal of a scalar-field element.
pub fn fr(v: &Fr) -> String {
    let mut b = v.to_repr();
    b.as_mut().reverse();
    trim_literal(&hex::encode(b))
}

/// A big-endian hex literal of a base-field element.
pub fn fq(v: &Fq) -> String {
    let mut b = v.to_repr();
    b.as_mut().reverse();
    trim_literal(&hex::encode(b))
}

fn trim_literal(h: &str) -> String {
    let t = h.trim_start_matches('0');
    if t.is_empty() {
        "0".into()
    } else if t.len() <= 4 {
        // Small numbers read better in decimal.
        u64::from_str_radix(t, 16).map(|v| v.to_string()).unwrap_or_else(|_| format!("0x{t}"))
    } else {
        format!("0x{t}")
    }
}

/// The 32-byte big-endian words of a G1 point: `[x, y]`.
pub fn g1_words(p: &G1Affine) -> [String; 2] {
    [fq(&p.x), fq(&p.y)]
}

/// The EIP-197 words of a G2 point: `[x_im, x_re, y_im, y_re]`.
pub fn g2_words(p: &G2Affine) -> [String; 4] {
    [fq(&p.x.c1), fq(&p.x.c0), fq(&p.y.c1), fq(&p.y.c0)]
}

/// How the generator reads each leaf of an expression.
pub trait Leaves {
    /// An opened polynomial at `x * omega^rotation`.
    fn poly(&self, q: Query) -> String;
    /// A challenge by protocol index.
    fn challenge(&self, i: usize) -> String;
    /// A common polynomial at `x`.
    fn common(&self, c: Common) -> String;
}

/// Emit `e` as one Yul expression. `DistributePowers` is expanded in place (Horner).
pub fn expr(e: &Expr, leaves: &impl Leaves) -> String {
    render(e, leaves, &mut |_, out| out).1
}

/// Render `e` bottom-up as `(plain, out)`: `plain` is the expression written out in full, `out`
/// the text its parent uses, which is `hook(plain, out)` for every compound node (the
/// common-subexpression pass, [`crate::cse`], replaces some nodes by memory loads there). Leaves
/// and constants are never passed to the hook.
pub fn render(e: &Expr, leaves: &impl Leaves, hook: &mut dyn FnMut(&str, String) -> String) -> (String, String) {
    let node = |plain: String, out: String, hook: &mut dyn FnMut(&str, String) -> String| {
        let out = hook(&plain, out);
        (plain, out)
    };
    match e {
        Expr::Constant(c) => (fr(c), fr(c)),
        Expr::Common(c) => (leaves.common(*c), leaves.common(*c)),
        Expr::Poly(q) => (leaves.poly(*q), leaves.poly(*q)),
        Expr::Challenge(i) => (leaves.challenge(*i), leaves.challenge(*i)),
        Expr::Negated(a) => match a.as_ref() {
            Expr::Constant(c) => (fr(&-*c), fr(&-*c)),
            _ => {
                let (pa, oa) = render(a, leaves, hook);
                node(format!("sub(R, {pa})"), format!("sub(R, {oa})"), hook)
            }
        },
        Expr::Sum(a, b) => {
            let ((pa, oa), (pb, ob)) = (render(a, leaves, hook), render(b, leaves, hook));
            node(format!("addmod({pa}, {pb}, R)"), format!("addmod({oa}, {ob}, R)"), hook)
        }
        Expr::Product(a, b) => match (a.as_ref(), b.as_ref()) {
            (Expr::Constant(c), x) | (x, Expr::Constant(c)) if *c == Fr::one() => render(x, leaves, hook),
            _ => {
                let ((pa, oa), (pb, ob)) = (render(a, leaves, hook), render(b, leaves, hook));
                node(format!("mulmod({pa}, {pb}, R)"), format!("mulmod({oa}, {ob}, R)"), hook)
            }
        },
        Expr::Scaled(a, c) => {
            let (pa, oa) = render(a, leaves, hook);
            if *c == Fr::one() {
                (pa, oa)
            } else {
                node(format!("mulmod({pa}, {}, R)", fr(c)), format!("mulmod({oa}, {}, R)", fr(c)), hook)
            }
        }
        Expr::DistributePowers(es, s) => {
            let (ps, os) = render(s, leaves, hook);
            let (mut plain, mut out) = match es.first() {
                Some(e0) => render(e0, leaves, hook),
                None => ("0".into(), "0".into()),
            };
            for e in es.iter().skip(1) {
                let (pe, oe) = render(e, leaves, hook);
                plain = format!("addmod(mulmod({plain}, {ps}, R), {pe}, R)");
                out = format!("addmod(mulmod({out}, {os}, R), {oe}, R)");
            }
            if es.len() > 1 {
                node(plain, out, hook)
            } else {
                (plain, out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_big_endian_and_trimmed() {
        assert_eq!(fr(&Fr::from(0)), "0");
        assert_eq!(fr(&Fr::from(2)), "2");
        assert_eq!(fr(&Fr::from(0x1_0000)), "0x10000");
        assert_eq!(fr(&-Fr::one()), "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000");
    }
}
