//! The research form of a case: pseudonymised and coarsened, ready for the research tables.
//!
//! [`ResearchCase::from_case`] is the only way in from a [`Case`]. What it does:
//!
//! - person, case and staff keys become [`Pseudonym`]s; identity numbers never enter (the types
//!   here have no field that could hold a [`barnvern_core::PersonId`]);
//! - the child's birth date becomes year and month (from the identity number, or from the
//!   expected date of an unregistered child);
//! - free text is dropped (referral text, coded-value text, extension reasons, extraordinary
//!   reasons), keeping only whether it was recorded where that carries meaning;
//! - record identifiers of the source system are dropped: records are numbered by their
//!   position in the case (`referral_index` 0, 1, ...) and refer to each other by position;
//! - timestamps are kept to the microsecond, with the recorded UTC offset;
//! - the statutory deadlines are computed by `barnvern-case` as of a given date;
//! - interventions, plans and meetings refer to each other and to decisions by position;
//!   intervention consents are not exported;
//! - the Family Partner records become a [`ResearchFamily`] (see [`crate::family`]): family
//!   and Family Partner pseudonymised, free text dropped, scores and costs derived.

use std::collections::HashMap;

use barnvern_case::Case;
use barnvern_case::deadlines::{DeadlineKind, DeadlineStatus, StartBasis};
use barnvern_case::decision::{ClaimOutcome, DecisionKind, DecisionStatus};
use barnvern_case::follow_up::{AftercareOutcome, ClosureReason, FollowUpKind};
use barnvern_case::investigation::{ChildParticipation, InvestigationConclusion};
use barnvern_case::person::{HouseholdRole, Involvement};
use barnvern_case::reporter::ReporterCategory;
use barnvern_case::risk::{RiskLevel, RiskMethod};
use barnvern_case::screening::ScreeningOutcome;
use barnvern_case::violence::{
    ExposureMode, Relation, ViolenceDisclosure, ViolenceExposure, ViolenceForm,
};
use barnvern_core::codelist::{Coded, SourceCode};
use barnvern_core::municipality::MunicipalityCode;
use barnvern_core::provenance::{SourceSystem, StaffRole};
use barnvern_core::{
    Jurisdiction, LegalBasis, PersonIdKind, PersonIdentity, Provenance, Severity, Sex,
};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use barnvern_intervention::InterventionBasis;
use barnvern_intervention::episode::{EndReason, EvaluationConclusion};
use barnvern_intervention::kind::InterventionType;
use barnvern_intervention::meeting::{Agency, MeetingType};
use barnvern_intervention::plan::PlanType;
use barnvern_intervention::visits::VisitFrequency;

use crate::family::ResearchFamily;
use crate::pseudonym::{Pseudonym, Pseudonymiser};

/// How the child is identified in the source, without the number: the kind of national
/// number, or unregistered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    /// SE personnummer.
    Personnummer,
    /// SE samordningsnummer.
    Samordningsnummer,
    /// NO fødselsnummer.
    Fodselsnummer,
    /// NO D-nummer.
    DNumber,
    /// NO H-nummer.
    HNumber,
    /// No national number (yet): an unborn child, a newborn, a new arrival.
    Unregistered,
}

impl IdentityKind {
    fn of(identity: &PersonIdentity) -> IdentityKind {
        match identity {
            PersonIdentity::Unregistered(_) => IdentityKind::Unregistered,
            PersonIdentity::NationalId(pid) => match pid.kind() {
                PersonIdKind::Personnummer => IdentityKind::Personnummer,
                PersonIdKind::Samordningsnummer => IdentityKind::Samordningsnummer,
                PersonIdKind::Fodselsnummer => IdentityKind::Fodselsnummer,
                PersonIdKind::DNumber => IdentityKind::DNumber,
                PersonIdKind::HNumber => IdentityKind::HNumber,
            },
        }
    }
}

/// A coded value without its free text: the canonical code, the code as the source recorded
/// it, and whether free text was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchCoded<T> {
    /// The canonical value.
    pub code: T,
    /// The system and code as recorded in the source.
    pub source: Option<SourceCode>,
    /// Whether the source recorded free text with the code (the text itself is dropped).
    pub has_text: bool,
}

impl<T: Copy> ResearchCoded<T> {
    pub(crate) fn of(coded: &Coded<T>) -> Self {
        ResearchCoded {
            code: coded.code,
            source: coded.source.clone(),
            has_text: has_text(coded.text.as_deref()),
        }
    }
}

