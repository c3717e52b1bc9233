//! Metrics of the programme and the trial. Each shows its numerator and denominator
//! ([`Ratio`]), so a figure can always be traced back to counts.

pub mod acceptability;
pub mod caseload;
pub mod completeness;
pub mod consort;
pub mod costs;
pub mod dose;
pub mod feasibility;
pub mod fidelity;
pub mod interviews;
pub mod progression;
pub mod ratio;
pub mod recruitment;
pub mod retention;

pub use acceptability::{ACCEPTABILITY_INSTRUMENTS, Acceptability, acceptability};
pub use caseload::{CaseloadPeriod, caseload};
pub use completeness::{QuestionnaireCompleteness, questionnaire_completeness};
pub use consort::{
    ArmFlow, ConsortFlow, ConsortRow, ExclusionCount, ExclusionReason, FlowReason, FlowReasonCount,
    RowReason, WaveFollowUp, consort,
};
pub use costs::{FamilyCosts, family_costs};
pub use dose::{FamilyDose, PhaseDose, adherence, dose_per_phase};
pub use feasibility::{Feasibility, WaveRetention, feasibility};
pub use fidelity::{FamilyFidelity, PhaseFidelity, fidelity_per_phase};
pub use interviews::{InterviewCounts, InterviewReasonCount, interviews};
pub use progression::{
    Direction, Light, ProgressionCriteria, ProgressionCriterion, ProgressionMetric,
    ProgressionResult, Threshold, evaluate, metric_value,
};
pub use ratio::{Interval, Ratio, Z_95, wilson};
pub use recruitment::{Recruitment, RecruitmentMonth, SiteRecruitment, recruitment};
pub use retention::{Retention, retention};
