//! The verifier's view of a circuit: what the proof contains, in which order the transcript
//! absorbs it, which polynomial is opened where, and the quotient expression to check.
//!
//! snark-verifier's `compile` already derives this from a halo2-axiom verifying key (it is the
//! same derivation its own verifier uses, so the transcript order is the prover's). Its expression
//! type lives in a private module, so [`Protocol::from_vk`] reads it through serde into
//! [`Expr`], zkcredit's own IR; everything downstream uses only the types defined here: the
//! Solidity generator (`zkcredit-verifier-codegen`) and the inversion hint ([`crate::hint`]),
//! which must agree on the verifier's denominators ([`Protocol::denominators`]).

use std::collections::BTreeSet;

use halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine, G2Affine};
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_proofs::plonk::VerifyingKey;
use halo2_proofs::poly::commitment::ParamsProver;
use halo2_proofs::poly::kzg::commitment::ParamsKZG;
use serde_json::Value;
use snark_verifier::system::halo2::{compile, Config};

use crate::error::{Error, Result};

/// Bytes of the inversion hint that follows the halo2 proof (one field element; see [`crate::hint`]).
pub const HINT_LEN: usize = 32;

/// One opening: polynomial `poly` at `x * omega^rotation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Query {
    /// Polynomial index: preprocessed, then instance, then witness, then the quotient.
    pub poly: usize,
    /// Rotation.
    pub rotation: i32,
}

/// Polynomials opened at the same set of rotations, grouped as snark-verifier's (and halo2's)
/// SHPLONK does: polynomials in order of first query, each with its rotations in query order;
/// sets by equal rotation sets, in order of first appearance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuerySet {
    /// The rotations, in query order.
    pub rotations: Vec<i32>,
    /// The polynomials.
    pub polys: Vec<usize>,
}

/// One value the verifier inverts, as a function of the challenges `x` and `u`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denominator {
    /// `x w^-i - 1`, for the Lagrange basis polynomial of row `i`.
    Lagrange(i32),
    /// `x^n - 1`, the vanishing polynomial at `x`.
    Vanishing,
    /// `u - x w^r`, for the rotation `r`.
    Opening(i32),
    /// `x` itself.
    X,
}

/// A polynomial known to the verifier without a commitment in the proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Common {
    /// `X` itself.
    Identity,
    /// The Lagrange basis polynomial of row `i` (negative: counted from the end).
    Lagrange(i32),
}

/// The quotient numerator, as an expression over evaluations at `x`.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A field constant.
    Constant(Fr),
    /// A common polynomial evaluated at `x`.
    Common(Common),
    /// An opened polynomial.
    Poly(Query),
    /// A transcript challenge, by index.
    Challenge(usize),
    /// `-a`.
    Negated(Box<Expr>),
    /// `a + b`.
    Sum(Box<Expr>, Box<Expr>),
    /// `a * b`.
    Product(Box<Expr>, Box<Expr>),
    /// `a * c` for a constant `c`.
    Scaled(Box<Expr>, Fr),
    /// `e_0 * s^(m-1) + ... + e_(m-1)` (Horner in `s`).
    DistributePowers(Vec<Expr>, Box<Expr>),
}

/// Everything the generated verifier needs to know about one verifying key.
#[derive(Clone, Debug)]
pub struct Protocol {
    /// log2 of the number of rows.
    pub k: u32,
    /// Generator of the evaluation domain.
    pub omega: Fr,
    /// `1 / n`.
    pub n_inv: Fr,
    /// The verifying key's transcript representation (absorbed first).
    pub transcript_init: Fr,
    /// Commitments of the fixed and permutation polynomials, in polynomial-index order.
    pub preprocessed: Vec<G1Affine>,
    /// Number of public inputs (one instance column).
    pub num_instance: usize,
    /// Witness commitments read per phase.
    pub num_witness: Vec<usize>,
    /// Challenges squeezed after each phase.
    pub num_challenge: Vec<usize>,
    /// Evaluations in proof order.
    pub evaluations: Vec<Query>,
    /// Openings checked by the multi-open argument, in the prover's order.
    pub queries: Vec<Query>,
    /// Degree of each quotient chunk, in multiples of `n`.
    pub chunk_degree: usize,
    /// Number of quotient chunks.
    pub num_chunk: usize,
    /// The quotient numerator.
    pub numerator: Expr,
    /// `[1]_1` of the SRS.
    pub g1: G1Affine,
    /// `[1]_2` of the SRS.
    pub g2: G2Affine,
    /// `[s]_2` of the SRS.
    pub s_g2: G2Affine,
}

