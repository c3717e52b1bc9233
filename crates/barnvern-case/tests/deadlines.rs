//! Statutory deadlines of the shipped examples, worked out by hand, and the calendar rules
//! behind them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use barnvern_case::{Case, DeadlineKind, DeadlineStatus};
use common::*;
use proptest::prelude::*;

fn find<'a>(
    all: &'a [barnvern_case::Deadline],
    record: &str,
    kind: DeadlineKind,
) -> &'a barnvern_case::Deadline {
    all.iter()
        .find(|d| d.record_id == record && d.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} deadline for {record}"))
}

#[test]
fn swedish_example() {
    let case = Case::from_json(&example("se-case.json")).unwrap();
    let all = case.deadlines(d(2025, 9, 20));
    assert_eq!(all.len(), 5);

    let pa = find(&all, "ref-1", DeadlineKind::ProtectionAssessment);
    assert_eq!(
        (pa.due, pa.completed_on, pa.status),
        (d(2024, 11, 5), Some(d(2024, 11, 4)), DeadlineStatus::Met)
    );
    assert_eq!(pa.rule_id, "se.sol2001.protection_assessment");

    let scr = find(&all, "ref-1", DeadlineKind::Screening);
    assert_eq!(
        (scr.due, scr.status),
        (d(2024, 11, 18), DeadlineStatus::Met)
    );

    // Received after SoL 2025:400 took force: the new law's rows apply.
    let pa2 = find(&all, "ref-2", DeadlineKind::ProtectionAssessment);
    assert_eq!(pa2.rule_id, "se.sol2025.protection_assessment");
    assert_eq!((pa2.due, pa2.status), (d(2025, 9, 11), DeadlineStatus::Met));
    let scr2 = find(&all, "ref-2", DeadlineKind::Screening);
    assert_eq!(
        (scr2.due, scr2.completed_on, scr2.status),
        (d(2025, 9, 24), None, DeadlineStatus::Pending)
    );
    let later = case.deadlines(d(2025, 9, 25));
    assert_eq!(
        find(&later, "ref-2", DeadlineKind::Screening).status,
        DeadlineStatus::Overdue
    );

    // 4 months from 12 November 2024, extended to 12 April 2025, concluded 2 April.
    let inv = find(&all, "inv-1", DeadlineKind::Investigation);
    assert_eq!(
        (inv.start, inv.due, inv.extended_due),
        (d(2024, 11, 12), d(2025, 3, 12), Some(d(2025, 4, 12)))
    );
    assert_eq!(inv.status, DeadlineStatus::MetAfterExtension);
}

#[test]
fn norwegian_example() {
    let case = Case::from_json(&example("no-case.json")).unwrap();
    let all = case.deadlines(d(2025, 9, 20));
    assert_eq!(all.len(), 6, "Norway has no protection-assessment deadline");
    let m1 = find(&all, "m-1", DeadlineKind::Screening);
    assert_eq!(
        (m1.due, m1.status, m1.rule_id.as_str()),
        (
            d(2024, 2, 12),
            DeadlineStatus::Met,
            "no.bvl2021.report_review"
        )
    );
    let m2 = find(&all, "m-2", DeadlineKind::Screening);
    assert_eq!(
        (m2.due, m2.completed_on, m2.status),
        (
            d(2025, 1, 17),
            Some(d(2025, 1, 20)),
            DeadlineStatus::Breached
        )
    );
    // Q-0982: the Family Partner measure from 1 August 2024, evaluated every 3 months from the
    // last evaluation: due 1 Nov (done 28 Oct), 28 Jan (done 20 Jan), 20 Apr (done 15 Apr).
    let evals: Vec<_> = all
        .iter()
        .filter(|d| d.kind == DeadlineKind::MeasureEvaluation)
        .collect();
    let got: Vec<_> = evals
        .iter()
        .map(|d| (d.sequence, d.due, d.completed_on, d.status))
        .collect();
    assert_eq!(
        got,
        [
            (
                Some(1),
                d(2024, 11, 1),
                Some(d(2024, 10, 28)),
                DeadlineStatus::Met
            ),
            (
                Some(2),
                d(2025, 1, 28),
                Some(d(2025, 1, 20)),
                DeadlineStatus::Met
            ),
            (
                Some(3),
                d(2025, 4, 20),
                Some(d(2025, 4, 15)),
                DeadlineStatus::Met
            ),
        ]
    );
    assert!(
        evals
            .iter()
            .all(|d| d.severity == barnvern_core::Severity::Warning)
    );
    let u1 = find(&all, "u-1", DeadlineKind::Investigation);
    assert_eq!(
        (u1.due, u1.extended_due, u1.status),
        (
            d(2024, 5, 9),
            Some(d(2024, 8, 9)),
            DeadlineStatus::MetAfterExtension
        )
    );
}

