//! Datasets: hive-partitioned layout, manifest, atomic appearance, bounded buffering, and a
//! lossless read back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use barnvern_arrow::dataset::MANIFEST;
use barnvern_arrow::{Dataset, DatasetOptions, DatasetWriter, Error, SCHEMA_VERSION, tables};
use common::*;
use proptest::prelude::*;

fn sorted(mut cases: Vec<barnvern_arrow::ResearchCase>) -> Vec<barnvern_arrow::ResearchCase> {
    cases.sort_by(|a, b| a.case_key.cmp(&b.case_key));
    cases
}

#[test]
fn examples_write_a_partitioned_dataset_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("extract");
    let mut w = DatasetWriter::create(&target, DatasetOptions::default()).unwrap();
    let cases = example_cases();
    w.write(&cases[..1]).unwrap();
    w.write(&cases[1..]).unwrap();
    w.manifest_mut().key_fingerprint = Some("fp".into());
    w.manifest_mut().rejected = 3;
    // Nothing at the target until finish.
    assert!(!target.exists());
    let manifest = w.finish().unwrap();

    for rel in [
        "referrals/jurisdiction=SE/year=2024/part-0.parquet",
        "referrals/jurisdiction=SE/year=2025/part-0.parquet",
        "referrals/jurisdiction=NO/year=2024/part-0.parquet",
        "cases/jurisdiction=NO/year=2024/part-0.parquet",
        "deadlines/jurisdiction=SE/year=2024/part-0.parquet",
        MANIFEST,
        "dictionary.md",
        "dictionary.csv",
        "dictionary.html",
        "tables.json",
    ] {
        assert!(target.join(rel).exists(), "{rel}");
    }
    for t in tables() {
        assert!(target.join(t.name).is_dir(), "{}", t.name);
    }
    assert_eq!(manifest.schema_version, SCHEMA_VERSION);
    assert_eq!(manifest.cases, 2);
    assert_eq!(manifest.tables["cases"].rows, 2);
    assert_eq!(manifest.tables["referrals"].rows, 4);
    assert!(manifest.code_lists.contains_key("no.ssb.barnevern.melder"));
    assert!(manifest.code_lists.contains_key("barnvern.deadline_rules"));
    assert!(!manifest.demo_key);
    // No temporary directory is left beside the target.
    let siblings: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(siblings.len(), 1);

    let ds = Dataset::open(&target).unwrap();
    assert!(ds.issues().is_empty(), "{:?}", ds.issues());
    assert_eq!(ds.manifest(), &manifest);
    assert_eq!(ds.manifest().key_fingerprint.as_deref(), Some("fp"));
    assert_eq!(ds.manifest().rejected, 3);
    for (spec, batch) in ds.batches() {
        assert_eq!(batch.schema(), spec.arrow_schema());
    }
    assert_same(&sorted(example_cases()), &sorted(ds.cases().unwrap()));
}

#[test]
fn an_existing_target_is_refused_unless_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("extract");
    let mut w = DatasetWriter::create(&target, DatasetOptions::default()).unwrap();
    w.write(&example_cases()).unwrap();
    w.finish().unwrap();

    let err = DatasetWriter::create(&target, DatasetOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, Error::Exists { .. }), "{err}");
    assert!(err.to_string().contains("overwrite"));

    let options = DatasetOptions {
        overwrite: true,
        ..DatasetOptions::default()
    };
    let mut w = DatasetWriter::create(&target, options).unwrap();
    w.write(&example_cases()[1..]).unwrap();
    let manifest = w.finish().unwrap();
    assert_eq!(manifest.cases, 1);
    let ds = Dataset::open(&target).unwrap();
    assert_eq!(ds.cases().unwrap().len(), 1);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn an_unfinished_writer_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("extract");
    let mut w = DatasetWriter::create(&target, DatasetOptions::default()).unwrap();
    w.write(&example_cases()).unwrap();
    drop(w);
    assert!(!target.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn batches_written_by_table_read_back_as_the_cases() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("extract");
    let cases = example_cases();
    let mut w = DatasetWriter::create(&target, DatasetOptions::default()).unwrap();
    for (spec, batch) in barnvern_arrow::to_batches(&cases).unwrap() {
        // Row by row as well as whole: runs of one partition go to its file either way.
        let (head, tail) = (
            batch.slice(0, batch.num_rows() / 2),
            batch.slice(
                batch.num_rows() / 2,
                batch.num_rows() - batch.num_rows() / 2,
            ),
        );
        w.write_batch(spec.name, &head).unwrap();
        w.write_batch(spec.name, &tail).unwrap();
    }
    let manifest = w.finish().unwrap();
    assert_eq!(manifest.cases, 2);
    assert_eq!(manifest.tables["item_responses"].rows, 77);
    assert!(
        target
            .join("item_responses/jurisdiction=NO/year=2025/part-0.parquet")
            .exists()
    );
    let ds = Dataset::open(&target).unwrap();
    assert!(ds.issues().is_empty(), "{:?}", ds.issues());
    assert_same(&sorted(cases), &sorted(ds.cases().unwrap()));
    let err = DatasetWriter::create(dir.path().join("other"), DatasetOptions::default())
        .unwrap()
        .write_batch(
            "no_such_table",
            &barnvern_arrow::to_batches(&[]).unwrap()[0].1,
        )
        .unwrap_err();
    assert!(err.to_string().contains("no such table"), "{err}");
}

