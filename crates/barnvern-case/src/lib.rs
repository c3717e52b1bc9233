//! The child-protection case process: a case from the report of concern (SE orosanmälan, NO
//! bekymringsmelding) through protection assessment, screening, investigation, decision and
//! follow-up to closure, changed only by events that the workflow accepts, with the statutory
//! deadlines of each country computed from a versioned rule table.
//!
//! ```
//! use barnvern_case::{Case, DeadlineRules, DeadlineStatus};
//! use chrono::NaiveDate;
//!
//! let json = include_str!("../../../examples/se-case.json");
//! let case = Case::from_json(json).unwrap();
//! let as_of = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
//! for d in case.deadlines(as_of) {
//!     println!("{} {} due {} -> {}", d.record, d.kind.as_str(), d.due, d.status.as_str());
//! }
//! // Events the state does not allow are refused and leave the case unchanged.
//! let event = barnvern_case::CaseEvent::from_json(r#"{"type": "case_reopened",
//!     "reopened_on": "2025-03-01", "provenance": {"recorded_at": "2025-03-01T10:00:00Z",
//!     "recorded_by": {"role": "caseworker", "staff": "s-1"}, "source_system": "demo"}}"#).unwrap();
//! let mut copy = case.clone();
//! let err = copy.apply(event).unwrap_err();
//! assert_eq!(err.code, "workflow.case_not_closed");
//! assert_eq!(copy, case);
//! ```

pub mod assessment;
pub mod case;
pub mod deadlines;
pub mod decision;
pub mod error;
pub mod follow_up;
pub mod harms;
/// Identifiers of the case and its records (defined in `barnvern-core`, shared by all crates).
pub use barnvern_core::ids;
pub mod investigation;
pub mod person;
pub mod placement;
pub mod referral;
pub mod reporter;
pub mod risk;
pub mod screening;
pub mod validate;
pub mod violence;
pub mod violence_rules;
pub mod workflow;

pub use case::{
    Case, CaseData, CaseHeader, SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS, TrustedBundle,
};
pub use deadlines::{Deadline, DeadlineKind, DeadlineRules, DeadlineStatus};
pub use error::{Error, WorkflowError};
pub use workflow::CaseEvent;

impl Case {
    /// Every statutory deadline of the case as of `as_of`, under the shipped rule table.
    pub fn deadlines(&self, as_of: chrono::NaiveDate) -> Vec<Deadline> {
        deadlines::deadlines(self, DeadlineRules::builtin(), as_of)
    }

    /// Every statutory deadline of the case as of `as_of`, under `rules`.
    pub fn deadlines_with(&self, rules: &DeadlineRules, as_of: chrono::NaiveDate) -> Vec<Deadline> {
        deadlines::deadlines(self, rules, as_of)
    }
}
