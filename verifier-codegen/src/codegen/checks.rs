//! Step 1 and 2: the calldata's shape, every public input below r, every proof point on the curve
//! (coordinates below p) and every proof scalar below r. Malformed input reverts before anything
//! is computed.

use crate::protocol::Protocol;
use crate::stack;
use crate::yul::literal::selector;
use crate::yul::{call, calldataload, dec, hex, require, revert_unless, Builtin, Expr, Func, Stmt, P, R};

use super::layout::{Calldata, PROOF_DATA};

/// The input checks, and the statement that puts the moduli in place (before any use of `r`).
pub fn input_checks(p: &Protocol, cd: &Calldata) -> Vec<Stmt> {
    let mut body = vec![Stmt::Section("Calldata shape: the canonical encoding with the exact lengths.".into()), calldata_shape(cd)];
    // R lives on the stack as `r`, the last long-lived variable, and in memory at 0xe0 for the
    // uses a DUP cannot reach; P in memory at 0xc0 (`stack` places every use).
    body.push(stack::init());
    body.push(Stmt::Section("Public inputs below r.".into()));
    for i in 0..cd.num_instance {
        let below_r = call(Builtin::Lt, [calldataload(cd.instance(i)), R]);
        let revert = Expr::Call(Func::RevertIndex, vec![selector("PublicInputNotInField(uint256)"), dec(i as u64)]);
        body.push(Stmt::If(call(Builtin::IsZero, [below_r]), vec![Stmt::Expr(revert)]));
    }
    body.push(Stmt::Section("Proof points on the curve with coordinates below p; evaluations below r.".into()));
    body.push(proof_values(p, cd));
    body.push(revert_unless(Expr::Var("ok"), selector("MalformedProof()")));
    body
}

fn and(a: Expr, b: Expr) -> Expr {
    call(Builtin::And, [a, b])
}

fn eq(a: Expr, b: Expr) -> Expr {
    call(Builtin::Eq, [a, b])
}

fn calldata_shape(cd: &Calldata) -> Stmt {
    let var = Expr::Var;
    let size = eq(call(Builtin::CalldataSize, []), hex(cd.len));
    let proof = and(eq(var("proof.offset"), hex(PROOF_DATA)), eq(var("proof.length"), hex(cd.proof_len)));
    let instances = and(eq(var("instances.offset"), hex(cd.instances)), eq(var("instances.length"), dec(cd.num_instance as u64)));
    revert_unless(and(and(size, proof), instances), selector("MalformedCalldata()"))
}

/// Every point on `y^2 = x^3 + 3` with coordinates below p, every evaluation and the hint below r,
/// folded into `ok`. P is read from memory once into `p`; the checks then `DUP` it.
fn proof_values(p: &Protocol, cd: &Calldata) -> Stmt {
    let (px, py, pp) = (Expr::Var("px"), Expr::Var("py"), Expr::Var("p"));
    let mulmod_p = |a: Expr, b: Expr| call(Builtin::MulMod, [a, b, pp.clone()]);
    let on_curve = eq(
        mulmod_p(py.clone(), py.clone()),
        call(Builtin::AddMod, [mulmod_p(px.clone(), mulmod_p(px.clone(), px.clone())), dec(3), pp.clone()]),
    );
    let in_range = and(call(Builtin::Lt, [px.clone(), pp.clone()]), call(Builtin::Lt, [py.clone(), pp.clone()]));
    let mut block = vec![Stmt::Line(vec![Stmt::Let(vec!["px", "py"], None), Stmt::Let(vec!["p"], Some(P))])];
    for off in cd.points(p.num_chunk) {
        block.push(Stmt::Line(vec![
            Stmt::Assign("px", calldataload(off)),
            Stmt::Assign("py", calldataload(off + 0x20)),
            require(and(in_range.clone(), on_curve.clone())),
        ]));
    }
    for i in 0..p.evaluations.len() {
        block.push(require(call(Builtin::Lt, [calldataload(cd.evals + 0x20 * i), R])));
    }
    block.push(require(call(Builtin::Lt, [calldataload(cd.hint), R])).note("the inversion hint"));
    Stmt::Block(block)
}
