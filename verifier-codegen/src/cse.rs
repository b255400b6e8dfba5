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

use crate::protocol::Expr;
use crate::yul::{self, Leaves};

/// The numerator's terms with common subexpressions hoisted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hoisted {
    /// `(memory offset, expression)`, in evaluation order (each reads only earlier ones).
    pub definitions: Vec<(usize, String)>,
    /// The terms, reading hoisted subexpressions with `mload`.
    pub terms: Vec<String>,
}

/// Render `terms` with every repeated compound subtree stored at `base + 0x20 * i`. Constant
/// factors are first moved out of products ([`lift_constants`]), so `c_1 t t u` and `c_2 t t u`
/// share `t t u`. `base` must lie above every memory word the terms read (the generator passes
/// its free memory pointer): reads of a slot are counted by its `mload` text.
pub fn hoist(terms: &[Expr], leaves: &impl Leaves, base: usize) -> Hoisted {
    let terms: Vec<Expr> = terms.iter().map(lift_constants).collect();
    let terms = terms.as_slice();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for t in terms {
        yul::render(t, leaves, &mut |plain, out| {
            *counts.entry(plain.to_string()).or_default() += 1;
            out
        });
    }
    // Candidates, smaller (inner) subtrees first so a definition only reads earlier ones.
    let mut chosen: Vec<String> = counts.into_iter().filter(|(_, n)| *n >= 2).map(|(p, _)| p).collect();
    chosen.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    loop {
        let h = render(terms, leaves, &chosen, base);
        // Reads of each slot in the terms and in the other definitions.
        let text: String = h.terms.iter().chain(h.definitions.iter().map(|(_, d)| d)).map(String::as_str).collect();
        let before = chosen.len();
        let mut i = 0;
        chosen.retain(|_| {
            let read = text.matches(&format!("mload({:#x})", base + 0x20 * i)).count();
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
pub fn lift_constants(e: &Expr) -> Expr {
    // (constant factor, the rest); `None` for a bare constant.
    fn split(e: Expr) -> (Fr, Option<Expr>) {
        match e {
            Expr::Constant(c) => (c, None),
            Expr::Scaled(x, c) => (c, Some(*x)),
            x => (Fr::one(), Some(x)),
        }
    }
    fn join(c: Fr, x: Option<Expr>) -> Expr {
        match x {
            None => Expr::Constant(c),
            Some(x) if c == Fr::one() => x,
            Some(x) => Expr::Scaled(Box::new(x), c),
        }
    }
    match e {
        Expr::Product(a, b) => {
            let ((ca, xa), (cb, xb)) = (split(lift_constants(a)), split(lift_constants(b)));
            let core = match (xa, xb) {
                (Some(a), Some(b)) => Some(Expr::Product(Box::new(a), Box::new(b))),
                (a, b) => a.or(b),
            };
            join(ca * cb, core)
        }
        Expr::Scaled(a, c) => {
            let (ca, xa) = split(lift_constants(a));
            join(ca * c, xa)
        }
        Expr::Negated(a) => Expr::Negated(Box::new(lift_constants(a))),
        Expr::Sum(a, b) => Expr::Sum(Box::new(lift_constants(a)), Box::new(lift_constants(b))),
        Expr::DistributePowers(es, s) => Expr::DistributePowers(es.iter().map(lift_constants).collect(), Box::new(lift_constants(s))),
        leaf => leaf.clone(),
    }
}

fn render(terms: &[Expr], leaves: &impl Leaves, chosen: &[String], base: usize) -> Hoisted {
    let slot: HashMap<&str, usize> = chosen.iter().enumerate().map(|(i, p)| (p.as_str(), base + 0x20 * i)).collect();
    let mut definitions: BTreeMap<usize, String> = BTreeMap::new();
    let mut hook = |plain: &str, out: String| match slot.get(plain) {
        Some(&at) => {
            definitions.entry(at).or_insert(out);
            format!("mload({at:#x})")
        }
        None => out,
    };
    let terms = terms.iter().map(|t| yul::render(t, leaves, &mut hook).1).collect();
    Hoisted { definitions: definitions.into_iter().collect(), terms }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Common, Query};

    struct L;
    impl Leaves for L {
        fn poly(&self, q: Query) -> String {
            format!("p{}_{}", q.poly, q.rotation)
        }
        fn challenge(&self, i: usize) -> String {
            format!("c{i}")
        }
        fn common(&self, _: Common) -> String {
            "x".into()
        }
    }

    fn p(poly: usize) -> Expr {
        Expr::Poly(Query { poly, rotation: 0 })
    }
    fn sum(a: Expr, b: Expr) -> Expr {
        Expr::Sum(Box::new(a), Box::new(b))
    }
    fn mul(a: Expr, b: Expr) -> Expr {
        Expr::Product(Box::new(a), Box::new(b))
    }

    #[test]
    fn a_repeated_selector_is_computed_once() {
        // q (q - 2) times two different bodies.
        let sel = mul(p(0), sum(p(0), Expr::Constant(-Fr::from(2))));
        let terms = [mul(sel.clone(), p(1)), mul(sel, sum(p(2), p(3)))];
        let h = hoist(&terms, &L, 0x100);
        let q = "mulmod(p0_0, addmod(p0_0, 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593efffffff, R), R)";
        assert_eq!(h.definitions, vec![(0x100, q.to_string())]);
        assert_eq!(h.terms, vec!["mulmod(mload(0x100), p1_0, R)", "mulmod(mload(0x100), addmod(p2_0, p3_0, R), R)"]);
    }

    #[test]
    fn an_inner_subtree_read_only_through_its_parent_is_not_stored() {
        // (a + b) * c appears twice; a + b appears only inside it.
        let inner = sum(p(0), p(1));
        let outer = mul(inner, p(2));
        let terms = [mul(outer.clone(), p(3)), mul(outer, p(4))];
        let h = hoist(&terms, &L, 0);
        assert_eq!(h.definitions, vec![(0, "mulmod(addmod(p0_0, p1_0, R), p2_0, R)".to_string())]);
        assert_eq!(h.terms, vec!["mulmod(mload(0x0), p3_0, R)", "mulmod(mload(0x0), p4_0, R)"]);
    }

    #[test]
    fn nothing_repeated_renders_as_before() {
        let terms = [mul(p(0), p(1)), sum(p(2), p(3))];
        let h = hoist(&terms, &L, 0);
        assert!(h.definitions.is_empty());
        assert_eq!(h.terms, terms.iter().map(|t| yul::expr(t, &L)).collect::<Vec<_>>());
    }

    #[test]
    fn constants_leave_products_so_the_rest_is_shared() {
        // c_j t t u for two constants: t t u is computed once.
        let ttu = |c: u64| mul(mul(mul(Expr::Constant(Fr::from(c)), p(0)), p(0)), p(1));
        let terms = [sum(ttu(5), p(2)), sum(ttu(7), p(3))];
        let h = hoist(&terms, &L, 0);
        assert_eq!(h.definitions, vec![(0, "mulmod(mulmod(p0_0, p0_0, R), p1_0, R)".to_string())]);
        assert_eq!(h.terms, vec!["addmod(mulmod(mload(0x0), 5, R), p2_0, R)", "addmod(mulmod(mload(0x0), 7, R), p3_0, R)"]);
        // A product of constants folds to one.
        assert_eq!(lift_constants(&mul(Expr::Constant(Fr::from(2)), Expr::Constant(Fr::from(3)))), Expr::Constant(Fr::from(6)));
    }
}
