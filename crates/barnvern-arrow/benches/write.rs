//! Writing the largest research table: barnvern's Parquet writer (zstd, page statistics,
//! 131,072-row groups, table metadata) against a bare parquet `ArrowWriter` with default
//! properties, on the same batches. `BENCH_ROWS` sets the row count (default 100,000; e.g.
//! `BENCH_ROWS=10000000`). Prints rows per second for each and the ratio; never fails on time.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use arrow_array::RecordBatch;
use barnvern_arrow::parquet::{FileLayout, TableFileWriter};
use barnvern_arrow::testing::TestPseudonymiser;
use barnvern_arrow::{Pseudonym, ResearchCase, TableSpec, to_batches};
use barnvern_case::Case;
use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use parquet::arrow::ArrowWriter;

const CHUNK_ROWS: usize = 65_536;

fn rows() -> usize {
    std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(100_000)
}

/// The example cases, copied under distinct case keys until the largest table has a chunk of
/// rows; returns that table's spec and one batch of `CHUNK_ROWS` rows.
fn chunk() -> (&'static TableSpec, RecordBatch) {
    let ps = TestPseudonymiser::new(1);
    let as_of = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/");
    let base: Vec<ResearchCase> = ["se-case.json", "no-case.json"]
        .iter()
        .map(|n| {
            let text = std::fs::read_to_string(format!("{dir}{n}")).unwrap();
            ResearchCase::from_case(&Case::from_json(&text).unwrap(), &ps, as_of)
        })
        .collect();
    let per_copy = to_batches(&base).unwrap();
    let (largest, per) = per_copy
        .iter()
        .map(|(s, b)| (s.name, b.num_rows()))
        .max_by_key(|(_, n)| *n)
        .unwrap();
    let copies = CHUNK_ROWS.div_ceil(per);
    let cases: Vec<ResearchCase> = (0..copies)
        .flat_map(|i| {
            base.iter().enumerate().map(move |(j, c)| {
                let mut c = c.clone();
                c.case_key = Pseudonym::new(format!("{:064x}", i * 2 + j)).unwrap();
                c
            })
        })
        .collect();
    let batches = to_batches(&cases).unwrap();
    let (spec, batch) = batches
        .into_iter()
        .find(|(s, _)| s.name == largest)
        .unwrap();
    (spec, batch.slice(0, CHUNK_ROWS.min(batch.num_rows())))
}

fn feed(n: usize, batch: &RecordBatch, mut write: impl FnMut(&RecordBatch)) {
    let mut left = n;
    while left > 0 {
        let take = left.min(batch.num_rows());
        write(&batch.slice(0, take));
        left -= take;
    }
}

fn ours(path: &Path, spec: &'static TableSpec, batch: &RecordBatch, n: usize) {
    let mut w = TableFileWriter::create(path, spec, FileLayout::Whole).unwrap();
    feed(n, batch, |b| w.write(b).unwrap());
    w.finish().unwrap();
}

fn bare(path: &Path, batch: &RecordBatch, n: usize) {
    let mut w = ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), None).unwrap();
    feed(n, batch, |b| w.write(b).unwrap());
    w.close().unwrap();
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let n = rows();
    let (spec, batch) = chunk();
    let dir = tempfile::tempdir().unwrap();
    let ours_path = dir.path().join("ours.parquet");
    let bare_path = dir.path().join("bare.parquet");

    // One direct measurement, printed as rows per second.
    let t_ours = best_of(2, || ours(&ours_path, spec, &batch, n));
    let t_bare = best_of(2, || bare(&bare_path, &batch, n));
    let rate = |t: Duration| n as f64 / t.as_secs_f64().max(1e-9);
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    println!(
        "table {} ({} columns), {n} rows\n  barnvern writer:        {:>12.0} rows/s  {:>8.3} s  {:>10} bytes\n  bare ArrowWriter:       {:>12.0} rows/s  {:>8.3} s  {:>10} bytes\n  ratio barnvern / bare:  {:.2}",
        spec.name,
        spec.fields.len(),
        rate(t_ours),
        t_ours.as_secs_f64(),
        size(&ours_path),
        rate(t_bare),
        t_bare.as_secs_f64(),
        size(&bare_path),
        rate(t_ours) / rate(t_bare),
    );

    let mut group = c.benchmark_group(format!("write_{}", spec.name));
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.bench_function("barnvern_writer", |b| {
        b.iter(|| ours(&ours_path, spec, &batch, n))
    });
    group.bench_function("bare_arrow_writer", |b| {
        b.iter(|| bare(&bare_path, &batch, n))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
