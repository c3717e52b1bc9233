//! Canonical code values of the research tables: each domain enum written as the snake_case
//! text of its serde form, so a table holds exactly what the case bundle JSON holds.

use std::sync::LazyLock;

use barnvern_case::deadlines::{DeadlineKind, DeadlineStatus, StartBasis};
use barnvern_case::decision::{ClaimOutcome, DecisionKind, DecisionStatus};
use barnvern_case::follow_up::{AftercareOutcome, ClosureReason, FollowUpKind};
use barnvern_case::risk::{RiskLevel, RiskMethod};

use crate::tables::violence_disclosures::DisclosureStage;
use barnvern_case::investigation::{ChildParticipation, InvestigationConclusion};
use barnvern_case::person::{HouseholdRole, Involvement};
use barnvern_case::reporter::ReporterCategory;
use barnvern_case::screening::ScreeningOutcome;
use barnvern_case::violence::{ExposureMode, Relation, ViolenceForm};
use barnvern_core::provenance::StaffRole;
use barnvern_core::{Jurisdiction, Law, Severity, Sex};

use barnvern_familypartner::{
    Arm, ContactMode, ContactStatus, CoordinationKind, DefinitionStatus, EnrolmentEnd,
    GoalProgress, IneligibilityReason, InterviewReason, InterviewStatus, WaveOutcome,
    WithdrawalReason, WithdrawnBy,
};
use barnvern_intervention::episode::{EndReason, EvaluationConclusion};
use barnvern_intervention::kind::InterventionType;
use barnvern_intervention::meeting::{Agency, MeetingType};
use barnvern_intervention::plan::PlanType;
use barnvern_intervention::visits::{VisitFrequency, VisitKind};
use barnvern_outcomes::Informant;

use barnvern_research::case::{BasisKind, IdentityKind};
use barnvern_research::family::ItemStatus;

/// A closed set of canonical codes (a domain enum). The text of each value is its serde
/// form, so it cannot drift from the JSON of a case bundle.
pub trait CodeEnum: Copy + PartialEq + Sized + 'static {
    /// The code system named in the data dictionary, e.g. `barnvern.reporter_category`.
    const SYSTEM: &'static str;
    /// Every value, in declaration order.
    fn all() -> &'static [Self];
    /// The text of every value, in the order of [`CodeEnum::all`].
    fn codes() -> &'static [String];
    /// The text of this value.
    fn code(self) -> &'static str {
        let i = Self::all().iter().position(|v| *v == self).unwrap_or(0);
        Self::codes().get(i).map_or("", String::as_str)
    }
    /// The value written as `text`.
    fn from_code(text: &str) -> Option<Self> {
        let i = Self::codes().iter().position(|c| c == text)?;
        Self::all().get(i).copied()
    }
}

/// The serde text of a unit enum value (`"school"`), or empty if it is not a string.
pub(crate) fn serde_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

macro_rules! code_enum {
    ($ty:ident, $system:literal, [$($v:ident),* $(,)?]) => {
        impl CodeEnum for $ty {
            const SYSTEM: &'static str = $system;
            fn all() -> &'static [Self] {
                &[$($ty::$v),*]
            }
            fn codes() -> &'static [String] {
                static CODES: LazyLock<Vec<String>> =
                    LazyLock::new(|| <$ty as CodeEnum>::all().iter().map(serde_text).collect());
                &CODES
            }
        }
        // A variant added to the domain enum breaks this match, so the list above is complete.
        const _: fn($ty) = |v| match v {
            $($ty::$v => ()),*
        };
    };
}

