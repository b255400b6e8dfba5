//! Calibration datasets and applicant inputs: CSV with a header, whose columns are matched to the
//! model's inputs by name (other columns, e.g. ids, labels or reference scores, are ignored), or
//! JSON (an array of rows, each an array of numbers in input order).

use std::path::Path;

use crate::error::{Error, Result};

/// Named rows of model inputs.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Input names, in model input order.
    pub names: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<f64>>,
}

/// Load the columns named `names`, in that order, from a CSV file (other columns are ignored), or
/// rows of `names.len()` numbers from a JSON file (chosen by extension).
pub fn load(path: &Path, names: &[String]) -> Result<Dataset> {
    read(path, Columns::Named(names))
}

/// Load rows of `n` inputs without names: a CSV file must have exactly `n` columns (so no column
/// can be misread as an input), a JSON file rows of `n` numbers.
pub fn load_positional(path: &Path, n: usize) -> Result<Dataset> {
    read(path, Columns::Count(n))
}

enum Columns<'a> {
    Named(&'a [String]),
    Count(usize),
}

fn read(path: &Path, want: Columns) -> Result<Dataset> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let n = match want {
        Columns::Named(names) => names.len(),
        Columns::Count(n) => n,
    };
    if path.extension().and_then(|e| e.to_str()) == Some("json") {
        let rows: Vec<Vec<f64>> =
            serde_json::from_str(&text).map_err(|e| Error::parse(path, format!("expected an array of rows of numbers: {e}")))?;
        for (i, r) in rows.iter().enumerate() {
            if r.len() != n {
                return Err(Error::parse(path, format!("row {i} has {} values, the model takes {n}", r.len())));
            }
        }
        let names = match want {
            Columns::Named(names) => names.to_vec(),
            Columns::Count(n) => (0..n).map(|i| format!("x{i}")).collect(),
        };
        return Ok(Dataset { names, rows });
    }
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or_else(|| Error::parse(path, "empty file"))?;
    let header: Vec<String> = split_csv(header).into_iter().map(|s| s.trim().to_string()).collect();
    let (names, index) = match want {
        Columns::Named(names) => {
            let missing: Vec<&str> = names.iter().filter(|n| !header.contains(n)).map(String::as_str).collect();
            if !missing.is_empty() {
                let shown = missing.iter().take(5).map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
                return Err(Error::parse(path, format!("{} of the model's inputs have no column, e.g. {shown}", missing.len())));
            }
            (names.to_vec(), names.iter().map(|n| header.iter().position(|h| h == n).unwrap_or(0)).collect::<Vec<_>>())
        }
        Columns::Count(n) if header.len() == n => (header.clone(), (0..n).collect()),
        Columns::Count(n) => {
            return Err(Error::parse(
                path,
                format!(
                    "{} columns for a model of {n} inputs, and the model's inputs have no names to match them by: pass --encoding or --inputs (the columns are then matched by name and the others ignored), or give exactly {n} columns",
                    header.len()
                ),
            ));
        }
    };
    let mut rows = Vec::new();
    for (lineno, line) in lines {
        let cells = split_csv(line);
        let row = index
            .iter()
            .map(|&c| {
                let at = || format!("line {}, column `{}`", lineno + 1, header[c]);
                let v = cells.get(c).map(|v| v.trim()).unwrap_or("");
                if matches!(v.to_ascii_lowercase().as_str(), "" | "na" | "nan" | "null" | "none") {
                    return Err(Error::parse(path, format!("{}: missing value (zkcredit does not impute: fill it or drop the row)", at())));
                }
                match v.parse::<f64>() {
                    Ok(x) if x.is_finite() => Ok(x),
                    _ => Err(Error::parse(path, format!("{}: `{v}` is not a finite number", at()))),
                }
            })
            .collect::<Result<Vec<f64>>>()?;
        rows.push(row);
    }
    Ok(Dataset { names, rows })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("zkc-dataset-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn columns_are_matched_by_name_and_extras_ignored() {
        let path = csv("named.csv", "id,b,label,a\n7,2,1,1\n8,4,0,3\n");
        let ds = load(&path, &["a".to_string(), "b".to_string()]).unwrap();
        assert_eq!(ds.rows, vec![vec![1.0, 2.0], vec![3.0, 4.0]]);
        let err = load(&path, &["a".to_string(), "c".to_string()]).unwrap_err().to_string();
        assert!(err.contains("named.csv") && err.contains("`c`"), "{err}");
        // Without names, extra columns cannot be told apart from inputs.
        let err = load_positional(&path, 2).unwrap_err().to_string();
        assert!(err.contains("4 columns for a model of 2 inputs"), "{err}");
        assert_eq!(load_positional(&path, 4).unwrap().rows.len(), 2);
    }

    #[test]
    fn missing_and_non_finite_values_are_named() {
        let path = csv("gaps.csv", "a,b\n1,\n");
        let err = load(&path, &["a".to_string(), "b".to_string()]).unwrap_err().to_string();
        assert!(err.contains("line 2, column `b`: missing value"), "{err}");
        let path = csv("inf.csv", "a,b\n1,inf\n");
        let err = load(&path, &["a".to_string(), "b".to_string()]).unwrap_err().to_string();
        assert!(err.contains("`inf` is not a finite number"), "{err}");
    }
}
