//! Properties over generated trials: the CONSORT invariants always hold, every step the rules
//! forbid is refused (checked against a small independent model), and randomisation is
//! reproducible and balanced within blocks.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use barnvern_core::Severity;
use barnvern_familypartner::{Arm, RandomisationDesign, Randomiser, Trial};
use chrono::{Days, NaiveDate};
use common::*;
use proptest::prelude::*;
use serde_json::json;

#[derive(Debug, Clone)]
struct FamilySpec {
    age: u8,
    services: bool,
    consent: u8, // 0 none, 1 given, 2 declined
    screened: bool,
    partner: u8,
    contacts: Vec<(u64, u8)>,
    withdrawal: Option<(u64, bool)>,
    waves: Vec<(usize, u8)>,
}

fn family_spec() -> impl Strategy<Value = FamilySpec> {
    (
        0u8..16,
        prop::bool::weighted(0.85),
        prop_oneof![1 => Just(0u8), 6 => Just(1u8), 1 => Just(2u8)],
        prop::bool::weighted(0.9),
        0u8..2,
        prop::collection::vec((0u64..400, 0u8..5), 0..8),
        prop::option::weighted(0.3, (0u64..400, any::<bool>())),
        prop::collection::vec((0usize..5, 0u8..3), 0..5),
    )
        .prop_map(
            |(age, services, consent, screened, partner, contacts, withdrawal, waves)| FamilySpec {
                age,
                services,
                consent,
                screened,
                partner,
                contacts,
                withdrawal,
                waves,
            },
        )
}

fn plus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap()
}

const STATUSES: [&str; 5] = [
    "delivered",
    "planned",
    "cancelled_by_family",
    "cancelled_by_partner",
    "no_show",
];
const OUTCOMES: [&str; 3] = ["completed", "partial", "missed"];