#[test]
fn a_swedish_screening_late_with_recorded_reasons_is_met_after_extension() {
    let mut case = empty_case("SE");
    apply_all(&mut case, vec![referral("r1", "2024-03-01T10:00:00+01:00")]);
    let late = event(serde_json::json!({
        "type": "screening_decided",
        "screening": {"id": "s1", "referral_id": "r1", "decided_on": "2024-03-20",
            "outcome": {"code": "open_investigation"}, "extraordinary_reasons": "Tolk saknades.",
            "provenance": prov("2099-01-01T00:00:00Z")}
    }));
    apply_all(&mut case, vec![late]);
    let all = case.deadlines(d(2024, 4, 1));
    assert_eq!(
        find(&all, "r1", DeadlineKind::Screening).status,
        DeadlineStatus::MetAfterExtension
    );
    assert_eq!(
        find(&all, "r1", DeadlineKind::ProtectionAssessment).status,
        DeadlineStatus::Overdue
    );
}

#[test]
fn receipt_date_is_the_local_date_as_recorded() {
    // 23:30 in Stockholm on 1 March is 22:30 UTC: the receipt date is 1 March.
    let mut case = empty_case("SE");
    apply_all(&mut case, vec![referral("r1", "2024-03-01T23:30:00+01:00")]);
    let all = case.deadlines(d(2024, 3, 1));
    assert_eq!(
        find(&all, "r1", DeadlineKind::ProtectionAssessment).due,
        d(2024, 3, 2)
    );
    assert_eq!(
        find(&all, "r1", DeadlineKind::Screening).due,
        d(2024, 3, 15)
    );
}

fn investigation_due(jurisdiction: &str, start_on: &str) -> chrono::NaiveDate {
    let mut case = empty_case(jurisdiction);
    let received = format!("{start_on}T08:00:00+01:00");
    apply_all(
        &mut case,
        vec![
            referral("r1", &received),
            screening("s1", "r1", start_on, "open_investigation"),
            start("i1", "s1", start_on),
        ],
    );
    find(
        &case.deadlines(d(2030, 1, 1)),
        "i1",
        DeadlineKind::Investigation,
    )
    .due
}

#[test]
fn months_are_calendar_months_over_month_ends_and_leap_years() {
    assert_eq!(investigation_due("SE", "2023-10-31"), d(2024, 2, 29));
    assert_eq!(investigation_due("SE", "2022-10-31"), d(2023, 2, 28));
    assert_eq!(investigation_due("NO", "2024-11-30"), d(2025, 2, 28));
    assert_eq!(investigation_due("NO", "2023-11-29"), d(2024, 2, 29));
    assert_eq!(investigation_due("NO", "2024-01-31"), d(2024, 4, 30));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// For any start date the due date is the same day-of-month n months later, or that
    /// month's last day when it is shorter; and a deadline met on its due day is met.
    #[test]
    fn calendar_month_deadlines(days in 0i64..3000, se in any::<bool>()) {
        let start_date = d(2023, 1, 1) + chrono::Duration::days(days);
        let (j, months) = if se { ("SE", 4) } else { ("NO", 3) };
        let due = investigation_due(j, &start_date.to_string());
        use chrono::Datelike;
        let months_between = (due.year() - start_date.year()) * 12 + due.month() as i32 - start_date.month() as i32;
        prop_assert_eq!(months_between, months);
        let next = due + chrono::Duration::days(1);
        prop_assert!(due.day() == start_date.day() || (due.day() < start_date.day() && next.day() == 1));
    }
}

