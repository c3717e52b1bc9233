//! Statutory deadlines, computed from dates and a versioned rule table; never stored.
//!
//! The rules are data ([`DeadlineRules`], shipped as `data/deadline-rules.json`): each row names
//! a jurisdiction, the main act it belongs to, what must be done, the period, how it may be
//! extended and the citation. The row that applies is the one whose act was in force on the
//! date the referral was received. A new law is a new row.

use std::sync::LazyLock;

use barnvern_core::{Finding, Jurisdiction, Law, Severity, dates};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::case::CaseData;
use crate::investigation::Investigation;
use crate::referral::Referral;

/// What must be done by a deadline.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// SE skyddsbedömning, from the receipt of a referral.
    ProtectionAssessment,
    /// SE förhandsbedömning, NO gjennomgang av melding, from the receipt of a referral.
    Screening,
    /// SE utredning, NO undersøkelse: SE from the start of the investigation, NO from the end
    /// of the report review (the rule row's [`PeriodStart`] says which).
    Investigation,
    /// NO: regular evaluation of a help measure (guideline Q-0982; a warning, not a statute).
    MeasureEvaluation,
}

impl DeadlineKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::ProtectionAssessment => "protection_assessment",
            DeadlineKind::Screening => "screening",
            DeadlineKind::Investigation => "investigation",
            DeadlineKind::MeasureEvaluation => "measure_evaluation",
        }
    }
}

/// A length of time in days or calendar months (31 January + 1 month = 28/29 February).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Period {
    /// Calendar days.
    Days(u32),
    /// Calendar months.
    Months(u32),
}

impl Period {
    /// "7 days", "6 months".
    pub fn describe(self) -> String {
        match self {
            Period::Days(1) => "1 day".to_owned(),
            Period::Days(d) => format!("{d} days"),
            Period::Months(1) => "1 month".to_owned(),
            Period::Months(m) => format!("{m} months"),
        }
    }

    /// `start` plus this period; `None` only past the year 262143.
    pub fn after(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Period::Days(d) => dates::add_days(start, u64::from(d)),
            Period::Months(m) => dates::add_months(start, m),
        }
    }
}

/// What a deadline's period counts from: data in each rule row, so a law that moves the
/// anchor is a new row, not new code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PeriodStart {
    /// The local date the referral was received.
    Receipt,
    /// The investigation's recorded start (SE utredning, SoL 11 kap. 2 §).
    InvestigationStart,
    /// The end of the review of the report (NO gjennomgang, bvl. 2021 § 2-2 with § 2-1): the
    /// date the review concluded, and at the latest the receipt plus `at_latest`, so a review
    /// concluded late (or an investigation recorded as started later) gains no time. Counted
    /// from the earliest referral the investigation covers; an investigation with no referral
    /// (the service's own initiative) counts from its start.
    ReviewEnd {
        /// The review's own time limit (NO: 7 days).
        at_latest: Period,
    },
}

/// What a deadline's start date actually is, case by case (the `start_basis` of the deadlines
/// table).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StartBasis {
    /// The local receipt date of the referral.
    Receipt,
    /// The investigation's recorded start.
    InvestigationStart,
    /// The date the review of the report concluded (within its own time limit).
    ReviewConcluded,
    /// The review's time limit (receipt + 7 days in Norway): the review concluded later, or
    /// no review is recorded.
    ReviewLimit,
    /// The start of the measure (evaluation deadlines).
    MeasureStart,
}

impl StartBasis {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            StartBasis::Receipt => "receipt",
            StartBasis::InvestigationStart => "investigation_start",
            StartBasis::ReviewConcluded => "review_concluded",
            StartBasis::ReviewLimit => "review_limit",
            StartBasis::MeasureStart => "measure_start",
        }
    }
}

/// How a deadline may be extended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ExtensionRule {
    /// It may not.
    None,
    /// It may be exceeded when the reasons are recorded (SE förhandsbedömning: synnerliga skäl).
    RecordedReasons,
    /// By a decision setting a new due date, with no upper limit in the law.
    ByDecision,
    /// By a decision setting a new due date no later than this period after the start.
    ByDecisionUpTo(Period),
}

