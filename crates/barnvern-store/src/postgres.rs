//! The PostgreSQL backend: the same tables as SQLite, durable commits (the server's default
//! `synchronous_commit = on`), operations on one case serialised by a transaction-scoped
//! advisory lock on its id, so that writers on distinct cases run in parallel.

use std::collections::HashMap;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement, Transaction};

use crate::backend::{
    Backend, CaseRow, CaseSummary, DeadlineRow, EventRow, Head, LogRow, NewCase, R, Tx, WorklistRow,
};
use crate::chain::GENESIS;
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
    version     BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    body        TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (case_id, version)
);
CREATE TABLE cases (
    seq          BIGSERIAL PRIMARY KEY,
    case_id      TEXT NOT NULL UNIQUE,
    jurisdiction TEXT NOT NULL,
    municipality TEXT NOT NULL,
    version      BIGINT NOT NULL,
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
    sequence      BIGINT,
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
);
CREATE INDEX identity_case ON identity_index (case_id);
CREATE TABLE idempotency (
    case_id       TEXT NOT NULL,
    key           TEXT NOT NULL,
    request       TEXT NOT NULL,
    first_version BIGINT NOT NULL,
    last_version  BIGINT NOT NULL,
    PRIMARY KEY (case_id, key)
);
CREATE TABLE access_log (
    id        BIGSERIAL PRIMARY KEY,
    chain     TEXT NOT NULL,
    seq       BIGINT NOT NULL,
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
CREATE TABLE log_heads (chain TEXT PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL);
"#,
    ),
    (
        2,
        "access log: case index of the global chain only",
        // An entry on an existing case is in that case's chain (`chain = case_id`) and found
        // through the (chain, seq) index; only the global chain's entries need the case index,
        // so the entry of every read and append no longer inserts into it.
        r#"
DROP INDEX access_log_case;
CREATE INDEX access_log_case ON access_log (case_id) WHERE chain = '*';
"#,
    ),
    (
        3,
        "events: nothing to change (SQLite's version 3 moves its events into a rowid table)",
        // PostgreSQL keeps every table in a heap with its primary key in a separate index, which
        // is what SQLite's version 3 gives its events table; the version is recorded so that
        // both backends stand at the same schema version.
        "SELECT 1",
    ),
    (
        4,
        "bundles and event bodies compressed with lz4",
        // A bundle or event body of more than about 2 KB is compressed when stored (TOAST), with
        // pglz by default. Every append writes the case's whole bundle and its events, and pglz
        // was about 4 % of the server's and client's CPU under eight writers (`perf`); lz4
        // compresses several times faster. Appends from 8 writers on distinct cases, 20,000
        // imported children, three stores each: 1,837 events/s with pglz, 2,010 with lz4
        // (medians). Values already stored keep pglz; both are read alike. A server built
        // without lz4 (or older than PostgreSQL 14) keeps pglz, with a notice.
        r#"
DO $$
BEGIN
    EXECUTE 'ALTER TABLE cases ALTER COLUMN bundle SET COMPRESSION lz4';
    EXECUTE 'ALTER TABLE events ALTER COLUMN body SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    RAISE NOTICE 'lz4 compression is not available on this server: bundles stay compressed with pglz';
END
$$;
"#,
    ),
];

/// Transactions that lost a deadlock or serialisation race are retried this often.
const RETRIES: usize = 5;

pub(crate) struct Postgres {
    url: String,
    pool: crate::pool::Pool<Conn>,
}

/// A pooled connection and the statements prepared on it: each statement is parsed once per
/// connection (a query by text costs a second round trip, to parse it, every time).
struct Conn {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

fn connect(url: &str) -> R<Conn> {
    let client = Client::connect(url, NoTls)
        .map_err(|e| StoreError::Database(format!("cannot connect to PostgreSQL: {e}")))?;
    Ok(Conn {
        client,
        statements: HashMap::new(),
    })
}

fn retryable(e: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    e.code().is_some_and(|c| {
        *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE
    })
}

/// A database error, remembering whether a retry may succeed.
struct PgError {
    error: StoreError,
    retry: bool,
}

impl Postgres {
    pub(crate) fn open(url: &str, create: bool) -> R<Postgres> {
        let mut conn = connect(url)?;
        migrate(&mut conn.client, create)?;
        let pool = crate::pool::Pool::new(32);
        pool.give(conn);
        Ok(Postgres {
            url: url.to_owned(),
            pool,
        })
    }

