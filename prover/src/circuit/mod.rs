//! The credit circuit: gates ([`config`]), the planned table ([`layout`]) composed from one
//! planner per gadget (`features`: range checks and packing; `hash`: Poseidon; `layers`: dot
//! products, rescale and ReLU, the comparison; `splits`: the trees' comparison bits; `trees`: multiplexers and the score; `binding`:
//! the public inputs), and the halo2 `Circuit`, configured per model [`Family`].

mod batch;
mod binding;
pub mod config;
mod features;
mod hash;
mod layers;
pub mod layout;
mod splits;
mod trees;

use std::sync::Arc;

use halo2_proofs::circuit::{Cell, Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::plonk::{Circuit, ConstraintSystem, Error as PlonkError};

pub use batch::ACCOUNT_BITS;
pub use config::{CreditConfig, Family};
#[cfg(any(test, feature = "test-support"))]
pub use layout::Cheat;
pub use layout::{CellRef, Col, Gadget, Gate, Layout, OpColumn, Witness};

/// The halo2 circuit: a planned [`Layout`] written into the columns of [`CreditConfig`].
#[derive(Clone, Debug)]
pub struct CreditCircuit {
    /// The table to assign.
    pub layout: Arc<Layout>,
}

impl Circuit<Fr> for CreditCircuit {
    type Config = CreditConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = Family;

    fn without_witnesses(&self) -> Self {
        self.clone()
    }

    fn params(&self) -> Family {
        self.layout.family
    }

    fn configure_with_params(meta: &mut ConstraintSystem<Fr>, family: Family) -> CreditConfig {
        CreditConfig::configure(meta, family)
    }

    fn configure(meta: &mut ConstraintSystem<Fr>) -> CreditConfig {
        CreditConfig::configure(meta, Family::Network)
    }

    fn synthesize(&self, config: CreditConfig, mut layouter: impl Layouter<Fr>) -> Result<(), PlonkError> {
        let l = &self.layout;
        layouter.assign_region(
            || "credit",
            |mut region| {
                let mut a_cells: Vec<Cell> = Vec::with_capacity(l.rows());
                let mut b_cells: Vec<Cell> = Vec::with_capacity(l.rows());
                for row in 0..l.rows() {
                    a_cells.push(region.assign_advice(config.a, row, Value::known(l.a[row])).cell());
                    b_cells.push(region.assign_advice(config.b, row, Value::known(l.b[row])).cell());
                    region.assign_fixed(config.w, row, l.w[row]);
                    region.assign_fixed(config.op, row, Fr::from(l.op[row]));
                    region.assign_fixed(config.qp, row, Fr::from(l.qp[row]));
                    if let Some(qt) = config.qt {
                        region.assign_fixed(qt, row, Fr::from(l.qt[row]));
                    }
                }
                let cell = |c: &CellRef| match c.col {
                    Col::A => a_cells[c.row],
                    Col::B => b_cells[c.row],
                };
                for (x, y) in &l.copies {
                    region.constrain_equal(cell(x), cell(y));
                }
                Ok(())
            },
        )
    }
}
