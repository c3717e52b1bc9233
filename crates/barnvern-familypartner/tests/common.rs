//! Helpers shared by the integration tests: steps built from JSON, as a service would send them.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use barnvern_core::Provenance;
use barnvern_familypartner::{
    FamilyRef, ProgrammeDefinition, RandomisationDesign, Trial, TrialDesign, TrialEvent, TrialId,
    WaveDefinition,
};
use chrono::NaiveDate;
use serde_json::{Value, json};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn prov() -> Provenance {
    serde_json::from_value(json!({"recorded_at": "2024-01-01T09:00:00Z",
        "recorded_by": {"role": "researcher", "staff": "r-1"}, "source_system": "test"}))
    .unwrap()
}

pub fn fam(id: &str) -> FamilyRef {
    FamilyRef::new(id).unwrap()
}

/// A step for `family`: `change` is the JSON of a `FamilyChange`.
pub fn step(family: &str, change: Value) -> TrialEvent {
    let v = json!({"family": family, "change": change, "provenance": prov()});
    TrialEvent::from_json(&v.to_string()).unwrap_or_else(|e| panic!("bad test step {v}: {e}"))
}

pub fn design(blocks: &[u32]) -> TrialDesign {
    TrialDesign {
        randomisation: RandomisationDesign::blocks(blocks),
        waves: WaveDefinition::fampart(),
        primary_wave: 6,
        sites: Vec::new(),
        usual_care: None,
        instruments: Vec::new(),
    }
}

/// An empty trial under the shipped default programme (cap 5).
pub fn empty_trial() -> Trial {
    let programme = ProgrammeDefinition::builtin_default().unwrap().clone();
    Trial::new(TrialId::new("t").unwrap(), programme, design(&[2, 4])).unwrap()
}

pub fn approach(t: &mut Trial, f: &str, on: &str) {
    t.apply(step(f, json!({"type": "approached", "on": on})))
        .unwrap();
}

pub fn screen(t: &mut Trial, f: &str, on: &str, age: u8, services: bool) {
    t.apply(step(
        f,
        json!({"type": "screened", "screening": {"on": on, "child_age_years": age,
               "receives_child_welfare_services": services}}),
    ))
    .unwrap();
}

pub fn consent(t: &mut Trial, f: &str, on: &str, given: bool) {
    t.apply(step(
        f,
        json!({"type": "consent_recorded", "consent": {"on": on, "given": given}}),
    ))
    .unwrap();
}

/// Approach, screen (eligible), consent: ready to randomise.
pub fn ready(t: &mut Trial, f: &str) {
    approach(t, f, "2024-01-02");
    screen(t, f, "2024-01-03", 6, true);
    consent(t, f, "2024-01-04", true);
}

/// An imported allocation with the next sequence number.
pub fn allocate(
    t: &mut Trial,
    f: &str,
    arm: &str,
    on: &str,
) -> Result<(), barnvern_familypartner::WorkflowError> {
    let seq = t.families.iter().filter(|x| x.allocation.is_some()).count() + 1;
    t.apply(step(
        f,
        json!({"type": "randomised", "allocation": {"arm": arm, "sequence": seq, "on": on}}),
    ))
}

pub fn enrol(
    t: &mut Trial,
    f: &str,
    partner: &str,
    on: &str,
    over: Option<&str>,
) -> Result<(), barnvern_familypartner::WorkflowError> {
    let mut e = json!({"partner": partner, "started_on": on, "planned_end": "2024-12-31"});
    if let Some(reason) = over {
        e["caseload_override"] = json!({"reason": reason, "approved_by": "lead-1"});
    }
    t.apply(step(f, json!({"type": "enrolled", "enrolment": e})))
}

pub fn contact(
    t: &mut Trial,
    f: &str,
    id: &str,
    on: &str,
) -> Result<(), barnvern_familypartner::WorkflowError> {
    t.apply(step(
        f,
        json!({"type": "contact_recorded", "contact": {"id": id, "on": on, "mode": "home",
               "minutes": 60, "status": "delivered", "components": ["relationship"]}}),
    ))
}

pub fn withdraw(
    t: &mut Trial,
    f: &str,
    on: &str,
    scope: &str,
) -> Result<(), barnvern_familypartner::WorkflowError> {
    t.apply(step(
        f,
        json!({"type": "withdrawn", "withdrawal": {"on": on, "by": "family", "scope": scope,
               "reason": {"code": "no_longer_wishes"}}}),
    ))
}
