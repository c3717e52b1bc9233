//! The trial's rules, each one function used both by the workflow (to refuse a step) and by
//! validation (to report imported records that break it), so the two cannot disagree.
//!
//! | code | rule |
//! |---|---|
//! | `fp.not_screened`, `fp.not_eligible`, `fp.no_consent` | no randomisation without an eligible screening and consent given, both on or before the randomisation date |
//! | `fp.already_randomised` | a family is randomised once |
//! | `fp.not_allocated_to_intervention` | only families allocated to Family Partner are enrolled |
//! | `fp.caseload_cap` | an enrolment that puts a partner over the cap is refused unless overridden with a recorded reason (`fp.override_without_reason` when the reason is blank) |
//! | `fp.contact_outside_enrolment` | contacts, guidance, coordination and goals fall inside an enrolment |
//! | `fp.withdrawn` | nothing new after a withdrawal |
//! | `fp.withdrawn_from_study` | no wave data after a withdrawal from the study |

use barnvern_core::StaffRef;
use chrono::NaiveDate;

use crate::enrolment::Enrolment;
use crate::family::FamilyRecord;
use crate::programme::ProgrammeDefinition;
use crate::randomisation::Arm;
use crate::screening::Eligibility;

/// A rule broken: the state that breaks it, the rule's code, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The relevant state of the family.
    pub state: String,
    /// The rule's stable code.
    pub code: &'static str,
    /// Why, in words.
    pub message: String,
}

fn refuse(state: String, code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        state,
        code,
        message: message.into(),
    }
}

/// A one-line summary of where the family stands, for refusals.
pub fn describe(f: &FamilyRecord, programme: &ProgrammeDefinition) -> String {
    let mut parts = vec![format!("family {}", f.family)];
    match f.eligibility(&programme.eligibility) {
        None => parts.push("not screened".into()),
        Some(Eligibility::Eligible) => parts.push("eligible".into()),
        Some(Eligibility::NotEligible { reasons }) => {
            parts.push(format!("not eligible ({reasons:?})"))
        }
    }
    match &f.consent {
        None => parts.push("no consent recorded".into()),
        Some(c) if c.given => parts.push(format!("consent given {}", c.on)),
        Some(c) => parts.push(format!("consent declined {}", c.on)),
    }
    if let Some(a) = &f.allocation {
        parts.push(format!("randomised {} to {}", a.on, a.arm.as_str()));
    }
    if let Some(e) = &f.enrolment {
        match e.ended_on {
            Some(end) => parts.push(format!("enrolled {} to {end}", e.started_on)),
            None => parts.push(format!("enrolled since {}", e.started_on)),
        }
    }
    for w in &f.withdrawals {
        parts.push(format!("withdrawn from the {:?} on {}", w.scope, w.on).to_lowercase());
    }
    parts.join(", ")
}

/// May `f` be randomised on `on`?
pub fn check_randomise(
    f: &FamilyRecord,
    programme: &ProgrammeDefinition,
    on: NaiveDate,
) -> Result<(), Refusal> {
    let state = || describe(f, programme);
    if f.allocation.is_some() {
        return Err(refuse(
            state(),
            "fp.already_randomised",
            "the family has already been randomised",
        ));
    }
    let Some(screening) = &f.screening else {
        return Err(refuse(
            state(),
            "fp.not_screened",
            "a family is randomised only after an eligibility screening",
        ));
    };
    if let Eligibility::NotEligible { reasons } = screening.assess(&programme.eligibility) {
        return Err(refuse(
            state(),
            "fp.not_eligible",
            format!("the family is not eligible ({reasons:?}) and cannot be randomised"),
        ));
    }
    if screening.on > on {
        return Err(refuse(
            state(),
            "fp.not_screened",
            "the screening is dated after the randomisation",
        ));
    }
    match &f.consent {
        Some(c) if c.given && c.on <= on => {}
        Some(c) if c.given => {
            return Err(refuse(
                state(),
                "fp.no_consent",
                "consent is dated after the randomisation",
            ));
        }
        _ => {
            return Err(refuse(
                state(),
                "fp.no_consent",
                "a family is randomised only after giving consent",
            ));
        }
    }
    // A withdrawal later the same day (recorded after the randomisation) does not undo it.
    if f.withdrawn_on().is_some_and(|w| w < on) {
        return Err(refuse(
            state(),
            "fp.withdrawn",
            "the family withdrew before the randomisation",
        ));
    }
    Ok(())
}