/// One statutory deadline rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    /// Stable identifier (`se.sol2001.screening`).
    pub id: String,
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The main act this rule belongs to; the rule applies when that act was in force on the
    /// receipt date.
    pub law: Law,
    /// What must be done.
    pub kind: DeadlineKind,
    /// What the period counts from.
    pub start: PeriodStart,
    /// How long after the start.
    pub period: Period,
    /// How the deadline may be extended.
    pub extension: ExtensionRule,
    /// How serious a breach is.
    pub severity: Severity,
    /// The legal source, cited.
    pub citation: String,
}

/// A versioned table of deadline rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRules {
    /// The table's version.
    pub version: String,
    /// What the table is.
    pub description: String,
    /// The rules.
    pub rules: Vec<DeadlineRule>,
}

static BUILTIN: LazyLock<DeadlineRules> = LazyLock::new(|| {
    // The shipped table is checked by a unit test; an unreadable one would be a build defect,
    // and an empty table (no deadlines) is the safe fallback rather than a panic.
    serde_json::from_str(include_str!("../data/deadline-rules.json")).unwrap_or(DeadlineRules {
        version: "invalid".into(),
        description: String::new(),
        rules: Vec::new(),
    })
});

impl DeadlineRules {
    /// The rule table shipped with barnvern.
    pub fn builtin() -> &'static DeadlineRules {
        &BUILTIN
    }

    /// Reads a rule table from JSON (for a law change not yet shipped).
    pub fn from_json(text: &str) -> Result<DeadlineRules, barnvern_core::ValidationError> {
        barnvern_core::json::from_str(text)
    }

    /// The rule of `kind` for a referral received on `received` in `jurisdiction`.
    pub fn rule_for(
        &self,
        jurisdiction: Jurisdiction,
        kind: DeadlineKind,
        received: NaiveDate,
    ) -> Option<&DeadlineRule> {
        let law = Law::main_act_on(jurisdiction, received)?;
        self.rules
            .iter()
            .find(|r| r.jurisdiction == jurisdiction && r.kind == kind && r.law == law)
    }
}

/// Where a deadline stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// Not done yet, not yet due.
    Pending,
    /// Done by the due date.
    Met,
    /// Done after the statutory due date but within an extension.
    MetAfterExtension,
    /// Done, but late.
    Breached,
    /// Not done and past due.
    Overdue,
}

impl DeadlineStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineStatus::Pending => "pending",
            DeadlineStatus::Met => "met",
            DeadlineStatus::MetAfterExtension => "met_after_extension",
            DeadlineStatus::Breached => "breached",
            DeadlineStatus::Overdue => "overdue",
        }
    }
}

/// One statutory deadline of a case, as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Deadline {
    /// What must be done.
    pub kind: DeadlineKind,
    /// The rule applied.
    pub rule_id: String,
    /// The legal source.
    pub citation: String,
    /// The record the deadline belongs to (`referrals[0]`, `investigations[1]`).
    pub record: String,
    /// That record's id.
    pub record_id: String,
    /// Which deadline of a recurring kind (the n-th evaluation of a measure), from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u32>,
    /// The date the period starts from (see `start_basis`).
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub start: NaiveDate,
    /// What `start` is: receipt, investigation start, end of the report review, ...
    pub start_basis: StartBasis,
    /// The statutory due date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub due: NaiveDate,
    /// The due date after an extension decided in time, if any. An extension decided after
    /// the due date it would extend has passed cures nothing and is left out here (it stays in
    /// the case, with the warning `deadline.extension_too_late`).
    #[serde(default, deserialize_with = "barnvern_core::rfc3339::de::date_opt")]
    pub extended_due: Option<NaiveDate>,
    /// The date it was done, if it was.
    #[serde(default, deserialize_with = "barnvern_core::rfc3339::de::date_opt")]
    pub completed_on: Option<NaiveDate>,
    /// Where it stands as of `as_of`.
    pub status: DeadlineStatus,
    /// The date the status is computed for.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub as_of: NaiveDate,
    /// How serious a breach is.
    pub severity: Severity,
}

fn status(
    due: NaiveDate,
    extended_due: Option<NaiveDate>,
    completed: Option<NaiveDate>,
    as_of: NaiveDate,
    late_but_excused: bool,
) -> DeadlineStatus {
    match completed {
        Some(c) if c <= due => DeadlineStatus::Met,
        Some(c) if extended_due.is_some_and(|e| c <= e) || late_but_excused => {
            DeadlineStatus::MetAfterExtension
        }
        Some(_) => DeadlineStatus::Breached,
        None if as_of <= extended_due.unwrap_or(due).max(due) => DeadlineStatus::Pending,
        None => DeadlineStatus::Overdue,
    }
}

