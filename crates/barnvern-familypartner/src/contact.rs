//! Contacts between a Family Partner and a family, parent-guidance sessions, coordination
//! activities, and family goals with their reviews.

use barnvern_core::Provenance;
use barnvern_core::codelist::Coded;
use barnvern_intervention::Agency;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{ContactId, GoalId};

/// How a contact took place.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ContactMode {
    /// In the family's home (SE hembesök, NO hjemmebesøk).
    Home,
    /// At the office.
    Office,
    /// By phone.
    Phone,
    /// By video.
    Video,
    /// Elsewhere (school, café, outdoors).
    Other,
}

/// What became of a contact.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    /// Planned, not yet happened.
    Planned,
    /// Took place.
    Delivered,
    /// Cancelled by the family.
    CancelledByFamily,
    /// Cancelled by the Family Partner.
    CancelledByPartner,
    /// The family did not turn up.
    NoShow,
}

/// A contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Identifier within the trial.
    pub id: ContactId,
    /// The date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub on: NaiveDate,
    /// How.
    pub mode: ContactMode,
    /// Length in minutes, when delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u16>,
    /// What became of it.
    pub status: ContactStatus,
    /// Minutes the Family Partner spent travelling for it (both ways), when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub travel_minutes: Option<u32>,
    /// Kilometres driven for it (both ways), when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<u32>,
    /// The programme components covered (ids of the programme definition).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
    /// Who recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// A parent-guidance session (SE föräldravägledning, NO foreldreveiledning), held in a
/// delivered contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuidanceSession {
    /// The contact it was held in.
    pub contact_id: ContactId,
    /// The module (an id of the programme definition).
    pub module: String,
}

/// What kind of coordination work.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CoordinationKind {
    /// A meeting with other services.
    Meeting,
    /// A call or message to another service.
    Call,
    /// A referral or application to another service.
    Referral,
    /// Accompanying the family to another service.
    Accompanying,
    /// Anything else.
    Other,
}

/// A coordination activity on the family's behalf (SE samordning, NO koordinering).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoordinationActivity {
    /// The date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub on: NaiveDate,
    /// What kind.
    pub kind: CoordinationKind,
    /// The agencies involved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agencies: Vec<Coded<Agency>>,
    /// Minutes spent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u16>,
}

/// Progress towards a goal at a review.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum GoalProgress {
    /// Not started.
    NotStarted,
    /// Some progress.
    SomeProgress,
    /// Reached.
    Achieved,
    /// Given up or replaced.
    Abandoned,
}

/// A review of a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalReview {
    /// The date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub on: NaiveDate,
    /// The progress.
    pub progress: GoalProgress,
}

/// A goal the family set with its Family Partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyGoal {
    /// Identifier within the family.
    pub id: GoalId,
    /// The date it was set.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub set_on: NaiveDate,
    /// The goal in the family's words (free text; never exported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Reviews, in date order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<GoalReview>,
}
