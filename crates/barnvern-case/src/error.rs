//! The crate's error type.

use barnvern_core::ValidationError;

/// Everything that can go wrong with a case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The bundle or a value in it is invalid.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// An event that the case's state does not allow.
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    /// The bundle's `schema_version` is not one this version of barnvern reads.
    #[error(
        "case bundle schema_version {} is not supported: this barnvern reads {supported}",
        found.as_deref().map_or_else(|| "(none)".to_owned(), barnvern_core::identifier::echo)
    )]
    SchemaVersion {
        /// The version found in the bundle (`None` when the field is missing).
        found: Option<String>,
        /// The versions this build reads, comma-separated.
        supported: String,
    },
    /// The case could not be written as JSON.
    #[error("could not write the case as JSON: {0}")]
    Serialize(String),
}

/// An event refused because the case's state does not allow it. Names the event, the state
/// and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} refused: {message} (state: {state}; rule {code})")]
pub struct WorkflowError {
    /// The event's type, as in JSON (`investigation_concluded`).
    pub event: &'static str,
    /// The relevant state of the case (`investigation inv-1 concluded on 2024-05-02`).
    pub state: String,
    /// Stable code of the rule (`workflow.investigation_not_started`).
    pub code: String,
    /// Why, in words a caseworker understands.
    pub message: String,
    /// Path of the offending value inside the event, where there is one.
    pub path: String,
}
