//! Parquet files of research tables: metadata, schema and rows read back; unknown versions
//! refused with a clear message; rows validated.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs::File;
use std::sync::Arc;

use arrow_array::{ArrayRef, DictionaryArray, Int32Array, RecordBatch, StringArray};
use barnvern_arrow::io::table_file::{read_table, validate_batch, write_table};
use barnvern_arrow::spec::{
    META_PRODUCER, META_SCHEMA_VERSION, META_TABLE, META_TABLE_SPEC, PRODUCER,
};
use barnvern_arrow::{Error, SCHEMA_VERSION, from_batches, tables, to_batches};
use common::*;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::basic::Compression;
use parquet::file::metadata::{KeyValue, PageIndexPolicy};
use parquet::file::properties::WriterProperties;

#[test]
fn every_table_writes_and_reads_back_with_its_schema_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let batches = to_batches(&example_cases()).unwrap();
    let mut back = Vec::new();
    for (spec, batch) in &batches {
        let path = dir.path().join(format!("{}.parquet", spec.name));
        assert_eq!(
            write_table(&path, spec, std::slice::from_ref(batch)).unwrap(),
            batch.num_rows() as u64
        );

        // Schema drift: what a reader sees is the spec's schema, field metadata included.
        let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(
            File::open(&path).unwrap(),
            ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Required),
        )
        .unwrap();
        let schema = builder.schema();
        assert_eq!(
            schema.fields(),
            spec.arrow_schema().fields(),
            "table {}",
            spec.name
        );
        let meta = builder.metadata();
        for rg in meta.row_groups() {
            for col in rg.columns() {
                assert!(matches!(col.compression(), Compression::ZSTD(_)));
            }
        }
        if batch.num_rows() > 0 {
            assert!(
                meta.column_index().is_some(),
                "page statistics in {}",
                spec.name
            );
        }
        let kv = meta.file_metadata().key_value_metadata().unwrap();
        let get = |k: &str| kv.iter().find(|e| e.key == k).and_then(|e| e.value.clone());
        assert_eq!(get(META_SCHEMA_VERSION).as_deref(), Some(SCHEMA_VERSION));
        assert_eq!(get(META_TABLE).as_deref(), Some(spec.name));
        assert_eq!(get(META_PRODUCER).as_deref(), Some(PRODUCER));
        let spec_json: serde_json::Value =
            serde_json::from_str(&get(META_TABLE_SPEC).unwrap()).unwrap();
        assert_eq!(spec_json, spec.to_json());

        let read = read_table(&path).unwrap();
        assert_eq!(read.spec.name, spec.name);
        assert!(
            read.findings.is_empty(),
            "{}: {:?}",
            spec.name,
            read.findings
        );
        for b in read.batches {
            back.push((read.spec, b));
        }
    }
    assert_same(&example_cases(), &from_batches(&back).unwrap());
}

fn write_with_version(path: &std::path::Path, version: Option<&str>) {
    let spec = tables().iter().find(|t| t.name == "cases").unwrap();
    let batches = to_batches(&example_cases()).unwrap();
    let batch = &batches.iter().find(|(s, _)| s.name == "cases").unwrap().1;
    let mut kv = vec![KeyValue::new(META_TABLE.to_owned(), "cases".to_owned())];
    if let Some(v) = version {
        kv.push(KeyValue::new(META_SCHEMA_VERSION.to_owned(), v.to_owned()));
    }
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(kv))
        .build();
    let mut w = ArrowWriter::try_new(
        File::create(path).unwrap(),
        spec.arrow_schema(),
        Some(props),
    )
    .unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
}

