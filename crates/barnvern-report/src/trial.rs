//! The Family Partner trial: CONSORT flow, dose per phase, retention per wave per arm,
//! progression criteria, SDQ change from baseline to 12 months, harms and maltreatment outcomes
//! per arm, and cost per family.
//!
//! Every metric is computed by `barnvern-familypartner` ([`metrics`]); this module only puts
//! its counts into one suppression problem per trial (the flow, retention and the criteria
//! share counts, so one count is withheld everywhere or nowhere) and lays them out.

use std::collections::BTreeMap;

use barnvern_familypartner::metrics::progression::metric_value;
use barnvern_familypartner::metrics::{
    self, ConsortFlow, ExclusionReason, FlowReason, FlowReasonCount, Light, ProgressionCriteria,
    ProgressionMetric,
};
use barnvern_familypartner::{Arm, EnrolmentEnd, TrialData};
use chrono::NaiveDate;

use crate::model::{
    Cell, Chart, Column, ConsortBox, ConsortDiagram, GroupedBars, LightCell, Section, Table,
};
use crate::suppress::{CellId, Count, Figure, Fraction, Suppressed, Suppressor};
use barnvern_case::harms::{HarmKind, OutcomeKind, TrialHarms};

/// What a family adds beyond its trial record: its SDQ totals and its costs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FamilyOutcomes {
    /// The arm, once randomised.
    pub arm: Option<Arm>,
    /// Parent-report SDQ total difficulties at baseline (wave 0).
    pub sdq_baseline: Option<f64>,
    /// Parent-report SDQ total difficulties at 12 months.
    pub sdq_12m: Option<f64>,
    /// The family's costs, when it has any.
    pub cost: Option<FamilyCost>,
    /// Whether the family completed the programme (enrolment ended as completed).
    pub completed: bool,
}

/// A family's costs.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyCost {
    /// Staff and travel cost.
    pub total: f64,
    /// Delivered contacts.
    pub contacts_delivered: u64,
    /// ISO 4217 currency.
    pub currency: String,
    /// Price year.
    pub price_year: i32,
}

/// One trial's input to the report.
#[derive(Debug, Clone)]
pub struct TrialInput {
    /// The trial's data (families rebuilt from the dataset).
    pub data: TrialData,
    /// Each family's outcomes and costs.
    pub outcomes: Vec<FamilyOutcomes>,
    /// Harms and maltreatment outcomes after randomisation, derived from the families' case
    /// records (`barnvern_case::harms`); `None` leaves the section out.
    pub harms: Option<barnvern_case::harms::TrialHarms>,
}

/// The progression criteria in use and where they come from.
#[derive(Debug, Clone)]
pub struct Criteria {
    /// The set.
    pub set: ProgressionCriteria,
    /// Where it comes from, in words.
    pub source: String,
}

/// Whether a family completed the programme as of `as_of`: its enrolment ended as completed.
pub fn completed(f: &barnvern_familypartner::FamilyRecord, as_of: NaiveDate) -> bool {
    f.enrolment.as_ref().is_some_and(|e| {
        e.end == Some(EnrolmentEnd::Completed) && e.ended_on.is_some_and(|d| d <= as_of)
    })
}

fn reason_label(r: ExclusionReason) -> &'static str {
    match r {
        ExclusionReason::ChildTooOld => "not eligible: child too old",
        ExclusionReason::NoChildWelfareServices => "not eligible: no child-welfare services",
        ExclusionReason::OtherIneligibility => "not eligible: other reason",
        ExclusionReason::DeclinedConsent => "declined to take part",
        ExclusionReason::WithdrewBeforeRandomisation => "withdrew before randomisation",
    }
}

fn arm_label(a: Arm) -> &'static str {
    match a {
        Arm::Intervention => "Family Partner",
        Arm::Control => "ordinary services",
    }
}

/// The cells of the CONSORT flow, keyed so that retention and the criteria reuse them.
struct FlowCells {
    approached: CellId,
    assessed: CellId,
    excluded: CellId,
    reasons: Vec<(ExclusionReason, CellId)>,
    awaiting: CellId,
    randomised: CellId,
    arms: Vec<ArmCells>,
}

struct ArmCells {
    arm: Arm,
    allocated: CellId,
    received: CellId,
    not_received: CellId,
    discontinued: CellId,
    /// Not received and discontinued, by reason (CONSORT 13b).
    not_received_reasons: Vec<(FlowReason, CellId)>,
    discontinued_reasons: Vec<(FlowReason, CellId)>,
    /// Per wave: month, completed, partial, lost, withdrawn, not yet due, lost or withdrawn.
    waves: Vec<(u32, [CellId; 6])>,
    analysed: CellId,
}

