//! Tree ensembles in fixed point: every split becomes `X <= le` on the quantized feature `X`
//! (the four ONNX comparison modes normalized, branches swapped for `>=` and `>`), every leaf an
//! integer at the output scale `2^output_scale`, and the score `base + sum of reached leaves`.
//!
//! Thresholds, for an input on the grid `x = X / 2^s` and `y = t 2^s`: `x <= t` iff
//! `X <= floor(y)`, `x < t` iff `X <= ceil(y) - 1`; `x >= t` and `x > t` are their negations.
//! For inputs off the grid the comparison can differ within half a quantum of the threshold:
//! calibration counts such rows as disagreements and raises the input bits.

use serde::{Deserialize, Serialize};

use super::{bits_for, even, FeatureSpec};
use crate::onnx::trees::{FloatNode, Mode, TreeEnsemble};

/// One node of a quantized tree.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum QNode {
    /// Go to node `yes` when `X[feature] <= le`, else to node `no`.
    Split {
        /// Model input read.
        feature: usize,
        /// The largest quantized feature value taking the `yes` branch.
        le: i64,
        /// Index of the node taken when `X <= le` (larger than this node's).
        yes: usize,
        /// Index of the node taken otherwise (larger than this node's).
        no: usize,
    },
    /// A leaf's value at the output scale.
    Leaf(i64),
}

/// A quantized tree; node 0 is the root.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct QTree {
    /// The nodes, children after parents.
    pub nodes: Vec<QNode>,
}

/// A quantized tree ensemble.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct QTrees {
    /// Added to the leaves, at the output scale.
    pub base: i64,
    /// The trees.
    pub trees: Vec<QTree>,
}

impl QTree {
    /// The value of the leaf `x` reaches.
    pub fn leaf(&self, x: &[i64]) -> i64 {
        let mut i = 0;
        loop {
            match &self.nodes[i] {
                QNode::Leaf(v) => return *v,
                QNode::Split { feature, le, yes, no } => i = if x[*feature] <= *le { *yes } else { *no },
            }
        }
    }

    /// Depth (splits on the longest root-to-leaf path).
    pub fn depth(&self) -> usize {
        let mut depth = vec![0usize; self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            if let QNode::Split { yes, no, .. } = n {
                let below = depth[i] + 1;
                for c in [*yes, *no] {
                    if let Some(d) = depth.get_mut(c) {
                        *d = below;
                    }
                }
            }
        }
        depth.into_iter().max().unwrap_or(0)
    }

    /// The largest `|leaf|`.
    pub fn max_abs_leaf(&self) -> i64 {
        self.nodes.iter().map(|n| if let QNode::Leaf(v) = n { v.saturating_abs() } else { 0 }).max().unwrap_or(0)
    }
}

impl QTrees {
    /// `base + sum of the reached leaves`.
    pub fn score(&self, x: &[i64]) -> i128 {
        i128::from(self.base) + self.trees.iter().map(|t| i128::from(t.leaf(x))).sum::<i128>()
    }

    /// `|base| + sum of each tree's largest |leaf|`: bounds every score.
    pub fn bound(&self) -> i128 {
        i128::from(self.base).abs() + self.trees.iter().map(|t| i128::from(t.max_abs_leaf())).sum::<i128>()
    }

    /// Splits over all trees.
    pub fn splits(&self) -> usize {
        self.trees.iter().flat_map(|t| &t.nodes).filter(|n| matches!(n, QNode::Split { .. })).count()
    }

