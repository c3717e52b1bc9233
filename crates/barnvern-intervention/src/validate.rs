//! Every rule the intervention records must satisfy, in one place, as findings with paths
//! (`interventions[2].ended_on`) ready to sit under a case bundle.

use std::collections::HashSet;

use barnvern_core::codelist::check_coded;
use barnvern_core::{Finding, Findings, Jurisdiction, Law};
use chrono::NaiveDate;

use crate::episode::{ConsentParty, ConsentStatus, EndReason, Intervention, InterventionBasis};
use crate::kind::{self, InterventionType};
use crate::meeting::{Agency, CoordinationMeeting, MeetingType};
use crate::plan::{self, Plan, PlanType};
use crate::visits::{FrequencyFrom, VisitFrequency};

/// The day SoL (2025:400) took force: services without a needs assessment exist from then.
fn sol2025_from() -> NaiveDate {
    Law::SeSol2025.in_force_from()
}

/// All findings about the intervention records of one case in `jurisdiction`.
pub fn validate(
    jurisdiction: Jurisdiction,
    interventions: &[Intervention],
    plans: &[Plan],
    meetings: &[CoordinationMeeting],
) -> Findings {
    let mut r = Findings::new();
    let plan_ids: HashSet<_> = plans.iter().map(|p| &p.id).collect();
    unique(
        "interventions",
        interventions.iter().map(|x| x.id.as_str()),
        &mut r,
    );
    unique("plans", plans.iter().map(|x| x.id.as_str()), &mut r);
    unique("meetings", meetings.iter().map(|x| x.id.as_str()), &mut r);
    for (i, iv) in interventions.iter().enumerate() {
        let path = format!("interventions[{i}]");
        r.extend_under(&path, validate_intervention(jurisdiction, iv));
        if let Some(pid) = &iv.plan_id
            && !plan_ids.contains(pid)
        {
            r.push(unknown(format!("{path}.plan_id"), "plan", pid.as_str()));
        }
    }
    let intervention_ids: HashSet<_> = interventions.iter().map(|x| &x.id).collect();
    for (i, p) in plans.iter().enumerate() {
        let path = format!("plans[{i}]");
        r.extend_under(&path, validate_plan(p));
        for (j, id) in p.intervention_ids.iter().enumerate() {
            if !intervention_ids.contains(id) {
                r.push(unknown(
                    format!("{path}.intervention_ids[{j}]"),
                    "intervention",
                    id.as_str(),
                ));
            }
        }
    }
    for (i, m) in meetings.iter().enumerate() {
        let path = format!("meetings[{i}]");
        r.extend_under(&path, validate_meeting(m));
        if let Some(pid) = &m.plan_id
            && !plan_ids.contains(pid)
        {
            r.push(unknown(format!("{path}.plan_id"), "plan", pid.as_str()));
        }
    }
    r
}

fn unique<'a>(list: &str, ids: impl Iterator<Item = &'a str>, r: &mut Findings) {
    let mut seen = HashSet::new();
    for (i, id) in ids.enumerate() {
        if !seen.insert(id) {
            r.push(Finding::error(
                format!("{list}[{i}].id"),
                "intervention.duplicate_id",
                format!("{list} has two records with this id"),
            ));
        }
    }
}

fn unknown(path: String, what: &str, _id: &str) -> Finding {
    Finding::error(
        path,
        "intervention.unknown_reference",
        format!("no {what} has this id"),
    )
}

fn text_missing(text: Option<&str>) -> bool {
    text.is_none_or(|t| t.trim().is_empty())
}

