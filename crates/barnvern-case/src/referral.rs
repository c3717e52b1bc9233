//! The report of concern (SE orosanmälan, NO bekymringsmelding).

use barnvern_core::Provenance;
use barnvern_core::codelist::{Coded, SourceCode};
use chrono::{DateTime, FixedOffset, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::ReferralId;
use crate::reporter::ReporterCategory;
use crate::violence::ViolenceExposure;

/// A report of concern (SE orosanmälan, NO bekymringsmelding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    /// Identifier in the bundle.
    pub id: ReferralId,
    /// When the report was received, with the local UTC offset as recorded: the receipt date
    /// that starts the statutory deadlines is the local date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::timestamp")]
    pub received_at: DateTime<FixedOffset>,
    /// Who reported (SE anmälare, NO melder).
    pub reporter: Coded<ReporterCategory>,
    /// Content and reason codes as recorded (NO saksinnhold; SE skäl för anmälan), each with
    /// its code system; codes of a built-in list are checked against it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<SourceCode>,
    /// Violence the child is reported to be exposed to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violence: Vec<ViolenceExposure>,
    /// Free text of the report. Never exported to research extracts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_text: Option<String>,
    /// Who recorded it, when and where.
    pub provenance: Provenance,
}

impl Referral {
    /// The local date of receipt, which starts the statutory deadlines.
    pub fn received_on(&self) -> NaiveDate {
        self.received_at.date_naive()
    }
}
