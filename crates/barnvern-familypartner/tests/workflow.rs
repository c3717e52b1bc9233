//! Steps the rules refuse, each named by step, state and rule; and the trial unchanged after.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use barnvern_familypartner::{Randomiser, Trial};
use common::*;
use serde_json::json;

/// Runs `step` on `t`, which must refuse it with `event` and `code` and leave `t` unchanged.
fn refused(
    t: &mut Trial,
    step: impl FnOnce(&mut Trial) -> Result<(), barnvern_familypartner::WorkflowError>,
    event: &str,
    code: &str,
) {
    let before = t.clone();
    let err = step(t).expect_err("the step should be refused");
    assert_eq!((err.event, err.code.as_str()), (event, code), "{err}");
    assert!(!err.state.is_empty());
    assert_eq!(*t, before);
}

#[test]
fn no_randomisation_without_eligibility_and_consent() {
    let mut t = empty_trial();
    let design = t.design.randomisation.clone();
    let mut r = Randomiser::new(1, &design).unwrap();
    approach(&mut t, "f1", "2024-01-02");
    let err = t
        .randomise(&fam("f1"), d(2024, 1, 9), &mut r, prov())
        .unwrap_err();
    assert_eq!(
        (err.event, err.code.as_str()),
        ("randomised", "fp.not_screened")
    );
    assert!(err.to_string().contains("randomised refused"), "{err}");
    assert!(err.state.contains("not screened"), "{}", err.state);

    screen(&mut t, "f1", "2024-01-03", 12, true); // 12 is not under 12
    let err = t
        .randomise(&fam("f1"), d(2024, 1, 9), &mut r, prov())
        .unwrap_err();
    assert_eq!(err.code, "fp.not_eligible");
    assert!(err.message.contains("ChildTooOld"), "{}", err.message);

    approach(&mut t, "f2", "2024-01-02");
    screen(&mut t, "f2", "2024-01-03", 11, true);
    let err = t
        .randomise(&fam("f2"), d(2024, 1, 9), &mut r, prov())
        .unwrap_err();
    assert_eq!(err.code, "fp.no_consent");
    consent(&mut t, "f2", "2024-01-10", true);
    // Consent dated after the randomisation does not count.
    let err = t
        .randomise(&fam("f2"), d(2024, 1, 9), &mut r, prov())
        .unwrap_err();
    assert_eq!(err.code, "fp.no_consent");
    assert_eq!(r.assigned(), 0, "refused steps draw no allocation");

    let a = t
        .randomise(&fam("f2"), d(2024, 1, 10), &mut r, prov())
        .unwrap();
    assert_eq!(a.sequence, 1);
    let err = t
        .randomise(&fam("f2"), d(2024, 1, 11), &mut r, prov())
        .unwrap_err();
    assert_eq!(err.code, "fp.already_randomised");

    // An imported allocation goes through the same rule.
    approach(&mut t, "f3", "2024-01-02");
    refused(
        &mut t,
        |t| allocate(t, "f3", "control", "2024-01-09"),
        "randomised",
        "fp.not_screened",
    );
}

#[test]
fn declined_consent_is_refused_at_randomisation() {
    let mut t = empty_trial();
    approach(&mut t, "f1", "2024-01-02");
    screen(&mut t, "f1", "2024-01-03", 4, true);
    consent(&mut t, "f1", "2024-01-04", false);
    refused(
        &mut t,
        |t| allocate(t, "f1", "intervention", "2024-01-05"),
        "randomised",
        "fp.no_consent",
    );
}