/// The Norwegian investigation of a referral received on 1 March 2024, screened on
/// `screened`, started on `started`: its deadline as of `as_of`, with the findings of the case.
fn norwegian_investigation(
    screened: &str,
    started: &str,
    more: Vec<barnvern_case::CaseEvent>,
    as_of: chrono::NaiveDate,
) -> (
    barnvern_case::deadlines::Deadline,
    Vec<barnvern_core::Finding>,
) {
    let mut case = empty_case("NO");
    let mut events = vec![
        referral("r1", "2024-03-01T10:00:00+01:00"),
        screening("s1", "r1", screened, "open_investigation"),
        start("i1", "s1", started),
    ];
    events.extend(more);
    apply_all(&mut case, events);
    let inv = find(&case.deadlines(as_of), "i1", DeadlineKind::Investigation).clone();
    (inv, case.validate().findings)
}

#[test]
fn norway_counts_the_investigation_from_the_end_of_the_review_not_its_recorded_start() {
    use barnvern_case::deadlines::StartBasis;
    // Reviewed on day 4, investigation recorded as started two weeks later: the three months
    // run from the review's end (4 March), so the later start gains nothing.
    let (inv, _) = norwegian_investigation("2024-03-04", "2024-03-18", vec![], d(2024, 5, 1));
    assert_eq!(
        (inv.start, inv.start_basis, inv.due),
        (d(2024, 3, 4), StartBasis::ReviewConcluded, d(2024, 6, 4))
    );
    assert_eq!(inv.rule_id, "no.bvl2021.investigation");
    assert!(inv.citation.contains("§ 2-2"), "{}", inv.citation);
    // Reviewed late (day 20): the period runs from the review's time limit, receipt + 7 days.
    let (inv, _) = norwegian_investigation("2024-03-20", "2024-03-20", vec![], d(2024, 5, 1));
    assert_eq!(
        (inv.start, inv.start_basis, inv.due),
        (d(2024, 3, 8), StartBasis::ReviewLimit, d(2024, 6, 8))
    );
    // Concluded on 5 June: within three months of the recorded start, but not of the review.
    let (inv, _) = norwegian_investigation(
        "2024-03-04",
        "2024-03-18",
        vec![conclude("i1", "2024-06-05")],
        d(2024, 7, 1),
    );
    assert_eq!(inv.status, DeadlineStatus::Breached);
}

#[test]
fn the_1992_act_cites_the_time_limit_of_section_6_9() {
    let mut case = empty_case("NO");
    apply_all(
        &mut case,
        vec![
            referral("r1", "2020-03-02T10:00:00+01:00"),
            screening("s1", "r1", "2020-03-03", "open_investigation"),
            start("i1", "s1", "2020-03-10"),
        ],
    );
    let inv = find(
        &case.deadlines(d(2020, 4, 1)),
        "i1",
        DeadlineKind::Investigation,
    )
    .clone();
    assert_eq!(inv.rule_id, "no.bvl1992.investigation");
    assert!(inv.citation.contains("§ 6-9"), "{}", inv.citation);
    assert!(!inv.citation.contains("§ 4-3"), "{}", inv.citation);
    assert_eq!((inv.start, inv.due), (d(2020, 3, 3), d(2020, 6, 3)));
}

