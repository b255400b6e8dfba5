//! The layout: the table every gadget is placed on (two advice columns `a`, `b`, one fixed column
//! `w` and the two opcode columns `op`, `qp`), its primitives (running sums, dot products, ReLU),
//! and [`Layout::build`], the short planner composing the gadgets of `features`, `hash`, `layers`
//! and `binding`.
//!
//! The plan depends only on the quantized model (the same rows, fixed values, opcodes and copy
//! constraints for every applicant); the advice values come from the [`Witness`]. Keeping the
//! whole table in plain vectors lets `synthesize` stay a dumb copy loop and lets tests perturb any
//! single witness cell.

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::{Field, PrimeField};

use super::config::Family;
use super::layers::LayerInputs;
use crate::error::{Error, Result};
use crate::field::pow2;
use crate::public::{PublicInputs, INSTANCE_COUNT};
use crate::quantize::{Body, QuantizedModel};

/// An advice column of the circuit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Col {
    /// Advice column `a`.
    #[default]
    A,
    /// Advice column `b`.
    B,
}

/// One advice cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
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
    /// The tree multiplexer: `a[0]` is a bit, and `b[1] = a[0] ? b[0] + w[0] : a[1] + w[1]` (a
    /// child's cell plus a constant: a leaf is a zero cell plus its value).
    Mux,
}

/// The fixed column that selects a [`Gate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpColumn {
    /// `op`: [`Gate::Mac`], [`Gate::Bits`], [`Gate::End`].
    Op,
    /// `qp`: the Poseidon rounds and [`Gate::Bias`].
    Qp,
    /// `qt`: [`Gate::Mux`] (tree circuits only).
    Qt,
}

impl Gate {
    /// The opcode column selecting this gate.
    pub fn column(self) -> OpColumn {
        match self {
            Gate::Mac | Gate::Bits | Gate::End => OpColumn::Op,
            Gate::Bias | Gate::PoseidonPartial | Gate::PoseidonFull => OpColumn::Qp,
            Gate::Mux => OpColumn::Qt,
        }
    }

