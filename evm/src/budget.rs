//! Gas budgets: compare a fresh gas report with a committed baseline so that a lender's CI fails
//! when a retrained model or a new zkcredit version costs more on chain.

use serde_json::Value;

/// A figure that grew beyond the tolerance.
#[derive(Clone, Debug, PartialEq)]
pub struct Regression {
    /// The figure's JSON pointer (e.g. `/batch_submit_gas_tx`).
    pub figure: String,
    /// Its baseline value.
    pub baseline: f64,
    /// Its value now.
    pub now: f64,
}

impl std::fmt::Display for Regression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pct = if self.baseline > 0.0 { 100.0 * (self.now - self.baseline) / self.baseline } else { f64::INFINITY };
        write!(f, "{}: {} now, {} in the baseline (+{pct:.2} %)", self.figure, self.now, self.baseline)
    }
}

/// Every numeric figure of `baseline` whose value in `now` exceeds it by more than
/// `tolerance_pct` percent (gas, sizes: higher is worse). A figure of the baseline missing from
/// `now` is reported with `now = NaN`, so a renamed key cannot pass silently.
pub fn regressions(now: &Value, baseline: &Value, tolerance_pct: f64) -> Vec<Regression> {
    let mut out = Vec::new();
    walk(now, baseline, String::new(), tolerance_pct, &mut out);
    out
}

fn walk(now: &Value, base: &Value, at: String, tol: f64, out: &mut Vec<Regression>) {
    match base {
        Value::Object(map) => {
            for (k, b) in map {
                let here = format!("{at}/{k}");
                match now.get(k) {
                    Some(n) => walk(n, b, here, tol, out),
                    None if contains_number(b) => {
                        out.push(Regression { figure: here, baseline: b.as_f64().unwrap_or(f64::NAN), now: f64::NAN })
                    }
                    None => {}
                }
            }
        }
        Value::Number(b) => {
            let (b, n) = (b.as_f64().unwrap_or(0.0), now.as_f64().unwrap_or(f64::NAN));
            if n.is_nan() || n > b * (1.0 + tol / 100.0) {
                out.push(Regression { figure: at, baseline: b, now: n });
            }
        }
        _ => {}
    }
}

fn contains_number(v: &Value) -> bool {
    match v {
        Value::Number(_) => true,
        Value::Object(m) => m.values().any(contains_number),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn growth_beyond_the_tolerance_and_missing_figures_are_named() {
        let base = json!({"fork": "osaka", "a": 100, "b": 100, "c": 100, "nested": {"d": 10}});
        let now = json!({"fork": "prague", "a": 101, "b": 99, "nested": {"d": 12}});
        let r = regressions(&now, &base, 1.5);
        let names: Vec<&str> = r.iter().map(|r| r.figure.as_str()).collect();
        assert_eq!(names, ["/c", "/nested/d"], "{r:?}");
        assert!(r[1].to_string().contains("+20.00 %"));
        assert!(regressions(&now, &base, 50.0).iter().all(|r| r.figure == "/c"));
    }
}
