//! The SQLite backend: one file in WAL mode. The writers of one store take turns in arrival
//! order on an in-process fair lock before `BEGIN IMMEDIATE` (SQLite's own busy handler, which
//! sleeps with back-off and lets a newcomer overtake a writer that has waited for 100 ms, is
//! left to arbitrate only between processes). Imports
//! and appends commit durably (`synchronous = FULL`: the WAL is flushed to disk before the
//! commit returns). The access-log entry of a read commits without a flush
//! (`synchronous = NORMAL`: in the WAL, so a crash of the process loses nothing), and a
//! flusher thread puts it on disk within [`READ_LOG_WINDOW`]: a power cut can lose only the
//! entries of the reads served in that window, whole, at the end of their chains.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use crate::backend::{
    Backend, CaseRow, CaseSummary, DeadlineRow, EventRow, Head, LogRow, R, Tx, WorklistRow,
};
use crate::chain::GENESIS;
use crate::engine::imported_bundle;
use crate::error::StoreError;
use crate::model::{AccessEntry, Outcome};

/// The versioned migrations, applied in order; a store records each it has applied.
pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "event streams, projections, access log",
        r#"
CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
CREATE TABLE cases (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      TEXT NOT NULL UNIQUE,
    jurisdiction TEXT NOT NULL,
    municipality TEXT NOT NULL,
    version      INTEGER NOT NULL,
    head_hash    TEXT NOT NULL,
    bundle       TEXT NOT NULL
);
CREATE INDEX cases_municipality ON cases (municipality);
CREATE TABLE deadlines (
    case_id       TEXT NOT NULL,
    municipality  TEXT NOT NULL,
    kind          TEXT NOT NULL,
    record        TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    sequence      INTEGER,
    due           TEXT NOT NULL,
    extended_due  TEXT,
    effective_due TEXT NOT NULL,
    rule_id       TEXT NOT NULL
);
CREATE INDEX deadlines_case ON deadlines (case_id);
CREATE INDEX deadlines_worklist ON deadlines (municipality, effective_due);
CREATE TABLE identity_index (
    digest  TEXT NOT NULL,
    case_id TEXT NOT NULL,
    PRIMARY KEY (digest, case_id)
) WITHOUT ROWID;
CREATE INDEX identity_case ON identity_index (case_id);
CREATE TABLE idempotency (
    case_id       TEXT NOT NULL,
    key           TEXT NOT NULL,
    request       TEXT NOT NULL,
    first_version INTEGER NOT NULL,
    last_version  INTEGER NOT NULL,
    PRIMARY KEY (case_id, key)
) WITHOUT ROWID;
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
CREATE INDEX access_log_case ON access_log (case_id);
CREATE TABLE log_heads (chain TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL) WITHOUT ROWID;
"#,
    ),
    (
        2,
        "access log: plain rowid ids, case index of the global chain only; the bundle of an \
         imported case stored once",
        // Every read commits one access-log row, so the pages that row dirties are the cost of a
        // read's transaction (each is written to the WAL again, checksummed, and later copied
        // into the database). Version 1 dirtied six: the table, `sqlite_sequence`
        // (AUTOINCREMENT), the (chain, seq) index, the case index, `log_heads` and the table's
        // growing page. Now: ids are the plain rowid (the log is append-only, so the next id is
        // still one more than the last, as AUTOINCREMENT gave), and the case index holds only
        // the global chain's entries: an entry on an existing case is in that case's chain
        // (`chain = case_id`), found through the (chain, seq) index. The ids, and so the
        // order and every hash, are kept.
        //
        // An import wrote each bundle twice: in its `imported` event (hashed into the chain)
        // and in the case's row. A new case's row now holds no bundle (NULL): its bundle is the
        // one its `imported` event embeds, read from there (`BUNDLE_SQL`) until an append
        // writes the next one into the row. The cases of a version 1 store keep theirs. The
        // case table's ids become plain rowids too (no `sqlite_sequence` row per import).
        r#"
ALTER TABLE access_log RENAME TO access_log_v1;
CREATE TABLE access_log (
    id        INTEGER PRIMARY KEY,
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
INSERT INTO access_log (id, chain, seq, at, staff_id, role, purpose, case_id, action, outcome,
    detail, prev_hash, hash)
    SELECT id, chain, seq, at, staff_id, role, purpose, case_id, action, outcome, detail,
        prev_hash, hash FROM access_log_v1 ORDER BY id;
DROP TABLE access_log_v1;
CREATE INDEX access_log_case ON access_log (case_id) WHERE chain = '*';
ALTER TABLE cases RENAME TO cases_v1;
CREATE TABLE cases (
    seq          INTEGER PRIMARY KEY,
    case_id      TEXT NOT NULL UNIQUE,
    jurisdiction TEXT NOT NULL,
    municipality TEXT NOT NULL,
    version      INTEGER NOT NULL,
    head_hash    TEXT NOT NULL,
    bundle       TEXT
);
INSERT INTO cases (seq, case_id, jurisdiction, municipality, version, head_hash, bundle)
    SELECT seq, case_id, jurisdiction, municipality, version, head_hash, bundle FROM cases_v1
    ORDER BY seq;
DROP TABLE cases_v1;
CREATE INDEX cases_municipality ON cases (municipality);
"#,
    ),
    (
        3,
        "events in a rowid table with a (case_id, version) index",
        // Versions 1 and 2 kept the events in a WITHOUT ROWID table keyed by (case_id,
        // version). Such a table keeps whole rows in its b-tree, and a row of a few KB (an
        // imported bundle) spills onto overflow pages, which SQLite reads in full, from the file
        // and past its page cache, to compare the key of the row at each step of a search. A
        // read of one case so read about 19 pages from the file (`strace`: 19 `pread`s a read
        // of a 20,000-case store; 1 now), and every insert of an event paid the same. Here the
        // rows are in a rowid table and the key in an index of small entries. Every row, and
        // so every stream and hash, is kept.
        r#"
ALTER TABLE events RENAME TO events_v2;
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    case_id     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    body        TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    UNIQUE (case_id, version)
);
INSERT INTO events (case_id, version, kind, actor, recorded_at, body, prev_hash, hash)
    SELECT case_id, version, kind, actor, recorded_at, body, prev_hash, hash FROM events_v2
    ORDER BY case_id, version;
DROP TABLE events_v2;
"#,
    ),
    (
        4,
        "nothing to change (PostgreSQL's version 4 compresses bundles with lz4)",
        // SQLite does not compress; the version is recorded so that both backends stand at the
        // same schema version.
        "SELECT 1",
    ),
];

