//! Intervention records through the public API: JSON, validation findings with paths, and the
//! Norwegian evaluation due dates worked out by hand.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use barnvern_core::{Jurisdiction, Severity};
use barnvern_intervention::{
    CoordinationMeeting, EvaluationRules, EvaluationStatus, Intervention, InterventionType, Plan,
    PlanType, evaluation_deadlines, validate,
};
use chrono::NaiveDate;
use serde_json::{Value, json};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn prov() -> Value {
    json!({"recorded_at": "2024-01-01T09:00:00Z",
           "recorded_by": {"role": "caseworker", "staff": "s-1"}, "source_system": "test"})
}

fn no_basis() -> Value {
    json!({"kind": "decision", "legal_basis": {"law": "no_bvl2021", "chapter": "3", "section": "1"}})
}

/// A Norwegian PMTO episode, with `extra` fields merged in.
fn episode(id: &str, extra: Value) -> Intervention {
    let mut v =
        json!({"id": id, "type": {"code": "pmto"}, "basis": no_basis(), "provenance": prov()});
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    barnvern_core::json::from_str(&v.to_string()).unwrap_or_else(|e| panic!("{v}: {e}"))
}

fn codes(j: Jurisdiction, ivs: &[Intervention]) -> Vec<(String, String, Severity)> {
    validate(j, ivs, &[], &[])
        .findings
        .into_iter()
        .map(|i| (i.path, i.code, i.severity))
        .collect()
}