#[test]
fn an_extension_decided_after_the_due_date_cures_nothing() {
    // Due 1 June; extended on 5 June (too late) to 1 August.
    let late = vec![extend("i1", "2024-06-05", "2024-08-01")];
    let (open, findings) =
        norwegian_investigation("2024-03-01", "2024-03-01", late.clone(), d(2024, 7, 1));
    assert_eq!(
        (open.extended_due, open.status),
        (None, DeadlineStatus::Overdue)
    );
    let warning = findings
        .iter()
        .find(|i| i.code == "deadline.extension_too_late")
        .expect("a warning for the late extension");
    assert_eq!(warning.severity, barnvern_core::Severity::Warning);
    assert_eq!(warning.path, "investigations[0].extensions[0].decided_on");
    let mut done = late;
    done.push(conclude("i1", "2024-07-01"));
    let (closed, _) = norwegian_investigation("2024-03-01", "2024-03-01", done, d(2024, 8, 1));
    assert_eq!(
        (closed.extended_due, closed.status),
        (None, DeadlineStatus::Breached)
    );
    // Decided on the due date itself: in time.
    let (in_time, findings) = norwegian_investigation(
        "2024-03-01",
        "2024-03-01",
        vec![
            extend("i1", "2024-06-01", "2024-08-01"),
            conclude("i1", "2024-07-01"),
        ],
        d(2024, 8, 1),
    );
    assert_eq!(
        (in_time.extended_due, in_time.status),
        (Some(d(2024, 8, 1)), DeadlineStatus::MetAfterExtension)
    );
    assert!(
        findings
            .iter()
            .all(|i| i.code != "deadline.extension_too_late")
    );
    // A second extension decided after the first extended due date had passed: only the first
    // counts.
    let (second, findings) = norwegian_investigation(
        "2024-03-01",
        "2024-03-01",
        vec![
            extend("i1", "2024-05-20", "2024-07-01"),
            extend("i1", "2024-07-10", "2024-08-20"),
        ],
        d(2024, 7, 15),
    );
    assert_eq!(
        (second.extended_due, second.status),
        (Some(d(2024, 7, 1)), DeadlineStatus::Overdue)
    );
    assert_eq!(
        findings
            .iter()
            .filter(|i| i.code == "deadline.extension_too_late")
            .map(|i| i.path.as_str())
            .collect::<Vec<_>>(),
        ["investigations[0].extensions[1].decided_on"]
    );
}

#[test]
fn a_swedish_extension_decided_after_the_four_months_cures_nothing() {
    let mut case = empty_case("SE");
    apply_all(
        &mut case,
        vec![
            referral("r1", "2024-03-01T10:00:00+01:00"),
            screening("s1", "r1", "2024-03-05", "open_investigation"),
            start("i1", "s1", "2024-03-05"),
            extend("i1", "2024-07-08", "2024-09-05"),
            conclude("i1", "2024-08-01"),
        ],
    );
    let inv = find(
        &case.deadlines(d(2024, 9, 1)),
        "i1",
        DeadlineKind::Investigation,
    )
    .clone();
    assert_eq!(
        (inv.due, inv.extended_due, inv.status),
        (d(2024, 7, 5), None, DeadlineStatus::Breached)
    );
    assert!(
        case.validate()
            .findings
            .iter()
            .any(|i| i.code == "deadline.extension_too_late")
    );
}

#[test]
fn the_six_month_cap_counts_from_the_end_of_the_review() {
    // Reviewed on 5 March, started on 20 March: six months end on 5 September, not 20.
    let mut case = empty_case("NO");
    apply_all(
        &mut case,
        vec![
            referral("r1", "2024-03-01T10:00:00+01:00"),
            screening("s1", "r1", "2024-03-05", "open_investigation"),
            start("i1", "s1", "2024-03-20"),
        ],
    );
    let mut ok = case.clone();
    apply_all(&mut ok, vec![extend("i1", "2024-05-01", "2024-09-05")]);
    let refused = case
        .apply(extend("i1", "2024-05-01", "2024-09-06"))
        .expect_err("past the cap");
    assert_eq!(refused.code, "deadline.extension_too_long");
}