/// The referrals an investigation covers: those it names and the one its screening reviewed.
fn covered_referrals<'a>(
    case: &'a CaseData,
    inv: &'a Investigation,
) -> impl Iterator<Item = &'a Referral> + 'a {
    let via_screening = inv
        .screening_id
        .as_ref()
        .and_then(|sid| case.screenings.iter().find(|s| &s.id == sid))
        .map(|s| &s.referral_id);
    case.referrals
        .iter()
        .filter(move |r| inv.referral_ids.contains(&r.id) || via_screening == Some(&r.id))
}

/// The receipt date that decides the law of an investigation: its earliest referral (directly
/// or through its screening); an investigation with neither starts its own clock.
fn investigation_received(case: &CaseData, inv: &Investigation) -> NaiveDate {
    covered_referrals(case, inv)
        .map(|r| r.received_on())
        .min()
        .unwrap_or(inv.started_on)
}

/// The date an investigation's period counts from under `rule`, and what that date is.
///
/// For [`PeriodStart::ReviewEnd`] each covered referral gives the date its review concluded
/// (its earliest screening), or the review's time limit when it concluded later or not at all;
/// the earliest of these is the start. `None` only past the year 262143.
pub fn investigation_start(
    case: &CaseData,
    inv: &Investigation,
    rule: &DeadlineRule,
) -> Option<(NaiveDate, StartBasis)> {
    match rule.start {
        PeriodStart::Receipt => Some((investigation_received(case, inv), StartBasis::Receipt)),
        PeriodStart::InvestigationStart => Some((inv.started_on, StartBasis::InvestigationStart)),
        PeriodStart::ReviewEnd { at_latest } => {
            let mut best: Option<(NaiveDate, StartBasis)> = None;
            for referral in covered_referrals(case, inv) {
                let limit = at_latest.after(referral.received_on())?;
                let concluded = case
                    .screenings
                    .iter()
                    .filter(|s| s.referral_id == referral.id)
                    .map(|s| s.decided_on)
                    .min();
                let candidate = match concluded {
                    Some(c) if c <= limit => (c, StartBasis::ReviewConcluded),
                    _ => (limit, StartBasis::ReviewLimit),
                };
                if best.is_none_or(|(b, _)| candidate.0 < b) {
                    best = Some(candidate);
                }
            }
            Some(best.unwrap_or((inv.started_on, StartBasis::InvestigationStart)))
        }
    }
}

/// The statutory due date of an investigation's period and the latest due date an extension
/// may set under the rule in force (NO: 3 and 6 months from the end of the review; `None` for
/// the latter where the act sets no upper limit or allows no extension). For readers of
/// formats that record whether an extension was granted but not its new due date (SSB).
pub fn investigation_period(
    case: &CaseData,
    inv: &Investigation,
) -> Option<(NaiveDate, Option<NaiveDate>)> {
    let received = investigation_received(case, inv);
    let rule = DeadlineRules::builtin().rule_for(
        case.jurisdiction,
        DeadlineKind::Investigation,
        received,
    )?;
    let (start, _) = investigation_start(case, inv, rule)?;
    let due = rule.period.after(start)?;
    let cap = match rule.extension {
        ExtensionRule::ByDecisionUpTo(limit) => limit.after(start),
        _ => None,
    };
    Some((due, cap))
}

/// The extensions of an investigation that count, in recorded order: each must be decided no
/// later than the due date it extends (the statutory one, then the one set by the last
/// extension that counted). Returns the due date they set, if any, and the positions of the
/// extensions decided too late, which cure nothing (SE SoL 11 kap. 2 §, NO bvl. § 2-2: an
/// extension is decided while the period runs).
pub fn effective_extension(inv: &Investigation, due: NaiveDate) -> (Option<NaiveDate>, Vec<usize>) {
    let mut current = due;
    let mut extended = None;
    let mut late = Vec::new();
    for (j, ext) in inv.extensions.iter().enumerate() {
        // A refused application (NO UtvidetFrist not granted) extends nothing.
        if ext.granted == Some(false) {
            continue;
        }
        if ext.decided_on <= current {
            current = ext.new_due;
            extended = Some(ext.new_due);
        } else {
            late.push(j);
        }
    }
    (extended, late)
}

