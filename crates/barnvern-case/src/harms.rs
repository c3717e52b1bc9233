//! Harms and maltreatment outcomes of the Family Partner trial, derived from the families' case
//! data (CONSORT item 19, harms; the primary outcomes of a maltreatment-prevention trial).
//!
//! They live here because this is where both halves are visible: the case bundle holds the
//! family's child-protection records (referrals, investigations, decisions, interventions) and
//! its trial records (`family_partner`: arm, site, randomisation date, withdrawals). The trial
//! crate sees only the latter.
//!
//! Rules, all counted per family after its randomisation:
//! - **Follow-up** runs from the day after randomisation to `as_of`, or to the day the family
//!   withdrew from the study when earlier (no data are used after it). Family-months are days
//!   of follow-up / 30.4375 (the mean length of a calendar month).
//! - **Harms** (events in follow-up): a new report of concern (a referral received), a new
//!   investigation (started), an emergency decision (SE omedelbart omhändertagande, NO
//!   akuttvedtak: an emergency placement) and a care order (SE vård enligt LVU, NO
//!   omsorgsovertakelse), each decision unless its status on its own date is refused or ended.
//!   A family in several bundles (siblings) counts once, and the same kind of event on the same
//!   day in two of its bundles counts once.
//! - **Maltreatment outcomes** within 6 and 12 months of randomisation (`(randomised,
//!   randomised + N calendar months]`): re-referral (a report of concern received),
//!   substantiated investigation (concluded with measures, an application to the county board
//!   or court, or closed at the party's request although grounds existed), out-of-home
//!   placement (an out-of-home intervention started, or an emergency decision). A family counts
//!   in the denominator when its follow-up covers the whole window, or when the event happened
//!   inside its follow-up (an event seen is an event); each proportion has its 95% Wilson
//!   interval.

use std::collections::{BTreeMap, BTreeSet};

use barnvern_core::dates::add_months;
use barnvern_familypartner::ids::{FamilyRef, TrialId};
use barnvern_familypartner::metrics::Ratio;
use barnvern_familypartner::{Arm, FamilyRecord, SiteCode};
use barnvern_intervention::InterventionGroup;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::case::CaseData;
use crate::decision::{DecisionKind, DecisionStatus};
use crate::investigation::InvestigationConclusion;

/// An event of kind `K` on a date.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Dated<K> {
    /// The kind.
    pub kind: K,
    /// The date.
    pub on: NaiveDate,
}

fn at<K>(kind: K, on: NaiveDate) -> Dated<K> {
    Dated { kind, on }
}

/// The mean length of a calendar month in days (365.25 / 12).
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// A kind of harm after randomisation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum HarmKind {
    /// A new report of concern (SE orosanmälan, NO bekymringsmelding) received.
    ReportOfConcern,
    /// A new investigation (SE utredning, NO undersøkelse) started.
    Investigation,
    /// An emergency decision (SE omedelbart omhändertagande, NO akuttvedtak).
    EmergencyPlacement,
    /// A care order (SE vård enligt LVU, NO omsorgsovertakelse).
    CareOrder,
}

impl HarmKind {
    /// Every kind, in order.
    pub const ALL: [HarmKind; 4] = [
        HarmKind::ReportOfConcern,
        HarmKind::Investigation,
        HarmKind::EmergencyPlacement,
        HarmKind::CareOrder,
    ];
}

/// A maltreatment outcome within a window after randomisation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// A report of concern received.
    ReReferral,
    /// An investigation concluded with grounds for measures.
    SubstantiatedInvestigation,
    /// An out-of-home intervention started, or an emergency decision.
    OutOfHomePlacement,
}

impl OutcomeKind {
    /// Every kind, in order.
    pub const ALL: [OutcomeKind; 3] = [
        OutcomeKind::ReReferral,
        OutcomeKind::SubstantiatedInvestigation,
        OutcomeKind::OutOfHomePlacement,
    ];
}

/// The windows of the maltreatment outcomes, in months after randomisation.
pub const OUTCOME_WINDOWS: [u32; 2] = [6, 12];

