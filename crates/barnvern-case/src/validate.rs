//! Every rule a case bundle must satisfy, in one place. [`crate::Case::from_data`] refuses a
//! bundle with errors, and [`crate::Case::apply`] refuses an event whose result breaks a rule,
//! so the workflow and the JSON reader cannot disagree.

use std::collections::HashSet;
use std::fmt;
use std::hash::Hash;

use barnvern_core::codelist::{SourceCode, builtin, check_coded, check_source_code};
use barnvern_core::{Finding, Findings, ItemPath, Jurisdiction, LegalBasis, municipality};
use chrono::NaiveDate;

use crate::case::CaseData;
use crate::deadlines;
use crate::decision::ClaimOutcome;
use crate::follow_up::{AftercareOutcome, FollowUpKind};
use crate::investigation::Investigation;
use crate::placement::{SSB_MOVE_FROM_SYSTEM, SSB_MOVE_TO_SYSTEM};
use crate::reporter::{self, ReporterCategory};
use crate::risk::RiskMethod;
use crate::violence::{ViolenceDisclosure, ViolenceExposure};

/// All findings about a case bundle.
pub fn validate(case: &CaseData) -> Findings {
    let mut r = Findings::new();
    header(case, &mut r);
    people(case, &mut r);
    referrals(case, &mut r);
    assessments(case, &mut r);
    screenings(case, &mut r);
    investigations(case, &mut r);
    decisions(case, &mut r);
    interventions(case, &mut r);
    family_partner(case, &mut r);
    closures(case, &mut r);
    follow_ups(case, &mut r);
    reporting_records(case, &mut r);
    r
}

fn unique<'a, K: Eq + Hash + std::fmt::Display + 'a>(
    list: &str,
    ids: impl Iterator<Item = &'a K>,
    r: &mut Findings,
) {
    let mut seen = HashSet::new();
    for (i, id) in ids.enumerate() {
        if !seen.insert(id) {
            r.push(Finding::error(
                format!("{list}[{i}].id"),
                "case.duplicate_id",
                format!("{list} has two records with this id"),
            ));
        }
    }
}

fn header(case: &CaseData, r: &mut Findings) {
    if let Err(finding) = municipality::lookup(
        case.jurisdiction,
        case.municipality.as_str(),
        Some(case.opened_on),
    ) {
        r.push(finding.under("municipality"));
    }
    if let barnvern_core::PersonIdentity::NationalId(pid) = &case.child.identity
        && let Some(birth) = pid.birth_date()
        && birth > case.opened_on
    {
        // Ordinary for an unborn child, who is Unregistered; a registered child is born.
        r.push(Finding::warning(
            "child.identity",
            "case.child_born_after_opening",
            "the identity number's date part is after the case was opened",
        ));
    }
}

fn people(case: &CaseData, r: &mut Findings) {
    let mut seen = HashSet::new();
    for (i, p) in case.people.iter().enumerate() {
        if !seen.insert(&p.person_ref) {
            r.push(Finding::error(
                format!("people[{i}].person_ref"),
                "case.duplicate_id",
                "two people have this reference".to_owned(),
            ));
        }
    }
}

fn referrals(case: &CaseData, r: &mut Findings) {
    unique("referrals", case.referrals.iter().map(|x| &x.id), r);
    for (i, referral) in case.referrals.iter().enumerate() {
        let path = ItemPath::new("referrals", i);
        let on = referral.received_on();
        r.findings.extend(check_coded(
            &format_args!("{path}.reporter"),
            &referral.reporter,
            |system, code| match system {
                reporter::SSB_SYSTEM => Some(ReporterCategory::from_ssb_code(code)),
                reporter::SE_SYSTEM => Some(ReporterCategory::from_se_code(code)),
                _ => None,
            },
            on,
        ));
        if referral.reporter.code.requires_text()
            && referral
                .reporter
                .text
                .as_deref()
                .is_none_or(|t| t.trim().is_empty())
        {
            r.push(Finding::error(
                format!("{path}.reporter.text"),
                "codelist.text_required",
                "a reporter of category \"other public agency\" needs a text saying which agency",
            ));
        }
        for (j, reason) in referral.reasons.iter().enumerate() {
            r.findings.extend(check_source_code(
                &format_args!("{path}.reasons[{j}]"),
                reason,
                on,
            ));
        }
        for (j, v) in referral.violence.iter().enumerate() {
            exposure(case, &format_args!("{path}.violence[{j}]"), v, r);
        }
        if referral.received_at > referral.provenance.recorded_at {
            r.push(Finding::error(
                format!("{path}.received_at"),
                "date.after_recorded",
                "a referral cannot be received after it was recorded",
            ));
        }
    }
}

