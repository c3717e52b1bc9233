#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `barnvern demo`: the main job end to end with no setup.

use std::fs;

use assert_cmd::Command;
use serde_json::Value;

fn barnvern() -> Command {
    let mut cmd = Command::cargo_bin("barnvern").unwrap();
    cmd.env_remove("BARNVERN_KEY");
    cmd
}

#[test]
fn the_demo_runs_end_to_end_and_checks_itself() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let a = barnvern()
        .args(["demo", "--children", "400", "--faults", "0.02", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(stdout.contains("one-off"), "{stdout}");

    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(out.join("dataset/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["demo_key"], true);
    assert_eq!(manifest["read"], 400);
    let rejected = manifest["rejected"].as_u64().unwrap();
    assert!(rejected > 0, "the demo shows the quarantine at work");
    assert_eq!(manifest["cases"].as_u64().unwrap() + rejected, 400);
    let quarantined = fs::read_to_string(out.join("dataset/quarantine.jsonl")).unwrap();
    assert_eq!(quarantined.lines().count() as u64, rejected);

    for name in ["report.md", "report.html", "report.json"] {
        let text = fs::read_to_string(out.join("report").join(name)).unwrap();
        assert!(!text.is_empty(), "{name}");
    }
    let report: Value =
        serde_json::from_str(&fs::read_to_string(out.join("report/report.json")).unwrap()).unwrap();
    assert_eq!(report["dataset"]["demo_key"], true);

    // The same seed gives the same cohort; a rerun replaces the earlier demo.
    let first = fs::read(out.join("cohort.jsonl")).unwrap();
    barnvern()
        .args(["demo", "--children", "400", "--faults", "0.02", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(fs::read(out.join("cohort.jsonl")).unwrap(), first);
}

#[test]
fn the_demo_does_not_replace_a_directory_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("precious.txt"), "keep me").unwrap();
    barnvern()
        .args(["demo", "--children", "10", "--out"])
        .arg(dir.path())
        .assert()
        .code(2);
    assert_eq!(
        fs::read_to_string(dir.path().join("precious.txt")).unwrap(),
        "keep me"
    );
}
