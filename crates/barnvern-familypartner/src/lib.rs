//! The Family Partner programme (FAMPART) and its trial: a Family Partner gives a family
//! intensive home-based follow-up, parental guidance (SE föräldravägledning, NO
//! foreldreveiledning) and coordination of its services for 6-18 months, with at most 5
//! families at a time; a pilot trial (NCT04957394) randomises eligible families 1:1 against
//! ordinary services.
//!
//! The programme is versioned data ([`ProgrammeDefinition`]; the shipped one is a documented
//! **default**, not the manual). A [`Trial`] changes only through events that its rules allow
//! (no randomisation without eligibility and consent, contacts only inside an enrolment and
//! never after a withdrawal, no enrolment over the caseload cap without a reasoned override);
//! refusals name the step, the state and the rule. Metrics show numerator and denominator
//! ([`metrics::Ratio`]): dose, adherence, caseload, retention, the CONSORT flow with its
//! invariants checked, and progression criteria as traffic lights.
//!
//! ```
//! use barnvern_core::{Provenance, StaffRef};
//! use barnvern_familypartner::{
//!     FamilyChange, FamilyRef, ProgrammeDefinition, RandomisationDesign, Randomiser, Trial,
//!     TrialDesign, TrialEvent, TrialId, WaveDefinition,
//! };
//! use chrono::NaiveDate;
//!
//! let day = |m, d| NaiveDate::from_ymd_opt(2024, m, d).unwrap();
//! let prov: Provenance = serde_json::from_str(r#"{"recorded_at": "2024-01-10T09:00:00Z",
//!     "recorded_by": {"role": "researcher", "staff": "r-1"}, "source_system": "demo"}"#).unwrap();
//! let design = TrialDesign {
//!     randomisation: RandomisationDesign::blocks(&[2, 4]),
//!     waves: WaveDefinition::fampart(),
//!     primary_wave: 6,
//!     sites: Vec::new(),
//!     usual_care: None,
//!     instruments: Vec::new(),
//! };
//! let programme = ProgrammeDefinition::builtin_default().unwrap().clone();
//! let mut trial = Trial::new(TrialId::new("demo").unwrap(), programme, design.clone()).unwrap();
//! let fam = FamilyRef::new("fam-1").unwrap();
//! let step = |change| TrialEvent { family: fam.clone(), change, provenance: prov.clone() };
//!
//! trial.apply(step(FamilyChange::Approached { on: day(1, 2), site: None })).unwrap();
//! // Randomising before screening and consent is refused, and names the rule.
//! let mut randomiser = Randomiser::new(20240101, &design.randomisation).unwrap();
//! let err = trial.randomise(&fam, day(1, 9), &mut randomiser, prov.clone()).unwrap_err();
//! assert_eq!(err.code, "fp.not_screened");
//! assert_eq!(randomiser.assigned(), 0); // a refused step draws nothing
//!
//! let screening = serde_json::from_str(r#"{"on": "2024-01-05", "child_age_years": 7,
//!     "receives_child_welfare_services": true}"#).unwrap();
//! trial.apply(step(FamilyChange::Screened { screening })).unwrap();
//! let consent = serde_json::from_str(r#"{"on": "2024-01-08", "given": true}"#).unwrap();
//! trial.apply(step(FamilyChange::ConsentRecorded { consent })).unwrap();
//! let allocation = trial.randomise(&fam, day(1, 9), &mut randomiser, prov.clone()).unwrap();
//! assert_eq!(allocation.sequence, 1);
//!
//! let flow = trial.consort(day(1, 31));
//! assert_eq!((flow.assessed, flow.randomised), (1, 1));
//! assert!(flow.findings.is_empty());
//! ```

pub mod contact;
pub mod enrolment;
pub mod error;
pub mod family;
pub mod ids;
pub mod interview;
pub mod metrics;
pub mod programme;
pub mod questionnaire;
pub mod randomisation;
pub mod rules;
pub mod screening;
pub mod site;
pub mod trial;
pub mod validate;
pub mod waves;
pub mod workflow;

