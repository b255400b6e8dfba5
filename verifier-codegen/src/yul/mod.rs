//! A small typed Yul tree: the generator builds the verifier's body as [`Stmt`]s, the passes
//! ([`crate::cse`], [`crate::stack`]) rewrite the tree, and [`render`] writes it out once.
//!
//! Only what the generated verifier uses is here: number literals, local variables, the two
//! moduli (placed by [`crate::stack`]), calls of builtins and of the template's functions,
//! `let`, assignment, `if`, blocks and comments.

pub mod literal;
pub mod poly;
pub mod render;

pub use literal::Word;

/// A Yul expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Expr {
    /// A number literal.
    Num(Num),
    /// A variable: a block-local, a function parameter or a Solidity name (`proof.offset`).
    Var(&'static str),
    /// A modulus at a place [`crate::stack`] has not decided yet (the stack variable `r`, or a
    /// memory load).
    Mod(Modulus),
    /// A call.
    Call(Func, Vec<Expr>),
}

/// A number literal and how it is written.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Num {
    /// A memory or calldata offset, a length or a precompile address: `0x..`.
    Hex(usize),
    /// A small count or flag: decimal.
    Dec(u64),
    /// A 256-bit word (a field element or a coordinate), big-endian.
    Word(Word),
    /// A custom error's selector: `0x` and 8 hex digits.
    Selector([u8; 4]),
}

/// The moduli the generated code reduces by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Modulus {
    /// The scalar field modulus r (the Solidity constant `R`).
    R,
    /// The base field modulus p (the Solidity constant `P`).
    P,
}

/// A function the generated code calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Func {
    /// An EVM builtin.
    Builtin(Builtin),
    /// `revert_error(selector)`, defined by the template.
    RevertError,
    /// `revert_index(selector, index)`, defined by the template.
    RevertIndex,
    /// `ec_mul_acc(scalar)`, defined by the template.
    EcMulAcc,
}

/// The Yul builtins the generated code calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum Builtin {
    Add,
    AddMod,
    And,
    CalldataCopy,
    CalldataLoad,
    CalldataSize,
    Eq,
    Gas,
    IsZero,
    Keccak256,
    Lt,
    Mcopy,
    Mload,
    Mod,
    Mstore,
    Mstore8,
    MulMod,
    Staticcall,
    Sub,
}

impl Func {
    /// The name in Yul.
    pub fn name(self) -> &'static str {
        match self {
            Func::Builtin(b) => b.name(),
            Func::RevertError => "revert_error",
            Func::RevertIndex => "revert_index",
            Func::EcMulAcc => "ec_mul_acc",
        }
    }

    /// Whether a call pushes a return label before its arguments (user-defined functions do).
    pub fn pushes_return_label(self) -> bool {
        !matches!(self, Func::Builtin(_))
    }
}

impl Builtin {
    /// The name in Yul.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Add => "add",
            Builtin::AddMod => "addmod",
            Builtin::And => "and",
            Builtin::CalldataCopy => "calldatacopy",
            Builtin::CalldataLoad => "calldataload",
            Builtin::CalldataSize => "calldatasize",
            Builtin::Eq => "eq",
            Builtin::Gas => "gas",
            Builtin::IsZero => "iszero",
            Builtin::Keccak256 => "keccak256",
            Builtin::Lt => "lt",
            Builtin::Mcopy => "mcopy",
            Builtin::Mload => "mload",
            Builtin::Mod => "mod",
            Builtin::Mstore => "mstore",
            Builtin::Mstore8 => "mstore8",
            Builtin::MulMod => "mulmod",
            Builtin::Staticcall => "staticcall",
            Builtin::Sub => "sub",
        }
    }
}

