//! Where everything is: the calldata (and the proof inside it), the memory the verifier uses,
//! the verifying key's words, and where each opened value is read from.

use std::collections::BTreeMap;

use crate::protocol::{Common, Protocol, Query};
use crate::yul::literal::{g1_words, lit, Word};
use crate::yul::poly::Leaves;
use crate::yul::{calldataload, mload, Expr};

/// Offset of the proof's length word in the canonical ABI encoding (after the selector).
pub const PROOF_HEAD: usize = 0x04;
/// Offset of the proof's first byte.
pub const PROOF_DATA: usize = 0x64;
/// Scratch memory: the MSM accumulator at 0x00, the operand point at 0x40, its scalar at 0x80;
/// the pairing input overwrites 0x40..0x180 at the end.
pub const SCRATCH_END: usize = 0x180;

/// The canonical calldata of `verifyProof(bytes proof, uint256[] instances)` and the proof's
/// layout: witness commitments by phase, quotient chunks, evaluations, W, W', the hint.
#[derive(Clone, Debug)]
pub struct Calldata {
    /// Proof length in bytes.
    pub proof_len: usize,
    /// Number of public inputs.
    pub num_instance: usize,
    /// Offset of the first public input.
    pub instances: usize,
    /// Total calldata length.
    pub len: usize,
    /// Witness commitments in the proof.
    pub num_witness: usize,
    /// Offset of the first quotient chunk.
    pub quotient: usize,
    /// Offset of the first evaluation.
    pub evals: usize,
    /// Offset of W.
    pub w: usize,
    /// Offset of W'.
    pub w_prime: usize,
    /// Offset of the inversion hint.
    pub hint: usize,
}

impl Calldata {
    /// The layout for `p`'s proofs.
    pub fn new(p: &Protocol) -> Self {
        let proof_len = p.proof_len();
        let instances = PROOF_HEAD + 0x40 + 0x20 + proof_len + 0x20;
        let num_witness = p.num_witness.iter().sum::<usize>();
        let quotient = PROOF_DATA + 0x40 * num_witness;
        let evals = quotient + 0x40 * p.num_chunk;
        let w = evals + 0x20 * p.evaluations.len();
        let hint = w + 0x80;
        debug_assert_eq!(hint + 0x20, PROOF_DATA + proof_len);
        Calldata {
            proof_len,
            num_instance: p.num_instance,
            instances,
            len: instances + 0x20 * p.num_instance,
            num_witness,
            quotient,
            evals,
            w,
            w_prime: w + 0x40,
            hint,
        }
    }

    /// Offset of public input `i`.
    pub fn instance(&self, i: usize) -> usize {
        self.instances + 0x20 * i
    }

    /// Offset of witness commitment `i`.
    pub fn witness(&self, i: usize) -> usize {
        PROOF_DATA + 0x40 * i
    }

    /// Offset of every point in the proof.
    pub fn points(&self, num_chunk: usize) -> Vec<usize> {
        (0..self.num_witness + num_chunk).map(|i| self.witness(i)).chain([self.w, self.w_prime]).collect()
    }
}

/// The memory planner: scratch, the transcript buffer, the copied key, then words handed out in
/// order, each recorded in the memory map the generated file documents.
#[derive(Clone, Debug)]
pub struct Memory {
    /// The transcript buffer (the previous hash, then the absorbed round).
    pub transcript: usize,
    /// Where the key contract's words are copied to (with a separate key contract).
    pub key: usize,
    /// The next free word.
    pub next: usize,
    /// The memory map, one line per allocation.
    pub map: Vec<String>,
}

impl Memory {
    /// The fixed regions for `p`, with the key copied to memory if it is a separate contract.
    pub fn new(p: &Protocol, separate_vk: bool) -> Self {
        // 32-byte prefix plus the largest absorbed round.
        let first_round = 0x20 * p.num_instance + 0x40 * p.num_witness.first().copied().unwrap_or(0);
        let max_round =
            [first_round, 0x40 * p.num_witness.iter().max().copied().unwrap_or(0), 0x40 * p.num_chunk, 0x20 * p.evaluations.len(), 0x40]
                .into_iter()
                .max()
                .unwrap_or(0)
                .max(1);
        let transcript = SCRATCH_END;
        let key = (transcript + 0x20 + max_round + 0x1f) & !0x1f;
        let mut map = vec![
            "0x0000..0x0180 scratch: MSM accumulator (0x00), operand point (0x40), scalar (0x80); pairing input".into(),
            format!("{transcript:#06x}..{key:#06x} transcript buffer (previous hash, then the absorbed round)"),
        ];
        let mut next = key;
        if separate_vk {
            next = key + 0x20 * Key::words(p);
            map.push(format!("{key:#06x}..{next:#06x} verifying key (copied from the key contract)"));
        }
        Memory { transcript, key, next, map }
    }

