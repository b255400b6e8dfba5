//! Tree ensembles: the ONNX-ML `TreeEnsembleClassifier` (binary) and `TreeEnsembleRegressor` (one
//! target) as skl2onnx (GradientBoosting, RandomForest, ExtraTrees, DecisionTree) and onnxmltools
//! (LightGBM) emit them, read from the node's attributes into a [`TreeEnsemble`].
//!
//! Semantics, as onnxruntime computes them:
//! - a split sends `x` to its true branch when `x <= t` (`BRANCH_LEQ`), `x < t`, `x >= t` or
//!   `x > t`, comparing the input as a 32-bit float with the 32-bit threshold; `BRANCH_EQ` and
//!   `BRANCH_NEQ` are refused (naming the tree and node);
//! - the score `S` is the base value plus the sum of the reached leaves' weights (divided by the
//!   number of trees for a regressor with `aggregate_function = AVERAGE`; a classifier's averaging,
//!   as in a random forest, is already folded into its weights by the exporter);
//! - a binary classifier with one weight per leaf (class id 0) outputs `[1 - post(S), post(S)]`;
//!   with weights for both classes the positive score is `S_1` (`S_1 - S_0` under `SOFTMAX`);
//! - `post_transform` NONE (a probability sum or a raw score), LOGISTIC and, with weights for both
//!   classes, SOFTMAX; anything else is an error.
//!
//! Missing values: a zkcredit applicant has every feature (NaN and infinities are refused when a
//! feature is read), so `nodes_missing_value_tracks_true` never applies and is ignored.

use std::collections::HashMap;

use tract_onnx::pb::NodeProto;

use super::attrs::{floats, int, ints, string, strings};

use super::sigmoid;

/// How a split compares its feature with its threshold to take the true branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `x <= t`.
    Leq,
    /// `x < t`.
    Lt,
    /// `x >= t`.
    Gte,
    /// `x > t`.
    Gt,
}

impl Mode {
    /// Whether `x` takes the true branch (both as 32-bit floats, as onnxruntime compares them).
    pub fn holds(self, x: f32, t: f32) -> bool {
        match self {
            Mode::Leq => x <= t,
            Mode::Lt => x < t,
            Mode::Gte => x >= t,
            Mode::Gt => x > t,
        }
    }
}

/// One node of a float tree.
#[derive(Clone, Debug, PartialEq)]
pub enum FloatNode {
    /// Go to `yes` when `mode.holds(x[feature], threshold)`, else to `no` (indices into the tree).
    Split {
        /// Model input read.
        feature: usize,
        /// The 32-bit threshold.
        threshold: f32,
        /// The comparison.
        mode: Mode,
        /// The node taken when the comparison holds.
        yes: usize,
        /// The node taken otherwise.
        no: usize,
    },
    /// A leaf and its contribution to the score.
    Leaf(f64),
}

/// A tree; node 0 is the root and every child index is larger than its parent's.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatTree {
    /// The nodes.
    pub nodes: Vec<FloatNode>,
}

impl FloatTree {
    /// The leaf `x` reaches.
    pub fn leaf(&self, x: &[f64]) -> f64 {
        let mut i = 0;
        loop {
            match &self.nodes[i] {
                FloatNode::Leaf(v) => return *v,
                FloatNode::Split { feature, threshold, mode, yes, no } => {
                    i = if mode.holds(x[*feature] as f32, *threshold) { *yes } else { *no };
                }
            }
        }
    }

    /// Depth (edges on the longest root-to-leaf path).
    pub fn depth(&self) -> usize {
        fn go(t: &FloatTree, i: usize) -> usize {
            match &t.nodes[i] {
                FloatNode::Leaf(_) => 0,
                FloatNode::Split { yes, no, .. } => 1 + go(t, *yes).max(go(t, *no)),
            }
        }
        go(self, 0)
    }
}

/// A tree ensemble scoring the positive class: `post(base + sum of leaves)`.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeEnsemble {
    /// Number of model inputs.
    pub inputs: usize,
    /// The trees.
    pub trees: Vec<FloatTree>,
    /// Added to the sum of leaves.
    pub base: f64,
    /// Whether the score passes through a sigmoid (LOGISTIC or a binary SOFTMAX).
    pub sigmoid: bool,
}

impl TreeEnsemble {
    /// The score before the sigmoid (the margin of a boosted model, or the averaged probability).
    pub fn raw(&self, x: &[f64]) -> f64 {
        self.base + self.trees.iter().map(|t| t.leaf(x)).sum::<f64>()
    }