impl Protocol {
    /// Derive the protocol of a zkcredit verifying key with `num_instance` public inputs.
    pub fn from_vk(params: &ParamsKZG<Bn256>, vk: &VerifyingKey<G1Affine>, num_instance: usize) -> Result<Self> {
        let p = compile(params, vk, Config::kzg().with_num_instance(vec![num_instance]));
        if p.instance_committing_key.is_some() || p.linearization.is_some() || !p.accumulator_indices.is_empty() {
            return Err(Error::Protocol("committed instances, linearization or accumulators".into()));
        }
        let numerator = serde_json::to_value(&p.quotient.numerator).map_err(|e| Error::Protocol(e.to_string()))?;
        Ok(Protocol {
            k: p.domain.k as u32,
            omega: p.domain.gen,
            n_inv: p.domain.n_inv,
            transcript_init: p.transcript_initial_state.ok_or_else(|| Error::Protocol("no transcript initial state".into()))?,
            preprocessed: p.preprocessed.clone(),
            num_instance,
            num_witness: p.num_witness.clone(),
            num_challenge: p.num_challenge.clone(),
            evaluations: p.evaluations.iter().map(|q| Query { poly: q.poly, rotation: q.rotation.0 }).collect(),
            queries: p.queries.iter().map(|q| Query { poly: q.poly, rotation: q.rotation.0 }).collect(),
            chunk_degree: p.quotient.chunk_degree,
            num_chunk: p.quotient.num_chunk(),
            numerator: expr_from_json(&numerator)?,
            g1: params.get_g()[0],
            g2: params.g2(),
            s_g2: params.s_g2(),
        })
    }

    /// Number of rows.
    pub fn n(&self) -> u64 {
        1 << self.k
    }

    /// Index of the (single) instance polynomial.
    pub fn instance_poly(&self) -> usize {
        self.preprocessed.len()
    }

    /// Index of the first witness polynomial.
    pub fn first_witness_poly(&self) -> usize {
        self.preprocessed.len() + 1
    }

    /// Index of the quotient polynomial.
    pub fn quotient_poly(&self) -> usize {
        self.first_witness_poly() + self.num_witness.iter().sum::<usize>()
    }

    /// `omega^i` (negative `i` counts from the end of the domain).
    pub fn omega_pow(&self, i: i32) -> Fr {
        let e = if i >= 0 { i as u64 } else { self.n() - (-i) as u64 };
        self.omega.pow_vartime([e])
    }

    /// Size in bytes of the halo2 proof: witness and quotient commitments, evaluations, and the
    /// two multi-open commitments.
    pub fn halo2_proof_len(&self) -> usize {
        let points = self.num_witness.iter().sum::<usize>() + self.num_chunk + 2;
        points * 64 + self.evaluations.len() * 32
    }

    /// Size in bytes of a zkcredit proof: the halo2 proof followed by the 32-byte inversion hint.
    pub fn proof_len(&self) -> usize {
        self.halo2_proof_len() + HINT_LEN
    }

    /// Rotations at which the instance column is read by the numerator.
    pub fn instance_rotations(&self) -> BTreeSet<i32> {
        let mut out = BTreeSet::new();
        self.numerator.visit(&mut |e| {
            if let Expr::Poly(q) = e {
                if q.poly == self.instance_poly() {
                    out.insert(q.rotation);
                }
            }
        });
        out
    }

    /// Every Lagrange polynomial the verifier evaluates: those in the numerator and those needed
    /// to evaluate the instance column.
    pub fn lagranges(&self) -> BTreeSet<i32> {
        let mut out = BTreeSet::new();
        self.numerator.visit(&mut |e| {
            if let Expr::Common(Common::Lagrange(i)) = e {
                out.insert(*i);
            }
        });
        for r in self.instance_rotations() {
            for i in 0..self.num_instance as i32 {
                out.insert(i - r);
            }
        }
        out
    }

    /// The multi-open argument's rotation sets (see [`QuerySet`]).
    pub fn query_sets(&self) -> Vec<QuerySet> {
        let mut poly_rots: Vec<(usize, Vec<i32>)> = Vec::new();
        for q in &self.queries {
            match poly_rots.iter_mut().find(|(p, _)| *p == q.poly) {
                Some((_, rots)) if !rots.contains(&q.rotation) => rots.push(q.rotation),
                Some(_) => {}
                None => poly_rots.push((q.poly, vec![q.rotation])),
            }
        }
        let mut sets: Vec<QuerySet> = Vec::new();
        for (poly, rots) in poly_rots {
            let key: BTreeSet<i32> = rots.iter().copied().collect();
            match sets.iter_mut().find(|s| s.rotations.iter().copied().collect::<BTreeSet<_>>() == key) {
                Some(set) => {
                    if !set.polys.contains(&poly) {
                        set.polys.push(poly)
                    }
                }
                None => sets.push(QuerySet { rotations: rots, polys: vec![poly] }),
            }
        }
        sets
    }