#[test]
fn json_round_trip_and_unknown_fields() {
    let iv = episode(
        "iv-1",
        json!({"started_on": "2024-01-01", "consents": [
        {"person": "mother", "party": "carer", "status": "given", "on": "2023-12-20"}]}),
    );
    let text = serde_json::to_string(&iv).unwrap();
    assert!(text.contains(r#""type":{"code":"pmto"}"#), "{text}");
    let back: Intervention = barnvern_core::json::from_str(&text).unwrap();
    assert_eq!(back, iv);
    let err = barnvern_core::json::from_str::<Intervention>(
        &json!({"id": "x", "type": {"code": "pmto"}, "basis": no_basis(), "provenance": prov(), "colour": 1}).to_string(),
    )
    .unwrap_err();
    assert_eq!(err.findings()[0].code, "json.unknown_field");
    let err = barnvern_core::json::from_str::<Intervention>(
        &json!({"id": "", "type": {"code": "pmto"}, "basis": no_basis(), "provenance": prov()})
            .to_string(),
    )
    .unwrap_err();
    assert_eq!(
        (
            err.findings()[0].path.as_str(),
            err.findings()[0].code.as_str()
        ),
        ("id", "id.empty")
    );
}

#[test]
fn source_codes_are_checked_against_their_lists() {
    // SSB 3.2 is PMTO: fine. SSB 3.1 is MST: a mismatch. 3.7 needs text.
    let ok = episode(
        "a",
        json!({"type": {"code": "pmto", "source": {"system": "no.ssb.barnevern.tiltak-kategori", "code": "3.2"}}, "started_on": "2024-01-01"}),
    );
    let wrong = episode(
        "b",
        json!({"type": {"code": "pmto", "source": {"system": "no.ssb.barnevern.tiltak-kategori", "code": "3.1"}}, "started_on": "2024-01-01"}),
    );
    let unknown = episode(
        "c",
        json!({"type": {"code": "pmto", "source": {"system": "no.ssb.barnevern.tiltak-kategori", "code": "3.77"}}, "started_on": "2024-01-01"}),
    );
    let text = episode(
        "d",
        json!({"type": {"code": "other_home_based_method", "source": {"system": "no.ssb.barnevern.tiltak-kategori", "code": "3.7"}}, "started_on": "2024-01-01"}),
    );
    let kostra = episode(
        "e",
        json!({"type": {"code": "home_based_environmental_work", "source": {"system": "no.kostra.barnevern.tiltak", "code": "12.8"}}, "started_on": "2024-01-01"}),
    );
    // 8.2 ended on 2025-12-31: recorded in 2026 it is a warning, not an error.
    let old = episode(
        "f",
        json!({"type": {"code": "supported_housing", "source": {"system": "no.ssb.barnevern.tiltak-kategori", "code": "8.2"}}, "started_on": "2026-02-01"}),
    );
    assert_eq!(
        codes(Jurisdiction::No, &[ok, wrong, unknown, text, kostra, old]),
        vec![
            (
                "interventions[1].type.code".into(),
                "codelist.mapping_mismatch".into(),
                Severity::Error
            ),
            (
                "interventions[2].type.source.code".into(),
                "codelist.unknown_code".into(),
                Severity::Error
            ),
            (
                "interventions[3].type.text".into(),
                "codelist.text_required".into(),
                Severity::Error
            ),
            (
                "interventions[5].type.source.code".into(),
                "codelist.not_in_force".into(),
                Severity::Warning
            ),
        ]
    );
    assert_eq!(
        InterventionType::FamilyPartner.ssb_report(),
        ("3.7", Some("Family Partner"))
    );
}

#[test]
fn swedish_services_without_needs_assessment() {
    let se = |id: &str, code: &str, concept: &str, start: &str| {
        episode(
            id,
            json!({"type": {"code": concept, "source": {"system": "barnvern.se.insats", "code": code}},
            "basis": {"kind": "without_needs_assessment"}, "started_on": start,
            "consents": [{"person": "mother", "party": "carer", "status": "given", "on": start}]}),
        )
    };
    // Under SoL 2025:400 (from 2025-07-01) a kontaktperson needs no decision.
    let fine = se("a", "kontaktperson", "support_contact", "2025-09-01");
    // Before the law took force it did.
    let early = se("b", "kontaktperson", "support_contact", "2025-06-30");
    // A placement always needs a decision.
    let placement = se("c", "familjehem", "foster_home", "2025-09-01");
    // A kontaktfamilj is usually decided after a needs assessment: a query.
    let usually = se("d", "kontaktfamilj", "respite_care", "2025-09-01");
    assert_eq!(
        codes(Jurisdiction::Se, &[fine.clone(), early, placement, usually]),
        vec![
            (
                "interventions[1].basis".into(),
                "intervention.needs_decision".into(),
                Severity::Error
            ),
            (
                "interventions[2].basis".into(),
                "intervention.needs_decision".into(),
                Severity::Error
            ),
            (
                "interventions[3].basis".into(),
                "intervention.usually_needs_decision".into(),
                Severity::Query
            ),
        ]
    );
    // Norway has no such services.
    assert_eq!(
        codes(Jurisdiction::No, &[fine])[0].1,
        "intervention.needs_decision"
    );
}

#[test]
fn placements_consent_dates_and_endings() {
    let lvu = json!({"kind": "decision", "legal_basis": {"law": "se_lvu1990", "section": "3"}});
    let sol = json!({"kind": "decision", "legal_basis": {"law": "se_sol2001", "chapter": "4", "section": "1"}});
    let sis_lvu = episode(
        "a",
        json!({"type": {"code": "secure_youth_home"}, "basis": lvu, "started_on": "2024-01-01"}),
    );
    let sis_sol = episode(
        "b",
        json!({"type": {"code": "secure_youth_home"}, "basis": sol.clone(), "started_on": "2024-01-01",
        "consents": [{"person": "mother", "party": "carer", "status": "given", "on": "2023-12-30"}]}),
    );
    let no_consent = episode(
        "c",
        json!({"type": {"code": "family_treatment"}, "basis": sol.clone(), "started_on": "2024-01-01"}),
    );
    let child_consents = episode(
        "d",
        json!({"type": {"code": "support_contact"}, "basis": sol, "started_on": "2024-01-01",
        "consents": [{"person": "child", "party": "child_with_party_rights", "status": "given", "on": "2024-01-01"}]}),
    );
    let no_law = episode("e", json!({"started_on": "2024-01-01"})); // bvl. is not a Swedish law
    assert_eq!(
        codes(
            Jurisdiction::Se,
            &[sis_lvu, sis_sol, no_consent, child_consents, no_law]
        ),
        vec![
            (
                "interventions[1].basis.legal_basis.law".into(),
                "intervention.secure_home_needs_lvu".into(),
                Severity::Error
            ),
            (
                "interventions[2].consents".into(),
                "intervention.no_consent".into(),
                Severity::Warning
            ),
            (
                "interventions[4].basis.legal_basis.law".into(),
                "legal_basis.jurisdiction".into(),
                Severity::Error
            ),
            (
                "interventions[4].consents".into(),
                "intervention.no_consent".into(),
                Severity::Warning
            ),
        ]
    );
    let ended = episode(
        "a",
        json!({"started_on": "2024-01-01", "ended_on": "2023-12-01"}),
    );
    let other = episode(
        "b",
        json!({"started_on": "2024-01-01", "ended_on": "2024-06-01", "end_reason": {"code": "other"},
        "evaluations": [{"on": "2023-12-31", "conclusion": {"code": "continue"}}]}),
    );
    let ssb_end = episode(
        "c",
        json!({"started_on": "2024-01-01", "ended_on": "2024-06-01",
        "end_reason": {"code": "returned_home", "source": {"system": "no.ssb.barnevern.tiltak-opphevelse", "code": "1"}}}),
    );
    assert_eq!(
        codes(Jurisdiction::No, &[ended, other, ssb_end]),
        vec![
            (
                "interventions[0].ended_on".into(),
                "date.order".into(),
                Severity::Error
            ),
            (
                "interventions[0].end_reason".into(),
                "json.missing_field".into(),
                Severity::Error
            ),
            (
                "interventions[1].end_reason.text".into(),
                "codelist.text_required".into(),
                Severity::Error
            ),
            (
                "interventions[1].evaluations[0].on".into(),
                "date.order".into(),
                Severity::Error
            ),
        ]
    );
}

#[test]
fn plans_and_meetings() {
    let plan: Plan = barnvern_core::json::from_str(&json!({
        "id": "p1", "type": {"code": "action_plan", "source": {"system": "no.ssb.barnevern.plantype", "code": "2"}},
        "made_on": "2024-01-10", "intervention_ids": ["iv-1", "iv-9"],
        "evaluations": [{"due": "2024-04-10", "done_on": "2024-04-08"}, {"due": "2024-07-10"}],
        "provenance": prov()}).to_string()).unwrap();
    assert_eq!(
        PlanType::from_ssb_code("8"),
        Some(PlanType::InvestigationPlan)
    );
    let meeting: CoordinationMeeting = barnvern_core::json::from_str(&json!({
        "id": "m1", "held_on": "2024-02-01", "type": {"code": "sip"},
        "agencies": [{"code": "school"}, {"code": "child_psychiatry"}, {"code": "other"}, {"code": "school"}],
        "child_took_part": true, "carers_took_part": true, "plan_id": "p2", "provenance": prov()}).to_string()).unwrap();
    let iv = episode("iv-1", json!({"started_on": "2024-01-15", "plan_id": "p1"}));
    let got: Vec<(String, String)> = validate(Jurisdiction::No, &[iv], &[plan], &[meeting])
        .findings
        .into_iter()
        .map(|i| (i.path, i.code))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "plans[0].intervention_ids[1]".into(),
                "intervention.unknown_reference".into()
            ),
            (
                "meetings[0].agencies[2].text".into(),
                "codelist.text_required".into()
            ),
            (
                "meetings[0].agencies[3]".into(),
                "meeting.duplicate_agency".into()
            ),
            (
                "meetings[0].plan_id".into(),
                "intervention.unknown_reference".into()
            ),
        ]
    );
}

