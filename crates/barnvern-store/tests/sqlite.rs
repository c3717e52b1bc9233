//! The store's suite on SQLite, plus tampering with the file behind the store's back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use barnvern_store::{CaseStore, ChainBreak};
use common::{Db, Fixture, admin};

struct Sqlite;

impl Fixture for Sqlite {
    /// A store file in its own temporary directory, removed (with the WAL and shared-memory
    /// files beside it) when the test drops the `Db`.
    fn fresh(&self) -> Db {
        let dir = tempfile::Builder::new()
            .prefix("barnvern-store-test-")
            .tempdir()
            .unwrap();
        let url = format!("sqlite:{}", dir.path().join("store.db").display());
        Db::new(url, dir)
    }
}

store_suite!(Sqlite, "kill_test_child_process");

fn path_of(url: &str) -> std::path::PathBuf {
    url.strip_prefix("sqlite:").unwrap().into()
}

#[test]
fn tampering_with_the_file_is_found() {
    let db = Sqlite.fresh();
    let url = db.url.clone();
    let store = common::open(&url);
    let cases = common::cohort(30, 9);
    common::import_all(store.as_ref(), &cases);
    let case = common::open_case(&cases);
    let id = case.case_id.as_str();
    let e = common::next_toggle(case, 0);
    store.append(&admin(), id, 1, &[e], None).unwrap();
    assert!(store.verify(&admin()).unwrap().is_ok());
    drop(store);

    let conn = rusqlite::Connection::open(path_of(&url)).unwrap();
    // 1. An event's content changed (its closing date moved a day), hash left as it was.
    let body: String = conn
        .query_row(
            "SELECT body FROM events WHERE case_id = ?1 AND version = 2",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    let edited = body.replacen("\"closed_on\":\"2026-07-", "\"closed_on\":\"2026-08-", 1);
    assert_ne!(edited, body);
    conn.execute(
        "UPDATE events SET body = ?1 WHERE case_id = ?2 AND version = 2",
        rusqlite::params![edited, id],
    )
    .unwrap();
    let store = common::open(&url);
    let report = store.verify(&admin()).unwrap();
    common::expect_event_break(&report, id, 2);
    drop(store);
    conn.execute(
        "UPDATE events SET body = ?1 WHERE case_id = ?2 AND version = 2",
        rusqlite::params![body, id],
    )
    .unwrap();

    // 2. The stored bundle (the projection) edited: the replay differs. (A case not appended
    // to since its import has its bundle only in its imported event, hashed; a bundle put
    // into its row behind the store's back is what the store then reads.)
    let other = cases[1].case_id.as_str();
    let changed = conn
        .execute(
            "UPDATE cases SET bundle = replace(coalesce(bundle, (SELECT json_extract(e.body, '$.bundle') \
             FROM events e WHERE e.case_id = cases.case_id AND e.version = 1)), \
             '\"opened_on\":\"', '\"opened_on\":\"1') WHERE case_id = ?1",
            [other],
        )
        .unwrap();
    assert_eq!(changed, 1);
    // 3. An access log entry's outcome flipped.
    conn.execute(
        "UPDATE access_log SET outcome = 'allowed' WHERE id = (SELECT min(id) FROM access_log WHERE outcome = 'allowed' AND action = 'import') ",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE access_log SET detail = 'nothing to see' WHERE id = 3",
        [],
    )
    .unwrap();
    let (chain, seq): (String, i64) = conn
        .query_row("SELECT chain, seq FROM access_log WHERE id = 3", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    // 4. The last event of a case deleted.
    conn.execute(
        "DELETE FROM events WHERE case_id = ?1 AND version = 2",
        [id],
    )
    .unwrap();
    drop(conn);
    let store = common::open(&url);
    let report = store.verify(&admin()).unwrap();
    assert!(!report.is_ok());
    common::expect_event_break(&report, other, 1);
    common::expect_event_break(&report, id, 2);
    assert!(
        report.breaks.iter().any(|b| matches!(b,
            ChainBreak::AccessLog { log_chain, seq: s, .. } if *log_chain == chain && *s == seq)),
        "{:?}",
        report.breaks
    );
}

#[test]
fn a_file_without_a_store_is_refused() {
    let db = Sqlite.fresh();
    let url = db.url.clone();
    let err = match barnvern_store::open(&url, None, false) {
        Err(e) => e,
        Ok(_) => panic!("opened a store that was never initialised"),
    };
    assert_eq!(err.code(), "store.not_initialised");
    assert_eq!(
        barnvern_store::open("mysql://x", None, true)
            .err()
            .map(|e| e.code()),
        Some("store.bad_url")
    );
}

#[test]
fn another_key_is_refused() {
    let db = Sqlite.fresh();
    let url = db.url.clone();
    drop(common::open(&url));
    let other = barnvern_store::StoreKey::new(&[1u8; 40]).unwrap();
    let err = barnvern_store::open(&url, Some(other), false)
        .err()
        .unwrap();
    assert_eq!(err.code(), "store.key_mismatch");
    // Without a key, reads work and identity lookups are refused with a clear code.
    let store: Box<dyn CaseStore> = barnvern_store::open(&url, None, false).unwrap();
    let pid = barnvern_core::PersonId::parse("189001019802", None, None).unwrap();
    let who = common::actor(barnvern_store::Role::Caseworker, &["0180"]);
    let err = store.lookup(&who, &pid).unwrap_err();
    assert_eq!(err.code(), "store.no_key");
    assert!(!err.to_string().contains("189001019802"));
}

/// The access log, the cases and the events as schema version 1 had them: AUTOINCREMENT ids, a
/// case index over every entry, every bundle in its case's row (the test fills in the bundles,
/// which schema 2 keeps only in the imported events), the events in a WITHOUT ROWID table
/// (schema 3 moved them into a rowid table). Applied to a current store, it turns the file back
/// into a version 1 store.
const BACK_TO_VERSION_1: &str = r#"
BEGIN;
ALTER TABLE cases RENAME TO cases_v2;
CREATE TABLE cases (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      TEXT NOT NULL UNIQUE,
    jurisdiction TEXT NOT NULL,
    municipality TEXT NOT NULL,
    version      INTEGER NOT NULL,
    head_hash    TEXT NOT NULL,
    bundle       TEXT NOT NULL
);
INSERT INTO cases SELECT seq, case_id, jurisdiction, municipality, version, head_hash,
    coalesce(bundle, '') FROM cases_v2;
DROP TABLE cases_v2;
CREATE INDEX cases_municipality ON cases (municipality);
ALTER TABLE access_log RENAME TO access_log_v2;
CREATE TABLE access_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    chain     TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    at        TEXT NOT NULL,
    staff_id  TEXT NOT NULL,
    role      TEXT NOT NULL,
    purpose   TEXT NOT NULL,
    case_id   TEXT,
    action    TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    UNIQUE (chain, seq)
);
INSERT INTO access_log SELECT * FROM access_log_v2;
DROP TABLE access_log_v2;
CREATE INDEX access_log_case ON access_log (case_id);
ALTER TABLE events RENAME TO events_v3;
CREATE TABLE events (
    case_id     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    body        TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (case_id, version)
) WITHOUT ROWID;
INSERT INTO events SELECT case_id, version, kind, actor, recorded_at, body, prev_hash, hash
    FROM events_v3;
DROP TABLE events_v3;
DELETE FROM schema_migrations WHERE version > 1;
COMMIT;
"#;

/// A store of schema version 1 is migrated when it is opened: every access-log entry keeps its
/// id, chain, seq and hash, every event is kept (in a rowid table), `verify` passes, the log of
/// a case still holds the global chain's entries naming it, and new entries continue the ids
/// and the chains.
#[test]
fn a_version_1_store_is_migrated() {
    let db = Sqlite.fresh();
    let url = db.url.clone();
    let store = common::open(&url);
    let cases = common::cohort(10, 3);
    common::import_all(store.as_ref(), &cases);
    let id = cases[0].case_id.as_str();
    store.read_json(&admin(), id).unwrap();
    let nobody = common::actor(barnvern_store::Role::Auditor, &[]);
    assert_eq!(
        store.read_json(&nobody, id).unwrap_err().code(),
        "store.forbidden"
    );
    let bundles: Vec<(String, String)> = cases
        .iter()
        .map(|c| {
            let id = c.case_id.as_str();
            (id.to_owned(), store.read_json(&admin(), id).unwrap().json)
        })
        .collect();
    drop(store);

    let conn = rusqlite::Connection::open(path_of(&url)).unwrap();
    conn.execute_batch(BACK_TO_VERSION_1).unwrap();
    for (id, bundle) in &bundles {
        conn.execute(
            "UPDATE cases SET bundle = ?2 WHERE case_id = ?1",
            [id, bundle],
        )
        .unwrap();
    }
    let entries = |conn: &rusqlite::Connection| -> Vec<(i64, String, i64, String)> {
        let mut stmt = conn
            .prepare("SELECT id, chain, seq, hash FROM access_log ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let before = entries(&conn);
    let event_rows = |conn: &rusqlite::Connection| -> Vec<(String, i64, String, String)> {
        let mut stmt = conn
            .prepare("SELECT case_id, version, body, hash FROM events ORDER BY case_id, version")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let events_before = event_rows(&conn);
    assert_eq!(events_before.len(), 10);
    let table_sql = |conn: &rusqlite::Connection, name: &str| -> String {
        conn.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert!(table_sql(&conn, "events").contains("WITHOUT ROWID"));
    let autoincrement: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_sequence WHERE name = 'access_log'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(autoincrement, 1, "the file is a version 1 store");
    drop(conn);

    let store = common::open(&url);
    let conn = rusqlite::Connection::open(path_of(&url)).unwrap();
    let version: i64 = conn
        .query_row("SELECT max(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(version, barnvern_store::SCHEMA_VERSION);
    assert_eq!(entries(&conn), before, "ids, chains and hashes are kept");
    assert_eq!(event_rows(&conn), events_before, "every event is kept");
    let events_sql = table_sql(&conn, "events");
    assert!(
        !events_sql.contains("WITHOUT ROWID"),
        "the events are in a rowid table: {events_sql}"
    );
    let sql: String = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'access_log'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!sql.contains("AUTOINCREMENT"), "{sql}");
    assert!(store.verify(&admin()).unwrap().is_ok());
    let of_case = store.access_log(&admin(), Some(id)).unwrap();
    assert!(
        of_case
            .iter()
            .any(|e| e.chain == "*" && e.detail == "store.forbidden"),
        "{of_case:?}"
    );
    assert_eq!(
        of_case.iter().filter(|e| e.chain == id).count(),
        3,
        "the import and the two reads"
    );
    // New entries follow the last id and the chains' heads.
    store.read_json(&admin(), id).unwrap();
    let after = entries(&conn);
    let last = after.last().unwrap();
    assert!(last.0 > before.last().unwrap().0);
    assert_eq!(last.1, id);
    assert_eq!(last.2, 4);
    assert!(store.verify(&admin()).unwrap().is_ok());

    // The cases of the version 1 store keep their bundles in their rows; a case imported now
    // has its bundle once, in its imported event, and reads, exports and verifies the same.
    let bundles_in_rows = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row(
            "SELECT count(*) FROM cases WHERE bundle IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(bundles_in_rows(&conn), 10);
    let more = common::cohort(14, 4);
    let new: Vec<_> = more
        .iter()
        .filter(|c| !cases.iter().any(|o| o.case_id == c.case_id))
        .cloned()
        .collect();
    assert!(!new.is_empty());
    common::import_all(store.as_ref(), &new);
    assert_eq!(
        bundles_in_rows(&conn),
        10,
        "a new case's row holds no bundle"
    );
    for c in &new {
        let read = store.read_json(&admin(), c.case_id.as_str()).unwrap();
        assert_eq!(read.json, c.to_json().unwrap());
        assert_eq!(read.version, 1);
    }
    let mut exported = 0;
    store
        .export(&admin(), &mut |b| {
            barnvern_case::Case::from_json(b).unwrap();
            exported += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(exported, 10 + new.len());
    assert!(store.verify(&admin()).unwrap().is_ok());
}

#[test]
fn the_wal_is_checkpointed_while_the_store_is_open() {
    // The WAL is copied into the database while the store is open: by the store's flusher
    // thread after every 1,024 commits (or any commit and a second), and by SQLite in the
    // commit that leaves 8,192 pages (32 MiB) or more in it (`wal_autocheckpoint`, the
    // backstop). Without a checkpoint the WAL would grow for as long as a service keeps the
    // store open, and every reader would search a longer one.
    let db = Sqlite.fresh();
    let store = common::open(&db.url);
    let path = path_of(&db.url);
    let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let mut wal = path.clone().into_os_string();
    wal.push("-wal");
    let wal = std::path::PathBuf::from(wal);
    let before = size(&path);
    let cohort = common::cohort(16_000, 11);
    let (cases, later) = cohort.split_at(8_000);
    common::import_all(store.as_ref(), cases);
    assert!(
        size(&wal) >= 32 * 1024 * 1024,
        "the import left {} bytes of WAL: too few to reach a checkpoint",
        size(&wal)
    );
    // Wait for a checkpoint (in a commit or on the flusher thread), then check that the
    // database holds the import.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while size(&path) < before + 16 * 1024 * 1024 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        size(&path) >= before + 16 * 1024 * 1024,
        "the database file stayed at {} bytes with {} bytes of WAL",
        size(&path),
        size(&wal)
    );
    let id = cases[7_999].case_id.as_str();
    assert!(store.read_json(&admin(), id).is_ok());
    // Closed, the store leaves one whole file: the last connection to close checkpoints what
    // is left and removes the WAL (a copy of the file alone holds every case).
    drop(store);
    assert!(!wal.exists(), "the WAL is left beside the closed store");
    // The same when the store is closed right after a commit that crossed the limit.
    let store = common::open(&db.url);
    common::import_all(store.as_ref(), later);
    drop(store);
    assert!(!wal.exists(), "the WAL is left beside the closed store");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 16_000);
}