    /// Check the trees' structure against `n` inputs. The error names the field.
    pub(super) fn validate(&self, n: usize) -> Result<(), String> {
        if self.trees.is_empty() {
            return Err("trees: the ensemble has no trees".into());
        }
        for (t, tree) in self.trees.iter().enumerate() {
            let len = tree.nodes.len();
            if len == 0 {
                return Err(format!("trees.trees[{t}]: a tree without nodes"));
            }
            let mut parents = vec![0usize; len];
            for (i, node) in tree.nodes.iter().enumerate() {
                if let QNode::Split { feature, yes, no, .. } = node {
                    let at = |f: &str| format!("trees.trees[{t}].nodes[{i}].{f}");
                    if *feature >= n {
                        return Err(format!("{}: {feature} is not one of the {n} inputs", at("feature")));
                    }
                    for (name, child) in [("yes", *yes), ("no", *no)] {
                        if child <= i || child >= len {
                            return Err(format!("{}: {child} is not a node after this one", at(name)));
                        }
                        parents[child] += 1;
                    }
                }
            }
            if let Some(i) = (1..len).find(|i| parents[*i] != 1) {
                return Err(format!("trees.trees[{t}].nodes[{i}]: reached from {} splits; every node but the root from one", parents[i]));
            }
        }
        Ok(())
    }
}

/// The quantized threshold and branch order of a float split: `(le, swapped)`, the true branch
/// taken iff `X <= le` (`swapped = false`) or iff `X > le` (`swapped = true`).
pub fn split_threshold(mode: Mode, t: f32, input_scale: u32) -> (i64, bool) {
    let y = f64::from(t) * (input_scale as f64).exp2();
    let clamp = |v: f64| v.clamp(i64::MIN as f64 / 2.0, i64::MAX as f64 / 2.0) as i64;
    match mode {
        Mode::Leq => (clamp(y.floor()), false),
        Mode::Lt => (clamp(y.ceil() - 1.0), false),
        Mode::Gte => (clamp(y.ceil() - 1.0), true),
        Mode::Gt => (clamp(y.floor()), true),
    }
}

/// Quantize `ensemble` with inputs at `2^input_scale` and leaves using `leaf_bits` bits for the
/// largest one. Returns the trees and the output scale.
pub(super) fn quantize(ensemble: &TreeEnsemble, input_scale: u32, leaf_bits: u32) -> (QTrees, u32) {
    let max_leaf = ensemble
        .trees
        .iter()
        .flat_map(|t| &t.nodes)
        .filter_map(|n| if let FloatNode::Leaf(v) = n { Some(v.abs()) } else { None })
        .fold(ensemble.base.abs() / ensemble.trees.len().max(1) as f64, f64::max);
    let scale = if max_leaf > 0.0 { (leaf_bits as i32 - max_leaf.log2().ceil() as i32).clamp(0, 48) as u32 } else { leaf_bits };
    let q = |v: f64| (v * (scale as f64).exp2()).round() as i64;
    let trees = ensemble
        .trees
        .iter()
        .map(|tree| QTree {
            nodes: tree
                .nodes
                .iter()
                .map(|n| match n {
                    FloatNode::Leaf(v) => QNode::Leaf(q(*v)),
                    FloatNode::Split { feature, threshold, mode, yes, no } => {
                        let (le, swapped) = split_threshold(*mode, *threshold, input_scale);
                        let (yes, no) = if swapped { (*no, *yes) } else { (*yes, *no) };
                        QNode::Split { feature: *feature, le, yes, no }
                    }
                })
                .collect(),
        })
        .collect();
    (QTrees { base: q(ensemble.base), trees }, scale)
}

/// The width of `score - threshold` for trees bounded by `bound`.
pub(super) fn compare_bits(bound: i128) -> u32 {
    even(bits_for(2 * bound.unsigned_abs()))
}

/// The distinct thresholds the circuit compares feature `f` with, offset by the feature's
/// envelope (`le - offset`), sorted, keeping only those inside `[0, 2^bits - 1)`: below the
/// envelope a split is always false, at or above its top always true.
pub fn feature_thresholds(trees: &QTrees, f: usize, spec: &FeatureSpec) -> Vec<i64> {
    let top = (1i128 << spec.bits) - 1;
    let mut out: Vec<i64> = trees
        .trees
        .iter()
        .flat_map(|t| &t.nodes)
        .filter_map(|n| match n {
            QNode::Split { feature, le, .. } if *feature == f => {
                let v = i128::from(*le) - i128::from(spec.offset);
                (v >= 0 && v < top).then_some(v as i64)
            }
            _ => None,
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}
