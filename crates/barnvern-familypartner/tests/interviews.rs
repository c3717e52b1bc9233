//! The qualitative sub-sample log: invitations, consent, interviews, declines and withdrawals,
//! counted per site and arm by hand; the log's rules refuse what cannot have happened.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use barnvern_familypartner::metrics::InterviewCounts;
use barnvern_familypartner::{Arm, InterviewReason, InterviewStatus, Trial, TrialEvent};
use chrono::NaiveDate;
use serde_json::{Value, json};

fn family(id: &str, site: &str, seq: u32, arm: &str, interviews: Value) -> Value {
    json!({
        "family": id, "approached_on": "2024-01-02", "site": site,
        "screening": {"on": "2024-01-03", "child_age_years": 6,
                      "receives_child_welfare_services": true},
        "consent": {"on": "2024-01-05", "given": true},
        "allocation": {"arm": arm, "sequence": seq, "on": "2024-01-10"},
        "interviews": interviews
    })
}

fn data(f1: Value) -> Value {
    let site = |code: &str, municipality: &str| {
        json!({"code": code, "name": code, "jurisdiction": "NO", "municipality": municipality,
               "recruitment_opened_on": "2024-01-01"})
    };
    json!({
        "schema_version": "1.2", "trial_id": "qual",
        "programme": barnvern_familypartner::ProgrammeDefinition::builtin_default().unwrap(),
        "design": {"randomisation": {"algorithm": "chacha20-v1"},
                   "waves": [{"month": 0, "opens_days_before": 14, "closes_days_after": 30}],
                   "primary_wave": 0,
                   "sites": [site("site-a", "0301"), site("site-b", "4601")]},
        "families": [
            // Site A, intervention: the parent interviewed; the child declined (not interested).
            family("f1", "site-a", 1, "intervention", f1),
            // Site A, control: the parent consented, then withdrew (no time) before the interview.
            family("f2", "site-a", 2, "control", json!([
                {"informant": "parent", "invited_on": "2024-05-01", "consented_on": "2024-05-03",
                 "ended": {"on": "2024-05-20", "reason": "no_time"}}])),
            // Site B, intervention: the parent invited in June, consented in July (after as_of
            // 2024-06-30: still open then).
            family("f3", "site-b", 3, "intervention", json!([
                {"informant": "parent", "invited_on": "2024-06-10", "consented_on": "2024-07-02",
                 "interviewed_on": "2024-07-09"}])),
            // Site B, control: never invited.
            family("f4", "site-b", 4, "control", json!([])),
        ]
    })
}

fn f1_log() -> Value {
    json!([
        {"informant": "parent", "invited_on": "2024-05-01", "consented_on": "2024-05-02",
         "interviewed_on": "2024-05-15"},
        {"informant": "self", "invited_on": "2024-05-01",
         "ended": {"on": "2024-05-04", "reason": "not_interested"}}
    ])
}

fn at(c: &[InterviewCounts], site: Option<&str>, arm: Arm) -> (u64, u64, u64, u64, u64, u64, u64) {
    let r = c
        .iter()
        .find(|x| x.site.as_ref().map(|s| s.as_str()) == site && x.arm == arm)
        .unwrap();
    (
        r.families_invited,
        r.invited,
        r.consented.numerator,
        r.interviewed.numerator,
        r.declined,
        r.withdrawn,
        r.open,
    )
}