    /// The model's output: a probability after a sigmoid, else the raw score.
    pub fn output(&self, x: &[f64]) -> f64 {
        let s = self.raw(x);
        if self.sigmoid {
            sigmoid(s)
        } else {
            s
        }
    }
}

/// One tree's nodes as the attributes list them, before linking.
#[derive(Default)]
struct RawTree {
    /// ONNX node id -> its split, or `None` for a leaf.
    nodes: HashMap<i64, Option<RawSplit>>,
    /// ONNX node id -> weight.
    weights: HashMap<i64, f64>,
}

/// A split as listed: feature, threshold, mode and the ONNX ids of its true and false children.
struct RawSplit {
    feature: usize,
    threshold: f32,
    mode: Mode,
    yes: i64,
    no: i64,
}

/// Read a `TreeEnsembleClassifier` or `TreeEnsembleRegressor` over `inputs` features. `Err` holds
/// the reason (the caller names the file and node).
pub(super) fn parse(node: &NodeProto, inputs: usize) -> std::result::Result<TreeEnsemble, String> {
    let classifier = node.op_type == "TreeEnsembleClassifier";
    let tree_ids = ints(node, "nodes_treeids");
    let node_ids = ints(node, "nodes_nodeids");
    let features = ints(node, "nodes_featureids");
    let modes = strings(node, "nodes_modes");
    let values = floats(node, "nodes_values");
    let (yes, no) = (ints(node, "nodes_truenodeids"), ints(node, "nodes_falsenodeids"));
    let n = tree_ids.len();
    if n == 0 {
        return Err("the ensemble has no nodes".into());
    }
    for (name, len) in [("nodes_nodeids", node_ids.len()), ("nodes_featureids", features.len()), ("nodes_modes", modes.len())] {
        if len != n {
            return Err(format!("{name} has {len} entries, nodes_treeids {n}"));
        }
    }
    let mut trees: Vec<(i64, RawTree)> = Vec::new();
    let mut index: HashMap<i64, usize> = HashMap::new();
    for k in 0..n {
        let t = tree_ids[k];
        let slot = *index.entry(t).or_insert_with(|| {
            trees.push((t, RawTree::default()));
            trees.len() - 1
        });
        let at = |what: &str| format!("tree {t} node {}: {what}", node_ids[k]);
        let mode = match modes[k].as_str() {
            "LEAF" => None,
            "BRANCH_LEQ" => Some(Mode::Leq),
            "BRANCH_LT" => Some(Mode::Lt),
            "BRANCH_GTE" => Some(Mode::Gte),
            "BRANCH_GT" => Some(Mode::Gt),
            other => {
                return Err(at(&format!("node mode {other} is not supported (BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT and LEAF are)")))
            }
        };
        let split = match mode {
            None => None,
            Some(mode) => {
                let f = features[k];
                if f < 0 || f as usize >= inputs {
                    return Err(at(&format!("feature {f} is not one of the model's {inputs} inputs")));
                }
                let (Some(v), Some(y), Some(x)) = (values.get(k), yes.get(k), no.get(k)) else {
                    return Err(at("a split without a threshold or children"));
                };
                Some(RawSplit { feature: f as usize, threshold: *v as f32, mode, yes: *y, no: *x })
            }
        };
        if trees[slot].1.nodes.insert(node_ids[k], split).is_some() {
            return Err(at("listed twice"));
        }
    }
    let (w_trees, w_nodes, w_ids, w_values) = if classifier {
        (ints(node, "class_treeids"), ints(node, "class_nodeids"), ints(node, "class_ids"), floats(node, "class_weights"))
    } else {
        (ints(node, "target_treeids"), ints(node, "target_nodeids"), ints(node, "target_ids"), floats(node, "target_weights"))
    };
    if [w_nodes.len(), w_ids.len(), w_values.len()].iter().any(|l| *l != w_trees.len()) {
        return Err("the leaf weight attributes have different lengths".into());
    }
    let post = string(node, "post_transform", "NONE");
    let base_values = floats(node, "base_values");
    let positive = score_class(node, classifier, &w_ids, &post)?;
    for k in 0..w_trees.len() {
        let weight = match positive {
            Positive::Class(c) if w_ids[k] == c => w_values[k],
            Positive::Class(_) => continue,
            Positive::Difference => {
                if w_ids[k] == 1 {
                    w_values[k]
                } else {
                    -w_values[k]
                }
            }
        };
        let slot = index.get(&w_trees[k]).ok_or_else(|| format!("a leaf weight for tree {}, which has no nodes", w_trees[k]))?;
        *trees[*slot].1.weights.entry(w_nodes[k]).or_insert(0.0) += weight;
    }
    let base = match positive {
        Positive::Class(c) => base_values.get(c as usize).copied().unwrap_or(0.0),
        Positive::Difference => base_values.get(1).copied().unwrap_or(0.0) - base_values.first().copied().unwrap_or(0.0),
    };
    let mut out: Vec<FloatTree> = trees.iter().map(|(t, raw)| link(*t, raw)).collect::<std::result::Result<_, _>>()?;
    let sigmoid = match (post.as_str(), positive) {
        ("NONE", _) => false,
        ("LOGISTIC", _) | ("SOFTMAX", Positive::Difference) => true,
        (other, _) => return Err(format!("post_transform {other} is not supported (NONE and LOGISTIC are, and SOFTMAX over two classes)")),
    };
    if !classifier {
        match string(node, "aggregate_function", "SUM").as_str() {
            "SUM" => {}
            "AVERAGE" => {
                let k = out.len() as f64;
                for tree in &mut out {
                    tree.nodes.iter_mut().for_each(|n| {
                        if let FloatNode::Leaf(v) = n {
                            *v /= k
                        }
                    });
                }
            }
            other => return Err(format!("aggregate_function {other} is not supported (SUM and AVERAGE are)")),
        }
    }
    Ok(TreeEnsemble { inputs, trees: out, base, sigmoid })
}