pub(crate) fn has_text(text: Option<&str>) -> bool {
    text.is_some_and(|t| !t.trim().is_empty())
}

/// Who recorded a record, with the staff member pseudonymised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchProvenance {
    /// When it was recorded (UTC, microseconds).
    pub recorded_at: DateTime<Utc>,
    /// The recorder's role.
    pub recorded_by_role: StaffRole,
    /// The recorder's pseudonym.
    pub recorded_by: Pseudonym,
    /// The system it was recorded in.
    pub source_system: SourceSystem,
}

impl ResearchProvenance {
    pub(crate) fn of(p: &Provenance, ps: &dyn Pseudonymiser) -> Self {
        ResearchProvenance {
            recorded_at: p.recorded_at.trunc_subsecs(6),
            recorded_by_role: p.recorded_by.role,
            recorded_by: ps.staff(&p.recorded_by.staff),
            source_system: p.source_system.clone(),
        }
    }
}

/// The child of a case, coarsened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchChild {
    /// The child's pseudonym.
    pub key: Pseudonym,
    /// How the child is identified (kind of number, or unregistered).
    pub identity_kind: IdentityKind,
    /// Birth year (from the number, or the expected birth date); `None` where unknown.
    pub birth_year: Option<i32>,
    /// Birth month 1-12; `None` where unknown.
    pub birth_month: Option<u32>,
    /// Sex as recorded, else as the number encodes it.
    pub sex: Option<Sex>,
}

/// A carer or other household member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchPerson {
    /// The person's pseudonym; `None` when the case records no identity for them.
    pub key: Option<Pseudonym>,
    /// Role for the child.
    pub role: HouseholdRole,
    /// Custody (SE vårdnad, NO foreldreansvar).
    pub has_custody: Involvement,
    /// Perpetrator of violence.
    pub perpetrator: Involvement,
    /// Protective carer.
    pub protective: Involvement,
}

/// A reference to one of the case's people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonLink {
    /// Position of the person in [`ResearchCase::people`].
    pub person_index: u32,
    /// The person's pseudonym, where they have one.
    pub key: Option<Pseudonym>,
}

/// One exposure of the child to violence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchViolence {
    /// Form of violence.
    pub form: ViolenceForm,
    /// Direct or witnessed.
    pub mode: ExposureMode,
    /// The perpetrator's relation to the child.
    pub perpetrator_relation: Option<Relation>,
    /// The perpetrator, where they are among the case's people.
    pub perpetrator: Option<PersonLink>,
    /// Who the violence was directed at, when witnessed.
    pub victim: Option<Relation>,
    /// The code as recorded in the source system.
    pub source: Option<SourceCode>,
    /// Whether free text was recorded.
    pub has_text: bool,
}

/// A report of concern (SE orosanmälan, NO bekymringsmelding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchReferral {
    /// When it was received (microseconds), with the recorded UTC offset.
    pub received_at: DateTime<FixedOffset>,
    /// Who reported.
    pub reporter: ResearchCoded<ReporterCategory>,
    /// Content and reason codes as recorded.
    pub reasons: Vec<SourceCode>,
    /// Violence exposures.
    pub violence: Vec<ResearchViolence>,
    /// Whether the report had free text (dropped).
    pub has_free_text: bool,
    /// Who recorded it.
    pub provenance: ResearchProvenance,
}

impl ResearchReferral {
    /// The local date of receipt, which starts the statutory deadlines.
    pub fn received_on(&self) -> NaiveDate {
        self.received_at.date_naive()
    }
}

/// A protection assessment (SE skyddsbedömning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchAssessment {
    /// Position of the referral assessed.
    pub referral_index: Option<u32>,
    /// When it was made (microseconds), with the recorded UTC offset.
    pub assessed_at: DateTime<FixedOffset>,
    /// Whether immediate protection was needed.
    pub immediate_protection_needed: bool,
    /// Who recorded it.
    pub provenance: ResearchProvenance,
}

/// A screening (SE förhandsbedömning, NO gjennomgang av melding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchScreening {
    /// Position of the referral screened.
    pub referral_index: Option<u32>,
    /// Date of the decision.
    pub decided_on: NaiveDate,
    /// The outcome.
    pub outcome: ResearchCoded<ScreeningOutcome>,
    /// SE: whether extraordinary reasons were recorded for exceeding 14 days (the text is
    /// dropped; the screening deadline depends on this).
    pub extraordinary_reasons_recorded: bool,
    /// Who recorded it.
    pub provenance: ResearchProvenance,
}

