//! Records of Norway's national reporting that belong to the case rather than to one stage:
//! cases sent to the county social welfare board (NO oversendelse til fylkesnemnda) and moves
//! of a placed child (NO flytting), each with SSB's codes kept as recorded.

use barnvern_core::codelist::SourceCode;
use barnvern_core::{LegalBasis, Provenance};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{BoardReferralId, DecisionId, MoveId};

/// A case sent by the service to the county social welfare board (NO oversendelse til
/// fylkesnemnda for barnevern og sosiale saker; SSB `OversendelseFylkesnemnd`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardReferral {
    /// Identifier in the bundle.
    pub id: BoardReferralId,
    /// The date it was sent (SSB `@StartDato`).
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub sent_on: NaiveDate,
    /// The decision it carries to the board (SSB: a `Relasjon` between `Vedtak` and
    /// `OversendelseFylkesnemnd`, which a decision with status 2 needs, Vedtak Kontroll 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_id: Option<DecisionId>,
    /// The provision the board is asked to decide under (SSB `Lovhjemmel`).
    pub legal_basis: LegalBasis,
    /// Provisions cited alongside (SSB `JmfrLovhjemmel`, at most 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_under: Vec<LegalBasis>,
    /// Who recorded it, when and where.
    pub provenance: Provenance,
}

/// A coded reason with the free text the code may require (SSB `Presisering`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodedReason {
    /// The code as recorded, with its system.
    pub code: SourceCode,
    /// The description the code requires. Free text; never exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A move of a placed child from one placement to another (NO flytting; SSB `Flytting`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Move {
    /// Identifier in the bundle.
    pub id: MoveId,
    /// The date the child moved (SSB `@SluttDato`: the end of the stay moved from).
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub moved_on: NaiveDate,
    /// Why the child moved from the placement (SSB `ArsakFra`, list
    /// `no.ssb.barnevern.flytting-arsak-fra`).
    pub reason_from: CodedReason,
    /// Where the child moved to (SSB `FlyttingTil`, list `no.ssb.barnevern.flytting-til`).
    pub moved_to: CodedReason,
    /// Who recorded it, when and where.
    pub provenance: Provenance,
}

/// Code system of SSB's reasons for a move.
pub const SSB_MOVE_FROM_SYSTEM: &str = "no.ssb.barnevern.flytting-arsak-fra";
/// Code system of SSB's destinations of a move.
pub const SSB_MOVE_TO_SYSTEM: &str = "no.ssb.barnevern.flytting-til";
