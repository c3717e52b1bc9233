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
    let mut files: Vec<_> = std::fs::read_dir(&xml_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files[0].ends_with(".ssb-export.json"));
    let path = files[1].clone();
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

fn no_case_line() -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/no-case.json"),
    )
    .unwrap();
    serde_json::from_str::<serde_json::Value>(&text)
        .unwrap()
        .to_string()
}

fn se_case_line() -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/se-case.json"),
    )
    .unwrap();
    serde_json::from_str::<serde_json::Value>(&text)
        .unwrap()
        .to_string()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn export_refuses_swedish_cases_and_bad_lines_with_their_line_and_writes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let bundles = dir.path().join("b.jsonl");
    let mut bytes = format!("{}\n", se_case_line()).into_bytes();
    bytes.extend_from_slice(b"\xff\xfe not UTF-8\n");
    bytes.extend_from_slice(format!("{}\n", no_case_line()).as_bytes());
    std::fs::write(&bundles, bytes).unwrap();
    let xml_dir = dir.path().join("xml");
    let out = barnvern()
        .args(["export", "ssb-xml"])
        .arg(&bundles)
        .arg("--out")
        .arg(&xml_dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("b.jsonl:1") && err.contains("ssb.export.not_norwegian"),
        "{err}"
    );
    assert!(
        err.contains("b.jsonl:2") && err.contains("input.utf8"),
        "{err}"
    );
    assert!(!err.contains("b.jsonl:3: jurisdiction"), "{err}");
    // The Norwegian case is written; nothing of the Swedish one.
    let files = names(&xml_dir);
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.contains(&".ssb-export.json".to_owned()));
    let marker: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(xml_dir.join(".ssb-export.json")).unwrap())
            .unwrap();
    assert_eq!(marker["written"], 1);
    assert_eq!(marker["rejected"], 2);
    let xml: String = files
        .iter()
        .filter(|f| f.ends_with(".xml"))
        .map(|f| std::fs::read_to_string(xml_dir.join(f)).unwrap())
        .collect();
    assert!(
        xml.contains("Vedtaksgrunnlag"),
        "the decision grounds are written"
    );
    assert!(!xml.contains("se.scb") && !xml.contains("Kommunenummer=\"0180\""));
    // What a shell's `DIR/*` names is the XML files only: SSB's controls run on them cleanly.
    let visible: Vec<PathBuf> = files
        .iter()
        .filter(|f| !f.starts_with('.'))
        .map(|f| xml_dir.join(f))
        .collect();
    assert_eq!(visible.len(), 1);
    let out = barnvern()
        .args(["validate", "--rules", "ssb"])
        .args(&visible)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // An earlier export of ours is replaced, whole; --allow-rejects exits 0.
    std::fs::write(&bundles, format!("{}\n", se_case_line())).unwrap();
    let out = barnvern()
        .args(["export", "ssb-xml", "--allow-rejects"])
        .arg(&bundles)
        .arg("--out")
        .arg(&xml_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(names(&xml_dir), [".ssb-export.json"]);
    // Nothing is left beside it.
    assert_eq!(names(dir.path()), ["b.jsonl", "xml"]);
}

#[test]
fn export_never_replaces_a_folder_or_file_that_is_not_an_earlier_export() {
    let dir = tempfile::tempdir().unwrap();
    let bundles = dir.path().join("b.jsonl");
    std::fs::write(&bundles, format!("{}\n", no_case_line())).unwrap();
    let theirs = dir.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("notes.txt"), "keep me").unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "keep me too").unwrap();
    for target in [&theirs, &file] {
        let out = barnvern()
            .args(["export", "ssb-xml"])
            .arg(&bundles)
            .arg("--out")
            .arg(target)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        std::fs::read_to_string(theirs.join("notes.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me too");
    // An export folder with a stranger in it is not replaced either.
    let ours = dir.path().join("ours");
    let ok = barnvern()
        .args(["export", "ssb-xml"])
        .arg(&bundles)
        .arg("--out")
        .arg(&ours)
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    std::fs::write(ours.join("extra.csv"), "x").unwrap();
    let out = barnvern()
        .args(["export", "ssb-xml"])
        .arg(&bundles)
        .arg("--out")
        .arg(&ours)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(ours.join("extra.csv").exists());
    assert_eq!(names(dir.path()), ["b.jsonl", "file", "ours", "theirs"]);
}

#[test]
fn validate_warns_of_what_ssb_would_refuse_with_the_control_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&no_case_line()).unwrap();
    v["investigations"][0]
        .as_object_mut()
        .unwrap()
        .remove("decision_grounds");
    v["case_id"] = "NO-0301-2024-0099".into();
    let bundles = dir.path().join("b.jsonl");
    std::fs::write(&bundles, format!("{}\n{}\n", no_case_line(), v)).unwrap();
    let out = barnvern()
        .args(["validate", "--format", "json"])
        .arg(&bundles)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "warnings only");
    let found: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|f: &serde_json::Value| f["code"].as_str().unwrap_or("").contains("Kontroll"))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["code"], "Undersøkelse Kontroll 7");
    assert_eq!(found[0]["severity"], "warning");
    assert_eq!(found[0]["line"], 2);
    assert_eq!(found[0]["path"], "investigations[0]");
}