code_enum!(Jurisdiction, "barnvern.jurisdiction", [Se, No]);
code_enum!(Sex, "barnvern.sex", [Female, Male]);
code_enum!(
    IdentityKind,
    "barnvern.identity_kind",
    [
        Personnummer,
        Samordningsnummer,
        Fodselsnummer,
        DNumber,
        HNumber,
        Unregistered
    ]
);
code_enum!(
    HouseholdRole,
    "barnvern.household_role",
    [Guardian, Parent, PartnerOfParent, Sibling, Other]
);
code_enum!(Involvement, "barnvern.involvement", [Yes, No, Unknown]);
code_enum!(
    StaffRole,
    "barnvern.staff_role",
    [
        Caseworker,
        TeamLeader,
        FamilyPartner,
        Researcher,
        Administrator,
        System,
        Other
    ]
);
code_enum!(
    ReporterCategory,
    "barnvern.reporter_category",
    [
        Child,
        Parent,
        OtherFamily,
        OtherPrivate,
        ChildWelfare,
        WelfareAgency,
        ChildWelfareEmergency,
        Police,
        Kindergarten,
        HealthClinic,
        School,
        EducationalPsychology,
        ChildMentalHealth,
        AdultMentalHealth,
        DoctorHospital,
        Dentist,
        FamilyCounselling,
        SubstanceServices,
        CrisisCentre,
        Immigration,
        YouthClub,
        VoluntaryOrganisation,
        OtherPublic,
        Anonymous
    ]
);
code_enum!(
    ViolenceForm,
    "barnvern.violence_form",
    [
        Physical,
        Psychological,
        Sexual,
        Neglect,
        MaterialEconomic,
        HonourRelated,
        Other
    ]
);
code_enum!(ExposureMode, "barnvern.exposure_mode", [Direct, Witnessed]);
code_enum!(
    Relation,
    "barnvern.relation",
    [
        Mother,
        Father,
        Parent,
        PartnerOfParent,
        Sibling,
        OtherFamily,
        KnownNonFamily,
        Stranger,
        Unknown
    ]
);
code_enum!(
    ScreeningOutcome,
    "barnvern.screening_outcome",
    [
        OpenInvestigation,
        NoInvestigation,
        ClosedActiveMeasures,
        JoinedOngoingInvestigation,
        Transferred
    ]
);
code_enum!(
    ChildParticipation,
    "barnvern.child_participation",
    [
        Conversation,
        Representative,
        Observation,
        OtherExpression,
        NotGivenOpportunity,
        Declined
    ]
);
code_enum!(
    InvestigationConclusion,
    "barnvern.investigation_conclusion",
    [
        Measures,
        CountyBoardApplication,
        ClosedNoGrounds,
        ClosedAtPartyRequest,
        ClosedMoved,
        ClosedReferredElsewhere
    ]
);
code_enum!(
    DecisionKind,
    "barnvern.decision_kind",
    [Measure, CareOrder, Emergency, Aftercare, Other]
);
code_enum!(
    DecisionStatus,
    "barnvern.decision_status",
    [Approved, SentToBoard, Lapsed, RefusedOrEnded]
);
code_enum!(
    ClaimOutcome,
    "barnvern.claim_outcome",
    [SentToBoard, Lapsed, Other]
);
code_enum!(
    AftercareOutcome,
    "barnvern.aftercare_outcome",
    [Accepted, DeclinedWantedOther, NoLongerWanted]
);
code_enum!(
    VisitFrequency,
    "barnvern.visit_frequency",
    [FourPerYear, TwoPerYear]
);
code_enum!(VisitKind, "barnvern.visit_kind", [Supervision, FollowUp]);
code_enum!(
    Law,
    "barnvern.law",
    [
        SeSol2001, SeSol2025, SeLvu1990, NoBvl1992, NoBvl2021, NoBl1981
    ]
);
code_enum!(
    FollowUpKind,
    "barnvern.follow_up_kind",
    [AfterClosure, MeasureReview, Aftercare, Other]
);
code_enum!(
    ClosureReason,
    "barnvern.closure_reason",
    [
        NoFurtherNeed,
        MovedMunicipality,
        MovedAway,
        CameOfAge,
        FamilyDeclined,
        Other
    ]
);
code_enum!(
    DeadlineKind,
    "barnvern.deadline_kind",
    [
        ProtectionAssessment,
        Screening,
        Investigation,
        MeasureEvaluation
    ]
);
code_enum!(
    DeadlineStatus,
    "barnvern.deadline_status",
    [Pending, Met, MetAfterExtension, Breached, Overdue]
);
code_enum!(
    StartBasis,
    "barnvern.deadline_start_basis",
    [
        Receipt,
        InvestigationStart,
        ReviewConcluded,
        ReviewLimit,
        MeasureStart
    ]
);
code_enum!(Severity, "barnvern.severity", [Error, Query, Warning]);
code_enum!(
    RiskMethod,
    "barnvern.risk_method",
    [
        FredaScreening,
        FredaDanger,
        Sara,
        Patriark,
        BSafer,
        SignsOfSafety,
        OtherStructured,
        ClinicalJudgement,
        Other
    ]
);
code_enum!(
    RiskLevel,
    "barnvern.risk_level",
    [Low, Moderate, High, Acute, NotDetermined]
);
code_enum!(
    DisclosureStage,
    "barnvern.disclosure_stage",
    [Investigation, FollowUp]
);

