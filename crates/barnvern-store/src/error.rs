//! The store's errors: each has a stable code ([`StoreError::code`]) and a message that never
//! holds an identity number.

use serde::Serialize;

/// One finding of the workflow or of validation: where, which rule, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Which event of the append (0-based), where the refusal is about an event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<usize>,
    /// Path of the offending value (`referrals[1].received_at`), or empty.
    pub path: String,
    /// Stable code of the rule (`workflow.investigation_not_started`).
    pub code: String,
    /// Why, in words a caseworker understands.
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(i) = self.event {
            write!(f, "event {i}: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{} ({})", self.message, self.code)
    }
}

/// A case id as a message shows it: ids come from callers (a URL, a file) and one shaped like an
/// identity number is masked.
fn shown(case_id: &str) -> std::borrow::Cow<'_, str> {
    barnvern_core::identifier::mask_identity_numbers(case_id)
}

/// Everything that can go wrong with a store operation. Refusals (not found, forbidden,
/// conflict, refused, invalid) are logged in the access log; nothing else is written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such case, or a case of a municipality the actor does not serve (its existence is not
    /// revealed).
    #[error("case {} not found (store.case_not_found)", shown(case_id))]
    NotFound {
        /// The case id asked for.
        case_id: String,
    },
    /// The actor's role may not do this at all.
    #[error("the role {role} may not {action} (store.forbidden)")]
    Forbidden {
        /// The role.
        role: &'static str,
        /// The action.
        action: &'static str,
    },
    /// The stream has moved on since the version the caller expected (or, for an import, a
    /// different bundle is stored under the id).
    #[error(
        "case {} is at version {current}, not the expected {expected}: nothing was written; \
         read the case again and retry (store.conflict)",
        shown(case_id)
    )]
    Conflict {
        /// The case.
        case_id: String,
        /// The version the caller expected.
        expected: u64,
        /// The stream's current version.
        current: u64,
    },
    /// The workflow or validation refused the events or the bundle: nothing was written.
    #[error("refused: {} (store.refused)", .findings.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Refused {
        /// Each finding, with its path, code and message.
        findings: Vec<Finding>,
    },
    /// The request is malformed (bad actor, empty append, reused idempotency key ...).
    #[error("{message} ({code})")]
    Invalid {
        /// Stable code.
        code: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The operation needs the store key (identity index), and none was given.
    #[error(
        "this operation needs the store key (at least 32 bytes; BARNVERN_STORE_KEY or \
         --store-key-file) (store.no_key)"
    )]
    NoKey,
    /// The store key given is not the one the store was created with.
    #[error(
        "the store key does not match the one this store was initialised with (fingerprint \
         {expected}) (store.key_mismatch)"
    )]
    KeyMismatch {
        /// The fingerprint recorded in the store.
        expected: String,
    },
    /// The database URL is not understood.
    #[error("{0} (store.bad_url)")]
    BadUrl(String),
    /// The store has not been initialised (`barnvern store init`).
    #[error(
        "the database holds no barnvern store; run `barnvern store init DB` first (store.not_initialised)"
    )]
    NotInitialised,
    /// The database was written by a newer barnvern.
    #[error(
        "the store's schema version {found} is newer than this barnvern supports ({supported}) \
         (store.schema_version)"
    )]
    SchemaVersion {
        /// The version found.
        found: i64,
        /// The latest this build knows.
        supported: i64,
    },
    /// A stored row could not be read back (a defect or tampering; run verify).
    #[error("stored data could not be read: {0} (store.corrupt)")]
    Corrupt(String),
    /// The database failed.
    #[error("database error: {0} (store.database)")]
    Database(String),
}

impl StoreError {
    /// The stable code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound { .. } => "store.case_not_found",
            StoreError::Forbidden { .. } => "store.forbidden",
            StoreError::Conflict { .. } => "store.conflict",
            StoreError::Refused { .. } => "store.refused",
            StoreError::Invalid { code, .. } => code,
            StoreError::NoKey => "store.no_key",
            StoreError::KeyMismatch { .. } => "store.key_mismatch",
            StoreError::BadUrl(_) => "store.bad_url",
            StoreError::NotInitialised => "store.not_initialised",
            StoreError::SchemaVersion { .. } => "store.schema_version",
            StoreError::Corrupt(_) => "store.corrupt",
            StoreError::Database(_) => "store.database",
        }
    }

    /// Whether the error is a refusal of the request (logged as such), as opposed to a failure
    /// of the store.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            StoreError::NotFound { .. }
                | StoreError::Forbidden { .. }
                | StoreError::Conflict { .. }
                | StoreError::Refused { .. }
                | StoreError::Invalid { .. }
                | StoreError::NoKey
        )
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}