/// Findings on an investigation's extensions against its deadline rule: an extension decided
/// after the due date had passed (a warning: it stays in the data, but the deadline reads
/// breached or overdue), and one beyond what the rule allows (an error: NO at most 6 months
/// from the same start as the period; none where the rule allows no extension by decision).
/// Paths are relative to the investigation.
pub(crate) fn check_extensions(case: &CaseData, inv: &Investigation) -> Vec<Finding> {
    let mut out = Vec::new();
    if inv.extensions.is_empty() {
        return out;
    }
    let received = investigation_received(case, inv);
    let Some(rule) =
        DeadlineRules::builtin().rule_for(case.jurisdiction, DeadlineKind::Investigation, received)
    else {
        return out;
    };
    let Some((start, _)) = investigation_start(case, inv, rule) else {
        return out;
    };
    match rule.extension {
        ExtensionRule::None | ExtensionRule::RecordedReasons => {
            out.push(Finding::error(
                "extensions",
                "deadline.extension_not_allowed",
                format!("{} allows no extension by decision", rule.citation),
            ));
            return out;
        }
        ExtensionRule::ByDecision | ExtensionRule::ByDecisionUpTo(_) => {}
    }
    if let Some(due) = rule.period.after(start) {
        for j in effective_extension(inv, due).1 {
            out.push(Finding::warning(
                format!("extensions[{j}].decided_on"),
                "deadline.extension_too_late",
                format!(
                    "the extension was decided after the due date it would extend had passed, \
                     so it cures nothing: an extension must be decided while the period runs ({})",
                    rule.citation
                ),
            ));
        }
    }
    if let ExtensionRule::ByDecisionUpTo(limit) = rule.extension
        && let Some(cap) = limit.after(start)
    {
        for (j, ext) in inv.extensions.iter().enumerate() {
            if ext.new_due > cap && ext.granted != Some(false) {
                out.push(Finding::error(
                    format!("extensions[{j}].new_due"),
                    "deadline.extension_too_long",
                    format!(
                        "{} allows an extension to at most {} from the start of the period \
                         ({start}), that is {cap}",
                        rule.citation,
                        limit.describe()
                    ),
                ));
            }
        }
    }
    out
}

