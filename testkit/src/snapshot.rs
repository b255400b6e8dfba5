//! One snapshot mechanism for the workspace.
//!
//! A snapshot is a committed file that a test compares with what the code produces now. A missing
//! snapshot fails, a changed one fails, and `ZKCREDIT_UPDATE_SNAPSHOTS=1 cargo test ...` rewrites
//! them (then review the diff and commit). JSON snapshots are compared leaf by leaf over the union
//! of both files' keys, so a key that exists on one side only fails too: nothing is compared with
//! nothing.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The environment variable that re-blesses snapshots.
pub const UPDATE_VAR: &str = "ZKCREDIT_UPDATE_SNAPSHOTS";

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Whether this run rewrites snapshots instead of comparing.
pub fn updating() -> bool {
    std::env::var_os(UPDATE_VAR).is_some_and(|v| !v.is_empty() && v != "0")
}

fn hint(path: &Path) -> String {
    format!("if the change is intended, rerun with {UPDATE_VAR}=1 and commit {}", path.display())
}

/// Read a snapshot, or explain that it is missing.
fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("snapshot {} is missing ({e}): {}", path.display(), hint(path)))
}

/// Compare `text` with the file at `rel` (relative to the workspace root), byte for byte.
pub fn text(rel: &str, text: &str) {
    let path = root().join(rel);
    if updating() {
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let saved = read(&path);
    if saved != text {
        let line = saved.lines().zip(text.lines()).position(|(a, b)| a != b).map_or(saved.lines().count().min(text.lines().count()), |i| i);
        panic!("{} differs from what the code produces now, from line {}: {}", path.display(), line + 1, hint(&path));
    }
}

/// Compare `now` with the JSON snapshot at `rel`: every leaf equal, except the leaves named in
/// `tolerant` (JSON pointers such as `/verify_gas_tx`), which may differ by the given relative
/// amount (transaction gas varies by a few hundred with a randomized proof's zero bytes).
pub fn json(rel: &str, now: &Value, tolerant: &[(&str, f64)]) {
    let path = root().join(rel);
    if updating() {
        let text = serde_json::to_string_pretty(now).unwrap_or_default() + "\n";
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let saved: Value =
        serde_json::from_str(&read(&path)).unwrap_or_else(|e| panic!("{} is not JSON ({e}): {}", path.display(), hint(&path)));
    let mut diffs = Vec::new();
    compare("", &saved, now, tolerant, &mut diffs);
    for (pointer, _) in tolerant {
        if saved.pointer(pointer).is_none() {
            diffs.push(format!("{pointer}: named as tolerant but not in the snapshot"));
        }
    }
    assert!(diffs.is_empty(), "{} changed:\n  {}\n{}", path.display(), diffs.join("\n  "), hint(&path));
}

fn compare(at: &str, saved: &Value, now: &Value, tolerant: &[(&str, f64)], diffs: &mut Vec<String>) {
    match (saved, now) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let here = format!("{at}/{k}");
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => compare(&here, x, y, tolerant, diffs),
                    (Some(x), None) => diffs.push(format!("{here}: {x} in the snapshot, absent now")),
                    (None, Some(y)) => diffs.push(format!("{here}: absent from the snapshot, {y} now")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(&format!("{at}/{i}"), x, y, tolerant, diffs);
            }
        }
        _ => {
            let within = tolerant.iter().find(|(p, _)| *p == at).is_some_and(|(_, rel)| match (saved.as_f64(), now.as_f64()) {
                (Some(x), Some(y)) => (x - y).abs() <= x.abs() * rel,
                _ => false,
            });
            if saved != now && !within {
                diffs.push(format!("{at}: {saved} in the snapshot, {now} now"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diffs(saved: Value, now: Value, tolerant: &[(&str, f64)]) -> Vec<String> {
        let mut d = Vec::new();
        compare("", &saved, &now, tolerant, &mut d);
        d
    }

    #[test]
    fn every_leaf_is_compared_and_a_key_on_one_side_fails() {
        assert!(diffs(json!({"a": 1, "b": {"c": 2}}), json!({"a": 1, "b": {"c": 2}}), &[]).is_empty());
        assert_eq!(diffs(json!({"a": 1, "b": {"c": 2}}), json!({"a": 1, "b": {"c": 3}}), &[]).len(), 1);
        assert_eq!(diffs(json!({"a": 1, "gone": 2}), json!({"a": 1}), &[]).len(), 1);
        assert_eq!(diffs(json!({"a": 1}), json!({"a": 1, "new": 2}), &[]).len(), 1);
        assert_eq!(diffs(json!([1, 2]), json!([1, 2, 3]), &[]).len(), 1);
    }

    #[test]
    fn tolerant_leaves_allow_their_margin_only() {
        let t = [("/gas", 0.01)];
        assert!(diffs(json!({"gas": 1000, "x": 1}), json!({"gas": 1009, "x": 1}), &t).is_empty());
        assert_eq!(diffs(json!({"gas": 1000}), json!({"gas": 1011}), &t).len(), 1);
        assert_eq!(diffs(json!({"gas": 1000, "x": 1}), json!({"gas": 1000, "x": 2}), &t).len(), 1);
    }
}
