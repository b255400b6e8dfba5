//! zkcredit's Solidity verifier generator.
//!
//! From a [`Protocol`] it plans the calldata layout, the memory map and every step of the
//! verification, then renders `templates/Verifier.sol` (and, optionally,
//! `templates/VerifyingKey.sol`) with askama. The steps, in the generated order:
//!
//! 1. calldata shape: canonical ABI encoding of `(bytes proof, uint256[] instances)` with the
//!    exact proof and instance lengths, else `MalformedCalldata()`;
//! 2. every public input `< r`, else `PublicInputNotInField(i)`; every proof point on the curve
//!    with coordinates `< p` and every evaluation `< r`, else `MalformedProof()`;
//! 3. the Keccak transcript, byte-compatible with snark-verifier's `EvmTranscript`;
//! 4. one batch inversion for every denominator, whose single field inverse is the proof's last
//!    word (the inversion hint, see `zkcredit_protocol::hint`), checked with one `mulmod`;
//! 5. the quotient identity at `x` (gates, permutation, instance column);
//! 6. SHPLONK (BDFG21): one MSM with the ecMul/ecAdd precompiles, normalised so the first
//!    commitment needs no multiplication, and one 2-pair pairing check.
//!
//! Malformed input reverts; a well-formed proof that fails the pairing (or carries a wrong
//! inversion hint) returns `false`. A failed precompile call reverts with
//! `PrecompileFailed(address)`: the points are checked first, so only a lack of gas can make one
//! fail, and a lack of gas must never read as a verdict.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use askama::Template;
use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::Field;

use crate::cse;
use crate::error::{Error, Result};
use crate::protocol::{Common, Denominator, Protocol, Query};
use crate::stack;
use crate::yul::{self, Leaves};

/// What the header of the generated file records.
#[derive(Clone, Debug)]
pub struct Provenance {
    /// The model digest (0x-hex).
    pub model_digest: String,
    /// Where the SRS came from.
    pub srs: String,
}

impl Provenance {
    /// From a key's artifact header: its model digest and SRS origin.
    pub fn from_header(header: &zkcredit_prover::artifact::ArtifactHeader) -> Self {
        let srs = &header.srs;
        let mut text = format!("{} {} (keccak {}, max k {})", srs.kind, srs.source, srs.keccak, srs.max_k);
        if srs.insecure {
            text += " INSECURE: development only, never deploy";
        } else if srs.demo {
            text += " DEMO: one local contribution, not a public ceremony; never deploy";
        }
        Provenance { model_digest: header.model_digest.clone(), srs: text }
    }
}

/// Generator options.
#[derive(Clone, Debug)]
pub struct Options {
    /// Name of the verifier contract.
    pub contract_name: String,
    /// Put the verifying key (transcript digest and fixed commitments) in a separate contract
    /// that the verifier reads with `extcodecopy`.
    pub separate_vk: bool,
    /// Header information.
    pub provenance: Provenance,
}

impl Options {
    /// Defaults: contract `ZkCreditVerifier`, key embedded.
    pub fn new(provenance: Provenance) -> Self {
        Options { contract_name: "ZkCreditVerifier".into(), separate_vk: false, provenance }
    }
}

/// The generated Solidity.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The verifier contract source.
    pub verifier: String,
    /// The verifying-key contract source (with [`Options::separate_vk`]).
    pub verifying_key: Option<String>,
    /// Name of the verifying-key contract.
    pub vk_contract_name: String,
    /// Proof length in bytes.
    pub proof_len: usize,
    /// Number of public inputs.
    pub num_instance: usize,
    /// Elliptic-curve multiplications per verification.
    pub ec_muls: usize,
    /// Elliptic-curve additions per verification.
    pub ec_adds: usize,
}

// Calldata layout of the canonical ABI encoding.
const PROOF_HEAD: usize = 0x04;
const PROOF_DATA: usize = 0x64;

// Scratch memory: the MSM accumulator at 0x00, the operand point at 0x40, its scalar at 0x80;
// the pairing input overwrites 0x40..0x180 at the end.
const SCRATCH_END: usize = 0x180;