/// Builds a trial from the specs through the workflow, checking each step against the model.
fn build(specs: &[FamilySpec], seed: u64, blocks: &[u32]) -> Trial {
    let programme = barnvern_familypartner::ProgrammeDefinition::builtin_default()
        .unwrap()
        .clone();
    let mut t = Trial::new(
        barnvern_familypartner::TrialId::new("p").unwrap(),
        programme,
        design(blocks),
    )
    .unwrap();
    let mut r = Randomiser::new(seed, &t.design.randomisation.clone()).unwrap();
    let start = d(2024, 1, 1);
    for (i, s) in specs.iter().enumerate() {
        let f = format!("f{i}");
        let day0 = plus(start, 9 * i as u64);
        approach(&mut t, &f, &day0.to_string());
        if s.screened {
            screen(&mut t, &f, &plus(day0, 1).to_string(), s.age, s.services);
        }
        if s.consent > 0 {
            consent(&mut t, &f, &plus(day0, 2).to_string(), s.consent == 1);
        }
        // Randomise every family; the model says which must be refused.
        let may = s.screened && s.age < 12 && s.services && s.consent == 1;
        let before = t.clone();
        let res = t.randomise(&fam(&f), plus(day0, 3), &mut r, prov());
        match (may, res) {
            (true, Ok(a)) => assert_eq!(a.sequence, r.assigned()),
            (false, Err(e)) => {
                assert!(
                    ["fp.not_screened", "fp.not_eligible", "fp.no_consent"]
                        .contains(&e.code.as_str()),
                    "{e}"
                );
                assert_eq!(t, before);
            }
            (may, res) => panic!("model says {may}, workflow says {res:?}"),
        }
        let arm = t.families[i].arm();
        // Enrol every randomised family (control ones must be refused); the cap may refuse.
        let partner = format!("fp-{}", s.partner);
        let enrol_on = plus(day0, 5);
        if arm.is_some() {
            let load = t
                .families
                .iter()
                .filter(|o| {
                    o.enrolment.as_ref().is_some_and(|e| {
                        e.partner.as_str() == partner
                            && e.started_on <= enrol_on
                            && o.last_contact_day().is_none_or(|end| enrol_on < end)
                    })
                })
                .count();
            let before = t.clone();
            let res = enrol(&mut t, &f, &partner, &enrol_on.to_string(), None);
            let expected = match arm {
                Some(Arm::Control) => Some("fp.not_allocated_to_intervention"),
                _ if load >= 5 => Some("fp.caseload_cap"),
                _ => None,
            };
            match (expected, res) {
                (None, Ok(())) => {}
                (Some(code), Err(e)) => {
                    assert_eq!(e.code, code, "{e}");
                    assert_eq!(t, before);
                }
                (expected, res) => panic!("expected {expected:?}, got {res:?}"),
            }
        }
        // Contacts and the withdrawal in date order.
        let mut steps: Vec<(NaiveDate, Option<(usize, u8)>)> = s
            .contacts
            .iter()
            .enumerate()
            .map(|(k, (off, st))| (plus(day0, *off), Some((k, *st))))
            .collect();
        if let Some((off, _)) = s.withdrawal {
            steps.push((plus(day0, 3 + off), None));
        }
        steps.sort_by_key(|(date, step)| (*date, step.is_none()));
        for (date, step) in steps {
            match step {
                Some((k, st)) => {
                    let fr = &t.families[i];
                    let ok_model = fr.enrolment.as_ref().is_some_and(|e| {
                        date >= e.started_on && e.ended_on.is_none_or(|end| date <= end)
                    }) && fr.withdrawn_on().is_none_or(|w| date <= w);
                    let before = t.clone();
                    let res = t.apply(step_contact(&f, k, date, STATUSES[st as usize]));
                    match (ok_model, res) {
                        (true, Ok(())) => {}
                        (false, Err(e)) => {
                            assert!(
                                ["fp.withdrawn", "fp.contact_outside_enrolment"]
                                    .contains(&e.code.as_str()),
                                "{e}"
                            );
                            assert_eq!(t, before);
                        }
                        (m, res) => panic!("contact on {date}: model {m}, workflow {res:?}"),
                    }
                }
                None => {
                    let scope = if s.withdrawal.is_some_and(|w| w.1) {
                        "study"
                    } else {
                        "intervention"
                    };
                    // Allowed for a family that consented, unless backdated before its
                    // randomisation or enrolment (they would then come after a withdrawal).
                    let fr = &t.families[i];
                    let ok_model = fr.consented()
                        && fr.allocation.as_ref().is_none_or(|a| date >= a.on)
                        && fr.enrolment.as_ref().is_none_or(|e| date >= e.started_on);
                    let before = t.clone();
                    let res = withdraw(&mut t, &f, &date.to_string(), scope);
                    assert_eq!(res.is_ok(), ok_model, "{res:?}");
                    if let Err(e) = res {
                        assert!(
                            ["fp.no_consent", "fp.withdrawn"].contains(&e.code.as_str()),
                            "{e}"
                        );
                        assert_eq!(t, before);
                    }
                }
            }
        }
        // Waves: refused after a withdrawal from the study, or when not randomised.
        let mut done = std::collections::HashSet::new();
        for (w, o) in &s.waves {
            let months = [0u32, 3, 6, 12, 18][*w];
            let Some(a) = t.families[i].allocation.clone() else {
                let res = t.apply(step(&f, json!({"type": "wave_recorded", "record": {"wave": months, "on": day0.to_string(), "outcome": "completed"}})));
                assert_eq!(res.unwrap_err().code, "fp.not_randomised");
                continue;
            };
            let on = barnvern_core::dates::add_months(a.on, months).unwrap();
            let res = t.apply(step(&f, json!({"type": "wave_recorded", "record": {"wave": months, "on": on.to_string(), "outcome": OUTCOMES[*o as usize]}})));
            let after_study = t.families[i].study_withdrawn_on().is_some_and(|sw| on > sw);
            match res {
                Ok(()) => assert!(!after_study && done.insert(months)),
                Err(e) if after_study => assert_eq!(e.code, "fp.withdrawn_from_study"),
                Err(e) => {
                    assert_eq!(e.code, "fp.wave_already_recorded");
                    assert!(done.contains(&months));
                }
            }
        }
    }
    t
}

fn step_contact(
    f: &str,
    k: usize,
    on: NaiveDate,
    status: &str,
) -> barnvern_familypartner::TrialEvent {
    step(
        f,
        json!({"type": "contact_recorded", "contact": {"id": format!("c{k}"), "on": on.to_string(),
               "mode": "home", "status": status}}),
    )
}

