//! Supervision and follow-up visits of a placement (NO tilsyn and oppfølging i fosterhjem; SSB
//! `Tiltak/Tilsyn` and `Tiltak/Oppfolging`): who is responsible, how often a year, and the
//! visits made.

use barnvern_core::codelist::Coded;
use barnvern_core::municipality::MunicipalityCode;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How many visits a year are due (SSB `Hyppighet`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum VisitFrequency {
    /// Four visits a year, the standard (SSB 4).
    FourPerYear,
    /// Two visits a year, reduced (SSB 2).
    TwoPerYear,
}

impl VisitFrequency {
    /// Code system of SSB's supervision frequency list.
    pub const SSB_SUPERVISION_SYSTEM: &'static str = "no.ssb.barnevern.tiltak-tilsyn-hyppighet";
    /// Code system of SSB's follow-up frequency list.
    pub const SSB_FOLLOW_UP_SYSTEM: &'static str = "no.ssb.barnevern.tiltak-oppfolging-hyppighet";

    /// The frequency of SSB's code (the same in both lists).
    pub fn from_ssb_code(code: &str) -> Option<VisitFrequency> {
        match code {
            "4" => Some(VisitFrequency::FourPerYear),
            "2" => Some(VisitFrequency::TwoPerYear),
            _ => None,
        }
    }

    /// SSB's code.
    pub fn ssb_code(self) -> &'static str {
        match self {
            VisitFrequency::FourPerYear => "4",
            VisitFrequency::TwoPerYear => "2",
        }
    }

    /// Visits a year.
    pub fn per_year(self) -> u8 {
        match self {
            VisitFrequency::FourPerYear => 4,
            VisitFrequency::TwoPerYear => 2,
        }
    }
}

/// A frequency in force from a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrequencyFrom {
    /// From when (SSB `Hyppighet/@StartDato`).
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub from: NaiveDate,
    /// The frequency, with the source code as recorded.
    pub frequency: Coded<VisitFrequency>,
}

/// The municipality responsible for supervision from a date (SSB `Tilsyn/Ansvarlig`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponsibleFrom {
    /// From when (SSB `Ansvarlig/@StartDato`).
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub from: NaiveDate,
    /// The municipality (kommunenummer).
    pub municipality: MunicipalityCode,
}

/// Supervision of a foster home by an independent party (NO tilsyn; SSB `Tiltak/Tilsyn`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Supervision {
    /// The responsible municipality, in date order (at least one).
    pub responsible: Vec<ResponsibleFrom>,
    /// The frequency, in date order (at least one).
    pub frequency: Vec<FrequencyFrom>,
    /// The dates of the visits made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<NaiveDate>,
}

/// Follow-up visits of a foster home by the service (NO oppfølging; SSB `Tiltak/Oppfolging`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpVisits {
    /// The frequency, in date order (at least one).
    pub frequency: Vec<FrequencyFrom>,
    /// The dates of the visits made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<NaiveDate>,
}

/// Which visits of a placement: supervision (tilsyn) or follow-up (oppfølging).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum VisitKind {
    /// Supervision by an independent party (NO tilsyn).
    Supervision,
    /// Follow-up by the service (NO oppfølging).
    FollowUp,
}
