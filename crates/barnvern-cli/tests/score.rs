//! `barnvern score` as a user runs it: CSV and Parquet in and out, and bad input reported with
//! file, row or line, column and rule.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{ArrayRef, Float64Array, Int8Array, Int64Array, RecordBatch};
use assert_cmd::Command;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn barnvern() -> Command {
    Command::cargo_bin("barnvern").unwrap()
}

/// A fresh directory for one test, removed when the test ends.
struct Scratch(tempfile::TempDir);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.path()
    }
}

fn scratch(name: &str) -> Scratch {
    Scratch(
        tempfile::Builder::new()
            .prefix(&format!("barnvern-score-{name}-"))
            .tempdir()
            .unwrap(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = barnvern().arg("score").args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

const SAMPLE: &str = "\
pid,somatic,worries,unhappy,clingy,ebddiff,age
p1,2,2,0,,0,9
p2,1,1,0,0,NA,12
p3,,,,,,
";

#[test]
fn csv_in_csv_out_on_stdout() {
    let dir = scratch("csv");
    let input = write(&dir, "sdq.csv", SAMPLE);
    let r = run(&[
        "sdq-p-4-17",
        "--allow-missing-items",
        p(&input),
        "--id-column",
        "pid",
        "--age-column",
        "age",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "pid,emotional,emotional_band,conduct,conduct_band,hyperactivity,hyperactivity_band,\
         peer,peer_band,prosocial,prosocial_band,impact,impact_band,total,total_band,\
         externalising,internalising"
    );
    // 4 points over 3 items: 7, very high; "no difficulties": impact 0.
    assert!(lines[1].starts_with("p1,7,very high,"), "{}", lines[1]);
    assert!(lines[1].contains(",0,close to average,"), "{}", lines[1]);
    // 2 points over 4 items: 2.5 rounds half up to 3.
    assert!(
        lines[2].starts_with("p2,3,close to average,"),
        "{}",
        lines[2]
    );
    assert_eq!(lines[3], format!("p3{}", ",".repeat(16)));
    assert_eq!(lines.len(), 4);
}

#[test]
fn parquet_out_then_read_back() {
    let dir = scratch("parquet-out");
    let input = write(&dir, "sdq.csv", SAMPLE);
    let out = dir.join("scores.parquet");
    let r = run(&[
        "sdq-p-4-17",
        "--allow-missing-items",
        p(&input),
        "--out",
        p(&out),
        "--id-column",
        "pid",
        "--age-column",
        "age",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&out).unwrap()).unwrap();
    let schema = reader.schema().clone();
    assert_eq!(
        schema
            .metadata()
            .get("barnvern.instrument")
            .map(String::as_str),
        Some("sdq-p-4-17")
    );
    let batch = reader.build().unwrap().next().unwrap().unwrap();
    assert_eq!(batch.num_rows(), 3);
    let emotional = batch
        .column_by_name("emotional")
        .unwrap()
        .as_primitive::<Float64Type>();
    assert_eq!(
        emotional.iter().collect::<Vec<_>>(),
        [Some(7.0), Some(3.0), None]
    );
    assert!(!dir.join("scores.parquet.partial").exists());
}

/// Writes Parquet the way pandas and pyarrow do by default: snappy-compressed.
fn write_parquet(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .build();
    let mut writer =
        ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

#[test]
fn parquet_in_with_any_integer_width_and_csv_out_to_a_file() {
    let dir = scratch("parquet-in");
    let input = dir.join("aim.parquet");
    write_parquet(
        &input,
        vec![
            ("id", Arc::new(Int64Array::from(vec![10, 11])) as ArrayRef),
            ("aim1", Arc::new(Int8Array::from(vec![Some(4), Some(5)]))),
            ("aim2", Arc::new(Int64Array::from(vec![Some(4), None]))),
            ("aim3", Arc::new(Int8Array::from(vec![Some(5), Some(5)]))),
            ("aim4", Arc::new(Int8Array::from(vec![Some(4), Some(5)]))),
        ],
    );
    let out = dir.join("aim.csv");
    let r = run(&["aim", p(&input), "--out", p(&out), "--id-column", "id"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,aim\n10,4.25\n11,\n"
    );
}

#[test]
fn a_user_defined_instrument_file() {
    let dir = scratch("user");
    let definition = serde_json::json!({
        "id": "my-scale", "version": "1", "algorithm": "sum", "name": "Mine",
        "response_sets": {"r": [{"value": 0, "weight": 0}, {"value": 1, "weight": 1}]},
        "items": [{"name": "q1", "position": 1, "responses": "r"},
                  {"name": "q2", "position": 2, "responses": "r"}],
        "scales": [{"id": "sum", "label": "sum", "qs_testcd": "MYSUM", "items": ["q1", "q2"],
                    "method": "sum", "min_answered": 2, "rounding": {"mode": "none"}}]
    });
    let instrument = write(&dir, "mine.json", &definition.to_string());
    let input = write(&dir, "data.csv", "q1,q2\n1,1\n0,\n");
    let r = run(&[p(&instrument), p(&input)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A record of one empty field is written as "" so that it is not an empty line.
    assert_eq!(r.stdout, "sum\n2\n\"\"\n");

    let broken = write(&dir, "broken.json", r#"{"id": "x"}"#);
    let r = run(&[p(&broken), p(&input)]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("broken.json"), "{}", r.stderr);
}

#[test]
fn a_non_integer_cell_names_file_line_column_and_rule() {
    let dir = scratch("cell");
    let input = write(&dir, "bad.csv", "pid,obeys,lies\np1,1,0\np2,2.0,1\n");
    let r = run(&[
        "sdq-p-4-17",
        "--allow-missing-items",
        p(&input),
        "--id-column",
        "pid",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty(), "no partial output: {}", r.stdout);
    assert!(
        r.stderr.contains("bad.csv: line 3, column obeys"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("outcomes.wrong_type"), "{}", r.stderr);
}

#[test]
fn an_out_of_range_value_names_file_line_column_and_rule() {
    let dir = scratch("range");
    let input = write(&dir, "bad.csv", "obeys,lies\n1,0\n2,1\n0,3\n");
    let out = dir.join("out.parquet");
    let r = run(&[
        "sdq-p-4-17",
        "--allow-missing-items",
        p(&input),
        "--out",
        p(&out),
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("bad.csv: line 4, column lies"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("outcomes.out_of_range"), "{}", r.stderr);
    assert!(r.stderr.contains("allowed: 0, 1, 2"), "{}", r.stderr);
    assert!(!out.exists(), "an output file appears only on success");
}

#[test]
fn parquet_errors_name_the_row() {
    let dir = scratch("parquet-bad");
    let input = dir.join("bad.parquet");
    write_parquet(
        &input,
        vec![(
            "lies",
            Arc::new(Int8Array::from(vec![Some(1), None, Some(5)])) as ArrayRef,
        )],
    );
    let r = run(&["sdq-p-4-17", "--allow-missing-items", p(&input)]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("bad.parquet: row 3, column lies"),
        "{}",
        r.stderr
    );

    let floats = dir.join("floats.parquet");
    write_parquet(
        &floats,
        vec![("lies", Arc::new(Float64Array::from(vec![1.0])) as ArrayRef)],
    );
    let r = run(&["sdq-p-4-17", "--allow-missing-items", p(&floats)]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("column lies"), "{}", r.stderr);
    assert!(r.stderr.contains("outcomes.column_type"), "{}", r.stderr);
}

#[test]
fn an_unknown_column_is_an_error_naming_it() {
    let dir = scratch("column");
    let input = write(&dir, "data.csv", "pid,obeys,colour\np1,1,red\n");
    let r = run(&[
        "sdq-p-4-17",
        "--allow-missing-items",
        p(&input),
        "--id-column",
        "pid",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("column colour"), "{}", r.stderr);
    assert!(r.stderr.contains("outcomes.unknown_column"), "{}", r.stderr);
    let r = run(&[
        "sdq-p-4-17",
        "--allow-missing-items",
        p(&input),
        "--id-column",
        "person",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("column person"), "{}", r.stderr);
}

#[test]
fn the_informant_must_fit_the_form_and_chooses_the_bands() {
    let dir = scratch("informant");
    let input = write(
        &dir,
        "data.csv",
        "somatic,worries,unhappy,clingy,afraid\n1,1,1,1,1\n",
    );
    let r = run(&[
        "sdq-p-4-17",
        "--allow-missing-items",
        p(&input),
        "--informant",
        "teacher",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("outcomes.informant_mismatch"),
        "{}",
        r.stderr
    );
    // emotional 5 on the teacher form: high (teacher bands 0-3/4/5/6-10).
    let r = run(&[
        "sdq-t-4-17",
        "--allow-missing-items",
        p(&input),
        "--informant",
        "teacher",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.lines().nth(1).unwrap().starts_with("5,high,"));
}

#[test]
fn unreadable_files_exit_3_and_unknown_instruments_exit_2() {
    let dir = scratch("io");
    let r = run(&[
        "sdq-p-4-17",
        "--allow-missing-items",
        p(&dir.join("missing.csv")),
    ]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("missing.csv"), "{}", r.stderr);
    let garbage = write(&dir, "garbage.parquet", "not parquet");
    assert_eq!(
        run(&["sdq-p-4-17", "--allow-missing-items", p(&garbage)]).code,
        3
    );
    let input = write(&dir, "data.csv", "obeys\n1\n");
    let r = run(&["sdq", p(&input)]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("sdq-p-4-17"), "{}", r.stderr);
    assert_eq!(
        run(&[
            "sdq-p-4-17",
            "--allow-missing-items",
            p(&write(&dir, "data.txt", ""))
        ])
        .code,
        2
    );
}

#[test]
fn help_lists_score() {
    let out = barnvern().args(["score", "--help"]).output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in ["--out", "--informant", "--id-column", "--age-column"] {
        assert!(help.contains(flag), "{help}");
    }
}

/// The instrument's items that a file lacks are an error naming them, unless
/// `--allow-missing-items` says the missing-item rules should apply to the whole column.
#[test]
fn a_missing_item_column_is_an_error_unless_allowed() {
    let dir = scratch("missing-items");
    let header = [
        "swemwbs1", "swemwbs2", "swemwbs3", "swemwbs4", "swemwbs5", "swemwbs6",
    ];
    let input = write(
        &dir,
        "swemwbs.csv",
        &format!("{}\n3,3,3,3,3,3\n", header.join(",")),
    );
    let r = run(&["swemwbs", p(&input)]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("outcomes.missing_column"), "{}", r.stderr);
    assert!(r.stderr.contains("swemwbs7"), "{}", r.stderr);
    assert!(r.stderr.contains("--allow-missing-items"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    // Allowed: SWEMWBS scores complete cases only, so the score is missing.
    let r = run(&["swemwbs", p(&input), "--allow-missing-items"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(rows.len(), 2, "{}", r.stdout);
    assert!(rows[1].starts_with(','), "{}", rows[1]);
}

/// A malformed CSV row is an error naming its line; an empty file says it is empty.
#[test]
fn malformed_and_empty_csv_files_are_errors() {
    let dir = scratch("malformed");
    let header = "aim1,aim2,aim3,aim4";
    for (name, text, line) in [
        (
            "unclosed.csv",
            format!("{header}\n4,4,4,4\n\"1,4,4,4\n"),
            "line 3",
        ),
        (
            "unclosed-last.csv",
            format!("{header}\n4,4,4,\"1\n"),
            "line 2",
        ),
        ("short.csv", format!("{header}\n4,4,4,4\n4,4\n"), "line 3"),
    ] {
        let input = write(&dir, name, &text);
        let r = run(&["aim", p(&input)]);
        assert_eq!(r.code, 1, "{name}: {}", r.stdout);
        assert!(r.stderr.contains(line), "{name}: {}", r.stderr);
        assert!(r.stderr.contains(name), "{name}: {}", r.stderr);
    }
    for (name, text) in [("empty.csv", ""), ("blank.csv", "\n\n")] {
        let input = write(&dir, name, text);
        let r = run(&["aim", p(&input)]);
        assert_eq!(r.code, 1, "{name}");
        assert!(r.stderr.contains("is empty"), "{name}: {}", r.stderr);
    }
    // A well-quoted cell is fine.
    let input = write(&dir, "quoted.csv", &format!("{header}\n\"4\",4,4,4\n"));
    let r = run(&["aim", p(&input)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "aim\n4\n");
}
