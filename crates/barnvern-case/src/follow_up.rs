//! Follow-up (SE uppföljning, NO oppfølging) and closure of a case.

use barnvern_core::Provenance;
use barnvern_core::codelist::Coded;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::FollowUpId;
use crate::violence::ViolenceDisclosure;

/// What a follow-up is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpKind {
    /// SE: follow-up of a child after a closed investigation or ended placement (SoL 11 kap.
    /// 4 a-4 c §§).
    AfterClosure,
    /// Review of measures in place.
    MeasureReview,
    /// NO: aftercare (ettervern) for young adults.
    Aftercare,
    /// Anything else.
    Other,
}

/// A follow-up contact or review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// Identifier in the bundle.
    pub id: FollowUpId,
    /// The date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub on: NaiveDate,
    /// What kind of follow-up.
    pub kind: FollowUpKind,
    /// Violence disclosed or assessed at the follow-up (bundle schema 1.3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violence: Vec<ViolenceDisclosure>,
    /// How an aftercare offer ended (SSB `Ettervern/Konklusjon`); only for
    /// [`FollowUpKind::Aftercare`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aftercare: Option<AftercareConclusion>,
    /// Who recorded it, when and where.
    pub provenance: Provenance,
}

/// Why a case was closed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ClosureReason {
    /// No further need of the service's help.
    NoFurtherNeed,
    /// The family moved to another municipality (case transferred).
    MovedMunicipality,
    /// The family moved abroad or to an unknown place.
    MovedAway,
    /// The child came of age and no aftercare continues.
    CameOfAge,
    /// The family declined help that is voluntary.
    FamilyDeclined,
    /// Anything else; requires free text.
    Other,
}

/// The closing of a case (SE avslut, NO avslutning), and its reopening if it was reopened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    /// The date the case was closed.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub closed_on: NaiveDate,
    /// Why, with the source code as recorded.
    pub reason: Coded<ClosureReason>,
    /// The date the case was reopened, if it was.
    #[serde(
        deserialize_with = "barnvern_core::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reopened_on: Option<NaiveDate>,
    /// Who recorded the closure, when and where.
    pub provenance: Provenance,
}

/// What the young adult did with an aftercare offer (NO ettervern; SSB `Ettervern/Konklusjon`,
/// list `no.ssb.barnevern.ettervern-konklusjon`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AftercareOutcome {
    /// Offered measures, accepted (SSB 1).
    Accepted,
    /// Offered measures, declined because another measure was wanted (SSB 2).
    DeclinedWantedOther,
    /// No more measures under the act, at the young adult's wish (SSB 3).
    NoLongerWanted,
}

impl AftercareOutcome {
    /// Code system of SSB's list.
    pub const SSB_SYSTEM: &'static str = "no.ssb.barnevern.ettervern-konklusjon";

    /// The outcome of SSB's code.
    pub fn from_ssb_code(code: &str) -> Option<AftercareOutcome> {
        Some(match code {
            "1" => AftercareOutcome::Accepted,
            "2" => AftercareOutcome::DeclinedWantedOther,
            "3" => AftercareOutcome::NoLongerWanted,
            _ => return None,
        })
    }

    /// SSB's code.
    pub fn ssb_code(self) -> &'static str {
        match self {
            AftercareOutcome::Accepted => "1",
            AftercareOutcome::DeclinedWantedOther => "2",
            AftercareOutcome::NoLongerWanted => "3",
        }
    }
}

/// The conclusion of an aftercare offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AftercareConclusion {
    /// The date (SSB `Konklusjon/@SluttDato`).
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub concluded_on: NaiveDate,
    /// The outcome, with the source code as recorded.
    pub outcome: Coded<AftercareOutcome>,
}
