//! Lowering: evaluate the score's part of the graph symbolically. Every tensor is a constant or
//! an *activation*: a vector whose entries are affine functions of the current base (the model
//! input, or the output of the last activation function), optionally through a sigmoid. Affine
//! ops compose into the pending affine map; an activation function (Relu, LeakyRelu, PRelu,
//! Clip) turns it into a dense layer; the score is the positive class's entry at the end.
//!
//! Supported ops (anything else in the score's part of the graph is an error naming the op and
//! the node):
//! - linear: Gemm (`transA = 0`), MatMul with a constant weight, Add, Sub, Mul, Div with
//!   constants (broadcast per feature or scalar), Neg, Scaler, BatchNormalization (inference),
//!   LinearClassifier (binary; `post_transform` NONE or LOGISTIC), LinearRegressor (one target);
//! - activations between layers: Relu, LeakyRelu, PRelu (constant slopes), Clip (lower bound 0,
//!   e.g. ReLU6);
//! - at the end: Sigmoid, Softmax over two classes, `1 - p`, Concat of class scores, Normalizer
//!   (L1) over the two class probabilities (the identity there), and picking a column (Gather,
//!   Slice, ArrayFeatureExtractor with constant indices);
//! - tree ensembles: TreeEnsembleClassifier (binary), TreeEnsembleRegressor (one target), read by
//!   [`super::trees`], on the model's inputs as given (no preprocessing before the trees); after them
//!   only picking the positive class, `1 - p`, a multiplication by 1 and the label branch;
//! - shape only: Identity, Flatten, Reshape, Squeeze, Unsqueeze, Dropout, Cast to a float type;
//!   Constant.

use std::collections::HashMap;

use tract_onnx::pb::NodeProto;

use super::attrs::{attr, float, floats, int, string};

use super::graph::{node_name, Graph};
use super::tensor::{self, Tensor};
use super::trees::{self, TreeEnsemble};
use super::{Activation, Dense, Float, FloatModel};
use crate::error::{Error, Result};

/// An affine function of the base: `w . base + b`.
#[derive(Clone, Debug)]
struct Affine {
    w: Vec<f64>,
    b: f64,
}

impl Affine {
    fn scaled(&self, s: f64) -> Affine {
        Affine { w: self.w.iter().map(|v| v * s).collect(), b: self.b * s }
    }
    fn plus(&self, other: &Affine, s: f64) -> Affine {
        Affine { w: self.w.iter().zip(&other.w).map(|(a, b)| a + s * b).collect(), b: self.b + s * other.b }
    }
}

/// One entry of an activation vector.
#[derive(Clone, Debug)]
enum Entry {
    /// An affine function of the base.
    Lin(Affine),
    /// `sigmoid` of an affine function of the base.
    Prob(Affine),
    /// The output of the graph's tree ensemble for the positive class (`true`) or its complement.
    Tree(bool),
}

