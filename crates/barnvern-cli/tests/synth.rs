#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `barnvern synth`: reproducible output, every valid line validates, faulty lines counted.

use std::collections::HashSet;

use assert_cmd::Command;
use barnvern_case::Case;

fn synth(dir: &std::path::Path, name: &str, extra: &[&str]) -> (std::path::PathBuf, String) {
    let out = dir.join(name);
    let assert = Command::cargo_bin("barnvern")
        .unwrap()
        .args(["synth", "--children", "400", "--seed", "11", "--out"])
        .arg(&out)
        .args(extra)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    (out, stdout)
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("barnvern-synth-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn synth_is_reproducible_and_every_line_validates() {
    let dir = temp_dir("valid");
    let (a, stdout) = synth(&dir, "a.jsonl", &[]);
    let (b, _) = synth(&dir, "b.jsonl", &[]);
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(bytes, std::fs::read(&b).unwrap());
    assert!(stdout.contains("400 case bundles"), "{stdout}");
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().count(), 400);
    for (i, line) in text.lines().enumerate() {
        Case::from_json(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
    }
    assert!(!dir.join("a.jsonl.partial").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn synth_counts_faulty_lines_by_kind() {
    let dir = temp_dir("faults");
    let summary = dir.join("summary.json");
    let (out, _) = synth(
        &dir,
        "f.jsonl",
        &[
            "--faults",
            "0.25",
            "--summary-json",
            summary.to_str().unwrap(),
        ],
    );
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    let valid = s["summary"]["valid"].as_u64().unwrap();
    let faulty: u64 = s["summary"]["faulty"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(valid + faulty, 400);
    assert!(faulty > 50, "{s}");
    let bytes = std::fs::read(&out).unwrap();
    let mut ids = HashSet::new();
    let mut accepted = 0;
    for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        if let Ok(text) = std::str::from_utf8(line)
            && let Ok(case) = Case::from_json(text)
            && ids.insert(case.case_id.clone())
        {
            accepted += 1;
        }
    }
    assert_eq!(accepted, valid);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn synth_refuses_a_fault_rate_out_of_range() {
    Command::cargo_bin("barnvern")
        .unwrap()
        .args([
            "synth",
            "--children",
            "1",
            "--out",
            "/nonexistent/x.jsonl",
            "--faults",
            "2",
        ])
        .assert()
        .code(2);
    Command::cargo_bin("barnvern")
        .unwrap()
        .args([
            "synth",
            "--children",
            "1",
            "--out",
            "/nonexistent/dir/x.jsonl",
        ])
        .assert()
        .code(3);
}
