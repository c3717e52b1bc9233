//! Plans (SE plan, NO plan) with their scheduled evaluations. SSB's `Plantype` codes map onto
//! [`PlanType`].

use barnvern_core::Provenance;
use barnvern_core::codelist::Coded;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{InterventionId, PlanId};

/// Code system of SSB's plan types.
pub const SSB_SYSTEM: &str = "no.ssb.barnevern.plantype";

/// The canonical plan type.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PlanType {
    /// Action plan for help measures (NO tiltaksplan, bvl. 2021 § 8-1, SSB 1; also SSB 2
    /// § 8-4 and SSB 5 aftercare; SE genomförandeplan).
    ActionPlan,
    /// Investigation plan (NO undersøkelsesplan, SSB 7 and 8; SE utredningsplan).
    InvestigationPlan,
    /// Care plan (NO omsorgsplan, SSB 3 and 4; SE vårdplan).
    CarePlan,
    /// Contact plan (NO samværsplan, bvl. 2021 § 7-6, SSB 6).
    ContactPlan,
    /// Coordinated individual plan (SE samordnad individuell plan, SIP).
    Sip,
    /// Individual plan (NO individuell plan).
    IndividualPlan,
}

impl PlanType {
    /// The concept of SSB's `Plantype` code.
    pub fn from_ssb_code(code: &str) -> Option<PlanType> {
        Some(match code {
            "1" | "2" | "5" => PlanType::ActionPlan,
            "3" | "4" => PlanType::CarePlan,
            "6" => PlanType::ContactPlan,
            "7" | "8" => PlanType::InvestigationPlan,
            _ => return None,
        })
    }

    /// SSB's usual code for the concept (action plan 1, care plan 4, contact plan 6,
    /// investigation plan 7); SIP and individual plans are not SSB plan types (individual plan
    /// is measure 6.3).
    pub fn ssb_code(self) -> Option<&'static str> {
        match self {
            PlanType::ActionPlan => Some("1"),
            PlanType::CarePlan => Some("4"),
            PlanType::ContactPlan => Some("6"),
            PlanType::InvestigationPlan => Some("7"),
            PlanType::Sip | PlanType::IndividualPlan => None,
        }
    }
}

/// A scheduled evaluation of a plan, and when it was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduledEvaluation {
    /// When it is due.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub due: NaiveDate,
    /// When it was done, if it was.
    #[serde(
        deserialize_with = "barnvern_core::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub done_on: Option<NaiveDate>,
}

/// A plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Identifier in the bundle.
    pub id: PlanId,
    /// The type, with the source code as recorded.
    #[serde(rename = "type")]
    pub plan_type: Coded<PlanType>,
    /// When the plan was made.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub made_on: NaiveDate,
    /// The interventions it covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intervention_ids: Vec<InterventionId>,
    /// Scheduled evaluations, in date order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evaluations: Vec<ScheduledEvaluation>,
    /// When the plan ended, if it has.
    #[serde(
        deserialize_with = "barnvern_core::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ended_on: Option<NaiveDate>,
    /// Who recorded it, when and where.
    pub provenance: Provenance,
}
