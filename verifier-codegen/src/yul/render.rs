//! The tree written out as Yul text, once, after every pass.

use std::fmt::Write as _;

use super::{Expr, Modulus, Num, Stmt};

/// The indentation of one block level.
const INDENT: &str = "    ";

/// One expression on one line. A modulus not yet placed is written as the Solidity constant
/// (`R`, `P`): correct, only a 32-byte push at each use.
pub fn expr(e: &Expr) -> String {
    let mut out = String::new();
    write_expr(e, &mut out);
    out
}

fn write_expr(e: &Expr, out: &mut String) {
    match e {
        Expr::Num(Num::Hex(v)) => {
            let _ = write!(out, "{v:#x}");
        }
        Expr::Num(Num::Dec(v)) => {
            let _ = write!(out, "{v}");
        }
        Expr::Num(Num::Word(w)) => {
            let _ = write!(out, "{w}");
        }
        Expr::Num(Num::Selector(s)) => {
            let _ = write!(out, "0x{}", hex::encode(s));
        }
        Expr::Var(name) => out.push_str(name),
        Expr::Mod(Modulus::R) => out.push('R'),
        Expr::Mod(Modulus::P) => out.push('P'),
        Expr::Call(f, args) => {
            out.push_str(f.name());
            out.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(a, out);
            }
            out.push(')');
        }
    }
}

/// The statements as lines, without indentation at the top level.
pub fn lines(body: &[Stmt]) -> Vec<String> {
    let mut out = Vec::new();
    for s in body {
        write_stmt(s, 0, &mut out);
    }
    out
}

/// A statement that fits on one line, or `None` for a block.
fn inline(s: &Stmt) -> Option<String> {
    Some(match s {
        Stmt::Expr(e) => expr(e),
        Stmt::Let(names, None) => format!("let {}", names.join(", ")),
        Stmt::Let(names, Some(v)) => format!("let {} := {}", names.join(", "), expr(v)),
        Stmt::Assign(name, v) => format!("{name} := {}", expr(v)),
        Stmt::If(cond, body) => match body.as_slice() {
            [one] => format!("if {} {{ {} }}", expr(cond), inline(one)?),
            _ => return None,
        },
        Stmt::Line(parts) => parts.iter().map(inline).collect::<Option<Vec<_>>>()?.join(" "),
        Stmt::Note(s, note) => format!("{} // {note}", inline(s)?),
        Stmt::Comment(text) => format!("// {text}"),
        Stmt::Block(_) | Stmt::Section(_) => return None,
    })
}

fn write_stmt(s: &Stmt, depth: usize, out: &mut Vec<String>) {
    let pad = INDENT.repeat(depth);
    if let Some(line) = inline(s) {
        out.push(format!("{pad}{line}"));
        return;
    }
    match s {
        Stmt::Section(text) => {
            out.push(String::new());
            out.push(format!("{pad}// {text}"));
        }
        Stmt::Block(body) | Stmt::If(_, body) => {
            out.push(match s {
                Stmt::If(cond, _) => format!("{pad}if {} {{", expr(cond)),
                _ => format!("{pad}{{"),
            });
            for b in body {
                write_stmt(b, depth + 1, out);
            }
            out.push(format!("{pad}}}"));
        }
        // A note on a block, or a line holding one: written as the statements, then the note.
        Stmt::Note(inner, note) => {
            write_stmt(inner, depth, out);
            out.push(format!("{pad}// {note}"));
        }
        Stmt::Line(parts) => parts.iter().for_each(|p| write_stmt(p, depth, out)),
        Stmt::Expr(_) | Stmt::Let(..) | Stmt::Assign(..) | Stmt::Comment(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yul::{addmod, calldataload, dec, hex, mstore, Builtin, Stmt};

    #[test]
    fn statements_render_one_per_line_and_blocks_indent() {
        let body = vec![
            Stmt::Section("step".into()),
            Stmt::Block(vec![
                Stmt::Let(vec!["v"], Some(calldataload(0x64))),
                Stmt::Line(vec![mstore(0x20, Expr::Var("v")), Stmt::Assign("v", addmod(Expr::Var("v"), dec(1)))]),
                mstore(0x40, hex(0x20)).note("why"),
            ]),
            Stmt::If(crate::yul::call(Builtin::IsZero, [Expr::Var("ok")]), vec![mstore(0, dec(0))]),
        ];
        assert_eq!(
            lines(&body),
            [
                "",
                "// step",
                "{",
                "    let v := calldataload(0x64)",
                "    mstore(0x20, v) v := addmod(v, 1, R)",
                "    mstore(0x40, 0x20) // why",
                "}",
                "if iszero(ok) { mstore(0x0, 0) }",
            ]
        );
    }
}
