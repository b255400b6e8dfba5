//! Step 5: the quotient identity at `x`. The numerator (every gate, the permutation argument,
//! the instance column) is evaluated from the proof's openings, its shared subexpressions first
//! ([`crate::cse`]), and divided by `x^n - 1`: `h(x)`, which the opening argument then checks
//! against the quotient commitments.

use crate::cse;
use crate::error::{Error, Result};
use crate::protocol::{Expr as Poly, Protocol, Query};
use crate::yul::poly::lower;
use crate::yul::{addmod, mload, mstore, mulmod, Expr, Stmt};

use super::inversion::Inverses;
use super::layout::{Memory, Openings};

fn unopened(q: Query) -> Error {
    Error::Unsupported(format!("the quotient reads polynomial {} at rotation {}, which the proof does not open", q.poly, q.rotation))
}

/// The numerator's statements; `h(x)` ends up in the returned memory word.
pub fn quotient(p: &Protocol, open: &Openings, inv: &Inverses, mem: &mut Memory) -> Result<(usize, Vec<Stmt>)> {
    let at = mem.alloc("quotient evaluation h(x) = numerator / (x^n - 1)");
    let mut body = vec![Stmt::Section("Quotient numerator (all gates and the permutation argument), then h(x).".into())];
    let divided = |num: Expr| mstore(at, mulmod(num, mload(inv.vanishing)));
    match &p.numerator {
        Poly::DistributePowers(es, y) if !es.is_empty() => {
            // Subtrees the constraints share (selectors above all) are computed once, first, into
            // words from the free memory pointer on (nothing else reads there, so counting the
            // reads of a slot by its `mload`s is exact).
            let terms =
                es.iter().map(|e| lower(&cse::lift_constants(e), open)).collect::<std::result::Result<Vec<_>, _>>().map_err(unopened)?;
            let base = mem.next;
            let h = cse::hoist(&terms, base);
            if !h.definitions.is_empty() {
                let first = mem.alloc_n(h.definitions.len(), "subexpressions shared by the quotient's constraints");
                debug_assert_eq!(first, base);
            }
            body.extend(h.definitions.into_iter().map(|(at, d)| mstore(at, d)));
            let y = lower(y, open).map_err(unopened)?;
            let mut block = vec![Stmt::Let(vec!["y"], Some(y))];
            let mut terms = h.terms.into_iter();
            block.extend(terms.next().map(|t| Stmt::Let(vec!["num"], Some(t))));
            block.extend(terms.map(|t| Stmt::Assign("num", addmod(mulmod(Expr::Var("num"), Expr::Var("y")), t))));
            block.push(divided(Expr::Var("num")));
            body.push(Stmt::Block(block));
        }
        other => body.push(divided(lower(other, open).map_err(unopened)?)),
    }
    Ok((at, body))
}
