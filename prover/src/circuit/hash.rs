//! The Poseidon gadget: the feature commitment, hashed in-circuit round by round (one row per
//! state word and round, the partial and full rounds selected by `qp`).

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::Field;

use super::layout::{CellRef, Col, Gadget, Gate, Layout};
use crate::poseidon;

impl Layout {
    /// Poseidon hash (see [`poseidon::hash`]) of the given cells followed by `salt`; returns the
    /// output cell. The salt is a free witness: where it enters the zero state it is written
    /// straight into the first round's row as `salt + c`, costing no row of its own.
    pub(super) fn poseidon(&mut self, cells: &[CellRef], salt: Fr) -> CellRef {
        let p = poseidon::params();
        let mut inputs: Vec<Option<CellRef>> = cells.iter().copied().map(Some).collect();
        inputs.push(None);
        let mut state: [Option<CellRef>; 3] = [None; 3];
        for chunk in inputs.chunks(2) {
            // u_j = s_j + in_j + c_0j: a cell, or a free value (the salt entering the zero state).
            let mut u: [std::result::Result<CellRef, Fr>; 3] = [Err(Fr::ZERO); 3];
            for (j, uj) in u.iter_mut().enumerate() {
                let c = p.round_constants[0][j];
                let mut terms = Vec::new();
                if let Some(s) = state[j] {
                    terms.push((Fr::ONE, s));
                }
                match (j, chunk.get(j.wrapping_sub(1))) {
                    (1.., Some(Some(x))) => terms.push((Fr::ONE, *x)),
                    (1.., Some(None)) if terms.is_empty() => {
                        *uj = Err(salt + c);
                        continue;
                    }
                    (1.., Some(None)) => {
                        let cell = self.free(salt);
                        terms.push((Fr::ONE, cell));
                    }
                    _ => {}
                }
                *uj = Ok(self.dot(c, &terms));
            }
            let rounds = p.round_constants.len();
            let first = self.a.len();
            for _ in 0..3 * (rounds + 1) {
                self.new_row();
            }
            for (i, c) in u.iter().enumerate() {
                match c {
                    Ok(cell) => self.copy(*cell, CellRef { col: Col::A, row: first + i }),
                    Err(v) => self.a[first + i] = *v,
                }
            }
            for r in 0..rounds {
                let base = first + 3 * r;
                let full = poseidon::is_full_round(r);
                self.enable(if full { Gate::PoseidonFull } else { Gate::PoseidonPartial }, base);
                let next_c = p.round_constants.get(r + 1).copied().unwrap_or([Fr::ZERO; 3]);
                let mut v = [Fr::ZERO; 3];
                for i in 0..3 {
                    let ui = self.a[base + i];
                    if full || i == 0 {
                        self.b[base + i] = ui.square();
                        v[i] = ui.pow_vartime([5]);
                    } else {
                        // Unboxed word of a partial round: t = 1, so t^2 u = u.
                        self.b[base + i] = Fr::ONE;
                        v[i] = ui;
                    }
                    self.w[base + i] = next_c[i];
                }
                // Round r+1 (or the output rows) receives u' = M v + c_{r+1}.
                let next = poseidon::mds_mul(&p.mds, &v);
                for j in 0..3 {
                    self.a[base + 3 + j] = next[j] + next_c[j];
                }
            }
            // A state word of a partial round, and its `t = 1` (unboxed word) cell.
            self.mark(Gadget::Commitment, CellRef { col: Col::A, row: first + 3 * 10 + 1 });
            self.mark(Gadget::Commitment, CellRef { col: Col::B, row: first + 3 * 10 + 1 });
            let out = first + 3 * rounds;
            state = [
                Some(CellRef { col: Col::A, row: out }),
                Some(CellRef { col: Col::A, row: out + 1 }),
                Some(CellRef { col: Col::A, row: out + 2 }),
            ];
        }
        state[0].unwrap_or(CellRef { col: Col::A, row: 0 })
    }
}
