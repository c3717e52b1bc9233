//! Cases as tamper-evident event streams, on SQLite (embedded, the default) or PostgreSQL,
//! behind one trait, [`CaseStore`].
//!
//! - A case is a stream of the workflow events [`barnvern_case::Case::apply`] accepts, started
//!   by one `imported` event holding an existing bundle. Each event row holds the SHA-256 of
//!   the previous row's hash and its own content; [`CaseStore::verify`] recomputes every chain,
//!   replays every stream and names the case and version where something breaks.
//! - Appends name the version they expect (optimistic concurrency): if the stream has moved on,
//!   nothing is written and the caller gets [`StoreError::Conflict`]. An append of several
//!   events is all or nothing; an event the workflow refuses is [`StoreError::Refused`] with
//!   its findings; an idempotency key makes a retried append harmless.
//! - Every call takes an [`Actor`]. Caseworkers and team leaders see the cases of the
//!   municipalities they serve (any other case is "not found"); auditors read only the access
//!   log and verify; data stewards only stream bundles into the pseudonymising research
//!   extract. Every call, allowed or refused, is appended to the hash-chained access log in
//!   the same transaction.
//! - The deadline worklist is a projection of the open statutory deadlines
//!   (`barnvern_case::deadlines`), kept on every append; the status is computed from the query's
//!   `as_of`.
//! - A child is looked up by identity number through an HMAC index under the [`StoreKey`];
//!   there is no plain-text identity column, and no error or log line holds a number.
//!
//! ```
//! use barnvern_case::{Case, CaseEvent};
//! use barnvern_store::{Actor, CaseStore, ImportSource, Role, SqliteStore, StoreKey, WorklistQuery};
//! use chrono::NaiveDate;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let key = StoreKey::new(b"a store key of at least thirty-two bytes")?;
//! let store = SqliteStore::create(&dir.path().join("cases.db"), Some(key))?;
//!
//! // A caseworker in Stockholm (0180) imports an existing case ...
//! let me = Actor {
//!     staff_id: "s-1".into(),
//!     role: Role::Caseworker,
//!     municipalities: vec!["0180".parse().map_err(|e: barnvern_core::Finding| e.message)?],
//!     purpose: "case work".into(),
//! };
//! let case = Case::from_json(include_str!("../../../examples/se-case.json"))?;
//! let source = ImportSource { system: "example".into(), ..ImportSource::default() };
//! store.import(&me, &case, &source)?;
//!
//! // ... reads it, and appends an event that the workflow accepts, naming the version read.
//! let read = store.read(&me, "SE-0180-2024-001234")?;
//! assert_eq!(read.version, 1);
//! let event = CaseEvent::from_json(r#"{"type": "case_reopened", "reopened_on": "2025-06-01",
//!     "provenance": {"recorded_at": "2025-06-01T10:00:00Z",
//!     "recorded_by": {"role": "caseworker", "staff": "s-1"}, "source_system": "demo"}}"#)?;
//! match store.append(&me, "SE-0180-2024-001234", read.version, &[event], Some("req-1")) {
//!     Ok(done) => assert_eq!(done.version, 2),
//!     // The example case is open, so the workflow refuses a reopening: nothing is stored.
//!     Err(e) => assert_eq!(e.code(), "store.refused"),
//! }
//!
//! // The deadline worklist of the municipality, as of a date.
//! let q = WorklistQuery { as_of: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(), within_days: 7, municipality: None };
//! for item in store.worklist(&me, &q)? {
//!     println!("{} {} due {} {:?}", item.case_id, item.kind.as_str(), item.due, item.status);
//! }
//!
//! // Someone in Oslo does not see the case at all.
//! let oslo = "0301".parse().map_err(|e: barnvern_core::Finding| e.message)?;
//! let other = Actor { municipalities: vec![oslo], ..me.clone() };
//! assert_eq!(store.read(&other, "SE-0180-2024-001234").unwrap_err().code(), "store.case_not_found");
//!
//! // Every chain holds.
//! assert!(store.verify(&Actor::local_administrator("check"))?.is_ok());
//! # Ok(())
//! # }
//! ```