fn referral_date(case: &CaseData, id: &crate::ids::ReferralId) -> Option<NaiveDate> {
    case.referrals
        .iter()
        .find(|x| &x.id == id)
        .map(|x| x.received_on())
}

fn unknown_referral(path: String, _id: &crate::ids::ReferralId) -> Finding {
    Finding::error(
        path,
        "case.unknown_reference",
        "no referral has this id".to_owned(),
    )
}

fn assessments(case: &CaseData, r: &mut Findings) {
    unique(
        "protection_assessments",
        case.protection_assessments.iter().map(|x| &x.id),
        r,
    );
    for (i, a) in case.protection_assessments.iter().enumerate() {
        let path = ItemPath::new("protection_assessments", i);
        match case.referrals.iter().find(|x| x.id == a.referral_id) {
            None => r.push(unknown_referral(
                format!("{path}.referral_id"),
                &a.referral_id,
            )),
            Some(referral) if a.assessed_at < referral.received_at => r.push(Finding::error(
                format!("{path}.assessed_at"),
                "date.order",
                "a protection assessment cannot come before the referral was received",
            )),
            Some(_) => {}
        }
    }
}

fn screenings(case: &CaseData, r: &mut Findings) {
    unique("screenings", case.screenings.iter().map(|x| &x.id), r);
    let mut screened = HashSet::new();
    for (i, s) in case.screenings.iter().enumerate() {
        let path = ItemPath::new("screenings", i);
        if !screened.insert(&s.referral_id) {
            r.push(Finding::error(
                format!("{path}.referral_id"),
                "workflow.already_screened",
                "the referral has already been screened".to_owned(),
            ));
        }
        match referral_date(case, &s.referral_id) {
            None => r.push(unknown_referral(
                format!("{path}.referral_id"),
                &s.referral_id,
            )),
            Some(received) if s.decided_on < received => r.push(Finding::error(
                format!("{path}.decided_on"),
                "date.order",
                "a screening cannot be decided before the referral was received",
            )),
            Some(_) => {}
        }
        r.findings.extend(check_coded(
            &format_args!("{path}.outcome"),
            &s.outcome,
            |system, code| {
                (system == "no.ssb.barnevern.melding-konklusjon")
                    .then(|| crate::screening::ScreeningOutcome::from_ssb_code(code))
            },
            s.decided_on,
        ));
        // Violence by or against a närstående should be investigated without delay: a rule
        // row with its source and validity (data/violence-rules.json).
        if s.outcome.code.closes_without_investigation()
            && let Some(referral) = case.referrals.iter().find(|x| x.id == s.referral_id)
            && let Some(finding) = crate::violence_rules::ViolenceRules::builtin().check_screening(
                case.jurisdiction,
                s.decided_on,
                &referral.violence,
                format!("{path}.outcome"),
            )
        {
            r.push(finding);
        }
    }
}

