//! Every rule trial data must satisfy, in one place. [`crate::Trial::from_data`] refuses data
//! with errors and [`crate::Trial::apply`] refuses an event whose result breaks a rule, so the
//! workflow and the JSON reader cannot disagree. The rules themselves are in [`crate::rules`].

use std::collections::HashSet;

use barnvern_core::{Finding, Findings};

use crate::contact::ContactStatus;
use crate::enrolment::{WithdrawalReason, WithdrawalScope};
use crate::family::FamilyRecord;
use crate::programme::ProgrammeDefinition;
use crate::questionnaire::UserInstrument;
use crate::rules::{self, Refusal};
use crate::trial::TrialData;
use crate::waves::{WaveDefinition, WaveOutcome, WaveRecord};

fn finding(path: String, r: Refusal) -> Finding {
    Finding::error(path, r.code, r.message)
}

/// All findings about trial data.
pub fn validate(data: &TrialData) -> Findings {
    let mut r = Findings::new();
    let programme = &data.programme;
    r.extend_under("programme", programme.validate().findings);
    r.extend_under("design.randomisation", data.design.randomisation.validate());
    r.extend_under("design", crate::site::validate_sites(&data.design.sites));
    if data.design.randomisation.by_site() && data.design.sites.is_empty() {
        r.push(Finding::error(
            "design.randomisation.strata",
            "fp.no_sites",
            "the design stratifies by site but lists no sites",
        ));
    }
    let mut ids = HashSet::new();
    for (i, u) in data.design.instruments.iter().enumerate() {
        let id = u.instrument().id();
        if barnvern_outcomes::builtin(id).is_some() || !ids.insert(id) {
            r.push(Finding::error(
                format!("design.instruments[{i}].id"),
                "fp.duplicate_instrument",
                format!(
                    "{id} is already an instrument (built-in or earlier in the list): give the \
                     trial's own definition an id of its own"
                ),
            ));
        }
    }
    let mut months = HashSet::new();
    for (i, w) in data.design.waves.iter().enumerate() {
        if !months.insert(w.month) {
            r.push(Finding::error(
                format!("design.waves[{i}].month"),
                "fp.duplicate_wave",
                "two waves at the same month",
            ));
        }
    }
    if !months.contains(&data.design.primary_wave) {
        r.push(Finding::error(
            "design.primary_wave",
            "fp.unknown_wave",
            "the primary wave is not one of the waves",
        ));
    }

    let mut seen = HashSet::new();
    let mut sequences: Vec<u32> = Vec::new();
    for (i, f) in data.families.iter().enumerate() {
        let path = format!("families[{i}]");
        if !seen.insert(&f.family) {
            r.push(Finding::error(
                format!("{path}.family"),
                "fp.duplicate_family",
                format!("family {} appears twice", f.family),
            ));
        }
        match &f.site {
            None if !data.design.sites.is_empty() => r.push(Finding::error(
                format!("{path}.site"),
                "fp.no_site",
                "the trial lists sites: every family names the site that recruited it",
            )),
            Some(s) if data.design.site(s).is_none() => r.push(Finding::error(
                format!("{path}.site"),
                "fp.unknown_site",
                format!("{s} is not one of the trial's sites"),
            )),
            _ => {}
        }
        if let Some(a) = &f.allocation {
            sequences.push(a.sequence);
            let expected = data.design.randomisation.stratum_of(
                f.site.as_ref(),
                f.screening.as_ref().map(|s| s.child_age_years),
            );
            match expected {
                Ok(stratum) if stratum == a.stratum => {}
                Ok(stratum) => r.push(Finding::error(
                    format!("{path}.allocation.stratum"),
                    "fp.wrong_stratum",
                    format!(
                        "the allocation's stratum is {}, the family's under the design is {}",
                        a.stratum.as_ref().map_or("none", |s| s.as_str()),
                        stratum.as_ref().map_or("none", |s| s.as_str()),
                    ),
                )),
                Err(m) => r.push(Finding::error(
                    format!("{path}.allocation.stratum"),
                    "fp.no_stratum",
                    m,
                )),
            }
        }
        r.extend_under(
            &path,
            validate_family_with(
                f,
                programme,
                &data.design.waves,
                &data.design.instruments,
                &data.families,
                i,
            )
            .findings,
        );
    }
    sequences.sort_unstable();
    if sequences
        .iter()
        .enumerate()
        .any(|(i, s)| usize::try_from(*s).ok() != Some(i + 1))
    {
        r.push(Finding::error(
            "families",
            "fp.sequence_gap",
            "allocation sequence numbers must be 1, 2, 3, ... without gaps or repeats",
        ));
    }
    r
}