#[test]
fn an_unknown_schema_version_is_refused_naming_file_version_and_supported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.parquet");
    write_with_version(&path, Some("9.0"));
    let err = read_table(&path).unwrap_err();
    assert!(matches!(err, Error::SchemaVersion { .. }));
    let msg = err.to_string();
    assert!(msg.contains("future.parquet"), "{msg}");
    assert!(msg.contains("\"9.0\""), "{msg}");
    assert!(msg.contains("1.0"), "{msg}");

    let path = dir.path().join("plain.parquet");
    write_with_version(&path, None);
    let msg = read_table(&path).unwrap_err().to_string();
    assert!(
        msg.contains("plain.parquet") && msg.contains("none recorded"),
        "{msg}"
    );
}

#[test]
fn rows_are_validated_with_row_and_column_in_the_path() {
    let batches = to_batches(&example_cases()).unwrap();
    let (spec, batch) = batches.iter().find(|(s, _)| s.name == "referrals").unwrap();
    assert!(validate_batch(spec, batch, 0, None).is_empty());

    // A reporter code that is not barnvern's, a municipality that does not exist, an SSB
    // reason code that SSB's list lacks.
    let replace = |batch: &RecordBatch, column: &str, values: Vec<Option<&str>>| -> RecordBatch {
        let n = batch.num_rows();
        let keys = Int32Array::from((0..n as i32).map(Some).collect::<Vec<_>>());
        let dict: ArrayRef =
            Arc::new(DictionaryArray::try_new(keys, Arc::new(StringArray::from(values))).unwrap());
        let i = batch.schema().index_of(column).unwrap();
        let mut cols = batch.columns().to_vec();
        cols[i] = dict;
        let schema = Arc::new(arrow_schema::Schema::new(
            batch
                .schema()
                .fields()
                .iter()
                .map(|f| f.as_ref().clone().with_nullable(true))
                .collect::<Vec<_>>(),
        ));
        RecordBatch::try_new(schema, cols).unwrap()
    };
    let bad = replace(
        batch,
        "reporter",
        vec![Some("school"), Some("teacher"), None, Some("police")],
    );
    let findings = validate_batch(spec, &bad, 10, None);
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert_eq!(findings[0].path, "referrals[12].reporter");
    assert_eq!(findings[0].code, "research.null");
    assert_eq!(findings[1].path, "referrals[11].reporter");
    assert_eq!(findings[1].code, "codelist.unknown_code");

    let (spec, batch) = batches.iter().find(|(s, _)| s.name == "cases").unwrap();
    let bad = replace(batch, "municipality", vec![Some("0180"), Some("0180")]);
    let findings = validate_batch(spec, &bad, 0, None);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].path, "cases[1].municipality");

    let (spec, batch) = batches
        .iter()
        .find(|(s, _)| s.name == "referral_reasons")
        .unwrap();
    let bad = replace(batch, "code", vec![Some("7"), Some("999"), Some("28")]);
    let findings = validate_batch(spec, &bad, 0, None);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].path, "referral_reasons[1].code");
    assert!(
        findings[0].message.contains("no.ssb.barnevern.saksinnhold"),
        "{}",
        findings[0].message
    );
}

