//! Rules on violence exposure that are not deadlines, as data with their source and validity
//! (`data/violence-rules.json`): a referral that reports violence by or against a person
//! close to the child (SE närstående) should lead to an investigation without delay, so a
//! screening that closes it is raised. SOSFS 2014:4 until 2022-10-31, HSLF-FS 2022:39 from
//! 2022-11-01; a new regulation is a new row.

use std::sync::LazyLock;

use barnvern_core::{Finding, Jurisdiction, Severity};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::violence::{ExposureMode, Relation, ViolenceExposure};

/// One rule row: a screening that opens no investigation of a referral reporting violence by
/// or against a närstående is raised with `code` at `severity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ViolenceRule {
    /// Stable identifier (`se.hslf2022_39.violence_not_investigated`).
    pub id: String,
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The regulation (`HSLF-FS 2022:39`).
    pub source: String,
    /// First day in force.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub valid_from: NaiveDate,
    /// Last day in force, if it has ended.
    #[serde(default, deserialize_with = "barnvern_core::rfc3339::de::date_opt")]
    pub valid_to: Option<NaiveDate>,
    /// How serious the finding is.
    pub severity: Severity,
    /// The finding's stable code.
    pub code: String,
    /// The legal source, cited.
    pub citation: String,
    /// Relations that make a perpetrator, or the victim of witnessed violence, närstående.
    pub close_relations: Vec<Relation>,
    /// Whether an exposure with no recorded or an unknown relation counts.
    pub unknown_relation_counts: bool,
}

impl ViolenceRule {
    /// Whether the rule was in force on `date`.
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|to| date <= to)
    }

    /// Whether `exposure` is violence by or against a närstående under this rule: the
    /// perpetrator is close, or (witnessed) the victim is; a relation not recorded or
    /// [`Relation::Unknown`] counts when `unknown_relation_counts` says so. A stranger or a
    /// known person outside the family hitting the child is not.
    pub fn concerns_close_person(&self, exposure: &ViolenceExposure) -> bool {
        let counts = |relation: Option<Relation>| match relation {
            None | Some(Relation::Unknown) => self.unknown_relation_counts,
            Some(r) => self.close_relations.contains(&r),
        };
        let by_close = counts(exposure.perpetrator_relation);
        let against_close = exposure.mode == ExposureMode::Witnessed
            && exposure.victim.is_some()
            && counts(exposure.victim);
        by_close || against_close
    }
}

/// A versioned table of violence rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ViolenceRules {
    /// The table's version.
    pub version: String,
    /// What the table is.
    pub description: String,
    /// The rules.
    pub rules: Vec<ViolenceRule>,
}

static BUILTIN: LazyLock<ViolenceRules> = LazyLock::new(|| {
    // The shipped table is checked by a unit test; an empty table is the fallback, never a
    // panic.
    serde_json::from_str(include_str!("../data/violence-rules.json")).unwrap_or(ViolenceRules {
        version: "invalid".into(),
        description: String::new(),
        rules: Vec::new(),
    })
});

impl ViolenceRules {
    /// The table shipped with barnvern.
    pub fn builtin() -> &'static ViolenceRules {
        &BUILTIN
    }

    /// Reads a table from JSON (for a regulation not yet shipped).
    pub fn from_json(text: &str) -> Result<ViolenceRules, barnvern_core::ValidationError> {
        barnvern_core::json::from_str(text)
    }

    /// The rule of `jurisdiction` in force on `date`, if any.
    pub fn rule_on(&self, jurisdiction: Jurisdiction, date: NaiveDate) -> Option<&ViolenceRule> {
        self.rules
            .iter()
            .find(|r| r.jurisdiction == jurisdiction && r.in_force_on(date))
    }

    /// The finding for a screening decided on `decided_on` that opens no investigation of a
    /// referral with `violence`, if a rule in force raises one. `path` is the screening's
    /// outcome.
    pub fn check_screening(
        &self,
        jurisdiction: Jurisdiction,
        decided_on: NaiveDate,
        violence: &[ViolenceExposure],
        path: String,
    ) -> Option<Finding> {
        let rule = self.rule_on(jurisdiction, decided_on)?;
        violence
            .iter()
            .any(|v| rule.concerns_close_person(v))
            .then(|| {
                Finding::new(
                    rule.severity,
                    path,
                    &rule.code,
                    format!(
                        "the referral reports violence by or against a person close to the child \
                         but the screening opens no investigation ({}; rule {})",
                        rule.citation, rule.id
                    ),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn the_shipped_table_parses_and_its_rows_meet_without_gap_or_overlap() {
        let parsed: ViolenceRules =
            serde_json::from_str(include_str!("../data/violence-rules.json"))
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&parsed, ViolenceRules::builtin());
        let rules = ViolenceRules::builtin();
        let at = |date| {
            rules
                .rule_on(Jurisdiction::Se, date)
                .map(|r| r.source.as_str())
        };
        assert_eq!(at(d(2014, 9, 30)), None);
        assert_eq!(at(d(2014, 10, 1)), Some("SOSFS 2014:4"));
        assert_eq!(at(d(2022, 10, 31)), Some("SOSFS 2014:4"));
        assert_eq!(at(d(2022, 11, 1)), Some("HSLF-FS 2022:39"));
        assert_eq!(at(d(2030, 1, 1)), Some("HSLF-FS 2022:39"));
        assert!(rules.rule_on(Jurisdiction::No, d(2024, 1, 1)).is_none());
    }
}
