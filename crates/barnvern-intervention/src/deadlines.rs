//! Evaluation due dates of intervention episodes, from a versioned rule table; never stored.
//!
//! Norway's guideline Q-0982: help measures are evaluated regularly, as a rule every three
//! months (severity: warning). Each evaluation is due one interval after the start or after the
//! previous evaluation (whichever came last); a missed one is reported overdue and the next is
//! counted from its due date. An episode that ends on or before a due date owes no evaluation
//! for it. The shape of [`EvaluationDeadline`] follows `barnvern_case::Deadline`, so the two
//! lists can be joined.

use std::sync::LazyLock;

use barnvern_core::{Jurisdiction, Severity, ValidationError, dates};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::episode::Intervention;
use crate::kind::InterventionGroup;

/// A length of time in days or calendar months (31 January + 1 month = 28/29 February).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Interval {
    /// Calendar days.
    Days(u32),
    /// Calendar months.
    Months(u32),
}

impl Interval {
    /// `start` plus this interval; `None` only past the year 262143.
    pub fn after(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Interval::Days(d) => dates::add_days(start, u64::from(d)),
            Interval::Months(m) => dates::add_months(start, m),
        }
    }
}

/// One evaluation rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationRule {
    /// Stable identifier (`no.q0982.measure_evaluation`).
    pub id: String,
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// First start date the rule applies to.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub in_force_from: NaiveDate,
    /// Last start date the rule applies to, if replaced.
    #[serde(
        deserialize_with = "barnvern_core::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub in_force_to: Option<NaiveDate>,
    /// The intervention groups the rule covers; every group when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<InterventionGroup>>,
    /// How often an evaluation is due.
    pub interval: Interval,
    /// How serious a late or missing evaluation is.
    pub severity: Severity,
    /// The source, cited.
    pub citation: String,
}

/// A versioned table of evaluation rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationRules {
    /// The table's version.
    pub version: String,
    /// What the table is.
    pub description: String,
    /// The rules.
    pub rules: Vec<EvaluationRule>,
}

static BUILTIN: LazyLock<EvaluationRules> = LazyLock::new(|| {
    // Checked by a unit test; an empty table (no deadlines) is the fallback, not a panic.
    serde_json::from_str(include_str!("../data/evaluation-rules.json")).unwrap_or(EvaluationRules {
        version: "invalid".into(),
        description: String::new(),
        rules: Vec::new(),
    })
});

impl EvaluationRules {
    /// The rule table shipped with barnvern (`data/evaluation-rules.json`).
    pub fn builtin() -> &'static EvaluationRules {
        &BUILTIN
    }

    /// Reads a rule table from JSON.
    pub fn from_json(text: &str) -> Result<EvaluationRules, ValidationError> {
        barnvern_core::json::from_str(text)
    }

    /// The rule for an episode of `jurisdiction` started on `started`.
    pub fn rule_for(
        &self,
        jurisdiction: Jurisdiction,
        started: NaiveDate,
    ) -> Option<&EvaluationRule> {
        self.rules.iter().find(|r| {
            r.jurisdiction == jurisdiction
                && r.in_force_from <= started
                && r.in_force_to.is_none_or(|t| started <= t)
        })
    }
}

/// What must be done by an evaluation deadline.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationKind {
    /// Evaluation of a help measure (NO evaluering av hjelpetiltak).
    MeasureEvaluation,
}

impl EvaluationKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EvaluationKind::MeasureEvaluation => "measure_evaluation",
        }
    }
}

/// Where an evaluation deadline stands (the names of `barnvern_case::DeadlineStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationStatus {
    /// Not done yet, not yet due.
    Pending,
    /// Done by the due date.
    Met,
    /// Done, but late.
    Breached,
    /// Not done and past due.
    Overdue,
}

impl EvaluationStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EvaluationStatus::Pending => "pending",
            EvaluationStatus::Met => "met",
            EvaluationStatus::Breached => "breached",
            EvaluationStatus::Overdue => "overdue",
        }
    }
}