fn investigations(case: &CaseData, r: &mut Findings) {
    unique(
        "investigations",
        case.investigations.iter().map(|x| &x.id),
        r,
    );
    let mut opened_by = HashSet::new();
    for (i, inv) in case.investigations.iter().enumerate() {
        let path = ItemPath::new("investigations", i);
        if let Some(sid) = &inv.screening_id {
            if !opened_by.insert(sid) {
                r.push(Finding::error(
                    format!("{path}.screening_id"),
                    "workflow.screening_already_used",
                    "the screening already opened another investigation".to_owned(),
                ));
            }
            match case.screenings.iter().find(|s| &s.id == sid) {
                None => r.push(Finding::error(
                    format!("{path}.screening_id"),
                    "case.unknown_reference",
                    "no screening has this id".to_owned(),
                )),
                Some(s)
                    if s.outcome.code != crate::screening::ScreeningOutcome::OpenInvestigation =>
                {
                    r.push(Finding::error(
                        format!("{path}.screening_id"),
                        "workflow.screening_did_not_open",
                        "the screening decided not to open an investigation".to_owned(),
                    ))
                }
                Some(s) if inv.started_on < s.decided_on => r.push(Finding::error(
                    format!("{path}.started_on"),
                    "date.order",
                    "an investigation cannot start before the screening that opened it",
                )),
                Some(_) => {}
            }
        }
        for (j, rid) in inv.referral_ids.iter().enumerate() {
            match referral_date(case, rid) {
                None => r.push(unknown_referral(format!("{path}.referral_ids[{j}]"), rid)),
                Some(received) if inv.started_on < received => r.push(Finding::error(
                    format!("{path}.started_on"),
                    "date.order",
                    "an investigation cannot start before a referral it covers was received",
                )),
                Some(_) => {}
            }
        }
        if let Some(plan) = &inv.plan
            && plan.made_on < inv.started_on
        {
            r.push(Finding::error(
                format!("{path}.plan.made_on"),
                "date.order",
                "the investigation plan cannot be made before the investigation starts",
            ));
        }
        let mut previous_due = None;
        for (j, ext) in inv.extensions.iter().enumerate() {
            let epath = ItemPath::under(&path, "extensions", j);
            if ext.decided_on < inv.started_on
                || inv.concluded_on.is_some_and(|c| ext.decided_on > c)
            {
                r.push(Finding::error(
                    format!("{epath}.decided_on"),
                    "date.order",
                    "an extension is decided while the investigation is under way",
                ));
            }
            if ext.reason.trim().is_empty() {
                r.push(Finding::error(
                    format!("{epath}.reason"),
                    "workflow.extension_without_reason",
                    "an extension needs the reason it was granted",
                ));
            }
            if previous_due.is_some_and(|d| ext.new_due <= d) || ext.new_due <= inv.started_on {
                r.push(Finding::error(
                    format!("{epath}.new_due"),
                    "date.order",
                    "an extension moves the due date later",
                ));
            }
            previous_due = Some(ext.new_due);
        }
        r.extend_under(&path, deadlines::check_extensions(case, inv));
        for (j, p) in inv.child_participation.iter().enumerate() {
            let cpath = ItemPath::under(&path, "child_participation", j);
            r.findings.extend(check_coded(
                &cpath,
                p,
                |system, code| {
                    (system == "no.ssb.barnevern.barnets-medvirkning").then(|| {
                        use crate::investigation::ChildParticipation as C;
                        [
                            C::Conversation,
                            C::Representative,
                            C::Observation,
                            C::OtherExpression,
                            C::NotGivenOpportunity,
                            C::Declined,
                        ]
                        .into_iter()
                        .find(|c| c.ssb_code() == code)
                    })
                },
                inv.concluded_on.unwrap_or(inv.started_on),
            ));
        }
        disclosures(
            case,
            &path,
            &inv.violence,
            inv.started_on,
            inv.concluded_on,
            "an investigation",
            r,
        );
        risk_assessments(&path, inv, r);
        match (&inv.concluded_on, &inv.conclusion) {
            (Some(c), Some(conclusion)) => {
                if *c < inv.started_on {
                    r.push(Finding::error(
                        format!("{path}.concluded_on"),
                        "workflow.conclusion_before_start",
                        "an investigation cannot conclude before it starts",
                    ));
                }
                r.findings.extend(check_coded(
                    &format_args!("{path}.conclusion"),
                    conclusion,
                    |system, code| {
                        (system == "no.ssb.barnevern.undersokelse-konklusjon").then(|| {
                            crate::investigation::InvestigationConclusion::from_ssb_code(code)
                        })
                    },
                    *c,
                ));
            }
            (None, None) => {}
            (Some(_), None) => r.push(Finding::error(
                format!("{path}.conclusion"),
                "json.missing_field",
                "a concluded investigation needs its conclusion",
            )),
            (None, Some(_)) => r.push(Finding::error(
                format!("{path}.concluded_on"),
                "json.missing_field",
                "an investigation with a conclusion needs the date it concluded",
            )),
        }
    }
}

/// One violence exposure, wherever it is recorded: its own rules and its perpetrator among the
/// case's people.
fn exposure(case: &CaseData, vpath: &dyn fmt::Display, v: &ViolenceExposure, r: &mut Findings) {
    r.extend_under(vpath, v.validate());
    if let Some(p) = &v.perpetrator
        && !case.people.iter().any(|x| &x.person_ref == p)
    {
        r.push(Finding::error(
            format!("{vpath}.perpetrator"),
            "case.unknown_reference",
            "no person in people has this reference".to_owned(),
        ));
    }
}

