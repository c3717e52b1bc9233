//! Every refused workflow step is refused with an error naming the event, the state and the
//! rule, and leaves the case unchanged.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use barnvern_case::Case;
use common::*;

/// Applies `events`, then expects `last` to be refused with `code`; the case must not change.
fn refused(
    jurisdiction: &str,
    events: Vec<barnvern_case::CaseEvent>,
    last: barnvern_case::CaseEvent,
    code: &str,
) {
    let mut case = empty_case(jurisdiction);
    apply_all(&mut case, events);
    let before: Case = case.clone();
    let name = last.type_name();
    let err = case.apply(last).expect_err("the event should be refused");
    assert_eq!(err.code, code, "{err}");
    assert_eq!(err.event, name);
    assert!(!err.state.is_empty());
    assert!(err.to_string().contains(name), "{err}");
    assert_eq!(
        case, before,
        "a refused event must leave the case unchanged"
    );
}

fn opened() -> Vec<barnvern_case::CaseEvent> {
    vec![
        referral("r1", "2024-03-01T10:00:00+01:00"),
        screening("s1", "r1", "2024-03-05", "open_investigation"),
        start("i1", "s1", "2024-03-05"),
    ]
}

#[test]
fn a_full_process_is_accepted_and_kept_as_history() {
    let mut case = empty_case("SE");
    let mut events = opened();
    events.extend([
        extend("i1", "2024-06-20", "2024-08-05"),
        conclude("i1", "2024-08-01"),
        decide("d1", "2024-08-02", Some("se_sol2001")),
        close("2024-12-01"),
        reopen("2025-01-10"),
        decide("d2", "2025-01-11", Some("se_sol2001")),
    ]);
    apply_all(&mut case, events);
    assert_eq!(case.history.len(), 9);
    assert_eq!(case.decisions.len(), 2);
    assert!(!case.is_closed());
    // The bundle with its history reads back as the same case.
    let again = Case::from_json(&case.to_json().unwrap()).unwrap();
    assert_eq!(again, case);
}

#[test]
fn an_investigation_cannot_conclude_before_it_starts() {
    refused(
        "SE",
        vec![referral("r1", "2024-03-01T10:00:00+01:00")],
        conclude("i1", "2024-04-01"),
        "workflow.investigation_not_started",
    );
    refused(
        "SE",
        opened(),
        conclude("i1", "2024-03-04"),
        "workflow.conclusion_before_start",
    );
}

#[test]
fn a_concluded_investigation_takes_no_more_steps() {
    let mut events = opened();
    events.push(conclude("i1", "2024-04-01"));
    refused(
        "SE",
        events.clone(),
        conclude("i1", "2024-04-02"),
        "workflow.investigation_concluded",
    );
    refused(
        "SE",
        events,
        extend("i1", "2024-04-02", "2024-09-01"),
        "workflow.investigation_concluded",
    );
}

#[test]
fn screening_needs_a_referral_once() {
    refused(
        "SE",
        vec![],
        screening("s1", "r9", "2024-03-05", "open_investigation"),
        "case.unknown_reference",
    );
    let events = vec![
        referral("r1", "2024-03-01T10:00:00+01:00"),
        screening("s1", "r1", "2024-03-05", "no_investigation"),
    ];
    refused(
        "SE",
        events.clone(),
        screening("s2", "r1", "2024-03-06", "open_investigation"),
        "workflow.already_screened",
    );
    refused(
        "SE",
        events,
        start("i1", "s1", "2024-03-06"),
        "workflow.screening_did_not_open",
    );
    refused(
        "SE",
        vec![referral("r1", "2024-03-01T10:00:00+01:00")],
        screening("s1", "r1", "2024-02-28", "open_investigation"),
        "date.order",
    );
}

#[test]
fn a_decision_needs_a_legal_basis_of_its_own_country() {
    refused(
        "SE",
        opened(),
        decide("d1", "2024-04-01", None),
        "workflow.decision_without_legal_basis",
    );
    refused(
        "SE",
        opened(),
        decide("d1", "2024-04-01", Some("no_bvl2021")),
        "legal_basis.jurisdiction",
    );
}

