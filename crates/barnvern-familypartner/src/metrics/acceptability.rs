//! Acceptability, appropriateness and feasibility of the programme as rated on AIM, IAM and FIM
//! (Weiner et al. 2017): per wave, instrument, informant (the families' parents as well as the
//! staff) and arm, the median score against the instrument's benchmark, as DESIGN.md §7 asks
//! ("report the median per group against a benchmark").
//!
//! A form is scored with its instrument's definition (mean of the 4 items, complete cases); a
//! family counts once per group (its form at that wave). The share of families at or above the
//! benchmark is a proportion with its 95% Wilson interval.

use std::collections::BTreeMap;

use barnvern_outcomes::Informant;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Ratio;
use crate::randomisation::Arm;
use crate::trial::TrialData;
use crate::waves::WaveOutcome;

/// The instruments of implementation outcomes reported here, in this order.
pub const ACCEPTABILITY_INSTRUMENTS: [&str; 3] = ["aim", "iam", "fim"];

/// One group's ratings: a wave, an instrument, an informant and an arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptability {
    /// The wave (months from randomisation).
    pub wave: u32,
    /// The instrument id (`aim`, `iam`, `fim`).
    pub instrument: String,
    /// The scale scored (the instrument's first scale: `aim`, `iam`, `fim`).
    pub scale: String,
    /// Who rated it (`parent` for the families, `staff` for the Family Partners).
    pub informant: Informant,
    /// The arm of the families rated.
    pub arm: Arm,
    /// Forms returned in the group.
    pub forms: u64,
    /// Forms with a score (all 4 items answered).
    pub scored: u64,
    /// The median score of the forms scored (the mean of the two middle ones when their
    /// number is even); `None` when none is scored.
    pub median: Option<f64>,
    /// The instrument's benchmark (3.5 in one published pilot), when its definition has one.
    pub benchmark: Option<f64>,
    /// Whether the median reaches the benchmark (`median >= benchmark`).
    pub median_meets_benchmark: Option<bool>,
    /// Forms scoring at or above the benchmark / forms scored, with its 95% Wilson interval.
    pub at_or_above_benchmark: Option<Ratio>,
}

/// The median of `values` (sorted here); `None` when empty.
pub fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => values.get(n / 2).copied(),
        _ => Some((values.get(n / 2 - 1)? + values.get(n / 2)?) / 2.0),
    }
}

/// AIM, IAM and FIM per wave (in the design's order), instrument, informant and arm as of
/// `as_of`, over randomised families' forms at waves with completed or partial data; only
/// groups with at least one form.
pub fn acceptability(data: &TrialData, as_of: NaiveDate) -> Vec<Acceptability> {
    let view = data.as_of(as_of);
    let user = &view.design.instruments;
    // (wave position, instrument position, informant, arm) -> (forms, scores)
    type Group = (usize, usize, Informant, Arm);
    let mut groups: BTreeMap<Group, (u64, Vec<f64>)> = BTreeMap::new();
    for f in &view.families {
        let Some(arm) = f.arm() else { continue };
        for (wi, wave) in view.design.waves.iter().enumerate() {
            let Some(rec) = f.waves.iter().find(|w| w.wave == wave.month) else {
                continue;
            };
            if !matches!(rec.outcome, WaveOutcome::Completed | WaveOutcome::Partial) {
                continue;
            }
            for q in &rec.questionnaires {
                let Some(ii) = ACCEPTABILITY_INSTRUMENTS
                    .iter()
                    .position(|id| *id == q.instrument.as_str())
                else {
                    continue;
                };
                let g = groups.entry((wi, ii, q.informant, arm)).or_default();
                g.0 += 1;
                let scale = q
                    .definition_in(user)
                    .and_then(|i| i.def().scales.first())
                    .map(|s| s.id.as_str());
                if let (Some(scale), Some(scores)) = (scale, q.scores(user))
                    && let Some(v) = scores.value(scale)
                {
                    g.1.push(v);
                }
            }
        }
    }
    let mut out = Vec::new();
    for ((wi, ii, informant, arm), (forms, mut values)) in groups {
        let (Some(wave), Some(id)) = (view.design.waves.get(wi), ACCEPTABILITY_INSTRUMENTS.get(ii))
        else {
            continue;
        };
        let scale = crate::questionnaire::instrument(id, user).and_then(|i| i.def().scales.first());
        let benchmark = scale.and_then(|s| s.benchmark);
        let scored = values.len() as u64;
        let at_or_above = benchmark.map(|b| {
            Ratio::proportion(
                values.iter().filter(|v| **v >= b).count() as u64,
                scored,
                "forms at or above the benchmark",
                "forms scored",
            )
        });
        let median = median(&mut values);
        out.push(Acceptability {
            wave: wave.month,
            instrument: (*id).to_owned(),
            scale: scale.map_or_else(|| (*id).to_owned(), |s| s.id.to_string()),
            informant,
            arm,
            forms,
            scored,
            median,
            benchmark,
            median_meets_benchmark: median.zip(benchmark).map(|(m, b)| m >= b),
            at_or_above_benchmark: at_or_above,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [4.0, 3.25, 5.0]), Some(4.0));
        assert_eq!(median(&mut [4.0, 3.0, 3.5, 5.0]), Some(3.75));
    }
}