    fn conn(&self) -> R<Conn> {
        match self.pool.take() {
            Some(c) if !c.client.is_closed() => Ok(c),
            _ => connect(&self.url),
        }
    }
}

fn migrate(client: &mut Client, create: bool) -> R<()> {
    let mut tx = client.transaction()?;
    // One migrator at a time.
    tx.execute("SELECT pg_advisory_xact_lock(7274690201)", &[])?;
    let exists: bool = tx
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        if !create {
            return Err(StoreError::NotInitialised);
        }
        tx.batch_execute(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )?;
    }
    let current: i64 = tx
        .query_one(
            "SELECT coalesce(max(version), 0)::BIGINT FROM schema_migrations",
            &[],
        )?
        .get(0);
    let latest = MIGRATIONS.last().map_or(0, |m| m.0);
    if current > latest {
        return Err(StoreError::SchemaVersion {
            found: current,
            supported: latest,
        });
    }
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[version, name, &crate::engine::now()],
        )?;
    }
    tx.commit()?;
    Ok(())
}

impl Backend for Postgres {
    fn write<T>(&self, durable: bool, f: &mut dyn FnMut(&mut dyn Tx) -> R<R<T>>) -> R<T> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut conn = self.conn()?;
            let outcome = (|| -> Result<R<T>, PgError> {
                let Conn { client, statements } = &mut conn;
                let tx = client.transaction().map_err(|e| PgError {
                    retry: false,
                    error: e.into(),
                })?;
                let mut pg = PgTx {
                    tx,
                    statements,
                    retry: false,
                };
                if !durable {
                    pg.tx
                        .batch_execute("SET LOCAL synchronous_commit = off")
                        .map_err(|e| PgError {
                            retry: false,
                            error: e.into(),
                        })?;
                }
                match f(&mut pg) {
                    Ok(result) => {
                        pg.tx.commit().map_err(|e| PgError {
                            retry: retryable(&e),
                            error: e.into(),
                        })?;
                        Ok(result)
                    }
                    Err(error) => Err(PgError {
                        retry: pg.retry,
                        error,
                    }),
                }
            })();
            match outcome {
                Ok(result) => {
                    self.pool.give(conn);
                    return result;
                }
                Err(PgError { retry: true, .. }) if attempt < RETRIES => {
                    self.pool.give(conn);
                }
                Err(PgError { error, .. }) => {
                    if !conn.client.is_closed() {
                        self.pool.give(conn);
                    }
                    return Err(error);
                }
            }
        }
    }

    fn read<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> R<T>) -> R<T> {
        let mut conn = self.conn()?;
        let (result, committed) = {
            let Conn { client, statements } = &mut conn;
            let tx = client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let mut pg = PgTx {
                tx,
                statements,
                retry: false,
            };
            let result = f(&mut pg);
            (result, pg.tx.commit().is_ok())
        };
        if committed {
            self.pool.give(conn);
        }
        result
    }
}

struct PgTx<'a> {
    tx: Transaction<'a>,
    statements: &'a mut HashMap<&'static str, Statement>,
    /// Set when a statement failed in a way a retry of the whole transaction may cure.
    retry: bool,
}

type Params<'p> = [&'p (dyn ToSql + Sync)];

