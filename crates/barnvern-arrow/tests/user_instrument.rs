//! A case bundle whose questionnaire uses an instrument defined by the user's own JSON (carried
//! in the bundle's `family_partner.instruments`, as the trial design holds it): checked and
//! scored with that definition at extraction; without the definition the bundle is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use barnvern_case::Case;
use barnvern_research::ResearchCase;
use barnvern_research::testing::TestPseudonymiser;
use chrono::NaiveDate;
use serde_json::{Value, json};

fn bundle(with_definition: bool) -> String {
    let mut v: Value =
        serde_json::from_str(include_str!("../../../examples/no-case.json")).unwrap();
    let fp = &mut v["family_partner"];
    if with_definition {
        fp["instruments"] = json!([{
            "id": "family-sat", "version": "local-1", "algorithm": "sum",
            "name": "A family satisfaction scale (user-keyed)",
            "response_sets": {"r4": [{"value": 0, "weight": 0}, {"value": 1, "weight": 1},
                                     {"value": 2, "weight": 2}, {"value": 3, "weight": 3}]},
            "items": [{"name": "sat1", "position": 1, "responses": "r4"},
                      {"name": "sat2", "position": 2, "responses": "r4"}],
            "scales": [{"id": "satisfaction", "label": "Satisfaction", "qs_testcd": "FSAT",
                        "items": ["sat1", "sat2"], "method": "sum", "min_answered": 2,
                        "rounding": {"mode": "none"}}]
        }]);
    }
    let wave = fp["family"]["waves"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|w| w["wave"] == 3)
        .unwrap();
    let on = wave["on"].clone();
    wave["questionnaires"].as_array_mut().unwrap().push(json!({
        "instrument": "family-sat", "informant": "parent", "completed_on": on,
        "responses": {"sat1": 3, "sat2": 1}
    }));
    v.to_string()
}

#[test]
fn a_user_keyed_questionnaire_is_scored_with_the_bundles_definition() {
    let case = Case::from_json(&bundle(true)).unwrap();
    let as_of = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
    let research = ResearchCase::from_case(&case, &TestPseudonymiser::new(1), as_of);
    let family = research.family_partner.as_ref().unwrap();
    let qi = family
        .questionnaires
        .iter()
        .position(|q| q.instrument == "family-sat")
        .unwrap();
    // The item responses are kept with their positions from the user's definition.
    let q = &family.questionnaires[qi];
    assert_eq!(q.responses.len(), 2);
    assert_eq!(q.responses[0].position, Some(1));
    // 3 + 1 = 4, scored with the user's definition and version.
    let s = family
        .scores
        .iter()
        .find(|s| usize::try_from(s.questionnaire_index).unwrap() == qi)
        .unwrap();
    assert_eq!((s.score_id.as_str(), s.value), ("satisfaction", Some(4.0)));
    assert_eq!(s.version, "local-1");
}

#[test]
fn without_its_definition_the_bundle_is_refused() {
    let err = Case::from_json(&bundle(false)).unwrap_err().to_string();
    assert!(err.contains("fp.unknown_instrument"), "{err}");
}