/// The longest time the access-log entry of a read stays in the WAL without a flush to disk.
pub(crate) const READ_LOG_WINDOW: Duration = Duration::from_millis(50);

pub(crate) struct Sqlite {
    path: PathBuf,
    /// Connections for imports, appends and the snapshots that read much of the store (export,
    /// verify, the whole access log).
    pool: crate::pool::Pool<Conn>,
    /// Connections for reads (of cases, the worklist, a history) and their access-log entries:
    /// the file mapped into memory (see [`configure_for_reads`]).
    read_pool: crate::pool::Pool<Conn>,
    /// What the store's writers share with its flusher thread.
    shared: Arc<Shared>,
    /// The flusher thread and the sender whose drop stops it (after a last flush).
    flusher: Option<(mpsc::Sender<()>, std::thread::JoinHandle<()>)>,
}

impl Drop for Sqlite {
    /// Stops the flusher and waits for it, so that its connection is closed before the
    /// store's own: the last connection to close checkpoints the WAL and removes it, leaving
    /// the store one whole file.
    fn drop(&mut self) {
        if let Some((stop, thread)) = self.flusher.take() {
            drop(stop);
            let _ = thread.join();
        }
    }
}

/// What a store's writers share with its flusher thread.
struct Shared {
    /// Held from `BEGIN IMMEDIATE` to the end of each write transaction: the store's writers
    /// (imports, appends, batches of read-log entries) queue for SQLite's write lock here, first
    /// come first served, instead of polling for it in the busy handler. A fair lock hands
    /// itself to the longest waiter, so no append waits for many others that came later (the
    /// seconds-long tail of appends under 64 connections was that). Writers in other
    /// processes still meet at SQLite's lock, with `busy_timeout` as before. The flusher takes
    /// it briefly too, to finish a checkpoint (see [`start_flusher`]).
    writer: parking_lot::FairMutex<()>,
    /// Set by a commit without a flush; cleared by the flusher when it flushes the WAL.
    unflushed: AtomicBool,
    /// Commits since the flusher's last checkpoint.
    commits: AtomicU64,
}

/// A pooled connection, remembering its `synchronous` setting (set only when it changes).
struct Conn {
    conn: Connection,
    durable: bool,
}