fn flow_cells(s: &mut Suppressor, flow: &ConsortFlow, primary_wave: u32) -> FlowCells {
    let approached = s.cell("approached", flow.approached);
    let assessed = s.cell("assessed", flow.assessed);
    let not_assessed = s.cell(
        "not_assessed",
        flow.approached.saturating_sub(flow.assessed),
    );
    s.sum(approached, &[assessed, not_assessed]);
    let reasons: Vec<(ExclusionReason, CellId)> = flow
        .excluded_by_reason
        .iter()
        .map(|e| {
            (
                e.reason,
                s.cell(format!("excluded/{:?}", e.reason), e.families),
            )
        })
        .collect();
    let excluded = s.cell("excluded", flow.excluded);
    let parts: Vec<CellId> = reasons.iter().map(|(_, c)| *c).collect();
    s.sum(excluded, &parts);
    let ineligible_parts: Vec<CellId> = reasons
        .iter()
        .filter(|(r, _)| {
            matches!(
                r,
                ExclusionReason::ChildTooOld
                    | ExclusionReason::NoChildWelfareServices
                    | ExclusionReason::OtherIneligibility
            )
        })
        .map(|(_, c)| *c)
        .collect();
    s.total("ineligible", &ineligible_parts);
    let awaiting = s.cell("awaiting", flow.awaiting_randomisation);
    let randomised = s.cell("randomised", flow.randomised);
    s.sum(assessed, &[excluded, awaiting, randomised]);
    let mut arms = Vec::new();
    for a in &flow.arms {
        let k = a.arm.as_str();
        let allocated = s.cell(format!("arm/{k}/allocated"), a.allocated);
        let received = s.cell(format!("arm/{k}/received"), a.received);
        let not_received = s.cell(format!("arm/{k}/not_received"), a.not_received);
        s.sum(allocated, &[received, not_received]);
        let discontinued = s.cell(format!("arm/{k}/discontinued"), a.discontinued);
        let mut reasons_of = |what: &str, total: CellId, counts: &[FlowReasonCount]| {
            let cells: Vec<(FlowReason, CellId)> = counts
                .iter()
                .map(|r| {
                    let key = format!("arm/{k}/{what}/{:?}", r.reason);
                    (r.reason, s.cell(key, r.families))
                })
                .collect();
            let parts: Vec<CellId> = cells.iter().map(|(_, c)| *c).collect();
            if !parts.is_empty() {
                s.sum(total, &parts);
            }
            cells
        };
        let not_received_reasons =
            reasons_of("not_received", not_received, &a.not_received_by_reason);
        let discontinued_reasons =
            reasons_of("discontinued", discontinued, &a.discontinued_by_reason);
        let mut waves = Vec::new();
        let mut analysed = None;
        for w in &a.follow_up {
            let key = |what: &str| format!("arm/{k}/wave/{}/{what}", w.wave);
            let completed = s.cell(key("completed"), w.completed);
            let partial = s.cell(key("partial"), w.partial);
            let lost = s.cell(key("lost"), w.lost);
            let withdrawn = s.cell(key("withdrawn"), w.withdrawn);
            let not_yet = s.cell(key("not_yet_due"), w.not_yet_due);
            let lost_or_withdrawn = s.total(key("lost_or_withdrawn"), &[lost, withdrawn]);
            s.sum(allocated, &[completed, partial, lost, withdrawn, not_yet]);
            s.sum(allocated, &[completed, partial, lost_or_withdrawn, not_yet]);
            if w.wave == primary_wave {
                analysed = Some(s.total(format!("arm/{k}/analysed"), &[completed, partial]));
            }
            waves.push((
                w.wave,
                [
                    completed,
                    partial,
                    lost,
                    withdrawn,
                    not_yet,
                    lost_or_withdrawn,
                ],
            ));
        }
        let analysed = analysed.unwrap_or_else(|| s.cell(format!("arm/{k}/analysed"), a.analysed));
        arms.push(ArmCells {
            arm: a.arm,
            allocated,
            received,
            not_received,
            discontinued,
            not_received_reasons,
            discontinued_reasons,
            waves,
            analysed,
        });
    }
    let allocated: Vec<CellId> = arms.iter().map(|a| a.allocated).collect();
    s.sum(randomised, &allocated);
    // Both arms together, per wave (used by criteria without an arm).
    let months: Vec<u32> = arms
        .first()
        .map(|a| a.waves.iter().map(|(m, _)| *m).collect())
        .unwrap_or_default();
    for (i, m) in months.iter().enumerate() {
        for (slot, what) in [(0, "completed"), (5, "lost_or_withdrawn")] {
            let parts: Vec<CellId> = arms
                .iter()
                .filter_map(|a| a.waves.get(i).map(|w| w.1[slot]))
                .collect();
            s.total(format!("wave/{m}/{what}"), &parts);
        }
    }
    FlowCells {
        approached,
        assessed,
        excluded,
        reasons,
        awaiting,
        randomised,
        arms,
    }
}

/// The cells of a criterion's numerator and denominator (a target is shown as it is).
enum Den {
    Cell(CellId),
    Target(u64),
}

fn criterion_cells(
    s: &mut Suppressor,
    data: &TrialData,
    metric: &ProgressionMetric,
    as_of: NaiveDate,
) -> (CellId, Den, metrics::Ratio) {
    let r = metric_value(data, metric, as_of);
    let (n, d) = (r.numerator, r.denominator);
    let arm_or_both = |arm: &Option<Arm>, wave: u32, what: &str| match arm {
        Some(a) => format!("arm/{}/wave/{wave}/{what}", a.as_str()),
        None => format!("wave/{wave}/{what}"),
    };
    // Families already due at the wave (all but those not yet due): the denominator of
    // retention and loss criteria. Made only for the waves a criterion names, since every sum
    // a report registers can force more cells to be withheld.
    let due = |s: &mut Suppressor, arm: &Option<Arm>, wave: u32, d: u64| -> CellId {
        let of_arm = |s: &mut Suppressor, a: Arm| -> Option<CellId> {
            let k = |w: &str| format!("arm/{}/wave/{wave}/{w}", a.as_str());
            let parts: Option<Vec<CellId>> = ["completed", "partial", "lost", "withdrawn"]
                .iter()
                .map(|w| s.keyed(&k(w)))
                .collect();
            parts.map(|p| s.total(k("due"), &p))
        };
        let cell = match arm {
            Some(a) => of_arm(s, *a),
            None => {
                let parts: Option<Vec<CellId>> = Arm::ALL.iter().map(|a| of_arm(s, *a)).collect();
                parts.map(|p| s.total(format!("wave/{wave}/due"), &p))
            }
        };
        cell.filter(|c| s.value(*c) == d)
            .unwrap_or_else(|| s.anonymous(d))
    };
    match metric {
        ProgressionMetric::Recruitment { target } => {
            (s.cell("randomised", n), Den::Target(*target), r)
        }
        ProgressionMetric::EligibilityRate => {
            let eligible = s.cell("eligible", n);
            let assessed = s.cell("assessed", d);
            if let Some(ineligible) = s.keyed("ineligible") {
                s.sum(assessed, &[eligible, ineligible]);
            }
            (eligible, Den::Cell(assessed), r)
        }
        ProgressionMetric::ConsentRate => {
            let consented = s.cell("consented", n);
            let eligible = s.cell("eligible", d);
            (consented, Den::Cell(eligible), r)
        }
        ProgressionMetric::Retention { wave, arm } => {
            let num = s.cell(arm_or_both(arm, *wave, "completed"), n);
            (num, Den::Cell(due(s, arm, *wave, d)), r)
        }
        ProgressionMetric::LossToFollowUp { wave, arm } => {
            let num = s.cell(arm_or_both(arm, *wave, "lost_or_withdrawn"), n);
            (num, Den::Cell(due(s, arm, *wave, d)), r)
        }
        ProgressionMetric::Dose { phase } => {
            let p = phase.as_deref().unwrap_or("all");
            (
                s.cell(format!("dose/{p}/delivered"), n),
                Den::Cell(s.cell(format!("dose/{p}/expected"), d)),
                r,
            )
        }
        ProgressionMetric::Adherence => (
            s.cell("adherence/delivered", n),
            Den::Cell(s.cell("adherence/due", d)),
            r,
        ),
    }
}

