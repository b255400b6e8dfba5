//! zkcredit's Solidity verifier generator.
//!
//! From a [`Protocol`] it plans the calldata layout and the memory map ([`layout`]), builds every
//! step of the verification as a Yul tree, places the moduli ([`crate::stack`]), and renders the
//! tree once into `templates/Verifier.sol` (and, optionally, `templates/VerifyingKey.sol`) with
//! askama. The steps, in the generated order:
//!
//! 1. [`checks`]: calldata shape: canonical ABI encoding of `(bytes proof, uint256[] instances)`
//!    with the exact proof and instance lengths, else `MalformedCalldata()`;
//! 2. [`checks`]: every public input `< r`, else `PublicInputNotInField(i)`; every proof point on
//!    the curve with coordinates `< p` and every evaluation `< r`, else `MalformedProof()`;
//! 3. [`transcript`]: the Keccak transcript, byte-compatible with snark-verifier's `EvmTranscript`;
//! 4. [`inversion`]: one batch inversion for every denominator, whose single field inverse is the
//!    proof's last word (the inversion hint, see `zkcredit_protocol::hint`), checked with one
//!    `mulmod`; the Lagrange basis and the instance column;
//! 5. [`quotient`]: the quotient identity at `x` (gates, permutation, instance column);
//! 6. [`shplonk`]: SHPLONK (BDFG21): one MSM with the ecMul/ecAdd precompiles, normalised so the
//!    first commitment needs no multiplication, and one 2-pair pairing check.
//!
//! Malformed input reverts; a well-formed proof that fails the pairing (or carries a wrong
//! inversion hint) returns `false`. A failed precompile call reverts with
//! `PrecompileFailed(address)`: the points are checked first, so only a lack of gas can make one
//! fail, and a lack of gas must never read as a verdict.

pub mod checks;
pub mod inversion;
pub mod layout;
pub mod quotient;
pub mod shplonk;
pub mod transcript;

use askama::Template;

use crate::error::{Error, Result};
use crate::protocol::Protocol;
use crate::stack;
use crate::yul::literal::selector;
use crate::yul::{render, Stmt};
use layout::{Calldata, Key, Memory, Openings};

/// What the header of the generated file records.
#[derive(Clone, Debug)]
pub struct Provenance {
    /// The model digest (0x-hex).
    pub model_digest: String,
    /// Where the SRS came from, and any warning that goes with it.
    pub srs: String,
}

impl Provenance {
    /// A model digest and a description of the SRS (the prover's `SrsInfo::describe`).
    pub fn new(model_digest: impl Into<String>, srs: impl Into<String>) -> Self {
        Provenance { model_digest: model_digest.into(), srs: srs.into() }
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

/// The verification as a tree: every step, in order, with the memory it uses.
struct Plan {
    body: Vec<Stmt>,
    memory: Memory,
    calls: shplonk::Calls,
}

/// Every query must have a source: an evaluation in the proof, or the quotient at `x` (which the
/// verifier computes). The instance polynomial is never opened.
fn check_queries(p: &Protocol) -> Result<()> {
    for q in &p.queries {
        if q.poly == p.instance_poly() {
            return Err(Error::Unsupported("opening the instance polynomial".into()));
        }
        let computed = q.poly == p.quotient_poly() && q.rotation == 0;
        if !computed && !p.evaluations.contains(q) {
            return Err(Error::Unsupported(format!("query of polynomial {} at rotation {} has no evaluation", q.poly, q.rotation)));
        }
    }
    Ok(())
}

fn plan(p: &Protocol, cd: &Calldata, separate_vk: bool) -> Result<Plan> {
    check_queries(p)?;
    let mut mem = Memory::new(p, separate_vk);
    let key = Key::new(p, separate_vk.then_some(mem.key));
    let mut body = checks::input_checks(p, cd);
    let (ch, steps) = transcript::transcript(p, cd, &key, &mut mem);
    body.extend(steps);
    let (inv, steps) = inversion::inverses(p, cd, &ch, &mut mem);
    body.extend(steps);
    let (instance, steps) = inversion::instance_column(p, cd, &inv, &mut mem);
    body.extend(steps);
    let mut open = Openings {
        evals: p.evaluations.iter().enumerate().map(|(i, q)| (*q, cd.evals + 0x20 * i)).collect(),
        instance_poly: p.instance_poly(),
        instance,
        quotient: (p.quotient_poly(), None),
        challenges: ch.circuit.clone(),
        x: ch.x,
        lagrange: inv.lagrange.clone(),
    };
    let (h, steps) = quotient::quotient(p, &open, &inv, &mut mem)?;
    body.extend(steps);
    open.quotient.1 = Some(h);
    let inputs = shplonk::Inputs { p, cd, key: &key, ch: &ch, inv: &inv, open: &open };
    let (calls, steps) = shplonk::shplonk(&inputs, &mut mem)?;
    body.extend(steps);
    stack::place(&mut body);
    Ok(Plan { body, memory: mem, calls })
}

/// Generate the verifier (and optionally the verifying-key contract) for `p`.
pub fn generate(p: &Protocol, opts: &Options) -> Result<Generated> {
    let version = env!("CARGO_PKG_VERSION");
    let cd = Calldata::new(p);
    let plan = plan(p, &cd, opts.separate_vk)?;
    let vk_contract_name = format!("{}Key", opts.contract_name);
    let code_len = 1 + 0x20 * Key::words(p);
    let template = |e: askama::Error| Error::Unsupported(format!("template: {e}"));
    let verifier = VerifierSol {
        name: &opts.contract_name,
        version,
        provenance: &opts.provenance,
        k: p.k,
        num_instance: p.num_instance,
        proof_len: cd.proof_len,
        calldata_len: cd.len,
        separate_vk: opts.separate_vk,
        vk_len: code_len,
        vk_mptr: format!("{:#x}", plan.memory.key),
        vk_contract_name: &vk_contract_name,
        memory_map: plan.memory.map,
        body: render::lines(&plan.body),
        precompile_failed: render::expr(&selector(shplonk::PRECOMPILE_FAILED)),
    }
    .render()
    .map_err(template)?;
    let verifying_key = if opts.separate_vk {
        let sol = VerifyingKeySol {
            name: &vk_contract_name,
            verifier_name: &opts.contract_name,
            version,
            provenance: &opts.provenance,
            words: Key::all(p).iter().map(|w| w.padded()).collect(),
            code_len,
        };
        Some(sol.render().map_err(template)?)
    } else {
        None
    };
    Ok(Generated {
        verifier,
        verifying_key,
        vk_contract_name,
        proof_len: cd.proof_len,
        num_instance: p.num_instance,
        ec_muls: plan.calls.ec_muls,
        ec_adds: plan.calls.ec_adds,
    })
}