mod actor;
mod backend;
mod chain;
mod engine;
mod error;
mod group_log;
mod model;
mod pool;
mod postgres;
mod sqlite;

use std::path::Path;

use barnvern_case::{Case, CaseEvent};
use barnvern_core::PersonId;

pub use actor::{Action, Actor, Role};
pub use chain::{GENESIS, StoreKey};
pub use engine::replay;
pub use error::{Finding, StoreError};
pub use model::{
    AccessEntry, ActorRecord, Appended, ChainBreak, EventBody, ImportOutcome, ImportSource,
    Outcome, StoredBundle, StoredCase, StoredEvent, VerifyReport, WorklistItem, WorklistQuery,
};

/// The latest schema version (migration) of each backend.
pub const SCHEMA_VERSION: i64 = 4;

/// A case store. Both backends implement it with the same behaviour; a service holds one as
/// `Arc<dyn CaseStore>` and calls it from blocking threads (every method blocks on the
/// database; connections are pooled inside, so calls from many threads run at once).
pub trait CaseStore: Send + Sync {
    /// Starts a stream from an existing bundle with an `imported` event. The identical bundle
    /// again is [`ImportOutcome::Unchanged`]; a different bundle under the same id is a
    /// [`StoreError::Conflict`].
    fn import(
        &self,
        actor: &Actor,
        case: &Case,
        source: &ImportSource,
    ) -> Result<ImportOutcome, StoreError> {
        let items = [(case.clone(), source.clone())];
        self.import_batch(actor, &items)?
            .into_iter()
            .next()
            .unwrap_or(Err(StoreError::Database("no result".into())))
    }

    /// Imports many bundles in one transaction (one durable commit); each is decided and
    /// logged on its own. An error of the store itself (outer `Err`) writes nothing.
    fn import_batch(
        &self,
        actor: &Actor,
        items: &[(Case, ImportSource)],
    ) -> Result<Vec<Result<ImportOutcome, StoreError>>, StoreError>;

    /// Appends `events` to the case's stream if it is at `expected_version`: all or nothing.
    /// With an idempotency key seen before for the same request, returns the first result and
    /// writes no event.
    fn append(
        &self,
        actor: &Actor,
        case_id: &str,
        expected_version: u64,
        events: &[CaseEvent],
        idempotency_key: Option<&str>,
    ) -> Result<Appended, StoreError>;

    /// The case's current bundle and version.
    fn read(&self, actor: &Actor, case_id: &str) -> Result<StoredCase, StoreError>;

    /// The case's current bundle as the canonical JSON the store holds, and its version, without
    /// parsing it: the same access check and access-log entry as [`CaseStore::read`], at a
    /// fraction of the cost, for a service that sends the bundle on as it is.
    fn read_json(&self, actor: &Actor, case_id: &str) -> Result<StoredBundle, StoreError>;

    /// The case's events, in order.
    fn history(&self, actor: &Actor, case_id: &str) -> Result<Vec<StoredEvent>, StoreError>;

    /// The ids of the cases of a child, by identity number (through the keyed index), among
    /// the cases the actor sees.
    fn lookup(&self, actor: &Actor, id: &PersonId) -> Result<Vec<String>, StoreError>;

    /// Open deadlines due within the query's window or overdue, in the municipalities asked
    /// for that the actor serves, by due date.
    fn worklist(
        &self,
        actor: &Actor,
        query: &WorklistQuery,
    ) -> Result<Vec<WorklistItem>, StoreError>;

    /// The access log (auditors and the administrator), in order; of one case when given.
    fn access_log(
        &self,
        actor: &Actor,
        case_id: Option<&str>,
    ) -> Result<Vec<AccessEntry>, StoreError>;

