//! Datasets: hive-partitioned layout, manifest, atomic appearance, bounded buffering, and a
//! lossless read back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use barnvern_arrow::io::dataset::MANIFEST;
use barnvern_arrow::{
    Dataset, DatasetOptions, DatasetWriter, Error, PartitionedRows, SCHEMA_VERSION, tables,
};
use barnvern_research::{Pseudonym, ResearchCase};
use common::*;
use proptest::prelude::*;

fn sorted(mut cases: Vec<barnvern_research::ResearchCase>) -> Vec<barnvern_research::ResearchCase> {
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
    let findings = ds.validate().unwrap();
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(ds.manifest(), &manifest);
    assert_eq!(ds.manifest().key_fingerprint.as_deref(), Some("fp"));
    assert_eq!(ds.manifest().rejected, 3);
    for (spec, batch) in &ds.read_all().unwrap().batches {
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
    let findings = ds.validate().unwrap();
    assert!(findings.is_empty(), "{findings:?}");
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
/// `write` (row by row), through `write_batch` and through `write_rows`.
#[test]
fn memory_limits_split_partitions_into_files_that_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let cases = example_cases();
    let options = DatasetOptions {
        row_group_rows: 3,
        max_buffered_bytes: 1,
        max_open_files: 1,
        max_open_row_groups: 2,
        writer_threads: 1,
        ..DatasetOptions::default()
    };
    for how in ["write", "write_batch", "write_rows"] {
        let target = dir.path().join(format!("extract-{how}"));
        let mut w = DatasetWriter::create(&target, options.clone()).unwrap();
        match how {
            "write_batch" => {
                for (spec, batch) in barnvern_arrow::to_batches(&cases).unwrap() {
                    for row in 0..batch.num_rows() {
                        w.write_batch(spec.name, &batch.slice(row, 1)).unwrap();
                    }
                }
            }
            "write_rows" => {
                for case in &cases {
                    let rows = PartitionedRows::from_cases(std::slice::from_ref(case)).unwrap();
                    w.write_rows(rows).unwrap();
                }
            }
            _ => {
                for case in &cases {
                    w.write(std::slice::from_ref(case)).unwrap();
                }
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
        let findings = ds.validate().unwrap();
        assert!(findings.is_empty(), "{findings:?}");
        assert_same(&sorted(cases.clone()), &sorted(ds.cases().unwrap()));
    }
}

/// `n` copies of the example cases, each with a case key of its own.
fn many_cases(n: u8) -> Vec<ResearchCase> {
    let mut out = Vec::new();
    for i in 0..n {
        for (j, case) in example_cases().into_iter().enumerate() {
            let mut case = case;
            let mut digest = [0u8; 32];
            digest[0] = i;
            digest[1] = j as u8;
            case.case_key = Pseudonym::from_digest(digest);
            out.push(case);
        }
    }
    out
}

/// Rows handed over a few at a time (one small batch per partition per call, as the extract
/// does) are merged in the buffers and still make whole row groups of exactly
/// `row_group_rows` rows, in the order given; and the dataset reads back as the cases.
#[test]
fn small_partitioned_batches_make_whole_row_groups_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("extract");
    let cases = many_cases(120);
    let options = DatasetOptions {
        row_group_rows: 50,
        ..DatasetOptions::default()
    };
    let mut w = DatasetWriter::create(&target, options).unwrap();
    for pair in cases.chunks(2) {
        w.write_rows(PartitionedRows::from_cases(pair).unwrap())
            .unwrap();
    }
    let manifest = w.finish().unwrap();
    assert_eq!(manifest.cases, cases.len() as u64);

    let items = &manifest.tables["item_responses"];
    assert!(items.rows > 200, "{}", items.rows);
    let mut checked = 0;
    for f in &items.files {
        let file = std::fs::File::open(target.join(&f.path)).unwrap();
        let reader = parquet::file::reader::SerializedFileReader::new(file).unwrap();
        use parquet::file::reader::FileReader;
        let groups: Vec<i64> = reader
            .metadata()
            .row_groups()
            .iter()
            .map(|g| g.num_rows())
            .collect();
        let (last, whole) = groups.split_last().unwrap();
        assert!(whole.iter().all(|n| *n == 50), "{}: {groups:?}", f.path);
        assert!(*last <= 50, "{}: {groups:?}", f.path);
        checked += whole.len();
    }
    assert!(checked > 2, "no file had several row groups");

    let ds = Dataset::open(&target).unwrap();
    let findings = ds.validate().unwrap();
    assert!(findings.is_empty(), "{findings:?}");
    // In the order written: the cases table of each partition lists the cases as given.
    let back = ds.cases().unwrap();
    let order = |v: &[ResearchCase]| -> Vec<String> {
        v.iter()
            .filter(|c| {
                c.jurisdiction == cases[0].jurisdiction && c.opened_on == cases[0].opened_on
            })
            .map(|c| c.case_key.as_str().to_owned())
            .collect()
    };
    assert_eq!(order(&back), order(&cases));
    assert_same(&sorted(cases.clone()), &sorted(back));
}

/// When the buffer is full the largest partition is written first, and among equals the
/// same one every time: the files are the same bytes run after run (each run's hash maps are
/// seeded differently).
#[test]
fn early_writes_do_not_depend_on_hash_order() {
    let cases = many_cases(30);
    let options = DatasetOptions {
        max_buffered_bytes: 200 << 10,
        ..DatasetOptions::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let mut first: Option<Vec<(String, Vec<u8>)>> = None;
    for run in 0..6 {
        let target = dir.path().join(format!("run-{run}"));
        let mut w = DatasetWriter::create(&target, options.clone()).unwrap();
        for pair in cases.chunks(2) {
            w.write_rows(PartitionedRows::from_cases(pair).unwrap())
                .unwrap();
        }
        let manifest = w.finish().unwrap();
        let files: Vec<(String, Vec<u8>)> = manifest
            .tables
            .values()
            .flat_map(|t| &t.files)
            .map(|f| (f.path.clone(), std::fs::read(target.join(&f.path)).unwrap()))
            .collect();
        match &first {
            None => first = Some(files),
            Some(first) => assert!(first == &files, "run {run} wrote other files"),
        }
    }
}

/// A case left out of partitioned rows (a duplicate found later) leaves no row in any table,
/// and the other cases keep all of theirs.
#[test]
fn rows_without_a_case_hold_none_of_its_rows() {
    let cases = many_cases(3);
    let drop = 2;
    let rows = PartitionedRows::from_cases(&cases).unwrap();
    let all = rows.rows();
    let fewer = rows.without_cases(&[drop, drop, 999]).unwrap();
    assert_eq!(fewer.cases(), cases.len() - 1);
    let kept: Vec<ResearchCase> = cases
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != drop)
        .map(|(_, c)| c.clone())
        .collect();
    let alone = PartitionedRows::from_cases(&cases[drop..=drop]).unwrap();
    assert_eq!(fewer.rows(), all - alone.rows());

    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("extract");
    let mut w = DatasetWriter::create(&target, DatasetOptions::default()).unwrap();
    w.write_rows(fewer).unwrap();
    w.finish().unwrap();
    let back = Dataset::open(&target).unwrap().cases().unwrap();
    assert_same(&sorted(kept), &sorted(back));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Tiny row groups, a tiny buffer, two open files and three open row groups (shared out
    /// over three writer threads) force early writes and many files per partition; the
    /// dataset still reads back exactly.
    #[test]
    fn generated_cases_survive_a_dataset_with_tiny_buffers(cases in research_cases()) {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("ds");
        let options = DatasetOptions {
            row_group_rows: 2,
            max_buffered_bytes: 1,
            max_open_files: 2,
            max_open_row_groups: 3,
            writer_threads: 3,
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

/// The last guard: whatever a research record holds, no string column but a pseudonym takes a
/// value shaped like an identity number; the write fails, naming the column, not the value.
#[test]
fn no_string_column_takes_an_identity_number() {
    // A public test personnummer (shared/testdata).
    for form in ["189001019802", "900101-9802", "x 900101+9802"] {
        let dir = tempfile::tempdir().unwrap();
        let mut cases = example_cases();
        cases[0].deadlines[0].citation = form.to_owned();
        let mut w = DatasetWriter::create(dir.path().join("d"), DatasetOptions::default()).unwrap();
        let err = w.write(&cases).unwrap_err().to_string();
        assert!(err.contains("citation"), "{err}");
        assert!(err.contains("identity number"), "{err}");
        assert!(!err.contains("9802"), "{err}");
    }
}

/// A dataset of the example cases at `dir/extract`, with its manifest.
fn example_dataset(dir: &std::path::Path) -> (std::path::PathBuf, barnvern_arrow::Manifest) {
    let target = dir.join("extract");
    let mut w = DatasetWriter::create(&target, DatasetOptions::default()).unwrap();
    w.write(&example_cases()).unwrap();
    let manifest = w.finish().unwrap();
    (target, manifest)
}

/// Overwrites a Parquet file with bytes no reader takes: reading it fails, so a read that
/// succeeds did not open it.
fn spoil(path: &std::path::Path) {
    std::fs::write(path, b"not parquet").unwrap();
}

/// Opening reads the manifest only: with every Parquet file spoilt it still opens, and the
/// first table read fails, naming the file.
#[test]
fn opening_a_dataset_opens_no_parquet_file() {
    let dir = tempfile::tempdir().unwrap();
    let (target, manifest) = example_dataset(dir.path());
    for t in manifest.tables.values() {
        for f in &t.files {
            spoil(&target.join(&f.path));
        }
    }
    let ds = Dataset::open(&target).unwrap();
    assert_eq!(ds.manifest(), &manifest);
    assert_eq!(ds.table("referrals").unwrap().rows(), 4);
    let err = ds.table("referrals").unwrap().read().unwrap_err();
    assert!(err.to_string().contains("referrals/jurisdiction="), "{err}");
}

/// Opening still checks that every file the manifest lists is there, inside the dataset.
#[test]
fn opening_refuses_a_missing_file_or_one_outside_the_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let (target, manifest) = example_dataset(dir.path());
    let file = &manifest.tables["cases"].files[0].path;
    let moved = dir.path().join("moved.parquet");
    std::fs::rename(target.join(file), &moved).unwrap();
    let err = Dataset::open(&target).unwrap_err();
    assert!(
        matches!(&err, Error::Io { path, .. } if path.ends_with(file)),
        "{err}"
    );
    std::fs::rename(&moved, target.join(file)).unwrap();

    let path = target.join(MANIFEST);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace(file.as_str(), "../moved.parquet")).unwrap();
    let err = Dataset::open(&target).unwrap_err();
    assert!(matches!(err, Error::Manifest { .. }), "{err}");
    assert!(err.to_string().contains("outside the dataset"), "{err}");
}

/// A column selection hands out only those columns, in the order asked, with the values of
/// the whole table; the partition column comes from the directory names.
#[test]
fn a_column_selection_reads_only_those_columns() {
    let dir = tempfile::tempdir().unwrap();
    let (target, _) = example_dataset(dir.path());
    let ds = Dataset::open(&target).unwrap();
    let whole = ds.table("referrals").unwrap().read().unwrap();
    let some = ds
        .table("referrals")
        .unwrap()
        .columns(["received_on", "jurisdiction", "case_key"])
        .read()
        .unwrap();
    assert!(some.findings.is_empty(), "{:?}", some.findings);
    let names: Vec<&str> = some
        .schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    assert_eq!(names, ["received_on", "jurisdiction", "case_key"]);
    assert_eq!(some.rows(), whole.rows());
    for name in names {
        let a: Vec<_> = whole
            .batches
            .iter()
            .map(|b| b.column_by_name(name).unwrap().clone())
            .collect();
        let b: Vec<_> = some
            .batches
            .iter()
            .map(|b| b.column(some.schema.index_of(name).unwrap()).clone())
            .collect();
        assert_eq!(a, b, "{name}");
        assert_eq!(
            some.schema.field_with_name(name).unwrap(),
            whole.schema.field_with_name(name).unwrap()
        );
    }
    assert!(some.memory_size() < whole.memory_size());
    for b in &some.batches {
        assert_eq!(b.schema(), some.schema);
    }
}

/// Unknown, repeated or no columns are refused before any file is opened, with a stable code.
#[test]
fn a_bad_column_selection_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let (target, _) = example_dataset(dir.path());
    let ds = Dataset::open(&target).unwrap();
    let code = |columns: &[&str]| match ds.table("referrals").unwrap().columns(columns).read() {
        Err(Error::Data(findings)) => (findings[0].code.clone(), findings[0].path.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        code(&["case_key", "recieved_on"]),
        (
            "research.unknown_column".to_owned(),
            "columns[1]".to_owned()
        )
    );
    assert_eq!(
        code(&["case_key", "case_key"]).0,
        "research.duplicate_column"
    );
    assert_eq!(code(&[]).0, "research.no_columns");
    match ds.table("referals") {
        Err(Error::Data(findings)) => assert_eq!(findings[0].code, "research.unknown_table"),
        other => panic!("{other:?}"),
    }
}

/// A partition selection opens only the files of those partitions: the others are spoilt and
/// the read still succeeds, with only the rows of the partitions selected.
#[test]
fn a_partition_selection_opens_only_matching_files() {
    let dir = tempfile::tempdir().unwrap();
    let (target, manifest) = example_dataset(dir.path());
    for f in &manifest.tables["referrals"].files {
        if !(f.jurisdiction == barnvern_core::Jurisdiction::Se && f.year == 2025) {
            spoil(&target.join(&f.path));
        }
    }
    let ds = Dataset::open(&target).unwrap();
    let selected = ds
        .table("referrals")
        .unwrap()
        .jurisdictions([barnvern_core::Jurisdiction::Se])
        .years([2025, 1990]);
    assert_eq!(selected.files().len(), 1);
    let data = selected.read().unwrap();
    assert_eq!(
        data.rows() as u64,
        manifest.tables["referrals"]
            .files
            .iter()
            .find(|f| f.path.contains("jurisdiction=SE/year=2025"))
            .unwrap()
            .rows
    );
    assert!(data.rows() > 0);
    assert!(data.findings.is_empty(), "{:?}", data.findings);
    // Every other partition is spoilt: a whole read fails.
    assert!(ds.table("referrals").unwrap().read().is_err());
    // A year with no partition selects nothing.
    let none = ds.table("referrals").unwrap().years([1990]).read().unwrap();
    assert_eq!(none.rows(), 0);
}

/// Batches stream one at a time at the size asked, and a projected read still checks each
/// file's rows against the manifest (from the Parquet footer).
#[test]
fn batches_stream_and_rows_are_checked_against_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let (target, _) = example_dataset(dir.path());
    let ds = Dataset::open(&target).unwrap();
    let rows: Vec<usize> = ds
        .table("item_responses")
        .unwrap()
        .batch_rows(10)
        .columns(["case_key"])
        .batches()
        .unwrap()
        .map(|b| b.unwrap().num_rows())
        .collect();
    assert!(rows.len() >= 8 && rows.iter().all(|n| *n <= 10), "{rows:?}");
    assert_eq!(rows.iter().sum::<usize>(), 77);

    let path = target.join(MANIFEST);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut manifest: barnvern_arrow::Manifest = serde_json::from_str(&text).unwrap();
    manifest.tables.get_mut("item_responses").unwrap().files[0].rows += 1;
    std::fs::write(&path, serde_json::to_string(&manifest).unwrap()).unwrap();
    let ds = Dataset::open(&target).unwrap();
    let err = ds
        .table("item_responses")
        .unwrap()
        .columns(["case_key"])
        .read()
        .unwrap_err();
    assert!(matches!(err, Error::Manifest { .. }), "{err}");
    assert!(err.to_string().contains("the manifest lists"), "{err}");
}
