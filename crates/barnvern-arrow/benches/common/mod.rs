//! What the benchmarks of this crate share: their settings from the environment and the best
//! and median of their runs.
#![allow(dead_code)]

use std::time::Duration;

/// A whole number from the environment variable `name` (`1_000_000` allowed), or `default`.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// The best and the median of the runs' times (zero for no runs).
pub fn best_and_median(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    let best = times.first().copied().unwrap_or_default();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    (best, median)
}
