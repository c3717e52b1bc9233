//! A hand-made Family Partner trial of two sites, randomised in two strata (one per site), with
//! known harms and withdrawals: recruitment rate, Wilson intervals and harms per arm as worked
//! out by hand in the comments.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use barnvern_case::harms::{HarmKind, OutcomeKind, trial_harms};
use barnvern_case::{Case, CaseData};
use barnvern_familypartner::metrics::{FlowReason, FlowReasonCount, Ratio};
use barnvern_familypartner::{Arm, SiteCode, Trial, TrialEvent, TrialId};
use chrono::NaiveDate;
use serde_json::{Value, json};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn prov() -> Value {
    json!({"recorded_at": "2024-01-01T09:00:00Z",
           "recorded_by": {"role": "researcher", "staff": "r-1"}, "source_system": "test"})
}

fn step(t: &mut Trial, family: &str, change: Value) {
    let v = json!({"family": family, "change": change, "provenance": prov()});
    let event = TrialEvent::from_json(&v.to_string()).unwrap();
    t.apply(event)
        .unwrap_or_else(|e| panic!("step {v} refused: {e}"));
}

/// Site A (Oslo, bydel Alna) opens 2024-01-01 with a target of 2 families a month; site B
/// (Bergen) opens 2024-02-01 with a target of 1. Randomisation is stratified by site, in blocks
/// of 2 at 1:1.
fn design() -> Value {
    json!({
        "randomisation": {"algorithm": "chacha20-v1", "block_sizes": [2],
                          "strata": [{"factor": "site"}]},
        "waves": [{"month": 0, "opens_days_before": 0, "closes_days_after": 30},
                  {"month": 6, "opens_days_before": 30, "closes_days_after": 60}],
        "primary_wave": 6,
        "sites": [
            {"code": "site-a", "name": "Barneverntjenesten i bydel Alna", "jurisdiction": "NO",
             "municipality": "0301", "district": "Alna", "recruitment_opened_on": "2024-01-01",
             "target_per_month": 2},
            {"code": "site-b", "name": "Barneverntjenesten i Bergen", "jurisdiction": "NO",
             "municipality": "4601", "recruitment_opened_on": "2024-02-01", "target_per_month": 1}
        ]
    })
}

