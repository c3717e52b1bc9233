//! Helpers shared by the integration tests: events built from JSON, as a service would send them.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use barnvern_case::{Case, CaseEvent};
use chrono::NaiveDate;
use serde_json::{Value, json};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn prov(at: &str) -> Value {
    json!({"recorded_at": at, "recorded_by": {"role": "caseworker", "staff": "sw-1"}, "source_system": "test"})
}

pub fn event(v: Value) -> CaseEvent {
    CaseEvent::from_json(&v.to_string()).unwrap_or_else(|e| panic!("bad test event {v}: {e}"))
}

/// An empty open case in `jurisdiction` ("SE" or "NO"), for a child from the public test lists.
pub fn empty_case(jurisdiction: &str) -> Case {
    let (municipality, child) = match jurisdiction {
        "SE" => ("0180", "201801012392"),
        _ => ("4601", "03851598730"),
    };
    let bundle = json!({
        "schema_version": "1.0",
        "case_id": "c-1",
        "jurisdiction": jurisdiction,
        "municipality": municipality,
        "opened_on": "2023-01-02",
        "child": {"identity": {"national_id": child}},
    });
    Case::from_json(&bundle.to_string()).unwrap()
}

pub fn referral(id: &str, received_at: &str) -> CaseEvent {
    event(json!({
        "type": "referral_received",
        "referral": {"id": id, "received_at": received_at, "reporter": {"code": "school"},
                     "provenance": prov("2099-01-01T00:00:00Z")}
    }))
}

pub fn screening(id: &str, referral: &str, on: &str, outcome: &str) -> CaseEvent {
    event(json!({
        "type": "screening_decided",
        "screening": {"id": id, "referral_id": referral, "decided_on": on,
                      "outcome": {"code": outcome}, "provenance": prov("2099-01-01T00:00:00Z")}
    }))
}

pub fn start(id: &str, screening: &str, on: &str) -> CaseEvent {
    event(json!({
        "type": "investigation_started", "investigation_id": id, "screening_id": screening,
        "started_on": on, "provenance": prov("2099-01-01T00:00:00Z")
    }))
}

pub fn extend(id: &str, on: &str, new_due: &str) -> CaseEvent {
    event(json!({
        "type": "investigation_extended", "investigation_id": id,
        "extension": {"decided_on": on, "reason": "special circumstances", "new_due": new_due},
        "provenance": prov("2099-01-01T00:00:00Z")
    }))
}

pub fn conclude(id: &str, on: &str) -> CaseEvent {
    event(json!({
        "type": "investigation_concluded", "investigation_id": id, "concluded_on": on,
        "conclusion": {"code": "measures"}, "provenance": prov("2099-01-01T00:00:00Z")
    }))
}

pub fn decide(id: &str, on: &str, law: Option<&str>) -> CaseEvent {
    let mut v = json!({
        "type": "decision_made", "decision_id": id, "decided_on": on, "kind": "measure",
        "provenance": prov("2099-01-01T00:00:00Z")
    });
    if let Some(law) = law {
        v["legal_basis"] = json!({"law": law});
    }
    event(v)
}

pub fn close(on: &str) -> CaseEvent {
    event(
        json!({"type": "case_closed", "closed_on": on, "reason": {"code": "no_further_need"},
                 "provenance": prov("2099-01-01T00:00:00Z")}),
    )
}

pub fn reopen(on: &str) -> CaseEvent {
    event(
        json!({"type": "case_reopened", "reopened_on": on, "provenance": prov("2099-01-01T00:00:00Z")}),
    )
}

/// Applies every event, panicking with the refusal if one is refused.
pub fn apply_all(case: &mut Case, events: Vec<CaseEvent>) {
    for e in events {
        let name = e.type_name();
        case.apply(e)
            .unwrap_or_else(|err| panic!("{name} refused: {err}"));
    }
}

pub fn example(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}