/// Findings about one family, with paths relative to its record (`contacts[2].on`).
///
/// `peers` are the trial's families and `index` this family's place among them, for the
/// caseload cap (only enrolments accepted before this one count); a family checked on its own,
/// as inside a case bundle, passes `&[]` and the cap is checked when the trial is loaded.
pub fn validate_family(
    f: &FamilyRecord,
    programme: &ProgrammeDefinition,
    waves: &[WaveDefinition],
    peers: &[FamilyRecord],
    index: usize,
) -> Findings {
    validate_family_with(f, programme, waves, &[], peers, index)
}

/// [`validate_family`] with the trial's own instrument definitions (the design's
/// `instruments`), which the family's questionnaires may use besides the built-in ones.
pub fn validate_family_with(
    f: &FamilyRecord,
    programme: &ProgrammeDefinition,
    waves: &[WaveDefinition],
    instruments: &[UserInstrument],
    peers: &[FamilyRecord],
    index: usize,
) -> Findings {
    let mut r = Findings::new();
    let i = index;
    if let Some(s) = &f.screening
        && s.on < f.approached_on
    {
        r.push(Finding::error(
            "screening.on".to_owned(),
            "date.order",
            "a family is screened after it is approached",
        ));
    }
    if let Some(a) = &f.allocation {
        let mut before = f.clone();
        before.allocation = None;
        before.enrolment = None;
        if let Err(e) = rules::check_randomise(&before, programme, a.on) {
            r.push(finding("allocation".to_owned(), e));
        }
    }
    if let Some(e) = &f.enrolment {
        let mut before = f.clone();
        before.enrolment = None;
        // Withdrawals after the start do not undo an enrolment.
        before.withdrawals.retain(|w| w.on < e.started_on);
        // Only enrolments made before this one count against the cap: an earlier start, or
        // the same start earlier in the list (the order the workflow accepted them).
        let earlier = peers.iter().enumerate().filter(|(k, o)| {
            o.enrolment
                .as_ref()
                .is_some_and(|oe| (oe.started_on, *k) < (e.started_on, i))
        });
        if let Err(x) = rules::check_enrol(&before, e, earlier.map(|(_, o)| o), programme) {
            r.push(finding("enrolment".to_owned(), x));
        }
        let d = programme.duration;
        let within = |m: u32| barnvern_core::dates::add_months(e.started_on, m);
        if within(d.min_months).is_some_and(|min| e.planned_end < min)
            || within(d.max_months).is_some_and(|max| e.planned_end > max)
        {
            r.push(Finding::warning(
                "enrolment.planned_end".to_owned(),
                "fp.duration_outside_programme",
                format!(
                    "the planned duration is outside the programme's {}-{} months",
                    d.min_months, d.max_months
                ),
            ));
        }
    }
    let mut contact_ids = HashSet::new();
    for (j, c) in f.contacts.iter().enumerate() {
        let cpath = format!("contacts[{j}]");
        if !contact_ids.insert(&c.id) {
            r.push(Finding::error(
                format!("{cpath}.id"),
                "fp.duplicate_id",
                format!("two contacts have the id {}", c.id),
            ));
        }
        if let Err(x) = rules::check_activity(f, programme, c.on) {
            r.push(finding(format!("{cpath}.on"), x));
        }
        for (k, comp) in c.components.iter().enumerate() {
            if programme.component(comp).is_none() {
                r.push(Finding::error(
                    format!("{cpath}.components[{k}]"),
                    "fp.unknown_component",
                    format!("component {comp:?} is not in the programme definition"),
                ));
            }
        }
    }
    for (j, s) in f.guidance_sessions.iter().enumerate() {
        let spath = format!("guidance_sessions[{j}]");
        match f.contacts.iter().find(|c| c.id == s.contact_id) {
            None => r.push(Finding::error(
                format!("{spath}.contact_id"),
                "fp.unknown_contact",
                "no contact has this id",
            )),
            Some(c) if c.status != ContactStatus::Delivered => r.push(Finding::error(
                format!("{spath}.contact_id"),
                "fp.contact_not_delivered",
                "a guidance session is held in a delivered contact",
            )),
            Some(_) => {}
        }
        if !programme.guidance_modules.is_empty()
            && !programme.guidance_modules.iter().any(|m| m.id == s.module)
        {
            r.push(Finding::error(
                format!("{spath}.module"),
                "fp.unknown_module",
                format!("module {:?} is not in the programme definition", s.module),
            ));
        }
    }
    for (j, a) in f.coordination.iter().enumerate() {
        if let Err(x) = rules::check_activity(f, programme, a.on) {
            r.push(finding(format!("coordination[{j}].on"), x));
        }
    }
    for (j, goal) in f.goals.iter().enumerate() {
        let gpath = format!("goals[{j}]");
        if let Err(x) = rules::check_activity(f, programme, goal.set_on) {
            r.push(finding(format!("{gpath}.set_on"), x));
        }
        let mut previous = goal.set_on;
        for (k, review) in goal.reviews.iter().enumerate() {
            if review.on < previous {
                r.push(Finding::error(
                    format!("{gpath}.reviews[{k}].on"),
                    "date.order",
                    "reviews are in date order, after the goal was set",
                ));
            }
            previous = review.on;
            if let Err(x) = rules::check_activity(f, programme, review.on) {
                r.push(finding(format!("{gpath}.reviews[{k}].on"), x));
            }
        }
    }
    withdrawals(f, &mut r);
    r.findings.extend(crate::interview::check(f));
    let mut seen_waves = HashSet::new();
    for (j, w) in f.waves.iter().enumerate() {
        let wpath = format!("waves[{j}]");
        if !seen_waves.insert(w.wave) {
            r.push(Finding::error(
                format!("{wpath}.wave"),
                "fp.wave_already_recorded",
                "the wave is recorded twice",
            ));
        }
        questionnaires(w, &wpath, instruments, &mut r);
        if let Err(x) = rules::check_wave(f, programme, w.wave, w.on, waves) {
            r.push(finding(wpath.clone(), x));
            continue;
        }
        let window = waves
            .iter()
            .find(|d| d.month == w.wave)
            .zip(f.allocation.as_ref())
            .and_then(|(d, a)| d.window(a.on));
        if let Some((open, close)) = window
            && (w.on < open || w.on > close)
        {
            r.push(Finding::warning(
                format!("{wpath}.on"),
                "fp.wave_outside_window",
                format!("collected outside the window {open} to {close}"),
            ));
        }
    }
    r
}