struct Family {
    id: &'static str,
    site: &'static str,
    approached: &'static str,
    screened: &'static str,
    age: u8,
    consent: Option<(&'static str, bool)>,
    /// (date, arm, sequence, block)
    randomised: Option<(&'static str, &'static str, u32, u32)>,
}

/// Eight families; five randomised:
/// site A: a1 I (seq 1, block 1), a2 C (seq 2, block 1), a3 too old, a4 declined,
///         a5 I (seq 4, block 2; withdraws from the study 2024-06-30);
/// site B: b1 C (seq 3, block 1), b2 I (seq 5, block 1; withdraws from the intervention
///         2024-08-01), b3 declined.
fn families() -> Vec<Family> {
    let f = |id, site, approached, screened, age, consent, randomised| Family {
        id,
        site,
        approached,
        screened,
        age,
        consent,
        randomised,
    };
    vec![
        f(
            "a1",
            "site-a",
            "2024-01-10",
            "2024-01-12",
            5,
            Some(("2024-01-15", true)),
            Some(("2024-01-16", "intervention", 1, 1)),
        ),
        f(
            "a2",
            "site-a",
            "2024-01-20",
            "2024-01-22",
            7,
            Some(("2024-01-25", true)),
            Some(("2024-01-26", "control", 2, 1)),
        ),
        f(
            "b1",
            "site-b",
            "2024-02-10",
            "2024-02-12",
            3,
            Some(("2024-02-14", true)),
            Some(("2024-02-15", "control", 3, 1)),
        ),
        f("a3", "site-a", "2024-02-05", "2024-02-06", 13, None, None),
        f(
            "a4",
            "site-a",
            "2024-03-03",
            "2024-03-04",
            8,
            Some(("2024-03-06", false)),
            None,
        ),
        f(
            "a5",
            "site-a",
            "2024-03-10",
            "2024-03-11",
            10,
            Some(("2024-03-12", true)),
            Some(("2024-03-13", "intervention", 4, 2)),
        ),
        f(
            "b2",
            "site-b",
            "2024-04-01",
            "2024-04-02",
            6,
            Some(("2024-04-03", true)),
            Some(("2024-04-05", "intervention", 5, 1)),
        ),
        f(
            "b3",
            "site-b",
            "2024-05-01",
            "2024-05-02",
            2,
            Some(("2024-05-03", false)),
            None,
        ),
    ]
}

fn trial() -> Trial {
    let data = json!({
        "schema_version": "1.1", "trial_id": "hand-two-sites",
        "programme": serde_json::to_value(
            barnvern_familypartner::ProgrammeDefinition::builtin_default().unwrap()).unwrap(),
        "design": design(),
    });
    let mut t = Trial::from_json(&data.to_string()).unwrap();
    let mut fams = families();
    // Events in date order of approach (the trial keeps families in the order approached).
    fams.sort_by_key(|f| f.approached);
    for f in &fams {
        step(
            &mut t,
            f.id,
            json!({"type": "approached", "on": f.approached, "site": f.site}),
        );
        step(
            &mut t,
            f.id,
            json!({"type": "screened", "screening": {"on": f.screened,
            "child_age_years": f.age, "receives_child_welfare_services": true}}),
        );
        if let Some((on, given)) = f.consent {
            step(
                &mut t,
                f.id,
                json!({"type": "consent_recorded", "consent": {"on": on, "given": given}}),
            );
        }
    }
    let mut randomised: Vec<&Family> = fams.iter().filter(|f| f.randomised.is_some()).collect();
    randomised.sort_by_key(|f| f.randomised.map(|r| r.2));
    for f in randomised {
        let (on, arm, sequence, block) = f.randomised.unwrap();
        step(
            &mut t,
            f.id,
            json!({"type": "randomised", "allocation": {"arm": arm,
            "sequence": sequence, "block": block, "stratum": f.site, "on": on}}),
        );
    }
    step(
        &mut t,
        "a5",
        json!({"type": "withdrawn", "withdrawal": {"on": "2024-06-30",
        "by": "family", "scope": "study", "reason": {"code": "moved"}}}),
    );
    step(
        &mut t,
        "b2",
        json!({"type": "withdrawn", "withdrawal": {"on": "2024-08-01",
        "by": "family", "scope": "intervention", "reason": {"code": "no_longer_wishes"}}}),
    );
    t
}

fn as_of() -> NaiveDate {
    d(2024, 12, 31)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 5e-6
}

fn interval(r: &Ratio) -> (f64, f64) {
    let i = r.ci95.expect("a proportion has an interval");
    (i.lower, i.upper)
}

#[test]
fn recruitment_per_site_and_month_against_the_target() {
    let r = trial().recruitment(as_of());
    // Site A: months 2024-01 to 2024-12, both counted = 12; randomised a1, a2, a5 = 3;
    // rate 3 / 12 = 0.25 a month; target 2 x 12 = 24, so 3 / 24 = 0.125.
    let a = &r.sites[0];
    assert_eq!(a.site.as_ref().map(SiteCode::as_str), Some("site-a"));
    assert_eq!((a.months, a.randomised), (12, 3));
    assert_eq!(a.rate_per_month.value, Some(0.25));
    let target = a.against_target.as_ref().unwrap();
    assert_eq!((target.numerator, target.denominator), (3, 24));
    // Month by month at site A: January approached 2, randomised 2 (a1, a2); February
    // approached 1 (a3), randomised 0; March approached 2 (a4, a5), randomised 1 (a5).
    let months: Vec<(&str, u64, u64)> = a.per_month[..3]
        .iter()
        .map(|m| (m.month.as_str(), m.approached, m.randomised))
        .collect();
    assert_eq!(
        months,
        vec![("2024-01", 2, 2), ("2024-02", 1, 0), ("2024-03", 2, 1)]
    );
    assert_eq!(a.per_month[0].target, Some(2));
    // Site B: months 2024-02 to 2024-12 = 11; randomised b1, b2 = 2; rate 2 / 11 = 0.1818;
    // target 1 x 11 = 11, so 2 / 11.
    let b = &r.sites[1];
    assert_eq!((b.months, b.randomised), (11, 2));
    assert_eq!(b.rate_per_month.value, Some(2.0 / 11.0));
    let target = b.against_target.as_ref().unwrap();
    assert_eq!((target.numerator, target.denominator), (2, 11));
    // The trial: 12 + 11 = 23 site-months; 5 randomised -> 5 / 23; target 24 + 11 = 35 ->
    // 5 / 35 = 0.142857. In 2024-02 the sites' targets add up to 2 + 1 = 3.
    assert_eq!((r.total.months, r.total.randomised), (23, 5));
    assert_eq!(r.total.rate_per_month.value, Some(5.0 / 23.0));
    let target = r.total.against_target.as_ref().unwrap();
    assert_eq!((target.numerator, target.denominator), (5, 35));
    assert_eq!(r.total.per_month[1].month, "2024-02");
    assert_eq!(r.total.per_month[1].target, Some(3));
}

#[test]
fn stratified_allocations_and_withdrawals_in_the_flow() {
    let t = trial();
    // Strata are the sites: blocks are numbered within each.
    let a5 = t.family(&"a5".parse().unwrap()).unwrap();
    let alloc = a5.allocation.as_ref().unwrap();
    assert_eq!(
        (alloc.stratum.as_ref().map(|s| s.as_str()), alloc.block),
        (Some("site-a"), Some(2))
    );
    // An allocation in the wrong stratum is refused.
    let mut wrong = t.clone().into_data();
    if let Some(a) = wrong
        .families
        .iter_mut()
        .find(|f| f.family.as_str() == "b1")
        .and_then(|f| f.allocation.as_mut())
    {
        a.stratum = Some(barnvern_familypartner::Stratum::new("site-a"));
    }
    let err = Trial::from_data(wrong).unwrap_err();
    assert!(
        err.findings().iter().any(|i| i.code == "fp.wrong_stratum"),
        "{err}"
    );
    let flow = t.consort(as_of());
    // Assessed 8; excluded: a3 too old, a4 and b3 declined = 3; randomised 5.
    assert_eq!((flow.assessed, flow.excluded, flow.randomised), (8, 3, 5));
    // Discontinued in the intervention arm: a5 (study) and b2 (intervention) = 2; control 0.
    assert_eq!(flow.arms[0].discontinued, 2);
    assert_eq!(flow.arms[1].discontinued, 0);
    // CONSORT 13b. No one was enrolled with a Family Partner: the intervention arm's 3 did not
    // receive it, a5 because it moved (its study withdrawal), b2 because it no longer wished to
    // (its intervention withdrawal), a1 with no reason recorded; the same two withdrawals are
    // the reasons for discontinuing. In the tidy table each reason is a row under its stage.
    let reasons = |v: &[FlowReasonCount]| -> Vec<(FlowReason, u64)> {
        v.iter().map(|r| (r.reason, r.families)).collect()
    };
    assert_eq!(flow.arms[0].not_received, 3);
    assert_eq!(
        reasons(&flow.arms[0].not_received_by_reason),
        vec![
            (FlowReason::NoLongerWishes, 1),
            (FlowReason::Moved, 1),
            (FlowReason::NotEnrolledNoReasonRecorded, 1)
        ]
    );
    assert_eq!(
        reasons(&flow.arms[0].discontinued_by_reason),
        vec![(FlowReason::NoLongerWishes, 1), (FlowReason::Moved, 1)]
    );
    assert!(flow.arms[1].not_received_by_reason.is_empty());
    let tidy = serde_json::to_value(flow.tidy()).unwrap();
    assert!(
        tidy.as_array()
            .unwrap()
            .iter()
            .any(|r| r["stage"] == "discontinued"
                && r["reason"] == "moved"
                && r["arm"] == "intervention"
                && r["count"] == 1)
    );
    // By site: site A randomised 3 (2 intervention), site B 2 (1 intervention).
    let at_a = t.at_site(&"site-a".parse().unwrap()).consort(as_of());
    assert_eq!((at_a.randomised, at_a.arms[0].allocated), (3, 2));
    let at_b = t.at_site(&"site-b".parse().unwrap()).consort(as_of());
    assert_eq!((at_b.randomised, at_b.arms[0].allocated), (2, 1));
    assert!(flow.findings.is_empty(), "{:?}", flow.findings);
}

#[test]
fn wilson_intervals_of_eligibility_and_consent() {
    let f = trial().feasibility(as_of());
    // Eligibility: 7 of 8 assessed (a3 is 13). Wilson, z = 1.959964, z² = 3.841459, n = 8:
    // p = 0.875; centre = (0.875 + 3.841459/16) / (1 + 3.841459/8) = 1.115091 / 1.480182
    // = 0.753347; half = 1.959964 / 1.480182 * sqrt(0.875 * 0.125 / 8 + 3.841459 / 256)
    // = 1.324137 * 0.169345 = 0.224235; so 0.529112 to 0.977583.
    assert_eq!((f.eligibility.numerator, f.eligibility.denominator), (7, 8));
    let (lo, hi) = interval(&f.eligibility);
    assert!(close(lo, 0.529_112) && close(hi, 0.977_583), "{lo} {hi}");
    // Consent: 5 of 7 eligible (a4 and b3 declined). n = 7, p = 0.714286; centre =
    // (0.714286 + 0.274390) / 1.548780 = 0.638358; half = 1.265491 * sqrt(0.029155 +
    // 0.019599) = 1.265491 * 0.220803 = 0.279423; so 0.358934 to 0.917781.
    assert_eq!((f.consent.numerator, f.consent.denominator), (5, 7));
    let (lo, hi) = interval(&f.consent);
    assert!(close(lo, 0.358_934) && close(hi, 0.917_781), "{lo} {hi}");
}

/// A Norwegian bundle for `family` of the trial, with its case records after randomisation
/// given as JSON (`referrals`, `investigations`, ... merged into the bundle).
fn bundle(t: &Trial, family: &str, opened_on: &str, extra: Value) -> CaseData {
    let f = t.family(&family.parse().unwrap()).unwrap();
    let site = t.design.site(f.site.as_ref().unwrap()).unwrap();
    let mut v = json!({
        "schema_version": "1.3",
        "case_id": format!("NO-0301-2024-{family}"),
        "jurisdiction": "NO",
        "municipality": site.municipality.as_str(),
        "opened_on": opened_on,
        // The child of examples/no-case.json (a synthetic test number).
        "child": {"identity": {"national_id": "03851598730"}, "sex": "male"},
        "family_partner": {"trial_id": "hand-two-sites", "programme_id": "fampart",
                           "site": site, "family": f},
    });
    if let (Some(obj), Some(more)) = (v.as_object_mut(), extra.as_object()) {
        for (k, x) in more {
            obj.insert(k.clone(), x.clone());
        }
    }
    // Through the validating reader: each bundle is one a service could send.
    Case::from_json(&v.to_string())
        .unwrap_or_else(|e| panic!("bundle {family}: {e}"))
        .into_data()
}

/// Provenance recorded at the end of the day `on` (a record is never received after it is
/// recorded).
fn prov_on(on: &str) -> Value {
    json!({"recorded_at": format!("{}T22:00:00Z", &on[..10]),
           "recorded_by": {"role": "caseworker", "staff": "sb-1"}, "source_system": "test"})
}

fn referral(id: &str, at: &str) -> Value {
    json!({"id": id, "received_at": at, "reporter": {"code": "school"}, "provenance": prov_on(at)})
}

fn decision(id: &str, on: &str, kind: &str, chapter: &str, section: &str) -> Value {
    json!({"id": id, "decided_on": on, "kind": kind,
           "legal_basis": {"law": "no_bvl2021", "chapter": chapter, "section": section},
           "status_history": [{"status": {"code": "approved"}, "on": on}],
           "provenance": prov_on(on)})
}

fn bundles(t: &Trial) -> Vec<CaseData> {
    vec![
        // a1 (intervention, randomised 2024-01-16): a report of concern 2024-05-10, an
        // investigation started 2024-05-20 and concluded 2024-08-01 with measures.
        bundle(
            t,
            "a1",
            "2024-01-02",
            json!({
                "referrals": [referral("m-0", "2024-01-02T10:00:00+01:00"),
                              referral("m-1", "2024-05-10T10:00:00+02:00")],
                "screenings": [{"id": "g-1", "referral_id": "m-1", "decided_on": "2024-05-15",
                                "outcome": {"code": "open_investigation"}, "provenance": prov_on("2024-05-15")}],
                "investigations": [{"id": "u-1", "screening_id": "g-1", "referral_ids": ["m-1"],
                                    "started_on": "2024-05-20", "concluded_on": "2024-08-01",
                                    "conclusion": {"code": "measures"}, "provenance": prov_on("2024-05-20")}],
            }),
        ),
        // a2 (control, randomised 2024-01-26): reports of concern 2024-03-01 and 2024-09-10,
        // an emergency decision 2024-09-12 (bvl. § 4-2) and a care order 2024-10-20 (§ 5-1).
        bundle(
            t,
            "a2",
            "2024-01-03",
            json!({
                "referrals": [referral("m-0", "2024-01-03T10:00:00+01:00"),
                              referral("m-1", "2024-03-01T10:00:00+01:00"),
                              referral("m-2", "2024-09-10T10:00:00+02:00")],
                "decisions": [decision("v-1", "2024-09-12", "emergency", "4", "2"),
                              decision("v-2", "2024-10-20", "care_order", "5", "1")],
            }),
        ),
        // b1 (control, randomised 2024-02-15): its first report 2024-01-05 is before
        // randomisation; an investigation 2024-06-01 closed without grounds 2024-07-30.
        bundle(
            t,
            "b1",
            "2024-01-05",
            json!({
                "referrals": [referral("m-0", "2024-01-05T10:00:00+01:00")],
                "screenings": [{"id": "g-1", "referral_id": "m-0", "decided_on": "2024-01-10",
                                "outcome": {"code": "open_investigation"}, "provenance": prov_on("2024-01-10")}],
                "investigations": [{"id": "u-1", "screening_id": "g-1", "referral_ids": ["m-0"],
                                    "started_on": "2024-06-01", "concluded_on": "2024-07-30",
                                    "conclusion": {"code": "closed_no_grounds"}, "provenance": prov_on("2024-06-01")}],
            }),
        ),
        // a5 (intervention, randomised 2024-03-13, withdrew from the study 2024-06-30): a
        // report 2024-07-15, after the withdrawal, is not used.
        bundle(
            t,
            "a5",
            "2024-03-01",
            json!({
                "referrals": [referral("m-0", "2024-03-01T10:00:00+01:00"),
                              referral("m-1", "2024-07-15T10:00:00+02:00")],
            }),
        ),
        // b2 (intervention, randomised 2024-04-05, left the intervention 2024-08-01 but stays
        // in follow-up): nothing after randomisation.
        bundle(
            t,
            "b2",
            "2024-03-20",
            json!({
                "referrals": [referral("m-0", "2024-03-20T10:00:00+01:00")],
            }),
        ),
    ]
}

#[test]
fn harms_per_arm_from_the_families_case_data() {
    let t = trial();
    let cases = bundles(&t);
    let id = TrialId::new("hand-two-sites").unwrap();
    let h = trial_harms(&cases, &id, as_of(), None);
    // Follow-up days (randomisation to 2024-12-31, or to the study withdrawal):
    // intervention a1 01-16 -> 12-31 = 350, a5 03-13 -> 06-30 = 109, b2 04-05 -> 12-31 = 270:
    // 729 days = 729 / 30.4375 = 23.950719 family-months;
    // control a2 01-26 -> 12-31 = 340, b1 02-15 -> 12-31 = 320: 660 days = 21.683778.
    let (i, c) = (&h.arms[0], &h.arms[1]);
    assert_eq!(
        (i.arm, i.families, c.arm, c.families),
        (Arm::Intervention, 3, Arm::Control, 2)
    );
    assert!(close(i.family_months, 23.950_719) && close(c.family_months, 21.683_778));
    let harm = |a: &barnvern_case::harms::ArmHarms, k: HarmKind| {
        let x = a.harms.iter().find(|x| x.kind == k).unwrap();
        (
            x.events,
            x.families_with.numerator,
            x.rate_per_family_month.unwrap(),
        )
    };
    // Intervention: 1 report of concern (a1; a5's came after its withdrawal) = 1 / 23.950719
    // = 0.041752 a family-month; 1 investigation (a1), the same rate; nothing else.
    let (n, fam, rate) = harm(i, HarmKind::ReportOfConcern);
    assert!((n, fam) == (1, 1) && close(rate, 0.041_752), "{rate}");
    let (n, _, rate) = harm(i, HarmKind::Investigation);
    assert!(n == 1 && close(rate, 0.041_752));
    assert_eq!(harm(i, HarmKind::EmergencyPlacement).0, 0);
    assert_eq!(harm(i, HarmKind::CareOrder).0, 0);
    // Control: 2 reports (a2, one family) = 2 / 21.683778 = 0.092235; 1 investigation (b1),
    // 1 emergency placement and 1 care order (a2), each 1 / 21.683778 = 0.046117.
    let (n, fam, rate) = harm(c, HarmKind::ReportOfConcern);
    assert!((n, fam) == (2, 1) && close(rate, 0.092_235), "{rate}");
    for k in [
        HarmKind::Investigation,
        HarmKind::EmergencyPlacement,
        HarmKind::CareOrder,
    ] {
        let (n, fam, rate) = harm(c, k);
        assert!((n, fam) == (1, 1) && close(rate, 0.046_117), "{k:?} {rate}");
    }
    // Families with a report of concern, control: 1 of 2; Wilson n = 2, p = 0.5: centre 0.5,
    // half = 1.959964 / 2.920730 * sqrt(0.125 + 0.240091) = 0.671054 * 0.604228 = 0.405469;
    // so 0.094531 to 0.905469.
    let with = &c.harms[0].families_with;
    assert_eq!((with.numerator, with.denominator), (1, 2));
    let (lo, hi) = interval(with);
    assert!(close(lo, 0.094_531) && close(hi, 0.905_469), "{lo} {hi}");

    let outcome = |arm: Arm, k: OutcomeKind, months: u32| {
        let o = h
            .outcomes
            .iter()
            .find(|o| o.arm == arm && o.kind == k && o.months == months)
            .unwrap();
        (o.proportion.numerator, o.proportion.denominator)
    };
    // Re-referral within 6 months. Intervention: a1 yes (05-10 before 07-16); a5's window
    // (to 09-13) outlasts its follow-up (06-30) with no report: unknown, left out; b2 followed
    // to 10-05 without one: no -> 1 / 2. Control: a2 yes (03-01); b1 followed to 08-15, no ->
    // 1 / 2.
    assert_eq!(
        outcome(Arm::Intervention, OutcomeKind::ReReferral, 6),
        (1, 2)
    );
    assert_eq!(outcome(Arm::Control, OutcomeKind::ReReferral, 6), (1, 2));
    // Within 12 months: only families with the event are known by 2024-12-31 (a1; a2) -> 1 / 1.
    assert_eq!(
        outcome(Arm::Intervention, OutcomeKind::ReReferral, 12),
        (1, 1)
    );
    assert_eq!(outcome(Arm::Control, OutcomeKind::ReReferral, 12), (1, 1));
    // Substantiated investigation: a1's concluded 2024-08-01, after its 6-month window (07-16)
    // -> intervention 0 / 2 at 6 months, 1 / 1 at 12; b1's was closed without grounds ->
    // control 0 / 2 at 6 months, and at 12 months no family is known: 0 / 0, no figure.
    assert_eq!(
        outcome(
            Arm::Intervention,
            OutcomeKind::SubstantiatedInvestigation,
            6
        ),
        (0, 2)
    );
    assert_eq!(
        outcome(
            Arm::Intervention,
            OutcomeKind::SubstantiatedInvestigation,
            12
        ),
        (1, 1)
    );
    assert_eq!(
        outcome(Arm::Control, OutcomeKind::SubstantiatedInvestigation, 6),
        (0, 2)
    );
    assert_eq!(
        outcome(Arm::Control, OutcomeKind::SubstantiatedInvestigation, 12),
        (0, 0)
    );
    // Out-of-home placement: a2's emergency decision 2024-09-12 is after its 6-month window
    // (07-26) and inside the 12-month one -> control 0 / 2, then 1 / 1.
    assert_eq!(
        outcome(Arm::Control, OutcomeKind::OutOfHomePlacement, 6),
        (0, 2)
    );
    assert_eq!(
        outcome(Arm::Control, OutcomeKind::OutOfHomePlacement, 12),
        (1, 1)
    );

    // By site: site B's families are b1 (control) and b2 (intervention): one investigation in
    // the control arm, nothing in the intervention arm.
    let b = trial_harms(&cases, &id, as_of(), Some(&"site-b".parse().unwrap()));
    assert_eq!((b.arms[0].families, b.arms[1].families), (1, 1));
    assert_eq!(harm(&b.arms[1], HarmKind::Investigation).0, 1);
    assert_eq!(harm(&b.arms[1], HarmKind::ReportOfConcern).0, 0);
}