/// A tensor during lowering.
#[derive(Clone, Debug)]
enum Value {
    Const(Tensor),
    /// Entries over the base of layer `base` (the number of layers made so far).
    Act {
        base: usize,
        entries: Vec<Entry>,
    },
    /// A value the score may not depend on (a label, a class index).
    Opaque(&'static str),
}

/// The result of lowering.
pub(super) struct Lowered {
    pub(super) model: Float,
    /// The score tensor and the column of the positive class in it.
    pub(super) score: (String, usize),
}

struct Lowering<'g, 'a> {
    graph: &'g Graph<'a>,
    layers: Vec<Dense>,
    activations: Vec<Activation>,
    input_width: usize,
    values: HashMap<String, Value>,
    trees: Option<TreeEnsemble>,
}

/// Lower the graph's score to a [`FloatModel`].
pub(super) fn lower(graph: &Graph) -> Result<Lowered> {
    let score = graph.score_output()?;
    let input_width = graph.input_width()?;
    let mut lw = Lowering { graph, layers: vec![], activations: vec![], input_width, values: HashMap::new(), trees: None };
    let identity = (0..input_width).map(|i| Entry::Lin(unit(input_width, i))).collect();
    lw.values.insert(graph.input_name().to_string(), Value::Act { base: 0, entries: identity });
    for node in graph.slice_nodes(&score) {
        let outputs = lw.node(node)?;
        for (name, value) in node.output.iter().zip(outputs) {
            lw.values.insert(name.clone(), value);
        }
    }
    let structure = |reason: String| Error::UnsupportedStructure { path: graph.path.clone(), node: score.clone(), reason };
    let (base, entries) = match lw.get_value(&score, "the score")? {
        Value::Act { base, entries } => (base, entries),
        _ => return Err(structure("the score does not depend on the model input".into())),
    };
    if base != lw.layers.len() {
        return Err(structure("the score skips a layer (residual connections are not supported)".into()));
    }
    let column = match entries.len() {
        1 => 0,
        2 => 1,
        k => {
            return Err(structure(format!(
                "the score has {k} classes; zkcredit proves a binary decision: export a binary classifier or the positive class's score"
            )))
        }
    };
    let (last, sigmoid) = match (&entries[column], lw.trees.take()) {
        (Entry::Lin(a), _) => (a.clone(), false),
        (Entry::Prob(a), _) => (a.clone(), true),
        (Entry::Tree(true), Some(trees)) => return Ok(Lowered { model: Float::Trees(trees), score: (score, column) }),
        (Entry::Tree(_), _) => {
            return Err(structure("the score is the tree ensemble's negative class; export the positive class's score".into()))
        }
    };
    let width = lw.width();
    if lw.layers.is_empty() && last.w.len() != width {
        return Err(structure("internal: width mismatch".into()));
    }
    lw.layers.push(Dense { weights: vec![last.w], bias: vec![last.b] });
    Ok(Lowered { model: Float::Network(FloatModel { layers: lw.layers, activations: lw.activations, sigmoid }), score: (score, column) })
}

fn unit(n: usize, i: usize) -> Affine {
    let mut w = vec![0.0; n];
    w[i] = 1.0;
    Affine { w, b: 0.0 }
}

impl Lowering<'_, '_> {
    /// Width of the current base.
    fn width(&self) -> usize {
        self.layers.last().map_or(self.input_width, Dense::outputs)
    }

    fn unsupported(&self, node: &NodeProto) -> Error {
        Error::UnsupportedOp { path: self.graph.path.clone(), op: node.op_type.clone(), node: node_name(node) }
    }

    fn structure(&self, node: &NodeProto, reason: impl Into<String>) -> Error {
        Error::UnsupportedStructure { path: self.graph.path.clone(), node: node_name(node), reason: reason.into() }
    }

    fn get_value(&self, name: &str, what: &str) -> Result<Value> {
        if let Some(v) = self.values.get(name) {
            return Ok(v.clone());
        }
        match self.graph.initializer(name) {
            Some(t) => Ok(Value::Const(tensor::read(&self.graph.path, t)?)),
            None => {
                Err(Error::Onnx { path: self.graph.path.clone(), reason: format!("{what} `{name}` is neither computed nor a constant") })
            }
        }
    }

    fn input(&self, node: &NodeProto, i: usize) -> Result<Value> {
        let name = node.input.get(i).filter(|s| !s.is_empty()).ok_or_else(|| self.structure(node, format!("missing input {i}")))?;
        self.get_value(name, "input")
    }

    fn const_input(&self, node: &NodeProto, i: usize, what: &str) -> Result<Tensor> {
        match self.input(node, i)? {
            Value::Const(t) => Ok(t),
            _ => Err(self.structure(node, format!("{what} must be a constant"))),
        }
    }

    /// The activation input `i`, which must sit on the current base.
    fn act_input(&self, node: &NodeProto, i: usize) -> Result<Vec<Entry>> {
        match self.input(node, i)? {
            Value::Act { base, entries } if base == self.layers.len() => Ok(entries),
            Value::Act { .. } => {
                Err(self.structure(node, "reads an activation from before the last layer (residual connections are not supported)"))
            }
            Value::Const(_) => Err(self.structure(node, format!("input {i} is a constant where the features were expected"))),
            Value::Opaque(what) => Err(self.structure(node, format!("the score may not depend on {what}"))),
        }
    }