#[test]
fn a_closed_case_takes_no_new_measures_unless_reopened() {
    let closed = vec![
        referral("r1", "2024-03-01T10:00:00+01:00"),
        screening("s1", "r1", "2024-03-05", "open_investigation"),
        close("2024-03-06"),
    ];
    refused(
        "SE",
        closed.clone(),
        decide("d1", "2024-04-01", Some("se_sol2001")),
        "workflow.case_closed",
    );
    refused(
        "SE",
        closed.clone(),
        start("i1", "s1", "2024-03-07"),
        "workflow.case_closed",
    );
    refused(
        "SE",
        closed.clone(),
        close("2024-03-08"),
        "workflow.case_closed",
    );
    refused(
        "SE",
        vec![],
        reopen("2024-03-08"),
        "workflow.case_not_closed",
    );
    // Reopened, it takes them again.
    let mut case = empty_case("SE");
    apply_all(&mut case, closed);
    apply_all(
        &mut case,
        vec![reopen("2024-03-10"), start("i1", "s1", "2024-03-10")],
    );
}

#[test]
fn ids_are_unique_and_references_resolve() {
    refused(
        "SE",
        vec![referral("r1", "2024-03-01T10:00:00+01:00")],
        referral("r1", "2024-03-02T10:00:00+01:00"),
        "case.duplicate_id",
    );
    refused(
        "SE",
        opened(),
        start("i2", "s1", "2024-03-06"),
        "workflow.screening_already_used",
    );
    refused(
        "SE",
        opened(),
        start("i1", "s1", "2024-03-06"),
        "case.duplicate_id",
    );
    let change = event(serde_json::json!({
        "type": "decision_status_changed", "decision_id": "nope",
        "change": {"status": {"code": "approved"}, "on": "2024-04-01"},
        "provenance": prov("2099-01-01T00:00:00Z")
    }));
    refused("SE", vec![], change, "workflow.unknown_decision");
}

#[test]
fn norway_allows_extension_to_six_months_and_no_further() {
    let events = vec![
        referral("r1", "2024-03-01T10:00:00+01:00"),
        screening("s1", "r1", "2024-03-05", "open_investigation"),
        start("i1", "s1", "2024-03-05"),
    ];
    let mut case = empty_case("NO");
    apply_all(&mut case, events.clone());
    apply_all(&mut case, vec![extend("i1", "2024-05-01", "2024-09-05")]);
    refused(
        "NO",
        events,
        extend("i1", "2024-05-01", "2024-09-06"),
        "deadline.extension_too_long",
    );
}

#[test]
fn a_reporter_code_must_match_its_source_code() {
    let bad = event(serde_json::json!({
        "type": "referral_received",
        "referral": {"id": "r1", "received_at": "2024-03-01T10:00:00+01:00",
            "reporter": {"code": "police", "source": {"system": "no.ssb.barnevern.melder", "code": "9"}},
            "provenance": prov("2099-01-01T00:00:00Z")}
    }));
    refused("NO", vec![], bad, "codelist.mapping_mismatch");
    let unknown = event(serde_json::json!({
        "type": "referral_received",
        "referral": {"id": "r1", "received_at": "2024-03-01T10:00:00+01:00",
            "reporter": {"code": "police", "source": {"system": "no.ssb.barnevern.melder", "code": "99"}},
            "provenance": prov("2099-01-01T00:00:00Z")}
    }));
    refused("NO", vec![], unknown, "codelist.unknown_code");
}

fn intervention(id: &str, started_on: &str) -> barnvern_case::CaseEvent {
    event(serde_json::json!({
        "type": "intervention_started",
        "intervention": {
            "id": id,
            "type": {"code": "family_treatment"},
            "basis": {"kind": "decision", "legal_basis": {"law": "se_sol2001", "chapter": "4", "section": "1"}},
            "started_on": started_on,
            "provenance": prov("2099-01-01T00:00:00Z")
        }
    }))
}

fn end_intervention(id: &str, on: &str) -> barnvern_case::CaseEvent {
    event(serde_json::json!({
        "type": "intervention_ended", "intervention_id": id, "ended_on": on,
        "end_reason": {"code": "goal_reached"}, "provenance": prov("2099-01-01T00:00:00Z")
    }))
}