/// One evaluation due date of an intervention episode, as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EvaluationDeadline {
    /// What must be done.
    pub kind: EvaluationKind,
    /// The rule applied.
    pub rule_id: String,
    /// The source.
    pub citation: String,
    /// The record it belongs to (`interventions[0]`).
    pub record: String,
    /// That record's id.
    pub record_id: String,
    /// Which evaluation of the episode, from 1.
    pub sequence: u32,
    /// The date the interval runs from (the start, the previous evaluation, or the previous
    /// due date when that one was missed).
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub start: NaiveDate,
    /// The due date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub due: NaiveDate,
    /// The date of the evaluation that met it, if any.
    #[serde(default, deserialize_with = "barnvern_core::rfc3339::de::date_opt")]
    pub completed_on: Option<NaiveDate>,
    /// Where it stands as of `as_of`.
    pub status: EvaluationStatus,
    /// The date the status is computed for.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub as_of: NaiveDate,
    /// How serious a late or missing evaluation is.
    pub severity: Severity,
}

/// Upper bound on deadlines per episode: a guard against a zero-length interval in a user table.
const MAX_CYCLES: u32 = 1000;

/// Every evaluation due date of the episodes of `jurisdiction` as of `as_of`, under `rules`.
/// Episodes not started by `as_of` have none; evaluations after `as_of` or after the end are
/// not counted.
pub fn evaluation_deadlines(
    jurisdiction: Jurisdiction,
    interventions: &[Intervention],
    rules: &EvaluationRules,
    as_of: NaiveDate,
) -> Vec<EvaluationDeadline> {
    let mut out = Vec::new();
    for (i, iv) in interventions.iter().enumerate() {
        let Some(started) = iv.started_on.filter(|s| *s <= as_of) else {
            continue;
        };
        let Some(rule) = rules.rule_for(jurisdiction, started) else {
            continue;
        };
        let group = iv.intervention_type.code.group();
        if rule.groups.as_ref().is_some_and(|g| !g.contains(&group)) {
            continue;
        }
        let last_day = iv.ended_on.map_or(as_of, |e| e.min(as_of));
        let mut evaluations: Vec<NaiveDate> = iv
            .evaluations
            .iter()
            .map(|e| e.on)
            .filter(|d| *d <= last_day)
            .collect();
        evaluations.sort();
        let mut anchor = started;
        for sequence in 1..=MAX_CYCLES {
            let Some(due) = rule.interval.after(anchor) else {
                break;
            };
            let completed_on = first_after(&evaluations, anchor);
            // A zero-length interval in a user table would never advance.
            if due <= anchor {
                break;
            }
            // An episode that ends on or before the due date owes no evaluation for it
            // (evaluations after the end are not counted, so one in time is always <= due).
            if iv.ended_on.is_some_and(|e| e <= due) && completed_on.is_none() {
                break;
            }
            let status = match completed_on {
                Some(c) if c <= due => EvaluationStatus::Met,
                Some(_) => EvaluationStatus::Breached,
                None if as_of <= due => EvaluationStatus::Pending,
                None => EvaluationStatus::Overdue,
            };
            out.push(EvaluationDeadline {
                kind: EvaluationKind::MeasureEvaluation,
                rule_id: rule.id.clone(),
                citation: rule.citation.clone(),
                record: format!("interventions[{i}]"),
                record_id: iv.id.as_str().to_owned(),
                sequence,
                start: anchor,
                due,
                completed_on,
                status,
                as_of,
                severity: rule.severity,
            });
            anchor = match (status, completed_on) {
                (EvaluationStatus::Pending, _) => break,
                (_, Some(c)) => c,
                (_, None) => due,
            };
        }
    }
    out
}

/// The first evaluation strictly after `anchor`.
fn first_after(evaluations: &[NaiveDate], anchor: NaiveDate) -> Option<NaiveDate> {
    evaluations.iter().copied().find(|d| *d > anchor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_parses() {
        let parsed: EvaluationRules =
            serde_json::from_str(include_str!("../data/evaluation-rules.json")).unwrap();
        assert_eq!(&parsed, EvaluationRules::builtin());
        let day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        assert!(
            EvaluationRules::builtin()
                .rule_for(Jurisdiction::No, day)
                .is_some()
        );
        assert!(
            EvaluationRules::builtin()
                .rule_for(Jurisdiction::Se, day)
                .is_none()
        );
    }
}
