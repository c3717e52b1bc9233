#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `barnvern store`: init, import (quarantine, no-op, conflict), append (ok, refused, conflict
//! exit 4, idempotent), export equal to the input, worklist, log, verify (and a tampered file).

use std::path::Path;

use assert_cmd::Command;

const KEY: &str = "a test store key of at least 32 bytes.";

fn barnvern(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("barnvern").unwrap();
    c.current_dir(dir).env("BARNVERN_STORE_KEY", KEY);
    c
}

/// A fresh directory for one test, removed when the test ends.
struct Scratch(tempfile::TempDir);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.path()
    }
}

fn temp_dir(name: &str) -> Scratch {
    Scratch(
        tempfile::Builder::new()
            .prefix(&format!("barnvern-store-cli-{name}-"))
            .tempdir()
            .unwrap(),
    )
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stdout.clone()).unwrap()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stderr.clone()).unwrap()
}

/// A store with 200 synthetic children imported (and 1 line in 50 faulty).
fn imported(dir: &Path) -> String {
    barnvern(dir)
        .args([
            "synth",
            "--children",
            "200",
            "--seed",
            "5",
            "--faults",
            "0.02",
        ])
        .args(["--out", "cases.jsonl"])
        .assert()
        .success();
    barnvern(dir)
        .args(["store", "init", "sqlite:cases.db"])
        .assert()
        .success();
    let a = barnvern(dir)
        .args(["store", "import", "cases.jsonl", "--db", "sqlite:cases.db"])
        .args(["--quarantine", "q.jsonl"])
        .assert()
        .failure();
    // Faulty lines exit 1; a repeated case id with another bundle (a synth fault) is a
    // conflict, exit 4.
    let code = a.get_output().status.code();
    let out = stdout(&a);
    assert_eq!(
        code,
        Some(if out.contains("(0 conflicts)") { 1 } else { 4 }),
        "{out}"
    );
    out
}

#[test]
fn import_export_verify_round_trip() {
    let dir = temp_dir("round");
    let out = imported(&dir);
    let rejected = std::fs::read_to_string(dir.join("q.jsonl")).unwrap();
    let q: Vec<serde_json::Value> = rejected
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!q.is_empty());
    assert!(
        out.contains(&format!(
            "read 200 lines: imported {}, unchanged 0, rejected {}",
            200 - q.len(),
            q.len()
        )),
        "{out}"
    );
    // The same file again: every valid bundle unchanged, nothing written.
    let a = barnvern(&dir)
        .args(["store", "import", "cases.jsonl", "--db", "sqlite:cases.db"])
        .args(["--quarantine", "q2.jsonl"])
        .assert()
        .failure();
    assert!(
        stdout(&a).contains("imported 0, unchanged"),
        "{}",
        stdout(&a)
    );
    // Export gives back exactly the valid lines, in order.
    barnvern(&dir)
        .args([
            "store",
            "export",
            "--db",
            "sqlite:cases.db",
            "--out",
            "out.jsonl",
        ])
        .assert()
        .success();
    let bad: Vec<u64> = q.iter().map(|r| r["line"].as_u64().unwrap()).collect();
    // Faulty lines may be invalid UTF-8: split bytes.
    let input = std::fs::read(dir.join("cases.jsonl")).unwrap();
    let valid: Vec<String> = input
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(i, l)| !l.is_empty() && !bad.contains(&(*i as u64 + 1)))
        .map(|(_, l)| String::from_utf8(l.to_vec()).unwrap())
        .collect();
    let exported = std::fs::read_to_string(dir.join("out.jsonl")).unwrap();
    assert_eq!(exported.lines().collect::<Vec<_>>(), valid);
    assert_eq!(valid.len() + q.len(), 200);
    // An existing output is not replaced without --overwrite.
    barnvern(&dir)
        .args([
            "store",
            "export",
            "--db",
            "sqlite:cases.db",
            "--out",
            "out.jsonl",
        ])
        .assert()
        .code(2);
    let a = barnvern(&dir)
        .args(["store", "verify", "--db", "sqlite:cases.db"])
        .assert()
        .success();
    assert!(stdout(&a).contains("every chain holds"));
    // A changed bundle under an existing id is a conflict: exit 4.
    let mut first: serde_json::Value = serde_json::from_str(&valid[0]).unwrap();
    first["opened_on"] = serde_json::Value::String("2019-01-01".into());
    std::fs::write(dir.join("changed.jsonl"), format!("{first}\n")).unwrap();
    barnvern(&dir)
        .args([
            "store",
            "import",
            "changed.jsonl",
            "--db",
            "sqlite:cases.db",
        ])
        .assert()
        .code(4);
}

