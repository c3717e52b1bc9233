//! Questionnaire completeness per wave and instrument, on the Norwegian example family
//! (examples/no-case.json), counted by hand from its wave records.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use barnvern_familypartner::{FamilyRecord, ProgrammeDefinition, TrialData};
use chrono::NaiveDate;
use serde_json::json;

#[test]
fn completeness_per_wave_and_instrument() {
    let bundle: serde_json::Value =
        serde_json::from_str(include_str!("../../../examples/no-case.json")).unwrap();
    let family: FamilyRecord =
        serde_json::from_value(bundle["family_partner"]["family"].clone()).unwrap();
    let data: TrialData = serde_json::from_value(json!({
        "schema_version": "1.1", "trial_id": "example",
        "programme": ProgrammeDefinition::builtin_default().unwrap(),
        "design": {"randomisation": {"algorithm": "chacha20-v1"},
                   "waves": [{"month": 0, "opens_days_before": 14, "closes_days_after": 30},
                             {"month": 3, "opens_days_before": 14, "closes_days_after": 30},
                             {"month": 6, "opens_days_before": 14, "closes_days_after": 30}],
                   "primary_wave": 6},
        "families": [family],
    }))
    .unwrap();
    let c = data.questionnaire_completeness(NaiveDate::from_ymd_opt(2025, 10, 1).unwrap());
    let got: Vec<(u32, &str, u64, u64, u64, u64)> = c
        .iter()
        .map(|q| {
            let items = q.items_answered.as_ref().unwrap();
            (
                q.wave,
                q.instrument.as_str(),
                q.returned.numerator,
                q.returned.denominator,
                items.numerator,
                items.denominator,
            )
        })
        .collect();
    // The family has data at waves 0 (completed), 3 (completed) and 6 (partial): 1 of 1 each.
    // SDQ parent form: 31 items (25 and the impact supplement); wave 0 leaves `afraid` blank
    // (29 answered of the 30 recorded), wave 3 marks `fidgety` not done (29), wave 6 holds 5
    // answers. AIM and IAM: 4 of 4; FIM: `fim4` blank, 3 of 4.
    assert_eq!(
        got,
        vec![
            (0, "sdq-p-4-17", 1, 1, 29, 31),
            (3, "aim", 1, 1, 4, 4),
            (3, "fim", 1, 1, 3, 4),
            (3, "iam", 1, 1, 4, 4),
            (3, "sdq-p-4-17", 1, 1, 29, 31),
            (6, "sdq-p-4-17", 1, 1, 5, 31),
        ]
    );
}
