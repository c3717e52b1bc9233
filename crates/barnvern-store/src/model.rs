//! What the store takes and gives back.

use barnvern_case::{Case, CaseData, CaseEvent, DeadlineKind, DeadlineStatus};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::actor::Role;

/// Where an imported bundle came from: recorded in the stream's `imported` event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportSource {
    /// The system or format it came from (`jsonl`, `ssb-xml`, `procapita` ...).
    pub system: String,
    /// The file it was read from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The line in that file, from 1, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

/// The body of a stored event: the `imported` event that starts a stream from an existing
/// bundle, or a workflow event ([`CaseEvent`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventBody {
    /// The stream starts with this bundle.
    Imported {
        /// The bundle as imported.
        bundle: Box<CaseData>,
        /// Where it came from.
        source: ImportSource,
    },
    /// A workflow event, as [`Case::apply`] takes it.
    Workflow(Box<CaseEvent>),
}

impl EventBody {
    /// The event's type: `imported` or the workflow event's type (`referral_received`).
    pub fn type_name(&self) -> &'static str {
        match self {
            EventBody::Imported { .. } => "imported",
            EventBody::Workflow(e) => e.type_name(),
        }
    }
}

/// Who recorded an event or made an access, as kept with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorRecord {
    /// Staff reference.
    pub staff_id: String,
    /// Role.
    pub role: Role,
    /// Purpose given.
    pub purpose: String,
}

/// One event of a stream, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The case.
    pub case_id: String,
    /// The version this event made (1 for the first).
    pub version: u64,
    /// When the store recorded it (RFC 3339, UTC).
    pub recorded_at: String,
    /// Who recorded it.
    pub actor: ActorRecord,
    /// The event.
    pub body: EventBody,
    /// The row's chain hash (hex SHA-256).
    pub hash: String,
}

/// A case as read: the current bundle and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCase {
    /// The current bundle.
    pub case: Case,
    /// The stream's version (the number of events).
    pub version: u64,
}

/// A case as read without parsing: the current bundle's canonical JSON, exactly as the store
/// wrote it from a validated case, and its version. For services that pass the bundle on
/// (an HTTP `GET` of the case) and need neither the typed case nor its validation again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBundle {
    /// The bundle's canonical JSON (compact, as [`Case::to_json`] gives it).
    pub json: String,
    /// The stream's version (the number of events).
    pub version: u64,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum ImportOutcome {
    /// A new stream was started at version 1.
    Imported,
    /// The identical bundle is already stored: nothing was written.
    Unchanged {
        /// The stream's version.
        version: u64,
    },
}

/// What an append did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appended {
    /// The case.
    pub case_id: String,
    /// The version of the first event appended.
    pub first_version: u64,
    /// The stream's version after the append.
    pub version: u64,
    /// True when the idempotency key had been seen: the first result is returned and nothing
    /// was written.
    pub repeated: bool,
}

/// A worklist query: open deadlines due within `within_days` of `as_of` or overdue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorklistQuery {
    /// The date the status is computed for.
    pub as_of: NaiveDate,
    /// Deadlines due up to this many days after `as_of` are listed (overdue ones always).
    pub within_days: u32,
    /// One municipality, or (`None`) every municipality the actor serves.
    pub municipality: Option<String>,
}

/// One open deadline on the worklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorklistItem {
    /// The case.
    pub case_id: String,
    /// Its municipality.
    pub municipality: String,
    /// What must be done.
    pub kind: DeadlineKind,
    /// The record it belongs to (`referrals[0]`).
    pub record: String,
    /// That record's id.
    pub record_id: String,
    /// Which deadline of a recurring kind, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u32>,
    /// The statutory due date.
    pub due: NaiveDate,
    /// The due date after an extension, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extended_due: Option<NaiveDate>,
    /// `pending` or `overdue` as of the query's date.
    pub status: DeadlineStatus,
    /// The rule applied.
    pub rule_id: String,
}

/// The outcome of an access, as logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done.
    Allowed,
    /// Refused (see the entry's code).
    Refused,
}

/// One entry of the access log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessEntry {
    /// Position in the whole log, from 1.
    pub id: i64,
    /// The chain the entry belongs to: the case id for an access to an existing case, `*` for
    /// everything else.
    pub chain: String,
    /// Position within the chain, from 1.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who.
    pub staff_id: String,
    /// In which role.
    pub role: String,
    /// Why.
    pub purpose: String,
    /// The case, where one was named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// What.
    pub action: String,
    /// Allowed or refused.
    pub outcome: Outcome,
    /// The refusal's code, or what was done (`version 3`).
    pub detail: String,
    /// The entry's chain hash.
    pub hash: String,
}

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "chain")]
pub enum ChainBreak {
    /// In a case's event stream (or its projection).
    Events {
        /// The case.
        case_id: String,
        /// The version where it breaks.
        version: u64,
        /// What is wrong.
        reason: String,
    },
    /// In the access log.
    AccessLog {
        /// The log chain (`*` or a case id).
        log_chain: String,
        /// The position in that chain.
        seq: i64,
        /// What is wrong.
        reason: String,
    },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Events {
                case_id,
                version,
                reason,
            } => write!(f, "case {case_id} version {version}: {reason}"),
            ChainBreak::AccessLog {
                log_chain,
                seq,
                reason,
            } => write!(f, "access log chain {log_chain} entry {seq}: {reason}"),
        }
    }
}

/// What `verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Cases checked.
    pub cases: u64,
    /// Events checked.
    pub events: u64,
    /// Access log entries checked.
    pub log_entries: u64,
    /// Every break found; empty when all chains hold.
    pub breaks: Vec<ChainBreak>,
}

impl VerifyReport {
    /// Whether every chain holds.
    pub fn is_ok(&self) -> bool {
        self.breaks.is_empty()
    }
}