    /// The value of [`Gate::column`] on rows where this gate applies.
    pub fn opcode(self) -> u64 {
        match self {
            Gate::Mac | Gate::PoseidonPartial | Gate::Mux => 1,
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
    /// A split's comparison (the decomposition of `X' - T - 1 + 2^B`).
    Split,
    /// A tree multiplexer's output.
    Mux,
    /// The first bit of a feature's thermometer (shared split bits).
    Thermometer,
}

/// A deliberate fault in the planned witness, for tests that show the circuit alone rejects it
/// (only with the `test-support` feature).
#[cfg(any(test, feature = "test-support"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cheat {
    /// Skip the planner's checks (feature ranges, the threshold): the constraints must refuse.
    Unchecked,
    /// Flip the `n`-th split bit of a tree ensemble (planning order); everything after it follows.
    FlipSplit(usize),
    /// Make the `n`-th tree multiplexer output its other child; everything after it follows.
    WrongBranch(usize),
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
    /// Opcode column `qt` per row (0: no gate; assigned in tree circuits only).
    pub qt: Vec<u64>,
    /// The circuit's family (whether it has the `qt` column).
    pub family: Family,
    /// Copy constraints between advice cells.
    pub copies: Vec<(CellRef, CellRef)>,
    /// `(cell, i)`: the cell equals public input `i` (held in `b` at row `i`).
    pub instances: Vec<(CellRef, usize)>,
    /// The cell holding the public threshold (the comparison subtracts it in place).
    pub(super) threshold_cell: CellRef,
    /// Slots of a batch layout (`None`: a single proof).
    pub batch: Option<usize>,
    /// Representative cells per gadget (tests perturb them; only with the `test-support` feature).
    #[cfg(any(test, feature = "test-support"))]
    pub marks: Vec<(Gadget, CellRef)>,
    /// The fault to plant and how many split bits and multiplexers were planned so far.
    #[cfg(any(test, feature = "test-support"))]
    pub(super) cheat: Option<(Cheat, usize, usize)>,
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
    #[cfg(any(test, feature = "test-support"))]
    pub fn tamper(&mut self, c: CellRef, delta: Fr) {
        let v = self.value(c) + delta;
        self.set(c, v);
    }

    /// Record a representative cell of a gadget (kept only with the `test-support` feature).
    pub(super) fn mark(&mut self, gadget: Gadget, cell: CellRef) {
        #[cfg(any(test, feature = "test-support"))]
        self.marks.push((gadget, cell));
        #[cfg(not(any(test, feature = "test-support")))]
        let _ = (gadget, cell);
    }

    /// Whether some cell of `gadget` is marked already (always `true` without `test-support`).
    pub(super) fn marks_any(&self, gadget: Gadget) -> bool {
        #[cfg(any(test, feature = "test-support"))]
        return self.marks.iter().any(|(g, _)| *g == gadget);
        #[cfg(not(any(test, feature = "test-support")))]
        {
            let _ = gadget;
            true
        }
    }

    pub(super) fn cheat_unchecked(&self) -> bool {
        #[cfg(any(test, feature = "test-support"))]
        return matches!(self.cheat, Some((Cheat::Unchecked, ..)));
        #[cfg(not(any(test, feature = "test-support")))]
        false
    }

    /// Count a split bit; `true` if the planted fault flips this one.
    pub(super) fn cheat_flips_split(&mut self) -> bool {
        #[cfg(any(test, feature = "test-support"))]
        if let Some((cheat, splits, _)) = &mut self.cheat {
            *splits += 1;
            return *cheat == Cheat::FlipSplit(*splits - 1);
        }
        false
    }

    /// Count a multiplexer; `true` if the planted fault makes this one pick the wrong child.
    pub(super) fn cheat_wrong_branch(&mut self) -> bool {
        #[cfg(any(test, feature = "test-support"))]
        if let Some((cheat, _, muxes)) = &mut self.cheat {
            *muxes += 1;
            return *cheat == Cheat::WrongBranch(*muxes - 1);
        }
        false
    }

    pub(super) fn set(&mut self, c: CellRef, v: Fr) {
        match c.col {
            Col::A => self.a[c.row] = v,
            Col::B => self.b[c.row] = v,
        }
    }

    pub(super) fn new_row(&mut self) -> usize {
        self.a.push(Fr::ZERO);
        self.b.push(Fr::ZERO);
        self.w.push(Fr::ZERO);
        self.op.push(0);
        self.qp.push(0);
        self.qt.push(0);
        self.a.len() - 1
    }

    pub(super) fn enable(&mut self, g: Gate, row: usize) {
        let col = match g.column() {
            OpColumn::Op => &mut self.op[row],
            OpColumn::Qp => &mut self.qp[row],
            OpColumn::Qt => &mut self.qt[row],
        };
        debug_assert!(*col == 0 || *col == g.opcode(), "two gates of one opcode column on row {row}");
        *col = g.opcode();
    }

    /// The blank row after a running sum whose [`Gate::End`] computes no ReLU.
    pub(super) fn end_blank(&mut self) {
        self.new_row();
    }

    pub(super) fn copy(&mut self, from: CellRef, to: CellRef) {
        let v = self.value(from);
        self.set(to, v);
        self.copies.push((from, to));
    }

    /// A fixed constant in `b`.
    pub(super) fn constant(&mut self, v: Fr) -> CellRef {
        let r = self.new_row();
        self.b[r] = v;
        self.w[r] = v;
        self.enable(Gate::Bias, r);
        CellRef { col: Col::B, row: r }
    }

    /// An unconstrained witness cell in `a`.
    pub(super) fn free(&mut self, v: Fr) -> CellRef {
        let r = self.new_row();
        self.a[r] = v;
        CellRef { col: Col::A, row: r }
    }

    /// Binary running sum of `value` (`n` bits, `n` even) over `n / 2` fresh rows: `z_j` sits in
    /// `a` for even `j` and in `b` for odd `j`, row `start + j / 2`. Returns `start` (`z_0` = `a[start]`).
    /// The last row carries [`Gate::End`]; the caller follows it with a ReLU row or a blank row.
    pub(super) fn bits(&mut self, value: Fr, n: u32) -> usize {
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
    pub(super) fn z(start: usize, j: u32) -> CellRef {
        CellRef { col: if j.is_multiple_of(2) { Col::A } else { Col::B }, row: start + (j / 2) as usize }
    }

    /// `bias + sum_i w_i * x_i`, one row per term; returns the result cell (`b` of the last row).
    pub(super) fn dot(&mut self, bias: Fr, terms: &[(Fr, CellRef)]) -> CellRef {
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
    pub(super) fn relu(&mut self, start: usize, shift: u32, r: u32) -> CellRef {
        let top = Self::z(start, shift + r);
        debug_assert!(top.col == Col::B && top.row + 1 == self.a.len());
        self.w[top.row] = pow2(r);
        let out = self.new_row();
        self.copy(Self::z(start, shift), CellRef { col: Col::A, row: out });
        self.b[out] = self.b[top.row] * (self.a[out] - self.w[top.row]);
        CellRef { col: Col::B, row: out }
    }

    /// Plan the circuit for `model`: the public-input rows, the features and their commitment,
    /// each layer (or the trees), then the borrower, nonce and model id, and the ties to the instance column.
    /// With `witness = None` the advice values are placeholders (key generation); with a witness
    /// every range and the threshold are checked first. The order of these steps fixes the rows
    /// and the copy constraints, hence the verifying key.
    pub fn build(model: &QuantizedModel, model_id: Fr, witness: Option<&Witness>) -> Result<Layout> {
        Self::plan(model, model_id, witness, Layout::default())
    }

    /// [`Layout::build`] with a fault planted in the witness (tests of the constraints).
    #[cfg(any(test, feature = "test-support"))]
    pub fn build_cheating(model: &QuantizedModel, model_id: Fr, witness: &Witness, cheat: Cheat) -> Result<Layout> {
        let l = Self::plan(model, model_id, Some(witness), Layout { cheat: Some((cheat, 0, 0)), ..Layout::default() })?;
        let (splits, muxes) = l.planned();
        match cheat {
            Cheat::FlipSplit(n) if n >= splits => {
                Err(Error::BadValue { what: "cheat".into(), reason: format!("{cheat:?}: only {splits} split bits") })
            }
            Cheat::WrongBranch(n) if n >= muxes => {
                Err(Error::BadValue { what: "cheat".into(), reason: format!("{cheat:?}: only {muxes} multiplexers") })
            }
            _ => Ok(l),
        }
    }

    /// How many tree split bits and tree multiplexers a [`Layout::build_cheating`] layout planned.
    #[cfg(any(test, feature = "test-support"))]
    pub fn planned(&self) -> (usize, usize) {
        self.cheat.map_or((0, 0), |(_, splits, muxes)| (splits, muxes))
    }

    fn plan(model: &QuantizedModel, model_id: Fr, witness: Option<&Witness>, mut l: Layout) -> Result<Layout> {
        let placeholder = Witness::placeholder(model, model_id);
        let wit = witness.unwrap_or(&placeholder);
        let checked = witness.is_some() && !l.cheat_unchecked();
        l.plan_public_rows(wit.public.threshold_q);
        l.plan_applicant(model, wit, 0, checked)?;
        l.plan_binding(&wit.public, model_id);
        l.tie_instances(INSTANCE_COUNT);
        Ok(l)
    }

    /// One applicant: the features, their commitment (tied to public input `commitment`), the
    /// model (layers or trees) and the comparison with the threshold.
    pub(super) fn plan_applicant(&mut self, model: &QuantizedModel, wit: &Witness, commitment: usize, checked: bool) -> Result<()> {
        let n = model.inputs();
        if wit.features.len() != n {
            return Err(Error::FeatureCount { expected: n, got: wit.features.len() });
        }
        let (features, words) = self.plan_features(model, wit, checked)?;
        let cell = self.poseidon(&words, wit.salt);
        self.instances.push((cell, commitment));
        match &model.body {
            Body::Layers(layers) => {
                let mut inputs = LayerInputs::Features(&features);
                for li in 0..layers.len() {
                    inputs = LayerInputs::Cells(self.plan_layer(model, li, &inputs, &wit.public, checked)?);
                }
            }
            Body::Trees(trees) => {
                self.family = Family::Trees;
                self.plan_trees(model, trees, &features, &wit.public, checked)?;
            }
        }
        Ok(())
    }
}

impl Witness {
    /// Placeholder values for key generation: every feature at its offset, zero salt.
    pub fn placeholder(model: &QuantizedModel, model_id: Fr) -> Self {
        Witness { features: model.features.iter().map(|f| f.offset).collect(), salt: Fr::ZERO, public: PublicInputs::placeholder(model_id) }
    }
}

pub(super) fn mask(bits: u32) -> u128 {
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
