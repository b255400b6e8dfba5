//! Terminal progress: a spinner per long stage (hidden when stderr is not a terminal or CI=true).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use zkcredit_prover::prove::Progress;

/// Spinner-based progress reporter.
pub struct Spinner {
    bar: ProgressBar,
}

impl Spinner {
    /// A new spinner with a prefix (e.g. `setup`).
    pub fn new(prefix: &str) -> Self {
        let quiet = std::env::var_os("CI").is_some_and(|v| v == "true");
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new_spinner() };
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix}: {msg} [{elapsed}]").unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(prefix.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        Spinner { bar }
    }

    /// Stop and clear.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Spinner {
    fn stage(&self, name: &str) {
        if self.bar.is_hidden() {
            eprintln!("{}: {name}", self.bar.prefix());
        }
        self.bar.set_message(name.to_string());
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
