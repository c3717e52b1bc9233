//! Protection assessment (SE skyddsbedömning): is the child in need of immediate protection?

use barnvern_core::Provenance;
use chrono::{DateTime, FixedOffset, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{AssessmentId, ReferralId};

/// A protection assessment of one referral (SE skyddsbedömning; "genast", at once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProtectionAssessment {
    /// Identifier in the bundle.
    pub id: AssessmentId,
    /// The referral assessed.
    pub referral_id: ReferralId,
    /// When the assessment was made, with the local UTC offset.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::timestamp")]
    pub assessed_at: DateTime<FixedOffset>,
    /// Whether the child was judged to need immediate protection.
    pub immediate_protection_needed: bool,
    /// Who recorded it, when and where.
    pub provenance: Provenance,
}

impl ProtectionAssessment {
    /// The local date of the assessment.
    pub fn assessed_on(&self) -> NaiveDate {
        self.assessed_at.date_naive()
    }
}
