//! Raw applicant fields -> model inputs (numeric fields as they are, categorical fields one-hot),
//! as described by the `encoding.json` written by the training script.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How one raw field becomes model inputs.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldEncoding {
    /// One input holding the number.
    Numeric {
        /// Field name.
        field: String,
        /// Smallest value in the training data.
        min: f64,
        /// Largest value in the training data.
        max: f64,
    },
    /// One input per category, 1 for the applicant's category and 0 elsewhere.
    OneHot {
        /// Field name.
        field: String,
        /// Allowed categories, in input order.
        categories: Vec<String>,
    },
}

/// The whole encoding.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Encoding {
    /// Raw fields in order.
    pub fields: Vec<FieldEncoding>,
    /// Resulting model input names.
    pub inputs: Vec<String>,
}

impl Encoding {
    /// Read `encoding.json`.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let enc: Encoding = serde_json::from_str(&text).map_err(|e| Error::parse(path, e))?;
        let n: usize = enc.fields.iter().map(|f| if let FieldEncoding::OneHot { categories, .. } = f { categories.len() } else { 1 }).sum();
        if n != enc.inputs.len() {
            return Err(Error::parse(path, format!("fields expand to {n} inputs but `inputs` lists {}", enc.inputs.len())));
        }
        Ok(enc)
    }

    /// Encode an applicant given as a JSON object of raw fields.
    pub fn encode(&self, raw: &serde_json::Map<String, serde_json::Value>) -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity(self.inputs.len());
        for f in &self.fields {
            match f {
                FieldEncoding::Numeric { field, .. } => {
                    let v = raw.get(field).ok_or_else(|| missing(field))?;
                    let x = v.as_f64().ok_or_else(|| Error::BadValue {
                        what: format!("field `{field}`"),
                        reason: format!("expected a number, got {v}"),
                    })?;
                    out.push(x);
                }
                FieldEncoding::OneHot { field, categories } => {
                    let v = raw.get(field).ok_or_else(|| missing(field))?;
                    let s = v.as_str().ok_or_else(|| Error::BadValue {
                        what: format!("field `{field}`"),
                        reason: format!("expected a category string, got {v}"),
                    })?;
                    let idx = categories.iter().position(|c| c == s).ok_or_else(|| Error::BadValue {
                        what: format!("field `{field}`"),
                        reason: format!("unknown category `{s}` (expected one of: {})", categories.join(" | ")),
                    })?;
                    out.extend((0..categories.len()).map(|i| if i == idx { 1.0 } else { 0.0 }));
                }
            }
        }
        if let Some(extra) = raw.keys().find(|k| !self.fields.iter().any(|f| field_name(f) == k.as_str())) {
            return Err(Error::BadValue { what: format!("field `{extra}`"), reason: "not a field of this model's encoding".into() });
        }
        Ok(out)
    }
}

fn field_name(f: &FieldEncoding) -> &str {
    match f {
        FieldEncoding::Numeric { field, .. } | FieldEncoding::OneHot { field, .. } => field,
    }
}

fn missing(field: &str) -> Error {
    Error::BadValue { what: format!("field `{field}`"), reason: "missing".into() }
}
