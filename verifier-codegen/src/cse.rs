//! Common subexpressions of the quotient numerator, computed once.
//!
//! halo2 multiplies every constraint by its gate's selector, so the numerator repeats the same
//! subtrees: a selector polynomial once per constraint of its gate, a shifted evaluation in
//! several constraints. [`hoist`] finds every compound subtree (an `addmod`, `mulmod` or
//! `sub`) that the written-out numerator evaluates at least twice, stores it in a memory word
//! before the numerator, and reads it back with `mload` (6 gas) wherever it occurs. A subtree
//! is kept only while at least two places read it once the larger subtrees around it are
//! hoisted, so nothing is stored that is read once.

use std::collections::{BTreeMap, HashMap};

use halo2_proofs::halo2curves::bn256::Fr;

use crate::protocol::Expr as Poly;
use crate::yul::{mload, render, Builtin, Expr, Func, Num};

/// The numerator's terms with common subexpressions hoisted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hoisted {
    /// `(memory offset, expression)`, in evaluation order (each reads only earlier ones).
    pub definitions: Vec<(usize, Expr)>,
    /// The terms, reading hoisted subexpressions with `mload`.
    pub terms: Vec<Expr>,
}

/// Whether a node is arithmetic the numerator computes (leaves are loads and literals).
fn compound(e: &Expr) -> bool {
    matches!(e, Expr::Call(Func::Builtin(Builtin::AddMod | Builtin::MulMod | Builtin::Sub), _))
}

/// Store every repeated compound subtree of `terms` at `base + 0x20 * i`. Lower the terms from
/// polynomials with [`lift_constants`] applied first, so `c_1 t t u` and `c_2 t t u` share
/// `t t u`. `base` must lie above every memory word the terms read (the generator passes its free
/// memory pointer): reads of a slot are counted as `mload`s of its offset.
pub fn hoist(terms: &[Expr], base: usize) -> Hoisted {
    let mut counts: HashMap<&Expr, usize> = HashMap::new();
    for t in terms {
        t.visit(&mut |e| {
            if compound(e) {
                *counts.entry(e).or_default() += 1;
            }
        });
    }
    // Candidates, smaller (inner) subtrees first so a definition only reads earlier ones; ties
    // in the order of their text, so the layout is deterministic.
    let mut chosen: Vec<(String, &Expr)> = counts.into_iter().filter(|(_, n)| *n >= 2).map(|(e, _)| (render::expr(e), e)).collect();
    chosen.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(&b.0)));
    let mut chosen: Vec<&Expr> = chosen.into_iter().map(|(_, e)| e).collect();
    loop {
        let h = rewrite(terms, &chosen, base);
        let mut reads: HashMap<usize, usize> = HashMap::new();
        for e in h.terms.iter().chain(h.definitions.iter().map(|(_, d)| d)) {
            e.visit(&mut |e| {
                if let Expr::Call(Func::Builtin(Builtin::Mload), args) = e {
                    if let [Expr::Num(Num::Hex(at))] = args.as_slice() {
                        *reads.entry(*at).or_default() += 1;
                    }
                }
            });
        }
        let before = chosen.len();
        let mut i = 0;
        chosen.retain(|_| {
            let read = reads.get(&(base + 0x20 * i)).copied().unwrap_or(0);
            i += 1;
            read >= 2
        });
        if chosen.len() == before {
            return h;
        }
    }
}

/// The same polynomial with every product's constant factors multiplied together at its top:
/// `(c a) b` becomes `c (a b)` (field multiplication is associative and commutative).
pub fn lift_constants(e: &Poly) -> Poly {
    // (constant factor, the rest); `None` for a bare constant.
    fn split(e: Poly) -> (Fr, Option<Poly>) {
        match e {
            Poly::Constant(c) => (c, None),
            Poly::Scaled(x, c) => (c, Some(*x)),
            x => (Fr::one(), Some(x)),
        }
    }
    fn join(c: Fr, x: Option<Poly>) -> Poly {
        match x {
            None => Poly::Constant(c),
            Some(x) if c == Fr::one() => x,
            Some(x) => Poly::Scaled(Box::new(x), c),
        }
    }
    match e {
        Poly::Product(a, b) => {
            let ((ca, xa), (cb, xb)) = (split(lift_constants(a)), split(lift_constants(b)));
            let core = match (xa, xb) {
                (Some(a), Some(b)) => Some(Poly::Product(Box::new(a), Box::new(b))),
                (a, b) => a.or(b),
            };
            join(ca * cb, core)
        }
        Poly::Scaled(a, c) => {
            let (ca, xa) = split(lift_constants(a));
            join(ca * c, xa)
        }
        Poly::Negated(a) => Poly::Negated(Box::new(lift_constants(a))),
        Poly::Sum(a, b) => Poly::Sum(Box::new(lift_constants(a)), Box::new(lift_constants(b))),
        Poly::DistributePowers(es, s) => Poly::DistributePowers(es.iter().map(lift_constants).collect(), Box::new(lift_constants(s))),
        leaf => leaf.clone(),
    }
}

