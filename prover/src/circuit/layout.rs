//! The layout planner: places every gadget of the credit circuit on two advice columns (`a`, `b`),
//! one fixed column (`w`) and the two opcode columns (`op`, `qp`), and computes the witness values.
//!
//! The plan depends only on the quantized model (the same rows, fixed values, opcodes and copy
//! constraints for every applicant); the advice values come from the [`Witness`]. Keeping the
//! whole table in plain vectors lets `synthesize` stay a dumb copy loop and lets tests perturb any
//! single witness cell.

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::{Field, PrimeField};

use crate::commitment::word_groups;
use crate::error::{Error, Result};
use crate::field::{fr_from_i128, pow2};
use crate::poseidon;
use crate::public::{PublicInputs, INSTANCE_COUNT};
use crate::quantize::{ClipSpec, QuantizedModel};

/// An advice column of the circuit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Col {
    /// Advice column `a`.
    A,
    /// Advice column `b`.
    B,
}

/// One advice cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CellRef {
    /// Column.
    pub col: Col,
    /// Row.
    pub row: usize,
}

/// The custom gates, each selected by one value of an opcode column (see [`super::config`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// `b[1] = b[0] + w[1] * a[1]`: one multiply-accumulate step of a dot product with fixed weights.
    Mac,
    /// Two steps of a binary running sum zig-zagging over the row: `a[0] - 2 b[0]` and
    /// `b[0] - 2 a[1]` are bits.
    Bits,
    /// The last row of a running sum, `a[0] - 2 b[0]` and `b[0]` are bits, and the ReLU
    /// `b[1] = b[0] * (a[1] - w[0])` from the sign bit (`b[0]`) and the shifted quotient (`a[1]`).
    /// A running sum without a ReLU is followed by a blank row (`w[0] = a[1] = b[1] = 0`).
    End,
    /// `b[0] = w[0] + instance[0]`: a fixed constant (chain biases, Poseidon constants, the model
    /// id) or, in rows 0..5 where `w = 0`, a public input. The instance column is zero elsewhere.
    Bias,
    /// One partial Poseidon round over rows 0..2 into rows 3..5.
    PoseidonPartial,
    /// One full Poseidon round over rows 0..2 into rows 3..5.
    PoseidonFull,
}

/// The fixed column that selects a [`Gate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpColumn {
    /// `op`: [`Gate::Mac`], [`Gate::Bits`], [`Gate::End`].
    Op,
    /// `qp`: the Poseidon rounds and [`Gate::Bias`].
    Qp,
}

impl Gate {
    /// The opcode column selecting this gate.
    pub fn column(self) -> OpColumn {
        match self {
            Gate::Mac | Gate::Bits | Gate::End => OpColumn::Op,
            Gate::Bias | Gate::PoseidonPartial | Gate::PoseidonFull => OpColumn::Qp,
        }
    }

    /// The value of [`Gate::column`] on rows where this gate applies.
    pub fn opcode(self) -> u64 {
        match self {
            Gate::Mac | Gate::PoseidonPartial => 1,
            Gate::Bits | Gate::PoseidonFull => 2,
            Gate::End | Gate::Bias => 3,
        }
    }
}

/// Which gadget a cell belongs to (used by tests that perturb one cell per gadget).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gadget {
    /// A feature's range decomposition.
    Feature,
    /// The packing of features into field elements.
    Packing,
    /// A dot-product accumulator of a layer.
    Linear,
    /// The remainder bits of a rescale.
    Remainder,
    /// A ReLU output.
    Relu,
    /// The decomposition of `logit - threshold`.
    Compare,
    /// A Poseidon state word of the feature commitment.
    Commitment,
    /// The borrower address decomposition.
    Address,
    /// The nonce decomposition.
    Nonce,
    /// The model id constant.
    ModelId,
}

/// The private inputs of one proof.
#[derive(Clone, Debug)]
pub struct Witness {
    /// Quantized features `X`.
    pub features: Vec<i64>,
    /// The commitment salt.
    pub salt: Fr,
    /// The public inputs this witness should prove.
    pub public: PublicInputs,
}

/// The planned table.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Advice column `a`.
    pub a: Vec<Fr>,
    /// Advice column `b`.
    pub b: Vec<Fr>,
    /// Fixed column `w`.
    pub w: Vec<Fr>,
    /// Opcode column `op` per row (0: no gate).
    pub op: Vec<u64>,
    /// Opcode column `qp` per row (0: no gate).
    pub qp: Vec<u64>,
    /// Copy constraints between advice cells.
    pub copies: Vec<(CellRef, CellRef)>,
    /// `(cell, i)`: the cell equals public input `i` (held in `b` at row `i`).
    pub instances: Vec<(CellRef, usize)>,
    /// Representative cells per gadget.
    pub marks: Vec<(Gadget, CellRef)>,
}

