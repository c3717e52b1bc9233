//! The feasibility proportions of a pilot trial in one place, each with its 95% Wilson score
//! interval: eligibility, consent, retention at each wave among families due there, and
//! completion of the programme.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::progression::{ProgressionMetric, metric_value};
use super::{Ratio, retention};
use crate::enrolment::EnrolmentEnd;
use crate::randomisation::Arm;
use crate::trial::TrialData;

/// Retention at one wave, both arms together and per arm, among families due there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaveRetention {
    /// The wave (months from randomisation).
    pub wave: u32,
    /// Both arms: completed / due.
    pub both: Ratio,
    /// Family Partner: completed / due.
    pub intervention: Ratio,
    /// Ordinary services: completed / due.
    pub control: Ratio,
}

/// The feasibility proportions as of a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Feasibility {
    /// The date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub as_of: NaiveDate,
    /// Eligible / assessed families.
    pub eligibility: Ratio,
    /// Consenting / eligible families.
    pub consent: Ratio,
    /// Retention per wave among families due.
    pub retention: Vec<WaveRetention>,
    /// Enrolments completed as planned / enrolments ended (completed, ended early by
    /// agreement, or ended by a withdrawal).
    pub completion: Ratio,
}

/// The feasibility proportions as of `as_of`.
pub fn feasibility(data: &TrialData, as_of: NaiveDate) -> Feasibility {
    let view = data.as_of(as_of);
    let per_arm = retention(&view, as_of);
    let retention = view
        .design
        .waves
        .iter()
        .map(|w| {
            let of = |arm: Arm| {
                per_arm
                    .iter()
                    .find(|r| r.wave == w.month && r.arm == arm)
                    .map(|r| r.retention_among_due.clone())
                    .unwrap_or_else(|| {
                        Ratio::proportion(
                            0,
                            0,
                            "families with completed data",
                            "families due at the wave",
                        )
                    })
            };
            WaveRetention {
                wave: w.month,
                both: metric_value(
                    &view,
                    &ProgressionMetric::Retention {
                        wave: w.month,
                        arm: None,
                    },
                    as_of,
                ),
                intervention: of(Arm::Intervention),
                control: of(Arm::Control),
            }
        })
        .collect();
    let ended: Vec<EnrolmentEnd> = view
        .families
        .iter()
        .filter_map(|f| f.enrolment.as_ref().and_then(|e| e.end))
        .collect();
    let completed = ended
        .iter()
        .filter(|e| **e == EnrolmentEnd::Completed)
        .count() as u64;
    Feasibility {
        as_of,
        eligibility: metric_value(&view, &ProgressionMetric::EligibilityRate, as_of),
        consent: metric_value(&view, &ProgressionMetric::ConsentRate, as_of),
        retention,
        completion: Ratio::proportion(
            completed,
            ended.len() as u64,
            "enrolments completed as planned",
            "enrolments ended",
        ),
    }
}
