//! Screening of a referral (SE förhandsbedömning, NO gjennomgang av melding): open an
//! investigation or not.

use barnvern_core::Provenance;
use barnvern_core::codelist::Coded;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{ReferralId, ScreeningId};

/// The outcome of a screening. SSB's `Melding/Konklusjon` codes map onto it
/// ([`ScreeningOutcome::from_ssb_code`]); keep SSB's code as the source code.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ScreeningOutcome {
    /// Open an investigation (SE inleda utredning; SSB 2 ikke henlagt).
    OpenInvestigation,
    /// No investigation (SE inleda inte utredning; SSB 1, 5, 6, 9, 10 henlagt).
    NoInvestigation,
    /// Closed because measures are already active (SSB 3).
    ClosedActiveMeasures,
    /// Added to an investigation already under way (SSB 4).
    JoinedOngoingInvestigation,
    /// Transferred to another municipality or agency (SE överlämnad; SSB 7, 8).
    Transferred,
}

impl ScreeningOutcome {
    /// The outcome of SSB's `Melding/Konklusjon` code.
    pub fn from_ssb_code(code: &str) -> Option<ScreeningOutcome> {
        Some(match code {
            "2" => ScreeningOutcome::OpenInvestigation,
            "1" | "5" | "6" | "9" | "10" => ScreeningOutcome::NoInvestigation,
            "3" => ScreeningOutcome::ClosedActiveMeasures,
            "4" => ScreeningOutcome::JoinedOngoingInvestigation,
            "7" | "8" => ScreeningOutcome::Transferred,
            _ => return None,
        })
    }

    /// Whether this outcome closes the referral without an investigation of it.
    pub fn closes_without_investigation(self) -> bool {
        !matches!(
            self,
            ScreeningOutcome::OpenInvestigation | ScreeningOutcome::JoinedOngoingInvestigation
        )
    }
}

/// The screening decision on one referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Screening {
    /// Identifier in the bundle.
    pub id: ScreeningId,
    /// The referral screened.
    pub referral_id: ReferralId,
    /// The date of the decision.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub decided_on: NaiveDate,
    /// The outcome, with the source code as recorded.
    pub outcome: Coded<ScreeningOutcome>,
    /// SE: the extraordinary reasons recorded when the 14-day limit is exceeded (SoL 11 kap.
    /// 1 a §). Free text; never exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extraordinary_reasons: Option<String>,
    /// Who recorded it, when and where.
    pub provenance: Provenance,
}