/// An extension of an investigation deadline, without its reason text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchExtension {
    /// Date of the extension decision.
    pub decided_on: NaiveDate,
    /// The new due date.
    pub new_due: NaiveDate,
}

/// An investigation (SE utredning, NO undersøkelse).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchInvestigation {
    /// Position of the screening that opened it.
    pub screening_index: Option<u32>,
    /// Positions of the referrals it covers.
    pub referral_indices: Vec<u32>,
    /// Start date.
    pub started_on: NaiveDate,
    /// Date of the investigation plan.
    pub plan_made_on: Option<NaiveDate>,
    /// Extensions, in order.
    pub extensions: Vec<ResearchExtension>,
    /// The application behind each extension, where recorded (NO), in the order of
    /// `extensions`.
    pub extension_applications: Vec<Option<ResearchExtensionApplication>>,
    /// How the child took part.
    pub child_participation: Vec<ResearchCoded<ChildParticipation>>,
    /// Date concluded.
    pub concluded_on: Option<NaiveDate>,
    /// Conclusion.
    pub conclusion: Option<ResearchCoded<InvestigationConclusion>>,
    /// Violence disclosed during the investigation.
    pub violence: Vec<ResearchDisclosure>,
    /// Structured risk assessments.
    pub risk_assessments: Vec<ResearchRiskAssessment>,
    /// Grounds for a decision to act (NO vedtaksgrunnlag).
    pub decision_grounds: Vec<ResearchGround>,
    /// Who recorded its start.
    pub provenance: ResearchProvenance,
}

/// Violence disclosed after the referral (during an investigation or at a follow-up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchDisclosure {
    /// When it came to light.
    pub disclosed_on: NaiveDate,
    /// What the child was exposed to.
    pub exposure: ResearchViolence,
}

/// A structured risk assessment on an investigation (SE riskbedömning, NO risikovurdering).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchRiskAssessment {
    /// The date.
    pub assessed_on: NaiveDate,
    /// The method or instrument.
    pub method: ResearchCoded<RiskMethod>,
    /// The outcome level.
    pub level: ResearchCoded<RiskLevel>,
    /// Who assessed (pseudonymised).
    pub provenance: ResearchProvenance,
}

/// A ground for a decision to act that an investigation found (NO vedtaksgrunnlag), as the
/// source coded it; its text is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchGround {
    /// The code as recorded (SSB saksinnhold).
    pub code: SourceCode,
    /// Whether free text was recorded with it.
    pub has_text: bool,
}

/// The application behind an extension (NO SSB `UtvidetFrist`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchExtensionApplication {
    /// When the application was received.
    pub applied_on: Option<NaiveDate>,
    /// Whether it was granted (`None`: not recorded).
    pub granted: Option<bool>,
}

/// A private party's claim to the county board (NO krav).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchClaim {
    /// When it was received.
    pub received_on: NaiveDate,
    /// When it was concluded.
    pub concluded_on: Option<NaiveDate>,
    /// How it was concluded.
    pub outcome: Option<ResearchCoded<ClaimOutcome>>,
}

/// A case sent to the county social welfare board (NO oversendelse til fylkesnemnda).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchBoardReferral {
    /// When it was sent.
    pub sent_on: NaiveDate,
    /// Position of the decision it carries.
    pub decision_index: Option<u32>,
    /// The legal basis (law, chapter, section, paragraph, letter).
    pub legal_basis: LegalBasis,
    /// Who recorded it.
    pub provenance: ResearchProvenance,
}

/// A move of a placed child (NO flytting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchMove {
    /// When the child moved.
    pub moved_on: NaiveDate,
    /// Why, as coded (SSB flytting-arsak-fra).
    pub reason_from: SourceCode,
    /// Whether free text was recorded with the reason.
    pub reason_from_has_text: bool,
    /// Where to, as coded (SSB flytting-til).
    pub moved_to: SourceCode,
    /// Whether free text was recorded with the destination.
    pub moved_to_has_text: bool,
    /// Who recorded it.
    pub provenance: ResearchProvenance,
}

/// Supervision or follow-up visits of a placement (NO tilsyn, oppfølging).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchVisits {
    /// The municipality responsible from each date (supervision only).
    pub responsible: Vec<(NaiveDate, MunicipalityCode)>,
    /// The frequency from each date.
    pub frequency: Vec<(NaiveDate, ResearchCoded<VisitFrequency>)>,
    /// The dates of the visits made.
    pub visits: Vec<NaiveDate>,
}