/// Which leaf weights make the positive score.
#[derive(Clone, Copy)]
enum Positive {
    /// The weights of this class id (0 for a binary classifier with one score, or a regressor).
    Class(i64),
    /// Class 1's weights minus class 0's (a binary SOFTMAX).
    Difference,
}

fn score_class(node: &NodeProto, classifier: bool, ids: &[i64], post: &str) -> std::result::Result<Positive, String> {
    let max_id = ids.iter().copied().max().unwrap_or(0);
    if !classifier {
        let targets = int(node, "n_targets", 1);
        if targets != 1 || max_id != 0 {
            return Err(format!("a regressor with {} targets; zkcredit proves one score", targets.max(max_id + 1)));
        }
        return Ok(Positive::Class(0));
    }
    let labels = ints(node, "classlabels_int64s").len().max(strings(node, "classlabels_strings").len());
    if labels != 2 || max_id > 1 || ids.iter().any(|i| *i < 0) {
        return Err(format!("a classifier with {} classes; zkcredit proves a binary decision", labels.max(max_id as usize + 1)));
    }
    Ok(match (max_id, post) {
        (0, _) => Positive::Class(0),
        (_, "SOFTMAX") => Positive::Difference,
        _ => Positive::Class(1),
    })
}

/// Link one tree's ONNX node ids into indices, root first, children after parents.
fn link(tree: i64, raw: &RawTree) -> std::result::Result<FloatTree, String> {
    let root = *raw.nodes.keys().min().ok_or_else(|| format!("tree {tree} has no nodes"))?;
    let mut nodes = Vec::with_capacity(raw.nodes.len());
    let mut order: Vec<(i64, Option<(usize, bool)>)> = vec![(root, None)];
    let mut seen = std::collections::HashSet::new();
    while let Some((id, parent)) = order.pop() {
        if !seen.insert(id) {
            return Err(format!("tree {tree} node {id} is reached twice (not a tree)"));
        }
        let here = nodes.len();
        if let Some((p, is_yes)) = parent {
            if let FloatNode::Split { yes, no, .. } = &mut nodes[p] {
                *(if is_yes { yes } else { no }) = here;
            }
        }
        match raw.nodes.get(&id) {
            None => return Err(format!("tree {tree}: a split points to node {id}, which does not exist")),
            Some(None) => nodes.push(FloatNode::Leaf(raw.weights.get(&id).copied().unwrap_or(0.0))),
            Some(Some(s)) => {
                nodes.push(FloatNode::Split { feature: s.feature, threshold: s.threshold, mode: s.mode, yes: 0, no: 0 });
                order.push((s.no, Some((here, false))));
                order.push((s.yes, Some((here, true))));
            }
        }
    }
    if seen.len() != raw.nodes.len() {
        return Err(format!("tree {tree} has {} nodes not reachable from its root", raw.nodes.len() - seen.len()));
    }
    Ok(FloatTree { nodes })
}
