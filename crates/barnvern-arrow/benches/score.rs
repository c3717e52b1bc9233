//! Scoring a table of parent SDQ respondents ([`TableScorer::score`]) from an in-memory Arrow
//! record batch: 25 items and the impact supplement as `int8` columns with about 5% missing,
//! as Python's `bindings/python/benchmarks/bench_score.py` makes them. Beside it, the bandwidth
//! anchor: a plain sum over the values of the same 31 columns.
//!
//! `BENCH_ROWS` sets the rows (default 1,000,000), `BENCH_RUNS` the runs (default 5). Prints the
//! best and median time and rows per second; never fails on time. The data are built before
//! the clock starts.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::{ArrayRef, Int8Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use barnvern_arrow::scoring::{Columns, TableScorer};
use barnvern_outcomes::{ScoreOptions, builtin};

mod common;
use common::env_number;

fn summary(label: &str, rows: usize, times: Vec<Duration>) {
    let (best, median) = common::best_and_median(times);
    println!(
        "{label:<28} best {:8.2} ms  median {:8.2} ms  {:>14.0} rows/s (median)",
        best.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
        rows as f64 / median.as_secs_f64()
    );
}

fn main() {
    let rows = env_number("BENCH_ROWS", 1_000_000);
    let runs = env_number("BENCH_RUNS", 5).max(1);
    let sdq = builtin("sdq-p-4-17").unwrap();
    // A cheap deterministic generator (xorshift).
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for item in sdq.items() {
        let name = item.name.as_str();
        let top = if name == "ebddiff" || name.starts_with("imp") || name == "distres" {
            4
        } else {
            3
        };
        let values: Int8Array = (0..rows)
            .map(|_| {
                let r = next();
                (r % 20 != 0).then_some(((r >> 8) % top) as i8)
            })
            .collect();
        fields.push(Field::new(name, DataType::Int8, true));
        arrays.push(Arc::new(values));
    }
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
    let scorer = TableScorer::new(
        sdq,
        &batch.schema(),
        &Columns::default(),
        ScoreOptions::default(),
    )
    .unwrap();
    println!(
        "{rows} parent SDQ respondents, {} int8 item columns, {runs} runs",
        batch.num_columns()
    );

    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let scored = scorer.score(black_box(&batch), 0).unwrap();
        times.push(start.elapsed());
        assert_eq!(scored.num_rows(), rows);
        black_box(scored);
    }
    summary("TableScorer::score", rows, times);

    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let mut total = 0i64;
        for column in batch.columns() {
            let values = column
                .as_any()
                .downcast_ref::<Int8Array>()
                .unwrap()
                .values();
            total += values.iter().map(|&v| i64::from(v)).sum::<i64>();
        }
        times.push(start.elapsed());
        black_box(total);
    }
    summary("sum over the item values", rows, times);
}