pub use crate::commitment::PACK_BITS;
/// Width of the borrower address.
pub const ADDRESS_BITS: u32 = 160;
/// Width of the nonce.
pub const NONCE_BITS: u32 = 64;

impl Layout {
    /// Rows used.
    pub fn rows(&self) -> usize {
        self.a.len()
    }

    /// The value in a cell.
    pub fn value(&self, c: CellRef) -> Fr {
        match c.col {
            Col::A => self.a[c.row],
            Col::B => self.b[c.row],
        }
    }

    /// Add `delta` to one advice cell (for tests that show a gate rejects a bad witness).
    pub fn tamper(&mut self, c: CellRef, delta: Fr) {
        let v = self.value(c) + delta;
        self.set(c, v);
    }

    fn set(&mut self, c: CellRef, v: Fr) {
        match c.col {
            Col::A => self.a[c.row] = v,
            Col::B => self.b[c.row] = v,
        }
    }

    fn new_row(&mut self) -> usize {
        self.a.push(Fr::ZERO);
        self.b.push(Fr::ZERO);
        self.w.push(Fr::ZERO);
        self.op.push(0);
        self.qp.push(0);
        self.a.len() - 1
    }

    fn enable(&mut self, g: Gate, row: usize) {
        let col = match g.column() {
            OpColumn::Op => &mut self.op[row],
            OpColumn::Qp => &mut self.qp[row],
        };
        debug_assert!(*col == 0 || *col == g.opcode(), "two gates of one opcode column on row {row}");
        *col = g.opcode();
    }

    /// The blank row after a running sum whose [`Gate::End`] computes no ReLU.
    fn end_blank(&mut self) {
        self.new_row();
    }

    fn copy(&mut self, from: CellRef, to: CellRef) {
        let v = self.value(from);
        self.set(to, v);
        self.copies.push((from, to));
    }

    /// A fixed constant in `b`.
    fn constant(&mut self, v: Fr) -> CellRef {
        let r = self.new_row();
        self.b[r] = v;
        self.w[r] = v;
        self.enable(Gate::Bias, r);
        CellRef { col: Col::B, row: r }
    }

    /// An unconstrained witness cell in `a`.
    fn free(&mut self, v: Fr) -> CellRef {
        let r = self.new_row();
        self.a[r] = v;
        CellRef { col: Col::A, row: r }
    }

    /// Binary running sum of `value` (`n` bits, `n` even) over `n / 2` fresh rows: `z_j` sits in
    /// `a` for even `j` and in `b` for odd `j`, row `start + j / 2`. Returns `start` (`z_0` = `a[start]`).
    /// The last row carries [`Gate::End`]; the caller follows it with a ReLU row or a blank row.
    fn bits(&mut self, value: Fr, n: u32) -> usize {
        debug_assert!(n >= 2 && n.is_multiple_of(2));
        let start = self.a.len();
        let le = value.to_repr();
        let half = Fr::from(2).invert().unwrap_or(Fr::ZERO);
        let mut z = value;
        let mut zs = Vec::with_capacity(n as usize);
        for j in 0..n as usize {
            zs.push(z);
            let bit = le.as_ref().get(j / 8).map_or(0, |byte| (byte >> (j % 8)) & 1);
            z = (z - Fr::from(u64::from(bit))) * half;
        }
        for i in 0..(n / 2) as usize {
            let r = self.new_row();
            self.a[r] = zs[2 * i];
            self.b[r] = zs[2 * i + 1];
            self.enable(if i + 1 == (n / 2) as usize { Gate::End } else { Gate::Bits }, r);
        }
        start
    }

    /// The cell holding `z_j` of the running sum starting at `start`.
    fn z(start: usize, j: u32) -> CellRef {
        CellRef { col: if j.is_multiple_of(2) { Col::A } else { Col::B }, row: start + (j / 2) as usize }
    }

    /// `bias + sum_i w_i * x_i`, one row per term; returns the result cell (`b` of the last row).
    fn dot(&mut self, bias: Fr, terms: &[(Fr, CellRef)]) -> CellRef {
        let r0 = self.constant(bias).row;
        let mut acc = bias;
        for (i, (w, x)) in terms.iter().enumerate() {
            self.enable(Gate::Mac, r0 + i);
            let r = self.new_row();
            self.copy(*x, CellRef { col: Col::A, row: r });
            self.w[r] = *w;
            acc += *w * self.a[r];
            self.b[r] = acc;
        }
        CellRef { col: Col::B, row: self.a.len() - 1 }
    }