/// Violence disclosed after the referral, dated within `from ..= to` (the investigation's run,
/// or the follow-up's day).
fn disclosures(
    case: &CaseData,
    path: &dyn fmt::Display,
    list: &[ViolenceDisclosure],
    from: NaiveDate,
    to: Option<NaiveDate>,
    what: &str,
    r: &mut Findings,
) {
    for (j, d) in list.iter().enumerate() {
        let dpath = ItemPath::under(&path, "violence", j);
        if d.disclosed_on < from || to.is_some_and(|t| d.disclosed_on > t) {
            r.push(Finding::error(
                format!("{dpath}.disclosed_on"),
                "date.order",
                format!("violence recorded on {what} is dated within it"),
            ));
        }
        exposure(case, &format_args!("{dpath}.exposure"), &d.exposure, r);
    }
}

/// Risk assessments of an investigation: dated within its run; `other` names the method.
fn risk_assessments(path: &dyn fmt::Display, inv: &Investigation, r: &mut Findings) {
    for (j, a) in inv.risk_assessments.iter().enumerate() {
        let apath = ItemPath::under(&path, "risk_assessments", j);
        if a.assessed_on < inv.started_on || inv.concluded_on.is_some_and(|c| a.assessed_on > c) {
            r.push(Finding::error(
                format!("{apath}.assessed_on"),
                "date.order",
                "a risk assessment of an investigation is made while it is under way",
            ));
        }
        if a.method.code == RiskMethod::Other
            && a.method.text.as_deref().is_none_or(|t| t.trim().is_empty())
        {
            r.push(Finding::error(
                format!("{apath}.method.text"),
                "codelist.text_required",
                "a risk assessment by another method needs a text naming the method",
            ));
        }
        if a.provenance.recorded_at.date_naive() < a.assessed_on {
            r.push(Finding::error(
                format!("{apath}.assessed_on"),
                "date.after_recorded",
                "a risk assessment cannot be made after it was recorded",
            ));
        }
    }
}

fn legal_basis(
    path: &dyn fmt::Display,
    basis: &LegalBasis,
    jurisdiction: Jurisdiction,
    r: &mut Findings,
) {
    r.extend_under(path, basis.validate());
    if basis.law.jurisdiction() != jurisdiction {
        r.push(Finding::error(
            format!("{path}.law"),
            "legal_basis.jurisdiction",
            format!("{} is not a law of {jurisdiction}", basis.law),
        ));
    }
}

fn decisions(case: &CaseData, r: &mut Findings) {
    unique("decisions", case.decisions.iter().map(|x| &x.id), r);
    for (i, d) in case.decisions.iter().enumerate() {
        let path = ItemPath::new("decisions", i);
        legal_basis(
            &format_args!("{path}.legal_basis"),
            &d.legal_basis,
            case.jurisdiction,
            r,
        );
        if let Some(iid) = &d.investigation_id {
            match case.investigations.iter().find(|x| &x.id == iid) {
                None => r.push(Finding::error(
                    format!("{path}.investigation_id"),
                    "case.unknown_reference",
                    "no investigation has this id".to_owned(),
                )),
                Some(inv) if d.decided_on < inv.started_on => r.push(Finding::error(
                    format!("{path}.decided_on"),
                    "date.order",
                    "a decision cannot follow an investigation that had not started",
                )),
                Some(_) => {}
            }
        }
        let mut previous = d.decided_on;
        for (j, s) in d.status_history.iter().enumerate() {
            let spath = ItemPath::under(&path, "status_history", j);
            if s.on < previous {
                r.push(Finding::error(
                    format!("{spath}.on"),
                    "date.order",
                    "status changes are in date order, on or after the decision",
                ));
            }
            previous = s.on;
            r.findings.extend(check_coded(
                &format_args!("{spath}.status"),
                &s.status,
                |system, code| {
                    (system == "no.ssb.barnevern.vedtak-status")
                        .then(|| crate::decision::DecisionStatus::from_ssb_code(code))
                },
                s.on,
            ));
        }
    }
}