fn check_invariants(t: &Trial, as_of: NaiveDate) {
    let flow = t.consort(as_of);
    let errors: Vec<_> = flow
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        flow.excluded + flow.randomised + flow.awaiting_randomisation,
        flow.assessed
    );
    let reasons: u64 = flow.excluded_by_reason.iter().map(|r| r.families).sum();
    assert_eq!(reasons, flow.excluded);
    assert!(flow.assessed <= flow.approached);
    assert_eq!(
        flow.arms.iter().map(|a| a.allocated).sum::<u64>(),
        flow.randomised
    );
    for a in &flow.arms {
        assert_eq!(a.allocated, a.received + a.not_received);
        assert!(a.analysed <= a.allocated && a.discontinued <= a.allocated);
        for w in &a.follow_up {
            assert_eq!(
                w.completed + w.partial + w.lost + w.withdrawn + w.not_yet_due,
                a.allocated
            );
        }
    }
    for r in t.retention(as_of) {
        assert!(r.retention.numerator <= r.retention.denominator);
    }
    // No override was ever recorded, so no caseload is ever over the cap.
    assert!(t.caseload(as_of).iter().all(|p| !p.breach));
    // Every family's dose counts only its own delivered contacts.
    for phase in t.dose(as_of) {
        for fd in &phase.families {
            let f = t.family(&fd.family).unwrap();
            assert!(fd.dose.numerator <= f.contacts.len() as u64);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn invariants_hold_and_forbidden_steps_are_refused(
        specs in prop::collection::vec(family_spec(), 1..14),
        seed in any::<u64>(),
        blocked in any::<bool>(),
    ) {
        let blocks: &[u32] = if blocked { &[2, 4, 6] } else { &[] };
        let t = build(&specs, seed, blocks);
        // The whole trial still validates, and its JSON reads back the same.
        prop_assert!(!t.validate().has_errors());
        let again = Trial::from_json(&t.to_json_pretty().unwrap()).unwrap();
        prop_assert_eq!(&again, &t);
        // Every eligible consenting family was randomised at once, so only eligible families
        // with no consent decision yet await randomisation; without them the flow is final
        // and excluded + randomised = assessed exactly.
        let end = d(2027, 1, 1);
        check_invariants(&t, end);
        let pending = specs.iter().filter(|s| s.screened && s.age < 12 && s.services && s.consent == 0).count();
        let flow = t.consort(end);
        prop_assert_eq!(flow.awaiting_randomisation, pending as u64);
        if pending == 0 {
            prop_assert_eq!(flow.excluded + flow.randomised, flow.assessed);
            prop_assert!(flow.findings.is_empty());
        }
        for days in [0u64, 30, 120, 400] {
            check_invariants(&t, plus(d(2024, 1, 1), days));
        }
    }

    #[test]
    fn same_seed_same_sequence(seed in any::<u64>(), blocked in any::<bool>(), n in 1usize..200) {
        let design = if blocked { RandomisationDesign::blocks(&[2, 4, 8]) } else { RandomisationDesign::simple() };
        let mut a = Randomiser::new(seed, &design).unwrap();
        let mut b = Randomiser::new(seed, &design).unwrap();
        let xs: Vec<_> = (0..n).map(|_| a.assign()).collect();
        let ys: Vec<_> = (0..n).map(|_| b.assign()).collect();
        prop_assert_eq!(&xs, &ys);
        let cut = n / 2;
        let mut c = Randomiser::resume(seed, &design, u32::try_from(cut).unwrap()).unwrap();
        let zs: Vec<_> = (cut..n).map(|_| c.assign()).collect();
        prop_assert_eq!(&xs[cut..], &zs[..]);
    }

    #[test]
    fn blocks_are_balanced_one_to_one(seed in any::<u64>(), sizes in prop::collection::vec(prop::sample::select(vec![2u32, 4, 6, 8, 10]), 1..4), n in 1usize..300) {
        let mut r = Randomiser::new(seed, &RandomisationDesign::blocks(&sizes)).unwrap();
        let all: Vec<_> = (0..n).map(|_| r.assign()).collect();
        let last = all.last().and_then(|a| a.block).unwrap();
        for block in 1..=last {
            let members: Vec<_> = all.iter().filter(|a| a.block == Some(block)).collect();
            let i = members.iter().filter(|a| a.arm == Arm::Intervention).count();
            let c = members.len() - i;
            if block < last {
                // A finished block: sizes are even, half in each arm.
                prop_assert!(sizes.contains(&u32::try_from(members.len()).unwrap()));
                prop_assert_eq!(i, c);
            } else {
                // The block in progress can be off by at most half its size.
                prop_assert!(i.abs_diff(c) <= 5);
            }
        }
        // Overall the imbalance never exceeds half the largest block.
        let i = all.iter().filter(|a| a.arm == Arm::Intervention).count();
        prop_assert!(i.abs_diff(n - i) <= 5);
    }
}

#[test]
fn simple_randomisation_is_roughly_one_to_one() {
    let mut r = Randomiser::new(42, &RandomisationDesign::simple()).unwrap();
    let i = (0..10_000)
        .filter(|_| r.assign().arm == Arm::Intervention)
        .count();
    assert!((4800..=5200).contains(&i), "{i}");
}