/// Every statutory deadline of `case` as of `as_of`, under `rules`, followed by the evaluation
/// dates of its Norwegian help measures (guideline Q-0982), which follow the evaluation rule
/// table of `barnvern-intervention`.
pub fn deadlines(case: &CaseData, rules: &DeadlineRules, as_of: NaiveDate) -> Vec<Deadline> {
    let mut out = Vec::new();
    let make = |kind: DeadlineKind,
                rule: &DeadlineRule,
                record: String,
                record_id: &str,
                start: NaiveDate,
                start_basis: StartBasis,
                extended_due: Option<NaiveDate>,
                completed_on: Option<NaiveDate>,
                excused: bool|
     -> Option<Deadline> {
        let due = rule.period.after(start)?;
        Some(Deadline {
            kind,
            rule_id: rule.id.clone(),
            citation: rule.citation.clone(),
            record,
            record_id: record_id.to_owned(),
            sequence: None,
            start,
            start_basis,
            due,
            extended_due,
            completed_on,
            status: status(due, extended_due, completed_on, as_of, excused),
            as_of,
            severity: rule.severity,
        })
    };
    for (i, referral) in case.referrals.iter().enumerate() {
        let received = referral.received_on();
        if let Some(rule) = rules.rule_for(
            case.jurisdiction,
            DeadlineKind::ProtectionAssessment,
            received,
        ) {
            let done = case
                .protection_assessments
                .iter()
                .filter(|a| a.referral_id == referral.id)
                .map(|a| a.assessed_on())
                .min();
            out.extend(make(
                rule.kind,
                rule,
                format!("referrals[{i}]"),
                referral.id.as_str(),
                received,
                StartBasis::Receipt,
                None,
                done,
                false,
            ));
        }
        if let Some(rule) = rules.rule_for(case.jurisdiction, DeadlineKind::Screening, received) {
            let screening = case
                .screenings
                .iter()
                .find(|s| s.referral_id == referral.id);
            let excused = rule.extension == ExtensionRule::RecordedReasons
                && screening.is_some_and(|s| {
                    s.extraordinary_reasons
                        .as_deref()
                        .is_some_and(|t| !t.trim().is_empty())
                });
            out.extend(make(
                rule.kind,
                rule,
                format!("referrals[{i}]"),
                referral.id.as_str(),
                received,
                StartBasis::Receipt,
                None,
                screening.map(|s| s.decided_on),
                excused,
            ));
        }
    }
    for (i, inv) in case.investigations.iter().enumerate() {
        let received = investigation_received(case, inv);
        let Some(rule) = rules.rule_for(case.jurisdiction, DeadlineKind::Investigation, received)
        else {
            continue;
        };
        let Some((start, basis)) = investigation_start(case, inv, rule) else {
            continue;
        };
        let extended = match (rule.extension, rule.period.after(start)) {
            (ExtensionRule::ByDecision | ExtensionRule::ByDecisionUpTo(_), Some(due)) => {
                effective_extension(inv, due).0
            }
            _ => None,
        };
        out.extend(make(
            rule.kind,
            rule,
            format!("investigations[{i}]"),
            inv.id.as_str(),
            start,
            basis,
            extended,
            inv.concluded_on,
            false,
        ));
    }
    out.extend(
        barnvern_intervention::evaluation_deadlines(
            case.jurisdiction,
            &case.interventions,
            barnvern_intervention::EvaluationRules::builtin(),
            as_of,
        )
        .into_iter()
        .map(|e| Deadline {
            kind: DeadlineKind::MeasureEvaluation,
            rule_id: e.rule_id,
            citation: e.citation,
            record: e.record,
            record_id: e.record_id,
            sequence: Some(e.sequence),
            start: e.start,
            start_basis: StartBasis::MeasureStart,
            due: e.due,
            extended_due: None,
            completed_on: e.completed_on,
            status: match e.status {
                barnvern_intervention::EvaluationStatus::Pending => DeadlineStatus::Pending,
                barnvern_intervention::EvaluationStatus::Met => DeadlineStatus::Met,
                barnvern_intervention::EvaluationStatus::Breached => DeadlineStatus::Breached,
                barnvern_intervention::EvaluationStatus::Overdue => DeadlineStatus::Overdue,
            },
            as_of: e.as_of,
            severity: e.severity,
        }),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn builtin_table_parses_and_covers_every_main_act() {
        let parsed: DeadlineRules =
            serde_json::from_str(include_str!("../data/deadline-rules.json")).unwrap();
        assert_eq!(&parsed, DeadlineRules::builtin());
        for (j, date) in [
            (Jurisdiction::Se, d(2025, 6, 30)),
            (Jurisdiction::Se, d(2025, 7, 1)),
            (Jurisdiction::No, d(2022, 12, 31)),
            (Jurisdiction::No, d(2023, 1, 1)),
        ] {
            assert!(
                DeadlineRules::builtin()
                    .rule_for(j, DeadlineKind::Screening, date)
                    .is_some()
            );
            assert!(
                DeadlineRules::builtin()
                    .rule_for(j, DeadlineKind::Investigation, date)
                    .is_some()
            );
        }
        assert!(
            DeadlineRules::builtin()
                .rule_for(
                    Jurisdiction::No,
                    DeadlineKind::ProtectionAssessment,
                    d(2024, 1, 1)
                )
                .is_none()
        );
    }

    #[test]
    fn status_covers_each_case() {
        let due = d(2024, 3, 15);
        let ext = Some(d(2024, 4, 15));
        assert_eq!(
            status(due, None, Some(due), due, false),
            DeadlineStatus::Met
        );
        assert_eq!(
            status(due, ext, Some(d(2024, 4, 15)), due, false),
            DeadlineStatus::MetAfterExtension
        );
        assert_eq!(
            status(due, ext, Some(d(2024, 4, 16)), due, false),
            DeadlineStatus::Breached
        );
        assert_eq!(
            status(due, None, Some(d(2024, 3, 16)), due, false),
            DeadlineStatus::Breached
        );
        assert_eq!(
            status(due, None, Some(d(2024, 3, 16)), due, true),
            DeadlineStatus::MetAfterExtension
        );
        assert_eq!(status(due, None, None, due, false), DeadlineStatus::Pending);
        assert_eq!(
            status(due, None, None, d(2024, 3, 16), false),
            DeadlineStatus::Overdue
        );
        assert_eq!(
            status(due, ext, None, d(2024, 3, 16), false),
            DeadlineStatus::Pending
        );
    }
}
