//! Progression criteria as data: a metric, green and amber thresholds, a direction, and for
//! each bound whether it is inclusive. Published criteria mix ">=" and ">", so no bound is
//! implicit: `inclusive` is a required field.

use barnvern_core::{Finding, Findings, ValidationError};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Ratio, adherence, dose_per_phase, retention};
use crate::randomisation::Arm;
use crate::trial::TrialData;

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher values are better: green when at or above (or above) the green bound.
    HigherIsBetter,
    /// Lower values are better: green when at or below (or below) the green bound.
    LowerIsBetter,
}

/// A bound: a value (a proportion from 0 to 1 for the ratios here) and whether a value equal
/// to it passes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// The bound.
    pub value: f64,
    /// Whether a value exactly on the bound passes (`>=`/`<=`) or not (`>`/`<`).
    pub inclusive: bool,
}

impl Threshold {
    /// Whether `value` passes this bound in `direction`.
    pub fn passes(&self, value: f64, direction: Direction) -> bool {
        match (direction, self.inclusive) {
            (Direction::HigherIsBetter, true) => value >= self.value,
            (Direction::HigherIsBetter, false) => value > self.value,
            (Direction::LowerIsBetter, true) => value <= self.value,
            (Direction::LowerIsBetter, false) => value < self.value,
        }
    }

    fn describe(&self, direction: Direction) -> String {
        let op = match (direction, self.inclusive) {
            (Direction::HigherIsBetter, true) => ">=",
            (Direction::HigherIsBetter, false) => ">",
            (Direction::LowerIsBetter, true) => "<=",
            (Direction::LowerIsBetter, false) => "<",
        };
        format!("{op} {}", self.value)
    }
}

/// What a criterion measures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProgressionMetric {
    /// Families randomised / a target number.
    Recruitment {
        /// The target.
        target: u64,
    },
    /// Eligible / assessed families.
    EligibilityRate,
    /// Consenting / eligible families.
    ConsentRate,
    /// Completed / families already due at a wave (randomised, less those whose window is
    /// still open), in one arm or both.
    Retention {
        /// The wave (months from randomisation).
        wave: u32,
        /// The arm; both arms when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        arm: Option<Arm>,
    },
    /// Lost to follow-up or withdrawn / families already due at a wave, in one arm or both
    /// (lower is better).
    LossToFollowUp {
        /// The wave (months from randomisation).
        wave: u32,
        /// The arm; both arms when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        arm: Option<Arm>,
    },
    /// Delivered / expected contacts, in one phase or all.
    Dose {
        /// The phase id; all phases when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        phase: Option<String>,
    },
    /// Delivered / due contacts.
    Adherence,
}

/// One progression criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressionCriterion {
    /// Stable identifier.
    pub id: String,
    /// What it is, in words.
    pub description: String,
    /// The metric.
    pub metric: ProgressionMetric,
    /// Which way is better.
    pub direction: Direction,
    /// Bound for green.
    pub green: Threshold,
    /// Bound for amber (anything that fails it is red).
    pub amber: Threshold,
}

/// A traffic light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// Proceed.
    Green,
    /// Proceed with changes.
    Amber,
    /// Do not proceed unless the problem can be fixed.
    Red,
    /// No value (the denominator is 0).
    NotAvailable,
}

impl ProgressionCriterion {
    /// The light for `value`.
    pub fn light(&self, value: Option<f64>) -> Light {
        match value {
            None => Light::NotAvailable,
            Some(v) if self.green.passes(v, self.direction) => Light::Green,
            Some(v) if self.amber.passes(v, self.direction) => Light::Amber,
            Some(_) => Light::Red,
        }
    }

    /// The rule in words: `green if >= 0.6, amber if >= 0.4, otherwise red`.
    pub fn rule(&self) -> String {
        format!(
            "green if {}, amber if {}, otherwise red",
            self.green.describe(self.direction),
            self.amber.describe(self.direction)
        )
    }

    /// Findings: finite bounds, and green no easier to reach than amber.
    pub fn validate(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        if !self.green.value.is_finite() || !self.amber.value.is_finite() {
            out.push(Finding::error(
                "green",
                "progression.bound",
                "bounds must be finite numbers",
            ));
            return out;
        }
        let (g, a) = (self.green.value, self.amber.value);
        let stricter = match self.direction {
            Direction::HigherIsBetter => g > a,
            Direction::LowerIsBetter => g < a,
        };
        let equal_ok = g == a && (self.amber.inclusive || !self.green.inclusive);
        if !stricter && !equal_ok {
            out.push(Finding::error(
                "green",
                "progression.green_easier_than_amber",
                "the green bound must be at least as hard to reach as the amber bound",
            ));
        }
        if let ProgressionMetric::Recruitment { target: 0 } = self.metric {
            out.push(Finding::error(
                "metric.target",
                "progression.bound",
                "the recruitment target must be at least 1",
            ));
        }
        out
    }
}