/// A Yul statement, with the layout hints the renderer follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    /// An expression statement (a call without a result).
    Expr(Expr),
    /// `let a, b := e` (or without a value: zero).
    Let(Vec<&'static str>, Option<Expr>),
    /// `a := e`.
    Assign(&'static str, Expr),
    /// `if cond { body }`.
    If(Expr, Vec<Stmt>),
    /// `{ body }`: its `let`s end with it.
    Block(Vec<Stmt>),
    /// Several statements written on one line.
    Line(Vec<Stmt>),
    /// A statement followed by `// note` on its line.
    Note(Box<Stmt>, String),
    /// A blank line, then `// text`: the start of a step.
    Section(String),
    /// `// text` on its own line.
    Comment(String),
}

// Constructors, so the generator reads close to the Yul it writes.

/// A call of a builtin.
pub fn call(b: Builtin, args: impl Into<Vec<Expr>>) -> Expr {
    Expr::Call(Func::Builtin(b), args.into())
}

/// `0x..` literal.
pub fn hex(v: usize) -> Expr {
    Expr::Num(Num::Hex(v))
}

/// Decimal literal.
pub fn dec(v: u64) -> Expr {
    Expr::Num(Num::Dec(v))
}

/// The scalar modulus, placed later.
pub const R: Expr = Expr::Mod(Modulus::R);

/// The base modulus, placed later.
pub const P: Expr = Expr::Mod(Modulus::P);

/// `mload(at)`.
pub fn mload(at: usize) -> Expr {
    call(Builtin::Mload, [hex(at)])
}

/// `calldataload(at)`.
pub fn calldataload(at: usize) -> Expr {
    call(Builtin::CalldataLoad, [hex(at)])
}

/// `addmod(a, b, R)`.
pub fn addmod(a: Expr, b: Expr) -> Expr {
    call(Builtin::AddMod, [a, b, R])
}

/// `mulmod(a, b, R)`.
pub fn mulmod(a: Expr, b: Expr) -> Expr {
    call(Builtin::MulMod, [a, b, R])
}

/// `sub(R, a)`: `-a` (at most r, which `addmod` and `mulmod` accept).
pub fn neg(a: Expr) -> Expr {
    call(Builtin::Sub, [R, a])
}

/// The statement `mstore(at, v)`.
pub fn mstore(at: usize, v: Expr) -> Stmt {
    Stmt::Expr(call(Builtin::Mstore, [hex(at), v]))
}

/// The statement `calldatacopy(to, from, len)`.
pub fn calldatacopy(to: usize, from: usize, len: usize) -> Stmt {
    Stmt::Expr(call(Builtin::CalldataCopy, [hex(to), hex(from), hex(len)]))
}

/// `ok := and(ok, cond)`: fold a check into the verdict.
pub fn require(cond: Expr) -> Stmt {
    Stmt::Assign("ok", call(Builtin::And, [Expr::Var("ok"), cond]))
}

/// `if iszero(cond) { revert_error(selector) }`.
pub fn revert_unless(cond: Expr, selector: Expr) -> Stmt {
    Stmt::If(call(Builtin::IsZero, [cond]), vec![Stmt::Expr(Expr::Call(Func::RevertError, vec![selector]))])
}

/// The product of `factors` as a left-deep `mulmod` chain; `1` for none.
pub fn product(factors: impl IntoIterator<Item = Expr>) -> Expr {
    factors.into_iter().reduce(mulmod).unwrap_or(dec(1))
}

/// The sum of `terms` as a left-deep `addmod` chain; `0` for none.
pub fn sum(terms: impl IntoIterator<Item = Expr>) -> Expr {
    terms.into_iter().reduce(addmod).unwrap_or(dec(0))
}

impl Stmt {
    /// `self // note`.
    pub fn note(self, note: impl Into<String>) -> Stmt {
        Stmt::Note(Box::new(self), note.into())
    }
}

impl Expr {
    /// Every direct and indirect subexpression, this one first (pre-order).
    pub fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        if let Expr::Call(_, args) = self {
            args.iter().for_each(|a| a.visit(f));
        }
    }
}
