//! The crate's error type.

use barnvern_core::ValidationError;

/// Everything that can go wrong with a trial.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The data or a value in it is invalid.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// A step that the family's state does not allow.
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    /// The trial's `schema_version` is not one this version of barnvern reads.
    #[error(
        "trial schema_version {} is not supported: this barnvern reads {supported}",
        found.as_deref().map_or_else(|| "(none)".to_owned(), barnvern_core::identifier::echo)
    )]
    SchemaVersion {
        /// The version found (`None` when the field is missing).
        found: Option<String>,
        /// The versions this build reads, comma-separated.
        supported: String,
    },
    /// The trial could not be written as JSON.
    #[error("could not write the trial as JSON: {0}")]
    Serialize(String),
}

/// A step refused because the family's state does not allow it. Names the step, the state and
/// the rule (like `barnvern_case::WorkflowError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} refused: {message} (state: {state}; rule {code})")]
pub struct WorkflowError {
    /// The step, as in JSON (`contact_recorded`, `randomised`).
    pub event: &'static str,
    /// The relevant state (`family fam-3: enrolment ended 2024-06-30`).
    pub state: String,
    /// Stable code of the rule (`fp.contact_outside_enrolment`).
    pub code: String,
    /// Why, in words a Family Partner or trial manager understands.
    pub message: String,
    /// Path of the offending value inside the event, where there is one.
    pub path: String,
}