#[test]
fn norwegian_evaluation_due_dates() {
    let ev = |dates: &[&str]| -> Value {
        dates
            .iter()
            .map(|d| json!({"on": d, "conclusion": {"code": "continue"}}))
            .collect()
    };
    let ivs = [
        // Started 31 Jan 2024: due 30 Apr (31 Jan + 3 months, clamped); evaluated 29 Apr: met.
        // Next due 29 Jul; evaluated 15 Aug: breached. Next due 15 Nov; none: overdue on
        // 10 Jan 2025. Next due 15 Feb 2025 (from the missed due date): pending.
        // The evaluation dated after as_of does not count.
        episode(
            "a",
            json!({"started_on": "2024-01-31", "evaluations": ev(&["2024-04-29", "2024-08-15", "2025-01-20"])}),
        ),
        // Ends 15 May, before the first due date (1 Jun): owes none.
        episode(
            "b",
            json!({"started_on": "2024-03-01", "ended_on": "2024-05-15", "end_reason": {"code": "goal_reached"}}),
        ),
        // Ends on the due date itself: owes none.
        episode(
            "c",
            json!({"started_on": "2024-03-01", "ended_on": "2024-06-01", "end_reason": {"code": "moved"}}),
        ),
        // Ends the day after the due date, never evaluated: one overdue; the next (1 Sep) falls
        // after the end.
        episode(
            "d",
            json!({"started_on": "2024-03-01", "ended_on": "2024-06-02", "end_reason": {"code": "no_effect"}}),
        ),
        // Only planned: nothing due.
        episode("e", json!({"planned_start": "2024-03-01"})),
    ];
    let due = evaluation_deadlines(
        Jurisdiction::No,
        &ivs,
        EvaluationRules::builtin(),
        d(2025, 1, 10),
    );
    type Row<'a> = (
        &'a str,
        u32,
        NaiveDate,
        NaiveDate,
        Option<NaiveDate>,
        EvaluationStatus,
    );
    let got: Vec<Row> = due
        .iter()
        .map(|x| {
            (
                x.record_id.as_str(),
                x.sequence,
                x.start,
                x.due,
                x.completed_on,
                x.status,
            )
        })
        .collect();
    use EvaluationStatus::*;
    assert_eq!(
        got,
        vec![
            (
                "a",
                1,
                d(2024, 1, 31),
                d(2024, 4, 30),
                Some(d(2024, 4, 29)),
                Met
            ),
            (
                "a",
                2,
                d(2024, 4, 29),
                d(2024, 7, 29),
                Some(d(2024, 8, 15)),
                Breached
            ),
            ("a", 3, d(2024, 8, 15), d(2024, 11, 15), None, Overdue),
            ("a", 4, d(2024, 11, 15), d(2025, 2, 15), None, Pending),
            ("d", 1, d(2024, 3, 1), d(2024, 6, 1), None, Overdue),
        ]
    );
    assert!(
        due.iter()
            .all(|x| x.severity == Severity::Warning && x.rule_id == "no.q0982.measure_evaluation")
    );
    assert_eq!(due[0].record, "interventions[0]");
    assert_eq!(due[4].record, "interventions[3]");
    // Sweden has no such rule.
    assert!(
        evaluation_deadlines(
            Jurisdiction::Se,
            &ivs,
            EvaluationRules::builtin(),
            d(2025, 1, 10)
        )
        .is_empty()
    );
    // A rule table is data: a 6-week rule is a new row.
    let rules = EvaluationRules::from_json(
        &json!({"version": "x", "description": "test",
        "rules": [{"id": "t", "jurisdiction": "SE", "in_force_from": "2020-01-01", "groups": ["guidance"],
                   "interval": {"days": 42}, "severity": "query", "citation": "test"}]})
        .to_string(),
    )
    .unwrap();
    let se = evaluation_deadlines(Jurisdiction::Se, &ivs[3..4], &rules, d(2024, 6, 30));
    assert_eq!((se[0].due, se[0].status), (d(2024, 4, 12), Overdue));
    // ... that covers only the groups it names: a foster home is not "guidance".
    let foster = episode(
        "f",
        json!({"type": {"code": "foster_home"}, "started_on": "2024-03-01"}),
    );
    assert!(evaluation_deadlines(Jurisdiction::Se, &[foster], &rules, d(2024, 6, 30)).is_empty());
}

#[test]
fn json_schemas_are_generated() {
    for schema in [
        serde_json::to_value(schemars::schema_for!(Intervention)).unwrap(),
        serde_json::to_value(schemars::schema_for!(Plan)).unwrap(),
        serde_json::to_value(schemars::schema_for!(CoordinationMeeting)).unwrap(),
    ] {
        assert_eq!(schema["type"], "object", "{schema}");
        assert_eq!(schema["additionalProperties"], false, "{schema}");
    }
}