    fn act(&self, entries: Vec<Entry>) -> Value {
        Value::Act { base: self.layers.len(), entries }
    }

    /// The affine parts of `entries`, or an error when one passed through a sigmoid already.
    fn affine(&self, node: &NodeProto, entries: &[Entry]) -> Result<Vec<Affine>> {
        entries
            .iter()
            .map(|e| match e {
                Entry::Lin(a) => Ok(a.clone()),
                Entry::Prob(_) => Err(self.structure(node, "applies a linear op after the output's Sigmoid/Softmax")),
                Entry::Tree(_) => Err(self.structure(node, "applies an op to a tree ensemble's output that zkcredit cannot prove")),
            })
            .collect()
    }

    /// Lower one node; returns a value per output.
    fn node(&mut self, node: &NodeProto) -> Result<Vec<Value>> {
        let op = node.op_type.as_str();
        let one = |v: Value| Ok(vec![v]);
        match op {
            "Constant" => {
                let t = attr(node, "value")
                    .and_then(|a| a.t.as_ref())
                    .ok_or_else(|| self.structure(node, "Constant without a tensor `value`"))?;
                one(Value::Const(tensor::read(&self.graph.path, t)?))
            }
            "Identity" | "Flatten" | "Reshape" | "Squeeze" | "Unsqueeze" | "Dropout" => one(self.shape_only(node)?),
            "Cast" => {
                if !matches!(int(node, "to", 1), 1 | 10 | 11 | 16) {
                    return one(Value::Opaque("an integer cast (a class label)"));
                }
                one(self.shape_only(node)?)
            }
            "Gemm" | "MatMul" => one(self.gemm(node)?),
            "Add" | "Sub" | "Mul" | "Div" => one(self.arith(node)?),
            "Neg" => {
                let entries = self.act_input(node, 0)?;
                let affine = self.affine(node, &entries)?;
                one(self.act(affine.iter().map(|a| Entry::Lin(a.scaled(-1.0))).collect()))
            }
            "Scaler" => {
                let entries = self.affine(node, &self.act_input(node, 0)?)?;
                let n = entries.len();
                let per = |name: &str, default: f64| {
                    let v = floats(node, name);
                    let v = if v.is_empty() { vec![default] } else { v };
                    Tensor::vector(v).per_feature(n).ok_or_else(|| self.structure(node, format!("`{name}` does not have 1 or {n} values")))
                };
                let (offset, scale) = (per("offset", 0.0)?, per("scale", 1.0)?);
                one(self.act(entries.iter().enumerate().map(|(i, a)| Entry::Lin(shift(a, -offset[i]).scaled(scale[i]))).collect()))
            }
            "BatchNormalization" => one(self.batch_norm(node)?),
            "Relu" | "LeakyRelu" | "PRelu" | "Clip" => one(self.activation(node)?),
            "Sigmoid" => {
                let entries = self.affine(node, &self.act_input(node, 0)?)?;
                one(self.act(entries.into_iter().map(Entry::Prob).collect()))
            }
            "Softmax" => {
                let entries = self.affine(node, &self.act_input(node, 0)?)?;
                if entries.len() != 2 {
                    return Err(self.structure(node, format!("Softmax over {} classes; only a binary Softmax is supported", entries.len())));
                }
                one(self.act(vec![Entry::Prob(entries[0].plus(&entries[1], -1.0)), Entry::Prob(entries[1].plus(&entries[0], -1.0))]))
            }
            "LinearClassifier" | "LinearRegressor" => self.linear_ml(node),
            "TreeEnsembleClassifier" | "TreeEnsembleRegressor" => self.tree_ensemble(node),
            "Normalizer" => one(self.normalizer(node)?),
            "Concat" => one(self.concat(node)?),
            "Gather" | "ArrayFeatureExtractor" | "Slice" => one(self.select(node)?),
            "ArgMax" | "ZipMap" => one(Value::Opaque("a class label")),
            _ => Err(self.unsupported(node)),
        }
    }

