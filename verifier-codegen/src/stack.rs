//! Where the moduli come from at each use, decided by stack depth.
//!
//! The generator writes the moduli as [`Expr::Mod`]. A 32-byte `PUSH` at each of their hundreds
//! of uses would double the bytecode, so `P` (used only by the point checks, which read it once
//! into a local) is read from memory at 0xc0, and `R` from the stack variable `r` wherever a `DUP`
//! reaches it (3 gas, 1 byte), else from memory at 0xe0 (6 gas, 3 bytes).
//!
//! The reach is computed on the tree: solc's legacy code generator evaluates a call's arguments
//! right to left, so argument `k` of `n` is evaluated with `n - k` values already pushed (one more,
//! the return label, for a user-defined function); every block-local variable declared after `r`
//! and still in scope takes one more slot; and a `DUP` reaches 16. `addmod` and `mulmod` commute
//! in their first two arguments, so the deeper one is moved to the second place, where it waits on
//! one pushed value instead of two.

use crate::yul::{call, hex, mstore, Builtin, Expr, Func, Modulus, Stmt};

/// Memory word holding P.
const P_AT: usize = 0xc0;
/// Memory word holding R (for uses a `DUP` cannot reach).
const R_AT: usize = 0xe0;

/// The statements that put the moduli in place: `P` at 0xc0, `R` at 0xe0 and in the stack
/// variable `r`. They must come before any use; uses before them stay the Solidity constants.
pub fn init() -> Stmt {
    Stmt::Line(vec![mstore(P_AT, Expr::Var("P")), mstore(R_AT, Expr::Var("R")), Stmt::Let(vec!["r"], Some(Expr::Var("R")))])
}

/// The deepest stack slot a `DUP` reaches.
const DUP_REACH: usize = 16;

/// Place every modulus in `body` (see the module docs), reordering commutative arguments first.
pub fn place(body: &mut [Stmt]) {
    let mut scope = Scope { r_declared: false, above_r: 0 };
    place_block(body, &mut scope);
}

/// What is on the stack above `r` at the statement being placed.
#[derive(Clone, Copy)]
struct Scope {
    r_declared: bool,
    /// Block-local variables declared after `r` and still in scope.
    above_r: usize,
}

fn place_block(body: &mut [Stmt], scope: &mut Scope) {
    let outer = *scope;
    for s in body.iter_mut() {
        place_stmt(s, scope);
    }
    // The block's variables end with it; `r` itself is declared at the top level.
    scope.above_r = outer.above_r;
}

fn place_stmt(s: &mut Stmt, scope: &mut Scope) {
    match s {
        Stmt::Expr(e) | Stmt::Assign(_, e) => place_root(e, 0, *scope),
        Stmt::Let(names, value) => {
            if let Some(v) = value {
                place_root(v, 0, *scope);
            }
            if names.contains(&"r") {
                scope.r_declared = true;
            } else if scope.r_declared {
                scope.above_r += names.len();
            }
        }
        Stmt::If(cond, body) => {
            place_root(cond, 0, *scope);
            place_block(body, &mut scope.clone());
        }
        Stmt::Block(body) => place_block(body, &mut scope.clone()),
        Stmt::Line(parts) => parts.iter_mut().for_each(|p| place_stmt(p, scope)),
        Stmt::Note(inner, _) => place_stmt(inner, scope),
        Stmt::Section(_) | Stmt::Comment(_) => {}
    }
}

/// Most values pending on the stack, relative to this expression's own evaluation, at any leaf.
fn height(e: &Expr) -> usize {
    match e {
        Expr::Call(f, args) => {
            let n = args.len();
            let extra = usize::from(f.pushes_return_label());
            args.iter().enumerate().map(|(k, a)| height(a) + (n - 1 - k) + extra).max().unwrap_or(0)
        }
        _ => 0,
    }
}