pub use contact::{
    Contact, ContactMode, ContactStatus, CoordinationActivity, CoordinationKind, FamilyGoal,
    GoalProgress, GoalReview, GuidanceSession,
};
pub use enrolment::{
    CaseloadOverride, Enrolment, EnrolmentEnd, Withdrawal, WithdrawalReason, WithdrawalScope,
    WithdrawnBy,
};
pub use error::{Error, WorkflowError};
pub use family::FamilyRecord;
pub use ids::{ContactId, FamilyRef, GoalId, TrialId};
pub use interview::{InterviewEnd, InterviewReason, InterviewStatus, QualitativeInterview};
pub use metrics::Ratio;
pub use programme::{
    Component, DefinitionStatus, Duration, EligibilityCriteria, GuidanceModule, Per, Phase,
    ProgrammeCosts, ProgrammeDefinition, Rate,
};
pub use questionnaire::{Questionnaire, UserInstrument};
pub use randomisation::{
    AgeBand, Allocation, AllocationRatio, Arm, Assignment, RandomisationDesign, Randomiser,
    StratificationFactor, Stratum,
};
pub use screening::{Eligibility, IneligibilityReason, Screening, TrialConsent};
pub use site::{Site, SiteCode};
pub use trial::{
    SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS, Trial, TrialData, TrialDesign, UsualCare,
};
pub use waves::{WaveDefinition, WaveOutcome, WaveRecord, WaveStatus};
pub use workflow::{FamilyChange, TrialEvent};

impl TrialData {
    /// The CONSORT flow as of `as_of` ([`fn@metrics::consort`]).
    pub fn consort(&self, as_of: chrono::NaiveDate) -> metrics::ConsortFlow {
        metrics::consort(self, as_of)
    }

    /// Retention per wave per arm as of `as_of` ([`fn@metrics::retention`]).
    pub fn retention(&self, as_of: chrono::NaiveDate) -> Vec<metrics::Retention> {
        metrics::retention(self, as_of)
    }

    /// Dose per phase as of `as_of` ([`metrics::dose_per_phase`]).
    pub fn dose(&self, as_of: chrono::NaiveDate) -> Vec<metrics::PhaseDose> {
        metrics::dose_per_phase(self, as_of)
    }

    /// Caseload per partner over time up to `as_of` ([`fn@metrics::caseload`]).
    pub fn caseload(&self, as_of: chrono::NaiveDate) -> Vec<metrics::CaseloadPeriod> {
        metrics::caseload(self, as_of)
    }

    /// Eligibility, consent, retention among families due and completion, with 95% Wilson
    /// intervals, as of `as_of` ([`fn@metrics::feasibility`]).
    pub fn feasibility(&self, as_of: chrono::NaiveDate) -> metrics::Feasibility {
        metrics::feasibility(self, as_of)
    }

    /// The programme's components delivered per family and phase as of `as_of`
    /// ([`metrics::fidelity_per_phase`]).
    pub fn fidelity(&self, as_of: chrono::NaiveDate) -> Vec<metrics::PhaseFidelity> {
        metrics::fidelity_per_phase(&self.as_of(as_of), as_of)
    }

    /// Questionnaire completeness per wave and instrument as of `as_of`
    /// ([`metrics::questionnaire_completeness`]).
    pub fn questionnaire_completeness(
        &self,
        as_of: chrono::NaiveDate,
    ) -> Vec<metrics::QuestionnaireCompleteness> {
        metrics::questionnaire_completeness(self, as_of)
    }

    /// AIM, IAM and FIM per wave, informant (families and staff) and arm: the median against
    /// the benchmark, as of `as_of` ([`fn@metrics::acceptability`]).
    pub fn acceptability(&self, as_of: chrono::NaiveDate) -> Vec<metrics::Acceptability> {
        metrics::acceptability(self, as_of)
    }

    /// The qualitative sub-sample's invitations, consents and interviews per site and arm as of
    /// `as_of` ([`fn@metrics::interviews`]).
    pub fn interviews(&self, as_of: chrono::NaiveDate) -> Vec<metrics::InterviewCounts> {
        metrics::interviews(self, as_of)
    }

    /// Recruitment per month and per site as of `as_of` ([`fn@metrics::recruitment`]).
    pub fn recruitment(&self, as_of: chrono::NaiveDate) -> metrics::Recruitment {
        metrics::recruitment(self, as_of)
    }

    /// Progression criteria evaluated as of `as_of` ([`metrics::evaluate`]).
    pub fn progression(
        &self,
        criteria: &metrics::ProgressionCriteria,
        as_of: chrono::NaiveDate,
    ) -> Vec<metrics::ProgressionResult> {
        metrics::evaluate(criteria, self, as_of)
    }
}