/// One family's follow-up and events after randomisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyHarms {
    /// The family.
    pub family: FamilyRef,
    /// The arm.
    pub arm: Arm,
    /// The family's site, where the trial has sites.
    pub site: Option<SiteCode>,
    /// The date of randomisation.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub randomised_on: NaiveDate,
    /// The last day of follow-up: `as_of`, or the study withdrawal when earlier.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub follow_up_until: NaiveDate,
    /// Days of follow-up (after the randomisation day, up to and including the last day).
    pub follow_up_days: u64,
    /// The harms, by date.
    pub harms: Vec<Dated<HarmKind>>,
    /// The outcome events, by date.
    pub outcomes: Vec<Dated<OutcomeKind>>,
}

/// One kind of harm in one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HarmCount {
    /// The kind.
    pub kind: HarmKind,
    /// Events.
    pub events: u64,
    /// Families with at least one event / families randomised to the arm (with its 95% Wilson
    /// interval).
    pub families_with: Ratio,
    /// Events per family-month of follow-up: `events / family_months`; `None` without
    /// follow-up.
    pub rate_per_family_month: Option<f64>,
}

/// The harms of one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArmHarms {
    /// The arm.
    pub arm: Arm,
    /// Families randomised to it (and found in the bundles).
    pub families: u64,
    /// Family-months of follow-up: the families' days of follow-up / 30.4375.
    pub family_months: f64,
    /// Per kind of harm, in [`HarmKind::ALL`] order.
    pub harms: Vec<HarmCount>,
}

/// One maltreatment outcome in one arm within one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArmOutcome {
    /// The arm.
    pub arm: Arm,
    /// The outcome.
    pub kind: OutcomeKind,
    /// The window, in months after randomisation.
    pub months: u32,
    /// Families with the event in the window / families whose status is known for the window,
    /// with its 95% Wilson interval.
    pub proportion: Ratio,
}

/// Harms and maltreatment outcomes of a trial as of a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrialHarms {
    /// The trial.
    pub trial_id: TrialId,
    /// The date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub as_of: NaiveDate,
    /// The site the figures are restricted to, if any.
    pub site: Option<SiteCode>,
    /// Per arm, intervention first.
    pub arms: Vec<ArmHarms>,
    /// Per arm, outcome and window.
    pub outcomes: Vec<ArmOutcome>,
    /// Each family's part, in the order first met.
    pub families: Vec<FamilyHarms>,
}

fn counts_on(status: Option<DecisionStatus>) -> bool {
    !matches!(status, Some(DecisionStatus::RefusedOrEnded))
}

/// An investigation as the harms read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvestigationEvent {
    /// The day it started.
    pub started_on: NaiveDate,
    /// The day it was concluded.
    pub concluded_on: Option<NaiveDate>,
    /// How it was concluded.
    pub conclusion: Option<InvestigationConclusion>,
}

/// A decision as the harms read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecisionEvent {
    /// The day it was made.
    pub decided_on: NaiveDate,
    /// Its kind.
    pub kind: DecisionKind,
    /// Its status on the day it was made (a decision refused or ended that day counts not).
    pub status_on_decision_day: Option<DecisionStatus>,
}

/// One bundle's records as the harms read them: the family's trial record and the dates and
/// kinds of its child-protection events. A case bundle gives them ([`CaseRecords::of_case`]);
/// a research dataset's pseudonymised cases give the same (the report builds them), so both
/// count by the rules of this module.
#[derive(Debug, Clone)]
pub struct CaseRecords<'a> {
    /// The trial.
    pub trial_id: &'a TrialId,
    /// The family's trial record.
    pub family: &'a FamilyRecord,
    /// Days reports of concern were received.
    pub referrals_received: Vec<NaiveDate>,
    /// Investigations.
    pub investigations: Vec<InvestigationEvent>,
    /// Decisions.
    pub decisions: Vec<DecisionEvent>,
    /// Interventions: the day each started, if it did, and its group.
    pub interventions: Vec<(Option<NaiveDate>, InterventionGroup)>,
}