/// The flusher: every [`READ_LOG_WINDOW`], if a commit since the last round skipped its flush,
/// flushes the WAL file (`fdatasync`, which puts every commit written to it so far on disk), and
/// once more when the store is dropped.
///
/// It also checkpoints the WAL into the database, on its own connection, once
/// [`CHECKPOINT_COMMITS`] commits have passed since its last checkpoint (or any commit and a
/// second). Left to SQLite, the checkpoint runs inside the commit that fills the WAL, on the
/// thread of whichever caller made it: a read whose log entry happened to be that commit paid
/// for copying thousands of pages (about 15 % of the time of a stream of reads). Here it runs
/// beside the writers (`PASSIVE`: it waits for no one), then once more holding the writers' turn
/// for the frames committed meanwhile, so that the WAL is then copied in full and the next
/// writer starts it again from its beginning instead of growing it. SQLite's own checkpoint at
/// 8,192 pages stays as the backstop. A checkpoint flushes the WAL before it copies pages into
/// the database, and the database after.
fn start_flusher(
    path: &Path,
    shared: Arc<Shared>,
) -> R<(mpsc::Sender<()>, std::thread::JoinHandle<()>)> {
    let (tx, rx) = mpsc::channel::<()>();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    let conn = Connection::open(path)?;
    configure(&conn, false)?;
    let flush = {
        let shared = Arc::clone(&shared);
        move || {
            if shared.unflushed.swap(false, Ordering::AcqRel) {
                match std::fs::OpenOptions::new().write(true).open(&wal) {
                    Ok(f) => {
                        if f.sync_data().is_err() {
                            shared.unflushed.store(true, Ordering::Release);
                        }
                    }
                    // No WAL file: the last connection checkpointed it into the (flushed)
                    // database.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(_) => shared.unflushed.store(true, Ordering::Release),
                }
            }
        }
    };
    let mut last_checkpoint = std::time::Instant::now();
    let mut checkpoint = move || {
        let commits = shared.commits.load(Ordering::Acquire);
        let due = commits >= CHECKPOINT_COMMITS
            || (commits > 0 && last_checkpoint.elapsed() >= Duration::from_secs(1));
        if !due {
            return;
        }
        shared.commits.fetch_sub(commits, Ordering::AcqRel);
        last_checkpoint = std::time::Instant::now();
        // An error or a busy checkpoint is left to the next round (and to SQLite's own).
        let _ = checkpoint_wal(&conn, &shared.writer);
    };
    let thread = std::thread::Builder::new()
        .name("barnvern-store-flusher".into())
        .spawn(move || {
            loop {
                match rx.recv_timeout(READ_LOG_WINDOW) {
                    Err(mpsc::RecvTimeoutError::Timeout) | Ok(()) => {
                        flush();
                        checkpoint();
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => {
                        flush();
                        break;
                    }
                }
            }
        })
        .map_err(|e| StoreError::Database(format!("cannot start the WAL flusher: {e}")))?;
    Ok((tx, thread))
}

/// Copies the whole WAL into the database: a `PASSIVE` checkpoint beside the writers, then,
/// when they committed more meanwhile, a second one holding `writer` (the writers' turn), which
/// copies only those frames. Once the WAL is copied in full, the next write transaction starts
/// it again from its beginning. Returns the frames in the WAL and those copied, as SQLite
/// reports them (both -1 when another checkpoint was running).
fn checkpoint_wal(conn: &Connection, writer: &parking_lot::FairMutex<()>) -> R<(i64, i64)> {
    let pass = || -> R<(i64, i64, i64)> {
        Ok(conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?)
    };
    let (busy, frames, copied) = pass()?;
    if busy != 0 || copied >= frames {
        return Ok((frames, copied));
    }
    let _turn = writer.lock();
    let (_, frames, copied) = pass()?;
    Ok((frames, copied))
}

/// Commits after which the flusher checkpoints the WAL (see [`start_flusher`]).
const CHECKPOINT_COMMITS: u64 = 1024;

/// Configures a connection; `reads`: one of the pool for reads (see [`configure_for_reads`]).
fn configure(conn: &Connection, reads: bool) -> R<()> {
    conn.busy_timeout(Duration::from_secs(60))?;
    // WAL: readers never block the writer; FULL: each commit is on disk before it returns.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Statements are prepared once per connection (`prepare_cached`); room for all of them.
    conn.set_prepared_statement_cache_capacity(64);
    conn.pragma_update(None, "cache_size", CACHE_KIB)?;
    // Checkpoint the WAL into the database every 8,192 pages (32 MiB) instead of SQLite's
    // 1,000: a checkpoint flushes the WAL and the database (two `fsync`s) and writes each page
    // changed since the last one, so the index leaves that an import or the access log touch
    // at random keys are written to the database once per 32 MiB of WAL rather than again for
    // nearly every transaction (a batch of 500 imports is about 1,000 pages). The WAL file is
    // cut back to 64 MiB after a checkpoint whenever it grew beyond.
    conn.pragma_update(None, "wal_autocheckpoint", 8_192)?;
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    if reads {
        configure_for_reads(conn)?;
    }
    Ok(())
}

impl Sqlite {
    /// Opens the file; with `create`, creates it and applies every pending migration; without,
    /// refuses a file that holds no store.
    pub(crate) fn open(path: &Path, create: bool) -> R<Sqlite> {
        if !create && !path.exists() {
            return Err(StoreError::NotInitialised);
        }
        let conn = Connection::open(path)?;
        configure(&conn, false)?;
        migrate(&conn, create)?;
        let pool = crate::pool::Pool::new(16);
        pool.give(Conn {
            conn,
            durable: true,
        });
        let shared = Arc::new(Shared {
            writer: parking_lot::FairMutex::new(()),
            unflushed: AtomicBool::new(false),
            commits: AtomicU64::new(0),
        });
        Ok(Sqlite {
            path: path.to_owned(),
            pool,
            read_pool: crate::pool::Pool::new(16),
            flusher: Some(start_flusher(path, Arc::clone(&shared))?),
            shared,
        })
    }

    fn pool(&self, reads: bool) -> &crate::pool::Pool<Conn> {
        if reads { &self.read_pool } else { &self.pool }
    }

    /// A connection of the pool for reads (`reads`) or for the rest.
    fn conn(&self, reads: bool) -> R<Conn> {
        match self.pool(reads).take() {
            Some(c) => Ok(c),
            None => {
                let conn = Connection::open(&self.path)?;
                configure(&conn, reads)?;
                Ok(Conn {
                    conn,
                    durable: true,
                })
            }
        }
    }

    /// A write transaction on a connection of the pool for reads (`reads`) or the other; with
    /// `bulk`, with the larger page cache of a bulk write for the transaction's length (a
    /// connection left idle with it would leave room in the pages the caches of the process
    /// share, and the others would grow into it).
    fn write_on<T>(
        &self,
        reads: bool,
        durable: bool,
        bulk: bool,
        f: &mut dyn FnMut(&mut dyn Tx) -> R<R<T>>,
    ) -> R<T> {
        let mut c = self.conn(reads)?;
        if c.durable != durable {
            c.conn
                .pragma_update(None, "synchronous", if durable { "FULL" } else { "NORMAL" })?;
            c.durable = durable;
        }
        if bulk {
            c.conn.pragma_update(None, "cache_size", BULK_CACHE_KIB)?;
        }
        // Back to the usual cache before the connection returns to its pool; one that cannot
        // be set back is dropped instead.
        let give = |c: Conn| {
            if !bulk || c.conn.pragma_update(None, "cache_size", CACHE_KIB).is_ok() {
                self.pool(reads).give(c);
            }
        };
        let turn = self.shared.writer.lock();
        c.conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        let mut tx = SqliteTx { conn: &c.conn };
        match f(&mut tx) {
            Ok(result) => {
                c.conn.prepare_cached("COMMIT")?.execute([])?;
                if !durable {
                    self.shared.unflushed.store(true, Ordering::Release);
                }
                self.shared.commits.fetch_add(1, Ordering::AcqRel);
                // Given back before the next writer's turn, which then finds this connection
                // and its cached pages.
                give(c);
                drop(turn);
                result
            }
            Err(e) => {
                if c.conn.execute_batch("ROLLBACK").is_ok() {
                    give(c);
                }
                drop(turn);
                Err(e)
            }
        }
    }

    /// A read-only snapshot on a connection of the pool for reads (`reads`) or the other.
    fn read_on<T>(&self, reads: bool, f: &mut dyn FnMut(&mut dyn Tx) -> R<T>) -> R<T> {
        let c = self.conn(reads)?;
        c.conn.prepare_cached("BEGIN DEFERRED")?.execute([])?;
        let mut tx = SqliteTx { conn: &c.conn };
        let result = f(&mut tx);
        if c.conn
            .prepare_cached("COMMIT")
            .and_then(|mut s| s.execute([]))
            .is_ok()
        {
            self.pool(reads).give(c);
        }
        result
    }
}

/// The page cache of a connection (as `PRAGMA cache_size`: negative, in KiB): SQLite's default
/// of 2 MiB. The caches of all connections of a process share one pool of pages, so a cache is
/// held to its size only when the others are small too; and SQLite walks the whole of a
/// connection's cache at the end of any write transaction in which a b-tree split renumbered
/// pages (see [`configure_for_reads`]).
const CACHE_KIB: i64 = -2_048;

/// The page cache of a transaction that writes many cases (a batch of an import): 32 MiB. An
/// import touches the indexes of every table at random keys, and pages evicted early are read
/// and written again.
const BULK_CACHE_KIB: i64 = -32_768;

/// How much of the file a connection for reads maps into memory: as much as SQLite allows
/// (it caps the size at about 2 GiB); the rest of a larger file is read as before.
const READ_MMAP_BYTES: i64 = 2 * 1024 * 1024 * 1024;

/// Configures a connection for reads of cases (see [`Backend::write_reads`]): the file mapped
/// into memory, so that a page of the database is read where it lies in the operating system's
/// cache instead of being copied by a `pread` into SQLite's page cache, which then holds only
/// the pages SQLite still copies (those in the WAL, and those a transaction changes).
///
/// A small page cache matters because SQLite walks all of it at the end of any write
/// transaction in which a b-tree split renumbered pages (it swaps them through the number of
/// the page holding the 1 GiB lock byte, beyond the end of the file, and then drops every
/// cached page past the end: `pcache1TruncateUnsafe`). With 32 MiB caches that walk was about
/// 10 % of the time of a stream of reads, whose log entries split the access log's index often.
///
/// Its commits never checkpoint the WAL themselves: the flusher thread does (see
/// [`start_flusher`]), so that no reader waits while thousands of pages are copied. (With
/// SQLite's checkpoint left on as well, the WAL of a stream of reads still reached its 8,192
/// pages between two rounds of the flusher often enough to cost the reads about 11 %.) Imports
/// and appends keep SQLite's checkpoint as the backstop.
fn configure_for_reads(conn: &Connection) -> R<()> {
    conn.pragma_update(None, "mmap_size", READ_MMAP_BYTES)?;
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    Ok(())
}

fn migrate(conn: &Connection, create: bool) -> R<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| -> R<()> {
        let exists: bool = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)?;
        if !exists {
            if !create {
                return Err(StoreError::NotInitialised);
            }
            conn.execute_batch(
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
            )?;
        }
        let current: i64 = conn.query_row(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )?;
        let latest = MIGRATIONS.last().map_or(0, |m| m.0);
        if current > latest {
            return Err(StoreError::SchemaVersion {
                found: current,
                supported: latest,
            });
        }
        for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
            conn.execute_batch(sql)?;
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                params![version, name, crate::engine::now()],
            )?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT").map_err(Into::into),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