    /// Streams every current bundle as canonical JSON, in import order (administrator only:
    /// the bundles identify children). Returns the count.
    fn export(
        &self,
        actor: &Actor,
        sink: &mut dyn FnMut(&str) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError>;

    /// Streams every current bundle into a research extract (data stewards and the
    /// administrator). The caller must pseudonymise (`barnvern-extract` does).
    fn extract_bundles(
        &self,
        actor: &Actor,
        sink: &mut dyn FnMut(&str) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError>;

    /// Recomputes every hash chain, replays every stream against its stored bundle and checks
    /// the access log (auditors and the administrator).
    fn verify(&self, actor: &Actor) -> Result<VerifyReport, StoreError>;

    /// Logs a request that a service refused before calling the store (so that every request,
    /// allowed or not, is in the access log): with the actor when one is known, else as
    /// `unauthenticated` (no credentials, expired or forged ones) with the purpose the request
    /// gave; the action asked for, the case named and the refusal's code. Not durable, like the
    /// entry of a read.
    fn log_refusal(
        &self,
        actor: Option<&Actor>,
        action: Action,
        case_id: Option<&str>,
        purpose: &str,
        code: &str,
    ) -> Result<(), StoreError>;

    /// Whether the database answers (for a service's readiness probe); writes nothing.
    fn ping(&self) -> Result<(), StoreError>;
}

macro_rules! impl_store {
    ($name:ident) => {
        impl CaseStore for $name {
            fn import_batch(
                &self,
                actor: &Actor,
                items: &[(Case, ImportSource)],
            ) -> Result<Vec<Result<ImportOutcome, StoreError>>, StoreError> {
                self.engine.import_batch(actor, items)
            }

            fn append(
                &self,
                actor: &Actor,
                case_id: &str,
                expected_version: u64,
                events: &[CaseEvent],
                idempotency_key: Option<&str>,
            ) -> Result<Appended, StoreError> {
                self.engine
                    .append(actor, case_id, expected_version, events, idempotency_key)
            }

            fn read(&self, actor: &Actor, case_id: &str) -> Result<StoredCase, StoreError> {
                self.engine.read(actor, case_id)
            }

            fn read_json(&self, actor: &Actor, case_id: &str) -> Result<StoredBundle, StoreError> {
                self.engine.read_json(actor, case_id)
            }

            fn history(
                &self,
                actor: &Actor,
                case_id: &str,
            ) -> Result<Vec<StoredEvent>, StoreError> {
                self.engine.history(actor, case_id)
            }

            fn lookup(&self, actor: &Actor, id: &PersonId) -> Result<Vec<String>, StoreError> {
                self.engine.lookup(actor, id)
            }

            fn worklist(
                &self,
                actor: &Actor,
                query: &WorklistQuery,
            ) -> Result<Vec<WorklistItem>, StoreError> {
                self.engine.worklist(actor, query)
            }

            fn access_log(
                &self,
                actor: &Actor,
                case_id: Option<&str>,
            ) -> Result<Vec<AccessEntry>, StoreError> {
                self.engine.access_log(actor, case_id)
            }

            fn export(
                &self,
                actor: &Actor,
                sink: &mut dyn FnMut(&str) -> Result<(), StoreError>,
            ) -> Result<u64, StoreError> {
                self.engine.stream_bundles(actor, Action::Export, sink)
            }

            fn extract_bundles(
                &self,
                actor: &Actor,
                sink: &mut dyn FnMut(&str) -> Result<(), StoreError>,
            ) -> Result<u64, StoreError> {
                self.engine.stream_bundles(actor, Action::Extract, sink)
            }

            fn verify(&self, actor: &Actor) -> Result<VerifyReport, StoreError> {
                self.engine.verify(actor)
            }

            fn log_refusal(
                &self,
                actor: Option<&Actor>,
                action: Action,
                case_id: Option<&str>,
                purpose: &str,
                code: &str,
            ) -> Result<(), StoreError> {
                self.engine
                    .log_refusal(actor, action, case_id, purpose, code)
            }

            fn ping(&self) -> Result<(), StoreError> {
                self.engine.ping()
            }
        }
    };
}

/// The SQLite store: one file, WAL mode, durable commits.
pub struct SqliteStore {
    engine: engine::Engine<sqlite::Sqlite>,
}

impl SqliteStore {
    /// Creates the file if needed and applies every pending migration.
    pub fn create(path: &Path, key: Option<StoreKey>) -> Result<SqliteStore, StoreError> {
        let store = SqliteStore {
            engine: engine::Engine::new(sqlite::Sqlite::open(path, true)?, key),
        };
        store.engine.check_key()?;
        Ok(store)
    }

    /// Opens an initialised store (applying any pending migration); a file that holds no store
    /// is [`StoreError::NotInitialised`].
    pub fn open(path: &Path, key: Option<StoreKey>) -> Result<SqliteStore, StoreError> {
        let store = SqliteStore {
            engine: engine::Engine::new(sqlite::Sqlite::open(path, false)?, key),
        };
        store.engine.check_key()?;
        Ok(store)
    }
}

/// The PostgreSQL store.
pub struct PostgresStore {
    engine: engine::Engine<postgres::Postgres>,
}

impl PostgresStore {
    /// Connects (`postgres://user@host:port/db`) and applies every pending migration.
    pub fn create(url: &str, key: Option<StoreKey>) -> Result<PostgresStore, StoreError> {
        let mut store = PostgresStore {
            engine: engine::Engine::new(postgres::Postgres::open(url, true)?, key),
        };
        store.engine.durable_reads = true;
        store.engine.check_key()?;
        Ok(store)
    }

    /// Connects to an initialised store (applying any pending migration).
    pub fn open(url: &str, key: Option<StoreKey>) -> Result<PostgresStore, StoreError> {
        let mut store = PostgresStore {
            engine: engine::Engine::new(postgres::Postgres::open(url, false)?, key),
        };
        store.engine.durable_reads = true;
        store.engine.check_key()?;
        Ok(store)
    }
}

impl SqliteStore {
    /// Commit the access-log entry of every read durably (flushed to disk before the read
    /// returns), at the price of one disk flush per read. By default a read's entry commits
    /// into the WAL without a flush (a crash of the process loses nothing) and a flusher thread
    /// puts it on disk within 50 ms, so a power cut can lose only the entries of the reads
    /// served in the last 50 ms, whole, at the end of their chains. Imports and appends are
    /// always durable.
    pub fn set_durable_reads(&mut self, durable: bool) {
        self.engine.durable_reads = durable;
    }
}

impl_store!(SqliteStore);
impl PostgresStore {
    /// Whether the access-log entry of a read commits durably (the default: on disk before the
    /// read returns; concurrent readers share the server's flushes). With `false` a read's
    /// entry commits with `synchronous_commit = off`: the server puts it on disk within three
    /// times its `wal_writer_delay` (600 ms by default), and a crash of the server or the
    /// machine can lose the entries of that window, whole. Imports and appends are always
    /// durable.
    pub fn set_durable_reads(&mut self, durable: bool) {
        self.engine.durable_reads = durable;
    }
}

impl_store!(PostgresStore);

/// Where a store lives, from a URL: `sqlite:PATH` or `postgres://...` (`postgresql://` too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl Location {
    /// Parses a store URL.
    pub fn parse(url: &str) -> Result<Location, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(StoreError::BadUrl(
                    "sqlite: needs a file path (sqlite:cases.db)".into(),
                ));
            }
            Ok(Location::Sqlite(path.into()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Location::Postgres(url.to_owned()))
        } else {
            Err(StoreError::BadUrl(
                "a store is named sqlite:PATH or postgres://USER@HOST:PORT/DB".into(),
            ))
        }
    }
}

/// Opens the store at `url` (see [`Location`]); with `create`, creates it and applies every
/// migration, else refuses a database that holds no store.
pub fn open(
    url: &str,
    key: Option<StoreKey>,
    create: bool,
) -> Result<Box<dyn CaseStore>, StoreError> {
    Ok(match (Location::parse(url)?, create) {
        (Location::Sqlite(p), true) => Box::new(SqliteStore::create(&p, key)?),
        (Location::Sqlite(p), false) => Box::new(SqliteStore::open(&p, key)?),
        (Location::Postgres(u), true) => Box::new(PostgresStore::create(&u, key)?),
        (Location::Postgres(u), false) => Box::new(PostgresStore::open(&u, key)?),
    })
}
