//! Writing the largest research table (`item_responses`: one row per item of every wave
//! questionnaire) through barnvern's [`DatasetWriter`] (hive-partitioned dataset, manifest and
//! dictionary, atomic rename) against a bare parquet `ArrowWriter` given the same batches (the
//! partition file's columns) and the same writer properties (zstd 3, page statistics,
//! dictionary encoding, 131,072-row groups, the table's key-value metadata).
//!
//! `BENCH_ROWS` sets the row count (default 100,000; e.g. `BENCH_ROWS=10000000`). Prints rows
//! per second for each and the ratio from a direct measurement (best of `BENCH_RUNS`, default
//! 2); criterion's own sampling (10 samples of each) runs only up to 1,000,000 rows, or when
//! `BENCH_CRITERION=1`, since at 10 million rows it would take many minutes. Never fails on
//! time.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use arrow_array::RecordBatch;
use barnvern_arrow::io::table_file::{ROW_GROUP_ROWS, writer_properties};
use barnvern_arrow::{DatasetOptions, DatasetWriter, TableSpec, to_batches};
use barnvern_case::Case;
use barnvern_research::testing::TestPseudonymiser;
use barnvern_research::{Pseudonym, ResearchCase};
use chrono::{Datelike, NaiveDate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use parquet::arrow::ArrowWriter;

mod common;
use common::env_number;

const CHUNK_ROWS: usize = 65_536;
const TABLE: &str = "item_responses";

/// The Norwegian example (the one with a Family Partner family), keeping only the
/// questionnaires of 2024 so that every row of the chunk falls in one partition
/// (`jurisdiction=NO/year=2024`), copied under distinct case keys until the table has a chunk
/// of rows. Returns the table's spec and one batch of `CHUNK_ROWS` rows.
fn chunk() -> (&'static TableSpec, RecordBatch) {
    let ps = TestPseudonymiser::new(1);
    let as_of = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/no-case.json");
    let text = std::fs::read_to_string(path).unwrap();
    let mut base = ResearchCase::from_case(&Case::from_json(&text).unwrap(), &ps, as_of);
    let fam = base.family_partner.as_mut().unwrap();
    let keep = fam
        .questionnaires
        .iter()
        .take_while(|q| q.completed_on.year() == 2024)
        .count();
    fam.questionnaires.truncate(keep);
    fam.scores
        .retain(|s| (s.questionnaire_index as usize) < keep);
    let per: usize = fam.questionnaires.iter().map(|q| q.responses.len()).sum();
    let copies = CHUNK_ROWS.div_ceil(per);
    let cases: Vec<ResearchCase> = (0..copies)
        .map(|i| {
            let mut c = base.clone();
            c.case_key = Pseudonym::new(format!("{i:064x}")).unwrap();
            c
        })
        .collect();
    let (spec, batch) = to_batches(&cases)
        .unwrap()
        .into_iter()
        .find(|(s, _)| s.name == TABLE)
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

/// Through the dataset writer: partition routing, the partition file, manifest, dictionary
/// and the atomic rename.
fn ours(target: &Path, batch: &RecordBatch, n: usize) {
    let options = DatasetOptions {
        overwrite: true,
        ..DatasetOptions::default()
    };
    let mut w = DatasetWriter::create(target, options).unwrap();
    feed(n, batch, |b| w.write_batch(TABLE, b).unwrap());
    let manifest = w.finish().unwrap();
    assert_eq!(manifest.tables[TABLE].rows, n as u64);
}

/// The partition file's columns (the spec's without `jurisdiction`) of the same batch.
fn file_batch(spec: &TableSpec, batch: &RecordBatch) -> RecordBatch {
    let schema = spec.file_schema();
    let columns = schema
        .fields()
        .iter()
        .map(|f| batch.column_by_name(f.name()).unwrap().clone())
        .collect();
    RecordBatch::try_new(schema, columns).unwrap()
}

/// A bare `ArrowWriter` with the same properties, on the same rows.
fn bare(path: &Path, spec: &TableSpec, batch: &RecordBatch, n: usize) {
    let props = writer_properties(spec, ROW_GROUP_ROWS).unwrap();
    let mut w =
        ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), Some(props)).unwrap();
    feed(n, batch, |b| w.write(b).unwrap());
    w.close().unwrap();
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    };
    entries
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                dir_size(&p)
            } else {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            }
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let n = env_number("BENCH_ROWS", 100_000);
    let runs = env_number("BENCH_RUNS", 2);
    let (spec, batch) = chunk();
    let plain = file_batch(spec, &batch);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("dataset");
    let bare_path = dir.path().join("bare.parquet");

    // Alternate the two so neither gets a warmer cache.
    let mut t_ours = Duration::MAX;
    let mut t_bare = Duration::MAX;
    for _ in 0..runs.max(1) {
        t_ours = t_ours.min(best_of(1, || ours(&target, &batch, n)));
        t_bare = t_bare.min(best_of(1, || bare(&bare_path, spec, &plain, n)));
    }
    let rate = |t: Duration| n as f64 / t.as_secs_f64().max(1e-9);
    let data_file = target.join(format!("{TABLE}/jurisdiction=NO/year=2024/part-0.parquet"));
    println!(
        "table {TABLE} ({} columns, {} in the file), {n} rows, best of {runs}\n  DatasetWriter::write_batch: {:>12.0} rows/s  {:>8.3} s  {:>10} bytes (data file {})\n  bare ArrowWriter:           {:>12.0} rows/s  {:>8.3} s  {:>10} bytes\n  ratio barnvern / bare:      {:.3}",
        spec.fields.len(),
        plain.num_columns(),
        rate(t_ours),
        t_ours.as_secs_f64(),
        dir_size(&target),
        dir_size(&data_file),
        rate(t_bare),
        t_bare.as_secs_f64(),
        dir_size(&bare_path),
        rate(t_ours) / rate(t_bare),
    );

    if n > 1_000_000 && std::env::var_os("BENCH_CRITERION").is_none() {
        return;
    }
    let mut group = c.benchmark_group(format!("write_{TABLE}"));
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("dataset_writer", |b| b.iter(|| ours(&target, &batch, n)));
    group.bench_function("bare_arrow_writer", |b| {
        b.iter(|| bare(&bare_path, spec, &plain, n))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
