//! `RUST_LOG` shows the extract's spans on stderr; without it the output is as it always was.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use assert_cmd::Command;

const KEY: &str = "0123456789abcdef0123456789abcdef-tracing";

fn barnvern(dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("barnvern").unwrap();
    cmd.current_dir(dir)
        .env("BARNVERN_KEY", KEY)
        .env_remove("RUST_LOG");
    cmd
}

#[test]
fn rust_log_shows_a_span_per_file_and_stage_and_never_an_identity_number() {
    let dir = tempfile::tempdir().unwrap();
    // An input named like a personnummer (Skatteverket's test number): the name is masked.
    let input = "191212121212.jsonl";
    barnvern(dir.path())
        .args(["synth", "--children", "50", "--out", input])
        .assert()
        .success();

    let quiet = barnvern(dir.path())
        .args(["extract", input, "--out", "quiet"])
        .output()
        .unwrap();
    assert!(quiet.status.success());
    let quiet_err = String::from_utf8(quiet.stderr).unwrap();
    assert!(!quiet_err.contains("DEBUG"), "{quiet_err}");

    let traced = barnvern(dir.path())
        .env("RUST_LOG", "barnvern=debug")
        .args(["extract", input, "--out", "traced"])
        .output()
        .unwrap();
    assert!(traced.status.success());
    let err = String::from_utf8(traced.stderr).unwrap();
    for span in [
        "read{file=",
        "validate{lines=",
        "pseudonymise{cases=",
        "write{",
        "publish{",
    ] {
        assert!(err.contains(span), "no {span} span in:\n{err}");
    }
    assert!(!err.contains("191212121212"), "{err}");
    assert_eq!(
        String::from_utf8(traced.stdout)
            .unwrap()
            .replace("traced", "quiet"),
        String::from_utf8(quiet.stdout).unwrap(),
        "stdout is the same with tracing on"
    );
}