impl Backend for Sqlite {
    fn write<T>(&self, durable: bool, f: &mut dyn FnMut(&mut dyn Tx) -> R<R<T>>) -> R<T> {
        self.write_on(false, durable, false, f)
    }

    /// With a 32 MiB page cache for the transaction (see [`BULK_CACHE_KIB`]).
    fn write_bulk<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> R<R<T>>) -> R<T> {
        self.write_on(false, true, true, f)
    }

    /// On a connection of its own pool, which maps the file into memory (see
    /// [`configure_for_reads`]). Imports, appends, exports and verifications keep connections
    /// with no map: one that mapped the file would hold all of it in its resident memory.
    fn write_reads<T>(&self, durable: bool, f: &mut dyn FnMut(&mut dyn Tx) -> R<R<T>>) -> R<T> {
        self.write_on(true, durable, false, f)
    }

    /// Yes: in WAL mode every commit by one connection makes each other connection discard
    /// its page cache at its next read, and the log entry of every read is a commit. A read in
    /// a snapshot of its own on one connection, logged by another, re-read its pages from the
    /// operating system each time (two or eight threads read fewer cases a second than one).
    /// Read inside the log's write transaction, on whichever connection commits the batch
    /// (the pool hands back the one used last), the pages stay cached, a read costs one
    /// transaction instead of two, and a batch of concurrent reads shares one commit. A read
    /// waited for the write lock before as well, for its log entry, before it could return.
    fn reads_in_log_transaction(&self) -> bool {
        true
    }

    /// On a connection of the pool for reads (the worklist, a history, a lookup: their
    /// access-log entries commit on the same connection, whose pages then stay cached).
    fn read<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> R<T>) -> R<T> {
        self.read_on(true, f)
    }

    /// On a connection with no map: an export or a verification that mapped the file would
    /// hold all of it in its resident memory.
    fn read_bulk<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> R<T>) -> R<T> {
        self.read_on(false, f)
    }
}