/// A wave's questionnaires: each checked against its instrument and the wave's date
/// ([`crate::Questionnaire::check`]), at most one per instrument and informant, none at a
/// missed wave.
fn questionnaires(w: &WaveRecord, wpath: &str, instruments: &[UserInstrument], r: &mut Findings) {
    if w.outcome == WaveOutcome::Missed && !w.questionnaires.is_empty() {
        r.push(Finding::error(
            format!("{wpath}.questionnaires"),
            "fp.questionnaire_at_missed_wave",
            "a wave recorded as missed has no questionnaires",
        ));
    }
    let mut seen = HashSet::new();
    for (k, q) in w.questionnaires.iter().enumerate() {
        let qpath = format!("{wpath}.questionnaires[{k}]");
        if !seen.insert((q.instrument.as_str(), q.informant)) {
            r.push(Finding::error(
                format!("{qpath}.instrument"),
                "fp.duplicate_questionnaire",
                format!(
                    "{} answered by the {} is recorded twice at this wave",
                    q.instrument, q.informant
                ),
            ));
        }
        r.extend_under(&qpath, q.check_with(w.on, instruments).findings);
    }
}

fn withdrawals(f: &FamilyRecord, r: &mut Findings) {
    if !f.withdrawals.is_empty() && !f.consented() {
        r.push(Finding::error(
            "withdrawals",
            "fp.no_consent",
            "only a family that consented can withdraw",
        ));
    }
    for (j, w) in f.withdrawals.iter().enumerate() {
        let wpath = format!("withdrawals[{j}]");
        if j > 0 {
            let prev = &f.withdrawals[j - 1];
            if prev.scope == WithdrawalScope::Study
                || w.scope != WithdrawalScope::Study
                || w.on < prev.on
                || j > 1
            {
                r.push(Finding::error(wpath.clone(), "fp.already_withdrawn", "a withdrawal from the intervention may be followed only by a later one from the study"));
            }
        }
        if w.reason.code == WithdrawalReason::Other
            && w.reason.text.as_deref().is_none_or(|t| t.trim().is_empty())
        {
            r.push(Finding::error(
                format!("{wpath}.reason.text"),
                "codelist.text_required",
                "a withdrawal for \"other\" reasons needs a text saying why",
            ));
        }
    }
}
