//! Intervention episodes (SE insats, NO tiltak): type, legal basis or none, consent, dates,
//! end reason and evaluations.

use barnvern_core::codelist::Coded;
use barnvern_core::ids::{DecisionId, PersonRef};
use barnvern_core::{LegalBasis, Provenance};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{InterventionId, PlanId};
use crate::kind::InterventionType;

/// What an intervention rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum InterventionBasis {
    /// A decision (SE beslut om insats, NO vedtak om tiltak) with its legal basis.
    Decision {
        /// The decision in the case bundle, when it is recorded there.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decision_id: Option<DecisionId>,
        /// The legal basis.
        legal_basis: LegalBasis,
    },
    /// SE, SoL (2025:400) only: a service given without a needs assessment (utan föregående
    /// behovsprövning). There is no decision behind it.
    WithoutNeedsAssessment,
}

/// Who consents to an intervention.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConsentParty {
    /// A carer with custody (SE vårdnadshavare, NO den som har foreldreansvaret).
    Carer,
    /// The child, as a party in their own right (NO part i saken from 15, bvl. 2021 § 12-3;
    /// SE talerätt from 15).
    ChildWithPartyRights,
}

/// A consent decision.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    /// Consent given (SE samtycke, NO samtykke).
    Given,
    /// Consent refused.
    Refused,
    /// Consent given earlier, now withdrawn.
    Withdrawn,
}

/// One party's consent, as recorded on a date. A change is a new record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// The person in the case bundle.
    pub person: PersonRef,
    /// In which capacity they consent.
    pub party: ConsentParty,
    /// Given, refused or withdrawn.
    pub status: ConsentStatus,
    /// The date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub on: NaiveDate,
}

/// Why an intervention ended. SSB's `Opphevelse` codes 1-4 map onto it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The goals were reached.
    GoalReached,
    /// The intervention had no effect.
    NoEffect,
    /// The family declined or withdrew consent.
    FamilyDeclined,
    /// The family moved.
    Moved,
    /// Replaced by another intervention.
    Replaced,
    /// The child returned to the parents (SSB 1, bvl. 2021 § 5-7).
    ReturnedHome,
    /// The child turned 18 (SSB 2).
    CameOfAge,
    /// Adoption (SSB 3, bvl. 2021 § 5-10).
    Adoption,
    /// The planned period ended.
    PlannedEnd,
    /// Anything else; needs text (SSB 4 Annet).
    Other,
}

impl EndReason {
    /// Code system of SSB's `Opphevelse` list.
    pub const SSB_SYSTEM: &'static str = "no.ssb.barnevern.tiltak-opphevelse";

    /// The concept of SSB's `Opphevelse` code.
    pub fn from_ssb_code(code: &str) -> Option<EndReason> {
        Some(match code {
            "1" => EndReason::ReturnedHome,
            "2" => EndReason::CameOfAge,
            "3" => EndReason::Adoption,
            "4" => EndReason::Other,
            _ => return None,
        })
    }
}

/// What an evaluation concluded.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationConclusion {
    /// Continue as planned.
    Continue,
    /// Continue with changes.
    Adjust,
    /// End: the goals are reached.
    EndGoalReached,
    /// End: no effect.
    EndNoEffect,
    /// Replace with another intervention.
    Replace,
}

/// An evaluation of an intervention (SE uppföljning av insats, NO evaluering av tiltak).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    /// The date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub on: NaiveDate,
    /// The conclusion, with the source code as recorded.
    pub conclusion: Coded<EvaluationConclusion>,
}

/// An intervention episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Intervention {
    /// Identifier in the bundle.
    pub id: InterventionId,
    /// The type, with the source code as recorded (SSB, KOSTRA, Swedish list or local).
    #[serde(rename = "type")]
    pub intervention_type: Coded<InterventionType>,
    /// What it rests on: a decision with its legal basis, or (SE since 2025) nothing.
    pub basis: InterventionBasis,
    /// Consents, in date order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<Consent>,
    /// The plan it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<PlanId>,
    /// Planned start.
    #[serde(
        deserialize_with = "barnvern_core::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub planned_start: Option<NaiveDate>,
    /// Planned end.
    #[serde(
        deserialize_with = "barnvern_core::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub planned_end: Option<NaiveDate>,
    /// Actual start; `None` while only planned.
    #[serde(
        deserialize_with = "barnvern_core::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub started_on: Option<NaiveDate>,
    /// Actual end; `None` while running.
    #[serde(
        deserialize_with = "barnvern_core::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ended_on: Option<NaiveDate>,
    /// Why it ended; required when it has ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<Coded<EndReason>>,
    /// Evaluations, in date order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evaluations: Vec<Evaluation>,
    /// Supervision of the placement (NO tilsyn; SSB `Tilsyn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervision: Option<crate::visits::Supervision>,
    /// Follow-up visits of the placement (NO oppfølging; SSB `Oppfolging`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_visits: Option<crate::visits::FollowUpVisits>,
    /// Who recorded it, when and where.
    pub provenance: Provenance,
}

impl Intervention {
    /// The latest consent status of `party` on `date` (the last record on or before it).
    pub fn consent_on(&self, party: ConsentParty, date: NaiveDate) -> Option<ConsentStatus> {
        self.consents
            .iter()
            .filter(|c| c.party == party && c.on <= date)
            .max_by_key(|c| c.on)
            .map(|c| c.status)
    }

    /// Whether the intervention is running on `date` (started, not yet ended; the end day
    /// counts).
    pub fn is_active_on(&self, date: NaiveDate) -> bool {
        self.started_on.is_some_and(|s| s <= date) && self.ended_on.is_none_or(|e| date <= e)
    }
}
