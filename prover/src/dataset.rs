//! Calibration datasets and applicant inputs: CSV with a header (the first `n` columns are the
//! model inputs) or JSON (an array of rows, each an array of numbers).

use std::path::Path;

use crate::error::{Error, Result};

/// Named rows of model inputs.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Input names (CSV header, or `x0..` for JSON).
    pub names: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<f64>>,
}

/// Load `n` inputs per row from a CSV or JSON file (chosen by extension).
pub fn load(path: &Path, n: usize) -> Result<Dataset> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    if path.extension().and_then(|e| e.to_str()) == Some("json") {
        let rows: Vec<Vec<f64>> =
            serde_json::from_str(&text).map_err(|e| Error::parse(path, format!("expected an array of rows of numbers: {e}")))?;
        for (i, r) in rows.iter().enumerate() {
            if r.len() != n {
                return Err(Error::parse(path, format!("row {i} has {} values, the model takes {n}", r.len())));
            }
        }
        return Ok(Dataset { names: (0..n).map(|i| format!("x{i}")).collect(), rows });
    }
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or_else(|| Error::parse(path, "empty file"))?;
    let names: Vec<String> = split_csv(header).into_iter().map(|s| s.trim().to_string()).collect();
    if names.len() < n {
        return Err(Error::parse(path, format!("header has {} columns, the model takes {n} inputs", names.len())));
    }
    let mut rows = Vec::new();
    for (lineno, line) in lines {
        let cells = split_csv(line);
        if cells.len() < n {
            return Err(Error::parse(path, format!("line {}: {} columns, expected at least {n}", lineno + 1, cells.len())));
        }
        let row = cells[..n]
            .iter()
            .enumerate()
            .map(|(c, v)| {
                v.trim()
                    .parse::<f64>()
                    .map_err(|_| Error::parse(path, format!("line {}, column `{}`: `{v}` is not a number", lineno + 1, names[c])))
            })
            .collect::<Result<Vec<f64>>>()?;
        rows.push(row);
    }
    Ok(Dataset { names: names[..n].to_vec(), rows })
}

/// Read one named column (e.g. a reference score) from a CSV file.
pub fn column(path: &Path, name: &str) -> Result<Vec<f64>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = split_csv(lines.next().ok_or_else(|| Error::parse(path, "empty file"))?);
    let idx = header.iter().position(|h| h.trim() == name).ok_or_else(|| Error::parse(path, format!("no column `{name}`")))?;
    lines
        .enumerate()
        .map(|(i, l)| {
            split_csv(l).get(idx).and_then(|v| v.trim().parse().ok()).ok_or_else(|| Error::parse(path, format!("row {i}: bad `{name}`")))
        })
        .collect()
}

/// Split one CSV line, honouring double-quoted fields (`""` is a literal quote).
pub fn split_csv(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(s) = out.last_mut() {
                    s.push('"');
                }
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            (c, _) => {
                if let Some(s) = out.last_mut() {
                    s.push(c);
                }
            }
        }
    }
    out
}