    /// ReLU of a rescaled value whose `shift + r + 1`-bit running sum starts at `start`.
    fn relu(&mut self, start: usize, shift: u32, r: u32) -> CellRef {
        let top = Self::z(start, shift + r);
        debug_assert!(top.col == Col::B && top.row + 1 == self.a.len());
        self.w[top.row] = pow2(r);
        let out = self.new_row();
        self.copy(Self::z(start, shift), CellRef { col: Col::A, row: out });
        self.b[out] = self.b[top.row] * (self.a[out] - self.w[top.row]);
        CellRef { col: Col::B, row: out }
    }

    /// `relu(Q - max)` for a Clip(0, max) layer, from the cell `zs = Q + 2^r`: `d = Q - max` is
    /// offset by `2^bits`, decomposed into `bits + 1` bits and passed through a ReLU.
    fn clip_second(&mut self, zs: CellRef, r: u32, c: &ClipSpec, layer: usize, neuron: usize, checked: bool) -> Result<CellRef> {
        let bias = fr_from_i128((1i128 << c.bits) - (1i128 << r) - i128::from(c.max_q));
        let v = self.dot(bias, &[(Fr::ONE, zs)]);
        let value = to_i128(self.value(v));
        if checked && (value < 0 || value >> (c.bits + 1) != 0) {
            return Err(Error::Calibration(format!("layer {layer} neuron {neuron}: Q - max outside the calibrated {}-bit range", c.bits)));
        }
        let start = self.bits(Fr::from_u128(value.max(0) as u128 & mask(c.bits + 1)), c.bits + 1);
        self.copy(v, CellRef { col: Col::A, row: start });
        Ok(self.relu(start, 0, c.bits))
    }

