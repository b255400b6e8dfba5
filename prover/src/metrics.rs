//! Process CPU time and peak memory, read from Linux's `/proc`, for the benchmarks
//! (`zkcredit bench`, the verifier gas model). Where `/proc` is missing they read as unknown
//! (`NaN` seconds, 0 bytes) rather than failing a benchmark.

/// User plus system CPU seconds of this process so far (all threads): fields 14 and 15 of
/// `/proc/self/stat`, in clock ticks of 10 ms.
pub fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            Some((rest.get(11)?.parse::<f64>().ok()? + rest.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// The resident-set high-water mark of this process (`VmHWM`), in bytes.
pub fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()))
        .map_or(0, |kb| kb * 1024)
}

/// Reset the high-water mark to the current resident set (`/proc/self/clear_refs`), so
/// [`peak_rss_bytes`] measures from here. Best effort: ignored where unsupported.
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_grows_and_memory_is_seen() {
        let start = cpu_seconds();
        assert!(start.is_finite(), "/proc/self/stat unreadable");
        // Spin for 200 ms of wall time: at least one 10 ms tick lands on this process.
        let wall = std::time::Instant::now();
        let mut x = 0u64;
        while wall.elapsed() < std::time::Duration::from_millis(200) {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        assert!(cpu_seconds() > start, "200 ms of spinning did not show up as CPU time");
        assert!(peak_rss_bytes() > 1 << 20, "a running test process holds more than 1 MiB");
    }
}
