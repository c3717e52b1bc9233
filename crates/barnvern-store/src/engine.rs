//! The store's logic, once for both backends: access control, the workflow, hash chains, the
//! access log, the worklist and identity projections.

use barnvern_case::deadlines::deadlines;
use barnvern_case::{Case, CaseData, CaseEvent, DeadlineRules, DeadlineStatus, TrustedBundle};
use barnvern_core::PersonId;
use barnvern_core::PersonIdentity;
use chrono::{NaiveDate, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use crate::actor::{Action, Actor};
use crate::backend::{Backend, CaseRow, DeadlineRow, EventRow, LogRow, NewCase, R, Tx};
use crate::chain::{GENESIS, StoreKey, hex, link};
use crate::error::{Finding, StoreError};
use crate::group_log::{Group, GroupLog};
use crate::model::{
    AccessEntry, ActorRecord, Appended, ChainBreak, EventBody, ImportOutcome, ImportSource,
    Outcome, StoredBundle, StoredCase, StoredEvent, VerifyReport, WorklistItem, WorklistQuery,
};

/// The log chain of accesses that name no existing case.
pub(crate) const GLOBAL_CHAIN: &str = "*";

/// The date up to which recurring deadlines (measure evaluations) are unrolled to find the
/// first open one of each measure: the latest start or evaluation of any measure of the case.
///
/// Why that is enough: the rows of a measure before its first open evaluation depend only on
/// its start, end and evaluation dates, never on the date they are computed for, which decides
/// only the status and where the unrolling stops (at the first pending one, or when a measure
/// starts after it). Computed for a date on or after every start and evaluation, the unrolling
/// reaches each measure's first open evaluation, exactly as it would for a date far in the
/// future; it only stops sooner after it (the projection keeps the first open one alone). A
/// horizon of 2100 unrolled about a hundred missed evaluations of every running measure.
fn horizon(case: &CaseData) -> NaiveDate {
    let floor = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN);
    case.interventions
        .iter()
        .filter_map(|iv| {
            let started = iv.started_on?;
            Some(
                iv.evaluations
                    .iter()
                    .map(|e| e.on)
                    .fold(started, NaiveDate::max),
            )
        })
        .fold(floor, NaiveDate::max)
}

pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// What an operation reports to the access log besides its outcome.
#[derive(Default)]
struct LogCtx {
    /// The chain: the case id once the case is known to exist.
    chain: Option<String>,
    /// What was done.
    detail: String,
    /// The head of `chain`, locked, where the backend read it with the case.
    log_head: Option<(i64, String)>,
}

pub(crate) struct Engine<B: Backend> {
    pub(crate) backend: B,
    key: Option<StoreKey>,
    /// Whether the access log entries of reads are committed durably too (see
    /// [`Backend::write`]); writes always are.
    pub(crate) durable_reads: bool,
    /// The access-log entries of reads, committed in groups.
    read_log: GroupLog,
    /// Reads of cases, each done and logged in one write transaction with those of concurrent
    /// reads, on a backend that reads inside its log entry's transaction
    /// ([`Backend::reads_in_log_transaction`]).
    case_reads: Group<CaseRead, R<StoredBundle>>,
}

/// A batch of [`Engine::read_json`] that has done this many reads takes no more that arrived
/// late and commits (each read of a batch waits for the last to be done).
const MAX_READ_BATCH: usize = 64;

/// A read of a case waiting for a batch (see [`Engine::read_json`]).
struct CaseRead {
    actor: Actor,
    case_id: String,
}

fn event_hash(row: &EventRow) -> String {
    link(
        &row.prev_hash,
        &[
            &row.case_id,
            &row.version.to_string(),
            &row.kind,
            &row.actor,
            &row.recorded_at,
            &row.body,
        ],
    )
}

fn log_hash(row: &LogRow) -> String {
    link(
        &row.prev_hash,
        &[
            &row.chain,
            &row.seq.to_string(),
            &row.at,
            &row.staff_id,
            &row.role,
            &row.purpose,
            row.case_id.as_deref().unwrap_or(""),
            &row.action,
            &row.outcome,
            &row.detail,
        ],
    )
}

