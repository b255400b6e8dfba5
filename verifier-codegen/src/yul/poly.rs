//! The quotient's polynomial expressions as Yul expressions.

use halo2_proofs::halo2curves::bn256::Fr;

use super::literal::fr;
use super::{addmod, mulmod, neg, Expr};
use crate::protocol::{self, Common, Query};

/// Where the lowering reads each leaf of a polynomial expression from.
pub trait Leaves {
    /// An opened polynomial at `x * omega^rotation`, or `None` when the proof does not open it.
    fn poly(&self, q: Query) -> Option<Expr>;
    /// A challenge by protocol index.
    fn challenge(&self, i: usize) -> Expr;
    /// A common polynomial at `x`.
    fn common(&self, c: Common) -> Expr;
}

/// `e` as one Yul expression over field elements (every value reduced below r, except `sub(R, a)`
/// which is at most r; `addmod` and `mulmod` accept any 256-bit input). `DistributePowers` is
/// expanded in place (Horner). Products by one disappear and negated constants fold. The error is
/// the first polynomial query that has no source.
pub fn lower(e: &protocol::Expr, leaves: &impl Leaves) -> Result<Expr, Query> {
    use protocol::Expr as P;
    Ok(match e {
        P::Constant(c) => fr(c),
        P::Common(c) => leaves.common(*c),
        P::Poly(q) => leaves.poly(*q).ok_or(*q)?,
        P::Challenge(i) => leaves.challenge(*i),
        P::Negated(a) => match a.as_ref() {
            P::Constant(c) => fr(&-*c),
            _ => neg(lower(a, leaves)?),
        },
        P::Sum(a, b) => addmod(lower(a, leaves)?, lower(b, leaves)?),
        P::Product(a, b) => match (a.as_ref(), b.as_ref()) {
            (P::Constant(c), x) | (x, P::Constant(c)) if *c == Fr::one() => lower(x, leaves)?,
            _ => mulmod(lower(a, leaves)?, lower(b, leaves)?),
        },
        P::Scaled(a, c) if *c == Fr::one() => lower(a, leaves)?,
        P::Scaled(a, c) => mulmod(lower(a, leaves)?, fr(c)),
        P::DistributePowers(es, s) => {
            let s = lower(s, leaves)?;
            let mut acc: Option<Expr> = None;
            for e in es {
                let e = lower(e, leaves)?;
                acc = Some(match acc {
                    None => e,
                    Some(a) => addmod(mulmod(a, s.clone()), e),
                });
            }
            acc.unwrap_or(super::dec(0))
        }
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::yul::render;

    /// Leaves named after what they are: `p<poly>_<rotation>`, `c<i>`, `x`.
    pub struct Named;
    impl Leaves for Named {
        fn poly(&self, q: Query) -> Option<Expr> {
            (q.poly < 100).then(|| Expr::Var(Box::leak(format!("p{}_{}", q.poly, q.rotation).into_boxed_str())))
        }
        fn challenge(&self, i: usize) -> Expr {
            Expr::Var(Box::leak(format!("c{i}").into_boxed_str()))
        }
        fn common(&self, _: Common) -> Expr {
            Expr::Var("x")
        }
    }

    fn p(poly: usize) -> protocol::Expr {
        protocol::Expr::Poly(Query { poly, rotation: 0 })
    }

    #[test]
    fn lowering_folds_ones_and_negated_constants_and_expands_horner() {
        use protocol::Expr as P;
        let one = P::Constant(Fr::one());
        let e = P::Sum(Box::new(P::Product(Box::new(one), Box::new(p(0)))), Box::new(P::Negated(Box::new(P::Constant(Fr::from(1))))));
        assert_eq!(
            render::expr(&lower(&e, &Named).unwrap()),
            "addmod(p0_0, 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000, R)"
        );
        let h = P::DistributePowers(vec![p(0), p(1), p(2)], Box::new(P::Challenge(0)));
        assert_eq!(render::expr(&lower(&h, &Named).unwrap()), "addmod(mulmod(addmod(mulmod(p0_0, c0, R), p1_0, R), c0, R), p2_0, R)");
        assert_eq!(lower(&P::Negated(Box::new(p(100))), &Named), Err(Query { poly: 100, rotation: 0 }));
    }
}
