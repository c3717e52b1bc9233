//! Acceptability rated by the families as well as the staff (AIM/IAM/FIM with informant
//! parent), and an instrument defined by the user's own JSON recorded at a wave and scored with
//! that definition: a trial of four families worked out by hand.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use barnvern_familypartner::{Arm, Trial};
use barnvern_outcomes::Informant;
use chrono::NaiveDate;
use serde_json::{Value, json};

/// A licensed scale the user keys themselves (nothing of it is shipped): three items scored
/// 0-3, summed, at least two answered, prorated.
fn own_scale() -> Value {
    json!({
        "id": "family-sat", "version": "local-1", "algorithm": "prorated-sum",
        "name": "A family satisfaction scale (user-keyed)",
        "response_sets": {"r4": [{"value": 0, "weight": 0}, {"value": 1, "weight": 1},
                                 {"value": 2, "weight": 2}, {"value": 3, "weight": 3}]},
        "items": [{"name": "sat1", "position": 1, "responses": "r4"},
                  {"name": "sat2", "position": 2, "responses": "r4"},
                  {"name": "sat3", "position": 3, "responses": "r4"}],
        "reverse_keyed": ["sat3"],
        "scales": [{"id": "satisfaction", "label": "Satisfaction", "qs_testcd": "FSAT",
                    "items": ["sat1", "sat2", "sat3"], "method": "prorated_sum",
                    "min_answered": 2, "rounding": {"mode": "half_up", "decimals": 0}}]
    })
}

fn q(instrument: &str, informant: &str, responses: Value) -> Value {
    json!({"instrument": instrument, "informant": informant, "completed_on": "2024-04-20",
           "responses": responses})
}

fn aim(a: [i64; 4]) -> Value {
    json!({"aim1": a[0], "aim2": a[1], "aim3": a[2], "aim4": a[3]})
}

/// Families randomised 2024-01-10 (`f1`, `f2` intervention; `f3`, `f4` control), waves at 0
/// and 3 months; the 3-month wave (2024-04-20) holds the forms.
fn family(id: &str, seq: u32, arm: &str, questionnaires: Vec<Value>) -> Value {
    json!({
        "family": id, "approached_on": "2024-01-02",
        "screening": {"on": "2024-01-03", "child_age_years": 6,
                      "receives_child_welfare_services": true},
        "consent": {"on": "2024-01-05", "given": true},
        "allocation": {"arm": arm, "sequence": seq, "on": "2024-01-10"},
        "waves": [{"wave": 0, "on": "2024-01-10", "outcome": "completed"},
                  {"wave": 3, "on": "2024-04-20", "outcome": "completed",
                   "questionnaires": questionnaires}]
    })
}

fn trial(instruments: Vec<Value>, f4: Vec<Value>) -> Result<Trial, barnvern_familypartner::Error> {
    let data = json!({
        "schema_version": "1.1", "trial_id": "accept",
        "programme": barnvern_familypartner::ProgrammeDefinition::builtin_default().unwrap(),
        "design": {"randomisation": {"algorithm": "chacha20-v1"},
                   "waves": [{"month": 0, "opens_days_before": 14, "closes_days_after": 30},
                             {"month": 3, "opens_days_before": 14, "closes_days_after": 42}],
                   "primary_wave": 3, "instruments": instruments},
        "families": [
            // AIM by the parent: mean (4+4+3+4)/4 = 3.75; by the Family Partner: 4.5.
            family("f1", 1, "intervention", vec![
                q("aim", "parent", aim([4, 4, 3, 4])), q("aim", "staff", aim([5, 4, 5, 4])),
                q("family-sat", "parent", json!({"sat1": 3, "sat2": 2, "sat3": 0}))]),
            // AIM by the parent: (3+3+3+2)/4 = 2.75; the own scale with sat2 left out.
            family("f2", 2, "intervention", vec![
                q("aim", "parent", aim([3, 3, 3, 2])),
                q("family-sat", "parent", json!({"sat1": 1, "sat2": null, "sat3": 2}))]),
            // AIM by the parent with aim4 blank: not scored (complete cases only).
            family("f3", 3, "control", vec![
                q("aim", "parent", json!({"aim1": 5, "aim2": 5, "aim3": 5, "aim4": null}))]),
            family("f4", 4, "control", f4),
        ],
    });
    Trial::from_json(&data.to_string())
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()
}