    /// Poseidon hash (see [`poseidon::hash`]) of the given cells followed by `salt`; returns the
    /// output cell. The salt is a free witness: where it enters the zero state it is written
    /// straight into the first round's row as `salt + c`, costing no row of its own.
    fn poseidon(&mut self, cells: &[CellRef], salt: Fr) -> CellRef {
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
            self.marks.push((Gadget::Commitment, CellRef { col: Col::A, row: first + 3 * 10 + 1 }));
            self.marks.push((Gadget::Commitment, CellRef { col: Col::B, row: first + 3 * 10 + 1 }));
            let out = first + 3 * rounds;
            state = [
                Some(CellRef { col: Col::A, row: out }),
                Some(CellRef { col: Col::A, row: out + 1 }),
                Some(CellRef { col: Col::A, row: out + 2 }),
            ];
        }
        state[0].unwrap_or(CellRef { col: Col::A, row: 0 })
    }

    /// Plan the circuit for `model`. With `witness = None` the advice values are placeholders
    /// (key generation); with a witness every range and the threshold are checked first.
    pub fn build(model: &QuantizedModel, model_id: Fr, witness: Option<&Witness>) -> Result<Layout> {
        let mut l = Layout::default();
        let n = model.inputs();
        let placeholder;
        let wit = match witness {
            Some(w) => {
                if w.features.len() != n {
                    return Err(Error::FeatureCount { expected: n, got: w.features.len() });
                }
                w
            }
            None => {
                placeholder = Witness {
                    features: model.features.iter().map(|f| f.offset).collect(),
                    salt: Fr::ZERO,
                    public: PublicInputs::placeholder(model_id),
                };
                &placeholder
            }
        };
        let checked = witness.is_some();
        // Rows 0..INSTANCE_COUNT: the public inputs, `b[i] = instance[i]` through the bias gate.
        for _ in 0..INSTANCE_COUNT {
            let r = l.new_row();
            l.enable(Gate::Bias, r);
        }
        // The threshold is used in place (the output chain subtracts b[1]).
        l.b[1] = fr_from_i128(wit.public.threshold_q);

        // Features: X' = X - offset, packed into 248-bit words exactly as the commitment packs
        // them. One running sum per word range-checks all of its features at once: feature j
        // starts at bit o_j of its word, so X'_j = z_(o_j) - 2^(bits_j) z_(o_j + bits_j), and the
        // packed word itself is z_0.
        for (i, (x, f)) in wit.features.iter().zip(&model.features).enumerate() {
            let off = i128::from(*x) - i128::from(f.offset);
            if checked && (off < 0 || off >> f.bits != 0) {
                return Err(Error::FeatureOutOfRange {
                    index: i,
                    name: f.name.clone(),
                    value: *x as f64,
                    reason: format!("quantized offset {off} outside the circuit's {}-bit range", f.bits),
                });
            }
        }
        let groups = word_groups(&model.features);
        let mut inputs = vec![FeatureInput { lo: CellRef { col: Col::A, row: 0 }, hi: None, bits: 0 }; n];
        let mut words = Vec::with_capacity(groups.len());
        for group in &groups {
            let width: u32 = group.iter().map(|&i| model.features[i].bits).sum();
            let width = (width + width % 2).max(2);
            let mut value = Fr::ZERO;
            let mut offsets = Vec::with_capacity(group.len());
            let mut o = 0u32;
            for &i in group {
                let f = &model.features[i];
                let off = (i128::from(wit.features[i]) - i128::from(f.offset)).max(0) as u128 & mask(f.bits);
                value += Fr::from_u128(off) * pow2(o);
                offsets.push(o);
                o += f.bits;
            }
            let start = l.bits(value, width);
            l.end_blank();
            for (&i, o) in group.iter().zip(offsets) {
                let bits = model.features[i].bits;
                let hi = (o + bits < width).then(|| Self::z(start, o + bits));
                inputs[i] = FeatureInput { lo: Self::z(start, o), hi, bits };
            }
            words.push(CellRef { col: Col::A, row: start });
        }
        l.marks.push((Gadget::Feature, CellRef { col: Col::B, row: words[0].row }));
        l.marks.push((Gadget::Packing, words[0]));
        let commitment = l.poseidon(&words, wit.salt);
        l.instances.push((commitment, 0));

        // Layers.
        let mut cur: Vec<CellRef> = Vec::new();
        let last = model.layers.len() - 1;
        for (li, layer) in model.layers.iter().enumerate() {
            let (mut next, mut raw) = (Vec::new(), Vec::new());
            let tcell = (li == last).then_some(CellRef { col: Col::B, row: 1 });
            for (j, (row, bias)) in layer.weights.iter().zip(&layer.bias).enumerate() {
                // The first layer sees X' = X - offset: fold the offsets into the bias.
                let mut b = i128::from(*bias);
                if li == 0 {
                    b += row.iter().zip(&model.features).map(|(w, f)| i128::from(*w) * i128::from(f.offset)).sum::<i128>();
                }
                let mut terms: Vec<(Fr, CellRef)> = if li == 0 {
                    feature_terms(row.iter().map(|w| fr_from_i128(i128::from(*w))), &inputs)
                } else {
                    row.iter().zip(&cur).map(|(w, c)| (fr_from_i128(i128::from(*w)), *c)).collect()
                };
                // After a LeakyRelu the second half of the inputs is Q, read as z_shift (= Q + 2^R).
                if li > 0 && model.layers[li - 1].passes_raw {
                    let (half, r) = (row.len() / 2, model.layers[li - 1].out_bits);
                    b -= row[half..].iter().map(|w| i128::from(*w) << r).sum::<i128>();
                }
                if li < last {
                    // Offset so the decomposed value is non-negative: v = y + 2^(shift + r).
                    b += 1i128 << (layer.shift + layer.out_bits);
                } else if let Some(t) = tcell {
                    // Output layer: d = logit - threshold.
                    terms.push((-Fr::ONE, t));
                }
                let y = l.dot(fr_from_i128(b), &terms);
                if li == 0 && j == 0 {
                    l.marks.push((Gadget::Linear, CellRef { col: Col::B, row: y.row - 1 }));
                }
                let yv = to_i128(l.value(y));
                if li < last {
                    let (s, r) = (layer.shift, layer.out_bits);
                    let nbits = s + r + 1;
                    let v = yv;
                    if checked && (v < 0 || v >> nbits != 0) {
                        return Err(Error::Calibration(format!(
                            "layer {li} neuron {j}: accumulator {} outside the calibrated range",
                            yv - (1i128 << (s + r))
                        )));
                    }
                    let start = l.bits(Fr::from_u128(v.max(0) as u128 & mask(nbits)), nbits);
                    l.copy(y, CellRef { col: Col::A, row: start });
                    if li == 0 && j == 0 {
                        l.marks.push((Gadget::Remainder, CellRef { col: Col::A, row: start + 1 }));
                    }
                    let out = l.relu(start, s, r);
                    if li == 0 && j == 0 {
                        l.marks.push((Gadget::Relu, out));
                    }
                    next.push(out);
                    // relu copies z_shift (= Q + 2^r) into `a` of its own row.
                    let zs = CellRef { col: Col::A, row: out.row };
                    raw.push(match &layer.clip {
                        Some(c) => l.clip_second(zs, r, c, li, j, checked)?,
                        None => zs,
                    });
                } else {
                    let t = wit.public.threshold_q;
                    let d = yv;
                    if checked && d < 0 {
                        return Err(Error::BelowThreshold {
                            score: model.score(yv + t),
                            threshold: model.score(t),
                            logit_q: yv + t,
                            threshold_q: t,
                        });
                    }
                    if checked && d >> model.compare_bits != 0 {
                        return Err(Error::BadValue {
                            what: "threshold".into(),
                            reason: format!("logit - threshold = {d} does not fit {} bits", model.compare_bits),
                        });
                    }
                    let start = l.bits(Fr::from_u128(d.max(0) as u128 & mask(model.compare_bits)), model.compare_bits);
                    l.end_blank();
                    l.copy(y, CellRef { col: Col::A, row: start });
                    l.marks.push((Gadget::Compare, CellRef { col: Col::A, row: start + 1 }));
                }
            }
            if layer.passes_raw || layer.clip.is_some() {
                next.extend(raw);
            }
            cur = next;
        }

        // Borrower address (160 bits) and nonce (64 bits), range-checked and tied to instances 2 and 3.
        let mut addr = [0u8; 32];
        for (dst, src) in addr.iter_mut().zip(wit.public.borrower.iter().rev()) {
            *dst = *src;
        }
        let start = l.bits(Fr::from_repr(addr).unwrap_or(Fr::ZERO), ADDRESS_BITS);
        l.end_blank();
        l.instances.push((CellRef { col: Col::A, row: start }, 2));
        l.marks.push((Gadget::Address, CellRef { col: Col::A, row: start + 3 }));
        let start = l.bits(Fr::from(wit.public.nonce), NONCE_BITS);
        l.end_blank();
        l.instances.push((CellRef { col: Col::A, row: start }, 3));
        l.marks.push((Gadget::Nonce, CellRef { col: Col::A, row: start + 3 }));

        // Model id: a fixed constant of this circuit, exposed as instance 4.
        let id = l.constant(model_id);
        l.instances.push((id, 4));
        l.marks.push((Gadget::ModelId, id));
        l.instances.push((CellRef { col: Col::B, row: 1 }, 1));
        debug_assert_eq!(l.instances.len(), INSTANCE_COUNT);
        for (cell, i) in l.instances.clone() {
            if cell == (CellRef { col: Col::B, row: i }) {
                continue;
            }
            l.b[i] = l.value(cell);
            l.copies.push((CellRef { col: Col::B, row: i }, cell));
        }
        Ok(l)
    }
}