/// Move the deeper operand of every `addmod` and `mulmod` second, bottom-up (an operand's depth
/// depends on how its own operands were ordered).
fn reorder(e: &mut Expr) {
    if let Expr::Call(f, args) = e {
        args.iter_mut().for_each(reorder);
        if matches!(f, Func::Builtin(Builtin::AddMod | Builtin::MulMod)) && args.len() == 3 && height(&args[0]) > height(&args[1]) {
            args.swap(0, 1);
        }
    }
}

/// Reorder `e`, then place its moduli with `pending` values already on the stack.
fn place_root(e: &mut Expr, pending: usize, scope: Scope) {
    reorder(e);
    place_expr(e, pending, scope);
}

fn place_expr(e: &mut Expr, pending: usize, scope: Scope) {
    match e {
        Expr::Mod(Modulus::P) => *e = call(Builtin::Mload, [hex(P_AT)]),
        Expr::Mod(Modulus::R) if !scope.r_declared => *e = Expr::Var("R"),
        Expr::Mod(Modulus::R) => {
            let depth = pending + scope.above_r + 1;
            *e = if depth <= DUP_REACH { Expr::Var("r") } else { call(Builtin::Mload, [hex(R_AT)]) };
        }
        Expr::Call(f, args) => {
            let n = args.len();
            let extra = usize::from(f.pushes_return_label());
            for (k, a) in args.iter_mut().enumerate() {
                place_expr(a, pending + (n - 1 - k) + extra, scope);
            }
        }
        Expr::Num(_) | Expr::Var(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yul::render::{expr, lines};
    use crate::yul::{addmod, dec, neg, require, Stmt, P, R};

    fn v(name: &'static str) -> Expr {
        Expr::Var(name)
    }

    fn placed(body: Vec<Stmt>) -> Vec<String> {
        let mut body = [vec![init()], body].concat();
        place(&mut body);
        lines(&body[1..])
    }

    #[test]
    fn shallow_r_from_the_stack_deep_r_from_memory() {
        assert_eq!(placed(vec![require(call(Builtin::Lt, [v("a"), R]))]), ["ok := and(ok, lt(a, r))"]);
        assert_eq!(placed(vec![Stmt::Assign("px", call(Builtin::MulMod, [v("px"), v("px"), P]))]), ["px := mulmod(px, px, mload(0xc0))"]);
        // The deeper operand moves second: a left-deep chain becomes right-deep.
        assert_eq!(placed(vec![Stmt::Assign("x", addmod(addmod(v("a"), v("b")), v("c")))]), ["x := addmod(c, addmod(a, b, r), r)"]);
        // Each level of a right-deep chain waits on one pushed value (the modulus): at the top
        // level r is reached through 15 pending values.
        let mut deep = v("a");
        for _ in 0..17 {
            deep = addmod(v("x"), deep);
        }
        let top = placed(vec![Stmt::Assign("y", deep.clone())]);
        assert_eq!(top[0].matches("mload(0xe0)").count(), 17 - DUP_REACH);
        // Three locals declared after r take three slots.
        let locals = placed(vec![Stmt::Block(vec![Stmt::Let(vec!["u", "w", "z"], None), Stmt::Assign("y", deep)])]);
        assert_eq!(locals[2].matches("mload(0xe0)").count(), 17 - DUP_REACH + 3);
        // Before `let r`, R is the Solidity constant.
        let mut early = vec![Stmt::Expr(neg(dec(1))), init()];
        place(&mut early);
        assert_eq!(
            expr(match &early[0] {
                Stmt::Expr(e) => e,
                _ => unreachable!(),
            }),
            "sub(R, 1)"
        );
    }

    #[test]
    fn user_functions_push_their_return_label() {
        let e = Expr::Call(Func::EcMulAcc, vec![neg(v("x"))]);
        assert_eq!(height(&e), 2);
        assert_eq!(placed(vec![require(e)]), ["ok := and(ok, ec_mul_acc(sub(r, x)))"]);
    }
}