#[test]
fn interventions_follow_the_case_and_their_own_rules() {
    let mut case = empty_case("SE");
    apply_all(
        &mut case,
        vec![
            intervention("iv1", "2024-03-01"),
            end_intervention("iv1", "2024-09-01"),
        ],
    );
    assert_eq!(case.interventions[0].ended_on, Some(d(2024, 9, 1)));
    // An ended intervention takes no more steps; an unknown one none at all.
    refused(
        "SE",
        vec![
            intervention("iv1", "2024-03-01"),
            end_intervention("iv1", "2024-09-01"),
        ],
        end_intervention("iv1", "2024-10-01"),
        "workflow.intervention_ended",
    );
    refused(
        "SE",
        vec![],
        end_intervention("nope", "2024-10-01"),
        "workflow.unknown_intervention",
    );
    // A closed case takes no new measures unless reopened.
    refused(
        "SE",
        vec![close("2024-02-01")],
        intervention("iv1", "2024-03-01"),
        "workflow.case_closed",
    );
    // Ending before starting breaks the intervention crate's date rule.
    refused(
        "SE",
        vec![intervention("iv1", "2024-03-01")],
        end_intervention("iv1", "2024-02-01"),
        "date.order",
    );
}

#[test]
fn a_version_1_0_bundle_is_read_as_the_current_version() {
    let case = empty_case("SE");
    assert_eq!(case.schema_version, barnvern_case::SCHEMA_VERSION);
    let written: serde_json::Value = serde_json::from_str(&case.to_json().unwrap()).unwrap();
    assert_eq!(written["schema_version"], "1.3");
}

#[test]
fn family_partner_records_in_a_bundle_are_checked_with_paths() {
    let mut v: serde_json::Value = serde_json::from_str(&example("no-case.json")).unwrap();
    assert!(Case::from_json(&v.to_string()).is_ok());
    // A contact before the enrolment started is outside the enrolment.
    v["family_partner"]["family"]["contacts"][0]["on"] = "2024-07-30".into();
    let err = match Case::from_json(&v.to_string()) {
        Err(barnvern_case::Error::Validation(e)) => e,
        other => panic!("{other:?}"),
    };
    let finding = &err.findings()[0];
    assert_eq!(finding.path, "family_partner.family.contacts[0].on");
    assert_eq!(finding.code, "fp.contact_outside_enrolment");
}

#[test]
fn wave_questionnaires_in_a_bundle_are_checked_against_their_instrument() {
    let mut v: serde_json::Value = serde_json::from_str(&example("no-case.json")).unwrap();
    let case = Case::from_json(&v.to_string()).unwrap();
    assert!(case.validate().is_empty(), "{:?}", case.validate());
    // 7 is not an SDQ response code (0, 1, 2).
    v["family_partner"]["family"]["waves"][1]["questionnaires"][0]["responses"]["consid"] =
        7.into();
    v["family_partner"]["family"]["waves"][1]["questionnaires"][1]["instrument"] = "cbcl".into();
    let err = match Case::from_json(&v.to_string()) {
        Err(barnvern_case::Error::Validation(e)) => e,
        other => panic!("{other:?}"),
    };
    let found: Vec<(&str, &str)> = err
        .findings()
        .iter()
        .map(|i| (i.path.as_str(), i.code.as_str()))
        .collect();
    assert!(found.contains(&(
        "family_partner.family.waves[1].questionnaires[0].responses.consid",
        "outcomes.out_of_range"
    )));
    assert!(found.contains(&(
        "family_partner.family.waves[1].questionnaires[1].instrument",
        "fp.unknown_instrument"
    )));
}

#[test]
fn a_version_1_1_bundle_is_read_as_the_current_version() {
    let mut v: serde_json::Value = serde_json::from_str(&example("se-case.json")).unwrap();
    v["schema_version"] = "1.1".into();
    let case = Case::from_json(&v.to_string()).unwrap();
    assert_eq!(case.schema_version, "1.3");
}