#[test]
fn families_rate_acceptability_and_the_median_is_judged_against_the_benchmark() {
    let t = trial(
        vec![own_scale()],
        vec![q("aim", "parent", aim([5, 4, 4, 4]))],
    )
    .unwrap();
    assert!(t.validate().is_empty(), "{:?}", t.validate());
    let a = t.acceptability(as_of());
    let got: Vec<_> = a
        .iter()
        .map(|g| {
            (
                g.wave,
                g.instrument.as_str(),
                g.informant,
                g.arm,
                g.forms,
                g.scored,
                g.median,
            )
        })
        .collect();
    // Parent, intervention: 3.75 and 2.75, median (2.75 + 3.75) / 2 = 3.25 < 3.5.
    // Parent, control: f3 not scored, f4 (5+4+4+4)/4 = 4.25; median 4.25.
    // Staff, intervention: f1 only, 4.5.
    assert_eq!(
        got,
        vec![
            (
                3,
                "aim",
                Informant::Parent,
                Arm::Intervention,
                2,
                2,
                Some(3.25)
            ),
            (3, "aim", Informant::Parent, Arm::Control, 2, 1, Some(4.25)),
            (
                3,
                "aim",
                Informant::Staff,
                Arm::Intervention,
                1,
                1,
                Some(4.5)
            ),
        ]
    );
    assert_eq!(a[0].benchmark, Some(3.5));
    assert_eq!(a[0].median_meets_benchmark, Some(false));
    assert_eq!(a[1].median_meets_benchmark, Some(true));
    // At or above 3.5: f1 (3.75) of f1, f2 = 1 / 2, Wilson 95% 0.0945 to 0.9055.
    let r = a[0].at_or_above_benchmark.as_ref().unwrap();
    assert_eq!((r.numerator, r.denominator), (1, 2));
    let ci = r.ci95.unwrap();
    assert!((ci.lower - 0.094_531).abs() < 1e-5 && (ci.upper - 0.905_469).abs() < 1e-5);
}

#[test]
fn a_user_keyed_instrument_is_recorded_at_a_wave_and_scored_with_its_definition() {
    let t = trial(vec![own_scale()], Vec::new()).unwrap();
    let forms: Vec<_> = t
        .families
        .iter()
        .flat_map(|f| f.waves.iter().flat_map(|w| w.questionnaires.iter()))
        .filter(|q| q.instrument.as_str() == "family-sat")
        .collect();
    assert_eq!(forms.len(), 2);
    let user = &t.design.instruments;
    // f1: 3 + 2 + (3 - 0, reverse keyed) = 8.
    let s = forms[0].scores(user).unwrap();
    assert_eq!(s.value("satisfaction"), Some(8.0));
    assert_eq!(s.version, "local-1");
    // f2: 1 + (3 - 2) = 2 over 2 of 3 items, prorated 2 / 2 x 3 = 3.
    assert_eq!(
        forms[1].scores(user).unwrap().value("satisfaction"),
        Some(3.0)
    );
    // Completeness counts its items from the user's definition: 3 + 2 of 3 + 3.
    let c = t.questionnaire_completeness(as_of());
    let own = c.iter().find(|c| c.instrument == "family-sat").unwrap();
    let items = own.items_answered.as_ref().unwrap();
    assert_eq!((items.numerator, items.denominator), (5, 6));
    // The definition round-trips in the trial JSON.
    let again = Trial::from_json(&t.to_json_pretty().unwrap()).unwrap();
    assert_eq!(again, t);
}

#[test]
fn without_its_definition_the_instrument_is_refused_and_ids_must_be_new() {
    let err = trial(Vec::new(), Vec::new()).unwrap_err().to_string();
    assert!(err.contains("fp.unknown_instrument"), "{err}");
    let mut shadow = own_scale();
    shadow["id"] = json!("aim");
    let err = trial(vec![shadow], Vec::new()).unwrap_err().to_string();
    assert!(err.contains("fp.duplicate_instrument"), "{err}");
    let mut bad = own_scale();
    bad["items"][0]["responses"] = json!("nosuch");
    assert!(trial(vec![bad], Vec::new()).is_err());
}
