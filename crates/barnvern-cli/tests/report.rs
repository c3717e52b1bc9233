//! `barnvern report DIR` as a user runs it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use barnvern_arrow::{DatasetOptions, DatasetWriter};
use barnvern_case::Case;
use barnvern_research::ResearchCase;
use barnvern_research::testing::TestPseudonymiser;
use chrono::NaiveDate;

fn barnvern() -> Command {
    Command::cargo_bin("barnvern").unwrap()
}

/// A fresh scratch directory under the system's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "barnvern-report-cli-{name}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A dataset of the two example cases.
fn dataset(root: &Path) -> PathBuf {
    let as_of = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
    let ps = TestPseudonymiser::new(7);
    let cases: Vec<ResearchCase> = ["se-case.json", "no-case.json"]
        .iter()
        .map(|name| {
            let path = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
            let case = Case::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
            ResearchCase::from_case(&case, &ps, as_of)
        })
        .collect();
    let target = root.join("extract");
    let mut writer = DatasetWriter::create(&target, DatasetOptions::default()).unwrap();
    writer.write(&cases).unwrap();
    writer.finish().unwrap();
    target
}

#[test]
fn writes_three_files_into_dir_report_and_says_where() {
    let root = scratch("default");
    let data = dataset(&root);
    let out = barnvern().arg("report").arg(&data).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    for name in ["report.md", "report.html", "report.json"] {
        let path = root.join("extract-report").join(name);
        assert!(path.exists(), "{name}");
        assert!(stdout.contains(&path.display().to_string()), "{stdout}");
    }
    // Beside the dataset, never inside it.
    assert!(!data.join("report").exists());
    let md = std::fs::read_to_string(root.join("extract-report/report.md")).unwrap();
    assert!(md.contains("Deadline compliance"));
    // Two cases: every count from 1 to 4 is withheld.
    assert!(md.contains("<5"));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("extract-report/report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["suppression"]["threshold"], 5);
    assert_eq!(json["dataset"]["cases"]["suppressed"], true);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn out_min_cell_and_format() {
    let root = scratch("options");
    let data = dataset(&root);
    let out_dir = root.join("elsewhere");
    let out = barnvern()
        .arg("report")
        .arg(&data)
        .arg("--out")
        .arg(&out_dir)
        .args(["--min-cell", "1", "--format", "json,md"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out_dir.join("report.json").exists());
    assert!(out_dir.join("report.md").exists());
    assert!(!out_dir.join("report.html").exists());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).unwrap())
            .unwrap();
    // --min-cell 1: nothing withheld.
    assert_eq!(json["dataset"]["cases"], 2);
    assert!(
        !std::fs::read_to_string(out_dir.join("report.md"))
            .unwrap()
            .contains("<5")
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn exit_codes() {
    let root = scratch("errors");
    // No dataset there: the manifest cannot be read.
    let out = barnvern()
        .arg("report")
        .arg(root.join("missing"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("manifest.json"));
    // A manifest of another schema version: invalid input.
    let bad = root.join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("manifest.json"), r#"{"schema_version": "0.1"}"#).unwrap();
    let out = barnvern().arg("report").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("schema version"));
    // An unknown format: wrong usage.
    let out = barnvern()
        .arg("report")
        .arg(&bad)
        .args(["--format", "pdf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&root).unwrap();
}

/// `--out` replaces a report folder barnvern wrote, never a folder holding anything else nor a
/// regular file (exit 2, left as it was, nothing hidden left beside it).
#[test]
fn report_out_replaces_only_a_report_folder() {
    let root = scratch("not-ours");
    let data = dataset(&root);
    let report = |out: &Path| {
        barnvern()
            .arg("report")
            .arg(&data)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap()
    };
    let mine = root.join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("report.md"), "my own report").unwrap();
    let out = report(&mine);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a barnvern report"));
    assert_eq!(
        std::fs::read_to_string(mine.join("report.md")).unwrap(),
        "my own report"
    );
    let file = root.join("file");
    std::fs::write(&file, "text").unwrap();
    assert_eq!(report(&file).status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "text");

    // A report folder is replaced by the next report.
    let ours = root.join("ours");
    assert!(report(&ours).status.success());
    assert!(report(&ours).status.success());
    assert!(ours.join("report.html").exists());

    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["extract", "file", "mine", "ours"]);
    std::fs::remove_dir_all(&root).unwrap();
}
