#![allow(clippy::unwrap_used, clippy::expect_used)]
//! One case, one set of deadlines, wherever they are read: `barnvern deadlines`, the
//! `deadlines` research table written by `barnvern extract`, the report's counts, and SSB's own
//! control of Norway's investigation deadline ("Undersøkelse Kontroll 11": receipt + 7 + 90
//! days) agree on a generated cohort in which some reviews conclude late.

use std::collections::BTreeMap;
use std::fs;

use assert_cmd::Command;
use barnvern_arrow::Dataset;
use barnvern_case::Case;
use barnvern_core::Jurisdiction;
use chrono::{Datelike, Days, NaiveDate};
use serde_json::Value;

const KEY: &str = "a test project key that is long enough, 0123456789";
const AS_OF: &str = "2026-06-30";

fn barnvern() -> Command {
    let mut cmd = Command::cargo_bin("barnvern").unwrap();
    cmd.env_remove("BARNVERN_KEY");
    cmd
}

/// One deadline as every reader must see it.
type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn date_text(v: Option<NaiveDate>) -> String {
    v.map(|d| d.to_string()).unwrap_or_default()
}

#[test]
fn deadlines_agree_across_the_cli_the_research_table_the_report_and_ssb() {
    let as_of: NaiveDate = AS_OF.parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cohort = dir.path().join("cohort.jsonl");
    barnvern()
        .args([
            "synth",
            "--children",
            "300",
            "--seed",
            "11",
            "--as-of",
            AS_OF,
            "--out",
        ])
        .arg(&cohort)
        .assert()
        .success();
    let dataset = dir.path().join("dataset");
    barnvern()
        .env("BARNVERN_KEY", KEY)
        .args(["extract", "--as-of", AS_OF, "--out"])
        .arg(&dataset)
        .arg(&cohort)
        .assert()
        .success();

    // `barnvern deadlines` on each case, as a caseworker would run it.
    let mut from_cli: Vec<Row> = Vec::new();
    let mut per_case: Vec<(Case, Vec<Value>)> = Vec::new();
    let text = fs::read_to_string(&cohort).unwrap();
    let one = dir.path().join("case.json");
    for line in text.lines() {
        fs::write(&one, line).unwrap();
        let out = barnvern()
            .args(["deadlines", "--format", "json", "--as-of", AS_OF])
            .arg(&one)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let j = v["jurisdiction"].as_str().unwrap().to_owned();
        let list = v["deadlines"].as_array().unwrap().clone();
        for d in &list {
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
            from_cli.push((
                j.clone(),
                s("kind"),
                s("start"),
                s("start_basis"),
                s("due"),
                s("extended_due"),
                s("completed_on"),
                s("status"),
            ));
        }
        per_case.push((Case::from_json(line).unwrap(), list));
    }

    // The research table: the same deadlines, row for row.
    let ds = Dataset::open(&dataset).unwrap();
    let mut from_table: Vec<Row> = Vec::new();
    for c in ds.cases().unwrap() {
        for d in &c.deadlines {
            from_table.push((
                c.jurisdiction.code().to_owned(),
                d.kind.as_str().to_owned(),
                d.start.to_string(),
                d.start_basis.as_str().to_owned(),
                d.due.to_string(),
                date_text(d.extended_due),
                date_text(d.completed_on),
                d.status.as_str().to_owned(),
            ));
        }
    }
    from_cli.sort();
    from_table.sort();
    assert!(from_cli.len() > 500, "{} deadlines", from_cli.len());
    assert_eq!(from_cli, from_table);

    // The report's counts: by jurisdiction, year of the start, kind and status; and the share
    // of protection assessments done on the day of receipt.
    let compliance = barnvern_report::deadlines::count(&dataset, ds.manifest()).unwrap();
    let mut reported: BTreeMap<(String, i32, String, String), u64> = BTreeMap::new();
    for ((j, _, year, kind), counts) in &compliance.counts {
        for (status, n) in barnvern_report::deadlines::STATUSES.iter().zip(counts) {
            if *n > 0 {
                *reported
                    .entry((
                        j.code().to_owned(),
                        *year,
                        kind.clone(),
                        status.as_str().to_owned(),
                    ))
                    .or_default() += n;
            }
        }
    }
    let mut counted: BTreeMap<(String, i32, String, String), u64> = BTreeMap::new();
    let mut same_day: BTreeMap<(Jurisdiction, i32), (u64, u64)> = BTreeMap::new();
    for (j, kind, start, _, _, _, completed, status) in &from_cli {
        let start: NaiveDate = start.parse().unwrap();
        *counted
            .entry((j.clone(), start.year(), kind.clone(), status.clone()))
            .or_default() += 1;
        if kind == "protection_assessment" && !completed.is_empty() {
            let slot = same_day
                .entry((Jurisdiction::Se, start.year()))
                .or_default();
            slot.0 += u64::from(completed == &start.to_string());
            slot.1 += 1;
        }
    }
    assert_eq!(reported, counted);
    assert_eq!(compliance.same_day, same_day);
    assert!(
        same_day.values().any(|(s, d)| *s > 0 && s < d),
        "{same_day:?}"
    );

    // SSB's control of Norway's open investigations, on SSB's form of each case as it stood
    // on the first of each month: investigations not yet started left out, conclusions and
    // extensions not yet made taken away.
    let (mut agree, mut calendar, mut earlier_anchor, mut late_reviews) = (0, 0, 0, 0);
    let rules = barnvern_case::deadlines::DeadlineRules::builtin();
    let months = (2019..=2026)
        .flat_map(|y| (1..=12).map(move |m| NaiveDate::from_ymd_opt(y, m, 1).unwrap()))
        .filter(|d| *d <= as_of);
    for on in months {
        for (case, _) in &per_case {
            if case.jurisdiction != Jurisdiction::No {
                continue;
            }
            let mut data = (**case).clone();
            data.investigations.retain(|inv| inv.started_on <= on);
            for inv in &mut data.investigations {
                if inv.concluded_on.is_some_and(|c| c > on) {
                    inv.concluded_on = None;
                    inv.conclusion = None;
                }
                inv.extensions.retain(|e| e.decided_on <= on);
            }
            let hits: Vec<String> = barnvern_ssb::check(&data, Some(on))
                .into_iter()
                .filter(|i| i.code == "Undersøkelse Kontroll 11")
                .map(|i| i.path)
                .collect();
            let ours = barnvern_case::deadlines::deadlines(&data, rules, on);
            for inv in &data.investigations {
                if inv.concluded_on.is_some() || !inv.extensions.is_empty() {
                    continue;
                }
                let ours = ours
                    .iter()
                    .find(|d| d.record_id == inv.id.as_str() && d.kind.as_str() == "investigation")
                    .expect("an investigation deadline");
                let received = inv
                    .referral_ids
                    .iter()
                    .map(|r| r.as_str())
                    .chain(inv.screening_id.as_ref().and_then(|s| {
                        data.screenings
                            .iter()
                            .find(|x| &x.id == s)
                            .map(|x| x.referral_id.as_str())
                    }))
                    .filter_map(|r| data.referrals.iter().find(|x| x.id.as_str() == r))
                    .map(|r| r.received_on())
                    .min()
                    .unwrap();
                let review_limit = received.checked_add_days(Days::new(7)).unwrap();
                // The period starts at the end of the review, at the latest receipt + 7 days.
                assert!(
                    ours.start <= review_limit,
                    "{} starts {}",
                    inv.id,
                    ours.start
                );
                assert!(matches!(
                    ours.start_basis.as_str(),
                    "review_concluded" | "review_limit"
                ));
                late_reviews += usize::from(
                    ours.start_basis.as_str() == "review_limit" && ours.start < inv.started_on,
                );
                let ssb_due = review_limit.checked_add_days(Days::new(90)).unwrap();
                let ssb_id = barnvern_ssb::ids::ssb_id(
                    data.case_id.as_str(),
                    "Undersokelse",
                    inv.id.as_str(),
                );
                let ssb_fires = hits.iter().any(|p| p.contains(&ssb_id));
                assert_eq!(
                    ssb_fires,
                    on > ssb_due,
                    "SSB's control is receipt + 7 + 90 days"
                );
                let overdue = ours.status.as_str() == "overdue";
                assert_eq!(overdue, on > ours.due);
                if overdue == ssb_fires {
                    agree += 1;
                    continue;
                }
                // They differ only while the date lies between the two due dates: SSB
                // approximates three calendar months by 90 days (three months are 89 to 92
                // days), and the review may have concluded before its 7 days were up.
                let (lo, hi) = (ours.due.min(ssb_due), ours.due.max(ssb_due));
                assert!(
                    lo < on && on <= hi,
                    "{} on {on}: {} vs {ssb_due}",
                    inv.id,
                    ours.due
                );
                if ours.start < review_limit {
                    earlier_anchor += 1;
                } else {
                    calendar += 1;
                }
            }
        }
    }
    println!(
        "open Norwegian investigations on the first of each month: {agree} agree with SSB's \
         control, {calendar} differ by its 90-day approximation of three months, \
         {earlier_anchor} by a review concluded before day 7; {late_reviews} recorded as \
         started after the review's limit (which under the old rule gained time)"
    );
    assert!(agree > 50 && late_reviews > 0, "too few cases to compare");
}
