//! Retention per wave per arm: completed / randomised.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Ratio;
use crate::randomisation::Arm;
use crate::trial::TrialData;
use crate::waves::WaveStatus;

/// Retention at one wave in one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// The wave (months from randomisation).
    pub wave: u32,
    /// The arm.
    pub arm: Arm,
    /// Families with completed data / families randomised to the arm, with its 95% Wilson
    /// interval. Partial data do not count as completed; families whose window is still open
    /// stay in the denominator.
    pub retention: Ratio,
    /// Families with completed data / families already due at the wave (randomised, less those
    /// whose window is still open), with its 95% Wilson interval: what a retention criterion
    /// judges, so a wave that is still being collected does not read as lost.
    pub retention_among_due: Ratio,
    /// Families with partial data.
    pub partial: u64,
    /// Families whose window is still open.
    pub not_yet_due: u64,
}

/// Retention per wave (in the design's order) per arm (intervention first) as of `as_of`.
pub fn retention(data: &TrialData, as_of: NaiveDate) -> Vec<Retention> {
    let view = data.as_of(as_of);
    let data = &view;
    let mut out = Vec::new();
    for wave in &data.design.waves {
        for arm in Arm::ALL {
            let statuses: Vec<WaveStatus> = data
                .families
                .iter()
                .filter(|f| f.arm() == Some(arm))
                .filter_map(|f| f.wave_status(wave, as_of))
                .collect();
            let count = |s: WaveStatus| statuses.iter().filter(|x| **x == s).count() as u64;
            out.push(Retention {
                wave: wave.month,
                arm,
                retention: Ratio::proportion(
                    count(WaveStatus::Completed),
                    statuses.len() as u64,
                    "families with completed data",
                    "families randomised",
                ),
                retention_among_due: Ratio::proportion(
                    count(WaveStatus::Completed),
                    statuses.len() as u64 - count(WaveStatus::NotYetDue),
                    "families with completed data",
                    "families due at the wave",
                ),
                partial: count(WaveStatus::Partial),
                not_yet_due: count(WaveStatus::NotYetDue),
            });
        }
    }
    out
}
