//! Assessment waves: when they fall, their windows, and each family's status.

use barnvern_core::{Provenance, dates};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::questionnaire::Questionnaire;

/// A wave of the trial, in months from randomisation, with its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaveDefinition {
    /// Months after randomisation (0 = baseline).
    pub month: u32,
    /// Days before the target date the window opens.
    pub opens_days_before: u32,
    /// Days after the target date the window closes (inclusive).
    pub closes_days_after: u32,
}

impl WaveDefinition {
    /// The window `[opens, closes]` for a family randomised on `randomised_on`.
    pub fn window(&self, randomised_on: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let target = dates::add_months(randomised_on, self.month)?;
        Some((
            target.checked_sub_days(chrono::Days::new(u64::from(self.opens_days_before)))?,
            dates::add_days(target, u64::from(self.closes_days_after))?,
        ))
    }

    /// The FAMPART waves: baseline, 3, 6, 12 and 18 months, with default windows (baseline 30
    /// days before to 7 after randomisation; later waves 14 days before to 42 after the
    /// target). The windows are defaults, not published values.
    pub fn fampart() -> Vec<WaveDefinition> {
        let w = |month, opens_days_before, closes_days_after| WaveDefinition {
            month,
            opens_days_before,
            closes_days_after,
        };
        vec![
            w(0, 30, 7),
            w(3, 14, 42),
            w(6, 14, 42),
            w(12, 14, 42),
            w(18, 14, 42),
        ]
    }
}

/// What the data collection at a wave achieved, as recorded.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WaveOutcome {
    /// All measures collected.
    Completed,
    /// Some measures collected.
    Partial,
    /// Recorded as missed (the family could not be reached or declined the wave).
    Missed,
}

/// A wave's data collection, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaveRecord {
    /// The wave, in months from randomisation.
    pub wave: u32,
    /// The date of collection (or of the decision that it was missed).
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub on: NaiveDate,
    /// What it achieved.
    pub outcome: WaveOutcome,
    /// The questionnaires answered at the wave.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questionnaires: Vec<Questionnaire>,
    /// Who recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// A family's status at a wave, as of a date.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WaveStatus {
    /// All measures collected.
    Completed,
    /// Some measures collected.
    Partial,
    /// The window closed with nothing collected (lost to follow-up at this wave).
    Missed,
    /// The family withdrew from the study before the window closed.
    Withdrawn,
    /// The window has not closed yet.
    NotYetDue,
}

impl WaveStatus {
    /// Every status, in the order above.
    pub const ALL: [WaveStatus; 5] = [
        WaveStatus::Completed,
        WaveStatus::Partial,
        WaveStatus::Missed,
        WaveStatus::Withdrawn,
        WaveStatus::NotYetDue,
    ];
}