impl<'a> CaseRecords<'a> {
    /// The records of a case bundle with a Family Partner participation.
    pub fn of_case(case: &'a CaseData) -> Option<CaseRecords<'a>> {
        let fp = case.family_partner.as_ref()?;
        Some(CaseRecords {
            trial_id: &fp.trial_id,
            family: &fp.family,
            referrals_received: case.referrals.iter().map(|r| r.received_on()).collect(),
            investigations: case
                .investigations
                .iter()
                .map(|i| InvestigationEvent {
                    started_on: i.started_on,
                    concluded_on: i.concluded_on,
                    conclusion: i.conclusion.as_ref().map(|c| c.code),
                })
                .collect(),
            decisions: case
                .decisions
                .iter()
                .map(|d| DecisionEvent {
                    decided_on: d.decided_on,
                    kind: d.kind,
                    status_on_decision_day: d.status_on(d.decided_on),
                })
                .collect(),
            interventions: case
                .interventions
                .iter()
                .map(|x| (x.started_on, x.intervention_type.code.group()))
                .collect(),
        })
    }

    /// The events in `(after, until]`.
    fn events(
        &self,
        after: NaiveDate,
        until: NaiveDate,
    ) -> (Vec<Dated<HarmKind>>, Vec<Dated<OutcomeKind>>) {
        let inside = |d: NaiveDate| after < d && d <= until;
        let mut harms = Vec::new();
        let mut outcomes = Vec::new();
        for on in self
            .referrals_received
            .iter()
            .copied()
            .filter(|d| inside(*d))
        {
            harms.push(at(HarmKind::ReportOfConcern, on));
            outcomes.push(at(OutcomeKind::ReReferral, on));
        }
        for i in &self.investigations {
            if inside(i.started_on) {
                harms.push(at(HarmKind::Investigation, i.started_on));
            }
            let substantiated = i.conclusion.is_some_and(|c| {
                matches!(
                    c,
                    InvestigationConclusion::Measures
                        | InvestigationConclusion::CountyBoardApplication
                        | InvestigationConclusion::ClosedAtPartyRequest
                )
            });
            if let Some(on) = i.concluded_on.filter(|d| substantiated && inside(*d)) {
                outcomes.push(at(OutcomeKind::SubstantiatedInvestigation, on));
            }
        }
        for d in &self.decisions {
            if !inside(d.decided_on) || !counts_on(d.status_on_decision_day) {
                continue;
            }
            match d.kind {
                DecisionKind::Emergency => {
                    harms.push(at(HarmKind::EmergencyPlacement, d.decided_on));
                    outcomes.push(at(OutcomeKind::OutOfHomePlacement, d.decided_on));
                }
                DecisionKind::CareOrder => harms.push(at(HarmKind::CareOrder, d.decided_on)),
                _ => {}
            }
        }
        for (started, group) in &self.interventions {
            if let Some(on) = started.filter(|d| inside(*d))
                && *group == InterventionGroup::OutOfHome
            {
                outcomes.push(at(OutcomeKind::OutOfHomePlacement, on));
            }
        }
        (harms, outcomes)
    }
}

/// Harms and maltreatment outcomes of trial `trial_id` as of `as_of`, from every bundle in
/// `cases` whose family takes part in it and was randomised by `as_of`; with `site`, only the
/// families of that site. See the module documentation for the rules.
pub fn trial_harms<'a>(
    cases: impl IntoIterator<Item = &'a CaseData>,
    trial_id: &TrialId,
    as_of: NaiveDate,
    site: Option<&SiteCode>,
) -> TrialHarms {
    trial_harms_of(
        cases.into_iter().filter_map(CaseRecords::of_case),
        trial_id,
        as_of,
        site,
    )
}