#[test]
fn contacts_only_inside_an_enrolment_and_not_after_withdrawal() {
    let mut t = empty_trial();
    ready(&mut t, "f1");
    allocate(&mut t, "f1", "intervention", "2024-01-05").unwrap();
    refused(
        &mut t,
        |t| contact(t, "f1", "c1", "2024-01-20"),
        "contact_recorded",
        "fp.contact_outside_enrolment",
    );
    enrol(&mut t, "f1", "fp-a", "2024-01-15", None).unwrap();
    refused(
        &mut t,
        |t| contact(t, "f1", "c0", "2024-01-14"),
        "contact_recorded",
        "fp.contact_outside_enrolment",
    );
    contact(&mut t, "f1", "c1", "2024-01-20").unwrap();
    withdraw(&mut t, "f1", "2024-02-01", "intervention").unwrap();
    // The withdrawal ended the enrolment that day; a contact that day is still allowed
    // (recorded late), one after it is not.
    assert_eq!(
        t.families[0].enrolment.as_ref().unwrap().ended_on,
        Some(d(2024, 2, 1))
    );
    contact(&mut t, "f1", "c2", "2024-02-01").unwrap();
    refused(
        &mut t,
        |t| contact(t, "f1", "c3", "2024-02-02"),
        "contact_recorded",
        "fp.withdrawn",
    );
    refused(
        &mut t,
        |t| {
            t.apply(step(
        "f1",
        json!({"type": "coordination_recorded", "activity": {"on": "2024-02-10", "kind": "call"}}),
    ))
        },
        "coordination_recorded",
        "fp.withdrawn",
    );
    // Still followed up after leaving the intervention; not after leaving the study.
    t.apply(step("f1", json!({"type": "wave_recorded", "record": {"wave": 3, "on": "2024-04-08", "outcome": "completed"}})))
        .unwrap();
    withdraw(&mut t, "f1", "2024-05-01", "study").unwrap();
    refused(
        &mut t,
        |t| {
            t.apply(step("f1", json!({"type": "wave_recorded", "record": {"wave": 6, "on": "2024-07-08", "outcome": "completed"}})))
        },
        "wave_recorded",
        "fp.withdrawn_from_study",
    );
    refused(
        &mut t,
        |t| withdraw(t, "f1", "2024-06-01", "study"),
        "withdrawn",
        "fp.already_withdrawn",
    );
}

#[test]
fn control_families_are_not_enrolled() {
    let mut t = empty_trial();
    ready(&mut t, "f1");
    allocate(&mut t, "f1", "control", "2024-01-05").unwrap();
    refused(
        &mut t,
        |t| enrol(t, "f1", "fp-a", "2024-01-15", None),
        "enrolled",
        "fp.not_allocated_to_intervention",
    );
}

#[test]
fn the_sixth_family_needs_a_recorded_override() {
    let mut t = empty_trial();
    for i in 1..=7 {
        let f = format!("f{i}");
        ready(&mut t, &f);
        allocate(&mut t, &f, "intervention", "2024-01-05").unwrap();
    }
    for i in 1..=5 {
        enrol(&mut t, &format!("f{i}"), "fp-a", "2024-01-10", None).unwrap();
    }
    let before = t.clone();
    let err = enrol(&mut t, "f6", "fp-a", "2024-01-11", None).unwrap_err();
    assert_eq!(err.code, "fp.caseload_cap");
    assert!(
        err.state.contains("partner fp-a has 5 families"),
        "{}",
        err.state
    );
    assert!(err.message.contains("6 families"), "{}", err.message);
    assert_eq!(t, before);
    refused(
        &mut t,
        |t| enrol(t, "f6", "fp-a", "2024-01-11", Some("  ")),
        "enrolled",
        "fp.override_without_reason",
    );
    enrol(
        &mut t,
        "f6",
        "fp-a",
        "2024-01-11",
        Some("sibling of a family already enrolled"),
    )
    .unwrap();
    // Another partner has room.
    enrol(&mut t, "f7", "fp-b", "2024-01-11", None).unwrap();

    let periods = t.caseload(d(2024, 3, 1));
    let a: Vec<(u64, bool)> = periods
        .iter()
        .filter(|p| p.partner.as_str() == "fp-a")
        .map(|p| (p.load.numerator, p.breach))
        .collect();
    assert_eq!(a, vec![(5, false), (6, true)]);

    // When a family leaves, the partner has room again.
    t.apply(step(
        "f1",
        json!({"type": "enrolment_ended", "ended_on": "2024-02-01", "end": "ended_early"}),
    ))
    .unwrap();
    t.apply(step(
        "f2",
        json!({"type": "enrolment_ended", "ended_on": "2024-02-01", "end": "ended_early"}),
    ))
    .unwrap();
    ready(&mut t, "f8");
    allocate(&mut t, "f8", "intervention", "2024-02-01").unwrap();
    enrol(&mut t, "f8", "fp-a", "2024-02-01", None).unwrap();
}