#[test]
fn violence_disclosed_and_risk_assessed_during_an_investigation_are_kept_and_checked() {
    let disclosed = |on: &str, relation: &str| {
        event(serde_json::json!({
            "type": "violence_disclosed", "investigation_id": "i1",
            "disclosure": {"disclosed_on": on, "exposure": {"form": "physical", "mode": "direct",
                "perpetrator_relation": relation}},
            "provenance": prov("2099-01-01T00:00:00Z")
        }))
    };
    let assessed = |on: &str, method: serde_json::Value| {
        event(serde_json::json!({
            "type": "risk_assessed", "investigation_id": "i1",
            "assessment": {"assessed_on": on, "method": method, "level": {"code": "high"},
                "provenance": prov("2099-01-01T00:00:00Z")}
        }))
    };
    let mut case = empty_case("SE");
    apply_all(&mut case, opened());
    apply_all(
        &mut case,
        vec![
            disclosed("2024-03-20", "partner_of_parent"),
            assessed("2024-03-21", serde_json::json!({"code": "freda_danger"})),
        ],
    );
    let inv = &case.investigations[0];
    assert_eq!(inv.violence.len(), 1);
    assert_eq!(inv.risk_assessments.len(), 1);
    assert_eq!(
        inv.risk_assessments[0].level.code,
        barnvern_case::risk::RiskLevel::High
    );
    // The same through JSON, and back.
    let back = Case::from_json(&case.to_json().unwrap()).unwrap();
    assert_eq!(back, case);

    // Dated before the investigation started; another method with no name: refused with paths.
    refused(
        "SE",
        opened(),
        disclosed("2024-03-01", "father"),
        "date.order",
    );
    refused(
        "SE",
        opened(),
        assessed("2024-03-21", serde_json::json!({"code": "other"})),
        "codelist.text_required",
    );
    // A concluded investigation takes no more findings.
    let mut done = opened();
    done.push(conclude("i1", "2024-04-01"));
    let err = {
        let mut c = empty_case("SE");
        apply_all(&mut c, done);
        c.apply(disclosed("2024-04-02", "father")).unwrap_err()
    };
    assert!(!err.code.is_empty(), "{err}");
}

#[test]
fn violence_at_a_follow_up_is_dated_on_the_follow_up() {
    let follow_up = |on: &str, disclosed: &str| {
        event(serde_json::json!({
            "type": "follow_up_recorded",
            "follow_up": {"id": "f1", "on": on, "kind": "after_closure",
                "violence": [{"disclosed_on": disclosed, "exposure": {"form": "psychological",
                    "mode": "witnessed", "perpetrator_relation": "father", "victim": "mother"}}],
                "provenance": prov("2099-01-01T00:00:00Z")}
        }))
    };
    let mut case = empty_case("SE");
    apply_all(&mut case, opened());
    apply_all(&mut case, vec![follow_up("2024-06-01", "2024-06-01")]);
    assert_eq!(case.follow_ups[0].violence.len(), 1);
    refused(
        "SE",
        opened(),
        follow_up("2024-06-01", "2024-05-01"),
        "date.order",
    );
}

#[test]
fn a_version_1_2_bundle_is_read_as_the_current_version_without_reporting_records() {
    let mut v: serde_json::Value = serde_json::from_str(&example("no-case.json")).unwrap();
    v["schema_version"] = "1.2".into();
    let inv = &mut v["investigations"][0];
    inv.as_object_mut().unwrap().remove("decision_grounds");
    let ext = &mut inv["extensions"][0];
    ext.as_object_mut().unwrap().remove("applied_on");
    ext.as_object_mut().unwrap().remove("granted");
    let case = Case::from_json(&v.to_string()).unwrap();
    assert_eq!(case.schema_version, "1.3");
    assert!(case.investigations[0].decision_grounds.is_empty());
    assert_eq!(case.investigations[0].extensions[0].granted, None);
    assert!(case.board_referrals.is_empty() && case.moves.is_empty());
}