fn entry_hash(e: &AccessEntry, prev_hash: &str) -> String {
    log_hash(&LogRow {
        chain: e.chain.clone(),
        seq: e.seq,
        at: e.at.clone(),
        staff_id: e.staff_id.clone(),
        role: e.role.clone(),
        purpose: e.purpose.clone(),
        case_id: e.case_id.clone(),
        action: e.action.clone(),
        outcome: match e.outcome {
            Outcome::Allowed => "allowed".into(),
            Outcome::Refused => "refused".into(),
        },
        detail: e.detail.clone(),
        prev_hash: prev_hash.to_owned(),
        hash: String::new(),
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> R<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn version_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// What an import computes for a bundle before its transaction.
struct Prepared {
    body: String,
    bundle: String,
    digests: Vec<String>,
    deadlines: Vec<DeadlineRow>,
    jurisdiction: String,
}

/// The body JSON of an `imported` event.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportedBody {
    bundle: CaseData,
    source: ImportSource,
}

/// The bundle an `imported` event's body embeds, as [`Engine::import_batch`] writes the body:
/// `{"bundle":BUNDLE,"source":SOURCE}`, BUNDLE the bytes stored as the case's bundle. `None`
/// when the body is not of that form. The boundary is the last `,"source":` (no JSON string
/// holds an unescaped quote, and the source object has no key `source`), and what follows it
/// must be an [`ImportSource`].
pub(crate) fn imported_bundle(body: &str) -> Option<&str> {
    const SOURCE: &str = ",\"source\":";
    let rest = body.strip_prefix("{\"bundle\":")?;
    let end = rest.rfind(SOURCE)?;
    let source = rest.get(end + SOURCE.len()..)?.strip_suffix('}')?;
    serde_json::from_str::<ImportSource>(source).ok()?;
    rest.get(..end)
}

/// Decodes a stored event row.
pub(crate) fn decode_event(row: &EventRow) -> R<StoredEvent> {
    let corrupt = |e: String| {
        StoreError::Corrupt(format!("case {} version {}: {e}", row.case_id, row.version))
    };
    let body = if row.kind == "imported" {
        let b: ImportedBody =
            serde_json::from_str(&row.body).map_err(|e| corrupt(e.to_string()))?;
        EventBody::Imported {
            bundle: Box::new(b.bundle),
            source: b.source,
        }
    } else {
        let e = CaseEvent::from_json(&row.body).map_err(|e| corrupt(e.to_string()))?;
        EventBody::Workflow(Box::new(e))
    };
    let actor: ActorRecord =
        serde_json::from_str(&row.actor).map_err(|e| corrupt(e.to_string()))?;
    Ok(StoredEvent {
        case_id: row.case_id.clone(),
        version: version_u64(row.version),
        recorded_at: row.recorded_at.clone(),
        actor,
        body,
        hash: row.hash.clone(),
    })
}

/// Replays a stream: the `imported` bundle, then each workflow event through [`Case::apply`].
pub fn replay(events: &[StoredEvent]) -> Result<Case, StoreError> {
    let mut iter = events.iter();
    let mut case = match iter.next().map(|e| &e.body) {
        Some(EventBody::Imported { bundle, .. }) => Case::from_data((**bundle).clone())
            .map_err(|e| StoreError::Corrupt(format!("the imported bundle is invalid: {e}")))?,
        _ => {
            return Err(StoreError::Corrupt(
                "a stream must start with an imported event".into(),
            ));
        }
    };
    for e in iter {
        match &e.body {
            EventBody::Workflow(ev) => case.apply((**ev).clone()).map_err(|err| {
                StoreError::Corrupt(format!("version {} does not replay: {err}", e.version))
            })?,
            EventBody::Imported { .. } => {
                return Err(StoreError::Corrupt(format!(
                    "version {} is a second imported event",
                    e.version
                )));
            }
        }
    }
    Ok(case)
}

/// The open deadlines of a case, as kept in the worklist projection: every statutory deadline
/// not yet done, and the first open evaluation of each measure, computed by
/// `barnvern_case::deadlines` (the status is left to the query's date).
pub(crate) fn deadline_rows(case: &CaseData) -> Vec<DeadlineRow> {
    let mut out: Vec<DeadlineRow> = Vec::new();
    let mut seen_recurring: Vec<(String, String)> = Vec::new();
    for d in deadlines(case, DeadlineRules::builtin(), horizon(case)) {
        if d.completed_on.is_some() {
            continue;
        }
        if d.sequence.is_some() {
            let key = (d.kind.as_str().to_owned(), d.record_id.clone());
            if seen_recurring.contains(&key) {
                continue;
            }
            seen_recurring.push(key);
        }
        let effective = d.extended_due.map_or(d.due, |e| e.max(d.due));
        out.push(DeadlineRow {
            kind: d.kind.as_str().to_owned(),
            record: d.record,
            record_id: d.record_id,
            sequence: d.sequence.map(i64::from),
            due: d.due.to_string(),
            extended_due: d.extended_due.map(|e| e.to_string()),
            effective_due: effective.to_string(),
            rule_id: d.rule_id,
        });
    }
    out
}

fn refused_from_workflow(index: usize, e: barnvern_case::WorkflowError) -> Finding {
    Finding {
        event: Some(index),
        path: e.path,
        code: e.code,
        message: format!("{} refused: {} (state: {})", e.event, e.message, e.state),
    }
}

impl<B: Backend> Engine<B> {
    pub(crate) fn new(backend: B, key: Option<StoreKey>) -> Engine<B> {
        Engine {
            backend,
            key,
            durable_reads: false,
            read_log: GroupLog::default(),
            case_reads: Group::default(),
        }
    }

    /// Checks the key against the fingerprint recorded at init (recording it on first use).
    pub(crate) fn check_key(&self) -> R<()> {
        let Some(key) = &self.key else {
            return Ok(());
        };
        let fp = key.fingerprint();
        self.backend
            .write(true, &mut |tx| match tx.meta("key_fingerprint")? {
                Some(found) if found != fp => Ok(Err(StoreError::KeyMismatch { expected: found })),
                Some(_) => Ok(Ok(())),
                None => {
                    tx.set_meta("key_fingerprint", &fp)?;
                    Ok(Ok(()))
                }
            })
    }

    fn identity_digests(&self, case: &CaseData) -> R<Vec<String>> {
        match &case.child.identity {
            PersonIdentity::NationalId(id) => {
                let key = self.key.as_ref().ok_or(StoreError::NoKey)?;
                Ok(vec![key.identity_digest(id)])
            }
            PersonIdentity::Unregistered(_) => Ok(Vec::new()),
        }
    }

    /// Runs one logged operation. A write (import, append) runs in a durable write transaction
    /// that holds its access-log entry too. Anything else only reads: it runs in a read
    /// snapshot, and its entry is committed with those of concurrent reads (see
    /// [`crate::group_log`]) before the result is returned. A refusal is logged as refused; an
    /// error of the store itself logs nothing (nothing was read or written).
    fn logged<T>(
        &self,
        actor: &Actor,
        action: Action,
        case_id: Option<&str>,
        body: &mut dyn FnMut(&mut dyn Tx, &mut LogCtx) -> R<T>,
    ) -> R<T> {
        if matches!(action, Action::Import | Action::Append) {
            return self.backend.write(true, &mut |tx| {
                let mut ctx = LogCtx::default();
                let (result, row) = decided(actor, action, case_id, &mut ctx, |ctx| body(tx, ctx));
                let Some(row) = row else {
                    return result.map(Ok);
                };
                let known = ctx.chain.as_deref().zip(ctx.log_head.take());
                chain_and_insert(tx, &mut [row], known)?;
                Ok(result)
            });
        }
        let mut ctx = LogCtx::default();
        let (result, row) = decided(actor, action, case_id, &mut ctx, |ctx| {
            self.backend.read(&mut |tx| {
                *ctx = LogCtx::default();
                body(tx, ctx)
            })
        });
        if let Some(row) = row {
            self.commit_read_log(row)?;
        }
        result
    }

    /// Commits the access-log entry of a read, grouped with those of concurrent reads.
    fn commit_read_log(&self, row: LogRow) -> R<()> {
        self.read_log.commit(row, &|take| {
            // Taken once the write lock is held (a backend may run the closure again after a
            // serialisation failure: the same batch then, chained afresh).
            let mut batch: Option<Vec<LogRow>> = None;
            self.backend.write_reads(self.durable_reads, &mut |tx| {
                let rows = batch.get_or_insert_with(&mut *take);
                chain_and_insert(tx, rows, None)?;
                Ok(Ok(vec![(); rows.len()]))
            })
        })
    }

    /// Reads a case inside a write transaction that logs it, with the reads of other threads
    /// waiting at the same time (see [`Backend::reads_in_log_transaction`]). Each read is
    /// decided and logged on its own, as in [`Engine::logged`]; an error of the store itself
    /// in one read (a bundle that cannot be read) is that read's answer alone, unlogged.
    fn read_json_in_batch(&self, actor: &Actor, case_id: &str) -> R<StoredBundle> {
        let job = CaseRead {
            actor: actor.clone(),
            case_id: case_id.to_owned(),
        };
        self.case_reads.commit(job, &|take| {
            // The jobs taken so far (a backend may run the closure again: the same jobs then).
            let mut jobs: Vec<CaseRead> = Vec::new();
            self.backend.write_reads(self.durable_reads, &mut |tx| {
                let mut rows = Vec::with_capacity(jobs.len() + 1);
                let mut answers = Vec::with_capacity(jobs.len() + 1);
                let mut done = 0;
                loop {
                    for job in &jobs[done..] {
                        let mut ctx = LogCtx::default();
                        let (answer, row) = decided(
                            &job.actor,
                            Action::Read,
                            Some(&job.case_id),
                            &mut ctx,
                            |c| Self::read_json_body(tx, &job.actor, &job.case_id, c),
                        );
                        rows.extend(row);
                        answers.push(answer);
                    }
                    done = jobs.len();
                    // The reads that arrived meanwhile join before the commit: without this,
                    // two threads take turns, each alone in a batch and a commit of its own.
                    let more = if done < MAX_READ_BATCH {
                        take()
                    } else {
                        Vec::new()
                    };
                    if more.is_empty() {
                        break;
                    }
                    jobs.extend(more);
                }
                chain_and_insert(tx, &mut rows, None)?;
                Ok(Ok(answers))
            })
        })?
    }

    /// The head of a case the actor may see, or not found.
    fn visible_head(
        tx: &mut dyn Tx,
        actor: &Actor,
        case_id: &str,
        with_bundle: bool,
        ctx: &mut LogCtx,
    ) -> R<crate::backend::Head> {
        Self::visible(tx.head(case_id, with_bundle)?, actor, case_id, ctx)
    }

    /// `head` if it is of a case the actor may see, or not found.
    fn visible(
        head: Option<crate::backend::Head>,
        actor: &Actor,
        case_id: &str,
        ctx: &mut LogCtx,
    ) -> R<crate::backend::Head> {
        let not_found = || StoreError::NotFound {
            case_id: case_id.to_owned(),
        };
        let mut head = head.ok_or_else(not_found)?;
        ctx.chain = Some(case_id.to_owned());
        ctx.log_head = head.log_head.take();
        if !actor.serves(&head.municipality) {
            return Err(not_found());
        }
        Ok(head)
    }

    pub(crate) fn import_batch(
        &self,
        actor: &Actor,
        items: &[(Case, ImportSource)],
    ) -> R<Vec<R<ImportOutcome>>> {
        // One transaction for the batch; each item is decided and logged on its own. The
        // backend reads the heads of every case of the batch at once and writes the new
        // streams and the log entries in bulk (on PostgreSQL, a few statements per batch rather
        // than a dozen round trips per case).
        let prepared: Vec<R<Prepared>> = items
            .iter()
            .map(|(case, source)| {
                // The bundle is serialised once: the `imported` event's body embeds it as it is
                // (the same bytes serde_json gives for the whole body).
                let bundle = case
                    .to_json()
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let source = to_json(source)?;
                let body = format!("{{\"bundle\":{bundle},\"source\":{source}}}");
                let digests = self.identity_digests(case)?;
                let deadlines = deadline_rows(case);
                Ok(Prepared {
                    body,
                    bundle,
                    digests,
                    deadlines,
                    jurisdiction: case.jurisdiction.to_string(),
                })
            })
            .collect();
        let actor_json = to_json(&ActorRecord {
            staff_id: actor.staff_id.clone(),
            role: actor.role,
            purpose: actor.purpose.clone(),
        })?;
        let allowed = || -> R<()> {
            actor.check()?;
            if actor.may(Action::Import) {
                Ok(())
            } else {
                Err(StoreError::Forbidden {
                    role: actor.role.as_str(),
                    action: Action::Import.as_str(),
                })
            }
        };
        self.backend.write_bulk(&mut |tx| {
            let ids: Vec<&str> = items.iter().map(|(c, _)| c.case_id.as_str()).collect();
            let mut heads = if allowed().is_ok() {
                tx.lock_cases(&ids)?;
                tx.heads(&ids)?
            } else {
                std::collections::HashMap::new()
            };
            let recorded_at = now();
            let mut results = Vec::with_capacity(items.len());
            let mut new_cases: Vec<NewCase<'_>> = Vec::new();
            // (chain, case id, outcome, detail) of each item's log entry.
            let mut entries: Vec<(String, &str, Outcome, String)> = Vec::with_capacity(items.len());
            for ((case, _), prep) in items.iter().zip(&prepared) {
                let case_id = case.case_id.as_str();
                let mut ctx = LogCtx::default();
                let result = (|| -> R<ImportOutcome> {
                    allowed()?;
                    let p = match prep {
                        Ok(p) => p,
                        Err(StoreError::NoKey) => return Err(StoreError::NoKey),
                        Err(e) => return Err(StoreError::Corrupt(e.to_string())),
                    };
                    if let Some(head) = heads.get(case_id) {
                        ctx.chain = Some(case_id.to_owned());
                        if !actor.serves(&head.municipality) {
                            return Err(StoreError::Invalid {
                                code: "store.case_id_unavailable",
                                message: format!("the case id {case_id} cannot be used"),
                            });
                        }
                        if head.bundle.as_deref() == Some(p.bundle.as_str()) {
                            ctx.detail = format!("unchanged at version {}", head.version);
                            return Ok(ImportOutcome::Unchanged {
                                version: version_u64(head.version),
                            });
                        }
                        return Err(StoreError::Conflict {
                            case_id: case_id.to_owned(),
                            expected: 0,
                            current: version_u64(head.version),
                        });
                    }
                    if !actor.serves(case.municipality.as_str()) {
                        return Err(StoreError::Forbidden {
                            role: actor.role.as_str(),
                            action: "import a case of a municipality not served",
                        });
                    }
                    let mut row = EventRow {
                        case_id: case_id.to_owned(),
                        version: 1,
                        kind: "imported".to_owned(),
                        actor: actor_json.clone(),
                        recorded_at: recorded_at.clone(),
                        body: p.body.clone(),
                        prev_hash: GENESIS.to_owned(),
                        hash: String::new(),
                    };
                    row.hash = event_hash(&row);
                    // A second copy of the id later in the batch meets this one.
                    heads.insert(
                        case_id.to_owned(),
                        crate::backend::Head {
                            version: 1,
                            hash: row.hash.clone(),
                            municipality: case.municipality.as_str().to_owned(),
                            bundle: Some(p.bundle.clone()),
                            log_head: None,
                        },
                    );
                    let head_hash = row.hash.clone();
                    new_cases.push(NewCase {
                        event: row,
                        case: CaseRow {
                            case_id,
                            jurisdiction: &p.jurisdiction,
                            municipality: case.municipality.as_str(),
                            version: 1,
                            head_hash,
                            bundle: &p.bundle,
                        },
                        deadlines: p.deadlines.clone(),
                        digests: &p.digests,
                    });
                    ctx.chain = Some(case_id.to_owned());
                    ctx.detail = "version 1".to_owned();
                    Ok(ImportOutcome::Imported)
                })();
                let chain = ctx.chain.unwrap_or_else(|| GLOBAL_CHAIN.to_owned());
                match result {
                    Ok(v) => {
                        entries.push((chain, case_id, Outcome::Allowed, ctx.detail));
                        results.push(Ok(v));
                    }
                    Err(e) if e.is_refusal() => {
                        entries.push((chain, case_id, Outcome::Refused, e.code().to_owned()));
                        results.push(Err(e));
                    }
                    Err(e) => return Err(e),
                }
            }
            tx.insert_cases(&new_cases)?;
            let at = now();
            let mut rows: Vec<LogRow> = entries
                .into_iter()
                .map(|(chain, case_id, outcome, detail)| LogRow {
                    chain,
                    at: at.clone(),
                    case_id: Some(case_id.to_owned()),
                    ..log_entry(actor, Action::Import, outcome, detail)
                })
                .collect();
            chain_and_insert(tx, &mut rows, None)?;
            Ok(Ok(results))
        })
    }

    pub(crate) fn append(
        &self,
        actor: &Actor,
        case_id: &str,
        expected_version: u64,
        events: &[CaseEvent],
        idempotency_key: Option<&str>,
    ) -> R<Appended> {
        let actor_json = to_json(&ActorRecord {
            staff_id: actor.staff_id.clone(),
            role: actor.role,
            purpose: actor.purpose.clone(),
        })?;
        let bodies: Vec<String> = events.iter().map(to_json).collect::<R<_>>()?;
        let request = {
            let mut h = Sha256::new();
            h.update(expected_version.to_be_bytes());
            for b in &bodies {
                h.update((b.len() as u64).to_be_bytes());
                h.update(b.as_bytes());
            }
            hex(&h.finalize())
        };
        self.logged(actor, Action::Append, Some(case_id), &mut |tx, ctx| {
            if events.is_empty() {
                return Err(StoreError::Invalid {
                    code: "store.no_events",
                    message: "an append needs at least one event".into(),
                });
            }
            if let Some(k) = idempotency_key
                && (k.is_empty() || k.len() > 200)
            {
                return Err(StoreError::Invalid {
                    code: "store.idempotency_key_invalid",
                    message: "an idempotency key has 1 to 200 characters".into(),
                });
            }
            let head = Self::visible(tx.locked_head(case_id)?, actor, case_id, ctx)?;
            if let Some(key) = idempotency_key
                && let Some((seen, first, last)) = tx.idempotency(case_id, key)?
            {
                if seen != request {
                    return Err(StoreError::Invalid {
                        code: "store.idempotency_key_reused",
                        message: "this idempotency key was used for a different append".into(),
                    });
                }
                ctx.detail = format!("repeated: versions {first} to {last}");
                return Ok(Appended {
                    case_id: case_id.to_owned(),
                    first_version: version_u64(first),
                    version: version_u64(last),
                    repeated: true,
                });
            }
            if version_u64(head.version) != expected_version {
                return Err(StoreError::Conflict {
                    case_id: case_id.to_owned(),
                    expected: expected_version,
                    current: version_u64(head.version),
                });
            }
            let bundle = head.bundle.as_deref().unwrap_or_default();
            let corrupt =
                |e: barnvern_case::Error| StoreError::Corrupt(format!("case {case_id}: {e}"));
            // The bundle is the store's own, validated when it was written (see
            // `TrustedBundle`): it is parsed, not validated again; the result of each event is.
            let stored = TrustedBundle::from_stored_json(bundle).map_err(corrupt)?;
            let rows_before = deadline_rows(stored.data());
            let identity_before = stored.data().child.identity.clone();
            let municipality_before = stored.data().municipality.clone();
            let refused = |i: usize, e: barnvern_case::WorkflowError| {
                // Rare: only then is the stored bundle validated, so that a bundle changed
                // behind the store's back is reported as such, as when it was validated first.
                match Case::from_json(bundle) {
                    Err(err) => corrupt(err),
                    Ok(_) => StoreError::Refused {
                        findings: vec![refused_from_workflow(i, e)],
                    },
                }
            };
            let Some((first, rest)) = events.split_first() else {
                return Err(StoreError::Invalid {
                    code: "store.no_events",
                    message: "an append needs at least one event".into(),
                });
            };
            let mut case = stored.apply(first.clone()).map_err(|e| refused(0, e))?;
            for (i, event) in rest.iter().enumerate() {
                case.apply(event.clone()).map_err(|e| refused(i + 1, e))?;
            }
            if case.case_id.as_str() != case_id {
                return Err(StoreError::Corrupt(format!(
                    "case {case_id}: the stored bundle names another case"
                )));
            }
            // The identity index changes (and needs the key) only when the child's does.
            let digests = if case.child.identity != identity_before {
                Some(self.identity_digests(&case)?)
            } else {
                None
            };
            let mut prev = head.hash.clone();
            let recorded_at = now();
            let mut rows = Vec::with_capacity(events.len());
            for (i, (event, body)) in events.iter().zip(&bodies).enumerate() {
                let version = head.version + 1 + i64::try_from(i).unwrap_or(0);
                let mut row = EventRow {
                    case_id: case_id.to_owned(),
                    version,
                    kind: event.type_name().to_owned(),
                    actor: actor_json.clone(),
                    recorded_at: recorded_at.clone(),
                    body: body.clone(),
                    prev_hash: prev,
                    hash: String::new(),
                };
                row.hash = event_hash(&row);
                prev = row.hash.clone();
                rows.push(row);
            }
            let version = head.version + i64::try_from(events.len()).unwrap_or(0);
            let bundle = case
                .to_json()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let jurisdiction = case.jurisdiction.to_string();
            tx.append_rows(
                &rows,
                &CaseRow {
                    case_id,
                    jurisdiction: &jurisdiction,
                    municipality: case.municipality.as_str(),
                    version,
                    head_hash: prev,
                    bundle: &bundle,
                },
            )?;
            // The projections are rewritten only where the events changed them.
            let rows = deadline_rows(&case);
            if rows != rows_before || case.municipality != municipality_before {
                tx.put_deadlines(case_id, case.municipality.as_str(), &rows, false)?;
            }
            if let Some(digests) = &digests {
                tx.put_identities(case_id, digests, false)?;
            }
            if let Some(key) = idempotency_key {
                tx.put_idempotency(case_id, key, &request, head.version + 1, version)?;
            }
            ctx.detail = format!("versions {} to {version}", head.version + 1);
            Ok(Appended {
                case_id: case_id.to_owned(),
                first_version: version_u64(head.version + 1),
                version: version_u64(version),
                repeated: false,
            })
        })
    }

    /// Reads a case's current bundle, logged. On a backend that reads inside its log entry's
    /// write transaction (SQLite), in a batch with the reads of other threads; elsewhere in a
    /// snapshot, with its entry committed in a batch after it.
    pub(crate) fn read_json(&self, actor: &Actor, case_id: &str) -> R<StoredBundle> {
        if self.backend.reads_in_log_transaction() {
            return self.read_json_in_batch(actor, case_id);
        }
        self.logged(actor, Action::Read, Some(case_id), &mut |tx, ctx| {
            Self::read_json_body(tx, actor, case_id, ctx)
        })
    }

    fn read_json_body(
        tx: &mut dyn Tx,
        actor: &Actor,
        case_id: &str,
        ctx: &mut LogCtx,
    ) -> R<StoredBundle> {
        let head = Self::visible_head(tx, actor, case_id, true, ctx)?;
        ctx.detail = format!("version {}", head.version);
        Ok(StoredBundle {
            json: head.bundle.unwrap_or_default(),
            version: version_u64(head.version),
        })
    }

    pub(crate) fn read(&self, actor: &Actor, case_id: &str) -> R<StoredCase> {
        // The access is logged when the row is read; a bundle that no longer parses (changed
        // behind the store's back) is then an error for the caller, and `verify` names it.
        let stored = self.read_json(actor, case_id)?;
        let case = Case::from_json(&stored.json)
            .map_err(|e| StoreError::Corrupt(format!("case {case_id}: {e}")))?;
        Ok(StoredCase {
            case,
            version: stored.version,
        })
    }

    pub(crate) fn history(&self, actor: &Actor, case_id: &str) -> R<Vec<StoredEvent>> {
        self.logged(actor, Action::History, Some(case_id), &mut |tx, ctx| {
            let head = Self::visible_head(tx, actor, case_id, false, ctx)?;
            ctx.detail = format!("versions 1 to {}", head.version);
            tx.events(case_id)?.iter().map(decode_event).collect()
        })
    }

    pub(crate) fn lookup(&self, actor: &Actor, id: &PersonId) -> R<Vec<String>> {
        self.logged(actor, Action::Lookup, None, &mut |tx, ctx| {
            let key = self.key.as_ref().ok_or(StoreError::NoKey)?;
            let found: Vec<String> = tx
                .cases_by_digest(&key.identity_digest(id))?
                .into_iter()
                .filter(|(_, m)| actor.serves(m))
                .map(|(c, _)| c)
                .collect();
            ctx.detail = format!("{} case(s)", found.len());
            Ok(found)
        })
    }

    pub(crate) fn worklist(&self, actor: &Actor, q: &WorklistQuery) -> R<Vec<WorklistItem>> {
        self.logged(actor, Action::Worklist, None, &mut |tx, ctx| {
            let munis: Option<Vec<String>> = match (&q.municipality, actor.role) {
                (Some(m), _) if actor.serves(m) => Some(vec![m.clone()]),
                (Some(_), _) => Some(Vec::new()),
                (None, crate::actor::Role::LocalAdministrator) => None,
                (None, _) => Some(
                    actor
                        .municipalities
                        .iter()
                        .map(|m| m.as_str().to_owned())
                        .collect(),
                ),
            };
            let due_by = barnvern_core::dates::add_days(q.as_of, u64::from(q.within_days))
                .unwrap_or(NaiveDate::MAX);
            let rows = tx.worklist(munis.as_deref(), &due_by.to_string())?;
            let items = rows
                .into_iter()
                .map(|w| worklist_item(w, q.as_of))
                .collect::<R<Vec<_>>>()?;
            ctx.detail = format!(
                "{} item(s) as of {} within {} days",
                items.len(),
                q.as_of,
                q.within_days
            );
            Ok(items)
        })
    }

    pub(crate) fn access_log(&self, actor: &Actor, case_id: Option<&str>) -> R<Vec<AccessEntry>> {
        // Read first (the entry of this very read is not in what it returns), then log.
        let mut out = Vec::new();
        if actor.check().is_ok() && actor.may(Action::ReadLog) {
            self.backend.read_bulk(&mut |tx| {
                out.clear();
                tx.log(case_id, false, &mut |e, _| {
                    out.push(e);
                    Ok(())
                })
            })?;
        }
        let n = out.len();
        self.logged(actor, Action::ReadLog, case_id, &mut |_, ctx| {
            ctx.detail = format!("{n} entries");
            Ok(())
        })?;
        Ok(out)
    }

    /// Streams every current bundle (canonical JSON) to `f`, in import order.
    pub(crate) fn stream_bundles(
        &self,
        actor: &Actor,
        action: Action,
        f: &mut dyn FnMut(&str) -> R<()>,
    ) -> R<u64> {
        self.logged(actor, action, None, &mut |_, ctx| {
            ctx.detail = "started".into();
            Ok(())
        })?;
        self.backend.read_bulk(&mut |tx| tx.bundles(f))
    }

    pub(crate) fn verify(&self, actor: &Actor) -> R<VerifyReport> {
        self.logged(actor, Action::Verify, None, &mut |_, ctx| {
            ctx.detail = "started".into();
            Ok(())
        })?;
        self.backend.read_bulk(&mut |tx| verify_all(tx))
    }
}

fn worklist_item(w: crate::backend::WorklistRow, as_of: NaiveDate) -> R<WorklistItem> {
    let date = |s: &str| {
        s.parse::<NaiveDate>()
            .map_err(|e| StoreError::Corrupt(format!("worklist date {s:?}: {e}")))
    };
    let kind = serde_json::from_value(serde_json::Value::String(w.row.kind.clone()))
        .map_err(|e| StoreError::Corrupt(format!("worklist kind: {e}")))?;
    let effective = date(&w.row.effective_due)?;
    Ok(WorklistItem {
        case_id: w.case_id,
        municipality: w.municipality,
        kind,
        record: w.row.record,
        record_id: w.row.record_id,
        sequence: w.row.sequence.and_then(|s| u32::try_from(s).ok()),
        due: date(&w.row.due)?,
        extended_due: w.row.extended_due.as_deref().map(date).transpose()?,
        // As barnvern_case::deadlines reports an open deadline: pending up to the (extended)
        // due date, overdue after it.
        status: if as_of <= effective {
            DeadlineStatus::Pending
        } else {
            DeadlineStatus::Overdue
        },
        rule_id: w.row.rule_id,
    })
}

/// An access-log entry of `actor` doing `action`, not yet placed in a chain (no chain, seq,
/// time, case or hashes).
fn log_entry(actor: &Actor, action: Action, outcome: Outcome, detail: String) -> LogRow {
    LogRow {
        chain: String::new(),
        seq: 0,
        at: String::new(),
        staff_id: actor.staff_id.clone(),
        role: actor.role.as_str().to_owned(),
        purpose: actor.purpose.clone(),
        case_id: None,
        action: action.as_str().to_owned(),
        outcome: match outcome {
            Outcome::Allowed => "allowed".into(),
            Outcome::Refused => "refused".into(),
        },
        detail,
        prev_hash: String::new(),
        hash: String::new(),
    }
}

/// Decides one logged operation: runs `run` if the actor may do `action` at all, and gives its
/// result with the access-log entry it needs (unchained): allowed, refused with the refusal's
/// code, or none for an error of the store itself (nothing was read or written).
fn decided<T>(
    actor: &Actor,
    action: Action,
    case_id: Option<&str>,
    ctx: &mut LogCtx,
    run: impl FnOnce(&mut LogCtx) -> R<T>,
) -> (R<T>, Option<LogRow>) {
    let allowed = match actor.check() {
        Err(e) => Err(e),
        Ok(()) if !actor.may(action) => Err(StoreError::Forbidden {
            role: actor.role.as_str(),
            action: action.as_str(),
        }),
        Ok(()) => Ok(()),
    };
    let result = allowed.and_then(|()| run(ctx));
    let outcome = match &result {
        Ok(_) => Some((Outcome::Allowed, ctx.detail.clone())),
        Err(e) if e.is_refusal() => Some((Outcome::Refused, e.code().to_owned())),
        Err(_) => None,
    };
    let row = outcome.map(|(o, detail)| unchained_log_row(actor, action, case_id, ctx, o, detail));
    (result, row)
}

/// The access-log entry of one logged operation, timed now: in the case's chain when the
/// operation is on a case that exists, else in the global chain.
fn unchained_log_row(
    actor: &Actor,
    action: Action,
    case_id: Option<&str>,
    ctx: &LogCtx,
    outcome: Outcome,
    detail: String,
) -> LogRow {
    LogRow {
        chain: ctx
            .chain
            .clone()
            .filter(|_| action.is_case_action())
            .unwrap_or_else(|| GLOBAL_CHAIN.to_owned()),
        at: now(),
        case_id: case_id.map(str::to_owned),
        ..log_entry(actor, action, outcome, detail)
    }
}

/// Links `rows` (in order) onto the heads of their chains, locked for the transaction, and
/// inserts them: each row's seq follows its chain's head and its hash covers the previous
/// one's. `known` is a chain's head that the transaction has already read and locked (see
/// `Head::log_head`); the heads are read here only when some row is on another chain.
fn chain_and_insert(
    tx: &mut dyn Tx,
    rows: &mut [LogRow],
    known: Option<(&str, (i64, String))>,
) -> R<()> {
    let mut heads = match known {
        // Every row goes to the chain whose head the transaction already holds locked.
        Some((chain, head)) if rows.iter().all(|r| r.chain == chain) => {
            std::collections::HashMap::from([(chain.to_owned(), head)])
        }
        _ => {
            let chains: Vec<&str> = rows.iter().map(|r| r.chain.as_str()).collect();
            tx.log_heads_of(&chains)?
        }
    };
    for row in rows.iter_mut() {
        let (seq, prev) = heads.remove(&row.chain).unwrap_or((0, GENESIS.to_owned()));
        row.seq = seq + 1;
        row.prev_hash = prev;
        row.hash = log_hash(row);
        heads.insert(row.chain.clone(), (row.seq, row.hash.clone()));
    }
    tx.insert_logs(rows)
}

/// Recomputes every chain and replays every stream against its projection.
fn verify_all(tx: &mut dyn Tx) -> R<VerifyReport> {
    let mut report = VerifyReport::default();
    for summary in tx.case_summaries()? {
        report.cases += 1;
        let rows = tx.events(&summary.case_id)?;
        let brk = |version: i64, reason: &str| ChainBreak::Events {
            case_id: summary.case_id.clone(),
            version: version_u64(version),
            reason: reason.to_owned(),
        };
        let mut prev = GENESIS.to_owned();
        let mut broken = None;
        let mut decoded = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            report.events += 1;
            let want = i64::try_from(i + 1).unwrap_or(i64::MAX);
            if row.version != want {
                broken = Some(brk(want, "a version is missing"));
                break;
            }
            if row.prev_hash != prev {
                broken = Some(brk(row.version, "the link to the previous event is broken"));
                break;
            }
            if event_hash(row) != row.hash {
                broken = Some(brk(
                    row.version,
                    "the event's content does not match its hash (changed after it was written)",
                ));
                break;
            }
            match decode_event(row) {
                Ok(e) => decoded.push(e),
                Err(e) => {
                    broken = Some(brk(row.version, &e.to_string()));
                    break;
                }
            }
            prev = row.hash.clone();
        }
        if broken.is_none() {
            let last = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            if summary.version != last || summary.head_hash != prev {
                broken = Some(brk(
                    summary.version,
                    "the case's head does not match the end of its stream (events removed or added)",
                ));
            } else {
                let bundle = tx.bundle(&summary.case_id)?.unwrap_or_default();
                match replay(&decoded)
                    .and_then(|c| c.to_json().map_err(|e| StoreError::Corrupt(e.to_string())))
                {
                    Ok(replayed) if replayed == bundle => {}
                    Ok(_) => {
                        broken = Some(brk(
                            summary.version,
                            "the stored bundle differs from the replayed stream",
                        ))
                    }
                    Err(e) => broken = Some(brk(summary.version, &e.to_string())),
                }
            }
        }
        report.breaks.extend(broken);
    }
    // The access log, chain by chain.
    let heads = tx.log_heads()?;
    let mut current: Option<(String, i64, String, bool)> = None;
    let mut ends: Vec<(String, i64, String)> = Vec::new();
    let mut log_breaks = Vec::new();
    tx.log(None, true, &mut |e, prev_hash| {
        report.log_entries += 1;
        if current.as_ref().is_none_or(|c| c.0 != e.chain) {
            if let Some((c, s, h, _)) = current.take() {
                ends.push((c, s, h));
            }
            current = Some((e.chain.clone(), 0, GENESIS.to_owned(), false));
        }
        let Some(cur) = current.as_mut() else {
            return Ok(());
        };
        if cur.3 {
            return Ok(());
        }
        let brk = |reason: &str| ChainBreak::AccessLog {
            log_chain: e.chain.clone(),
            seq: e.seq,
            reason: reason.to_owned(),
        };
        if e.seq != cur.1 + 1 {
            log_breaks.push(brk("an entry is missing"));
            cur.3 = true;
        } else if prev_hash != cur.2 {
            log_breaks.push(brk("the link to the previous entry is broken"));
            cur.3 = true;
        } else if entry_hash(&e, &prev_hash) != e.hash {
            log_breaks.push(brk(
                "the entry's content does not match its hash (changed after it was written)",
            ));
            cur.3 = true;
        }
        cur.1 = e.seq;
        cur.2 = e.hash.clone();
        Ok(())
    })?;
    if let Some((c, s, h, _)) = current.take() {
        ends.push((c, s, h));
    }
    for (chain, seq, hash) in heads {
        let end = ends.iter().find(|e| e.0 == chain);
        let ok = end.is_some_and(|e| e.1 == seq && e.2 == hash);
        let already = log_breaks
            .iter()
            .any(|b| matches!(b, ChainBreak::AccessLog { log_chain, .. } if *log_chain == chain));
        if !ok && !already {
            log_breaks.push(ChainBreak::AccessLog {
                log_chain: chain.clone(),
                seq,
                reason: "the chain's head does not match its last entry (entries removed or added)"
                    .into(),
            });
        }
    }
    report.breaks.extend(log_breaks);
    Ok(report)
}

impl<B: Backend> Engine<B> {
    /// Logs a request that a service refused before calling the store: with the actor when
    /// one is known, else as `unauthenticated` (no token, an expired or forged one). An entry
    /// of the global chain.
    pub(crate) fn log_refusal(
        &self,
        actor: Option<&Actor>,
        action: Action,
        case_id: Option<&str>,
        purpose: &str,
        code: &str,
    ) -> R<()> {
        let (staff_id, role, purpose) = match actor {
            Some(a) => (a.staff_id.as_str(), a.role.as_str(), a.purpose.as_str()),
            None => ("unauthenticated", "unauthenticated", purpose),
        };
        self.commit_read_log(LogRow {
            chain: GLOBAL_CHAIN.to_owned(),
            seq: 0,
            at: now(),
            staff_id: staff_id.to_owned(),
            role: role.to_owned(),
            purpose: purpose.to_owned(),
            case_id: case_id.map(str::to_owned),
            action: action.as_str().to_owned(),
            outcome: "refused".to_owned(),
            detail: code.to_owned(),
            prev_hash: String::new(),
            hash: String::new(),
        })
    }

    /// Whether the database answers (a read of the access log's head; nothing is written).
    pub(crate) fn ping(&self) -> R<()> {
        self.backend
            .read(&mut |tx| tx.log_head(GLOBAL_CHAIN).map(|_| ()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_imported_bundle_is_cut_from_the_body_as_the_import_wrote_it() {
        let bundle = r#"{"case_id":"x","source":{"a":1},"note":"a \",\"source\":{} b"}"#;
        let source = ImportSource {
            system: "jsonl".into(),
            file: Some(r#"odd ,"source":{"system":"x"} name.jsonl"#.into()),
            line: Some(7),
        };
        let body = format!(
            "{{\"bundle\":{bundle},\"source\":{}}}",
            serde_json::to_string(&source).unwrap()
        );
        // The body is what serde gives for the whole (as `decode_event` reads it back).
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["source"]["line"], 7);
        assert_eq!(imported_bundle(&body), Some(bundle));
        assert_eq!(
            imported_bundle(r#"{"bundle":{},"source":{"nope":1}}"#),
            None
        );
        assert_eq!(imported_bundle(r#"{"type":"case_closed"}"#), None);
        assert_eq!(imported_bundle(""), None);
    }
}