#[test]
fn append_conflict_refusal_and_tampering() {
    let dir = temp_dir("append");
    imported(&dir);
    let exported = {
        barnvern(&dir)
            .args([
                "store",
                "export",
                "--db",
                "sqlite:cases.db",
                "--out",
                "all.jsonl",
            ])
            .assert()
            .success();
        std::fs::read_to_string(dir.join("all.jsonl")).unwrap()
    };
    // An open case.
    let case: serde_json::Value = exported
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|c| c.get("closures").is_none())
        .unwrap();
    let id = case["case_id"].as_str().unwrap().to_owned();
    let prov = r#"{"recorded_at": "2026-07-02T10:00:00Z", "recorded_by": {"role": "caseworker", "staff": "s-1"}, "source_system": "cli-test"}"#;
    std::fs::write(
        dir.join("close.json"),
        format!(r#"[{{"type": "case_closed", "closed_on": "2026-07-02", "reason": {{"code": "no_further_need"}}, "provenance": {prov}}}]"#),
    )
    .unwrap();
    std::fs::write(
        dir.join("reopen-open.json"),
        format!(
            r#"{{"type": "case_reopened", "reopened_on": "2026-07-01", "provenance": {prov}}}"#
        ),
    )
    .unwrap();
    let append = |events: &str, version: &str, extra: &[&str]| {
        barnvern(&dir)
            .args(["store", "append", "--db", "sqlite:cases.db", "--case", &id])
            .args(["--expected-version", version, events])
            .args(extra)
            .assert()
    };
    // Refused by the workflow: exit 1 with the rule, nothing written.
    let a = append("reopen-open.json", "1", &[]).code(1);
    assert!(
        stderr(&a).contains("workflow.case_not_closed"),
        "{}",
        stderr(&a)
    );
    // Accepted.
    let a = append("close.json", "1", &["--idempotency-key", "req-7"]).success();
    assert!(stdout(&a).contains("versions 2 to 2"), "{}", stdout(&a));
    // The same request again under its key: nothing written, exit 0.
    let a = append("close.json", "1", &["--idempotency-key", "req-7"]).success();
    assert!(stdout(&a).contains("nothing written"), "{}", stdout(&a));
    // A stale version: exit 4 naming the current version.
    let a = append("close.json", "1", &[]).code(4);
    assert!(stderr(&a).contains("version 2"), "{}", stderr(&a));
    // An unknown case: exit 1, not found.
    barnvern(&dir)
        .args([
            "store",
            "append",
            "--db",
            "sqlite:cases.db",
            "--case",
            "nope",
        ])
        .args(["--expected-version", "1", "close.json"])
        .assert()
        .code(1);
    // The log, as an auditor, names every refusal.
    std::fs::write(
        dir.join("auditor.json"),
        r#"{"staff_id": "a-1", "role": "auditor", "purpose": "annual audit"}"#,
    )
    .unwrap();
    let a = barnvern(&dir)
        .args(["store", "log", "--db", "sqlite:cases.db", "--case", &id])
        .args(["--actor-file", "auditor.json", "--format", "json"])
        .assert()
        .success();
    let log: Vec<serde_json::Value> = serde_json::from_str(&stdout(&a)).unwrap();
    let details: Vec<&str> = log.iter().map(|e| e["detail"].as_str().unwrap()).collect();
    assert!(details.contains(&"store.refused"), "{details:?}");
    assert!(details.contains(&"store.conflict"), "{details:?}");
    // The auditor may not read the worklist.
    barnvern(&dir)
        .args([
            "store",
            "worklist",
            "--db",
            "sqlite:cases.db",
            "--as-of",
            "2026-06-30",
        ])
        .args(["--actor-file", "auditor.json"])
        .assert()
        .code(2);
    let a = barnvern(&dir)
        .args([
            "store",
            "worklist",
            "--db",
            "sqlite:cases.db",
            "--as-of",
            "2026-06-30",
        ])
        .args(["--within", "30", "--format", "json"])
        .assert()
        .success();
    let items: Vec<serde_json::Value> = serde_json::from_str(&stdout(&a)).unwrap();
    assert!(!items.is_empty());
    // Tampering behind the store's back: verify exits 1 naming the case and version.
    let db = rusqlite_edit(&dir.join("cases.db"), &id);
    assert!(db);
    let a = barnvern(&dir)
        .args(["store", "verify", "--db", "sqlite:cases.db"])
        .assert()
        .code(1);
    assert!(
        stdout(&a).contains(&format!("case {id} version 2")),
        "{}",
        stdout(&a)
    );
}

/// Changes the closing date inside the stored event (version 2) of `id`, with the sqlite3
/// library the store links.
fn rusqlite_edit(db: &Path, id: &str) -> bool {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute(
        "UPDATE events SET body = replace(body, '2026-07-02', '2026-07-03') WHERE case_id = ?1 AND version = 2",
        [id],
    )
    .unwrap()
        == 1
}

#[test]
fn bad_store_urls_and_missing_stores_are_usage_errors() {
    let dir = temp_dir("usage");
    let a = barnvern(&dir)
        .args(["store", "verify", "--db", "mysql://x"])
        .assert()
        .code(2);
    assert!(stderr(&a).contains("store.bad_url"));
    let a = barnvern(&dir)
        .args(["store", "verify", "--db", "sqlite:missing.db"])
        .assert()
        .code(2);
    assert!(stderr(&a).contains("store init"));
    // A short key is refused without being echoed.
    let a = barnvern(&dir)
        .env("BARNVERN_STORE_KEY", "short-secret")
        .args(["store", "init", "sqlite:k.db"])
        .assert()
        .code(2);
    assert!(!stderr(&a).contains("short-secret"));
}