/// `terms` with each subtree in `chosen` read from its slot, and the slots' definitions.
fn rewrite(terms: &[Expr], chosen: &[&Expr], base: usize) -> Hoisted {
    let slot: HashMap<&Expr, usize> = chosen.iter().enumerate().map(|(i, e)| (*e, base + 0x20 * i)).collect();
    let mut definitions: BTreeMap<usize, Expr> = BTreeMap::new();
    fn go(e: &Expr, slot: &HashMap<&Expr, usize>, defs: &mut BTreeMap<usize, Expr>) -> Expr {
        let Expr::Call(f, args) = e else { return e.clone() };
        let out = Expr::Call(*f, args.iter().map(|a| go(a, slot, defs)).collect());
        match slot.get(e) {
            Some(&at) => {
                defs.entry(at).or_insert(out);
                mload(at)
            }
            None => out,
        }
    }
    let terms = terms.iter().map(|t| go(t, &slot, &mut definitions)).collect();
    Hoisted { definitions: definitions.into_iter().collect(), terms }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Query;
    use crate::yul::poly::{lower, tests::Named};

    fn p(poly: usize) -> Poly {
        Poly::Poly(Query { poly, rotation: 0 })
    }
    fn sum(a: Poly, b: Poly) -> Poly {
        Poly::Sum(Box::new(a), Box::new(b))
    }
    fn mul(a: Poly, b: Poly) -> Poly {
        Poly::Product(Box::new(a), Box::new(b))
    }

    /// Hoist polynomial terms (constants lifted, leaves named) and render the result.
    fn hoisted(terms: &[Poly], base: usize) -> (Vec<(usize, String)>, Vec<String>) {
        let lowered: Vec<Expr> = terms.iter().map(|t| lower(&lift_constants(t), &Named).unwrap()).collect();
        let h = hoist(&lowered, base);
        (h.definitions.iter().map(|(at, d)| (*at, render::expr(d))).collect(), h.terms.iter().map(render::expr).collect())
    }

    #[test]
    fn a_repeated_selector_is_computed_once() {
        // q (q - 2) times two different bodies.
        let sel = mul(p(0), sum(p(0), Poly::Constant(-Fr::from(2))));
        let (defs, terms) = hoisted(&[mul(sel.clone(), p(1)), mul(sel, sum(p(2), p(3)))], 0x100);
        let q = "mulmod(p0_0, addmod(p0_0, 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593efffffff, R), R)";
        assert_eq!(defs, vec![(0x100, q.to_string())]);
        assert_eq!(terms, vec!["mulmod(mload(0x100), p1_0, R)", "mulmod(mload(0x100), addmod(p2_0, p3_0, R), R)"]);
    }

    #[test]
    fn an_inner_subtree_read_only_through_its_parent_is_not_stored() {
        // (a + b) * c appears twice; a + b appears only inside it.
        let outer = mul(sum(p(0), p(1)), p(2));
        let (defs, terms) = hoisted(&[mul(outer.clone(), p(3)), mul(outer, p(4))], 0);
        assert_eq!(defs, vec![(0, "mulmod(addmod(p0_0, p1_0, R), p2_0, R)".to_string())]);
        assert_eq!(terms, vec!["mulmod(mload(0x0), p3_0, R)", "mulmod(mload(0x0), p4_0, R)"]);
    }

    #[test]
    fn nothing_repeated_is_left_as_it_was() {
        let (defs, terms) = hoisted(&[mul(p(0), p(1)), sum(p(2), p(3))], 0);
        assert!(defs.is_empty());
        assert_eq!(terms, vec!["mulmod(p0_0, p1_0, R)", "addmod(p2_0, p3_0, R)"]);
    }

    #[test]
    fn constants_leave_products_so_the_rest_is_shared() {
        // c_j t t u for two constants: t t u is computed once.
        let ttu = |c: u64| mul(mul(mul(Poly::Constant(Fr::from(c)), p(0)), p(0)), p(1));
        let (defs, terms) = hoisted(&[sum(ttu(5), p(2)), sum(ttu(7), p(3))], 0);
        assert_eq!(defs, vec![(0, "mulmod(mulmod(p0_0, p0_0, R), p1_0, R)".to_string())]);
        assert_eq!(terms, vec!["addmod(mulmod(mload(0x0), 5, R), p2_0, R)", "addmod(mulmod(mload(0x0), 7, R), p3_0, R)"]);
        // A product of constants folds to one.
        assert_eq!(lift_constants(&mul(Poly::Constant(Fr::from(2)), Poly::Constant(Fr::from(3)))), Poly::Constant(Fr::from(6)));
    }
}