    /// One word for `what`.
    pub fn alloc(&mut self, what: &str) -> usize {
        let at = self.next;
        self.next += 0x20;
        self.map.push(format!("{at:#06x} {what}"));
        at
    }

    /// `n` consecutive words for `what`.
    pub fn alloc_n(&mut self, n: usize, what: &str) -> usize {
        let at = self.next;
        self.next += 0x20 * n;
        self.map.push(format!("{at:#06x}..{:#06x} {what}", self.next));
        at
    }
}

/// The verifying key's words: the transcript's initial state, then each fixed commitment's x and
/// y. Literals in the verifier, or loads from memory when a separate key contract holds them.
#[derive(Clone, Copy, Debug)]
pub struct Key<'a> {
    p: &'a Protocol,
    /// Where the key's words were copied to, with a separate key contract.
    pub copied_to: Option<usize>,
}

impl<'a> Key<'a> {
    /// The key of `p`, embedded or copied to `copied_to`.
    pub fn new(p: &'a Protocol, copied_to: Option<usize>) -> Self {
        Key { p, copied_to }
    }

    /// Number of words.
    pub fn words(p: &Protocol) -> usize {
        1 + 2 * p.preprocessed.len()
    }

    /// Every word, in order (the separate key contract's data).
    pub fn all(p: &Protocol) -> Vec<Word> {
        let mut words = vec![crate::yul::literal::fr_word(&p.transcript_init)];
        for pt in &p.preprocessed {
            words.extend(g1_words(pt));
        }
        words
    }

    /// Word `index`, whose value is `value`.
    pub fn word(&self, index: usize, value: Word) -> Expr {
        match self.copied_to {
            Some(at) => mload(at + 0x20 * index),
            None => lit(value),
        }
    }

    /// Fixed commitment `i` as `[x, y]`.
    pub fn fixed_point(&self, i: usize) -> [Expr; 2] {
        let [x, y] = g1_words(&self.p.preprocessed[i]);
        [self.word(1 + 2 * i, x), self.word(2 + 2 * i, y)]
    }

    /// The SRS generator.
    pub fn g1(&self) -> halo2_proofs::halo2curves::bn256::G1Affine {
        self.p.g1
    }

    /// Memory offset of fixed commitment `i`, when the key was copied to memory.
    pub fn fixed_point_at(&self, i: usize) -> Option<usize> {
        self.copied_to.map(|at| at + 0x20 * (1 + 2 * i))
    }
}

/// Where each value the quotient and the opening argument read comes from.
#[derive(Clone, Debug, Default)]
pub struct Openings {
    /// Calldata offset of each evaluation in the proof.
    pub evals: BTreeMap<Query, usize>,
    /// The instance polynomial: memory word of its value at each rotation.
    pub instance_poly: usize,
    /// Memory word of the instance polynomial at each rotation.
    pub instance: BTreeMap<i32, usize>,
    /// The quotient polynomial and the memory word of `h(x)`, once computed.
    pub quotient: (usize, Option<usize>),
    /// Memory word of each challenge.
    pub challenges: Vec<usize>,
    /// Memory word of `x`.
    pub x: usize,
    /// Memory word of `L_i(x)`.
    pub lagrange: BTreeMap<i32, usize>,
}

impl Leaves for Openings {
    fn poly(&self, q: Query) -> Option<Expr> {
        if let Some(off) = self.evals.get(&q) {
            Some(calldataload(*off))
        } else if q.poly == self.instance_poly {
            self.instance.get(&q.rotation).map(|at| mload(*at))
        } else if q.poly == self.quotient.0 && q.rotation == 0 {
            self.quotient.1.map(mload)
        } else {
            None
        }
    }

    fn challenge(&self, i: usize) -> Expr {
        mload(self.challenges[i])
    }

    fn common(&self, c: Common) -> Expr {
        match c {
            Common::Identity => mload(self.x),
            Common::Lagrange(i) => mload(self.lagrange[&i]),
        }
    }
}