/// Costs of one arm, currency and price year: the total and the cells of families, completers and
/// delivered contacts.
type CostCells = ((Option<Arm>, String, i32), f64, CellId, CellId, CellId);

fn light(l: Light) -> LightCell {
    match l {
        Light::Green => LightCell::Green,
        Light::Amber => LightCell::Amber,
        Light::Red => LightCell::Red,
        Light::NotAvailable => LightCell::NotAvailable,
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn count_cell(p: &Suppressed, id: CellId) -> Cell {
    Cell::Count(p.count(id))
}

/// The sections of one trial, suppressed with threshold `threshold`.
pub fn sections(
    input: &TrialInput,
    as_of: NaiveDate,
    criteria: &Criteria,
    threshold: u64,
) -> Vec<Section> {
    let data = &input.data;
    let trial = data.trial_id.to_string();
    let mut s = Suppressor::new(threshold);

    // CONSORT.
    let flow = metrics::consort(data, as_of);
    let f = flow_cells(&mut s, &flow, data.design.primary_wave);

    // Recruitment per site: each site's randomised families, summing to the trial's.
    let recruitment = metrics::recruitment(data, as_of);
    let site_cells: Vec<CellId> = recruitment
        .sites
        .iter()
        .map(|r| {
            let code = r.site.as_ref().map_or("", |c| c.as_str());
            s.cell(format!("site/{code}/randomised"), r.randomised)
        })
        .collect();
    if !site_cells.is_empty() {
        let on_sites: u64 = recruitment.sites.iter().map(|r| r.randomised).sum();
        let no_site = s.cell(
            "site/none/randomised",
            flow.randomised.saturating_sub(on_sites),
        );
        let mut parts = site_cells.clone();
        parts.push(no_site);
        s.sum(f.randomised, &parts);
    }

    // Dose per phase, and all phases together.
    let dose = metrics::dose_per_phase(data, as_of);
    let mut dose_cells = Vec::new();
    for d in &dose {
        let families = s.cell(
            format!("dose/{}/families", d.phase),
            d.families.len() as u64,
        );
        let delivered = s.cell(format!("dose/{}/delivered", d.phase), d.dose.numerator);
        let expected = s.cell(format!("dose/{}/expected", d.phase), d.dose.denominator);
        dose_cells.push((d.phase.clone(), families, delivered, expected));
    }
    let all_delivered: Vec<CellId> = dose_cells.iter().map(|c| c.2).collect();
    let all_expected: Vec<CellId> = dose_cells.iter().map(|c| c.3).collect();
    let all_delivered = s.total("dose/all/delivered", &all_delivered);
    let all_expected = s.total("dose/all/expected", &all_expected);
    let adherence = metrics::adherence(data, as_of);
    let adh_n = s.cell("adherence/delivered", adherence.numerator);
    let adh_d = s.cell("adherence/due", adherence.denominator);

    // Criteria.
    let crit: Vec<(CellId, Den, metrics::Ratio)> = criteria
        .set
        .criteria
        .iter()
        .map(|c| criterion_cells(&mut s, data, &c.metric, as_of))
        .collect();

    // SDQ change by arm.
    let mut sdq_cells = Vec::new();
    for arm in Arm::ALL {
        let pairs: Vec<(f64, f64)> = input
            .outcomes
            .iter()
            .filter(|o| o.arm == Some(arm))
            .filter_map(|o| Some((o.sdq_baseline?, o.sdq_12m?)))
            .collect();
        let n = s.cell(format!("sdq/{}/n", arm.as_str()), pairs.len() as u64);
        let base: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let twelve: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        let change: Vec<f64> = pairs.iter().map(|p| p.1 - p.0).collect();
        sdq_cells.push((arm, n, mean(&base), mean(&twelve), mean(&change)));
    }
    let sdq_ns: Vec<CellId> = sdq_cells.iter().map(|c| c.1).collect();
    let sdq_total = s.total("sdq/all/n", &sdq_ns);

    // Costs by arm, currency and price year.
    // (arm, currency, price year) -> (total, families, completers, delivered contacts).
    type CostKey = (Option<Arm>, String, i32);
    let mut by_currency: BTreeMap<CostKey, (f64, u64, u64, u64)> = BTreeMap::new();
    for o in &input.outcomes {
        // Randomised families only: the cost of a trial arm.
        let (Some(c), Some(_)) = (&o.cost, o.arm) else {
            continue;
        };
        let e = by_currency
            .entry((o.arm, c.currency.clone(), c.price_year))
            .or_default();
        e.0 += c.total;
        e.1 += 1;
        e.2 += u64::from(o.completed);
        e.3 += c.contacts_delivered;
    }
    let cost_cells: Vec<CostCells> = by_currency
        .iter()
        .map(|((arm, cur, year), (total, fams, completers, contacts))| {
            let k = format!(
                "costs/{}/{cur}/{year}",
                arm.map_or("not_randomised", Arm::as_str)
            );
            (
                (*arm, cur.clone(), *year),
                *total,
                s.cell(format!("{k}/families"), *fams),
                s.cell(format!("{k}/completers"), *completers),
                s.cell(format!("{k}/contacts"), *contacts),
            )
        })
        .collect();

    // Harms and maltreatment outcomes per arm.
    let harm_cells = input.harms.as_ref().map(|h| harm_cells(&mut s, h, &f));

    let p = s.solve();
    let mut out = Vec::new();

    // --- CONSORT section.
    let c = |id: CellId| p.count(id).to_string();
    let mut excluded_lines = vec![format!("Excluded (n = {})", c(f.excluded))];
    for (r, id) in &f.reasons {
        excluded_lines.push(format!("{} (n = {})", reason_label(*r), c(*id)));
    }
    let mut arm_boxes = Vec::new();
    let mut flow_table = Table {
        id: format!("consort_{trial}"),
        title: "CONSORT flow: families at each stage".to_owned(),
        columns: vec![
            Column::new("stage", "stage"),
            Column::new("arm", "arm"),
            Column::new("wave", "wave (months)"),
            Column::new("families", "families"),
        ],
        rows: Vec::new(),
        notes: Vec::new(),
    };
    let mut row = |stage: &str, arm: &str, wave: String, id: CellId| {
        flow_table.rows.push(vec![
            Cell::text(stage),
            Cell::text(arm),
            Cell::text(wave),
            count_cell(&p, id),
        ]);
    };
    row("approached", "", String::new(), f.approached);
    row("assessed for eligibility", "", String::new(), f.assessed);
    row("excluded", "", String::new(), f.excluded);
    for (r, id) in &f.reasons {
        row(
            &format!("excluded: {}", reason_label(*r)),
            "",
            String::new(),
            *id,
        );
    }
    row("awaiting randomisation", "", String::new(), f.awaiting);
    row("randomised", "", String::new(), f.randomised);
    for a in &f.arms {
        let name = arm_label(a.arm);
        row("allocated", name, String::new(), a.allocated);
        row(
            "received allocated intervention",
            name,
            String::new(),
            a.received,
        );
        row(
            "did not receive allocated intervention",
            name,
            String::new(),
            a.not_received,
        );
        for (r, id) in &a.not_received_reasons {
            row(
                &format!("did not receive: {}", r.label()),
                name,
                String::new(),
                *id,
            );
        }
        row("discontinued", name, String::new(), a.discontinued);
        for (r, id) in &a.discontinued_reasons {
            row(
                &format!("discontinued: {}", r.label()),
                name,
                String::new(),
                *id,
            );
        }
        let mut follow = vec!["Follow-up".to_owned()];
        for (m, w) in &a.waves {
            let wave = m.to_string();
            row("completed", name, wave.clone(), w[0]);
            row("partial", name, wave.clone(), w[1]);
            row("lost to follow-up", name, wave.clone(), w[2]);
            row("withdrawn", name, wave.clone(), w[3]);
            row("not yet due", name, wave, w[4]);
            follow.push(format!(
                "{m} months: completed {}, partial {}, lost {}, withdrawn {}, not due {}",
                c(w[0]),
                c(w[1]),
                c(w[2]),
                c(w[3]),
                c(w[4])
            ));
        }
        row("analysed", name, String::new(), a.analysed);
        arm_boxes.push(vec![
            ConsortBox {
                lines: {
                    let mut l = vec![
                        format!("Allocated to {name} (n = {})", c(a.allocated)),
                        format!("Received allocated intervention (n = {})", c(a.received)),
                    ];
                    if a.arm == Arm::Control
                        && let Some(u) = &data.design.usual_care
                    {
                        l.push(format!("  usual care: {}", u.description));
                    }
                    l.push(format!("Did not receive it (n = {})", c(a.not_received)));
                    l.extend(
                        a.not_received_reasons
                            .iter()
                            .map(|(r, id)| format!("  {} (n = {})", r.label(), c(*id))),
                    );
                    l
                },
            },
            ConsortBox {
                lines: {
                    let mut l = follow;
                    l.push(format!("Discontinued (n = {})", c(a.discontinued)));
                    l.extend(
                        a.discontinued_reasons
                            .iter()
                            .map(|(r, id)| format!("  {} (n = {})", r.label(), c(*id))),
                    );
                    l
                },
            },
            ConsortBox {
                lines: vec![
                    "Analysis".to_owned(),
                    format!(
                        "Analysed at {} months (n = {})",
                        data.design.primary_wave,
                        c(a.analysed)
                    ),
                ],
            },
        ]);
    }
    let diagram = ConsortDiagram {
        assessed: ConsortBox {
            lines: vec![
                "Enrolment".to_owned(),
                format!("Approached (n = {})", c(f.approached)),
                format!("Assessed for eligibility (n = {})", c(f.assessed)),
                format!("Awaiting randomisation (n = {})", c(f.awaiting)),
            ],
        },
        excluded: ConsortBox {
            lines: excluded_lines,
        },
        randomised: ConsortBox {
            lines: vec![format!("Randomised (n = {})", c(f.randomised))],
        },
        arms: arm_boxes,
    };
    let mut paragraphs = vec![format!(
        "Trial {trial}, as of {as_of}. Counts of families, computed by barnvern-familypartner \
         (metrics::consort). Received: for Family Partner, enrolled with a partner; for \
         ordinary services, not enrolled. Analysed: completed or partial data at the primary \
         wave ({} months).",
        data.design.primary_wave
    )];
    if !flow.findings.is_empty() {
        paragraphs.push(format!(
            "The flow's invariants do not all hold ({} findings); the counts are shown as \
             computed, not adjusted.",
            flow.findings.len()
        ));
    }
    out.push(Section {
        id: format!("consort-{trial}"),
        title: format!("CONSORT flow ({trial})"),
        paragraphs,
        tables: vec![flow_table],
        charts: vec![Chart::Consort(diagram)],
    });

    // --- Recruitment per site (CONSORT pilot item 14a).
    if !recruitment.sites.is_empty() {
        let mut table = Table {
            id: format!("recruitment_{trial}"),
            title: "Recruitment per site: families randomised per recruitment month, against the target".to_owned(),
            columns: vec![
                Column::new("site", "site"),
                Column::new("municipality", "municipality"),
                Column::new("opened_on", "recruiting from"),
                Column::new("months", "recruitment months"),
                Column::new("randomised", "randomised"),
                Column::new("rate", "randomised per month"),
                Column::new("target", "target per month"),
                Column::new("against_target", "randomised / target"),
            ],
            rows: Vec::new(),
            notes: Vec::new(),
        };
        let mut push =
            |r: &metrics::SiteRecruitment, id: CellId, municipality: String, target: String| {
                let count = p.count(id);
                let rate = match (count, r.rate_per_month.value) {
                    (Count::Suppressed { .. }, _) => Figure::Suppressed,
                    (_, Some(v)) => Figure::Shown(v),
                    (_, None) => Figure::NotAvailable,
                };
                let against = match &r.against_target {
                    None => Cell::text(""),
                    Some(t) => Cell::Fraction(Fraction {
                        numerator: count,
                        numerator_label: t.numerator_label.clone(),
                        denominator: Count::Shown(t.denominator),
                        denominator_label: t.denominator_label.clone(),
                        value: match (count, t.value) {
                            (Count::Suppressed { .. }, _) => Figure::Suppressed,
                            (_, Some(v)) => Figure::Shown(v),
                            (_, None) => Figure::NotAvailable,
                        },
                    }),
                };
                table.rows.push(vec![
                    Cell::text(r.site.as_ref().map_or("all sites", |c| c.as_str())),
                    Cell::text(municipality),
                    Cell::text(r.opened_on.map(|d| d.to_string()).unwrap_or_default()),
                    Cell::text(r.months.to_string()),
                    Cell::Count(count),
                    Cell::Number(rate, 2),
                    Cell::text(target),
                    against,
                ]);
            };
        for (r, id) in recruitment.sites.iter().zip(&site_cells) {
            let site = r.site.as_ref().and_then(|c| data.design.site(c));
            push(
                r,
                *id,
                site.map(|x| x.municipality.to_string()).unwrap_or_default(),
                site.and_then(|x| x.target_per_month)
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
            );
        }
        push(
            &recruitment.total,
            f.randomised,
            String::new(),
            String::new(),
        );
        out.push(Section {
            id: format!("recruitment-{trial}"),
            title: format!("Recruitment per site ({trial})"),
            paragraphs: vec![
                "Computed by barnvern-familypartner (metrics::recruitment). Recruitment months \
                 are the calendar months from a site's opening month to the month of the report \
                 date, both counted whole; the trial's are the sites' months added up. The \
                 target is families randomised per month at the site."
                    .to_owned(),
            ],
            tables: vec![table],
            charts: Vec::new(),
        });
    }

    // --- Dose.
    let mut dose_table = Table {
        id: format!("dose_{trial}"),
        title: "Dose per phase: delivered / expected contacts".to_owned(),
        columns: vec![
            Column::new("phase", "phase"),
            Column::new("families", "families in the phase"),
            Column::new("dose", "dose (delivered / expected contacts)"),
        ],
        rows: Vec::new(),
        notes: Vec::new(),
    };
    for (phase, families, delivered, expected) in &dose_cells {
        let name = data
            .programme
            .phases
            .iter()
            .find(|x| &x.id == phase)
            .map_or_else(|| phase.clone(), |x| format!("{} ({phase})", x.name));
        dose_table.rows.push(vec![
            Cell::text(name),
            count_cell(&p, *families),
            Cell::Fraction(p.fraction(
                &s,
                *delivered,
                "delivered contacts",
                *expected,
                "expected contacts",
            )),
        ]);
    }
    dose_table.rows.push(vec![
        Cell::text("all phases"),
        Cell::text(""),
        Cell::Fraction(p.fraction(
            &s,
            all_delivered,
            "delivered contacts",
            all_expected,
            "expected contacts",
        )),
    ]);
    dose_table.rows.push(vec![
        Cell::text("adherence (delivered / contacts due: delivered, cancelled or missed)"),
        Cell::text(""),
        Cell::Fraction(p.fraction(
            &s,
            adh_n,
            "delivered contacts",
            adh_d,
            "contacts delivered, cancelled or missed",
        )),
    ]);
    out.push(Section {
        id: format!("dose-{trial}"),
        title: format!("Dose ({trial})"),
        paragraphs: vec![format!(
            "Programme {} version {}. Expected contacts count whole weeks or months of each \
             enrolled family's time in the phase, up to its end, withdrawal or {as_of}; \
             delivered contacts (status delivered) are counted over the same whole periods \
             (barnvern-familypartner metrics::dose_per_phase, metrics::adherence).",
            data.programme.id, data.programme.version
        )],
        charts: vec![Chart::Grouped(GroupedBars {
            title: "Dose per phase (delivered / expected contacts)".to_owned(),
            series: vec!["dose".to_owned()],
            groups: dose_table
                .rows
                .iter()
                .filter_map(|r| match (r.first(), r.get(2)) {
                    (Some(label), Some(Cell::Fraction(f))) => {
                        let label = label.display();
                        let short = label.split(" (").next().unwrap_or(&label).to_owned();
                        Some((short, vec![f.clone()]))
                    }
                    _ => None,
                })
                .collect(),
        })],
        tables: vec![dose_table],
    });

    // --- Retention.
    let mut ret_table = Table {
        id: format!("retention_{trial}"),
        title: "Retention per wave per arm: families with completed data / families randomised"
            .to_owned(),
        columns: vec![
            Column::new("wave", "wave (months)"),
            Column::new("arm", "arm"),
            Column::new("retention", "retention (completed / randomised)"),
            Column::new("partial", "partial"),
            Column::new("lost_or_withdrawn", "lost or withdrawn"),
            Column::new("not_yet_due", "not yet due"),
        ],
        rows: Vec::new(),
        notes: Vec::new(),
    };
    let mut groups: Vec<(String, Vec<Fraction>)> = Vec::new();
    let months: Vec<u32> = f
        .arms
        .first()
        .map(|a| a.waves.iter().map(|(m, _)| *m).collect())
        .unwrap_or_default();
    for (i, m) in months.iter().enumerate() {
        let mut fractions = Vec::new();
        for a in &f.arms {
            let Some((_, w)) = a.waves.get(i) else {
                continue;
            };
            let frac = p.fraction(
                &s,
                w[0],
                "families with completed data",
                a.allocated,
                "families randomised",
            );
            ret_table.rows.push(vec![
                Cell::text(m.to_string()),
                Cell::text(arm_label(a.arm)),
                Cell::Fraction(frac.clone()),
                count_cell(&p, w[1]),
                count_cell(&p, w[5]),
                count_cell(&p, w[4]),
            ]);
            fractions.push(frac);
        }
        groups.push((format!("{m} months"), fractions));
    }
    out.push(Section {
        id: format!("retention-{trial}"),
        title: format!("Retention ({trial})"),
        paragraphs: vec![format!(
            "Retention = families with completed data at the wave / families randomised to \
             the arm (barnvern-familypartner metrics::retention), as of {as_of}. Partial data do \
             not count as completed; families whose window is still open stay in the \
             denominator."
        )],
        tables: vec![ret_table],
        charts: vec![Chart::Grouped(GroupedBars {
            title: "Retention per wave per arm".to_owned(),
            series: f.arms.iter().map(|a| arm_label(a.arm).to_owned()).collect(),
            groups,
        })],
    });

    // --- Progression criteria.
    let mut prog = Table {
        id: format!("progression_{trial}"),
        title: "Progression criteria".to_owned(),
        columns: vec![
            Column::new("criterion", "criterion"),
            Column::new("description", "description"),
            Column::new("value", "value (numerator / denominator)"),
            Column::new("ci95", "95% CI (Wilson)"),
            Column::new("rule", "rule"),
            Column::new("light", "light"),
        ],
        rows: Vec::new(),
        notes: Vec::new(),
    };
    for (criterion, (num, den, ratio)) in criteria.set.criteria.iter().zip(&crit) {
        let frac = match den {
            Den::Cell(d) => p.fraction(
                &s,
                *num,
                ratio.numerator_label.clone(),
                *d,
                ratio.denominator_label.clone(),
            ),
            Den::Target(t) => {
                let n = p.count(*num);
                Fraction {
                    numerator: n,
                    numerator_label: ratio.numerator_label.clone(),
                    denominator: Count::Shown(*t),
                    denominator_label: ratio.denominator_label.clone(),
                    value: match (n, ratio.value) {
                        (Count::Suppressed { .. }, _) => Figure::Suppressed,
                        (_, Some(v)) => Figure::Shown(v),
                        (_, None) => Figure::NotAvailable,
                    },
                }
            }
        };
        let l = if frac.value == Figure::Suppressed {
            LightCell::Suppressed
        } else {
            light(criterion.light(ratio.value))
        };
        // The interval of a proportion, shown only when both counts behind it are: from a
        // withheld count the interval would give the count back.
        let shown = matches!(frac.numerator, Count::Shown(_))
            && matches!(frac.denominator, Count::Shown(_));
        let ci = match ratio.ci95 {
            Some(i) if shown => format!("{:.1}% to {:.1}%", i.lower * 100.0, i.upper * 100.0),
            Some(_) => "x".to_owned(),
            None => String::new(),
        };
        prog.rows.push(vec![
            Cell::text(&criterion.id),
            Cell::text(&criterion.description),
            Cell::Fraction(frac),
            Cell::text(ci),
            Cell::text(criterion.rule()),
            Cell::Light(l),
        ]);
    }
    out.push(Section {
        id: format!("progression-{trial}"),
        title: format!("Progression criteria ({trial})"),
        paragraphs: vec![
            format!(
                "Criteria set {} ({}). Source: {}.",
                criteria.set.version, criteria.set.description, criteria.source
            ),
            "Each value is computed by barnvern-familypartner (metrics::progression) as of the \
             report date; a light is withheld (x) when a count behind it is withheld. The light \
             judges the point estimate; a proportion shows its 95% Wilson score interval beside \
             it. Retention and loss criteria count only the families already due at the wave \
             (randomised, less those whose window is still open)."
                .to_owned(),
        ],
        tables: vec![prog],
        charts: Vec::new(),
    });

    // --- SDQ.
    let mut sdq = Table {
        id: format!("sdq_{trial}"),
        title: "SDQ total difficulties (parent report), baseline to 12 months, by arm".to_owned(),
        columns: vec![
            Column::new("arm", "arm"),
            Column::new("n", "n (families with both)"),
            Column::new("mean_baseline", "mean at baseline"),
            Column::new("mean_12m", "mean at 12 months"),
            Column::new("mean_change", "mean change (12 months - baseline)"),
        ],
        rows: Vec::new(),
        notes: Vec::new(),
    };
    for (arm, n, b, t, ch) in &sdq_cells {
        sdq.rows.push(vec![
            Cell::text(arm_label(*arm)),
            count_cell(&p, *n),
            Cell::Number(p.figure(*n, *b), 2),
            Cell::Number(p.figure(*n, *t), 2),
            Cell::Number(p.figure(*n, *ch), 2),
        ]);
    }
    sdq.rows.push(vec![
        Cell::text("both arms"),
        count_cell(&p, sdq_total),
        Cell::text(""),
        Cell::text(""),
        Cell::text(""),
    ]);
    out.push(Section {
        id: format!("sdq-{trial}"),
        title: format!("SDQ change from baseline to 12 months ({trial})"),
        paragraphs: vec![
            "Total difficulties (0-40) of the parent-report SDQ (the 4-17 form; the 2-4 form is \
             not pooled with it), scored by barnvern-outcomes, \
             at wave 0 (baseline) and wave 12 (12 months). n counts randomised families with \
             a total at both waves (complete pairs); the means are over those families. A \
             fall is an improvement. Means are withheld where n is."
                .to_owned(),
        ],
        tables: vec![sdq],
        charts: Vec::new(),
    });

    // --- Costs.
    let mut cost = Table {
        id: format!("costs_{trial}"),
        title: "Cost per family and per completer".to_owned(),
        columns: vec![
            Column::new("arm", "arm"),
            Column::new("currency", "currency, price year"),
            Column::new("families", "families with a cost record"),
            Column::new("total", "total cost"),
            Column::new(
                "per_family",
                "cost per family (total / families with a cost record)",
            ),
            Column::new("completers", "completers"),
            Column::new("per_completer", "cost per completer (total / completers)"),
            Column::new("contacts", "delivered contacts"),
            Column::new("per_contact", "cost per delivered contact"),
        ],
        rows: Vec::new(),
        notes: Vec::new(),
    };
    for ((arm, cur, year), total, fams, completers, contacts) in &cost_cells {
        let per = |n: CellId| {
            let v = s.value(n);
            Cell::Money(
                p.figure(
                    n,
                    (v > 0).then(|| {
                        barnvern_outcomes::costs::round_money(crate::suppress::ratio(*total, v))
                    }),
                ),
                cur.clone(),
            )
        };
        cost.rows.push(vec![
            Cell::text(arm.map_or("not randomised", arm_label)),
            Cell::text(format!("{cur} {year}")),
            count_cell(&p, *fams),
            Cell::Money(
                p.figure(*fams, Some(barnvern_outcomes::costs::round_money(*total))),
                cur.clone(),
            ),
            per(*fams),
            count_cell(&p, *completers),
            per(*completers),
            count_cell(&p, *contacts),
            per(*contacts),
        ]);
    }
    if let (Some(h), Some(cells)) = (&input.harms, &harm_cells) {
        out.push(harms_section(&trial, h, cells, &s, &p));
    }

    out.push(Section {
        id: format!("costs-{trial}"),
        title: format!("Costs ({trial})"),
        paragraphs: vec![
            "Staff time of delivered contacts plus travel time and mileage, at the programme's \
             rate card (barnvern-familypartner metrics::family_costs), summed per arm, currency \
             and price year (ordinary-services families have no Family Partner contacts, so their \
             programme cost is 0). Denominators: families with a cost record = the arm's \
             randomised families whose costs the dataset holds; completers = those whose \
             enrolment ended as completed by the report date; delivered contacts = contacts \
             with status delivered. A total or unit cost is withheld where its count of \
             families is."
                .to_owned(),
        ],
        tables: vec![cost],
        charts: Vec::new(),
    });
    out
}

/// The suppression cells of the harms: per arm its families, and per kind its events and the
/// families with one (each summed over the arms); per outcome and window the families with it
/// and the families known there.
struct HarmCells {
    families: Vec<(Arm, CellId)>,
    /// (arm, kind, events, families with)
    harms: Vec<(Arm, HarmKind, CellId, CellId)>,
    /// (kind, events both arms, families with both arms)
    harm_totals: Vec<(HarmKind, CellId, CellId)>,
    /// (arm, kind, months, with, known)
    outcomes: Vec<(Arm, OutcomeKind, u32, CellId, CellId)>,
}

fn harm_cells(s: &mut Suppressor, h: &TrialHarms, flow: &FlowCells) -> HarmCells {
    let mut cells = HarmCells {
        families: Vec::new(),
        harms: Vec::new(),
        harm_totals: Vec::new(),
        outcomes: Vec::new(),
    };
    for a in &h.arms {
        let key = format!("harms/{}", a.arm.as_str());
        // The families of an arm are its allocated families in the flow: one cell for both,
        // so it is withheld everywhere or nowhere.
        let families = match flow.arms.iter().find(|x| x.arm == a.arm) {
            Some(x) if s.value(x.allocated) == a.families => x.allocated,
            _ => s.cell(format!("{key}/families"), a.families),
        };
        cells.families.push((a.arm, families));
        for c in &a.harms {
            let k = format!("{key}/{:?}", c.kind);
            let events = s.cell(format!("{k}/events"), c.events);
            let with = s.cell(format!("{k}/families_with"), c.families_with.numerator);
            cells.harms.push((a.arm, c.kind, events, with));
        }
    }
    for kind in HarmKind::ALL {
        let of = |f: fn(&(Arm, HarmKind, CellId, CellId)) -> CellId| -> Vec<CellId> {
            cells.harms.iter().filter(|x| x.1 == kind).map(f).collect()
        };
        let (events, with) = (of(|x| x.2), of(|x| x.3));
        let events = s.total(format!("harms/all/{kind:?}/events"), &events);
        let with = s.total(format!("harms/all/{kind:?}/families_with"), &with);
        cells.harm_totals.push((kind, events, with));
    }
    for o in &h.outcomes {
        let k = format!("outcomes/{}/{:?}/{}", o.arm.as_str(), o.kind, o.months);
        let with = s.cell(format!("{k}/with"), o.proportion.numerator);
        let known = s.cell(format!("{k}/known"), o.proportion.denominator);
        cells.outcomes.push((o.arm, o.kind, o.months, with, known));
    }
    cells
}

fn harm_label(k: HarmKind) -> &'static str {
    match k {
        HarmKind::ReportOfConcern => "new report of concern",
        HarmKind::Investigation => "new investigation",
        HarmKind::EmergencyPlacement => "emergency placement",
        HarmKind::CareOrder => "care order",
    }
}

fn outcome_label(k: OutcomeKind) -> &'static str {
    match k {
        OutcomeKind::ReReferral => "re-referral",
        OutcomeKind::SubstantiatedInvestigation => "substantiated investigation",
        OutcomeKind::OutOfHomePlacement => "out-of-home placement",
    }
}