#[test]
fn reporting_records_are_checked_with_paths() {
    let mut v: serde_json::Value = serde_json::from_str(&example("no-case.json")).unwrap();
    // A ground that is not a case-content code, a decision that ends before it is made, a
    // refused extension application after its decision.
    v["investigations"][0]["decision_grounds"][0]["code"]["code"] = "999".into();
    v["decisions"][0]["ended_on"] = "2024-07-01".into();
    v["investigations"][0]["extensions"][0]["applied_on"] = "2024-05-03".into();
    v["decisions"][0]["claims"] = serde_json::json!([
        {"received_on": "2024-08-01", "concluded_on": "2024-08-20",
         "outcome": {"code": "other", "source": {"system": "no.ssb.barnevern.vedtak-krav-konklusjon", "code": "9"}}}
    ]);
    let err = match Case::from_json(&v.to_string()) {
        Err(barnvern_case::Error::Validation(e)) => e,
        other => panic!("{other:?}"),
    };
    let found: Vec<(&str, &str)> = err
        .findings()
        .iter()
        .map(|i| (i.path.as_str(), i.code.as_str()))
        .collect();
    for want in [
        (
            "investigations[0].decision_grounds[0].code.code",
            "codelist.unknown_code",
        ),
        ("decisions[0].ended_on", "date.order"),
        ("investigations[0].extensions[0].applied_on", "date.order"),
        (
            "decisions[0].claims[0].outcome.text",
            "codelist.text_required",
        ),
    ] {
        assert!(found.contains(&want), "{want:?} not in {found:?}");
    }
}

#[test]
fn a_refused_extension_extends_nothing() {
    let mut v: serde_json::Value = serde_json::from_str(&example("no-case.json")).unwrap();
    let case = Case::from_json(&v.to_string()).unwrap();
    assert!(case.investigations[0].extended_due().is_some());
    v["investigations"][0]["extensions"][0]["granted"] = false.into();
    let case = Case::from_json(&v.to_string()).unwrap();
    assert_eq!(case.investigations[0].extended_due(), None);
}

#[test]
fn source_extensions_are_reported_as_a_warning() {
    let mut v: serde_json::Value = serde_json::from_str(&example("no-case.json")).unwrap();
    v["source_extensions"] = serde_json::json!({"acme": {"x": 1}});
    let case = Case::from_json(&v.to_string()).unwrap();
    let findings = case.validate();
    let hit = findings
        .findings
        .iter()
        .find(|i| i.code == "case.source_extensions")
        .expect("a warning");
    assert_eq!(hit.severity, barnvern_core::Severity::Warning);
    assert_eq!(hit.path, "source_extensions.acme");
}

/// A stored bundle applied to through `TrustedBundle` gives exactly what `Case::apply` gives:
/// the same case when the event is accepted, the same refusal (event, state, code, message,
/// path) when it is not, for state checks and bundle rules alike.
#[test]
fn a_trusted_bundle_applies_events_as_a_case_does() {
    let mut case = empty_case("SE");
    apply_all(&mut case, opened());
    let stored = case.to_json().unwrap();
    let attempts = [
        conclude("i1", "2024-08-01"),
        conclude("i9", "2024-08-01"),
        start("i1", "s1", "2024-03-06"),
        close("2022-12-01"),
        decide("d1", "2024-08-02", None),
    ];
    let mut refusals = 0;
    for e in attempts {
        let want = case.clone().apply(e.clone());
        let trusted = barnvern_case::TrustedBundle::from_stored_json(&stored).unwrap();
        assert_eq!(trusted.data(), &*case);
        let got = trusted.apply(e.clone());
        match (want, got) {
            (Ok(()), Ok(got)) => {
                let mut expected = case.clone();
                expected.apply(e).unwrap();
                assert_eq!(got, expected);
            }
            (Err(w), Err(g)) => {
                assert_eq!(g, w);
                refusals += 1;
            }
            (w, g) => panic!("Case::apply gave {w:?}, TrustedBundle::apply {g:?}"),
        }
    }
    assert_eq!(refusals, 4);
}

/// Whatever text a `TrustedBundle` is read from, no invalid case comes out of it: an invalid
/// bundle (two referrals with one id) with an event the state allows is refused with the
/// bundle's error, not returned as a case.
#[test]
fn a_trusted_bundle_never_yields_an_invalid_case() {
    let mut case = empty_case("SE");
    apply_all(&mut case, vec![referral("r1", "2024-03-01T10:00:00+01:00")]);
    let mut v: serde_json::Value = serde_json::from_str(&case.to_json().unwrap()).unwrap();
    let first = v["referrals"][0].clone();
    v["referrals"].as_array_mut().unwrap().push(first);
    let invalid = v.to_string();
    assert!(Case::from_json(&invalid).is_err());
    let trusted = barnvern_case::TrustedBundle::from_stored_json(&invalid).unwrap();
    let err = trusted.apply(close("2024-06-01")).unwrap_err();
    assert_eq!(err.code, "case.duplicate_id");
}
