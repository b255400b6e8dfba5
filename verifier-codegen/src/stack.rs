//! Where the moduli come from in each generated line, decided by stack depth.
//!
//! The generator writes `R` (the scalar modulus) and `P` (the base modulus) as bare identifiers.
//! A 32-byte `PUSH` at each of their hundreds of uses would double the bytecode, so `P` (used only
//! by the point checks, which read it once into a local) is read from memory at 0xc0, and `R`
//! from the stack variable `r` wherever a `DUP` reaches it (3 gas, 1 byte), else from memory at
//! 0xe0 (6 gas, 3 bytes).
//!
//! The reach is computed, not guessed: solc's legacy code generator evaluates a call's arguments
//! right to left, so argument `k` of `n` is evaluated with `n - k` values already pushed (one more,
//! the return label, for a user-defined function), and a `DUP` reaches 16 slots. Block-local
//! variables declared after `r` take up to [`LOCALS_ABOVE_R`] of them. `addmod` and `mulmod`
//! commute in their first two arguments, so the deeper one is moved to the second place, where it
//! waits on one pushed value instead of two.

/// The most block-local variables the generated code declares after `r` and keeps in scope (the
/// batch inversion's `acc`, `inv`, `v`; the point checks' `px`, `py`, `p`).
pub const LOCALS_ABOVE_R: usize = 3;

/// The line that puts the moduli in place: `P` at 0xc0, `R` at 0xe0 and in `r`. It is emitted
/// before any use and passes through [`place_moduli`] unchanged.
pub const INIT_LINE: &str = "mstore(0xc0, P) mstore(0xe0, R) let r := R";

/// Values that may be pending on the stack while `r` is still within a `DUP`'s reach.
const MAX_PENDING: usize = 16 - 1 - LOCALS_ABOVE_R;

/// Yul builtins the generated code calls (anything else is a user-defined function).
const BUILTINS: &[&str] = &[
    "add",
    "addmod",
    "and",
    "calldatacopy",
    "calldataload",
    "eq",
    "iszero",
    "keccak256",
    "lt",
    "mcopy",
    "mload",
    "mod",
    "mstore",
    "mstore8",
    "mul",
    "mulmod",
    "not",
    "shl",
    "staticcall",
    "sub",
    "gas",
    "extcodecopy",
];

#[derive(Debug)]
enum Node {
    Leaf(String),
    Call(String, Vec<Node>),
}

impl Node {
    /// Most values pending on the stack, relative to this node's own evaluation, at any leaf.
    fn height(&self) -> usize {
        match self {
            Node::Leaf(_) => 0,
            Node::Call(name, args) => {
                let extra = usize::from(!BUILTINS.contains(&name.as_str()));
                let n = args.len();
                args.iter().enumerate().map(|(k, a)| a.height() + (n - 1 - k) + extra).max().unwrap_or(0)
            }
        }
    }

    fn reorder(&mut self) {
        if let Node::Call(name, args) = self {
            args.iter_mut().for_each(Node::reorder);
            if (name == "addmod" || name == "mulmod") && args.len() == 3 && args[0].height() > args[1].height() {
                args.swap(0, 1);
            }
        }
    }

    fn emit(&self, pending: usize, out: &mut String) {
        match self {
            Node::Leaf(t) if t == "R" => out.push_str(if pending <= MAX_PENDING { "r" } else { "mload(0xe0)" }),
            Node::Leaf(t) if t == "P" => out.push_str("mload(0xc0)"),
            Node::Leaf(t) => out.push_str(t),
            Node::Call(name, args) => {
                let extra = usize::from(!BUILTINS.contains(&name.as_str()));
                let n = args.len();
                out.push_str(name);
                out.push('(');
                for (k, a) in args.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    a.emit(pending + (n - 1 - k) + extra, out);
                }
                out.push(')');
            }
        }
    }
}

/// Characters of a Yul identifier or literal (`proof.offset` is one identifier).
fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// Parse the call or leaf starting at `chars[*i]` (an identifier or literal).
fn parse(chars: &[char], i: &mut usize) -> Node {
    let start = *i;
    while *i < chars.len() && is_ident(chars[*i]) {
        *i += 1;
    }
    let token: String = chars[start..*i].iter().collect();
    if chars.get(*i) != Some(&'(') {
        return Node::Leaf(token);
    }
    *i += 1;
    let mut args = Vec::new();
    loop {
        while chars.get(*i).is_some_and(|c| c.is_whitespace() || *c == ',') {
            *i += 1;
        }
        match chars.get(*i) {
            Some(')') => {
                *i += 1;
                break;
            }
            Some(c) if is_ident(*c) => args.push(parse(chars, i)),
            // Not an expression this module understands: keep the rest as written.
            _ => {
                let rest: String = chars[*i..].iter().collect();
                *i = chars.len();
                args.push(Node::Leaf(rest));
                break;
            }
        }
    }
    Node::Call(token, args)
}

/// Rewrite one generated line: every expression statement is reordered and its `R` and `P`
/// leaves placed (see the module docs). Comments and everything that is not a call pass through.
pub fn place_moduli(line: &str) -> String {
    if line == INIT_LINE {
        return line.to_string();
    }
    let (code, comment) = match line.find("//") {
        Some(at) => line.split_at(at),
        None => (line, ""),
    };
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(line.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_token = is_ident(c) && (i == 0 || !is_ident(chars[i - 1]));
        if starts_token {
            let mut node = parse(&chars, &mut i);
            node.reorder();
            node.emit(0, &mut out);
        } else {
            out.push(c);
            i += 1;
        }
    }
    out.push_str(comment);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_r_from_the_stack_deep_r_from_memory() {
        assert_eq!(
            place_moduli("mstore(0x20, addmod(mload(0x40), 1, R)) // R stays"),
            "mstore(0x20, addmod(mload(0x40), 1, r)) // R stays"
        );
        assert_eq!(place_moduli("ok := and(ok, lt(calldataload(0x44), R))"), "ok := and(ok, lt(calldataload(0x44), r))");
        assert_eq!(place_moduli("px := mulmod(px, px, P)"), "px := mulmod(px, px, mload(0xc0))");
        assert_eq!(place_moduli("if eq(proof.offset, 0x64) { x }"), "if eq(proof.offset, 0x64) { x }");
        // The deeper operand moves second: a left-deep chain becomes right-deep.
        assert_eq!(place_moduli("x := addmod(addmod(a, b, R), c, R)"), "x := addmod(c, addmod(a, b, r), r)");
        // Each level of a right-deep chain waits on one pushed value (the modulus).
        let mut deep = "a".to_string();
        for _ in 0..14 {
            deep = format!("addmod(x, {deep}, R)");
        }
        let placed = place_moduli(&format!("y := {deep}"));
        assert_eq!(placed.matches("mload(0xe0)").count(), 14 - (MAX_PENDING + 1));
        assert!(placed.starts_with("y := addmod(x, addmod(x,"));
    }

    #[test]
    fn user_functions_push_their_return_label() {
        assert_eq!(place_moduli("ok := and(ok, ec_mul_acc(sub(R, x)))"), "ok := and(ok, ec_mul_acc(sub(r, x)))");
        assert_eq!(Node::Call("ec_mul_acc".into(), vec![Node::Leaf("x".into())]).height(), 1);
    }
}