    fn shape_only(&self, node: &NodeProto) -> Result<Value> {
        match self.input(node, 0)? {
            Value::Act { base, entries } => Ok(Value::Act { base, entries }),
            Value::Const(t) if node.op_type == "Reshape" => {
                let shape = self.const_input(node, 1, "the target shape")?;
                let known: usize = shape.data.iter().filter(|d| **d > 0.0).map(|d| *d as usize).product();
                let dims = shape.data.iter().map(|d| if *d > 0.0 { *d as usize } else { t.data.len() / known.max(1) }).collect();
                Ok(Value::Const(Tensor { dims, data: t.data }))
            }
            other => Ok(other),
        }
    }

    fn gemm(&self, node: &NodeProto) -> Result<Value> {
        let is_gemm = node.op_type == "Gemm";
        if is_gemm && int(node, "transA", 0) != 0 {
            return Err(self.structure(node, "Gemm with transA = 1 is not supported"));
        }
        let entries = self.affine(node, &self.act_input(node, 0)?)?;
        let w = self.const_input(node, 1, "the weight")?;
        let w = if w.dims.len() == 1 { Tensor { dims: vec![w.dims[0], 1], data: w.data } } else { w };
        if w.dims.len() != 2 {
            return Err(self.structure(node, format!("the weight has shape {:?}; a matrix is expected", w.dims)));
        }
        let trans_b = is_gemm && int(node, "transB", 0) != 0;
        let (alpha, beta) = if is_gemm { (float(node, "alpha", 1.0), float(node, "beta", 1.0)) } else { (1.0, 1.0) };
        let (rows, cols) = (w.dims[0], w.dims[1]);
        let (n_in, n_out) = if trans_b { (cols, rows) } else { (rows, cols) };
        if n_in != entries.len() {
            return Err(self.structure(node, format!("expects {n_in} inputs but receives {}", entries.len())));
        }
        let mut bias = vec![0.0; n_out];
        if is_gemm && node.input.get(2).is_some_and(|c| !c.is_empty()) {
            let c = self.const_input(node, 2, "the bias")?;
            let c = c.per_feature(n_out).ok_or_else(|| self.structure(node, format!("the bias does not have 1 or {n_out} values")))?;
            bias.iter_mut().zip(c).for_each(|(b, v)| *b = beta * v);
        }
        let width = self.width();
        let out = (0..n_out)
            .map(|o| {
                let mut acc = Affine { w: vec![0.0; width], b: bias[o] };
                for (i, e) in entries.iter().enumerate() {
                    let wv = alpha * if trans_b { w.data[o * cols + i] } else { w.data[i * cols + o] };
                    if wv != 0.0 {
                        acc = acc.plus(e, wv);
                    }
                }
                Entry::Lin(acc)
            })
            .collect();
        Ok(self.act(out))
    }

    fn arith(&self, node: &NodeProto) -> Result<Value> {
        let op = node.op_type.as_str();
        let (a, b) = (self.input(node, 0)?, self.input(node, 1)?);
        match (a, b) {
            (Value::Const(x), Value::Const(y)) => {
                let f = |p: f64, q: f64| match op {
                    "Add" => p + q,
                    "Sub" => p - q,
                    "Mul" => p * q,
                    _ => p / q,
                };
                let data = if y.data.len() == 1 {
                    x.data.iter().map(|p| f(*p, y.data[0])).collect()
                } else if x.data.len() == 1 {
                    y.data.iter().map(|q| f(x.data[0], *q)).collect()
                } else if x.data.len() == y.data.len() {
                    x.data.iter().zip(&y.data).map(|(p, q)| f(*p, *q)).collect()
                } else {
                    return Err(self.structure(node, "constants of different shapes"));
                };
                let dims = if x.data.len() >= y.data.len() { x.dims } else { y.dims };
                Ok(Value::Const(Tensor { dims, data }))
            }
            (Value::Act { .. }, Value::Act { .. }) if matches!(op, "Add" | "Sub") => {
                let x = self.affine(node, &self.act_input(node, 0)?)?;
                let y = self.affine(node, &self.act_input(node, 1)?)?;
                if x.len() != y.len() {
                    return Err(self.structure(node, format!("adds vectors of {} and {} values", x.len(), y.len())));
                }
                let s = if op == "Add" { 1.0 } else { -1.0 };
                Ok(self.act(x.iter().zip(&y).map(|(p, q)| Entry::Lin(p.plus(q, s))).collect()))
            }
            (Value::Act { .. }, Value::Const(c)) => self.act_const(node, 0, &c, false),
            (Value::Const(c), Value::Act { .. }) => self.act_const(node, 1, &c, true),
            _ => Err(self.structure(node, format!("{op} of the features by a non-constant is not affine"))),
        }
    }