#[test]
fn a_manifest_of_an_unknown_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("extract");
    let mut w = DatasetWriter::create(&target, DatasetOptions::default()).unwrap();
    w.write(&example_cases()).unwrap();
    w.finish().unwrap();
    let path = target.join(MANIFEST);
    let text = std::fs::read_to_string(&path).unwrap().replace(
        &format!("\"schema_version\": \"{}\"", barnvern_arrow::SCHEMA_VERSION),
        "\"schema_version\": \"0.9\"",
    );
    std::fs::write(&path, text).unwrap();
    let msg = Dataset::open(&target).unwrap_err().to_string();
    assert!(
        msg.contains("manifest.json") && msg.contains("\"0.9\"") && msg.contains("1.0, 1.1"),
        "{msg}"
    );
}

/// The writer's memory limits cut a partition into several files (`part-0`, `part-1`, ...):
/// the manifest lists each with its rows, and the dataset reads back as the cases, through
/// `write` (row by row) and through `write_batch`.
#[test]
fn memory_limits_split_partitions_into_files_that_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let cases = example_cases();
    let options = DatasetOptions {
        row_group_rows: 3,
        max_buffered_bytes: 1,
        max_open_files: 1,
        max_row_groups_per_file: 2,
        ..DatasetOptions::default()
    };
    for by_batch in [false, true] {
        let target = dir.path().join(format!("extract-{by_batch}"));
        let mut w = DatasetWriter::create(&target, options.clone()).unwrap();
        if by_batch {
            for (spec, batch) in barnvern_arrow::to_batches(&cases).unwrap() {
                for row in 0..batch.num_rows() {
                    w.write_batch(spec.name, &batch.slice(row, 1)).unwrap();
                }
            }
        } else {
            for case in &cases {
                w.write(std::slice::from_ref(case)).unwrap();
            }
        }
        let manifest = w.finish().unwrap();
        let items = &manifest.tables["item_responses"];
        assert_eq!(items.rows, 77);
        assert!(
            items.files.len() > 2
                && items
                    .files
                    .iter()
                    .any(|f| f.path.ends_with("part-1.parquet")),
            "{:?}",
            items.files
        );
        assert_eq!(items.files.iter().map(|f| f.rows).sum::<u64>(), 77);
        for f in &items.files {
            assert!(target.join(&f.path).exists(), "{}", f.path);
        }
        let ds = Dataset::open(&target).unwrap();
        assert!(ds.issues().is_empty(), "{:?}", ds.issues());
        assert_same(&sorted(cases.clone()), &sorted(ds.cases().unwrap()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Tiny row groups, a tiny buffer, two open files and three row groups a file force early
    /// writes and many files per partition; the dataset still reads back exactly.
    #[test]
    fn generated_cases_survive_a_dataset_with_tiny_buffers(cases in research_cases()) {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("ds");
        let options = DatasetOptions {
            row_group_rows: 2,
            max_buffered_bytes: 1,
            max_open_files: 2,
            max_row_groups_per_file: 3,
            ..DatasetOptions::default()
        };
        let mut w = DatasetWriter::create(&target, options).unwrap();
        for chunk in cases.chunks(2) {
            w.write(chunk).unwrap();
        }
        let manifest = w.finish().unwrap();
        prop_assert_eq!(manifest.cases, cases.len() as u64);
        let ds = Dataset::open(&target).unwrap();
        let back = sorted(ds.cases().unwrap());
        let cases = sorted(cases);
        prop_assert_eq!(&cases, &back);
        prop_assert_eq!(format!("{cases:?}"), format!("{back:?}"));
    }
}
