//! Decisions (SE beslut, NO vedtak) with their legal basis and status history.

use barnvern_core::codelist::Coded;
use barnvern_core::{LegalBasis, Provenance};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{DecisionId, InvestigationId};

/// What a decision is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Voluntary help measures (SE bistånd/insats, NO hjelpetiltak).
    Measure,
    /// Care order or compulsory care (SE vård enligt LVU, NO omsorgsovertakelse).
    CareOrder,
    /// Emergency decision (SE omedelbart omhändertagande, NO akuttvedtak).
    Emergency,
    /// Aftercare (NO ettervern; SE efter 18 år).
    Aftercare,
    /// Anything else.
    Other,
}

/// The status of a decision. SSB's `Vedtak/Status` codes 1-4 map onto it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    /// Approved, in force (SSB 1 godkjent).
    Approved,
    /// Application sent to the county board/court (SSB 2 begjæring oversendt nemnd).
    SentToBoard,
    /// Lapsed under the act (SSB 3 utgår/bortfalt).
    Lapsed,
    /// Refused or ended (SSB 4 avslått/avsluttet).
    RefusedOrEnded,
}

impl DecisionStatus {
    /// The status of SSB's code.
    pub fn from_ssb_code(code: &str) -> Option<DecisionStatus> {
        Some(match code {
            "1" => DecisionStatus::Approved,
            "2" => DecisionStatus::SentToBoard,
            "3" => DecisionStatus::Lapsed,
            "4" => DecisionStatus::RefusedOrEnded,
            _ => return None,
        })
    }

    /// SSB's code.
    pub fn ssb_code(self) -> &'static str {
        match self {
            DecisionStatus::Approved => "1",
            DecisionStatus::SentToBoard => "2",
            DecisionStatus::Lapsed => "3",
            DecisionStatus::RefusedOrEnded => "4",
        }
    }
}

/// A change of a decision's status on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// The new status, with the source code as recorded.
    pub status: Coded<DecisionStatus>,
    /// The date of the change.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub on: NaiveDate,
}

/// A decision with its legal basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Identifier in the bundle.
    pub id: DecisionId,
    /// The date of the decision.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub decided_on: NaiveDate,
    /// What the decision is about.
    pub kind: DecisionKind,
    /// The investigation it follows, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub investigation_id: Option<InvestigationId>,
    /// The legal basis. Required: a decision without one is refused.
    pub legal_basis: LegalBasis,
    /// Status changes, in date order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status_history: Vec<StatusChange>,
    /// The date the decision ended (SSB `Vedtak/Konklusjon/@SluttDato`): required by SSB once
    /// it has lapsed or been refused or ended (status 3 or 4, Vedtak Kontroll 3).
    #[serde(
        deserialize_with = "barnvern_core::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ended_on: Option<NaiveDate>,
    /// Claims by private parties that the county board decide (NO krav, SSB `Vedtak/Krav`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<BoardClaim>,
    /// Who recorded it, when and where.
    pub provenance: Provenance,
}

impl Decision {
    /// The status in force on `date`, if any change has happened by then.
    pub fn status_on(&self, date: NaiveDate) -> Option<DecisionStatus> {
        self.status_history
            .iter()
            .rev()
            .find(|s| s.on <= date)
            .map(|s| s.status.code)
    }
}

/// What became of a private party's claim (SSB `Vedtak/Krav/Konklusjon`, list
/// `no.ssb.barnevern.vedtak-krav-konklusjon`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ClaimOutcome {
    /// Sent to the county board (SSB 1 sendt til fylkesnemnd).
    SentToBoard,
    /// The claim lapsed (SSB 2 krav bortfalt).
    Lapsed,
    /// Other; the text says what (SSB 9 annet, krever presisering).
    Other,
}

impl ClaimOutcome {
    /// Code system of SSB's list.
    pub const SSB_SYSTEM: &'static str = "no.ssb.barnevern.vedtak-krav-konklusjon";

    /// The outcome of SSB's code.
    pub fn from_ssb_code(code: &str) -> Option<ClaimOutcome> {
        Some(match code {
            "1" => ClaimOutcome::SentToBoard,
            "2" => ClaimOutcome::Lapsed,
            "9" => ClaimOutcome::Other,
            _ => return None,
        })
    }

    /// SSB's code.
    pub fn ssb_code(self) -> &'static str {
        match self {
            ClaimOutcome::SentToBoard => "1",
            ClaimOutcome::Lapsed => "2",
            ClaimOutcome::Other => "9",
        }
    }
}

/// A private party's claim to the county social welfare board (NO krav til fylkesnemnda, e.g.
/// parents' claim to end a care order; SSB `Vedtak/Krav`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardClaim {
    /// The date the claim was received (SSB `Krav/@StartDato`).
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub received_on: NaiveDate,
    /// The date it was concluded (SSB `Krav/Konklusjon/@SluttDato`).
    #[serde(
        deserialize_with = "barnvern_core::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub concluded_on: Option<NaiveDate>,
    /// How it was concluded, with the source code as recorded; required once concluded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Coded<ClaimOutcome>>,
}