/// A rate over a count cell: withheld when the count is, 0 when it is a shown 0 over some
/// follow-up.
fn rate_figure(p: &Suppressed, events: CellId, rate: Option<f64>) -> Figure {
    match (p.count(events), rate) {
        (Count::Suppressed { .. }, _) => Figure::Suppressed,
        (_, None) => Figure::NotAvailable,
        (Count::Shown(_), Some(r)) => Figure::Shown(r),
    }
}

fn harms_section(
    trial: &str,
    h: &TrialHarms,
    cells: &HarmCells,
    s: &Suppressor,
    p: &Suppressed,
) -> Section {
    let mut harms = Table {
        id: format!("harms_{trial}"),
        title:
            "Harms after randomisation per arm: events, families with one, rate per family-month"
                .to_owned(),
        columns: vec![
            Column::new("arm", "arm"),
            Column::new("harm", "harm"),
            Column::new("events", "events"),
            Column::new("families_with", "families with one / families randomised"),
            Column::new("family_months", "family-months of follow-up"),
            Column::new("rate", "events per family-month"),
        ],
        rows: Vec::new(),
        notes: Vec::new(),
    };
    for a in &h.arms {
        let Some(families) = cells.families.iter().find(|f| f.0 == a.arm).map(|f| f.1) else {
            continue;
        };
        for c in &a.harms {
            let Some((_, _, events, with)) = cells
                .harms
                .iter()
                .find(|x| x.0 == a.arm && x.1 == c.kind)
                .copied()
            else {
                continue;
            };
            harms.rows.push(vec![
                Cell::text(arm_label(a.arm)),
                Cell::text(harm_label(c.kind)),
                count_cell(p, events),
                Cell::Fraction(p.fraction(
                    s,
                    with,
                    "families with the harm",
                    families,
                    "families randomised",
                )),
                Cell::Number(p.figure(families, Some(a.family_months)), 1),
                Cell::Number(rate_figure(p, events, c.rate_per_family_month), 4),
            ]);
        }
    }
    for (kind, events, with) in &cells.harm_totals {
        harms.rows.push(vec![
            Cell::text("both arms"),
            Cell::text(harm_label(*kind)),
            count_cell(p, *events),
            Cell::Count(p.count(*with)),
            Cell::text(""),
            Cell::text(""),
        ]);
    }
    let mut outcomes = Table {
        id: format!("maltreatment_{trial}"),
        title: "Maltreatment outcomes within 6 and 12 months of randomisation per arm".to_owned(),
        columns: vec![
            Column::new("arm", "arm"),
            Column::new("outcome", "outcome"),
            Column::new("months", "within (months)"),
            Column::new(
                "families",
                "families with the outcome / families followed through the window or with it",
            ),
        ],
        rows: Vec::new(),
        notes: Vec::new(),
    };
    for (arm, kind, months, with, known) in &cells.outcomes {
        outcomes.rows.push(vec![
            Cell::text(arm_label(*arm)),
            Cell::text(outcome_label(*kind)),
            Cell::text(months.to_string()),
            Cell::Fraction(p.fraction(
                s,
                *with,
                "families with the outcome",
                *known,
                "families followed through the window or with the outcome",
            )),
        ]);
    }
    Section {
        id: format!("harms-{trial}"),
        title: format!("Harms and maltreatment outcomes ({trial})"),
        paragraphs: vec![
            "Derived from the randomised families' own case records (barnvern_case::harms), \
             counted after each family's randomisation up to the report date or its withdrawal \
             from the study: harms (CONSORT item 19) are new reports of concern, new \
             investigations, emergency placements and care orders, as events, families with at \
             least one, and events per family-month of follow-up (days / 30.4375). Maltreatment \
             outcomes (re-referral, substantiated investigation, out-of-home placement) are \
             counted within 6 and 12 months of randomisation among families followed through \
             the window or with the outcome inside their follow-up. Counts below the \
             threshold are withheld, and the rates and proportions over them with them."
                .to_owned(),
        ],
        tables: vec![harms, outcomes],
        charts: Vec::new(),
    }
}