// InterventionType has over 60 values: its list comes from the domain crate's own
// `InterventionType::all()`, which that crate tests to be complete.
impl CodeEnum for InterventionType {
    const SYSTEM: &'static str = "barnvern.intervention_type";
    fn all() -> &'static [Self] {
        static ALL: LazyLock<Vec<InterventionType>> =
            LazyLock::new(|| InterventionType::all().collect());
        &ALL
    }
    fn codes() -> &'static [String] {
        static CODES: LazyLock<Vec<String>> = LazyLock::new(|| {
            <InterventionType as CodeEnum>::all()
                .iter()
                .map(serde_text)
                .collect()
        });
        &CODES
    }
}
code_enum!(
    BasisKind,
    "barnvern.intervention_basis",
    [Decision, WithoutNeedsAssessment]
);
code_enum!(
    EndReason,
    "barnvern.intervention_end_reason",
    [
        GoalReached,
        NoEffect,
        FamilyDeclined,
        Moved,
        Replaced,
        ReturnedHome,
        CameOfAge,
        Adoption,
        PlannedEnd,
        Other
    ]
);
code_enum!(
    EvaluationConclusion,
    "barnvern.evaluation_conclusion",
    [Continue, Adjust, EndGoalReached, EndNoEffect, Replace]
);
code_enum!(
    PlanType,
    "barnvern.plan_type",
    [
        ActionPlan,
        InvestigationPlan,
        CarePlan,
        ContactPlan,
        Sip,
        IndividualPlan
    ]
);
code_enum!(
    MeetingType,
    "barnvern.meeting_type",
    [
        Sip,
        ResponsibilityGroup,
        CooperationMeeting,
        NetworkMeeting,
        Other
    ]
);
code_enum!(
    Agency,
    "barnvern.agency",
    [
        School,
        Kindergarten,
        ChildHealthClinic,
        ChildPsychiatry,
        AdultPsychiatry,
        PrimaryCare,
        Police,
        WelfareAgency,
        CrisisCentre,
        FamilyCounselling,
        Other
    ]
);
code_enum!(Arm, "barnvern.fp.arm", [Intervention, Control]);
code_enum!(
    EnrolmentEnd,
    "barnvern.fp.enrolment_end",
    [Completed, EndedEarly, Withdrawn]
);
code_enum!(
    WithdrawnBy,
    "barnvern.fp.withdrawn_by",
    [Family, Service, Researcher]
);
code_enum!(
    WithdrawalReason,
    "barnvern.fp.withdrawal_reason",
    [
        NoLongerWishes,
        Moved,
        ChildPlaced,
        OtherServiceNeeded,
        ConsentWithdrawn,
        Other
    ]
);
code_enum!(
    IneligibilityReason,
    "barnvern.fp.ineligibility_reason",
    [ChildTooOld, NoChildWelfareServices, Other]
);
code_enum!(
    ContactMode,
    "barnvern.fp.contact_mode",
    [Home, Office, Phone, Video, Other]
);
code_enum!(
    ContactStatus,
    "barnvern.fp.contact_status",
    [
        Planned,
        Delivered,
        CancelledByFamily,
        CancelledByPartner,
        NoShow
    ]
);
code_enum!(
    CoordinationKind,
    "barnvern.fp.coordination_kind",
    [Meeting, Call, Referral, Accompanying, Other]
);
code_enum!(
    GoalProgress,
    "barnvern.fp.goal_progress",
    [NotStarted, SomeProgress, Achieved, Abandoned]
);
code_enum!(
    WaveOutcome,
    "barnvern.fp.wave_outcome",
    [Completed, Partial, Missed]
);
code_enum!(
    Informant,
    "barnvern.informant",
    [Parent, Teacher, SelfReport, Staff]
);
code_enum!(
    DefinitionStatus,
    "barnvern.fp.definition_status",
    [Default, Local, Manual]
);
code_enum!(ItemStatus, "barnvern.item_status", [Answered, NotDone]);
code_enum!(
    InterviewReason,
    "barnvern.fp.interview_reason",
    [NotInterested, NoTime, Unreachable, TooBurdensome, Other]
);
code_enum!(
    InterviewStatus,
    "barnvern.fp.interview_status",
    [Invited, Consented, Interviewed, Declined, Withdrawn]
);