/// Interventions, plans and meetings: their own rules (in `barnvern-intervention`), then their
/// references into the case.
fn interventions(case: &CaseData, r: &mut Findings) {
    r.findings.extend(
        barnvern_intervention::validate(
            case.jurisdiction,
            &case.interventions,
            &case.plans,
            &case.meetings,
        )
        .findings,
    );
    for (i, iv) in case.interventions.iter().enumerate() {
        let path = ItemPath::new("interventions", i);
        if let barnvern_intervention::InterventionBasis::Decision {
            decision_id: Some(did),
            ..
        } = &iv.basis
            && !case.decisions.iter().any(|d| &d.id == did)
        {
            r.push(Finding::error(
                format!("{path}.basis.decision_id"),
                "case.unknown_reference",
                "no decision has this id".to_owned(),
            ));
        }
        for (j, c) in iv.consents.iter().enumerate() {
            if !case.people.iter().any(|p| p.person_ref == c.person) {
                r.push(Finding::error(
                    format!("{path}.consents[{j}].person"),
                    "case.unknown_reference",
                    "no person in people has this reference".to_owned(),
                ));
            }
        }
    }
}

/// The family's Family Partner records, checked against the programme definition they follow
/// when barnvern ships it; trial-wide rules (caseload cap, allocation sequence) are checked
/// where the whole trial is loaded.
fn family_partner(case: &CaseData, r: &mut Findings) {
    let Some(fp) = &case.family_partner else {
        return;
    };
    let site_code = fp.site.as_ref().map(|s| &s.code);
    if site_code != fp.family.site.as_ref() {
        r.push(Finding::error(
            "family_partner.site",
            "fp.site_mismatch",
            "the participation's site and the family record's site must name the same site",
        ));
    }
    if let Some(site) = &fp.site {
        r.extend_under(
            "family_partner",
            barnvern_familypartner::site::validate_sites(std::slice::from_ref(site))
                .into_iter()
                .map(|mut i| {
                    i.path = i.path.replacen("sites[0]", "site", 1);
                    i
                })
                .collect::<Vec<_>>(),
        );
    }
    match barnvern_familypartner::ProgrammeDefinition::builtin_default() {
        Ok(programme) if programme.id == fp.programme_id => {
            let waves = barnvern_familypartner::WaveDefinition::fampart();
            r.extend_under(
                "family_partner.family",
                barnvern_familypartner::validate::validate_family_with(
                    &fp.family,
                    programme,
                    &waves,
                    &fp.instruments,
                    &[],
                    0,
                )
                .findings,
            );
        }
        _ => {
            r.push(Finding::warning(
                "family_partner.programme_id",
                "fp.programme_not_shipped",
                format!(
                    "programme {} is not shipped with barnvern: the family's records are checked when its trial is loaded",
                    barnvern_core::identifier::echo(&fp.programme_id)
                ),
            ));
            // What reaches the research tables as it is must hold without the trial's
            // definitions: the item names of the questionnaires.
            for (i, wave) in fp.family.waves.iter().enumerate() {
                for (j, q) in wave.questionnaires.iter().enumerate() {
                    r.extend_under(
                        &format_args!("family_partner.family.waves[{i}].questionnaires[{j}]"),
                        q.check_item_names().findings,
                    );
                }
            }
        }
    }
}

/// The date ranges in which the case was closed: (closed_on, reopened_on).
fn closed_periods(case: &CaseData) -> impl Iterator<Item = (NaiveDate, Option<NaiveDate>)> + '_ {
    case.closures.iter().map(|c| (c.closed_on, c.reopened_on))
}

/// Whether `date` falls after a closure and before the reopening.
pub(crate) fn closed_on(case: &CaseData, date: NaiveDate) -> Option<NaiveDate> {
    closed_periods(case)
        .find(|(closed, reopened)| date > *closed && reopened.is_none_or(|r| date < r))
        .map(|(closed, _)| closed)
}