    /// `act op c` (or `c op act` when `const_first`).
    fn act_const(&self, node: &NodeProto, act_at: usize, c: &Tensor, const_first: bool) -> Result<Value> {
        let op = node.op_type.as_str();
        let entries = self.act_input(node, act_at)?;
        let n = entries.len();
        let c = c.per_feature(n).ok_or_else(|| self.structure(node, format!("the constant does not have 1 or {n} values")))?;
        // 1 - sigmoid(z) = sigmoid(-z): a binary classifier's negative class.
        let complement = op == "Sub" && const_first && c.iter().all(|v| *v == 1.0);
        if complement && entries.iter().all(|e| matches!(e, Entry::Prob(_) | Entry::Tree(_))) {
            return Ok(self.act(
                entries
                    .iter()
                    .map(|e| match e {
                        Entry::Prob(a) => Entry::Prob(a.scaled(-1.0)),
                        Entry::Tree(positive) => Entry::Tree(!positive),
                        other => other.clone(),
                    })
                    .collect(),
            ));
        }
        // onnxmltools multiplies a LightGBM classifier's probabilities by 1.
        if op == "Mul" && c.iter().all(|v| *v == 1.0) && entries.iter().all(|e| matches!(e, Entry::Tree(_))) {
            return Ok(self.act(entries));
        }
        let affine = self.affine(node, &entries)?;
        let out: Result<Vec<Entry>> = affine
            .iter()
            .zip(&c)
            .map(|(a, &v)| {
                Ok(Entry::Lin(match (op, const_first) {
                    ("Add", _) => shift(a, v),
                    ("Sub", false) => shift(a, -v),
                    ("Sub", true) => shift(&a.scaled(-1.0), v),
                    ("Mul", _) => a.scaled(v),
                    ("Div", false) if v != 0.0 => a.scaled(1.0 / v),
                    ("Div", false) => return Err(self.structure(node, "division by zero")),
                    _ => return Err(self.structure(node, "Div of a constant by the features is not affine")),
                }))
            })
            .collect();
        Ok(self.act(out?))
    }

