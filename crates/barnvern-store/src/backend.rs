//! What the engine needs from a database, implemented once for SQLite and once for
//! PostgreSQL. Every method runs inside the transaction it is called on.

use std::collections::HashMap;

use crate::error::StoreError;
use crate::model::AccessEntry;

pub(crate) type R<T> = Result<T, StoreError>;

/// A stream's head and projection.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub version: i64,
    pub hash: String,
    pub municipality: String,
    /// The current bundle's JSON, when asked for.
    pub bundle: Option<String>,
    /// The head (seq, hash) of the case's access-log chain, locked until the transaction ends,
    /// where the backend read it with the case (PostgreSQL's `locked_head`: one round trip and
    /// one row update fewer an append); `None` where it did not or the chain has no entry yet.
    pub log_head: Option<(i64, String)>,
}

/// An event row.
#[derive(Debug, Clone)]
pub(crate) struct EventRow {
    pub case_id: String,
    pub version: i64,
    pub kind: String,
    pub actor: String,
    pub recorded_at: String,
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The projection row of a case.
#[derive(Debug, Clone)]
pub(crate) struct CaseRow<'a> {
    pub case_id: &'a str,
    pub jurisdiction: &'a str,
    pub municipality: &'a str,
    pub version: i64,
    pub head_hash: String,
    pub bundle: &'a str,
}

/// A new stream, as an import writes it: its `imported` event, its projection, its open
/// deadlines and its identity digests.
#[derive(Debug, Clone)]
pub(crate) struct NewCase<'a> {
    pub event: EventRow,
    pub case: CaseRow<'a>,
    pub deadlines: Vec<DeadlineRow>,
    pub digests: &'a [String],
}

/// One open deadline of a case, as kept in the worklist projection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeadlineRow {
    pub kind: String,
    pub record: String,
    pub record_id: String,
    pub sequence: Option<i64>,
    pub due: String,
    pub extended_due: Option<String>,
    pub effective_due: String,
    pub rule_id: String,
}

/// A worklist row with its case.
#[derive(Debug, Clone)]
pub(crate) struct WorklistRow {
    pub case_id: String,
    pub municipality: String,
    pub row: DeadlineRow,
}