/// [`trial_harms`] over records read from any source ([`CaseRecords`]).
pub fn trial_harms_of<'a>(
    cases: impl IntoIterator<Item = CaseRecords<'a>>,
    trial_id: &TrialId,
    as_of: NaiveDate,
    site: Option<&SiteCode>,
) -> TrialHarms {
    // Per family: its first record's arm, site, dates, and the union of its bundles' events.
    let mut order: Vec<FamilyRef> = Vec::new();
    let mut found: BTreeMap<FamilyRef, FamilyHarms> = BTreeMap::new();
    let mut harm_sets: BTreeMap<FamilyRef, BTreeSet<Dated<HarmKind>>> = BTreeMap::new();
    let mut outcome_sets: BTreeMap<FamilyRef, BTreeSet<Dated<OutcomeKind>>> = BTreeMap::new();
    for case in cases {
        let f = case.family;
        let Some(a) = f.allocation.as_ref().filter(|a| a.on <= as_of) else {
            continue;
        };
        if case.trial_id != trial_id || site.is_some_and(|s| f.site.as_ref() != Some(s)) {
            continue;
        }
        let entry = found.entry(f.family.clone()).or_insert_with(|| {
            order.push(f.family.clone());
            let until = f
                .study_withdrawn_on()
                .filter(|w| *w < as_of)
                .unwrap_or(as_of)
                .max(a.on);
            FamilyHarms {
                family: f.family.clone(),
                arm: a.arm,
                site: f.site.clone(),
                randomised_on: a.on,
                follow_up_until: until,
                follow_up_days: u64::try_from((until - a.on).num_days()).unwrap_or(0),
                harms: Vec::new(),
                outcomes: Vec::new(),
            }
        });
        let (harms, outcomes) = case.events(entry.randomised_on, entry.follow_up_until);
        harm_sets.entry(f.family.clone()).or_default().extend(harms);
        outcome_sets
            .entry(f.family.clone())
            .or_default()
            .extend(outcomes);
    }
    let families: Vec<FamilyHarms> = order
        .iter()
        .filter_map(|k| {
            let mut f = found.remove(k)?;
            f.harms = harm_sets
                .remove(k)
                .unwrap_or_default()
                .into_iter()
                .collect();
            f.outcomes = outcome_sets
                .remove(k)
                .unwrap_or_default()
                .into_iter()
                .collect();
            f.harms.sort_by_key(|e| (e.on, e.kind));
            f.outcomes.sort_by_key(|e| (e.on, e.kind));
            Some(f)
        })
        .collect();

    let mut arms = Vec::new();
    let mut outcomes = Vec::new();
    for arm in Arm::ALL {
        let in_arm: Vec<&FamilyHarms> = families.iter().filter(|f| f.arm == arm).collect();
        let n = in_arm.len() as u64;
        let days: u64 = in_arm.iter().map(|f| f.follow_up_days).sum();
        // Days of a trial's follow-up are far below 2^53: the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let family_months = days as f64 / DAYS_PER_MONTH;
        let harms = HarmKind::ALL
            .iter()
            .map(|kind| {
                let events = in_arm
                    .iter()
                    .map(|f| f.harms.iter().filter(|e| e.kind == *kind).count() as u64)
                    .sum::<u64>();
                let with = in_arm
                    .iter()
                    .filter(|f| f.harms.iter().any(|e| e.kind == *kind))
                    .count() as u64;
                #[allow(clippy::cast_precision_loss)]
                let rate = (days > 0).then(|| events as f64 / family_months);
                HarmCount {
                    kind: *kind,
                    events,
                    families_with: Ratio::proportion(
                        with,
                        n,
                        "families with the harm",
                        "families randomised",
                    ),
                    rate_per_family_month: rate,
                }
            })
            .collect();
        arms.push(ArmHarms {
            arm,
            families: n,
            family_months,
            harms,
        });
        for kind in OutcomeKind::ALL {
            for months in OUTCOME_WINDOWS {
                let (mut with, mut known) = (0, 0);
                for f in &in_arm {
                    let Some(end) = add_months(f.randomised_on, months) else {
                        continue;
                    };
                    let event = f
                        .outcomes
                        .iter()
                        .any(|e| e.kind == kind && e.on <= end && e.on <= f.follow_up_until);
                    if event {
                        with += 1;
                        known += 1;
                    } else if f.follow_up_until >= end {
                        known += 1;
                    }
                }
                outcomes.push(ArmOutcome {
                    arm,
                    kind,
                    months,
                    proportion: Ratio::proportion(
                        with,
                        known,
                        "families with the outcome in the window",
                        "families followed through the window or with the outcome",
                    ),
                });
            }
        }
    }
    TrialHarms {
        trial_id: trial_id.clone(),
        as_of,
        site: site.cloned(),
        arms,
        outcomes,
        families,
    }
}
