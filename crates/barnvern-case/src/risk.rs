//! Structured risk assessment of violence during an investigation (SE riskbedömning, NO
//! risikovurdering): the method as a code, the date, the outcome level and who assessed.

use barnvern_core::Provenance;
use barnvern_core::codelist::Coded;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The method or instrument of a risk assessment. The source system's own code is kept beside
/// it ([`Coded::source`]); `other` needs a text naming the method.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RiskMethod {
    /// FREDA-kortfrågor: Socialstyrelsen's screening questions on violence (SE).
    FredaScreening,
    /// FREDA-farlighetsbedömning: Socialstyrelsen's assessment of the danger (SE).
    FredaDanger,
    /// SARA (Spousal Assault Risk Assessment), structured professional judgement.
    Sara,
    /// PATRIARK: honour-related violence, structured professional judgement.
    Patriark,
    /// B-SAFER (Brief Spousal Assault Form for the Evaluation of Risk).
    BSafer,
    /// Signs of Safety risk assessment (used in both countries).
    SignsOfSafety,
    /// Another structured professional judgement method.
    OtherStructured,
    /// Unstructured clinical judgement.
    ClinicalJudgement,
    /// Another method; requires a text.
    Other,
}

/// The outcome of a risk assessment.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// Low risk of (renewed) violence.
    Low,
    /// Moderate risk.
    Moderate,
    /// High risk.
    High,
    /// Acute danger: immediate protection needed.
    Acute,
    /// The assessment could not reach a level.
    NotDetermined,
}

/// One structured risk assessment on an investigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskAssessment {
    /// The date of the assessment.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub assessed_on: NaiveDate,
    /// The method or instrument, with the source code as recorded.
    pub method: Coded<RiskMethod>,
    /// The outcome level, with the source code as recorded.
    pub level: Coded<RiskLevel>,
    /// Who assessed (role and staff reference), when it was recorded and where.
    pub provenance: Provenance,
}
