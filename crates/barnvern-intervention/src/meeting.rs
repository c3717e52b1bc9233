//! Coordination meetings around a family: who was there and whether the child and carers took
//! part.

use barnvern_core::Provenance;
use barnvern_core::codelist::Coded;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{MeetingId, PlanId};

/// What kind of meeting.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MeetingType {
    /// SIP meeting (SE samordnad individuell plan; NO individuell plan).
    Sip,
    /// Responsibility group (SE ansvarsgrupp, NO ansvarsgruppe).
    ResponsibilityGroup,
    /// Cooperation meeting with other agencies (SE samverkansmöte, NO samarbeidsmøte).
    CooperationMeeting,
    /// Network meeting or family group conference (SE nätverksmöte, familjeråd; NO
    /// nettverksmøte, familieråd).
    NetworkMeeting,
    /// Anything else; needs text.
    Other,
}

/// An agency present at a meeting.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Agency {
    /// School (SE skola, elevhälsa; NO skole).
    School,
    /// Kindergarten (SE förskola, NO barnehage).
    Kindergarten,
    /// Child health clinic (SE barnavårdscentral BVC, NO helsestasjon).
    ChildHealthClinic,
    /// Child and adolescent psychiatry (SE BUP, NO BUP/psykisk helsevern for barn og unge).
    ChildPsychiatry,
    /// Adult psychiatry (SE vuxenpsykiatri, NO voksenpsykiatri/DPS).
    AdultPsychiatry,
    /// Primary care (SE vårdcentral, NO fastlege).
    PrimaryCare,
    /// Police (SE polis, NO politi).
    Police,
    /// Welfare and social insurance (SE Försäkringskassan, NO NAV).
    WelfareAgency,
    /// Crisis centre (SE kvinnojour, NO krisesenter).
    CrisisCentre,
    /// Family counselling (SE familjerådgivning, NO familievernkontor).
    FamilyCounselling,
    /// Any other agency; needs text.
    Other,
}

/// A coordination meeting (SE samordningsmöte, NO samarbeidsmøte).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoordinationMeeting {
    /// Identifier in the bundle.
    pub id: MeetingId,
    /// The date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub held_on: NaiveDate,
    /// The kind of meeting, with the source code as recorded.
    #[serde(rename = "type")]
    pub meeting_type: Coded<MeetingType>,
    /// Agencies present (besides the child-welfare service), each with the source code and,
    /// for `other`, the text saying which.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agencies: Vec<Coded<Agency>>,
    /// Whether the child took part.
    pub child_took_part: bool,
    /// Whether at least one carer took part.
    pub carers_took_part: bool,
    /// The plan the meeting belongs to (a SIP meeting and its SIP), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<PlanId>,
    /// Who recorded it, when and where.
    pub provenance: Provenance,
}