#[derive(Template)]
#[template(path = "Verifier.sol")]
struct VerifierSol<'a> {
    name: &'a str,
    version: &'a str,
    provenance: &'a Provenance,
    k: u32,
    num_instance: usize,
    proof_len: usize,
    calldata_len: usize,
    separate_vk: bool,
    vk_len: usize,
    vk_mptr: String,
    vk_contract_name: &'a str,
    memory_map: Vec<String>,
    body: Vec<String>,
    precompile_failed: String,
}

#[derive(Template)]
#[template(path = "VerifyingKey.sol")]
struct VerifyingKeySol<'a> {
    name: &'a str,
    verifier_name: &'a str,
    version: &'a str,
    provenance: &'a Provenance,
    words: Vec<String>,
    code_len: usize,
}

/// Where a commitment comes from.
#[derive(Clone, Debug)]
enum PointSrc {
    /// In the proof, at this calldata offset.
    Proof(usize),
    /// A verifying-key constant (index into `Protocol::preprocessed`).
    Fixed(usize),
    /// The SRS generator.
    G1,
}

/// Memory planner and code buffer.
struct Gen<'a> {
    p: &'a Protocol,
    separate_vk: bool,
    next: usize,
    vk_mptr: usize,
    map: Vec<String>,
    code: Vec<String>,
    eval_offset: BTreeMap<Query, usize>,
    challenge_slot: Vec<usize>,
    lagrange_slot: BTreeMap<i32, usize>,
    instance_eval_slot: BTreeMap<i32, usize>,
    x_slot: usize,
    quotient_eval_slot: usize,
}

impl<'a> Gen<'a> {
    fn alloc(&mut self, what: &str) -> usize {
        let at = self.next;
        self.next += 0x20;
        self.map.push(format!("{at:#06x} {what}"));
        at
    }

    fn alloc_n(&mut self, n: usize, what: &str) -> usize {
        let at = self.next;
        self.next += 0x20 * n;
        self.map.push(format!("{at:#06x}..{:#06x} {what}", self.next));
        at
    }

    fn line(&mut self, s: impl Into<String>) {
        self.code.push(s.into());
    }

    fn comment(&mut self, s: &str) {
        self.code.push(String::new());
        self.code.push(format!("// {s}"));
    }

    /// A word of the verifying key: a literal, or a load from the copied key contract.
    fn vk_word(&self, index: usize, literal: String) -> String {
        if self.separate_vk {
            format!("mload({:#x})", self.vk_mptr + 0x20 * index)
        } else {
            literal
        }
    }

    fn fixed_point(&self, i: usize) -> [String; 2] {
        let [x, y] = yul::g1_words(&self.p.preprocessed[i]);
        [self.vk_word(1 + 2 * i, x), self.vk_word(2 + 2 * i, y)]
    }

    /// Load `src` into the operand slot (0x40).
    fn load_operand(&self, src: &PointSrc) -> String {
        match src {
            PointSrc::Proof(off) => format!("calldatacopy(0x40, {off:#x}, 0x40)"),
            PointSrc::Fixed(i) => {
                if self.separate_vk {
                    format!("mcopy(0x40, {:#x}, 0x40)", self.vk_mptr + 0x20 * (1 + 2 * i))
                } else {
                    let [x, y] = self.fixed_point(*i);
                    format!("mstore(0x40, {x}) mstore(0x60, {y})")
                }
            }
            PointSrc::G1 => {
                let [x, y] = yul::g1_words(&self.p.g1);
                format!("mstore(0x40, {x}) mstore(0x60, {y})")
            }
        }
    }
}

impl Leaves for Gen<'_> {
    fn poly(&self, q: Query) -> String {
        if let Some(off) = self.eval_offset.get(&q) {
            format!("calldataload({off:#x})")
        } else if q.poly == self.p.instance_poly() {
            format!("mload({:#x})", self.instance_eval_slot[&q.rotation])
        } else if q.poly == self.p.quotient_poly() && q.rotation == 0 {
            format!("mload({:#x})", self.quotient_eval_slot)
        } else {
            // `generate` checks every query has a source before emitting code.
            format!("INVALID_QUERY_{}_{}", q.poly, q.rotation)
        }
    }

    fn challenge(&self, i: usize) -> String {
        format!("mload({:#x})", self.challenge_slot[i])
    }

    fn common(&self, c: Common) -> String {
        match c {
            Common::Identity => format!("mload({:#x})", self.x_slot),
            Common::Lagrange(i) => format!("mload({:#x})", self.lagrange_slot[&i]),
        }
    }
}

