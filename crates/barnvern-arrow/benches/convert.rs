//! Research cases to Arrow batches ([`to_batches`]: every table's writer, the code that turns
//! records into rows) on a synthetic cohort, in chunks of 256 cases as the extract does.
//!
//! `BENCH_CHILDREN` sets the cohort (default 100,000), `BENCH_RUNS` the runs (default 3). Prints
//! the best and median time and cases per second; never fails on time. The cohort is built
//! and pseudonymised before the clock starts.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use barnvern_arrow::to_batches;
use barnvern_case::Case;
use barnvern_research::ResearchCase;
use barnvern_research::testing::TestPseudonymiser;
use barnvern_synth::{Cohort, SynthOptions};
use chrono::NaiveDate;

mod common;
use common::env_number;

fn main() {
    let children = env_number("BENCH_CHILDREN", 100_000);
    let runs = env_number("BENCH_RUNS", 3).max(1);
    let opts = SynthOptions {
        children: children as u64,
        ..SynthOptions::default()
    };
    let ps = TestPseudonymiser::new(1);
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let cases: Vec<ResearchCase> = Cohort::new(&opts)
        .unwrap()
        .map(|d| ResearchCase::from_case(&Case::from_data(d.unwrap()).unwrap(), &ps, as_of))
        .collect();
    let mut times: Vec<Duration> = Vec::new();
    let mut rows = 0;
    for _ in 0..runs {
        let start = Instant::now();
        rows = 0;
        for chunk in cases.chunks(256) {
            let batches = to_batches(chunk).unwrap();
            rows += batches.iter().map(|(_, b)| b.num_rows()).sum::<usize>();
        }
        times.push(start.elapsed());
    }
    let (best, median) = common::best_and_median(times);
    println!(
        "to_batches: {children} cases, {rows} rows, {runs} runs: best {:.3} s, median {:.3} s \
         ({:.0} cases/s at the best)",
        best.as_secs_f64(),
        median.as_secs_f64(),
        children as f64 / best.as_secs_f64()
    );
}
