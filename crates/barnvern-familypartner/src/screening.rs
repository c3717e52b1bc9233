//! Screening for eligibility, and the family's consent to take part.

use barnvern_core::Provenance;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::programme::EligibilityCriteria;

/// A screening for eligibility: the facts, not the verdict. The verdict comes from the
/// programme's [`EligibilityCriteria`] ([`Screening::assess`]), so a change of criteria is a
/// change of data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Screening {
    /// The date of the screening.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub on: NaiveDate,
    /// Age in whole years, on that date, of the youngest child in the family.
    pub child_age_years: u8,
    /// Whether the family already receives child-welfare services.
    pub receives_child_welfare_services: bool,
    /// Another reason the family cannot take part, if any (free text; never exported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_exclusion: Option<String>,
    /// Who recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// Why a family is not eligible.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IneligibilityReason {
    /// No child under the age limit.
    ChildTooOld,
    /// The family receives no child-welfare services.
    NoChildWelfareServices,
    /// Another recorded reason.
    Other,
}

/// The verdict of a screening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "verdict", rename_all = "snake_case", deny_unknown_fields)]
pub enum Eligibility {
    /// Eligible.
    Eligible,
    /// Not eligible, with every reason that applies, in the order of
    /// [`IneligibilityReason`].
    NotEligible {
        /// The reasons.
        reasons: Vec<IneligibilityReason>,
    },
}

impl Eligibility {
    /// Whether the family is eligible.
    pub fn is_eligible(&self) -> bool {
        matches!(self, Eligibility::Eligible)
    }
}

impl Screening {
    /// The verdict under `criteria`.
    pub fn assess(&self, criteria: &EligibilityCriteria) -> Eligibility {
        let mut reasons = Vec::new();
        if self.child_age_years >= criteria.child_age_below_years {
            reasons.push(IneligibilityReason::ChildTooOld);
        }
        if criteria.requires_child_welfare_services && !self.receives_child_welfare_services {
            reasons.push(IneligibilityReason::NoChildWelfareServices);
        }
        if self
            .other_exclusion
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty())
        {
            reasons.push(IneligibilityReason::Other);
        }
        if reasons.is_empty() {
            Eligibility::Eligible
        } else {
            Eligibility::NotEligible { reasons }
        }
    }
}

/// The family's informed consent to take part in the trial (SE samtycke, NO samtykke).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrialConsent {
    /// The date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub on: NaiveDate,
    /// Whether consent was given (`false`: the family declined).
    pub given: bool,
    /// Who recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}
