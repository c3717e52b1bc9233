#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `barnvern import ssb-xml`, `barnvern export ssb-xml`, and exit codes.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../barnvern-ssb/tests/data")
        .join(name)
}

fn barnvern() -> Command {
    Command::cargo_bin("barnvern").unwrap()
}

#[test]
fn import_then_export_gives_valid_v4_files() {
    let dir = tempfile::tempdir().unwrap();
    let bundles = dir.path().join("b.jsonl");
    let out = barnvern()
        .args(["import", "ssb-xml"])
        .arg(sample("test01_file09_total.xml"))
        .arg("--out")
        .arg(&bundles)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&bundles).unwrap();
    assert_eq!(text.lines().count(), 1);
    assert!(text.contains("no.ssb.barnevern.melder"));

    let xml_dir = dir.path().join("xml");
    let out = barnvern()
        .args(["export", "ssb-xml"])
        .arg(&bundles)
        .arg("--out")
        .arg(&xml_dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files: Vec<_> = std::fs::read_dir(&xml_dir).unwrap().collect();
    assert_eq!(files.len(), 1);
    let path = files[0].as_ref().unwrap().path();
    assert_eq!(
        path.file_name().unwrap().to_str().unwrap(),
        "7317a453-2d65-465a-9589-519311d66579.xml"
    );
    let lint = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../barnvern-ssb/data/Barnevern_v4.xsd"))
        .arg(&path)
        .output()
        .expect("xmllint (libxml2-utils) is needed; scripts/test installs it");
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stderr)
    );
}

#[test]
fn a_series_of_change_extracts_gives_one_case() {
    let dir = tempfile::tempdir().unwrap();
    let bundles = dir.path().join("b.jsonl");
    let out = barnvern()
        .args(["import", "ssb-xml"])
        .arg(sample("test01_file01_changes.xml"))
        .arg(sample("test01_file02_changes.xml"))
        .arg(sample("test01_file03_changes.xml"))
        .arg("--out")
        .arg(&bundles)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&bundles).unwrap();
    assert_eq!(text.lines().count(), 1);
    assert!(text.contains("concluded_on"));
}

#[test]
fn bad_input_exits_1_with_located_findings_and_no_identity_number() {
    let dir = tempfile::tempdir().unwrap();
    let bundles = dir.path().join("b.jsonl");
    let out = barnvern()
        .args(["import", "ssb-xml"])
        .arg(sample("invalid.xml"))
        .arg(sample("sluttdato_etter_startdato.xml"))
        .arg("--out")
        .arg(&bundles)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid.xml"), "{err}");
    assert!(err.contains("Avgiver"), "{err}");
    assert!(!err.contains("02011088123"), "{err}");

    let bad = dir.path().join("bad.xml");
    std::fs::write(&bad, "<Barnevern Id=\"x\"><Sak>").unwrap();
    let out = barnvern()
        .args(["import", "ssb-xml"])
        .arg(&bad)
        .arg("--out")
        .arg(&bundles)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ssb.xml_malformed"));
}

#[test]
fn missing_files_exit_3_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = barnvern()
        .args(["import", "ssb-xml", "/no/such/file.xml", "--out"])
        .arg(dir.path().join("b.jsonl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let out = barnvern().args(["import", "ssb-xml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = barnvern()
        .args(["export", "ssb-xml", "/no/such.jsonl", "--out"])
        .arg(dir.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
}
