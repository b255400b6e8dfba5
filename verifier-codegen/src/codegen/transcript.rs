//! Step 3: the Keccak transcript, byte-compatible with snark-verifier's `EvmTranscript`. Each
//! round copies what the prover sent into the buffer after the previous hash and hashes it; each
//! challenge is that hash mod r, further challenges of a round hash the previous one with a `1`.

use crate::protocol::Protocol;
use crate::yul::literal::fr_word;
use crate::yul::{call, calldatacopy, dec, hex, mload, mstore, Builtin, Stmt, R};

use super::layout::{Calldata, Key, Memory};

/// Where the transcript's challenges are kept.
#[derive(Clone, Debug)]
pub struct Challenges {
    /// The circuit's challenges, by protocol index.
    pub circuit: Vec<usize>,
    /// `x`, the evaluation point.
    pub x: usize,
    /// `mu`, which combines the polynomials of a rotation set.
    pub mu: usize,
    /// `gamma`, which combines rotation sets.
    pub gamma: usize,
    /// `u`, the SHPLONK opening point.
    pub u: usize,
}

/// The transcript's statements and where they leave the challenges.
pub fn transcript(p: &Protocol, cd: &Calldata, key: &Key, mem: &mut Memory) -> (Challenges, Vec<Stmt>) {
    let total: usize = p.num_challenge.iter().sum();
    let circuit: Vec<usize> = (0..total).map(|i| mem.alloc(&format!("challenge {i}"))).collect();
    let ch = Challenges {
        x: mem.alloc("x (evaluation point)"),
        mu: mem.alloc("mu (combines polynomials of a rotation set)"),
        gamma: mem.alloc("gamma (combines rotation sets)"),
        u: mem.alloc("u (SHPLONK opening point)"),
        circuit,
    };
    let t = mem.transcript;
    let mut body = vec![
        Stmt::Section("Transcript (Keccak-256, snark-verifier EvmTranscript): challenge = hash mod r.".into()),
        mstore(t, key.word(0, fr_word(&p.transcript_init))),
    ];
    let mut next_challenge = 0;
    let mut next_witness = 0;
    for (phase, (&nw, &nc)) in p.num_witness.iter().zip(&p.num_challenge).enumerate() {
        let mut absorbed = 0;
        if phase == 0 {
            body.push(calldatacopy(t + 0x20, cd.instance(0), 0x20 * p.num_instance));
            absorbed += 0x20 * p.num_instance;
        }
        if nw > 0 {
            body.push(calldatacopy(t + 0x20 + absorbed, cd.witness(next_witness), 0x40 * nw));
            absorbed += 0x40 * nw;
            next_witness += nw;
        }
        squeeze(t, absorbed, &ch.circuit[next_challenge..next_challenge + nc], &mut body);
        next_challenge += nc;
    }
    let rounds = [
        (cd.quotient, 0x40 * p.num_chunk, vec![ch.x]),
        (cd.evals, 0x20 * p.evaluations.len(), vec![ch.mu, ch.gamma]),
        (cd.w, 0x40, vec![ch.u]),
    ];
    for (from, len, slots) in rounds {
        body.push(calldatacopy(t + 0x20, from, len));
        squeeze(t, len, &slots, &mut body);
    }
    (ch, body)
}

/// Hash the buffer `t` (the previous hash and `absorbed` bytes) into one challenge per slot.
fn squeeze(t: usize, absorbed: usize, slots: &[usize], body: &mut Vec<Stmt>) {
    let hash = |len: usize| mstore(t, call(Builtin::Keccak256, [hex(t), hex(len)]));
    for (i, slot) in slots.iter().enumerate() {
        if i == 0 && absorbed > 0 {
            body.push(hash(0x20 + absorbed));
        } else {
            body.push(Stmt::Line(vec![Stmt::Expr(call(Builtin::Mstore8, [hex(t + 0x20), dec(1)])), hash(0x21)]));
        }
        body.push(mstore(*slot, call(Builtin::Mod, [mload(t), R])));
    }
}
