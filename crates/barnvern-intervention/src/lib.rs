//! Interventions (SE insatser, NO tiltak), plans and their evaluations, and the coordination
//! of services around a family.
//!
//! Intervention types are one canonical set of concepts ([`InterventionType`]) onto which
//! SSB's measure categories, the older KOSTRA grouping, the named programmes (Family Partner,
//! PMTO, MST, FFT, ICDP, Marte Meo, SafeCare, ...) and barnvern's Swedish list map; a recorded
//! type keeps its source code. The Norwegian evaluation guideline (Q-0982: help measures are
//! evaluated, as a rule, every three months) is a row of a versioned rule table
//! ([`EvaluationRules`]).
//!
//! ```
//! use barnvern_core::Jurisdiction;
//! use barnvern_intervention::{EvaluationRules, EvaluationStatus, Intervention, InterventionType};
//! use chrono::NaiveDate;
//!
//! let json = r#"{
//!   "id": "iv-1",
//!   "type": {"code": "pmto", "source": {"system": "no.ssb.barnevern.tiltak-kategori", "code": "3.2"}},
//!   "basis": {"kind": "decision", "legal_basis": {"law": "no_bvl2021", "chapter": "3", "section": "1"}},
//!   "started_on": "2024-01-15",
//!   "evaluations": [{"on": "2024-04-10", "conclusion": {"code": "continue"}}],
//!   "provenance": {"recorded_at": "2024-01-15T09:00:00Z",
//!                  "recorded_by": {"role": "caseworker", "staff": "s-1"}, "source_system": "demo"}
//! }"#;
//! let iv: Intervention = barnvern_core::json::from_str(json).unwrap();
//! assert_eq!(iv.intervention_type.code, InterventionType::Pmto);
//!
//! // Findings have paths, ready to sit under `interventions[0]` in a case bundle.
//! let report = barnvern_intervention::validate(Jurisdiction::No, &[iv.clone()], &[], &[]);
//! assert!(!report.has_errors());
//!
//! // Evaluation due dates: 15 Jan + 3 months = 15 Apr (met on 10 Apr), then 10 Jul.
//! let as_of = NaiveDate::from_ymd_opt(2024, 8, 1).unwrap();
//! let due = barnvern_intervention::evaluation_deadlines(
//!     Jurisdiction::No, &[iv], EvaluationRules::builtin(), as_of);
//! assert_eq!(due[0].status, EvaluationStatus::Met);
//! assert_eq!(due[1].due, NaiveDate::from_ymd_opt(2024, 7, 10).unwrap());
//! assert_eq!(due[1].status, EvaluationStatus::Overdue);
//! ```

pub mod deadlines;
pub mod episode;
pub mod ids;
pub mod kind;
pub mod meeting;
pub mod plan;
pub mod validate;
pub mod visits;

pub use deadlines::{
    EvaluationDeadline, EvaluationKind, EvaluationRule, EvaluationRules, EvaluationStatus,
    Interval, evaluation_deadlines,
};
pub use episode::{
    Consent, ConsentParty, ConsentStatus, EndReason, Evaluation, EvaluationConclusion,
    Intervention, InterventionBasis,
};
pub use ids::{InterventionId, MeetingId, PlanId};
pub use kind::{InterventionGroup, InterventionType, SE_INTERVENTIONS, SeIntervention};
pub use meeting::{Agency, CoordinationMeeting, MeetingType};
pub use plan::{Plan, PlanType, ScheduledEvaluation};
pub use validate::validate;