/// How an aftercare offer ended (NO SSB Ettervern/Konklusjon).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchAftercare {
    /// When.
    pub concluded_on: NaiveDate,
    /// The outcome.
    pub outcome: ResearchCoded<AftercareOutcome>,
}

/// A change of a decision's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchStatusChange {
    /// The new status.
    pub status: ResearchCoded<DecisionStatus>,
    /// Date of the change.
    pub on: NaiveDate,
}

/// A decision (SE beslut, NO vedtak).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchDecision {
    /// Date of the decision.
    pub decided_on: NaiveDate,
    /// What it is about.
    pub kind: DecisionKind,
    /// Position of the investigation it follows.
    pub investigation_index: Option<u32>,
    /// The legal basis (law, chapter, section, paragraph, letter: no free text).
    pub legal_basis: LegalBasis,
    /// Status changes, in order.
    pub status_history: Vec<ResearchStatusChange>,
    /// The date it ended.
    pub ended_on: Option<NaiveDate>,
    /// Private parties' claims to the county board (NO krav).
    pub claims: Vec<ResearchClaim>,
    /// Who recorded it.
    pub provenance: ResearchProvenance,
}

/// A follow-up (SE uppföljning, NO oppfølging).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchFollowUp {
    /// The date.
    pub on: NaiveDate,
    /// What kind.
    pub kind: FollowUpKind,
    /// Violence disclosed at the follow-up.
    pub violence: Vec<ResearchDisclosure>,
    /// How an aftercare offer ended.
    pub aftercare: Option<ResearchAftercare>,
    /// Who recorded it.
    pub provenance: ResearchProvenance,
}

/// A closure (SE avslut, NO avslutning) and its reopening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchClosure {
    /// Date closed.
    pub closed_on: NaiveDate,
    /// Why.
    pub reason: ResearchCoded<ClosureReason>,
    /// Date reopened.
    pub reopened_on: Option<NaiveDate>,
    /// Who recorded it.
    pub provenance: ResearchProvenance,
}

/// A statutory deadline as of [`ResearchCase::deadlines_as_of`], computed by `barnvern-case`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchDeadline {
    /// What must be done.
    pub kind: DeadlineKind,
    /// The rule applied (`se.sol2001.screening`).
    pub rule_id: String,
    /// The legal source, cited by the rule table.
    pub citation: String,
    /// The table of the record the deadline belongs to (`referrals`, `investigations`).
    pub record_table: String,
    /// The record's position in that table of the case.
    pub record_index: Option<u32>,
    /// The date the period starts from.
    pub start: NaiveDate,
    /// What `start` is (receipt, investigation start, end of the report review, ...).
    pub start_basis: StartBasis,
    /// The statutory due date.
    pub due: NaiveDate,
    /// The due date after an extension decided in time.
    pub extended_due: Option<NaiveDate>,
    /// The date it was done.
    pub completed_on: Option<NaiveDate>,
    /// Where it stands.
    pub status: DeadlineStatus,
    /// How serious a breach is.
    pub severity: Severity,
}

/// What an intervention rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BasisKind {
    /// A decision with its legal basis (SE beslut om insats, NO vedtak om tiltak).
    Decision,
    /// SE, SoL (2025:400): a service given without a needs assessment.
    WithoutNeedsAssessment,
}

/// The basis of an intervention: a decision (by position, with its legal basis) or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchBasis {
    /// Decision or without needs assessment.
    pub kind: BasisKind,
    /// Position of the decision in [`ResearchCase::decisions`], when it is in the bundle.
    pub decision_index: Option<u32>,
    /// The legal basis of the decision (none without a decision).
    pub legal_basis: Option<LegalBasis>,
}

/// An evaluation of an intervention (SE uppföljning av insats, NO evaluering av tiltak).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchEvaluation {
    /// The date.
    pub on: NaiveDate,
    /// The conclusion.
    pub conclusion: ResearchCoded<EvaluationConclusion>,
}

/// An intervention episode (SE insats, NO tiltak). Consents are not exported (they name
/// people and add nothing a study of services needs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchIntervention {
    /// The type.
    pub intervention_type: ResearchCoded<InterventionType>,
    /// What it rests on.
    pub basis: ResearchBasis,
    /// Position of its plan in [`ResearchCase::plans`].
    pub plan_index: Option<u32>,
    /// Planned start.
    pub planned_start: Option<NaiveDate>,
    /// Planned end.
    pub planned_end: Option<NaiveDate>,
    /// Actual start.
    pub started_on: Option<NaiveDate>,
    /// Actual end.
    pub ended_on: Option<NaiveDate>,
    /// Why it ended.
    pub end_reason: Option<ResearchCoded<EndReason>>,
    /// Evaluations, in order.
    pub evaluations: Vec<ResearchEvaluation>,
    /// Supervision of the placement (NO tilsyn).
    pub supervision: Option<ResearchVisits>,
    /// Follow-up visits of the placement (NO oppfølging).
    pub follow_up_visits: Option<ResearchVisits>,
    /// Who recorded it.
    pub provenance: ResearchProvenance,
}