/// A versioned set of progression criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressionCriteria {
    /// The set's version.
    pub version: String,
    /// What the set is (the protocol it comes from).
    pub description: String,
    /// The criteria.
    pub criteria: Vec<ProgressionCriterion>,
}

impl ProgressionCriteria {
    /// Reads and checks a set of criteria.
    pub fn from_json(text: &str) -> Result<ProgressionCriteria, ValidationError> {
        let set: ProgressionCriteria = barnvern_core::json::from_str(text)?;
        let mut r = Findings::new();
        for (i, c) in set.criteria.iter().enumerate() {
            r.extend_under(&format!("criteria[{i}]"), c.validate());
        }
        r.into_result()?;
        Ok(set)
    }
}

/// One criterion evaluated. The light judges the point estimate (`ratio.value`); the 95%
/// Wilson interval of a proportion is shown beside it (`ratio.ci95`, `ci_spans`) so a reader
/// sees how sure the light is, but it never changes the light.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressionResult {
    /// The criterion.
    pub criterion_id: String,
    /// The metric's value with its parts (and its 95% interval, for a proportion).
    pub ratio: Ratio,
    /// The lights the interval's two ends would get, lower end first (`[amber, green]`): the
    /// same light twice means the interval lies inside one band. Absent without an interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_spans: Option<[Light; 2]>,
    /// The light.
    pub light: Light,
    /// The rule applied, in words.
    pub rule: String,
}

/// The value of `metric` as of `as_of`.
pub fn metric_value(data: &TrialData, metric: &ProgressionMetric, as_of: NaiveDate) -> Ratio {
    let view = data.as_of(as_of);
    let criteria = &view.programme.eligibility;
    match metric {
        ProgressionMetric::Recruitment { target } => {
            let n = view
                .families
                .iter()
                .filter(|f| f.allocation.is_some())
                .count() as u64;
            Ratio::new(n, *target, "families randomised", "recruitment target")
        }
        ProgressionMetric::EligibilityRate => {
            let verdicts: Vec<_> = view
                .families
                .iter()
                .filter_map(|f| f.eligibility(criteria))
                .collect();
            let eligible = verdicts.iter().filter(|v| v.is_eligible()).count() as u64;
            Ratio::proportion(
                eligible,
                verdicts.len() as u64,
                "families eligible",
                "families assessed",
            )
        }
        ProgressionMetric::ConsentRate => {
            let eligible: Vec<_> = view
                .families
                .iter()
                .filter(|f| f.eligibility(criteria).is_some_and(|e| e.is_eligible()))
                .collect();
            let consented = eligible.iter().filter(|f| f.consented()).count() as u64;
            Ratio::proportion(
                consented,
                eligible.len() as u64,
                "eligible families consenting",
                "families eligible",
            )
        }
        ProgressionMetric::Retention { wave, arm } => {
            let (n, d) = retention(&view, as_of)
                .into_iter()
                .filter(|r| r.wave == *wave && arm.is_none_or(|a| a == r.arm))
                .fold((0, 0), |(n, d), r| {
                    (
                        n + r.retention_among_due.numerator,
                        d + r.retention_among_due.denominator,
                    )
                });
            Ratio::proportion(
                n,
                d,
                "families with completed data",
                "families due at the wave",
            )
        }
        ProgressionMetric::LossToFollowUp { wave, arm } => {
            let flow = super::consort(&view, as_of);
            let (n, d) = flow
                .arms
                .iter()
                .filter(|a| arm.is_none_or(|x| x == a.arm))
                .flat_map(|a| {
                    a.follow_up
                        .iter()
                        .filter(|w| w.wave == *wave)
                        .map(move |w| (w, a.allocated))
                })
                .fold((0, 0), |(n, d), (w, allocated)| {
                    (
                        n + w.lost + w.withdrawn,
                        d + allocated.saturating_sub(w.not_yet_due),
                    )
                });
            Ratio::proportion(
                n,
                d,
                "families lost to follow-up or withdrawn",
                "families due at the wave",
            )
        }
        ProgressionMetric::Dose { phase } => {
            let (n, d) = dose_per_phase(&view, as_of)
                .into_iter()
                .filter(|p| phase.as_ref().is_none_or(|id| *id == p.phase))
                .fold((0, 0), |(n, d), p| {
                    (n + p.dose.numerator, d + p.dose.denominator)
                });
            Ratio::new(n, d, "delivered contacts", "expected contacts")
        }
        ProgressionMetric::Adherence => adherence(&view, as_of),
    }
}

/// Every criterion of `set` evaluated as of `as_of`.
pub fn evaluate(
    set: &ProgressionCriteria,
    data: &TrialData,
    as_of: NaiveDate,
) -> Vec<ProgressionResult> {
    set.criteria
        .iter()
        .map(|c| {
            let ratio = metric_value(data, &c.metric, as_of);
            ProgressionResult {
                criterion_id: c.id.clone(),
                light: c.light(ratio.value),
                ci_spans: ratio
                    .ci95
                    .map(|i| [c.light(Some(i.lower)), c.light(Some(i.upper))]),
                rule: c.rule(),
                ratio,
            }
        })
        .collect()
}