/// Findings about one intervention episode (paths relative to it).
pub fn validate_intervention(jurisdiction: Jurisdiction, iv: &Intervention) -> Vec<Finding> {
    let mut r = Findings::new();
    let on = iv
        .started_on
        .or(iv.planned_start)
        .unwrap_or_else(|| iv.provenance.recorded_at.date_naive());
    let t = iv.intervention_type.code;
    // A concept SSB has no code of its own for (Family Partner, SafeCare, ...) is reported under
    // a catch-all code with its name; that source code matches the more specific concept.
    r.findings.extend(check_coded(
        "type",
        &iv.intervention_type,
        |system, code| {
            InterventionType::from_source(system, code).map(|mapped| {
                let reported_as = system == crate::kind::SSB_SYSTEM && t.ssb_report().0 == code;
                if reported_as { Some(t) } else { mapped }
            })
        },
        on,
    ));
    if t.requires_text() && text_missing(iv.intervention_type.text.as_deref()) {
        r.push(Finding::error(
            "type.text",
            "codelist.text_required",
            format!(
                "an intervention of type {t:?} needs a text saying what it is (krever presisering)"
            ),
        ));
    }
    match &iv.basis {
        InterventionBasis::Decision { legal_basis, .. } => {
            r.extend_under("basis.legal_basis", legal_basis.validate());
            if legal_basis.law.jurisdiction() != jurisdiction {
                r.push(Finding::error(
                    "basis.legal_basis.law",
                    "legal_basis.jurisdiction",
                    format!("{} is not a law of {jurisdiction}", legal_basis.law),
                ));
            }
            if t == InterventionType::SecureYouthHome && legal_basis.law != Law::SeLvu1990 {
                r.push(Finding::error(
                    "basis.legal_basis.law",
                    "intervention.secure_home_needs_lvu",
                    "a placement in a secure youth home (särskilt ungdomshem) rests on LVU",
                ));
            }
        }
        InterventionBasis::WithoutNeedsAssessment => {
            if jurisdiction != Jurisdiction::Se {
                r.push(Finding::error(
                    "basis",
                    "intervention.needs_decision",
                    "only Swedish services under SoL (2025:400) can be given without a needs assessment; a Norwegian measure needs a decision (vedtak)",
                ));
            } else if on < sol2025_from() {
                r.push(Finding::error(
                    "basis",
                    "intervention.needs_decision",
                    format!(
                        "services without a needs assessment exist from {} (SoL 2025:400); before that an insats needs a decision",
                        sol2025_from()
                    ),
                ));
            }
            if t.is_out_of_home() || t.group() == kind::InterventionGroup::Control {
                r.push(Finding::error(
                    "basis",
                    "intervention.needs_decision",
                    "a placement or a control measure always needs a decision",
                ));
            } else if let Some(src) = &iv.intervention_type.source
                && src.system() == kind::SE_SYSTEM
                && kind::se_intervention(src.code())
                    .is_some_and(|row| !row.without_needs_assessment)
            {
                r.push(Finding::query(
                    "basis",
                    "intervention.usually_needs_decision",
                    format!(
                        "{:?} is usually given after a needs assessment and decision",
                        src.code()
                    ),
                ));
            }
        }
    }
    // SE voluntary help (SoL, or no decision) needs the carers' consent.
    let voluntary_se = jurisdiction == Jurisdiction::Se
        && match &iv.basis {
            InterventionBasis::Decision { legal_basis, .. } => legal_basis.law != Law::SeLvu1990,
            InterventionBasis::WithoutNeedsAssessment => true,
        };
    if let Some(start) = iv.started_on
        && voluntary_se
        && iv.consent_on(ConsentParty::Carer, start) != Some(ConsentStatus::Given)
        && iv.consent_on(ConsentParty::ChildWithPartyRights, start) != Some(ConsentStatus::Given)
    {
        r.push(Finding::warning(
            "consents",
            "intervention.no_consent",
            "a voluntary intervention started without a recorded consent (samtycke) of a carer or of the child",
        ));
    }
    let mut previous = None;
    for (j, c) in iv.consents.iter().enumerate() {
        if previous.is_some_and(|p| c.on < p) {
            r.push(Finding::error(
                format!("consents[{j}].on"),
                "date.order",
                "consents are recorded in date order",
            ));
        }
        previous = Some(c.on);
    }
    if let (Some(a), Some(b)) = (iv.planned_start, iv.planned_end)
        && b < a
    {
        r.push(Finding::error(
            "planned_end",
            "date.order",
            "the planned end is before the planned start",
        ));
    }
    match (iv.started_on, iv.ended_on) {
        (None, Some(_)) => r.push(Finding::error(
            "started_on",
            "json.missing_field",
            "an intervention that has ended needs the date it started",
        )),
        (Some(s), Some(e)) if e < s => r.push(Finding::error(
            "ended_on",
            "date.order",
            "an intervention cannot end before it starts",
        )),
        _ => {}
    }
    match (&iv.ended_on, &iv.end_reason) {
        (Some(_), None) => r.push(Finding::error(
            "end_reason",
            "json.missing_field",
            "an intervention that has ended needs the reason it ended",
        )),
        (None, Some(_)) => r.push(Finding::error(
            "ended_on",
            "json.missing_field",
            "an intervention with an end reason needs the date it ended",
        )),
        (Some(end), Some(reason)) => {
            r.findings.extend(check_coded(
                "end_reason",
                reason,
                |system, code| {
                    (system == EndReason::SSB_SYSTEM).then(|| EndReason::from_ssb_code(code))
                },
                *end,
            ));
            if reason.code == EndReason::Other && text_missing(reason.text.as_deref()) {
                r.push(Finding::error(
                    "end_reason.text",
                    "codelist.text_required",
                    "an intervention ended for \"other\" reasons needs a text saying why",
                ));
            }
        }
        (None, None) => {}
    }
    let mut previous = None;
    for (j, e) in iv.evaluations.iter().enumerate() {
        let path = format!("evaluations[{j}].on");
        if previous.is_some_and(|p| e.on < p) {
            r.push(Finding::error(
                path.clone(),
                "date.order",
                "evaluations are recorded in date order",
            ));
        }
        previous = Some(e.on);
        if iv.started_on.is_none_or(|s| e.on < s) {
            r.push(Finding::error(
                path,
                "date.order",
                "an intervention is evaluated after it starts",
            ));
        } else if iv.ended_on.is_some_and(|end| e.on > end) {
            r.push(Finding::warning(
                path,
                "intervention.evaluated_after_end",
                "the evaluation is dated after the intervention ended",
            ));
        }
    }
    if let Some(sv) = &iv.supervision {
        if sv.responsible.is_empty() {
            r.push(Finding::error(
                "supervision.responsible",
                "json.missing_field",
                "supervision needs the municipality responsible for it",
            ));
        }
        for (j, m) in sv.responsible.iter().enumerate() {
            if let Err(e) = m.municipality.lookup(jurisdiction, Some(m.from)) {
                r.push(Finding {
                    path: format!("supervision.responsible[{j}].municipality"),
                    ..e
                });
            }
        }
        visits(
            "supervision",
            &sv.frequency,
            &sv.visits,
            VisitFrequency::SSB_SUPERVISION_SYSTEM,
            iv,
            &mut r,
        );
    }
    if let Some(f) = &iv.follow_up_visits {
        visits(
            "follow_up_visits",
            &f.frequency,
            &f.visits,
            VisitFrequency::SSB_FOLLOW_UP_SYSTEM,
            iv,
            &mut r,
        );
    }
    r.findings
}