#[test]
fn a_deadlines_file_of_version_1_1_is_read_with_the_columns_1_2_added() {
    // A 1.1 file: the deadlines table without start_basis and completed_same_day.
    let batches = to_batches(&example_cases()).unwrap();
    let (spec, batch) = batches.iter().find(|(s, _)| s.name == "deadlines").unwrap();
    assert!(batch.num_rows() > 0);
    let keep: Vec<usize> = (0..batch.num_columns())
        .filter(|&i| {
            let name = batch.schema().field(i).name().clone();
            name != "start_basis" && name != "completed_same_day"
        })
        .collect();
    let old = batch.project(&keep).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deadlines-1.1.parquet");
    let kv = vec![
        KeyValue::new(META_TABLE.to_owned(), "deadlines".to_owned()),
        KeyValue::new(META_SCHEMA_VERSION.to_owned(), "1.1".to_owned()),
    ];
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(kv))
        .build();
    let mut w =
        ArrowWriter::try_new(File::create(&path).unwrap(), old.schema(), Some(props)).unwrap();
    w.write(&old).unwrap();
    w.close().unwrap();

    let read = read_table(&path).unwrap();
    assert_eq!(read.schema_version, "1.1");
    assert!(read.findings.is_empty(), "{:?}", read.findings);
    let got = &read.batches[0];
    assert_eq!(got.schema().fields(), spec.arrow_schema().fields());
    // Up to 1.1 every investigation counted from its recorded start, and the same-day flag
    // follows from the dates.
    let mut all: Vec<_> = batches
        .iter()
        .filter(|(s, _)| s.name != "deadlines")
        .cloned()
        .collect();
    all.push((read.spec, got.clone()));
    let back = from_batches(&all).unwrap();
    let deadlines: Vec<_> = back.iter().flat_map(|c| c.deadlines.iter()).collect();
    assert!(!deadlines.is_empty());
    for d in deadlines {
        use barnvern_case::deadlines::{DeadlineKind as K, StartBasis as B};
        let expected = match d.kind {
            K::ProtectionAssessment | K::Screening => B::Receipt,
            K::Investigation => B::InvestigationStart,
            K::MeasureEvaluation => B::MeasureStart,
        };
        assert_eq!(d.start_basis, expected);
    }
    let same_day = got.column_by_name("completed_same_day").unwrap();
    assert_eq!(
        same_day,
        batch.column_by_name("completed_same_day").unwrap()
    );
}

#[test]
fn an_enrolments_file_of_version_1_1_reads_the_trial_site_columns_as_null() {
    let batches = to_batches(&example_cases()).unwrap();
    let (spec, batch) = batches
        .iter()
        .find(|(s, _)| s.name == "fp_enrolments")
        .unwrap();
    assert!(batch.num_rows() > 0);
    let added: Vec<&str> = barnvern_arrow::spec::COLUMNS_ADDED
        .iter()
        .filter(|(_, t, _)| *t == "fp_enrolments")
        .map(|(_, _, c)| *c)
        .collect();
    assert!(added.contains(&"site"));
    let keep: Vec<usize> = (0..batch.num_columns())
        .filter(|&i| !added.contains(&batch.schema().field(i).name().as_str()))
        .collect();
    let old = batch.project(&keep).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fp_enrolments-1.1.parquet");
    let kv = vec![
        KeyValue::new(META_TABLE.to_owned(), "fp_enrolments".to_owned()),
        KeyValue::new(META_SCHEMA_VERSION.to_owned(), "1.1".to_owned()),
    ];
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(kv))
        .build();
    let mut w =
        ArrowWriter::try_new(File::create(&path).unwrap(), old.schema(), Some(props)).unwrap();
    w.write(&old).unwrap();
    w.close().unwrap();

    let read = read_table(&path).unwrap();
    let got = &read.batches[0];
    assert_eq!(got.schema().fields(), spec.arrow_schema().fields());
    for name in &added {
        let column = got.column_by_name(name).unwrap();
        assert_eq!(column.null_count(), column.len(), "{name}");
    }
    // A column not listed as added is still required: the file is refused without it.
    let without_kind: Vec<usize> = (0..old.num_columns())
        .filter(|&i| old.schema().field(i).name() != "arm")
        .collect();
    let older = old.project(&without_kind).unwrap();
    let path = dir.path().join("no-arm.parquet");
    let kv = vec![
        KeyValue::new(META_TABLE.to_owned(), "fp_enrolments".to_owned()),
        KeyValue::new(META_SCHEMA_VERSION.to_owned(), "1.1".to_owned()),
    ];
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(kv))
        .build();
    let mut w =
        ArrowWriter::try_new(File::create(&path).unwrap(), older.schema(), Some(props)).unwrap();
    w.write(&older).unwrap();
    w.close().unwrap();
    let err = read_table(&path).unwrap_err().to_string();
    assert!(err.contains("arm"), "{err}");
}