/// Where a feature sits in its word's running sum: `X' = lo - 2^bits hi` (`hi = None`: zero).
#[derive(Clone, Copy, Debug)]
struct FeatureInput {
    lo: CellRef,
    hi: Option<CellRef>,
    bits: u32,
}

/// The terms of `sum_j w_j X'_j` over running-sum cells, with the coefficients of a cell shared by
/// two neighbouring features (`hi` of one is `lo` of the next) merged and zero terms dropped.
fn feature_terms(weights: impl Iterator<Item = Fr>, inputs: &[FeatureInput]) -> Vec<(Fr, CellRef)> {
    let mut terms: Vec<(Fr, CellRef)> = Vec::new();
    let mut push = |c: Fr, cell: CellRef| match terms.last_mut() {
        Some((acc, last)) if *last == cell => *acc += c,
        _ => terms.push((c, cell)),
    };
    for (w, x) in weights.zip(inputs) {
        push(w, x.lo);
        if let Some(hi) = x.hi {
            push(-w * pow2(x.bits), hi);
        }
    }
    terms.retain(|(c, _)| !bool::from(c.is_zero()));
    terms
}

fn mask(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// A field element known to hold a small signed integer, back as `i128`.
pub fn to_i128(v: Fr) -> i128 {
    let le = v.to_repr();
    let bytes = le.as_ref();
    if bytes[16..].iter().all(|b| *b == 0) {
        return u128::from_le_bytes(bytes[..16].try_into().unwrap_or([0; 16])) as i128;
    }
    let neg = (-v).to_repr();
    -(u128::from_le_bytes(neg.as_ref()[..16].try_into().unwrap_or([0; 16])) as i128)
}