/// Frequencies and visits of supervision or follow-up: at least one frequency, in date order,
/// codes of `system`; visits on or after the start.
fn visits(
    what: &str,
    frequency: &[FrequencyFrom],
    visits: &[NaiveDate],
    system: &str,
    iv: &Intervention,
    r: &mut Findings,
) {
    if frequency.is_empty() {
        r.push(Finding::error(
            format!("{what}.frequency"),
            "json.missing_field",
            "visits need their frequency (visits a year)",
        ));
    }
    let mut previous = None;
    for (j, f) in frequency.iter().enumerate() {
        let path = format!("{what}.frequency[{j}]");
        if previous.is_some_and(|p| f.from < p) {
            r.push(Finding::error(
                format!("{path}.from"),
                "date.order",
                "frequencies are recorded in date order",
            ));
        }
        previous = Some(f.from);
        r.findings.extend(check_coded(
            &format!("{path}.frequency"),
            &f.frequency,
            |s, code| (s == system).then(|| VisitFrequency::from_ssb_code(code)),
            f.from,
        ));
    }
    for (j, v) in visits.iter().enumerate() {
        if iv.started_on.is_none_or(|s| *v < s) {
            r.push(Finding::error(
                format!("{what}.visits[{j}]"),
                "date.order",
                "a visit is made after the placement starts",
            ));
        }
    }
}

/// Findings about one plan (paths relative to it).
pub fn validate_plan(p: &Plan) -> Vec<Finding> {
    let mut r = Findings::new();
    r.findings.extend(check_coded(
        "type",
        &p.plan_type,
        |system, code| (system == plan::SSB_SYSTEM).then(|| PlanType::from_ssb_code(code)),
        p.made_on,
    ));
    if p.ended_on.is_some_and(|e| e < p.made_on) {
        r.push(Finding::error(
            "ended_on",
            "date.order",
            "a plan cannot end before it was made",
        ));
    }
    let mut previous = None;
    for (j, e) in p.evaluations.iter().enumerate() {
        if previous.is_some_and(|d| e.due < d) || e.due < p.made_on {
            r.push(Finding::error(
                format!("evaluations[{j}].due"),
                "date.order",
                "scheduled evaluations are in date order, after the plan was made",
            ));
        }
        previous = Some(e.due);
        if e.done_on.is_some_and(|d| d < p.made_on) {
            r.push(Finding::error(
                format!("evaluations[{j}].done_on"),
                "date.order",
                "a plan is evaluated after it was made",
            ));
        }
    }
    r.findings
}

/// Findings about one coordination meeting (paths relative to it).
pub fn validate_meeting(m: &CoordinationMeeting) -> Vec<Finding> {
    let mut r = Findings::new();
    if m.meeting_type.code == MeetingType::Other && text_missing(m.meeting_type.text.as_deref()) {
        r.push(Finding::error(
            "type.text",
            "codelist.text_required",
            "a meeting of type \"other\" needs a text saying what it was",
        ));
    }
    let mut seen = HashSet::new();
    for (j, a) in m.agencies.iter().enumerate() {
        if a.code == Agency::Other {
            if text_missing(a.text.as_deref()) {
                r.push(Finding::error(
                    format!("agencies[{j}].text"),
                    "codelist.text_required",
                    "an \"other\" agency needs a text saying which",
                ));
            }
        } else if !seen.insert(a.code) {
            r.push(Finding::warning(
                format!("agencies[{j}]"),
                "meeting.duplicate_agency",
                format!("{:?} is listed twice", a.code),
            ));
        }
    }
    r.findings
}