fn closures(case: &CaseData, r: &mut Findings) {
    let mut previous: Option<NaiveDate> = Some(case.opened_on);
    let last = case.closures.len().saturating_sub(1);
    for (i, c) in case.closures.iter().enumerate() {
        let path = ItemPath::new("closures", i);
        if previous.is_some_and(|p| c.closed_on < p) {
            r.push(Finding::error(
                format!("{path}.closed_on"),
                "date.order",
                "a case closes after it was opened or last reopened",
            ));
        }
        match c.reopened_on {
            Some(reopened) if reopened < c.closed_on => r.push(Finding::error(
                format!("{path}.reopened_on"),
                "date.order",
                "a case is reopened after it was closed",
            )),
            None if i != last => r.push(Finding::error(
                format!("{path}.reopened_on"),
                "workflow.case_closed",
                "a case closed again must have been reopened in between",
            )),
            _ => {}
        }
        previous = c.reopened_on;
        if c.reason.code == crate::follow_up::ClosureReason::Other
            && c.reason.text.as_deref().is_none_or(|t| t.trim().is_empty())
        {
            r.push(Finding::error(
                format!("{path}.reason.text"),
                "codelist.text_required",
                "a closure for \"other\" reasons needs a text saying why",
            ));
        }
    }
    // A closed case takes no new investigation steps or decisions unless reopened.
    let mut refuse = |path: String, date: NaiveDate, what: &str| {
        if let Some(closed) = closed_on(case, date) {
            r.push(Finding::error(
                path,
                "workflow.case_closed",
                format!(
                    "{what} on {date} while the case was closed (closed {closed}, not reopened)"
                ),
            ));
        }
    };
    for (i, inv) in case.investigations.iter().enumerate() {
        refuse(
            format!("investigations[{i}].started_on"),
            inv.started_on,
            "an investigation starts",
        );
        for (j, e) in inv.extensions.iter().enumerate() {
            refuse(
                format!("investigations[{i}].extensions[{j}].decided_on"),
                e.decided_on,
                "an extension is decided",
            );
        }
    }
    for (i, d) in case.decisions.iter().enumerate() {
        refuse(
            format!("decisions[{i}].decided_on"),
            d.decided_on,
            "a decision is made",
        );
    }
}

fn follow_ups(case: &CaseData, r: &mut Findings) {
    unique("follow_ups", case.follow_ups.iter().map(|x| &x.id), r);
    for (i, f) in case.follow_ups.iter().enumerate() {
        if f.on < case.opened_on {
            r.push(Finding::error(
                format!("follow_ups[{i}].on"),
                "date.order",
                "a follow-up cannot come before the case was opened",
            ));
        }
        disclosures(
            case,
            &format_args!("follow_ups[{i}]"),
            &f.violence,
            f.on,
            Some(f.on),
            "a follow-up",
            r,
        );
    }
}

/// A code with the free text its list may require (SSB `Presisering`): the code against its
/// built-in list, and the text where the list says "krever presisering".
fn coded_reason(
    path: &dyn fmt::Display,
    code: &SourceCode,
    text: Option<&str>,
    on: NaiveDate,
    r: &mut Findings,
) {
    r.findings.extend(check_source_code(path, code, on));
    if let Some(entry) = builtin(code.system()).and_then(|l| l.get(code.code()))
        && let Err(finding) = entry.check_text(text)
    {
        r.push(Finding {
            path: format!("{path}.text"),
            ..finding
        });
    }
}