struct SqliteTx<'a> {
    conn: &'a Connection,
}

/// Two columns of a query over `cases c`: whether the case's bundle is its `imported` event's
/// (the row holds none: a case not appended to since its import, see migration 2), and the
/// row's bundle or else that event's body. The event is read only when the row has no bundle
/// (`coalesce` stops at its first value that is not NULL).
macro_rules! bundle_sql {
    () => {
        "c.bundle IS NULL, coalesce(c.bundle, \
         (SELECT e.body FROM events e WHERE e.case_id = c.case_id AND e.version = 1))"
    };
}

/// A stored bundle that its row does not hold, nor its imported event.
fn no_bundle(case_id: &str) -> StoreError {
    StoreError::Corrupt(format!(
        "case {case_id}: the case holds no bundle and its imported event embeds none"
    ))
}

/// The case's bundle from the columns of [`bundle_sql!`].
fn stored_bundle(case_id: &str, from_event: bool, text: Option<String>) -> R<Option<String>> {
    if !from_event {
        return Ok(text);
    }
    let body = text.ok_or_else(|| no_bundle(case_id))?;
    imported_bundle(&body)
        .map(|b| Some(b.to_owned()))
        .ok_or_else(|| no_bundle(case_id))
}

fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        case_id: r.get(0)?,
        version: r.get(1)?,
        kind: r.get(2)?,
        actor: r.get(3)?,
        recorded_at: r.get(4)?,
        body: r.get(5)?,
        prev_hash: r.get(6)?,
        hash: r.get(7)?,
    })
}