#[test]
fn importing_into_a_store_never_initialised_is_a_usage_error_naming_its_code() {
    let dir = temp_dir("uninit");
    barnvern(&dir)
        .args([
            "synth",
            "--children",
            "3",
            "--seed",
            "1",
            "--out",
            "c.jsonl",
        ])
        .assert()
        .success();
    // No file at all, and a file that holds no store (an empty one, as `touch` leaves it).
    std::fs::write(dir.join("empty.db"), b"").unwrap();
    for db in ["sqlite:missing.db", "sqlite:empty.db"] {
        let a = barnvern(&dir)
            .args(["store", "import", "c.jsonl", "--db", db])
            .assert()
            .code(2);
        let err = stderr(&a);
        assert!(err.contains("store.not_initialised"), "{db}: {err}");
        assert!(err.contains("barnvern store init"), "{db}: {err}");
        assert!(!err.contains("panicked"), "{db}: {err}");
    }
    assert!(
        !dir.join("missing.db").exists(),
        "import created a database"
    );
}

#[test]
fn extract_from_the_store_equals_extract_from_json_lines() {
    let dir = temp_dir("extract");
    imported(&dir);
    barnvern(&dir)
        .args([
            "store",
            "export",
            "--db",
            "sqlite:cases.db",
            "--out",
            "bundles.jsonl",
        ])
        .assert()
        .success();
    std::fs::write(
        dir.join("project.key"),
        "a project key of at least thirty-two bytes",
    )
    .unwrap();
    std::fs::write(
        dir.join("steward.json"),
        r#"{"staff_id": "d-1", "role": "data_steward", "purpose": "evaluation study"}"#,
    )
    .unwrap();
    let from_store = barnvern(&dir)
        .args([
            "extract",
            "--from",
            "sqlite:cases.db",
            "--out",
            "from-store",
        ])
        .args(["--key-file", "project.key", "--as-of", "2026-06-30"])
        .args(["--actor-file", "steward.json"])
        .assert()
        .success();
    // The key file was written with the default permissions (0644 here): one warning, not one
    // from the store side and another from the extract it runs.
    let said = stderr(&from_store);
    assert_eq!(
        said.matches("warning: the project key file").count(),
        1,
        "{said}"
    );
    barnvern(&dir)
        .args(["extract", "bundles.jsonl", "--out", "from-file"])
        .args(["--key-file", "project.key", "--as-of", "2026-06-30"])
        .assert()
        .success();
    // Every Parquet file is byte for byte the same.
    let files = |root: &Path| {
        let mut out = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "parquet") {
                    out.push((
                        p.strip_prefix(root).unwrap().to_path_buf(),
                        std::fs::read(&p).unwrap(),
                    ));
                }
            }
        }
        out.sort();
        out
    };
    let a = files(&dir.join("from-store"));
    assert!(a.len() > 10);
    assert_eq!(a, files(&dir.join("from-file")));
    // A caseworker may not run an extract; nothing is written.
    std::fs::write(
        dir.join("worker.json"),
        r#"{"staff_id": "s-1", "role": "caseworker", "municipalities": ["0301"], "purpose": "x"}"#,
    )
    .unwrap();
    barnvern(&dir)
        .args(["extract", "--from", "sqlite:cases.db", "--out", "nope"])
        .args(["--key-file", "project.key", "--actor-file", "worker.json"])
        .assert()
        .code(2);
    assert!(!dir.join("nope").exists());

    // A store that fails midway (a stored bundle made unreadable behind its back): the extract
    // fails, publishes no dataset of the part it streamed, and leaves an earlier one as it was.
    let before = files(&dir.join("from-store"));
    {
        let conn = rusqlite::Connection::open(dir.join("cases.db")).unwrap();
        let seq: i64 = conn
            .query_row(
                "SELECT seq FROM cases ORDER BY seq LIMIT 1 OFFSET 100",
                [],
                |r| r.get(0),
            )
            .unwrap();
        conn.execute("UPDATE cases SET bundle = X'FF00' WHERE seq = ?1", [seq])
            .unwrap();
    }
    for (out, overwrite) in [("broken", false), ("from-store", true)] {
        let mut cmd = barnvern(&dir);
        cmd.args(["extract", "--from", "sqlite:cases.db", "--out", out])
            .args(["--key-file", "project.key", "--as-of", "2026-06-30"])
            .args(["--actor-file", "steward.json"]);
        if overwrite {
            cmd.arg("--overwrite");
        }
        let a = cmd.assert().failure();
        assert!(stderr(&a).contains("not text"), "{}", stderr(&a));
    }
    assert!(!dir.join("broken").exists());
    assert_eq!(files(&dir.join("from-store")), before);
    let leftovers: Vec<_> = std::fs::read_dir(&*dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