/// A scheduled evaluation of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchPlanEvaluation {
    /// When it is due.
    pub due: NaiveDate,
    /// When it was done.
    pub done_on: Option<NaiveDate>,
}

/// A plan (NO tiltaksplan, omsorgsplan; SE genomförandeplan, vårdplan, SIP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchPlan {
    /// The type.
    pub plan_type: ResearchCoded<PlanType>,
    /// When it was made.
    pub made_on: NaiveDate,
    /// Positions of the interventions it covers in [`ResearchCase::interventions`].
    pub intervention_indices: Vec<u32>,
    /// Scheduled evaluations.
    pub evaluations: Vec<ResearchPlanEvaluation>,
    /// When it ended.
    pub ended_on: Option<NaiveDate>,
    /// Who recorded it.
    pub provenance: ResearchProvenance,
}

/// A coordination meeting (SE samordningsmöte, NO samarbeidsmøte).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchMeeting {
    /// The date.
    pub held_on: NaiveDate,
    /// The type.
    pub meeting_type: ResearchCoded<MeetingType>,
    /// The agencies present.
    pub agencies: Vec<ResearchCoded<Agency>>,
    /// Whether the child took part.
    pub child_took_part: bool,
    /// Whether carers took part.
    pub carers_took_part: bool,
    /// Position of the plan it concerns in [`ResearchCase::plans`].
    pub plan_index: Option<u32>,
    /// Who recorded it.
    pub provenance: ResearchProvenance,
}

/// A case in research form: pseudonymised, coarsened, without free text.
#[derive(Debug, Clone, PartialEq)]
pub struct ResearchCase {
    /// The case's pseudonym.
    pub case_key: Pseudonym,
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The responsible municipality.
    pub municipality: MunicipalityCode,
    /// Date the case was opened.
    pub opened_on: NaiveDate,
    /// The child.
    pub child: ResearchChild,
    /// Carers and household members.
    pub people: Vec<ResearchPerson>,
    /// Reports of concern.
    pub referrals: Vec<ResearchReferral>,
    /// Protection assessments.
    pub protection_assessments: Vec<ResearchAssessment>,
    /// Screenings.
    pub screenings: Vec<ResearchScreening>,
    /// Investigations.
    pub investigations: Vec<ResearchInvestigation>,
    /// Decisions.
    pub decisions: Vec<ResearchDecision>,
    /// Follow-ups.
    pub follow_ups: Vec<ResearchFollowUp>,
    /// Closures.
    pub closures: Vec<ResearchClosure>,
    /// The date the deadlines were computed for.
    pub deadlines_as_of: NaiveDate,
    /// Statutory deadlines as of [`ResearchCase::deadlines_as_of`].
    pub deadlines: Vec<ResearchDeadline>,
    /// Interventions (SE insatser, NO tiltak).
    pub interventions: Vec<ResearchIntervention>,
    /// Plans.
    pub plans: Vec<ResearchPlan>,
    /// Coordination meetings.
    pub meetings: Vec<ResearchMeeting>,
    /// The family's Family Partner trial records, when the case has them.
    pub family_partner: Option<ResearchFamily>,
    /// Cases sent to the county social welfare board.
    pub board_referrals: Vec<ResearchBoardReferral>,
    /// Moves of the placed child.
    pub moves: Vec<ResearchMove>,
}

pub(crate) fn index(i: usize) -> Option<u32> {
    u32::try_from(i).ok()
}

fn micros(t: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    t.trunc_subsecs(6)
}

