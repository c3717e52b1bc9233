//! Investigation (SE utredning, NO undersøkelse): plan, extensions, child participation,
//! conclusion.

use barnvern_core::Provenance;
use barnvern_core::codelist::{Coded, SourceCode};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{InvestigationId, ReferralId, ScreeningId};
use crate::risk::RiskAssessment;
use crate::violence::ViolenceDisclosure;

/// The investigation plan (SE utredningsplan, NO undersøkelsesplan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvestigationPlan {
    /// When the plan was made.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub made_on: NaiveDate,
}

/// An extension of the investigation deadline, by decision (SE förlängning, SoL 11:2; NO
/// utvidet frist, bvl. § 2-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    /// The date of the extension decision.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub decided_on: NaiveDate,
    /// The reason (special circumstances). Free text; never exported.
    pub reason: String,
    /// The new due date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub new_due: NaiveDate,
    /// When the application for the extension was received (NO SSB `UtvidetFrist/@StartDato`).
    #[serde(
        deserialize_with = "barnvern_core::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub applied_on: Option<NaiveDate>,
    /// Whether it was granted (SSB `UtvidetFrist/@Innvilget`: 1 yes, 2 no); `None` where not
    /// recorded, which counts as granted. A refused application extends nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted: Option<bool>,
}

/// How the child took part in the investigation (NO barnets medvirkning; SSB codes 1.1-2.2).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ChildParticipation {
    /// By conversation (SSB 1.1).
    Conversation,
    /// Through a representative (SSB 1.2).
    Representative,
    /// By observation (SSB 1.3).
    Observation,
    /// Through other expressions (SSB 1.4).
    OtherExpression,
    /// The child was not given the opportunity (SSB 2.1).
    NotGivenOpportunity,
    /// The child did not want to take part (SSB 2.2).
    Declined,
}

impl ChildParticipation {
    /// SSB's `MedvirkningType` code.
    pub fn ssb_code(self) -> &'static str {
        match self {
            ChildParticipation::Conversation => "1.1",
            ChildParticipation::Representative => "1.2",
            ChildParticipation::Observation => "1.3",
            ChildParticipation::OtherExpression => "1.4",
            ChildParticipation::NotGivenOpportunity => "2.1",
            ChildParticipation::Declined => "2.2",
        }
    }
}

/// The conclusion of an investigation. SSB's `Undersokelse/Konklusjon` codes map onto it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum InvestigationConclusion {
    /// Decision on measures by the service (SE beslut om insats; SSB 1).
    Measures,
    /// Application to the county board/court for compulsory measures (SE ansökan om vård
    /// enligt LVU; NO begjæring til fylkesnemnda; SSB 2).
    CountyBoardApplication,
    /// Closed: conditions for measures not met (SSB 3).
    ClosedNoGrounds,
    /// Closed at the party's request although grounds existed (SSB 4).
    ClosedAtPartyRequest,
    /// Closed because the child moved (SSB 5, 7, 8, 9).
    ClosedMoved,
    /// Closed after referral to another agency (SSB 6).
    ClosedReferredElsewhere,
}

impl InvestigationConclusion {
    /// The conclusion of SSB's `Undersokelse/Konklusjon` code.
    pub fn from_ssb_code(code: &str) -> Option<InvestigationConclusion> {
        Some(match code {
            "1" => InvestigationConclusion::Measures,
            "2" => InvestigationConclusion::CountyBoardApplication,
            "3" => InvestigationConclusion::ClosedNoGrounds,
            "4" => InvestigationConclusion::ClosedAtPartyRequest,
            "5" | "7" | "8" | "9" => InvestigationConclusion::ClosedMoved,
            "6" => InvestigationConclusion::ClosedReferredElsewhere,
            _ => return None,
        })
    }
}

/// An investigation of the child's situation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Investigation {
    /// Identifier in the bundle.
    pub id: InvestigationId,
    /// The screening that opened it, if any (an investigation may also start on an application
    /// or on the service's own initiative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screening_id: Option<ScreeningId>,
    /// The referrals it covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referral_ids: Vec<ReferralId>,
    /// The start date, which starts the statutory deadline.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub started_on: NaiveDate,
    /// The investigation plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<InvestigationPlan>,
    /// Extensions of the deadline, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
    /// How the child took part.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub child_participation: Vec<Coded<ChildParticipation>>,
    /// The date it was concluded.
    #[serde(
        deserialize_with = "barnvern_core::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub concluded_on: Option<NaiveDate>,
    /// The conclusion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<Coded<InvestigationConclusion>>,
    /// Violence disclosed or assessed during the investigation (bundle schema 1.3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violence: Vec<ViolenceDisclosure>,
    /// Structured risk assessments made during the investigation (bundle schema 1.3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risk_assessments: Vec<RiskAssessment>,
    /// The grounds for a decision to act that the investigation found (NO vedtaksgrunnlag;
    /// SSB requires them when it concludes with measures or an application to the county
    /// board, Undersøkelse Kontroll 7).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decision_grounds: Vec<Ground>,
    /// Who recorded its start, when and where.
    pub provenance: Provenance,
}

impl Investigation {
    /// The due date after the last extension, if any.
    pub fn extended_due(&self) -> Option<NaiveDate> {
        self.extensions
            .iter()
            .rev()
            .find(|e| e.granted != Some(false))
            .map(|e| e.new_due)
    }
}

/// A ground recorded as a code of a case-content list (NO saksinnhold: SSB's
/// `no.ssb.barnevern.saksinnhold-legacy` until 2025, `-kunnskapsmodellen` from 2026), with the
/// free text the code requires (SSB `Presisering`, "krever presisering").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ground {
    /// The code as recorded, with its system.
    pub code: SourceCode,
    /// The description the code requires (SSB `Presisering`). Free text; never exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}