/// The number of families counting in `partner`'s caseload on `date`: enrolments started on or
/// before it that have not ended or been withdrawn by it (a family stops counting on its end
/// or withdrawal day). `except` leaves one family out.
pub fn caseload_on<'a>(
    families: impl IntoIterator<Item = &'a FamilyRecord>,
    partner: &StaffRef,
    date: NaiveDate,
    except: Option<&crate::ids::FamilyRef>,
) -> u32 {
    let mut n = 0;
    for f in families {
        if except == Some(&f.family) {
            continue;
        }
        let Some(e) = &f.enrolment else { continue };
        if &e.partner == partner
            && e.started_on <= date
            && f.caseload_end().is_none_or(|end| date < end)
        {
            n += 1;
        }
    }
    n
}

/// May `f` be enrolled with `enrolment`, given the other families of the trial?
pub fn check_enrol<'a>(
    f: &FamilyRecord,
    enrolment: &Enrolment,
    others: impl IntoIterator<Item = &'a FamilyRecord>,
    programme: &ProgrammeDefinition,
) -> Result<(), Refusal> {
    let state = || describe(f, programme);
    let Some(a) = &f.allocation else {
        return Err(refuse(
            state(),
            "fp.not_randomised",
            "a family is enrolled only after randomisation",
        ));
    };
    if a.arm != Arm::Intervention {
        return Err(refuse(
            state(),
            "fp.not_allocated_to_intervention",
            "the family was allocated to ordinary services and cannot be enrolled",
        ));
    }
    if f.enrolment.is_some() {
        return Err(refuse(
            state(),
            "fp.already_enrolled",
            "the family is already enrolled",
        ));
    }
    if enrolment.started_on < a.on {
        return Err(refuse(
            state(),
            "date.order",
            "an enrolment starts on or after the randomisation",
        ));
    }
    if enrolment.planned_end <= enrolment.started_on
        || enrolment.ended_on.is_some_and(|e| e < enrolment.started_on)
    {
        return Err(refuse(
            state(),
            "date.order",
            "an enrolment ends after it starts",
        ));
    }
    if f.withdrawn_on().is_some_and(|w| w < enrolment.started_on) {
        return Err(refuse(
            state(),
            "fp.withdrawn",
            "the family withdrew before the enrolment",
        ));
    }
    let load = caseload_on(
        others,
        &enrolment.partner,
        enrolment.started_on,
        Some(&f.family),
    );
    if load >= programme.caseload_cap {
        match &enrolment.caseload_override {
            None => {
                return Err(refuse(
                    format!(
                        "{}; partner {} has {load} families on {} (cap {})",
                        state(),
                        enrolment.partner,
                        enrolment.started_on,
                        programme.caseload_cap
                    ),
                    "fp.caseload_cap",
                    format!(
                        "the enrolment would give the Family Partner {} families, over the cap of {}; record an override with a reason to proceed",
                        load + 1,
                        programme.caseload_cap
                    ),
                ));
            }
            Some(o) if o.reason.trim().is_empty() => {
                return Err(refuse(
                    state(),
                    "fp.override_without_reason",
                    "a caseload override needs a reason",
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// May a contact (or guidance, coordination, goal) be dated `on`?
pub fn check_activity(
    f: &FamilyRecord,
    programme: &ProgrammeDefinition,
    on: NaiveDate,
) -> Result<(), Refusal> {
    let state = || describe(f, programme);
    if let Some(w) = f.withdrawn_on()
        && on > w
    {
        return Err(refuse(
            state(),
            "fp.withdrawn",
            format!("the family withdrew on {w}; nothing new may be dated after that"),
        ));
    }
    let Some(e) = &f.enrolment else {
        return Err(refuse(
            state(),
            "fp.contact_outside_enrolment",
            "the family is not enrolled",
        ));
    };
    if on < e.started_on || e.ended_on.is_some_and(|end| on > end) {
        return Err(refuse(
            state(),
            "fp.contact_outside_enrolment",
            format!("{on} is outside the enrolment"),
        ));
    }
    Ok(())
}

/// May wave data be recorded for `f` on `on`?
pub fn check_wave(
    f: &FamilyRecord,
    programme: &ProgrammeDefinition,
    wave: u32,
    on: NaiveDate,
    waves: &[crate::waves::WaveDefinition],
) -> Result<(), Refusal> {
    let state = || describe(f, programme);
    if f.allocation.is_none() {
        return Err(refuse(
            state(),
            "fp.not_randomised",
            "wave data are collected from randomised families",
        ));
    }
    if !waves.iter().any(|w| w.month == wave) {
        return Err(refuse(
            state(),
            "fp.unknown_wave",
            format!("the trial has no wave at month {wave}"),
        ));
    }
    if let Some(w) = f.study_withdrawn_on()
        && on > w
    {
        return Err(refuse(
            state(),
            "fp.withdrawn_from_study",
            format!("the family withdrew from the study on {w}; no data after that"),
        ));
    }
    Ok(())
}