#[test]
fn unknown_families_and_repeated_steps() {
    let mut t = empty_trial();
    refused(
        &mut t,
        |t| {
            t.apply(step(
                "nobody",
                json!({"type": "screened", "screening": {"on": "2024-01-01",
        "child_age_years": 3, "receives_child_welfare_services": true}}),
            ))
        },
        "screened",
        "fp.unknown_family",
    );
    approach(&mut t, "f1", "2024-01-02");
    refused(
        &mut t,
        |t| {
            t.apply(step(
                "f1",
                json!({"type": "approached", "on": "2024-01-03"}),
            ))
        },
        "approached",
        "fp.duplicate_family",
    );
    screen(&mut t, "f1", "2024-01-03", 3, true);
    refused(
        &mut t,
        |t| {
            t.apply(step(
                "f1",
                json!({"type": "screened", "screening": {"on": "2024-01-04",
        "child_age_years": 3, "receives_child_welfare_services": true}}),
            ))
        },
        "screened",
        "fp.already_screened",
    );
    // A screening before the approach breaks a bundle rule: refused through validation.
    approach(&mut t, "f2", "2024-01-10");
    refused(
        &mut t,
        |t| {
            t.apply(step(
                "f2",
                json!({"type": "screened", "screening": {"on": "2024-01-09",
        "child_age_years": 3, "receives_child_welfare_services": true}}),
            ))
        },
        "screened",
        "date.order",
    );
}

#[test]
fn imported_data_breaking_a_rule_is_refused_with_its_path() {
    let mut data: serde_json::Value =
        serde_json::from_str(include_str!("data/hand-checked-trial.json")).unwrap();
    // A contact of fam-03 after its enrolment ended (2024-07-25).
    data["families"][2]["contacts"][0]["on"] = json!("2024-08-01");
    let err = Trial::from_json(&data.to_string()).unwrap_err();
    let barnvern_familypartner::Error::Validation(v) = err else {
        panic!("{err}")
    };
    assert_eq!(v.findings()[0].path, "families[2].contacts[0].on");
    assert_eq!(v.findings()[0].code, "fp.contact_outside_enrolment");

    let mut data: serde_json::Value =
        serde_json::from_str(include_str!("data/hand-checked-trial.json")).unwrap();
    data["families"][8]["allocation"] =
        json!({"arm": "control", "sequence": 9, "on": "2024-03-01"});
    let err = Trial::from_json(&data.to_string()).unwrap_err();
    let barnvern_familypartner::Error::Validation(v) = err else {
        panic!("{err}")
    };
    assert_eq!(v.findings()[0].path, "families[8].allocation");
    assert_eq!(v.findings()[0].code, "fp.not_eligible");

    // The CONSORT flow of such data reports the broken invariant instead of a wrong count.
    let mut raw: barnvern_familypartner::TrialData =
        serde_json::from_str(include_str!("data/hand-checked-trial.json")).unwrap();
    raw.families[11].allocation = Some(barnvern_familypartner::Allocation {
        arm: barnvern_familypartner::Arm::Control,
        sequence: 9,
        block: None,
        stratum: None,
        on: d(2025, 3, 2),
        provenance: None,
    });
    let flow = raw.consort(d(2025, 3, 31));
    assert_eq!((flow.assessed, flow.excluded, flow.randomised), (11, 3, 9));
    assert!(
        flow.findings
            .iter()
            .any(|f| f.code == "consort.excluded_plus_randomised")
    );
}