fn access_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<(AccessEntry, String)> {
    let outcome: String = r.get(9)?;
    Ok((
        AccessEntry {
            id: r.get(0)?,
            chain: r.get(1)?,
            seq: r.get(2)?,
            at: r.get(3)?,
            staff_id: r.get(4)?,
            role: r.get(5)?,
            purpose: r.get(6)?,
            case_id: r.get(7)?,
            action: r.get(8)?,
            outcome: if outcome == "allowed" {
                Outcome::Allowed
            } else {
                Outcome::Refused
            },
            detail: r.get(10)?,
            hash: r.get(12)?,
        },
        r.get(11)?,
    ))
}

const LOG_COLUMNS: &str = "id, chain, seq, at, staff_id, role, purpose, case_id, action, outcome, detail, prev_hash, hash";

impl Tx for SqliteTx<'_> {
    fn lock_case(&mut self, _case_id: &str) -> R<()> {
        Ok(())
    }

    fn head(&mut self, case_id: &str, with_bundle: bool) -> R<Option<Head>> {
        let sql = if with_bundle {
            concat!(
                "SELECT c.version, c.head_hash, c.municipality, ",
                bundle_sql!(),
                " FROM cases c WHERE c.case_id = ?1"
            )
        } else {
            "SELECT version, head_hash, municipality, 0, NULL FROM cases WHERE case_id = ?1"
        };
        let row = self
            .conn
            .prepare_cached(sql)?
            .query_row([case_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })
            .optional()?;
        let Some((version, hash, municipality, from_event, text)) = row else {
            return Ok(None);
        };
        Ok(Some(Head {
            version,
            hash,
            municipality,
            bundle: stored_bundle(case_id, from_event, text)?,
            log_head: None,
        }))
    }

    fn insert_event(&mut self, row: &EventRow) -> R<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO events (case_id, version, kind, actor, recorded_at, body, prev_hash, hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                row.case_id,
                row.version,
                row.kind,
                row.actor,
                row.recorded_at,
                row.body,
                row.prev_hash,
                row.hash
            ])?;
        Ok(())
    }

    fn put_case(&mut self, row: &CaseRow<'_>, new: bool) -> R<()> {
        if new {
            // A new case is an import: its bundle is the one its `imported` event embeds (the
            // same bytes), read from there (see `bundle_sql!`), so the row holds none.
            self.conn
                .prepare_cached(
                    "INSERT INTO cases (case_id, jurisdiction, municipality, version, head_hash, bundle) \
                     VALUES (?1, ?2, ?3, ?4, ?5, NULL)",
                )?
                .execute(params![
                    row.case_id,
                    row.jurisdiction,
                    row.municipality,
                    row.version,
                    row.head_hash,
                ])?;
        } else {
            self.conn
                .prepare_cached(
                    "UPDATE cases SET jurisdiction = ?2, municipality = ?3, version = ?4, \
                     head_hash = ?5, bundle = ?6 WHERE case_id = ?1",
                )?
                .execute(params![
                    row.case_id,
                    row.jurisdiction,
                    row.municipality,
                    row.version,
                    row.head_hash,
                    row.bundle
                ])?;
        }
        Ok(())
    }

    fn put_deadlines(
        &mut self,
        case_id: &str,
        municipality: &str,
        rows: &[DeadlineRow],
        new: bool,
    ) -> R<()> {
        if !new {
            self.conn
                .prepare_cached("DELETE FROM deadlines WHERE case_id = ?1")?
                .execute([case_id])?;
        }
        let mut insert = self.conn.prepare_cached(
            "INSERT INTO deadlines (case_id, municipality, kind, record, record_id, sequence, due, \
             extended_due, effective_due, rule_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for d in rows {
            insert.execute(params![
                case_id,
                municipality,
                d.kind,
                d.record,
                d.record_id,
                d.sequence,
                d.due,
                d.extended_due,
                d.effective_due,
                d.rule_id
            ])?;
        }
        Ok(())
    }

    fn put_identities(&mut self, case_id: &str, digests: &[String], new: bool) -> R<()> {
        if !new {
            self.conn
                .prepare_cached("DELETE FROM identity_index WHERE case_id = ?1")?
                .execute([case_id])?;
        }
        let mut insert = self
            .conn
            .prepare_cached("INSERT INTO identity_index (digest, case_id) VALUES (?1, ?2)")?;
        for d in digests {
            insert.execute(params![d, case_id])?;
        }
        Ok(())
    }

    fn idempotency(&mut self, case_id: &str, key: &str) -> R<Option<(String, i64, i64)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT request, first_version, last_version FROM idempotency \
                 WHERE case_id = ?1 AND key = ?2",
            )?
            .query_row([case_id, key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?)
    }

    fn put_idempotency(
        &mut self,
        case_id: &str,
        key: &str,
        request: &str,
        first: i64,
        last: i64,
    ) -> R<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO idempotency (case_id, key, request, first_version, last_version) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![case_id, key, request, first, last])?;
        Ok(())
    }

    fn log_head(&mut self, chain: &str) -> R<(i64, String)> {
        Ok(self
            .conn
            .prepare_cached("SELECT seq, hash FROM log_heads WHERE chain = ?1")?
            .query_row([chain], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or((0, GENESIS.to_owned())))
    }

    fn insert_log(&mut self, row: &LogRow) -> R<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO access_log (chain, seq, at, staff_id, role, purpose, case_id, action, \
                 outcome, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                row.chain,
                row.seq,
                row.at,
                row.staff_id,
                row.role,
                row.purpose,
                row.case_id,
                row.action,
                row.outcome,
                row.detail,
                row.prev_hash,
                row.hash
            ])?;
        self.conn
            .prepare_cached(
                "INSERT INTO log_heads (chain, seq, hash) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            )?
            .execute(params![row.chain, row.seq, row.hash])?;
        Ok(())
    }

    fn events(&mut self, case_id: &str) -> R<Vec<EventRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT case_id, version, kind, actor, recorded_at, body, prev_hash, hash FROM events \
             WHERE case_id = ?1 ORDER BY version",
        )?;
        let rows = stmt.query_map([case_id], event_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn case_summaries(&mut self) -> R<Vec<CaseSummary>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT case_id, version, head_hash FROM cases ORDER BY seq")?;
        let rows = stmt.query_map([], |r| {
            Ok(CaseSummary {
                case_id: r.get(0)?,
                version: r.get(1)?,
                head_hash: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn bundles(&mut self, f: &mut dyn FnMut(&str) -> R<()>) -> R<u64> {
        let mut stmt = self.conn.prepare(concat!(
            "SELECT c.case_id, ",
            bundle_sql!(),
            " FROM cases c ORDER BY c.seq"
        ))?;
        let mut rows = stmt.query([])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            let text = row
                .get_ref(2)?
                .as_str()
                .map_err(|e| StoreError::Corrupt(format!("a stored bundle is not text: {e}")))?;
            if row.get::<_, bool>(1)? {
                let case_id: String = row.get(0)?;
                f(imported_bundle(text).ok_or_else(|| no_bundle(&case_id))?)?;
            } else {
                f(text)?;
            }
            n += 1;
        }
        Ok(n)
    }

    fn bundle(&mut self, case_id: &str) -> R<Option<String>> {
        let row = self
            .conn
            .prepare_cached(concat!(
                "SELECT ",
                bundle_sql!(),
                " FROM cases c WHERE c.case_id = ?1"
            ))?
            .query_row([case_id], |r| {
                Ok((r.get::<_, bool>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .optional()?;
        match row {
            Some((from_event, text)) => stored_bundle(case_id, from_event, text),
            None => Ok(None),
        }
    }

    fn log(
        &mut self,
        case_id: Option<&str>,
        by_chain: bool,
        f: &mut dyn FnMut(AccessEntry, String) -> R<()>,
    ) -> R<()> {
        let order = if by_chain { "chain, seq" } else { "id" };
        let sql = match case_id {
            // The entries naming a case are those of its chain and those of the global chain
            // (an access before the case existed, or refused before it was looked up); the case
            // index holds only the latter (see migration 2).
            Some(_) => format!(
                "SELECT {LOG_COLUMNS} FROM access_log WHERE chain = ?1 AND case_id = ?1 \
                 UNION ALL \
                 SELECT {LOG_COLUMNS} FROM access_log WHERE chain = '*' AND case_id = ?1 \
                 ORDER BY {order}"
            ),
            None => format!("SELECT {LOG_COLUMNS} FROM access_log ORDER BY {order}"),
        };
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = match case_id {
            Some(c) => stmt.query([c])?,
            None => stmt.query([])?,
        };
        while let Some(row) = rows.next()? {
            let (entry, prev) = access_entry(row)?;
            f(entry, prev)?;
        }
        Ok(())
    }

    fn log_heads(&mut self) -> R<Vec<(String, i64, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT chain, seq, hash FROM log_heads ORDER BY chain")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn worklist(&mut self, municipalities: Option<&[String]>, due_by: &str) -> R<Vec<WorklistRow>> {
        let map = |r: &rusqlite::Row<'_>| {
            Ok(WorklistRow {
                case_id: r.get(0)?,
                municipality: r.get(1)?,
                row: DeadlineRow {
                    kind: r.get(2)?,
                    record: r.get(3)?,
                    record_id: r.get(4)?,
                    sequence: r.get(5)?,
                    due: r.get(6)?,
                    extended_due: r.get(7)?,
                    effective_due: r.get(8)?,
                    rule_id: r.get(9)?,
                },
            })
        };
        const COLS: &str = "case_id, municipality, kind, record, record_id, sequence, due, \
                            extended_due, effective_due, rule_id";
        let mut out = Vec::new();
        match municipalities {
            None => {
                let mut stmt = self.conn.prepare_cached(&format!(
                    "SELECT {COLS} FROM deadlines WHERE effective_due <= ?1 \
                     ORDER BY effective_due, case_id, record"
                ))?;
                for r in stmt.query_map([due_by], map)? {
                    out.push(r?);
                }
            }
            Some(list) => {
                let mut stmt = self.conn.prepare_cached(&format!(
                    "SELECT {COLS} FROM deadlines WHERE municipality = ?1 AND effective_due <= ?2 \
                     ORDER BY effective_due, case_id, record"
                ))?;
                for m in list {
                    for r in stmt.query_map([m.as_str(), due_by], map)? {
                        out.push(r?);
                    }
                }
                if list.len() > 1 {
                    out.sort_by(|a, b| {
                        (&a.row.effective_due, &a.case_id, &a.row.record).cmp(&(
                            &b.row.effective_due,
                            &b.case_id,
                            &b.row.record,
                        ))
                    });
                }
            }
        }
        Ok(out)
    }

    fn cases_by_digest(&mut self, digest: &str) -> R<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.case_id, c.municipality FROM identity_index i JOIN cases c ON c.case_id = i.case_id \
             WHERE i.digest = ?1 ORDER BY c.seq",
        )?;
        let rows = stmt.query_map([digest], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn meta(&mut self, key: &str) -> R<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM store_meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    fn set_meta(&mut self, key: &str, value: &str) -> R<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO store_meta (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute([key, value])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (frames in the WAL, frames copied), as a `PASSIVE` checkpoint reports them: it copies
    /// every frame that no reader's snapshot still needs (none while the test's reader holds
    /// its snapshot).
    fn wal_state(conn: &Connection) -> (i64, i64) {
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get(1)?, r.get(2)?))
        })
        .unwrap()
    }

    fn commit_rows(conn: &Connection, rows: usize) {
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        for i in 0..rows {
            conn.execute("INSERT INTO t (v) VALUES (?1)", [format!("{i:0>2000}")])
                .unwrap();
        }
        conn.execute_batch("COMMIT").unwrap();
    }

    #[test]
    fn a_checkpoint_copies_the_frames_committed_during_its_first_pass_and_the_wal_starts_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal.db");
        let writer_conn = Connection::open(&path).unwrap();
        configure(&writer_conn, false).unwrap();
        writer_conn
            .pragma_update(None, "wal_autocheckpoint", 0)
            .unwrap();
        writer_conn
            .execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            .unwrap();
        commit_rows(&writer_conn, 200);
        let checkpointer = Connection::open(&path).unwrap();
        configure(&checkpointer, false).unwrap();
        let writer = parking_lot::FairMutex::new(());

        // A reader holding a snapshot keeps the first pass from copying the frames after it
        // (as frames committed while a pass runs are beyond it); the second pass, holding the
        // writers' turn, runs once the reader is done.
        let reader = Connection::open(&path).unwrap();
        reader.execute_batch("BEGIN").unwrap();
        let _: i64 = reader
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        commit_rows(&writer_conn, 200);
        let (frames, copied) = wal_state(&checkpointer);
        assert!(
            copied < frames,
            "the reader pinned nothing: {copied} of {frames}"
        );
        let turn = writer.lock();
        let checkpointer = std::thread::scope(|s| {
            let writer = &writer;
            let done = s.spawn(move || {
                let result = checkpoint_wal(&checkpointer, writer).unwrap();
                (result, checkpointer)
            });
            // The second pass waits for the writers' turn; the reader finishes meanwhile.
            std::thread::sleep(Duration::from_millis(100));
            reader.execute_batch("COMMIT").unwrap();
            drop(turn);
            let ((frames, copied), checkpointer) = done.join().unwrap();
            assert!(frames > 0);
            assert_eq!(copied, frames, "the second pass left frames uncopied");
            checkpointer
        });

        // Copied in full, the WAL starts again from its beginning at the next commit.
        let before = wal_state(&checkpointer).0;
        commit_rows(&writer_conn, 1);
        let (after, _) = wal_state(&checkpointer);
        assert!(
            after < 10 && after < before,
            "the WAL went on from frame {before} to {after} instead of starting again"
        );
    }

    #[test]
    fn a_bulk_write_gives_its_connection_back_with_the_usual_page_cache() {
        let dir = tempfile::tempdir().unwrap();
        let store = Sqlite::open(&dir.path().join("bulk.db"), true).unwrap();
        store
            .write_bulk(&mut |tx| Ok(tx.set_meta("bulk", "written")))
            .unwrap();
        let conn = store.conn(false).unwrap();
        let after: i64 = conn
            .conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            after, CACHE_KIB,
            "the connection went back to its pool with 32 MiB"
        );
    }
}