impl ResearchCase {
    /// The research form of `case`, pseudonymised with `ps`, with deadlines as of `as_of`.
    /// For many cases, a [`crate::StaffMemo`] in front of `ps` keys each staff member once.
    pub fn from_case(case: &Case, ps: &dyn Pseudonymiser, as_of: NaiveDate) -> ResearchCase {
        let prov = |p: &Provenance| ResearchProvenance::of(p, ps);
        let child_identity = &case.child.identity;
        let (birth_year, birth_month) = match child_identity {
            PersonIdentity::NationalId(pid) => (pid.birth_year(), pid.birth_month()),
            PersonIdentity::Unregistered(u) => (
                u.expected_birth_date.map(|d| d.year()),
                u.expected_birth_date.map(|d| d.month()),
            ),
        };
        let sex = case.child.sex.or(match child_identity {
            PersonIdentity::NationalId(pid) => pid.sex(),
            PersonIdentity::Unregistered(_) => None,
        });
        let people: Vec<ResearchPerson> = case
            .people
            .iter()
            .map(|p| ResearchPerson {
                key: p.identity.as_ref().map(|id| ps.person(id)),
                role: p.role,
                has_custody: p.has_custody,
                perpetrator: p.perpetrator,
                protective: p.protective,
            })
            .collect();
        let person_at: HashMap<&str, usize> = case
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.person_ref.as_str(), i))
            .collect();
        let referral_at: HashMap<&str, usize> = case
            .referrals
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let referral_index = |id: &str| referral_at.get(id).copied().and_then(index);
        let screening_index = |id: &str| {
            case.screenings
                .iter()
                .position(|s| s.id.as_str() == id)
                .and_then(index)
        };
        let investigation_index = |id: &str| {
            case.investigations
                .iter()
                .position(|s| s.id.as_str() == id)
                .and_then(index)
        };

        // The people's pseudonyms apart, so the people can move into the research case below.
        let person_keys: Vec<Option<Pseudonym>> = people.iter().map(|p| p.key.clone()).collect();
        let exposure = |v: &ViolenceExposure| ResearchViolence {
            form: v.form,
            mode: v.mode,
            perpetrator_relation: v.perpetrator_relation,
            perpetrator: v.perpetrator.as_ref().and_then(|p| {
                let i = *person_at.get(p.as_str())?;
                Some(PersonLink {
                    person_index: index(i)?,
                    key: person_keys.get(i).cloned().flatten(),
                })
            }),
            victim: v.victim,
            source: v.source.clone(),
            has_text: has_text(v.text.as_deref()),
        };
        let disclosures = |list: &[ViolenceDisclosure]| -> Vec<ResearchDisclosure> {
            list.iter()
                .map(|d| ResearchDisclosure {
                    disclosed_on: d.disclosed_on,
                    exposure: exposure(&d.exposure),
                })
                .collect()
        };
        let referrals = case
            .referrals
            .iter()
            .map(|r| ResearchReferral {
                received_at: micros(r.received_at),
                reporter: ResearchCoded::of(&r.reporter),
                reasons: r.reasons.clone(),
                violence: r.violence.iter().map(exposure).collect(),
                has_free_text: has_text(r.free_text.as_deref()),
                provenance: prov(&r.provenance),
            })
            .collect();

        let deadlines = case
            .deadlines(as_of)
            .into_iter()
            .map(|d| {
                let (table, idx) = split_record(&d.record);
                ResearchDeadline {
                    kind: d.kind,
                    rule_id: d.rule_id,
                    citation: d.citation,
                    record_table: table,
                    record_index: idx,
                    start: d.start,
                    start_basis: d.start_basis,
                    due: d.due,
                    extended_due: d.extended_due,
                    completed_on: d.completed_on,
                    status: d.status,
                    severity: d.severity,
                }
            })
            .collect();

        let decision_index = |id: &str| {
            case.decisions
                .iter()
                .position(|d| d.id.as_str() == id)
                .and_then(index)
        };
        let plan_index = |id: &str| {
            case.plans
                .iter()
                .position(|p| p.id.as_str() == id)
                .and_then(index)
        };
        let intervention_index = |id: &str| {
            case.interventions
                .iter()
                .position(|i| i.id.as_str() == id)
                .and_then(index)
        };
        let interventions = case
            .interventions
            .iter()
            .map(|iv| ResearchIntervention {
                intervention_type: ResearchCoded::of(&iv.intervention_type),
                basis: match &iv.basis {
                    InterventionBasis::Decision {
                        decision_id,
                        legal_basis,
                    } => ResearchBasis {
                        kind: BasisKind::Decision,
                        decision_index: decision_id
                            .as_ref()
                            .and_then(|d| decision_index(d.as_str())),
                        legal_basis: Some(legal_basis.clone()),
                    },
                    InterventionBasis::WithoutNeedsAssessment => ResearchBasis {
                        kind: BasisKind::WithoutNeedsAssessment,
                        decision_index: None,
                        legal_basis: None,
                    },
                },
                plan_index: iv.plan_id.as_ref().and_then(|p| plan_index(p.as_str())),
                planned_start: iv.planned_start,
                planned_end: iv.planned_end,
                started_on: iv.started_on,
                ended_on: iv.ended_on,
                end_reason: iv.end_reason.as_ref().map(ResearchCoded::of),
                evaluations: iv
                    .evaluations
                    .iter()
                    .map(|e| ResearchEvaluation {
                        on: e.on,
                        conclusion: ResearchCoded::of(&e.conclusion),
                    })
                    .collect(),
                supervision: iv.supervision.as_ref().map(|s| ResearchVisits {
                    responsible: s
                        .responsible
                        .iter()
                        .map(|r| (r.from, r.municipality.clone()))
                        .collect(),
                    frequency: s
                        .frequency
                        .iter()
                        .map(|f| (f.from, ResearchCoded::of(&f.frequency)))
                        .collect(),
                    visits: s.visits.clone(),
                }),
                follow_up_visits: iv.follow_up_visits.as_ref().map(|s| ResearchVisits {
                    responsible: Vec::new(),
                    frequency: s
                        .frequency
                        .iter()
                        .map(|f| (f.from, ResearchCoded::of(&f.frequency)))
                        .collect(),
                    visits: s.visits.clone(),
                }),
                provenance: prov(&iv.provenance),
            })
            .collect();
        let plans = case
            .plans
            .iter()
            .map(|p| ResearchPlan {
                plan_type: ResearchCoded::of(&p.plan_type),
                made_on: p.made_on,
                intervention_indices: p
                    .intervention_ids
                    .iter()
                    .filter_map(|i| intervention_index(i.as_str()))
                    .collect(),
                evaluations: p
                    .evaluations
                    .iter()
                    .map(|e| ResearchPlanEvaluation {
                        due: e.due,
                        done_on: e.done_on,
                    })
                    .collect(),
                ended_on: p.ended_on,
                provenance: prov(&p.provenance),
            })
            .collect();
        let meetings = case
            .meetings
            .iter()
            .map(|m| ResearchMeeting {
                held_on: m.held_on,
                meeting_type: ResearchCoded::of(&m.meeting_type),
                agencies: m.agencies.iter().map(ResearchCoded::of).collect(),
                child_took_part: m.child_took_part,
                carers_took_part: m.carers_took_part,
                plan_index: m.plan_id.as_ref().and_then(|p| plan_index(p.as_str())),
                provenance: prov(&m.provenance),
            })
            .collect();
        let family_partner = case.family_partner.as_ref().map(|fp| {
            ResearchFamily::from_participation(fp, case.jurisdiction, (birth_year, birth_month), ps)
        });

        ResearchCase {
            case_key: ps.case(case.jurisdiction, &case.case_id),
            jurisdiction: case.jurisdiction,
            municipality: case.municipality.clone(),
            opened_on: case.opened_on,
            child: ResearchChild {
                key: ps.person(child_identity),
                identity_kind: IdentityKind::of(child_identity),
                birth_year,
                birth_month,
                sex,
            },
            people,
            referrals,
            protection_assessments: case
                .protection_assessments
                .iter()
                .map(|a| ResearchAssessment {
                    referral_index: referral_index(a.referral_id.as_str()),
                    assessed_at: micros(a.assessed_at),
                    immediate_protection_needed: a.immediate_protection_needed,
                    provenance: prov(&a.provenance),
                })
                .collect(),
            screenings: case
                .screenings
                .iter()
                .map(|s| ResearchScreening {
                    referral_index: referral_index(s.referral_id.as_str()),
                    decided_on: s.decided_on,
                    outcome: ResearchCoded::of(&s.outcome),
                    extraordinary_reasons_recorded: has_text(s.extraordinary_reasons.as_deref()),
                    provenance: prov(&s.provenance),
                })
                .collect(),
            investigations: case
                .investigations
                .iter()
                .map(|inv| ResearchInvestigation {
                    screening_index: inv
                        .screening_id
                        .as_ref()
                        .and_then(|s| screening_index(s.as_str())),
                    referral_indices: inv
                        .referral_ids
                        .iter()
                        .filter_map(|r| referral_index(r.as_str()))
                        .collect(),
                    started_on: inv.started_on,
                    plan_made_on: inv.plan.as_ref().map(|p| p.made_on),
                    extensions: inv
                        .extensions
                        .iter()
                        .map(|e| ResearchExtension {
                            decided_on: e.decided_on,
                            new_due: e.new_due,
                        })
                        .collect(),
                    child_participation: inv
                        .child_participation
                        .iter()
                        .map(ResearchCoded::of)
                        .collect(),
                    concluded_on: inv.concluded_on,
                    conclusion: inv.conclusion.as_ref().map(ResearchCoded::of),
                    violence: disclosures(&inv.violence),
                    risk_assessments: inv
                        .risk_assessments
                        .iter()
                        .map(|a| ResearchRiskAssessment {
                            assessed_on: a.assessed_on,
                            method: ResearchCoded::of(&a.method),
                            level: ResearchCoded::of(&a.level),
                            provenance: prov(&a.provenance),
                        })
                        .collect(),
                    extension_applications: inv
                        .extensions
                        .iter()
                        .map(|e| {
                            (e.applied_on.is_some() || e.granted.is_some()).then_some(
                                ResearchExtensionApplication {
                                    applied_on: e.applied_on,
                                    granted: e.granted,
                                },
                            )
                        })
                        .collect(),
                    decision_grounds: inv
                        .decision_grounds
                        .iter()
                        .map(|g| ResearchGround {
                            code: g.code.clone(),
                            has_text: has_text(g.text.as_deref()),
                        })
                        .collect(),
                    provenance: prov(&inv.provenance),
                })
                .collect(),
            decisions: case
                .decisions
                .iter()
                .map(|d| ResearchDecision {
                    decided_on: d.decided_on,
                    kind: d.kind,
                    investigation_index: d
                        .investigation_id
                        .as_ref()
                        .and_then(|i| investigation_index(i.as_str())),
                    legal_basis: d.legal_basis.clone(),
                    status_history: d
                        .status_history
                        .iter()
                        .map(|s| ResearchStatusChange {
                            status: ResearchCoded::of(&s.status),
                            on: s.on,
                        })
                        .collect(),
                    ended_on: d.ended_on,
                    claims: d
                        .claims
                        .iter()
                        .map(|c| ResearchClaim {
                            received_on: c.received_on,
                            concluded_on: c.concluded_on,
                            outcome: c.outcome.as_ref().map(ResearchCoded::of),
                        })
                        .collect(),
                    provenance: prov(&d.provenance),
                })
                .collect(),
            follow_ups: case
                .follow_ups
                .iter()
                .map(|f| ResearchFollowUp {
                    on: f.on,
                    kind: f.kind,
                    violence: disclosures(&f.violence),
                    aftercare: f.aftercare.as_ref().map(|a| ResearchAftercare {
                        concluded_on: a.concluded_on,
                        outcome: ResearchCoded::of(&a.outcome),
                    }),
                    provenance: prov(&f.provenance),
                })
                .collect(),
            closures: case
                .closures
                .iter()
                .map(|c| ResearchClosure {
                    closed_on: c.closed_on,
                    reason: ResearchCoded::of(&c.reason),
                    reopened_on: c.reopened_on,
                    provenance: prov(&c.provenance),
                })
                .collect(),
            deadlines_as_of: as_of,
            deadlines,
            interventions,
            plans,
            meetings,
            family_partner,
            board_referrals: case
                .board_referrals
                .iter()
                .map(|b| ResearchBoardReferral {
                    sent_on: b.sent_on,
                    decision_index: b
                        .decision_id
                        .as_ref()
                        .and_then(|d| decision_index(d.as_str())),
                    legal_basis: b.legal_basis.clone(),
                    provenance: prov(&b.provenance),
                })
                .collect(),
            moves: case
                .moves
                .iter()
                .map(|m| ResearchMove {
                    moved_on: m.moved_on,
                    reason_from: m.reason_from.code.clone(),
                    reason_from_has_text: has_text(m.reason_from.text.as_deref()),
                    moved_to: m.moved_to.code.clone(),
                    moved_to_has_text: has_text(m.moved_to.text.as_deref()),
                    provenance: prov(&m.provenance),
                })
                .collect(),
        }
    }
}

/// `referrals[2]` -> (`referrals`, 2).
fn split_record(record: &str) -> (String, Option<u32>) {
    match record.split_once('[') {
        Some((table, rest)) => (
            table.to_owned(),
            rest.strip_suffix(']').and_then(|n| n.parse().ok()),
        ),
        None => (record.to_owned(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_paths_split() {
        assert_eq!(
            split_record("referrals[2]"),
            ("referrals".to_owned(), Some(2))
        );
        assert_eq!(split_record("x"), ("x".to_owned(), None));
    }
}