/// The records of Norway's national reporting (SSB): decision grounds, extension
/// applications, decision end dates and claims, board referrals, moves, aftercare conclusions;
/// and what a source format keeps verbatim.
fn reporting_records(case: &CaseData, r: &mut Findings) {
    for (i, inv) in case.investigations.iter().enumerate() {
        let path = ItemPath::new("investigations", i);
        let on = inv.concluded_on.unwrap_or(inv.started_on);
        for (j, g) in inv.decision_grounds.iter().enumerate() {
            coded_reason(
                &format_args!("{path}.decision_grounds[{j}].code"),
                &g.code,
                g.text.as_deref(),
                on,
                r,
            );
        }
        for (j, e) in inv.extensions.iter().enumerate() {
            if let Some(a) = e.applied_on
                && a > e.decided_on
            {
                r.push(Finding::error(
                    format!("{path}.extensions[{j}].applied_on"),
                    "date.order",
                    "an extension is applied for before it is decided",
                ));
            }
        }
    }
    for (i, d) in case.decisions.iter().enumerate() {
        let path = ItemPath::new("decisions", i);
        if let Some(end) = d.ended_on
            && end < d.decided_on
        {
            r.push(Finding::error(
                format!("{path}.ended_on"),
                "date.order",
                "a decision cannot end before it is made",
            ));
        }
        for (j, c) in d.claims.iter().enumerate() {
            let cpath = ItemPath::under(&path, "claims", j);
            if c.concluded_on.is_some_and(|e| e < c.received_on) {
                r.push(Finding::error(
                    format!("{cpath}.concluded_on"),
                    "date.order",
                    "a claim cannot be concluded before it is received",
                ));
            }
            match (&c.concluded_on, &c.outcome) {
                (Some(_), None) => r.push(Finding::error(
                    format!("{cpath}.outcome"),
                    "case.missing",
                    "a concluded claim needs its outcome",
                )),
                (None, Some(_)) => r.push(Finding::error(
                    format!("{cpath}.concluded_on"),
                    "case.missing",
                    "a claim with an outcome needs the date it was concluded",
                )),
                _ => {}
            }
            if let Some(o) = &c.outcome {
                r.findings.extend(check_coded(
                    &format_args!("{cpath}.outcome"),
                    o,
                    |system, code| {
                        (system == ClaimOutcome::SSB_SYSTEM)
                            .then(|| ClaimOutcome::from_ssb_code(code))
                    },
                    c.concluded_on.unwrap_or(c.received_on),
                ));
                if o.code == ClaimOutcome::Other
                    && o.text.as_deref().is_none_or(|t| t.trim().is_empty())
                {
                    r.push(Finding::error(
                        format!("{cpath}.outcome.text"),
                        "codelist.text_required",
                        "a claim concluded as \"other\" needs a text saying how",
                    ));
                }
            }
        }
    }
    unique(
        "board_referrals",
        case.board_referrals.iter().map(|x| &x.id),
        r,
    );
    for (i, b) in case.board_referrals.iter().enumerate() {
        let path = ItemPath::new("board_referrals", i);
        legal_basis(
            &format_args!("{path}.legal_basis"),
            &b.legal_basis,
            case.jurisdiction,
            r,
        );
        for (j, l) in b.also_under.iter().enumerate() {
            legal_basis(
                &format_args!("{path}.also_under[{j}]"),
                l,
                case.jurisdiction,
                r,
            );
        }
        if b.also_under.len() > 3 {
            r.push(Finding::error(
                format!("{path}.also_under"),
                "case.too_many",
                "at most 3 provisions are cited alongside the legal basis",
            ));
        }
        if let Some(d) = &b.decision_id
            && !case.decisions.iter().any(|x| &x.id == d)
        {
            r.push(Finding::error(
                format!("{path}.decision_id"),
                "case.unknown_reference",
                format!("no decision has the id {:?}", d.as_str()),
            ));
        }
        if b.sent_on < case.opened_on {
            r.push(Finding::error(
                format!("{path}.sent_on"),
                "date.order",
                "a case cannot be sent to the county board before it was opened",
            ));
        }
    }
    unique("moves", case.moves.iter().map(|x| &x.id), r);
    for (i, m) in case.moves.iter().enumerate() {
        let path = ItemPath::new("moves", i);
        for (what, c, system) in [
            ("reason_from", &m.reason_from, SSB_MOVE_FROM_SYSTEM),
            ("moved_to", &m.moved_to, SSB_MOVE_TO_SYSTEM),
        ] {
            let cpath = format!("{path}.{what}.code");
            if c.code.system() != system {
                r.push(Finding::error(
                    format!("{cpath}.system"),
                    "codelist.wrong_system",
                    format!("{what} is a code of {system}"),
                ));
            }
            coded_reason(&cpath, &c.code, c.text.as_deref(), m.moved_on, r);
        }
        if m.moved_on < case.opened_on {
            r.push(Finding::error(
                format!("{path}.moved_on"),
                "date.order",
                "a move cannot come before the case was opened",
            ));
        }
    }
    for (i, f) in case.follow_ups.iter().enumerate() {
        let Some(a) = &f.aftercare else {
            continue;
        };
        let path = format!("follow_ups[{i}].aftercare");
        if f.kind != FollowUpKind::Aftercare {
            r.push(Finding::error(
                path.clone(),
                "case.not_aftercare",
                "only an aftercare follow-up has an aftercare conclusion",
            ));
        }
        if a.concluded_on < f.on {
            r.push(Finding::error(
                format!("{path}.concluded_on"),
                "date.order",
                "an aftercare offer cannot be concluded before it was sent",
            ));
        }
        r.findings.extend(check_coded(
            &format_args!("{path}.outcome"),
            &a.outcome,
            |system, code| {
                (system == AftercareOutcome::SSB_SYSTEM)
                    .then(|| AftercareOutcome::from_ssb_code(code))
            },
            a.concluded_on,
        ));
    }
    for key in case.source_extensions.keys() {
        r.push(Finding::warning(
            format!("source_extensions.{key}"),
            "case.source_extensions",
            format!(
                "the bundle keeps records of the {key:?} source format verbatim: they are written \
                 back to that format but not validated, extracted or reported here"
            ),
        ));
    }
}