impl PgTx<'_> {
    fn err(&mut self, e: postgres::Error) -> StoreError {
        if retryable(&e) {
            self.retry = true;
        }
        e.into()
    }

    /// The statement of `sql`, prepared on this connection once.
    fn prepared(&mut self, sql: &'static str) -> R<Statement> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        match self.tx.prepare(sql) {
            Ok(st) => {
                self.statements.insert(sql, st.clone());
                Ok(st)
            }
            Err(e) => Err(self.err(e)),
        }
    }

    fn execute(&mut self, sql: &'static str, params: &Params<'_>) -> R<u64> {
        let st = self.prepared(sql)?;
        self.tx.execute(&st, params).map_err(|e| self.err(e))
    }

    fn query(&mut self, sql: &'static str, params: &Params<'_>) -> R<Vec<Row>> {
        let st = self.prepared(sql)?;
        self.tx.query(&st, params).map_err(|e| self.err(e))
    }

    fn query_opt(&mut self, sql: &'static str, params: &Params<'_>) -> R<Option<Row>> {
        let st = self.prepared(sql)?;
        self.tx.query_opt(&st, params).map_err(|e| self.err(e))
    }

    fn query_one(&mut self, sql: &'static str, params: &Params<'_>) -> R<Row> {
        let st = self.prepared(sql)?;
        self.tx.query_one(&st, params).map_err(|e| self.err(e))
    }
}

fn event_row(r: &postgres::Row) -> EventRow {
    EventRow {
        case_id: r.get(0),
        version: r.get(1),
        kind: r.get(2),
        actor: r.get(3),
        recorded_at: r.get(4),
        body: r.get(5),
        prev_hash: r.get(6),
        hash: r.get(7),
    }
}

fn access_entry(r: &postgres::Row) -> (AccessEntry, String) {
    let outcome: &str = r.get(9);
    (
        AccessEntry {
            id: r.get(0),
            chain: r.get(1),
            seq: r.get(2),
            at: r.get(3),
            staff_id: r.get(4),
            role: r.get(5),
            purpose: r.get(6),
            case_id: r.get(7),
            action: r.get(8),
            outcome: if outcome == "allowed" {
                Outcome::Allowed
            } else {
                Outcome::Refused
            },
            detail: r.get(10),
            hash: r.get(12),
        },
        r.get(11),
    )
}

const LOG_COLUMNS: &str = "id, chain, seq, at, staff_id, role, purpose, case_id, action, outcome, detail, prev_hash, hash";

macro_rules! pg {
    ($self:ident, $e:expr) => {
        $e?
    };
}

