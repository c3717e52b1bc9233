//! The `barnvern` command as a user runs it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use assert_cmd::Command;

fn barnvern() -> Command {
    Command::cargo_bin("barnvern").unwrap()
}

fn example(name: &str) -> String {
    format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn help_and_version() {
    let out = barnvern().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("deadlines"));
    assert!(help.contains("Exit codes"));
    let out = barnvern().arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("barnvern {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn deadlines_as_a_table() {
    let out = barnvern()
        .args([
            "deadlines",
            &example("se-case.json"),
            "--as-of",
            "2025-09-25",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("referrals[1]") && l.contains("screening"))
        .unwrap();
    assert!(
        line.contains("2025-09-24") && line.contains("overdue"),
        "{line}"
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("investigations[0]"))
        .unwrap();
    assert!(
        line.contains("met_after_extension") && line.contains("2025-04-12"),
        "{line}"
    );
    assert!(
        !text.contains("201801012392"),
        "no identity number on screen"
    );
}

#[test]
fn deadlines_as_json() {
    let out = barnvern()
        .args([
            "deadlines",
            &example("no-case.json"),
            "--as-of",
            "2025-09-20",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let statuses: Vec<&str> = v["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "met",
            "breached",
            "met_after_extension",
            "met",
            "met",
            "met"
        ]
    );
    assert_eq!(v["as_of"], "2025-09-20");
}

#[test]
fn bad_input_names_file_path_and_rule() {
    let dir = std::env::temp_dir().join(format!("barnvern-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("se-case.json")).unwrap()).unwrap();
    v["referrals"][0]["reporter"]["code"] = "martian".into();
    std::fs::write(&file, v.to_string()).unwrap();
    let out = barnvern()
        .args(["deadlines", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("bad.json")
            && err.contains("referrals[0].reporter.code")
            && err.contains("json.unknown_variant"),
        "{err}"
    );

    let out = barnvern()
        .args(["deadlines", dir.join("missing.json").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let out = barnvern()
        .args([
            "deadlines",
            &example("se-case.json"),
            "--as-of",
            "yesterday",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}
