//! Raw applicant fields -> model inputs (numeric fields as they are, categorical fields one-hot),
//! as described by the `encoding.json` written by the training script.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How a raw field is encoded.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One input holding the number.
    Numeric,
    /// One input per category, 1 for the applicant's category and 0 elsewhere.
    OneHot,
}

/// How one raw field becomes model inputs. (A plain struct rather than a tagged enum: serde's
/// tagged enums break on numbers when serde_json's `arbitrary_precision` is enabled in the build.)
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FieldEncoding {
    /// Field name.
    pub field: String,
    /// Numeric or one-hot.
    pub kind: Kind,
    /// Numeric: smallest value in the training data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Numeric: largest value in the training data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// One-hot: the allowed categories, in input order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
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
        let n: usize = enc.fields.iter().map(|f| if f.kind == Kind::OneHot { f.categories.len() } else { 1 }).sum();
        if n != enc.inputs.len() {
            return Err(Error::parse(path, format!("fields expand to {n} inputs but `inputs` lists {}", enc.inputs.len())));
        }
        Ok(enc)
    }

    /// Encode an applicant given as a JSON object of raw fields.
    pub fn encode(&self, raw: &serde_json::Map<String, serde_json::Value>) -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity(self.inputs.len());
        for f in &self.fields {
            let field = &f.field;
            match f.kind {
                Kind::Numeric => {
                    let v = raw.get(field).ok_or_else(|| missing(field))?;
                    let x = v.as_f64().ok_or_else(|| Error::BadValue {
                        what: format!("field `{field}`"),
                        reason: format!("expected a number, got {v}"),
                    })?;
                    out.push(x);
                }
                Kind::OneHot => {
                    let categories = &f.categories;
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
        if let Some(extra) = raw.keys().find(|k| !self.fields.iter().any(|f| f.field == k.as_str())) {
            return Err(Error::BadValue { what: format!("field `{extra}`"), reason: "not a field of this model's encoding".into() });
        }
        Ok(out)
    }
}

fn missing(field: &str) -> Error {
    Error::BadValue { what: format!("field `{field}`"), reason: "missing".into() }
}