impl Tx for PgTx<'_> {
    fn lock_case(&mut self, case_id: &str) -> R<()> {
        pg!(
            self,
            self.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                &[&case_id]
            )
        );
        Ok(())
    }

    fn head(&mut self, case_id: &str, with_bundle: bool) -> R<Option<Head>> {
        let sql = if with_bundle {
            "SELECT version, head_hash, municipality, bundle FROM cases WHERE case_id = $1"
        } else {
            "SELECT version, head_hash, municipality, NULL::TEXT FROM cases WHERE case_id = $1"
        };
        let row = pg!(self, self.query_opt(sql, &[&case_id]));
        Ok(row.map(|r| Head {
            version: r.get(0),
            hash: r.get(1),
            municipality: r.get(2),
            bundle: r.get(3),
            log_head: None,
        }))
    }

    fn locked_head(&mut self, case_id: &str) -> R<Option<Head>> {
        // The row lock serialises appends to the case as the advisory lock does (an import of
        // an existing id only reads it), and under READ COMMITTED a row updated while this
        // waited is read as committed, not from the statement's older snapshot.
        // The head of the case's access-log chain is locked and read in the same statement, for
        // the append's own log entry (cases before log heads, the order every append takes).
        let row = pg!(
            self,
            self.query_opt(
                "WITH c AS (SELECT version, head_hash, municipality, bundle FROM cases \
                 WHERE case_id = $1 FOR UPDATE), \
                 l AS (SELECT seq, hash FROM log_heads WHERE chain = $1 FOR UPDATE) \
                 SELECT c.version, c.head_hash, c.municipality, c.bundle, l.seq, l.hash \
                 FROM c LEFT JOIN l ON true",
                &[&case_id]
            )
        );
        Ok(row.map(|r| Head {
            version: r.get(0),
            hash: r.get(1),
            municipality: r.get(2),
            bundle: r.get(3),
            log_head: r
                .get::<_, Option<i64>>(4)
                .zip(r.get::<_, Option<String>>(5)),
        }))
    }

    fn append_rows(&mut self, events: &[EventRow], case: &CaseRow<'_>) -> R<()> {
        let col = |f: fn(&EventRow) -> &str| events.iter().map(f).collect::<Vec<&str>>();
        let versions: Vec<i64> = events.iter().map(|e| e.version).collect();
        let (kinds, actors, times) = (col(|e| &e.kind), col(|e| &e.actor), col(|e| &e.recorded_at));
        let (bodies, prevs, hashes) = (col(|e| &e.body), col(|e| &e.prev_hash), col(|e| &e.hash));
        // One round trip: the events (arrays unnested) and the projection's update, which sees
        // the rows of the same statement's snapshot only (it touches another table).
        let updated = pg!(
            self,
            self.execute(
                "WITH e AS (INSERT INTO events (case_id, version, kind, actor, recorded_at, body, \
                 prev_hash, hash) SELECT $1, * FROM unnest($2::BIGINT[], $3::TEXT[], $4::TEXT[], \
                 $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[])) \
                 UPDATE cases SET jurisdiction = $9, municipality = $10, version = $11, \
                 head_hash = $12, bundle = $13 WHERE case_id = $1",
                &[
                    &case.case_id,
                    &versions,
                    &kinds,
                    &actors,
                    &times,
                    &bodies,
                    &prevs,
                    &hashes,
                    &case.jurisdiction,
                    &case.municipality,
                    &case.version,
                    &case.head_hash,
                    &case.bundle
                ],
            )
        );
        if updated != 1 {
            return Err(StoreError::Corrupt(format!(
                "case {}: its projection row is missing",
                case.case_id
            )));
        }
        Ok(())
    }

    fn insert_event(&mut self, row: &EventRow) -> R<()> {
        pg!(
            self,
            self.execute(
                "INSERT INTO events (case_id, version, kind, actor, recorded_at, body, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &row.case_id,
                    &row.version,
                    &row.kind,
                    &row.actor,
                    &row.recorded_at,
                    &row.body,
                    &row.prev_hash,
                    &row.hash
                ],
            )
        );
        Ok(())
    }

    fn put_case(&mut self, row: &CaseRow<'_>, new: bool) -> R<()> {
        let sql = if new {
            "INSERT INTO cases (case_id, jurisdiction, municipality, version, head_hash, bundle) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        } else {
            "UPDATE cases SET jurisdiction = $2, municipality = $3, version = $4, head_hash = $5, \
             bundle = $6 WHERE case_id = $1"
        };
        pg!(
            self,
            self.execute(
                sql,
                &[
                    &row.case_id,
                    &row.jurisdiction,
                    &row.municipality,
                    &row.version,
                    &row.head_hash,
                    &row.bundle
                ],
            )
        );
        Ok(())
    }

    fn put_deadlines(
        &mut self,
        case_id: &str,
        municipality: &str,
        rows: &[DeadlineRow],
        new: bool,
    ) -> R<()> {
        if rows.is_empty() {
            if !new {
                pg!(
                    self,
                    self.execute("DELETE FROM deadlines WHERE case_id = $1", &[&case_id])
                );
            }
            return Ok(());
        }
        // One statement for all rows: arrays unnested, one round trip.
        let col = |f: fn(&DeadlineRow) -> String| rows.iter().map(f).collect::<Vec<String>>();
        let kinds = col(|d| d.kind.clone());
        let records = col(|d| d.record.clone());
        let record_ids = col(|d| d.record_id.clone());
        let sequences: Vec<Option<i64>> = rows.iter().map(|d| d.sequence).collect();
        let dues = col(|d| d.due.clone());
        let extended: Vec<Option<String>> = rows.iter().map(|d| d.extended_due.clone()).collect();
        let effective = col(|d| d.effective_due.clone());
        let rules = col(|d| d.rule_id.clone());
        // Replacing: the delete and the insert in one statement. Both run on the statement's
        // snapshot, so the delete cannot see (and remove) the rows inserted beside it.
        let sql = if new {
            "INSERT INTO deadlines (case_id, municipality, kind, record, record_id, sequence, due, \
             extended_due, effective_due, rule_id) \
             SELECT $1, $2, * FROM unnest($3::TEXT[], $4::TEXT[], $5::TEXT[], $6::BIGINT[], \
             $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[])"
        } else {
            "WITH gone AS (DELETE FROM deadlines WHERE case_id = $1) \
             INSERT INTO deadlines (case_id, municipality, kind, record, record_id, sequence, due, \
             extended_due, effective_due, rule_id) \
             SELECT $1, $2, * FROM unnest($3::TEXT[], $4::TEXT[], $5::TEXT[], $6::BIGINT[], \
             $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[])"
        };
        pg!(
            self,
            self.execute(
                sql,
                &[
                    &case_id,
                    &municipality,
                    &kinds,
                    &records,
                    &record_ids,
                    &sequences,
                    &dues,
                    &extended,
                    &effective,
                    &rules
                ],
            )
        );
        Ok(())
    }

    fn put_identities(&mut self, case_id: &str, digests: &[String], new: bool) -> R<()> {
        if !new {
            pg!(
                self,
                self.execute("DELETE FROM identity_index WHERE case_id = $1", &[&case_id])
            );
        }
        for d in digests {
            pg!(
                self,
                self.execute(
                    "INSERT INTO identity_index (digest, case_id) VALUES ($1, $2)",
                    &[d, &case_id],
                )
            );
        }
        Ok(())
    }

    fn idempotency(&mut self, case_id: &str, key: &str) -> R<Option<(String, i64, i64)>> {
        let row = pg!(
            self,
            self.query_opt(
                "SELECT request, first_version, last_version FROM idempotency \
                 WHERE case_id = $1 AND key = $2",
                &[&case_id, &key],
            )
        );
        Ok(row.map(|r| (r.get(0), r.get(1), r.get(2))))
    }

    fn put_idempotency(
        &mut self,
        case_id: &str,
        key: &str,
        request: &str,
        first: i64,
        last: i64,
    ) -> R<()> {
        pg!(
            self,
            self.execute(
                "INSERT INTO idempotency (case_id, key, request, first_version, last_version) \
                 VALUES ($1, $2, $3, $4, $5)",
                &[&case_id, &key, &request, &first, &last],
            )
        );
        Ok(())
    }

    fn log_head(&mut self, chain: &str) -> R<(i64, String)> {
        // One round trip: creates the head of a new chain, or locks the existing one (the
        // no-op update takes the row lock) and returns it.
        let row = pg!(
            self,
            self.query_one(
                "INSERT INTO log_heads (chain, seq, hash) VALUES ($1, 0, $2) \
                 ON CONFLICT (chain) DO UPDATE SET seq = log_heads.seq RETURNING seq, hash",
                &[&chain, &GENESIS],
            )
        );
        Ok((row.get(0), row.get(1)))
    }

    fn insert_log(&mut self, row: &LogRow) -> R<()> {
        pg!(
            self,
            self.execute(
                "WITH entry AS (INSERT INTO access_log (chain, seq, at, staff_id, role, purpose, case_id, \
                 action, outcome, detail, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)) \
                 UPDATE log_heads SET seq = $2, hash = $12 WHERE chain = $1",
                &[
                    &row.chain,
                    &row.seq,
                    &row.at,
                    &row.staff_id,
                    &row.role,
                    &row.purpose,
                    &row.case_id,
                    &row.action,
                    &row.outcome,
                    &row.detail,
                    &row.prev_hash,
                    &row.hash
                ],
            )
        );
        Ok(())
    }

    fn events(&mut self, case_id: &str) -> R<Vec<EventRow>> {
        let rows = pg!(
            self,
            self.query(
                "SELECT case_id, version, kind, actor, recorded_at, body, prev_hash, hash FROM events \
                 WHERE case_id = $1 ORDER BY version",
                &[&case_id],
            )
        );
        Ok(rows.iter().map(event_row).collect())
    }

    fn case_summaries(&mut self) -> R<Vec<CaseSummary>> {
        let rows = pg!(
            self,
            self.query(
                "SELECT case_id, version, head_hash FROM cases ORDER BY seq",
                &[]
            )
        );
        Ok(rows
            .iter()
            .map(|r| CaseSummary {
                case_id: r.get(0),
                version: r.get(1),
                head_hash: r.get(2),
            })
            .collect())
    }

    fn bundles(&mut self, f: &mut dyn FnMut(&str) -> R<()>) -> R<u64> {
        let params: [&str; 0] = [];
        let mut rows = self
            .tx
            .query_raw("SELECT bundle FROM cases ORDER BY seq", params)?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            f(row.get(0))?;
            n += 1;
        }
        Ok(n)
    }

    fn bundle(&mut self, case_id: &str) -> R<Option<String>> {
        let row = pg!(
            self,
            self.query_opt("SELECT bundle FROM cases WHERE case_id = $1", &[&case_id])
        );
        Ok(row.map(|r| r.get(0)))
    }

    fn log(
        &mut self,
        case_id: Option<&str>,
        by_chain: bool,
        f: &mut dyn FnMut(AccessEntry, String) -> R<()>,
    ) -> R<()> {
        let order = if by_chain { "chain, seq" } else { "id" };
        let (sql, params): (String, Vec<&str>) = match case_id {
            // The case's chain and the global chain's entries naming it (see migration 2).
            Some(c) => (
                format!(
                    "SELECT {LOG_COLUMNS} FROM access_log WHERE chain = $1 AND case_id = $1 \
                     UNION ALL \
                     SELECT {LOG_COLUMNS} FROM access_log WHERE chain = '*' AND case_id = $1 \
                     ORDER BY {order}"
                ),
                vec![c],
            ),
            None => (
                format!("SELECT {LOG_COLUMNS} FROM access_log ORDER BY {order}"),
                vec![],
            ),
        };
        let mut rows = self.tx.query_raw(sql.as_str(), params)?;
        while let Some(row) = rows.next()? {
            let (e, prev) = access_entry(&row);
            f(e, prev)?;
        }
        Ok(())
    }

    fn log_heads(&mut self) -> R<Vec<(String, i64, String)>> {
        let rows = pg!(
            self,
            self.query(
                "SELECT chain, seq, hash FROM log_heads WHERE seq > 0 ORDER BY chain",
                &[]
            )
        );
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }

    fn worklist(&mut self, municipalities: Option<&[String]>, due_by: &str) -> R<Vec<WorklistRow>> {
        macro_rules! cols {
            () => {
                "SELECT case_id, municipality, kind, record, record_id, sequence, due, \
                 extended_due, effective_due, rule_id FROM deadlines "
            };
        }
        let rows = match municipalities {
            None => self.query(
                concat!(
                    cols!(),
                    "WHERE effective_due <= $1 ORDER BY effective_due, case_id, record"
                ),
                &[&due_by],
            )?,
            Some(list) => {
                let list: Vec<String> = list.to_vec();
                self.query(
                    concat!(
                        cols!(),
                        "WHERE municipality = ANY($1) AND effective_due <= $2 \
                         ORDER BY effective_due, case_id, record"
                    ),
                    &[&list, &due_by],
                )?
            }
        };
        Ok(rows
            .iter()
            .map(|r| WorklistRow {
                case_id: r.get(0),
                municipality: r.get(1),
                row: DeadlineRow {
                    kind: r.get(2),
                    record: r.get(3),
                    record_id: r.get(4),
                    sequence: r.get(5),
                    due: r.get(6),
                    extended_due: r.get(7),
                    effective_due: r.get(8),
                    rule_id: r.get(9),
                },
            })
            .collect())
    }

    fn cases_by_digest(&mut self, digest: &str) -> R<Vec<(String, String)>> {
        let rows = pg!(
            self,
            self.query(
                "SELECT i.case_id, c.municipality FROM identity_index i JOIN cases c ON c.case_id = i.case_id \
                 WHERE i.digest = $1 ORDER BY c.seq",
                &[&digest],
            )
        );
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn meta(&mut self, key: &str) -> R<Option<String>> {
        let row = pg!(
            self,
            self.query_opt("SELECT value FROM store_meta WHERE key = $1", &[&key])
        );
        Ok(row.map(|r| r.get(0)))
    }

    fn set_meta(&mut self, key: &str, value: &str) -> R<()> {
        pg!(
            self,
            self.execute(
                "INSERT INTO store_meta (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&key, &value],
            )
        );
        Ok(())
    }

    fn lock_cases(&mut self, case_ids: &[&str]) -> R<()> {
        // In one statement, in a fixed order (two batches sharing ids cannot deadlock).
        let ids: Vec<&str> = case_ids.to_vec();
        self.execute(
            "SELECT count(pg_advisory_xact_lock(k)) FROM \
             (SELECT DISTINCT hashtextextended(id, 0) AS k FROM unnest($1::TEXT[]) AS id ORDER BY 1) AS keys",
            &[&ids],
        )?;
        Ok(())
    }

    fn heads(&mut self, case_ids: &[&str]) -> R<HashMap<String, Head>> {
        let ids: Vec<&str> = case_ids.to_vec();
        let rows = self.query(
            "SELECT case_id, version, head_hash, municipality, bundle FROM cases \
             WHERE case_id = ANY($1::TEXT[])",
            &[&ids],
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get(0),
                    Head {
                        version: r.get(1),
                        hash: r.get(2),
                        municipality: r.get(3),
                        bundle: r.get(4),
                        log_head: None,
                    },
                )
            })
            .collect())
    }

    fn insert_cases(&mut self, cases: &[NewCase<'_>]) -> R<()> {
        if cases.is_empty() {
            return Ok(());
        }
        // Four statements for the whole batch, arrays unnested in order.
        let ev = |f: fn(&EventRow) -> &str| cases.iter().map(|c| f(&c.event)).collect::<Vec<_>>();
        let versions: Vec<i64> = cases.iter().map(|c| c.event.version).collect();
        self.execute(
            "INSERT INTO events (case_id, version, kind, actor, recorded_at, body, prev_hash, hash) \
             SELECT * FROM unnest($1::TEXT[], $2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], \
             $6::TEXT[], $7::TEXT[], $8::TEXT[])",
            &[
                &ev(|e| &e.case_id),
                &versions,
                &ev(|e| &e.kind),
                &ev(|e| &e.actor),
                &ev(|e| &e.recorded_at),
                &ev(|e| &e.body),
                &ev(|e| &e.prev_hash),
                &ev(|e| &e.hash),
            ],
        )?;
        let ids: Vec<&str> = cases.iter().map(|c| c.case.case_id).collect();
        let jurisdictions: Vec<&str> = cases.iter().map(|c| c.case.jurisdiction).collect();
        let municipalities: Vec<&str> = cases.iter().map(|c| c.case.municipality).collect();
        let case_versions: Vec<i64> = cases.iter().map(|c| c.case.version).collect();
        let head_hashes: Vec<&str> = cases.iter().map(|c| c.case.head_hash.as_str()).collect();
        let bundles: Vec<&str> = cases.iter().map(|c| c.case.bundle).collect();
        // `seq` follows the batch's order: the export's order is the import's.
        self.execute(
            "INSERT INTO cases (case_id, jurisdiction, municipality, version, head_hash, bundle) \
             SELECT c, j, m, v, h, b FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], \
             $5::TEXT[], $6::TEXT[]) WITH ORDINALITY AS u(c, j, m, v, h, b, n) ORDER BY n",
            &[
                &ids,
                &jurisdictions,
                &municipalities,
                &case_versions,
                &head_hashes,
                &bundles,
            ],
        )?;
        let deadlines: Vec<(&str, &str, &DeadlineRow)> = cases
            .iter()
            .flat_map(|c| {
                c.deadlines
                    .iter()
                    .map(move |d| (c.case.case_id, c.case.municipality, d))
            })
            .collect();
        if !deadlines.is_empty() {
            let col = |f: fn(&DeadlineRow) -> &str| {
                deadlines.iter().map(|d| f(d.2)).collect::<Vec<&str>>()
            };
            let dl_ids: Vec<&str> = deadlines.iter().map(|d| d.0).collect();
            let dl_munis: Vec<&str> = deadlines.iter().map(|d| d.1).collect();
            let sequences: Vec<Option<i64>> = deadlines.iter().map(|d| d.2.sequence).collect();
            let extended: Vec<Option<&str>> = deadlines
                .iter()
                .map(|d| d.2.extended_due.as_deref())
                .collect();
            self.execute(
                "INSERT INTO deadlines (case_id, municipality, kind, record, record_id, sequence, \
                 due, extended_due, effective_due, rule_id) \
                 SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], \
                 $6::BIGINT[], $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[])",
                &[
                    &dl_ids,
                    &dl_munis,
                    &col(|d| &d.kind),
                    &col(|d| &d.record),
                    &col(|d| &d.record_id),
                    &sequences,
                    &col(|d| &d.due),
                    &extended,
                    &col(|d| &d.effective_due),
                    &col(|d| &d.rule_id),
                ],
            )?;
        }
        let identities: Vec<(&str, &str)> = cases
            .iter()
            .flat_map(|c| c.digests.iter().map(move |d| (d.as_str(), c.case.case_id)))
            .collect();
        if !identities.is_empty() {
            let digests: Vec<&str> = identities.iter().map(|i| i.0).collect();
            let owners: Vec<&str> = identities.iter().map(|i| i.1).collect();
            self.execute(
                "INSERT INTO identity_index (digest, case_id) \
                 SELECT * FROM unnest($1::TEXT[], $2::TEXT[])",
                &[&digests, &owners],
            )?;
        }
        Ok(())
    }

    fn log_heads_of(&mut self, chains: &[&str]) -> R<HashMap<String, (i64, String)>> {
        let mut unique: Vec<&str> = chains.to_vec();
        unique.sort_unstable();
        unique.dedup();
        // Creates the heads of new chains and locks the existing ones (in a fixed order), in
        // one statement.
        let rows = self.query(
            "INSERT INTO log_heads (chain, seq, hash) \
             SELECT c, 0, $2 FROM unnest($1::TEXT[]) AS c ORDER BY c \
             ON CONFLICT (chain) DO UPDATE SET seq = log_heads.seq RETURNING chain, seq, hash",
            &[&unique, &GENESIS],
        )?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), (r.get(1), r.get(2))))
            .collect())
    }

    fn insert_logs(&mut self, rows: &[LogRow]) -> R<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let col = |f: fn(&LogRow) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
        let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        let case_ids: Vec<Option<&str>> = rows.iter().map(|r| r.case_id.as_deref()).collect();
        // Each chain's head moves to its last row of the batch.
        let mut last: HashMap<&str, (i64, &str)> = HashMap::new();
        for r in rows {
            last.insert(&r.chain, (r.seq, &r.hash));
        }
        let (mut chains, mut head_seqs, mut head_hashes) = (Vec::new(), Vec::new(), Vec::new());
        for (chain, (seq, hash)) in last {
            chains.push(chain);
            head_seqs.push(seq);
            head_hashes.push(hash);
        }
        // One round trip: the rows (in order, so their ids follow the chains) and the heads'
        // update, which touches another table.
        self.execute(
            "WITH i AS (INSERT INTO access_log (chain, seq, at, staff_id, role, purpose, case_id, \
             action, outcome, detail, prev_hash, hash) \
             SELECT c, s, a, st, r, p, ci, ac, o, d, ph, h FROM unnest($1::TEXT[], $2::BIGINT[], \
             $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::TEXT[], \
             $10::TEXT[], $11::TEXT[], $12::TEXT[]) \
             WITH ORDINALITY AS u(c, s, a, st, r, p, ci, ac, o, d, ph, h, n) ORDER BY n) \
             UPDATE log_heads SET seq = u.s, hash = u.h \
             FROM unnest($13::TEXT[], $14::BIGINT[], $15::TEXT[]) AS u(c, s, h) WHERE chain = u.c",
            &[
                &col(|r| &r.chain),
                &seqs,
                &col(|r| &r.at),
                &col(|r| &r.staff_id),
                &col(|r| &r.role),
                &col(|r| &r.purpose),
                &case_ids,
                &col(|r| &r.action),
                &col(|r| &r.outcome),
                &col(|r| &r.detail),
                &col(|r| &r.prev_hash),
                &col(|r| &r.hash),
                &chains,
                &head_seqs,
                &head_hashes,
            ],
        )?;
        Ok(())
    }
}
