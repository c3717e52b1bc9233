//! Enrolment with a Family Partner, and withdrawal from the programme or the study.

use barnvern_core::codelist::Coded;
use barnvern_core::{Provenance, StaffRef};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A recorded decision to take a family over the caseload cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseloadOverride {
    /// Why (required, non-blank; free text, never exported).
    pub reason: String,
    /// Who approved it.
    pub approved_by: StaffRef,
}

/// How an enrolment ended.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentEnd {
    /// The programme was completed as planned.
    Completed,
    /// Ended early by agreement (goals reached).
    EndedEarly,
    /// Ended by a withdrawal.
    Withdrawn,
}

/// A family's enrolment with a Family Partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Enrolment {
    /// The Family Partner.
    pub partner: StaffRef,
    /// The first day.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub started_on: NaiveDate,
    /// The planned last day (6-18 months after the start under the published programme).
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub planned_end: NaiveDate,
    /// The day it ended, if it has. The family stops counting in the partner's caseload on
    /// that day.
    #[serde(
        deserialize_with = "barnvern_core::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ended_on: Option<NaiveDate>,
    /// How it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<EnrolmentEnd>,
    /// Present when the enrolment put the partner over the caseload cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caseload_override: Option<CaseloadOverride>,
    /// Who recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// Who withdrew the family.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawnBy {
    /// The family (a carer).
    Family,
    /// The Family Partner or the service.
    Service,
    /// The research team.
    Researcher,
}

/// From what a family withdraws.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawalScope {
    /// From the intervention only: no more contacts, follow-up data still collected.
    Intervention,
    /// From the study: no more contacts and no more data.
    Study,
}

/// Why a family withdrew.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawalReason {
    /// The family no longer wants to take part.
    NoLongerWishes,
    /// The family moved.
    Moved,
    /// The child was placed out of home.
    ChildPlaced,
    /// The family's needs call for another service.
    OtherServiceNeeded,
    /// Consent withdrawn.
    ConsentWithdrawn,
    /// Anything else; needs text.
    Other,
}

/// A withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    /// The date; no contact may be dated after it.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub on: NaiveDate,
    /// Who withdrew the family.
    pub by: WithdrawnBy,
    /// From the intervention or from the study.
    pub scope: WithdrawalScope,
    /// Why, with the source code as recorded.
    pub reason: Coded<WithdrawalReason>,
    /// Who recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}