    fn batch_norm(&self, node: &NodeProto) -> Result<Value> {
        if int(node, "training_mode", 0) != 0 {
            return Err(self.structure(node, "BatchNormalization in training mode; export the model in inference mode"));
        }
        let entries = self.affine(node, &self.act_input(node, 0)?)?;
        let n = entries.len();
        let get = |i: usize, what: &str| {
            self.const_input(node, i, what)?
                .per_feature(n)
                .ok_or_else(|| self.structure(node, format!("{what} does not have 1 or {n} values")))
        };
        let (scale, bias, mean, var) = (get(1, "the scale")?, get(2, "the bias")?, get(3, "the mean")?, get(4, "the variance")?);
        let eps = float(node, "epsilon", 1e-5);
        let out = entries
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let k = scale[i] / (var[i] + eps).sqrt();
                Entry::Lin(shift(&shift(a, -mean[i]).scaled(k), bias[i]))
            })
            .collect();
        Ok(self.act(out))
    }

    /// Relu, LeakyRelu, PRelu, Clip: the pending affine map becomes a dense layer.
    fn activation(&mut self, node: &NodeProto) -> Result<Value> {
        let affine = self.affine(node, &self.act_input(node, 0)?)?;
        let n = affine.len();
        let act = match node.op_type.as_str() {
            "Relu" => Activation::Relu,
            "LeakyRelu" => Activation::LeakyRelu { alpha: vec![float(node, "alpha", 0.01); n] },
            "PRelu" => {
                let slope = self.const_input(node, 1, "the slope")?;
                let alpha = slope.per_feature(n).ok_or_else(|| self.structure(node, format!("the slope does not have 1 or {n} values")))?;
                Activation::LeakyRelu { alpha }
            }
            _ => {
                // Clip: bounds from inputs 1 and 2 (opset 11+) or attributes (earlier).
                let bound = |i: usize, name: &str, default: f64| -> Result<f64> {
                    if node.input.get(i).is_some_and(|s| !s.is_empty()) {
                        let t = self.const_input(node, i, name)?;
                        t.data.first().copied().ok_or_else(|| self.structure(node, format!("empty `{name}`")))
                    } else {
                        Ok(attr(node, name).map_or(default, |a| f64::from(a.f)))
                    }
                };
                let (min, max) = (bound(1, "min", f64::NEG_INFINITY)?, bound(2, "max", f64::INFINITY)?);
                if min != 0.0 {
                    return Err(self.structure(node, format!("Clip with lower bound {min}; only Clip(0, max) (e.g. ReLU6) is supported")));
                }
                if max.is_finite() && max > 0.0 {
                    Activation::Clip { max }
                } else if max.is_infinite() || max >= f32::MAX as f64 {
                    Activation::Relu
                } else {
                    return Err(self.structure(node, format!("Clip with upper bound {max}")));
                }
            }
        };
        self.layers.push(Dense { weights: affine.iter().map(|a| a.w.clone()).collect(), bias: affine.iter().map(|a| a.b).collect() });
        self.activations.push(act);
        Ok(self.act((0..n).map(|i| Entry::Lin(unit(n, i))).collect()))
    }

    /// LinearClassifier (binary) and LinearRegressor (one target).
    fn linear_ml(&self, node: &NodeProto) -> Result<Vec<Value>> {
        let entries = self.affine(node, &self.act_input(node, 0)?)?;
        let n = entries.len();
        let coefficients = floats(node, "coefficients");
        let intercepts = floats(node, "intercepts");
        if coefficients.is_empty() || !coefficients.len().is_multiple_of(n) {
            return Err(self.structure(node, format!("{} coefficients for {n} features", coefficients.len())));
        }
        let rows = coefficients.len() / n;
        let width = self.width();
        let mut scores: Vec<Affine> = (0..rows)
            .map(|r| {
                let mut acc = Affine { w: vec![0.0; width], b: intercepts.get(r).copied().unwrap_or(0.0) };
                for (i, e) in entries.iter().enumerate() {
                    acc = acc.plus(e, coefficients[r * n + i]);
                }
                acc
            })
            .collect();
        let post = string(node, "post_transform", "NONE");
        if node.op_type == "LinearRegressor" {
            if rows != 1 || post != "NONE" {
                return Err(self.structure(
                    node,
                    format!("LinearRegressor with {rows} targets and post_transform {post}; one target, NONE, is supported"),
                ));
            }
            return Ok(vec![self.act(vec![Entry::Lin(scores.remove(0))])]);
        }
        let classes = attr(node, "classlabels_ints")
            .map_or(0, |a| a.ints.len())
            .max(attr(node, "classlabels_strings").map_or(0, |a| a.strings.len()));
        if classes > 2 || rows > 2 {
            return Err(self.structure(node, format!("a classifier with {} classes; zkcredit proves a binary decision", classes.max(rows))));
        }
        if rows == 1 {
            // One coefficient row for two classes: the scores are [-z, z].
            scores.insert(0, scores[0].scaled(-1.0));
        }
        let out = match post.as_str() {
            "NONE" => scores.into_iter().map(Entry::Lin).collect(),
            "LOGISTIC" => scores.into_iter().map(Entry::Prob).collect(),
            "SOFTMAX" => vec![Entry::Prob(scores[0].plus(&scores[1], -1.0)), Entry::Prob(scores[1].plus(&scores[0], -1.0))],
            other => return Err(self.structure(node, format!("post_transform {other}; NONE, LOGISTIC and SOFTMAX are supported"))),
        };
        Ok(vec![Value::Opaque("the classifier's label"), self.act(out)])
    }

    /// A tree ensemble on the model's inputs: `[negative, positive]` for a classifier (and its
    /// label), the score for a regressor.
    fn tree_ensemble(&mut self, node: &NodeProto) -> Result<Vec<Value>> {
        let entries = self.affine(node, &self.act_input(node, 0)?)?;
        let direct = self.layers.is_empty()
            && entries.len() == self.input_width
            && entries
                .iter()
                .enumerate()
                .all(|(i, a)| a.b == 0.0 && a.w.iter().enumerate().all(|(j, w)| *w == if i == j { 1.0 } else { 0.0 }));
        if !direct {
            return Err(self.structure(
                node,
                "the trees read preprocessed features (Scaler, a layer, a reordering); zkcredit proves trees on the model's inputs: export the trees alone (trees need no scaling)",
            ));
        }
        if self.trees.is_some() {
            return Err(self.structure(node, "a second tree ensemble; zkcredit proves one ensemble per model"));
        }
        let ensemble = trees::parse(node, self.input_width).map_err(|reason| self.structure(node, reason))?;
        self.trees = Some(ensemble);
        if node.op_type == "TreeEnsembleRegressor" {
            return Ok(vec![self.act(vec![Entry::Tree(true)])]);
        }
        Ok(vec![Value::Opaque("the classifier's label"), self.act(vec![Entry::Tree(false), Entry::Tree(true)])])
    }

    /// Normalizer L1 over the two probabilities of a binary classifier (they sum to 1: identity).
    fn normalizer(&self, node: &NodeProto) -> Result<Value> {
        let entries = self.act_input(node, 0)?;
        let norm = string(node, "norm", "MAX");
        if let (true, [Entry::Prob(a), Entry::Prob(b)]) = (norm == "L1", entries.as_slice()) {
            let sums_to_one = a.w.iter().zip(&b.w).all(|(p, q)| (p + q).abs() < 1e-9) && (a.b + b.b).abs() < 1e-9;
            if sums_to_one {
                return Ok(self.act(entries));
            }
        }
        Err(self.structure(
            node,
            format!("Normalizer {norm} divides by the input's own norm, which is not affine; only L1 over a binary classifier's two probabilities (the identity) is supported"),
        ))
    }

    fn concat(&self, node: &NodeProto) -> Result<Value> {
        let mut out = Vec::new();
        for i in 0..node.input.len() {
            out.extend(self.act_input(node, i)?);
        }
        Ok(self.act(out))
    }

    /// Gather, Slice, ArrayFeatureExtractor with constant indices: pick entries.
    fn select(&self, node: &NodeProto) -> Result<Value> {
        let entries = self.act_input(node, 0)?;
        let n = entries.len() as i64;
        let picked: Vec<i64> = match node.op_type.as_str() {
            "Slice" => {
                let get = |i: usize, attr_name: &str, default: i64| -> Result<i64> {
                    if node.input.get(i).is_some_and(|s| !s.is_empty()) {
                        Ok(self.const_input(node, i, attr_name)?.indices().last().copied().unwrap_or(default))
                    } else {
                        Ok(attr(node, attr_name).and_then(|a| a.ints.last().copied()).unwrap_or(default))
                    }
                };
                let (start, end, step) = (get(1, "starts", 0)?, get(2, "ends", n)?, get(4, "steps", 1)?);
                let clamp = |v: i64| if v < 0 { (v + n).max(0) } else { v.min(n) };
                if step != 1 {
                    return Err(self.structure(node, "Slice with a step other than 1"));
                }
                (clamp(start)..clamp(end)).collect()
            }
            _ => self.const_input(node, 1, "the indices")?.indices(),
        };
        picked
            .iter()
            .map(|&i| {
                let i = if i < 0 { i + n } else { i };
                entries.get(i as usize).cloned().ok_or_else(|| self.structure(node, format!("index {i} out of {n}")))
            })
            .collect::<Result<Vec<_>>>()
            .map(|e| self.act(e))
    }
}

fn shift(a: &Affine, v: f64) -> Affine {
    Affine { w: a.w.clone(), b: a.b + v }
}