#[cfg(test)]
mod tests {
    use super::*;

    fn check<T: CodeEnum + serde::de::DeserializeOwned + std::fmt::Debug>() {
        let codes = T::codes();
        assert_eq!(codes.len(), T::all().len(), "{}", T::SYSTEM);
        for (v, c) in T::all().iter().zip(codes) {
            assert!(!c.is_empty(), "{}", T::SYSTEM);
            assert_eq!(codes.iter().filter(|o| *o == c).count(), 1);
            assert_eq!(T::from_code(c), Some(*v));
            assert_eq!(v.code(), c);
            let back: T = serde_json::from_value(serde_json::Value::String(c.clone())).unwrap();
            assert_eq!(back, *v);
        }
        assert_eq!(T::from_code("no such code"), None);
    }

    #[test]
    fn every_code_is_its_serde_text_and_reads_back() {
        check::<Jurisdiction>();
        check::<Sex>();
        check::<IdentityKind>();
        check::<HouseholdRole>();
        check::<Involvement>();
        check::<StaffRole>();
        check::<ReporterCategory>();
        check::<ViolenceForm>();
        check::<ExposureMode>();
        check::<Relation>();
        check::<ScreeningOutcome>();
        check::<ChildParticipation>();
        check::<InvestigationConclusion>();
        check::<DecisionKind>();
        check::<DecisionStatus>();
        check::<ClaimOutcome>();
        check::<AftercareOutcome>();
        check::<VisitFrequency>();
        check::<VisitKind>();
        check::<Law>();
        check::<FollowUpKind>();
        check::<ClosureReason>();
        check::<DeadlineKind>();
        check::<DeadlineStatus>();
        check::<StartBasis>();
        check::<RiskMethod>();
        check::<RiskLevel>();
        check::<DisclosureStage>();
        check::<Severity>();
        check::<InterventionType>();
        check::<BasisKind>();
        check::<EndReason>();
        check::<EvaluationConclusion>();
        check::<PlanType>();
        check::<MeetingType>();
        check::<Agency>();
        check::<Arm>();
        check::<EnrolmentEnd>();
        check::<WithdrawnBy>();
        check::<WithdrawalReason>();
        check::<IneligibilityReason>();
        check::<ContactMode>();
        check::<ContactStatus>();
        check::<CoordinationKind>();
        check::<GoalProgress>();
        check::<WaveOutcome>();
        check::<Informant>();
        check::<ItemStatus>();
        check::<InterviewReason>();
        check::<InterviewStatus>();
        check::<DefinitionStatus>();
        assert!(InterventionType::FamilyPartner.code() == "family_partner");
        assert_eq!(Jurisdiction::Se.code(), "SE");
        assert_eq!(ReporterCategory::OtherPublic.code(), "other_public");
    }
}
