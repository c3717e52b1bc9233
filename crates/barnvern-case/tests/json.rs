//! The canonical JSON: lossless round trips, unknown fields refused with their path, invalid
//! values refused through the same constructors, and no panic on any input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use barnvern_case::{Case, Error};
use barnvern_core::Severity;
use common::*;
use proptest::prelude::*;
use serde_json::Value;

#[test]
fn examples_round_trip_losslessly() {
    for name in ["se-case.json", "no-case.json"] {
        let text = example(name);
        let case = Case::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let written: Value = serde_json::from_str(&case.to_json().unwrap()).unwrap();
        let original: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(written, original, "{name} changed on a round trip");
        assert_eq!(
            Case::from_json(&case.to_json_pretty().unwrap()).unwrap(),
            case
        );
    }
}

fn error_of(text: &str) -> barnvern_core::Finding {
    match Case::from_json(text) {
        Err(Error::Validation(e)) => e.findings[0].clone(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn edited(name: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(&example(name)).unwrap();
    edit(&mut v);
    v.to_string()
}

#[test]
fn unknown_fields_are_refused_with_their_path() {
    let text = edited("se-case.json", |v| {
        v["referrals"][1]["colour"] = "red".into()
    });
    let finding = error_of(&text);
    assert_eq!(
        (finding.path.as_str(), finding.code.as_str()),
        ("referrals[1].colour", "json.unknown_field")
    );
}

#[test]
fn invalid_values_are_refused_through_their_constructors() {
    let text = edited("se-case.json", |v| {
        v["child"]["identity"]["national_id"] = "201801012393".into()
    });
    let finding = error_of(&text);
    assert_eq!(finding.path, "child.identity.national_id");
    assert!(finding.code.starts_with("id."), "{finding}");
    assert!(
        !finding.message.contains("201801012393"),
        "messages never repeat identity numbers"
    );

    // Given as a number, the identity number is a type error whose message does not echo it.
    let text = edited("se-case.json", |v| {
        v["child"]["identity"]["national_id"] = 201801012392u64.into()
    });
    let finding = error_of(&text);
    assert_eq!(
        (finding.path.as_str(), finding.code.as_str()),
        ("child.identity.national_id", "json.invalid_value")
    );
    assert!(!finding.message.contains("201801012392"), "{finding}");
    let text = edited("se-case.json", |v| {
        v["referrals"][0]["reporter"]["code"] = "201801012392".into()
    });
    assert!(!error_of(&text).message.contains("201801012392"));

    let text = edited("se-case.json", |v| v["municipality"] = "018".into());
    assert_eq!(error_of(&text).code, "municipality.format");
    let text = edited("se-case.json", |v| v["municipality"] = "4601".into());
    assert_eq!(error_of(&text).code, "municipality.unknown");
    let text = edited("no-case.json", |v| v["municipality"] = "1201".into());
    assert_eq!(error_of(&text).code, "municipality.not_in_force");
    let text = edited("se-case.json", |v| {
        v["referrals"][0]["received_at"] = "2024-13-01T00:00:00Z".into()
    });
    assert_eq!(error_of(&text).path, "referrals[0].received_at");
    let text = edited("se-case.json", |v| {
        v["investigations"][0]["concluded_on"] = "2024-11-01".into()
    });
    let Err(Error::Validation(e)) = Case::from_json(&text) else {
        panic!("accepted")
    };
    // Every finding is reported, not only the first.
    let found: Vec<(&str, &str)> = e
        .findings()
        .iter()
        .map(|i| (i.path.as_str(), i.code.as_str()))
        .collect();
    assert!(
        found.contains(&(
            "investigations[0].concluded_on",
            "workflow.conclusion_before_start"
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&("investigations[0].extensions[0].decided_on", "date.order")),
        "{found:?}"
    );
}

#[test]
fn unsupported_schema_versions_are_named() {
    let text = edited("se-case.json", |v| v["schema_version"] = "0.9".into());
    match Case::from_json(&text) {
        Err(Error::SchemaVersion { found, supported }) => {
            assert_eq!(found.as_deref(), Some("0.9"));
            assert_eq!(supported, "1.0, 1.1, 1.2, 1.3");
        }
        other => panic!("{other:?}"),
    }
    let text = edited("se-case.json", |v| {
        v.as_object_mut().unwrap().remove("schema_version");
    });
    assert!(matches!(
        Case::from_json(&text),
        Err(Error::SchemaVersion { found: None, .. })
    ));
}

#[test]
fn violence_closed_without_investigation_is_queried_in_sweden() {
    let mut case = empty_case("SE");
    let r = event(serde_json::json!({
        "type": "referral_received",
        "referral": {"id": "r1", "received_at": "2024-03-01T10:00:00+01:00", "reporter": {"code": "police"},
            "violence": [{"form": "physical", "mode": "direct"}], "provenance": prov("2099-01-01T00:00:00Z")}
    }));
    apply_all(
        &mut case,
        vec![r, screening("s1", "r1", "2024-03-02", "no_investigation")],
    );
    let report = case.validate();
    let q = report
        .findings
        .iter()
        .find(|i| i.code == "se.violence_not_investigated")
        .expect("query");
    assert_eq!(
        (q.severity, q.path.as_str()),
        (Severity::Query, "screenings[0].outcome")
    );
}

/// The violence query raised (its citation) or not, for one exposure on a Swedish referral
/// screened without investigation on `screened`.
fn violence_query(exposure: serde_json::Value, screened: &str) -> Option<String> {
    let mut case = empty_case("SE");
    let received = format!("{screened}T08:00:00+01:00");
    let r = event(serde_json::json!({
        "type": "referral_received",
        "referral": {"id": "r1", "received_at": received, "reporter": {"code": "police"},
            "violence": [exposure], "provenance": prov("2099-01-01T00:00:00Z")}
    }));
    apply_all(
        &mut case,
        vec![r, screening("s1", "r1", screened, "no_investigation")],
    );
    case.validate()
        .findings
        .into_iter()
        .find(|i| i.code == "se.violence_not_investigated")
        .map(|i| i.message)
}

#[test]
fn the_violence_query_concerns_violence_by_or_against_a_person_close_to_the_child() {
    use serde_json::json;
    let on = "2024-03-01";
    // By a parent, a parent's partner, a sibling; or the relation not known: raised.
    for relation in [
        "mother",
        "father",
        "partner_of_parent",
        "sibling",
        "unknown",
    ] {
        let exposure =
            json!({"form": "physical", "mode": "direct", "perpetrator_relation": relation});
        assert!(violence_query(exposure, on).is_some(), "{relation}");
    }
    assert!(violence_query(json!({"form": "physical", "mode": "direct"}), on).is_some());
    // By a stranger or a known person outside the family: not.
    for relation in ["stranger", "known_non_family"] {
        let exposure =
            json!({"form": "physical", "mode": "direct", "perpetrator_relation": relation});
        assert_eq!(violence_query(exposure, on), None, "{relation}");
    }
    // Witnessed: a stranger hitting the child's mother is violence against a närstående.
    let witnessed = json!({"form": "physical", "mode": "witnessed",
        "perpetrator_relation": "stranger", "victim": "mother"});
    assert!(violence_query(witnessed, on).is_some());
    let strangers = json!({"form": "physical", "mode": "witnessed",
        "perpetrator_relation": "stranger", "victim": "stranger"});
    assert_eq!(violence_query(strangers, on), None);
}

#[test]
fn the_violence_query_cites_the_regulation_in_force_on_the_screening_date() {
    let exposure = serde_json::json!({"form": "psychological", "mode": "direct", "perpetrator_relation": "father"});
    let old = violence_query(exposure.clone(), "2022-10-31").expect("raised");
    assert!(old.contains("SOSFS 2014:4"), "{old}");
    let new = violence_query(exposure.clone(), "2022-11-01").expect("raised");
    assert!(new.contains("HSLF-FS 2022:39"), "{new}");
    // Before SOSFS 2014:4 came into force there is no rule row.
    assert_eq!(violence_query(exposure, "2014-09-30"), None);
}

#[test]
fn the_json_schema_names_every_top_level_field() {
    let schema = Case::json_schema();
    let props = schema["properties"].as_object().unwrap();
    let example: Value = serde_json::from_str(&example("se-case.json")).unwrap();
    for key in example.as_object().unwrap().keys() {
        assert!(props.contains_key(key), "schema lacks {key}");
    }
    assert_eq!(schema["additionalProperties"], Value::Bool(false));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        prop_assert!(Case::from_json(&text).is_err());
    }

    #[test]
    fn mangled_examples_never_panic(cut in 0usize..5000, byte in any::<u8>()) {
        let text = example("se-case.json");
        let mut bytes = text.into_bytes();
        let at = cut % bytes.len();
        bytes[at] = byte;
        let text = String::from_utf8_lossy(&bytes);
        if let Err(Error::Validation(e)) = Case::from_json(&text) {
            prop_assert!(!e.findings.is_empty());
            prop_assert!(!e.findings[0].code.is_empty());
        }
    }
}