    /// Every distinct rotation of an opened polynomial, ascending.
    pub fn rotations(&self) -> Vec<i32> {
        self.queries.iter().map(|q| q.rotation).collect::<BTreeSet<_>>().into_iter().collect()
    }

    /// The values the verifier inverts, in the order the generated contract computes them.
    pub fn denominators(&self) -> Vec<Denominator> {
        let mut out: Vec<Denominator> = self.lagranges().into_iter().map(Denominator::Lagrange).collect();
        out.push(Denominator::Vanishing);
        out.extend(self.rotations().into_iter().map(Denominator::Opening));
        if self.query_sets().iter().any(|s| s.rotations.len() > 1) {
            out.push(Denominator::X);
        }
        out
    }

    /// `-[s]_2`, the second pairing's G2 point.
    pub fn neg_s_g2(&self) -> G2Affine {
        -self.s_g2
    }
}

impl Expr {
    /// Call `f` on every node, parents first.
    pub fn visit(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Constant(_) | Expr::Common(_) | Expr::Poly(_) | Expr::Challenge(_) => {}
            Expr::Negated(a) | Expr::Scaled(a, _) => a.visit(f),
            Expr::Sum(a, b) | Expr::Product(a, b) => {
                a.visit(f);
                b.visit(f);
            }
            Expr::DistributePowers(es, s) => {
                es.iter().for_each(|e| e.visit(f));
                s.visit(f);
            }
        }
    }
}

fn fr_from_json(v: &Value) -> Result<Fr> {
    let hex_str = v.as_str().ok_or_else(|| Error::Protocol(format!("field constant {v}")))?;
    let bytes = hex::decode(hex_str.trim_start_matches("0x")).map_err(|e| Error::Protocol(format!("field constant: {e}")))?;
    let mut repr = [0u8; 32];
    if bytes.len() != 32 {
        return Err(Error::Protocol(format!("field constant of {} bytes", bytes.len())));
    }
    repr.copy_from_slice(&bytes);
    Option::from(Fr::from_repr(repr)).ok_or_else(|| Error::Protocol(format!("non-canonical field constant {hex_str}")))
}

fn query_from_json(v: &Value) -> Result<Query> {
    let poly = v["poly"].as_u64().ok_or_else(|| Error::Protocol(format!("query {v}")))? as usize;
    let rotation = v["rotation"].as_i64().ok_or_else(|| Error::Protocol(format!("query {v}")))? as i32;
    Ok(Query { poly, rotation })
}

fn expr_from_json(v: &Value) -> Result<Expr> {
    let bad = || Error::Protocol(format!("expression node {}", truncate(v)));
    let obj = v.as_object().filter(|o| o.len() == 1).ok_or_else(bad)?;
    let (tag, body) = obj.iter().next().ok_or_else(bad)?;
    let boxed = |v: &Value| expr_from_json(v).map(Box::new);
    Ok(match tag.as_str() {
        "Constant" => Expr::Constant(fr_from_json(body)?),
        "CommonPolynomial" => match body {
            Value::String(s) if s == "Identity" => Expr::Common(Common::Identity),
            Value::Object(o) => {
                let i = o.get("Lagrange").and_then(Value::as_i64).ok_or_else(bad)?;
                Expr::Common(Common::Lagrange(i as i32))
            }
            _ => return Err(bad()),
        },
        "Polynomial" => Expr::Poly(query_from_json(body)?),
        "Challenge" => Expr::Challenge(body.as_u64().ok_or_else(bad)? as usize),
        "Negated" => Expr::Negated(boxed(body)?),
        "Sum" | "Product" => {
            let pair = body.as_array().filter(|a| a.len() == 2).ok_or_else(bad)?;
            let (a, b) = (boxed(&pair[0])?, boxed(&pair[1])?);
            if tag == "Sum" {
                Expr::Sum(a, b)
            } else {
                Expr::Product(a, b)
            }
        }
        "Scaled" => {
            let pair = body.as_array().filter(|a| a.len() == 2).ok_or_else(bad)?;
            Expr::Scaled(boxed(&pair[0])?, fr_from_json(&pair[1])?)
        }
        "DistributePowers" => {
            let pair = body.as_array().filter(|a| a.len() == 2).ok_or_else(bad)?;
            let exprs = pair[0].as_array().ok_or_else(bad)?.iter().map(expr_from_json).collect::<Result<Vec<_>>>()?;
            Expr::DistributePowers(exprs, boxed(&pair[1])?)
        }
        _ => return Err(bad()),
    })
}

fn truncate(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 120 {
        format!("{}...", &s[..120])
    } else {
        s
    }
}