#[test]
fn invited_consented_and_interviewed_per_site_and_arm() {
    let t = Trial::from_json(&data(f1_log()).to_string()).unwrap();
    assert!(t.validate().is_empty(), "{:?}", t.validate());
    let as_of = NaiveDate::from_ymd_opt(2024, 6, 30).unwrap();
    let c = t.interviews(as_of);
    // (families, invitations, consented, interviewed, declined, withdrawn, open)
    assert_eq!(
        at(&c, Some("site-a"), Arm::Intervention),
        (1, 2, 1, 1, 1, 0, 0)
    );
    assert_eq!(at(&c, Some("site-a"), Arm::Control), (1, 1, 1, 0, 0, 1, 0));
    assert_eq!(
        at(&c, Some("site-b"), Arm::Intervention),
        (1, 1, 0, 0, 0, 0, 1)
    );
    assert_eq!(at(&c, None, Arm::Intervention), (2, 3, 1, 1, 1, 0, 1));
    assert_eq!(at(&c, None, Arm::Control), (1, 1, 1, 0, 0, 1, 0));
    // No row for site B's control arm: nobody there was invited. Sites first, then the trial.
    assert_eq!(c.len(), 5);
    assert!(c[..3].iter().all(|x| x.site.is_some()));
    // Reasons: one decline (not interested) in the intervention arm, one withdrawal (no time)
    // in the control arm.
    let i = &c[3];
    assert_eq!(i.reasons.len(), 1);
    assert_eq!(
        (
            i.reasons[0].reason,
            i.reasons[0].declined,
            i.reasons[0].withdrawn
        ),
        (InterviewReason::NotInterested, 1, 0)
    );
    // Interviewed 1 of 3 in the intervention arm: Wilson 95% 0.0615 to 0.7923.
    let ci = i.interviewed.ci95.unwrap();
    assert!((ci.lower - 0.061_492).abs() < 1e-5, "{ci:?}");
    assert!((ci.upper - 0.792_340).abs() < 1e-5, "{ci:?}");
    // By the end of July site B's parent is interviewed.
    let later = t.interviews(NaiveDate::from_ymd_opt(2024, 7, 31).unwrap());
    assert_eq!(
        at(&later, Some("site-b"), Arm::Intervention),
        (1, 1, 1, 1, 0, 0, 0)
    );
    let f3 = t.family(&"f3".parse().unwrap()).unwrap();
    assert_eq!(f3.interviews[0].status(), InterviewStatus::Interviewed);
}

#[test]
fn the_log_refuses_what_cannot_have_happened() {
    let refused = |log: Value| {
        let err = Trial::from_json(&data(log).to_string()).unwrap_err();
        err.to_string()
    };
    // Interviewed without consent.
    let e = refused(json!([{"informant": "parent", "invited_on": "2024-05-01",
                            "interviewed_on": "2024-05-15"}]));
    assert!(e.contains("fp.interview_without_consent"), "{e}");
    // Invited before randomisation.
    let e = refused(json!([{"informant": "parent", "invited_on": "2024-01-09"}]));
    assert!(e.contains("fp.interview_not_randomised"), "{e}");
    // Consent before the invitation.
    let e = refused(json!([{"informant": "parent", "invited_on": "2024-05-01",
                            "consented_on": "2024-04-01"}]));
    assert!(e.contains("date.order"), "{e}");
    // A staff member is not the family.
    let e = refused(json!([{"informant": "staff", "invited_on": "2024-05-01"}]));
    assert!(e.contains("fp.interview_informant"), "{e}");
}

#[test]
fn the_log_changes_through_events_and_round_trips() {
    let mut t = Trial::from_json(&data(json!([])).to_string()).unwrap();
    let step = |change: Value| {
        TrialEvent::from_json(
            &json!({"family": "f1", "change": change,
                    "provenance": {"recorded_at": "2024-05-01T09:00:00Z",
                                   "recorded_by": {"role": "researcher", "staff": "r-1"},
                                   "source_system": "test"}})
            .to_string(),
        )
        .unwrap()
    };
    t.apply(step(json!({"type": "interview_logged", "interview":
        {"informant": "parent", "invited_on": "2024-05-01"}})))
        .unwrap();
    t.apply(step(
        json!({"type": "interview_logged", "index": 0, "interview":
        {"informant": "parent", "invited_on": "2024-05-01", "consented_on": "2024-05-02",
         "interviewed_on": "2024-05-15"}}),
    ))
    .unwrap();
    // An entry that does not exist, and an interview without consent, are refused.
    let e = t
        .apply(step(
            json!({"type": "interview_logged", "index": 3, "interview":
            {"informant": "parent", "invited_on": "2024-05-01"}}),
        ))
        .unwrap_err();
    assert_eq!(e.code, "fp.unknown_interview");
    let e = t
        .apply(step(json!({"type": "interview_logged", "interview":
            {"informant": "self", "invited_on": "2024-05-01", "interviewed_on": "2024-05-03"}})))
        .unwrap_err();
    assert_eq!(e.code, "fp.interview_without_consent");
    let f1 = t.family(&"f1".parse().unwrap()).unwrap();
    assert_eq!(f1.interviews.len(), 1);
    assert_eq!(f1.interviews[0].status(), InterviewStatus::Interviewed);
    assert!(f1.interviews[0].provenance.is_some());
    let again = Trial::from_json(&t.to_json_pretty().unwrap()).unwrap();
    assert_eq!(again, t);
}