/// Generate the verifier (and optionally the verifying-key contract) for `p`.
pub fn generate(p: &Protocol, opts: &Options) -> Result<Generated> {
    let version = env!("CARGO_PKG_VERSION");
    let proof_len = p.proof_len();
    let instances_head = 0x40 + 0x20 + proof_len;
    let instances_len_word = PROOF_HEAD + instances_head;
    let instances_data = instances_len_word + 0x20;
    let calldata_len = instances_data + 0x20 * p.num_instance;
    let inst = |i: usize| instances_data + 0x20 * i;

    // Proof layout: witness commitments by phase, quotient chunks, evaluations, W, W'.
    let witness_off = |i: usize| PROOF_DATA + 0x40 * i;
    let n_witness = p.num_witness.iter().sum::<usize>();
    let quotient_off = witness_off(n_witness);
    let evals_off = quotient_off + 0x40 * p.num_chunk;
    let w_off = evals_off + 0x20 * p.evaluations.len();
    let w_prime_off = w_off + 0x40;
    let hint_off = w_prime_off + 0x40;
    debug_assert_eq!(hint_off + 0x20, PROOF_DATA + proof_len);

    // The transcript buffer: 32-byte prefix plus the largest absorbed round.
    let first_round = 0x20 * p.num_instance + 0x40 * p.num_witness.first().copied().unwrap_or(0);
    let max_round =
        [first_round, 0x40 * p.num_witness.iter().max().copied().unwrap_or(0), 0x40 * p.num_chunk, 0x20 * p.evaluations.len(), 0x40]
            .into_iter()
            .max()
            .unwrap_or(0)
            .max(1);
    let transcript = SCRATCH_END;
    let vk_words = 1 + 2 * p.preprocessed.len();
    let vk_mptr = (transcript + 0x20 + max_round + 0x1f) & !0x1f;
    let mut g = Gen {
        p,
        separate_vk: opts.separate_vk,
        next: if opts.separate_vk { vk_mptr + 0x20 * vk_words } else { vk_mptr },
        vk_mptr,
        map: vec![
            "0x0000..0x0180 scratch: MSM accumulator (0x00), operand point (0x40), scalar (0x80); pairing input".into(),
            format!("{transcript:#06x}..{vk_mptr:#06x} transcript buffer (previous hash, then the absorbed round)"),
        ],
        code: Vec::new(),
        eval_offset: p.evaluations.iter().enumerate().map(|(i, q)| (*q, evals_off + 0x20 * i)).collect(),
        challenge_slot: Vec::new(),
        lagrange_slot: BTreeMap::new(),
        instance_eval_slot: BTreeMap::new(),
        x_slot: 0,
        quotient_eval_slot: 0,
    };
    if opts.separate_vk {
        g.map.push(format!("{vk_mptr:#06x}..{:#06x} verifying key (copied from the key contract)", vk_mptr + 0x20 * vk_words));
    }

    // Every polynomial the numerator or the multi-open argument reads must have a source.
    let sets = p.query_sets();
    for q in &p.queries {
        let known = g.eval_offset.contains_key(q) || (q.poly == p.quotient_poly() && q.rotation == 0);
        if !known {
            return Err(Error::Unsupported(format!("query of polynomial {} at rotation {} has no evaluation", q.poly, q.rotation)));
        }
        if q.poly == p.instance_poly() {
            return Err(Error::Unsupported("opening the instance polynomial".into()));
        }
    }

    // ---- Input checks ----
    g.comment("Calldata shape: the canonical encoding with the exact lengths.");
    g.line(format!(
        "if iszero(and(and(eq(calldatasize(), {calldata_len:#x}), and(eq(proof.offset, {PROOF_DATA:#x}), eq(proof.length, {proof_len:#x}))), and(eq(instances.offset, {instances_data:#x}), eq(instances.length, {})))) {{ revert_error({}) }}",
        p.num_instance,
        selector_literal("MalformedCalldata()")
    ));
    // R lives on the stack as `r`, the last long-lived variable, and in memory at 0xe0 for the
    // uses a DUP cannot reach; P in memory at 0xc0 ([`stack`] places every use).
    g.line(stack::INIT_LINE);
    g.comment("Public inputs below r.");
    for i in 0..p.num_instance {
        g.line(format!(
            "if iszero(lt(calldataload({:#x}), R)) {{ revert_index({}, {i}) }}",
            inst(i),
            selector_literal("PublicInputNotInField(uint256)")
        ));
    }
    g.comment("Proof points on the curve with coordinates below p; evaluations below r.");
    // P is read from memory once into `p`; the checks then DUP it (3 gas, not 6 per use).
    g.line("{ let px, py let p := P");
    let point_offsets: Vec<usize> = (0..n_witness + p.num_chunk).map(witness_off).chain([w_off, w_prime_off]).collect();
    for off in point_offsets {
        g.line(format!(
            "px := calldataload({off:#x}) py := calldataload({:#x}) ok := and(ok, and(and(lt(px, p), lt(py, p)), eq(mulmod(py, py, p), addmod(mulmod(px, mulmod(px, px, p), p), 3, p))))",
            off + 0x20
        ));
    }
    for (i, _) in p.evaluations.iter().enumerate() {
        g.line(format!("ok := and(ok, lt(calldataload({:#x}), R))", evals_off + 0x20 * i));
    }
    g.line(format!("ok := and(ok, lt(calldataload({hint_off:#x}), R)) // the inversion hint"));
    g.line("}");
    g.line(format!("if iszero(ok) {{ revert_error({}) }}", selector_literal("MalformedProof()")));

    // ---- Transcript ----
    let total_challenges: usize = p.num_challenge.iter().sum();
    g.challenge_slot = (0..total_challenges).map(|i| g.alloc(&format!("challenge {i}"))).collect();
    g.x_slot = g.alloc("x (evaluation point)");
    let mu = g.alloc("mu (combines polynomials of a rotation set)");
    let gamma = g.alloc("gamma (combines rotation sets)");
    let u = g.alloc("u (SHPLONK opening point)");
    let t = transcript;
    g.comment("Transcript (Keccak-256, snark-verifier EvmTranscript): challenge = hash mod r.");
    g.line(format!("mstore({t:#x}, {})", g.vk_word(0, yul::fr(&p.transcript_init))));
    let mut ch = 0;
    let mut next_witness = 0;
    let squeeze = |g: &mut Gen, absorbed: usize, slots: &[usize]| {
        for (i, slot) in slots.iter().enumerate() {
            if i == 0 && absorbed > 0 {
                g.line(format!("mstore({t:#x}, keccak256({t:#x}, {:#x}))", 0x20 + absorbed));
            } else {
                g.line(format!("mstore8({:#x}, 1) mstore({t:#x}, keccak256({t:#x}, 0x21))", t + 0x20));
            }
            g.line(format!("mstore({slot:#x}, mod(mload({t:#x}), R))"));
        }
    };
    for (phase, (&nw, &nc)) in p.num_witness.iter().zip(&p.num_challenge).enumerate() {
        let mut absorbed = 0;
        if phase == 0 {
            g.line(format!("calldatacopy({:#x}, {:#x}, {:#x})", t + 0x20, inst(0), 0x20 * p.num_instance));
            absorbed += 0x20 * p.num_instance;
        }
        if nw > 0 {
            g.line(format!("calldatacopy({:#x}, {:#x}, {:#x})", t + 0x20 + absorbed, witness_off(next_witness), 0x40 * nw));
            absorbed += 0x40 * nw;
            next_witness += nw;
        }
        let slots: Vec<usize> = g.challenge_slot[ch..ch + nc].to_vec();
        ch += nc;
        squeeze(&mut g, absorbed, &slots);
    }
    g.line(format!("calldatacopy({:#x}, {quotient_off:#x}, {:#x})", t + 0x20, 0x40 * p.num_chunk));
    let x_slot = g.x_slot;
    squeeze(&mut g, 0x40 * p.num_chunk, &[x_slot]);
    g.line(format!("calldatacopy({:#x}, {evals_off:#x}, {:#x})", t + 0x20, 0x20 * p.evaluations.len()));
    squeeze(&mut g, 0x20 * p.evaluations.len(), &[mu, gamma]);
    g.line(format!("calldatacopy({:#x}, {w_off:#x}, 0x40)", t + 0x20));
    squeeze(&mut g, 0x40, &[u]);

    // ---- Denominators, inverted together ----
    let x = g.x_slot;
    let xn = g.alloc("x^n");
    let xn1_ninv = g.alloc("(x^n - 1) / n");
    g.comment("x^n by repeated squaring.");
    g.line(format!("{{ let v := mload({x:#x})"));
    for _ in 0..p.k {
        g.line("  v := mulmod(v, v, R)");
    }
    g.line(format!("  mstore({xn:#x}, v) mstore({xn1_ninv:#x}, mulmod(addmod(v, sub(R, 1), R), {}, R)) }}", yul::fr(&p.n_inv)));

    let denominators = p.denominators();
    let n_inv = denominators.len();
    let inv_base = g.alloc_n(n_inv, "values to invert, then their inverses: x w^-i - 1 (Lagrange), x^n - 1, u - x w^r, x");
    let prefix_base = g.alloc_n(n_inv.saturating_sub(1), "prefix products of the batch inversion");
    g.comment("Denominators: x w^-i - 1 for each Lagrange basis polynomial, x^n - 1, u - x w^r per rotation, x.");
    let (mut inv_xn1, mut inv_x) = (0, 0);
    let mut diff_slot = BTreeMap::new();
    for (k, d) in denominators.iter().enumerate() {
        let slot = inv_base + 0x20 * k;
        match *d {
            Denominator::Lagrange(i) => {
                g.lagrange_slot.insert(i, slot);
                g.line(format!(
                    "mstore({slot:#x}, addmod(mulmod(mload({x:#x}), {}, R), sub(R, 1), R)) // x w^-{i} - 1",
                    yul::fr(&p.omega_pow(-i))
                ));
            }
            Denominator::Vanishing => {
                inv_xn1 = slot;
                g.line(format!("mstore({slot:#x}, addmod(mload({xn:#x}), sub(R, 1), R)) // x^n - 1"));
            }
            Denominator::Opening(r) => {
                diff_slot.insert(r, slot);
                g.line(format!(
                    "mstore({slot:#x}, addmod(mload({u:#x}), mulmod(mload({x:#x}), {}, R), R)) // u - x w^{r}",
                    yul::fr(&-p.omega_pow(r))
                ));
            }
            Denominator::X => {
                inv_x = slot;
                g.line(format!("mstore({slot:#x}, mload({x:#x})) // x"));
            }
        }
    }
    // Z_0 = prod over the first set's rotations of (u - x w^r), needed before the inversion.
    let z0 = g.alloc("Z_0 = vanishing polynomial of the first rotation set at u");
    let z0_expr = sets[0]
        .rotations
        .iter()
        .map(|r| format!("mload({:#x})", diff_slot[r]))
        .reduce(|a, b| format!("mulmod({a}, {b}, R)"))
        .unwrap_or_else(|| "1".into());
    g.line(format!("mstore({z0:#x}, {z0_expr})"));
    g.comment("Batch inversion (Montgomery): prefix products; the inverse of their product is the proof's hint, checked here.");
    g.line(format!("{{ let acc := mload({inv_base:#x})"));
    for i in 1..n_inv {
        g.line(format!("  mstore({:#x}, acc) acc := mulmod(acc, mload({:#x}), R)", prefix_base + 0x20 * (i - 1), inv_base + 0x20 * i));
    }
    g.line(format!("  let inv := calldataload({hint_off:#x})"));
    g.line("  ok := and(ok, eq(mulmod(acc, inv, R), 1))");
    g.line("  let v");
    for i in (1..n_inv).rev() {
        let (si, pi) = (inv_base + 0x20 * i, prefix_base + 0x20 * (i - 1));
        g.line(format!("  v := mload({si:#x}) mstore({si:#x}, mulmod(inv, mload({pi:#x}), R)) inv := mulmod(inv, v, R)"));
    }
    g.line(format!("  mstore({inv_base:#x}, inv) }}"));

    // ---- Lagrange polynomials and the instance column ----
    g.comment("Lagrange basis at x: L_i(x) = w^i (x^n - 1) / (n (x - w^i)) = ((x^n - 1) / n) / (x w^-i - 1).");
    for s in g.lagrange_slot.values().copied().collect::<Vec<_>>() {
        g.line(format!("mstore({s:#x}, mulmod(mload({s:#x}), mload({xn1_ninv:#x}), R))"));
    }
    for r in p.instance_rotations() {
        let s = g.alloc(&format!("instance column at x w^{r}"));
        g.instance_eval_slot.insert(r, s);
        let terms: Vec<String> = (0..p.num_instance)
            .map(|i| format!("mulmod(calldataload({:#x}), mload({:#x}), R)", inst(i), g.lagrange_slot[&(i as i32 - r)]))
            .collect();
        let sum = terms.into_iter().reduce(|a, b| format!("addmod({a}, {b}, R)")).unwrap_or_else(|| "0".into());
        g.comment(&format!("Instance column at x w^{r}: sum of public input i times L_(i - {r})(x)."));
        g.line(format!("mstore({s:#x}, {sum})"));
    }

    // ---- Quotient ----
    g.quotient_eval_slot = g.alloc("quotient evaluation h(x) = numerator / (x^n - 1)");
    g.comment("Quotient numerator (all gates and the permutation argument), then h(x).");
    let numerator = match &p.numerator {
        crate::protocol::Expr::DistributePowers(es, s) if !es.is_empty() => {
            // Subtrees the constraints share (selectors above all) are computed once, first, into
            // words from the free memory pointer on (nothing else reads there, so counting the
            // reads of a slot by its `mload` text is exact).
            let base = g.next;
            let h = cse::hoist(es, &g, base);
            if !h.definitions.is_empty() {
                let at = g.alloc_n(h.definitions.len(), "subexpressions shared by the quotient's constraints");
                debug_assert_eq!(at, base);
            }
            let s = yul::expr(s, &g);
            let mut lines: Vec<String> = h.definitions.iter().map(|(at, d)| format!("mstore({at:#x}, {d})")).collect();
            lines.push(format!("{{ let y := {s}"));
            lines.push(format!("  let num := {}", h.terms[0]));
            for t in &h.terms[1..] {
                lines.push(format!("  num := addmod(mulmod(num, y, R), {t}, R)"));
            }
            lines.push(format!("  mstore({:#x}, mulmod(num, mload({inv_xn1:#x}), R)) }}", g.quotient_eval_slot));
            lines
        }
        other => vec![format!("mstore({:#x}, mulmod({}, mload({inv_xn1:#x}), R))", g.quotient_eval_slot, yul::expr(other, &g))],
    };
    if numerator.iter().any(|l| l.contains("INVALID_QUERY")) {
        return Err(Error::Unsupported("the numerator reads a polynomial the proof does not open".into()));
    }
    for l in numerator {
        g.line(l);
    }

    // ---- SHPLONK ----
    // f = sum_i gamma^i (Z_0 / Z_i) sum_j mu^j (C_ij - r_ij(u) G) - Z_0 W, and the check
    // e(f + u W', [1]) = e(W', [s]).  (Z_0 / Z_i) * r_ij(u) simplifies because the Lagrange
    // basis of set i at u is Z_i / ((u - x w^r_k) x^(m-1) prod_(l != k) (w^r_k - w^r_l)).
    let gpow = g.alloc("gamma^i");
    let coeff = g.alloc("set coefficient gamma^i Z_0 / Z_i");
    let gsum = g.alloc("scalar of the generator, accumulated");
    let point_src = |poly: usize| -> Vec<(PointSrc, usize)> {
        if poly < p.preprocessed.len() {
            vec![(PointSrc::Fixed(poly), 0)]
        } else if poly == p.quotient_poly() {
            // Chunk c is scaled by x^(n * chunk_degree * c).
            (0..p.num_chunk).map(|c| (PointSrc::Proof(quotient_off + 0x40 * c), p.chunk_degree * c)).collect()
        } else {
            vec![(PointSrc::Proof(witness_off(poly - p.first_witness_poly())), 0)]
        }
    };
    let eval_of = |g: &Gen, poly: usize, rot: i32| g.poly(Query { poly, rotation: rot });
    g.comment("SHPLONK (BDFG21) multi-open: the MSM accumulates in 0x00; the first commitment has coefficient 1.");
    g.line(format!("mstore({gpow:#x}, 1) mstore({gsum:#x}, 0)"));
    let mut ec_muls = 0;
    let mut ec_adds = 0;
    let mut first = true;
    for (i, set) in sets.iter().enumerate() {
        let m = set.rotations.len();
        g.line(format!("// set {i}: rotations {:?}, polynomials {:?}", set.rotations, set.polys));
        // Set coefficient: gamma^i * Z_0 * prod_k 1/(u - x w^r_k).
        let inv_prod = set
            .rotations
            .iter()
            .map(|r| format!("mload({:#x})", diff_slot[r]))
            .reduce(|a, b| format!("mulmod({a}, {b}, R)"))
            .unwrap_or_default();
        if i == 0 {
            g.line(format!("mstore({coeff:#x}, 1)"));
        } else {
            g.line(format!("mstore({gpow:#x}, mulmod(mload({gpow:#x}), mload({gamma:#x}), R))"));
            g.line(format!("mstore({coeff:#x}, mulmod(mulmod(mload({gpow:#x}), mload({z0:#x}), R), {inv_prod}, R))"));
        }
        // r-part: gamma^i x^-(m-1) sum_k c_k / (u - x w^r_k) * sum_j mu^j e_j(r_k), Z_0 applied at the end.
        let mut terms = Vec::new();
        for (k, &rk) in set.rotations.iter().enumerate() {
            let mut ck = Fr::ONE;
            for (l, &rl) in set.rotations.iter().enumerate() {
                if l != k {
                    ck *= p.omega_pow(rk) - p.omega_pow(rl);
                }
            }
            let ck_inv: Fr = Option::from(ck.invert()).ok_or_else(|| Error::Unsupported("repeated rotation in a set".into()))?;
            let mut horner = eval_of(&g, *set.polys.last().unwrap_or(&0), rk);
            for &poly in set.polys.iter().rev().skip(1) {
                horner = format!("addmod(mulmod({horner}, mload({mu:#x}), R), {}, R)", eval_of(&g, poly, rk));
            }
            let weight = if ck_inv == Fr::ONE {
                format!("mload({:#x})", diff_slot[&rk])
            } else {
                format!("mulmod(mload({:#x}), {}, R)", diff_slot[&rk], yul::fr(&ck_inv))
            };
            terms.push(format!("mulmod({weight}, {horner}, R)"));
        }
        let mut r_part = terms.into_iter().reduce(|a, b| format!("addmod({a}, {b}, R)")).unwrap_or_else(|| "0".into());
        for _ in 1..m {
            r_part = format!("mulmod({r_part}, mload({inv_x:#x}), R)");
        }
        g.line(format!("mstore({gsum:#x}, addmod(mload({gsum:#x}), mulmod(mload({gpow:#x}), {r_part}, R), R))"));
        // Commitments: coefficient * mu^j.
        g.line(format!("{{ let s := mload({coeff:#x})"));
        for (j, &poly) in set.polys.iter().enumerate() {
            if j > 0 {
                g.line(format!("  s := mulmod(s, mload({mu:#x}), R)"));
            }
            for (src, chunk_pow) in point_src(poly) {
                let scalar = if chunk_pow == 0 { "s".to_string() } else { format!("mulmod(s, {}, R)", pow_expr(xn, chunk_pow)) };
                if first {
                    // Coefficient 1 by construction (set 0, first polynomial, first chunk).
                    g.line(format!("  {}", g.load_operand(&src)));
                    g.line("  mcopy(0x00, 0x40, 0x40)");
                    first = false;
                } else {
                    g.line(format!("  {}", g.load_operand(&src)));
                    g.line(format!("  ec_mul_acc({scalar})"));
                    ec_muls += 1;
                    ec_adds += 1;
                }
            }
        }
        g.line("}");
    }
    g.comment("Generator: -Z_0 * sum; W: -Z_0; W': u.");
    g.line(g.load_operand(&PointSrc::G1));
    g.line(format!("ec_mul_acc(sub(R, mulmod(mload({gsum:#x}), mload({z0:#x}), R)))"));
    g.line(format!("calldatacopy(0x40, {w_off:#x}, 0x40)"));
    g.line(format!("ec_mul_acc(sub(R, mload({z0:#x})))"));
    g.line(format!("calldatacopy(0x40, {w_prime_off:#x}, 0x40)"));
    g.line(format!("ec_mul_acc(mload({u:#x}))"));
    ec_muls += 3;
    ec_adds += 3;

    g.comment("Pairing: e(f + u W', [1]_2) * e(W', -[s]_2) == 1.");
    let precompile_failed = selector_literal(PRECOMPILE_FAILED);
    let g2 = yul::g2_words(&p.g2);
    let nsg2 = yul::g2_words(&p.neg_s_g2());
    let mut pairing = String::new();
    for (i, w) in g2.iter().enumerate() {
        let _ = write!(pairing, "mstore({:#x}, {w}) ", 0x40 + 0x20 * i);
    }
    g.line(pairing.trim_end().to_string());
    g.line(format!("calldatacopy(0xc0, {w_prime_off:#x}, 0x40)"));
    let mut pairing = String::new();
    for (i, w) in nsg2.iter().enumerate() {
        let _ = write!(pairing, "mstore({:#x}, {w}) ", 0x100 + 0x20 * i);
    }
    g.line(pairing.trim_end().to_string());
    // The pairing's inputs are checked points, so the call fails only for lack of gas: that
    // reverts (never a `false` verdict); only the pairing's answer and the hint can return false.
    g.line(format!("if iszero(staticcall(gas(), 0x08, 0x00, 0x180, 0x00, 0x20)) {{ revert_index({precompile_failed}, 0x08) }}"));
    g.line("ok := and(ok, mload(0x00))");

    let vk_contract_name = format!("{}Key", opts.contract_name);
    let verifier = VerifierSol {
        name: &opts.contract_name,
        version,
        provenance: &opts.provenance,
        k: p.k,
        num_instance: p.num_instance,
        proof_len,
        calldata_len,
        separate_vk: opts.separate_vk,
        vk_len: 1 + 0x20 * vk_words,
        vk_mptr: format!("{vk_mptr:#x}"),
        vk_contract_name: &vk_contract_name,
        memory_map: g.map.clone(),
        body: g.code.iter().map(|l| stack::place_moduli(l)).collect(),
        precompile_failed,
    }
    .render()
    .map_err(|e| Error::Unsupported(format!("template: {e}")))?;

    let verifying_key = if opts.separate_vk {
        let mut words = vec![yul::fr(&p.transcript_init)];
        for pt in &p.preprocessed {
            words.extend(yul::g1_words(pt));
        }
        let words = words.into_iter().map(|w| pad_word(&w)).collect();
        Some(
            VerifyingKeySol {
                name: &vk_contract_name,
                verifier_name: &opts.contract_name,
                version,
                provenance: &opts.provenance,
                words,
                code_len: 1 + 0x20 * vk_words,
            }
            .render()
            .map_err(|e| Error::Unsupported(format!("template: {e}")))?,
        )
    } else {
        None
    };
    Ok(Generated { verifier, verifying_key, vk_contract_name, proof_len, num_instance: p.num_instance, ec_muls, ec_adds })
}

/// `(x^n)^e` as repeated multiplication of the `x^n` slot (`e` is a small chunk index).
fn pow_expr(xn_slot: usize, e: usize) -> String {
    let mut out = format!("mload({xn_slot:#x})");
    for _ in 1..e {
        out = format!("mulmod({out}, mload({xn_slot:#x}), R)");
    }
    out
}

/// The error a failed precompile call reverts with (its argument: the precompile's address).
const PRECOMPILE_FAILED: &str = "PrecompileFailed(uint256)";

/// The first four bytes of `keccak256(signature)` as a Yul literal (a custom error selector).
fn selector_literal(signature: &str) -> String {
    use sha3::{Digest, Keccak256};
    format!("0x{}", hex::encode(&Keccak256::digest(signature.as_bytes())[..4]))
}

fn pad_word(lit: &str) -> String {
    let digits = match lit.strip_prefix("0x") {
        Some(h) => h.to_string(),
        None => format!("{:x}", lit.parse::<u64>().unwrap_or(0)),
    };
    format!("0x{digits:0>64}")
}