/// An access log row to insert.
#[derive(Debug, Clone)]
pub(crate) struct LogRow {
    pub chain: String,
    pub seq: i64,
    pub at: String,
    pub staff_id: String,
    pub role: String,
    pub purpose: String,
    pub case_id: Option<String>,
    pub action: String,
    pub outcome: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A case summary for verify and export.
#[derive(Debug, Clone)]
pub(crate) struct CaseSummary {
    pub case_id: String,
    pub version: i64,
    pub head_hash: String,
}

/// One transaction.
pub(crate) trait Tx {
    /// Serialises every operation on one case id until the end of the transaction (SQLite:
    /// nothing to do, the write lock is already held).
    fn lock_case(&mut self, case_id: &str) -> R<()>;
    fn head(&mut self, case_id: &str, with_bundle: bool) -> R<Option<Head>>;
    /// The head of an existing case, with its bundle, after taking the lock of
    /// [`Tx::lock_case`] (PostgreSQL: one statement that locks the row, `FOR UPDATE`, instead
    /// of two round trips; a case that does not exist needs no lock for an append).
    fn locked_head(&mut self, case_id: &str) -> R<Option<Head>> {
        self.lock_case(case_id)?;
        self.head(case_id, true)
    }
    /// Writes the events of an append and moves the case's projection to their end
    /// (PostgreSQL: in one statement).
    fn append_rows(&mut self, events: &[EventRow], case: &CaseRow<'_>) -> R<()> {
        for e in events {
            self.insert_event(e)?;
        }
        self.put_case(case, false)
    }
    fn insert_event(&mut self, row: &EventRow) -> R<()>;
    /// Writes the case's projection row (`new`: an import, whose `imported` event, written
    /// in the same transaction, embeds `row.bundle`; SQLite keeps the bundle there only).
    fn put_case(&mut self, row: &CaseRow<'_>, new: bool) -> R<()>;
    /// Replaces the case's worklist rows (`new`: the case has none yet).
    fn put_deadlines(
        &mut self,
        case_id: &str,
        municipality: &str,
        rows: &[DeadlineRow],
        new: bool,
    ) -> R<()>;
    /// Replaces the case's identity index rows (`new`: the case has none yet).
    fn put_identities(&mut self, case_id: &str, digests: &[String], new: bool) -> R<()>;
    fn idempotency(&mut self, case_id: &str, key: &str) -> R<Option<(String, i64, i64)>>;
    fn put_idempotency(
        &mut self,
        case_id: &str,
        key: &str,
        request: &str,
        first: i64,
        last: i64,
    ) -> R<()>;
    /// The chain's last (seq, hash), locked for update; (0, GENESIS) for a new chain.
    fn log_head(&mut self, chain: &str) -> R<(i64, String)>;
    /// Inserts the row and moves the chain's head to it.
    fn insert_log(&mut self, row: &LogRow) -> R<()>;
    fn events(&mut self, case_id: &str) -> R<Vec<EventRow>>;
    fn case_summaries(&mut self) -> R<Vec<CaseSummary>>;
    fn bundles(&mut self, f: &mut dyn FnMut(&str) -> R<()>) -> R<u64>;
    fn bundle(&mut self, case_id: &str) -> R<Option<String>>;
    /// Every log entry (ordered by chain and seq when `by_chain`, else by id), with its
    /// prev_hash; only those naming `case_id` when given.
    fn log(
        &mut self,
        case_id: Option<&str>,
        by_chain: bool,
        f: &mut dyn FnMut(AccessEntry, String) -> R<()>,
    ) -> R<()>;
    fn log_heads(&mut self) -> R<Vec<(String, i64, String)>>;
    /// Serialises every operation on each of `case_ids` (see [`Tx::lock_case`]).
    fn lock_cases(&mut self, case_ids: &[&str]) -> R<()> {
        for c in case_ids {
            self.lock_case(c)?;
        }
        Ok(())
    }
    /// The heads, with their bundles, of those of `case_ids` that exist.
    fn heads(&mut self, case_ids: &[&str]) -> R<HashMap<String, Head>> {
        let mut out = HashMap::with_capacity(case_ids.len());
        for c in case_ids {
            if let Some(h) = self.head(c, true)? {
                out.insert((*c).to_owned(), h);
            }
        }
        Ok(out)
    }
    /// Writes new streams (see [`NewCase`]), in order.
    fn insert_cases(&mut self, cases: &[NewCase<'_>]) -> R<()> {
        for c in cases {
            self.insert_event(&c.event)?;
            self.put_case(&c.case, true)?;
            self.put_deadlines(c.case.case_id, c.case.municipality, &c.deadlines, true)?;
            self.put_identities(c.case.case_id, c.digests, true)?;
        }
        Ok(())
    }
    /// The heads of several log chains, locked for update ((0, GENESIS) for new ones).
    fn log_heads_of(&mut self, chains: &[&str]) -> R<HashMap<String, (i64, String)>> {
        let mut out = HashMap::with_capacity(chains.len());
        for c in chains {
            if !out.contains_key(*c) {
                out.insert((*c).to_owned(), self.log_head(c)?);
            }
        }
        Ok(out)
    }
    /// Inserts log rows, in order, and moves each chain's head to its last row.
    fn insert_logs(&mut self, rows: &[LogRow]) -> R<()> {
        for r in rows {
            self.insert_log(r)?;
        }
        Ok(())
    }
    /// Open deadlines with effective due date on or before `due_by`, in `municipalities`
    /// (all when `None`), by due date.
    fn worklist(&mut self, municipalities: Option<&[String]>, due_by: &str) -> R<Vec<WorklistRow>>;
    fn cases_by_digest(&mut self, digest: &str) -> R<Vec<(String, String)>>;
    fn meta(&mut self, key: &str) -> R<Option<String>>;
    fn set_meta(&mut self, key: &str, value: &str) -> R<()>;
}

/// A database the engine runs on.
pub(crate) trait Backend: Send + Sync {
    /// Runs `f` in a write transaction. An outer error rolls back; an inner one (a refusal)
    /// commits what `f` wrote (the access log entry) and is returned. With `durable`, the
    /// commit is on disk before it returns; without (the access log entry of a read), it
    /// survives a crash of the process but may be lost, whole, in a power cut (SQLite
    /// `synchronous = NORMAL` in WAL mode, PostgreSQL `synchronous_commit = off`).
    fn write<T>(&self, durable: bool, f: &mut dyn FnMut(&mut dyn Tx) -> R<R<T>>) -> R<T>;
    /// [`Backend::write`], durable, for a transaction that writes many cases (a batch of an
    /// import).
    fn write_bulk<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> R<R<T>>) -> R<T> {
        self.write(true, f)
    }
    /// [`Backend::write`] for the access-log entries of reads, and on a backend that reads
    /// inside that transaction ([`Backend::reads_in_log_transaction`]) the reads themselves.
    fn write_reads<T>(&self, durable: bool, f: &mut dyn FnMut(&mut dyn Tx) -> R<R<T>>) -> R<T> {
        self.write(durable, f)
    }
    /// Runs `f` in a read-only snapshot.
    fn read<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> R<T>) -> R<T>;
    /// [`Backend::read`] for a snapshot that reads much of the store (every bundle, the whole
    /// access log, a verification).
    fn read_bulk<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> R<T>) -> R<T> {
        self.read(f)
    }
    /// Whether a read of a case is best done inside the write transaction that logs it, in a
    /// batch with concurrent reads, rather than in a snapshot of its own followed by a batch
    /// of log entries. See the SQLite backend for why it does.
    fn reads_in_log_transaction(&self) -> bool {
        false
    }
}
