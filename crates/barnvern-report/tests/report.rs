//! Reports of small datasets built from the example cases, checked by hand: the figures, the
//! suppression in Markdown, HTML and JSON alike, a self-contained well-formed page, and no
//! pseudonym or identity number in any output.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::collections::BTreeSet;

use barnvern_report::{Cell, Report, ReportOptions, Table, build, to_html, to_json, to_markdown};
use serde_json::Value;

fn options(min_cell: u64) -> ReportOptions {
    ReportOptions {
        min_cell,
        ..ReportOptions::default()
    }
}

fn table<'a>(r: &'a Report, id_start: &str) -> &'a Table {
    r.sections
        .iter()
        .flat_map(|s| &s.tables)
        .find(|t| t.id.starts_with(id_start))
        .unwrap_or_else(|| panic!("no table {id_start}"))
}

/// The displayed cell of the row whose first cells are `labels`, in column `column`.
fn cell(t: &Table, labels: &[&str], column: &str) -> String {
    let c = t.columns.iter().position(|c| c.id == column).unwrap();
    let row = t
        .rows
        .iter()
        .find(|r| labels.iter().enumerate().all(|(i, l)| r[i].display() == *l))
        .unwrap_or_else(|| panic!("no row {labels:?} in {}", t.id));
    row[c].display()
}

#[test]
fn deadline_compliance_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    // Swedish example: as of 2025-10-01 its deadlines are protection assessment met (referral
    // 0), screening met (referral 0), investigation met after extension, protection
    // assessment met and screening overdue (referral 1). Three copies in 0180, one in 1480.
    let bundles: Vec<Value> = ["0180", "0180", "0180", "1480"]
        .iter()
        .enumerate()
        .map(|(i, m)| common::se_copy(i, m))
        .collect();
    let cases = common::research(&bundles);
    let per_case: Vec<String> = cases[0]
        .deadlines
        .iter()
        .map(|d| format!("{:?}", d.status))
        .collect();
    let data = common::write(dir.path(), "se", &cases);
    let r = build(&data, &options(1)).unwrap();
    let t = table(&r, "deadlines_by_jurisdiction");
    let n = |s: &str| per_case.iter().filter(|x| *x == s).count() * 4;
    assert_eq!(cell(t, &["SE"], "met"), n("Met").to_string());
    assert_eq!(
        cell(t, &["SE"], "met_after_extension"),
        n("MetAfterExtension").to_string()
    );
    assert_eq!(cell(t, &["SE"], "overdue"), n("Overdue").to_string());
    assert_eq!(cell(t, &["SE"], "total"), (per_case.len() * 4).to_string());
    // On time = met + met after extension, over all but pending.
    let on_time = n("Met") + n("MetAfterExtension");
    let due = per_case.len() * 4 - n("Pending");
    let pct = format!(
        "{:.1}% ({on_time} / {due})",
        on_time as f64 / due as f64 * 100.0
    );
    assert_eq!(cell(t, &["SE"], "on_time"), pct);
    assert_eq!(cell(t, &["all"], "on_time"), pct);
    let m = table(&r, "deadlines_by_municipality");
    assert_eq!(
        cell(m, &["SE", "0180 Stockholm"], "total"),
        (per_case.len() * 3).to_string()
    );
    assert_eq!(
        cell(m, &["SE", "1480 Göteborg"], "total"),
        per_case.len().to_string()
    );
    let y = table(&r, "deadlines_by_year_and_kind");
    assert_eq!(
        cell(y, &["SE", "2024", "investigation"], "met_after_extension"),
        "4"
    );
}

#[test]
fn trial_sections_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let cases = common::research(&common::trial_bundles());
    let data = common::write(dir.path(), "trial", &cases);
    let r = build(&data, &options(1)).unwrap();

    let c = table(&r, "consort_fampart-bergen");
    let stage = |s: &str, arm: &str, wave: &str| cell(c, &[s, arm, wave], "families");
    assert_eq!(stage("approached", "", ""), "12");
    assert_eq!(stage("randomised", "", ""), "12");
    assert_eq!(stage("allocated", "Family Partner", ""), "6");
    assert_eq!(
        stage("received allocated intervention", "Family Partner", ""),
        "6"
    );
    assert_eq!(
        stage("received allocated intervention", "ordinary services", ""),
        "6"
    );
    assert_eq!(stage("completed", "Family Partner", "12"), "5");
    assert_eq!(stage("lost to follow-up", "Family Partner", "12"), "1");
    assert_eq!(stage("completed", "ordinary services", "12"), "6");
    assert_eq!(stage("partial", "ordinary services", "6"), "6");
    // Randomised 2024-07-26: the 18-month window opens 2026-01-12, after 2025-10-01.
    assert_eq!(stage("not yet due", "ordinary services", "18"), "6");
    assert_eq!(stage("analysed", "Family Partner", ""), "5");

    let ret = table(&r, "retention_fampart-bergen");
    assert_eq!(
        cell(ret, &["12", "Family Partner"], "retention"),
        "83.3% (5 / 6)"
    );
    assert_eq!(
        cell(ret, &["12", "ordinary services"], "retention"),
        "100.0% (6 / 6)"
    );
    assert_eq!(cell(ret, &["6", "Family Partner"], "partial"), "6");

    // Dose over all phases: 4 delivered contacts per enrolled family, 6 families.
    let dose = table(&r, "dose_fampart-bergen");
    assert!(cell(dose, &["all phases"], "dose").contains("(24 / "));
    // Adherence: 4 delivered of 5 due (one cancelled by the family) per family.
    assert_eq!(
        cell(
            dose,
            &["adherence (delivered / contacts due: delivered, cancelled or missed)"],
            "dose"
        ),
        "80.0% (24 / 30)"
    );

    let p = table(&r, "progression_fampart-bergen");
    assert_eq!(cell(p, &["retention_12m"], "value"), "91.7% (11 / 12)");
    assert_eq!(cell(p, &["retention_12m"], "light"), "green");
    assert_eq!(
        cell(p, &["loss_to_follow_up_12m"], "value"),
        "8.3% (1 / 12)"
    );
    assert_eq!(cell(p, &["loss_to_follow_up_12m"], "light"), "green");
    assert_eq!(cell(p, &["adherence"], "light"), "green");
    let text = to_markdown(&r);
    assert!(text.contains("barnvern-report-default-1"));
    assert!(text.contains("crates/barnvern-report/data/progression-criteria.json"));

    // SDQ: baseline total 13 for everyone (emotional 3, conduct 4, hyperactivity 5, peer 1);
    // at 12 months 11 in the Family Partner arm, 13 in ordinary services.
    let sdq = table(&r, "sdq_fampart-bergen");
    assert_eq!(cell(sdq, &["Family Partner"], "n"), "5");
    assert_eq!(cell(sdq, &["Family Partner"], "mean_baseline"), "13.00");
    assert_eq!(cell(sdq, &["Family Partner"], "mean_12m"), "11.00");
    assert_eq!(cell(sdq, &["Family Partner"], "mean_change"), "-2.00");
    assert_eq!(cell(sdq, &["ordinary services"], "n"), "6");
    assert_eq!(cell(sdq, &["ordinary services"], "mean_change"), "0.00");

    // Costs: the six enrolled families, all completed (enrolment ended 2025-05-01).
    let costs = table(&r, "costs_fampart-bergen");
    let one = cases
        .iter()
        .filter_map(|c| c.family_partner.as_ref()?.costs.as_ref())
        .next()
        .unwrap();
    let currency = format!("{} {}", one.currency, one.price_year);
    let fp = ["Family Partner", currency.as_str()];
    assert_eq!(cell(costs, &fp, "families"), "6");
    assert_eq!(cell(costs, &fp, "completers"), "6");
    let each = format!("{:.2} {}", one.total, one.currency);
    assert_eq!(cell(costs, &fp, "per_family"), each);
    assert_eq!(cell(costs, &fp, "per_completer"), each);
    assert_eq!(cell(costs, &fp, "contacts"), "24");
    // Ordinary services: no Family Partner contacts, cost 0, no completers.
    let os = ["ordinary services", currency.as_str()];
    assert_eq!(
        cell(costs, &os, "per_family"),
        format!("0.00 {}", one.currency)
    );
    assert_eq!(cell(costs, &os, "per_completer"), "n/a");
}

/// Every count cell of every table, as JSON and as displayed.
fn counts(t: &Table) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    for (i, row) in t.rows.iter().enumerate() {
        for (j, c) in row.iter().enumerate() {
            if let Cell::Count(_) | Cell::Fraction(_) = c {
                out.push((i, j, c.display()));
            }
        }
    }
    out
}

/// The cells of the Markdown table under `**title**`.
fn md_rows(md: &str, title: &str) -> Vec<Vec<String>> {
    let head = format!("**{title}**");
    let start = md.find(&head).unwrap_or_else(|| panic!("no {title}"));
    md[start..]
        .lines()
        .skip(2)
        .skip(2) // header and rule
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().replace("\\|", "|"))
                .collect()
        })
        .collect()
}

/// Undoes HTML escaping, named or numeric (askama writes `&#60;` for `<`).
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

/// The cells of the HTML table with id `id`.
fn html_rows(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html.find(&format!("<table id=\"{id}\">")).unwrap();
    let end = start + html[start..].find("</table>").unwrap();
    let body = &html[start..end];
    let body = &body[body.find("<tbody>").unwrap()..];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|c| {
                    let text = &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()];
                    // A light cell holds a span before its word.
                    let text = text.rsplit("</span>").next().unwrap();
                    unescape(text)
                })
                .collect()
        })
        .collect()
}

/// The published form of a JSON cell, as the report displays it.
fn json_display(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::Object(o) if o.get("suppressed") == Some(&Value::Bool(true)) => {
            match o.get("reason").and_then(Value::as_str) {
                Some("small") => format!("<{}", o["below"]),
                _ => "x".to_owned(),
            }
        }
        Value::Object(o) => {
            let value = match &o["value"] {
                Value::Number(n) => format!("{:.1}%", n.as_f64().unwrap() * 100.0),
                Value::Null => "n/a".to_owned(),
                _ => "x".to_owned(),
            };
            format!(
                "{value} ({} / {})",
                json_display(&o["numerator"]),
                json_display(&o["denominator"])
            )
        }
        other => other.to_string(),
    }
}

#[test]
fn suppression_is_the_same_in_markdown_html_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let cases = common::research(&common::trial_bundles());
    let data = common::write(dir.path(), "trial", &cases);
    let r = build(&data, &ReportOptions::default()).unwrap();
    let md = to_markdown(&r);
    let html = to_html(&r).unwrap();
    let json: Value = serde_json::from_str(&to_json(&r).unwrap()).unwrap();
    assert!(md.contains("<5") && md.contains("| x |"));
    // "<5" as the page shows it (escaped: askama writes `&#60;`).
    assert!(html.contains("&#60;5"));
    let json_text = json.to_string();
    assert!(json_text.contains(r#""suppressed":true"#));

    let mut withheld = 0;
    let json_tables: Vec<&Value> = json["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["tables"].as_array().unwrap())
        .collect();
    for t in r.sections.iter().flat_map(|s| &s.tables) {
        let md_t = md_rows(&md, &t.title.replace('|', "\\|"));
        let html_t = html_rows(&html, &t.id);
        let json_t = json_tables
            .iter()
            .find(|j| j["id"] == t.id.as_str())
            .unwrap();
        for (i, j, shown) in counts(t) {
            assert_eq!(md_t[i][j], shown, "{} row {i} col {j} (markdown)", t.id);
            assert_eq!(html_t[i][j], shown, "{} row {i} col {j} (html)", t.id);
            let in_json = json_display(&json_t["rows"][i][j]);
            assert_eq!(in_json, shown, "{} row {i} col {j} (json)", t.id);
            if shown.contains("<5") || shown.contains('x') {
                withheld += 1;
            }
            // No shown count from 1 to 4.
            if let Ok(v) = shown.parse::<u64>() {
                assert!(v == 0 || v >= 5, "{} row {i} col {j} shows {v}", t.id);
            }
        }
    }
    assert!(withheld > 0);

    // The lone lost family of the Family Partner arm at 12 months is withheld, and so is
    // the completed count next to it (else 6 - 5 gives it back), and the retention.
    let ret = table(&r, "retention_fampart-bergen");
    assert_eq!(
        cell(ret, &["12", "Family Partner"], "lost_or_withdrawn"),
        "<5"
    );
    // (Here the arm's total goes too: 12 randomised = 6 + 6, and the cascade through the
    // both-arms counts reaches it.)
    assert!(cell(ret, &["12", "Family Partner"], "retention").starts_with("x (x / "));
    // A withheld count in the progression criteria withholds the light too.
    let p = table(&r, "progression_fampart-bergen");
    assert_eq!(cell(p, &["loss_to_follow_up_12m"], "light"), "x");
}

/// A checker for well-formed markup: every element closed in order.
fn assert_well_formed(html: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>').unwrap() + open;
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let top = stack.pop().unwrap_or_default();
            assert_eq!(top, name.trim(), "closing {name} while {top} is open");
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().unwrap().to_owned();
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

#[test]
fn html_is_one_well_formed_self_contained_page() {
    let dir = tempfile::tempdir().unwrap();
    let cases = common::research(&common::trial_bundles());
    let data = common::write(dir.path(), "trial", &cases);
    let r = build(&data, &ReportOptions::default()).unwrap();
    let html = to_html(&r).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_well_formed(&html);
    let lower = html.to_lowercase();
    for banned in [
        "http://", "https://", "<script", "src=", "<link", "@import", "<iframe",
    ] {
        assert!(!lower.contains(banned), "{banned}");
    }
    // url(...) only for patterns and markers in the page itself.
    for (i, _) in lower.match_indices("url(") {
        assert_eq!(&lower[i + 4..i + 5], "#");
    }
    // Charts: the CONSORT diagram (boxes and arrows), stacked and grouped bars.
    assert!(html.contains("CONSORT flow diagram"));
    assert!(html.contains("marker-end=\"url(#arrowhead)\""));
    assert!(html.matches("<svg").count() >= 4);
}

#[test]
fn no_pseudonym_or_identity_number_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let bundles = common::trial_bundles();
    let cases = common::research(&bundles);
    let data = common::write(dir.path(), "trial", &cases);
    for min_cell in [1, 5] {
        let r = build(&data, &options(min_cell)).unwrap();
        let outputs = [to_markdown(&r), to_html(&r).unwrap(), to_json(&r).unwrap()];
        let mut secrets: BTreeSet<String> = BTreeSet::new();
        for c in &cases {
            secrets.insert(c.case_key.as_str().to_owned());
            secrets.insert(c.child.key.as_str().to_owned());
            for p in c.people.iter().filter_map(|p| p.key.as_ref()) {
                secrets.insert(p.as_str().to_owned());
            }
            if let Some(f) = &c.family_partner {
                secrets.insert(f.family_key.as_str().to_owned());
                if let Some(e) = &f.enrolment {
                    secrets.insert(e.partner.as_str().to_owned());
                }
            }
        }
        // Identity numbers and case ids in every written form.
        let text: String = bundles.iter().map(Value::to_string).collect();
        for b in &bundles {
            secrets.insert(b["case_id"].as_str().unwrap().to_owned());
            secrets.insert(
                b["family_partner"]["family"]["family"]
                    .to_string()
                    .trim_matches('"')
                    .to_owned(),
            );
        }
        let mut digits = String::new();
        for ch in text.chars().chain(std::iter::once(' ')) {
            if ch.is_ascii_digit() {
                digits.push(ch);
            } else {
                if digits.len() >= 10 {
                    secrets.insert(digits.clone());
                    // 12-digit Swedish numbers are also written with 10 digits and a dash.
                    if digits.len() == 12 {
                        secrets.insert(format!("{}-{}", &digits[2..8], &digits[8..]));
                        secrets.insert(digits[2..].to_owned());
                    }
                }
                digits.clear();
            }
        }
        secrets.remove("null");
        for out in &outputs {
            for s in &secrets {
                // Sixty-four hex digits, a ten-plus digit number or an id: none may appear.
                assert!(!out.contains(s.as_str()), "{s} appears in an output");
            }
        }
    }
}

#[test]
fn a_dataset_without_trial_says_so_and_suppresses_everything_small() {
    let dir = tempfile::tempdir().unwrap();
    let cases = common::research(&[common::example("se-case.json")]);
    let data = common::write(dir.path(), "one", &cases);
    let r = build(&data, &ReportOptions::default()).unwrap();
    let md = to_markdown(&r);
    assert!(md.contains("no Family Partner trial families"));
    for t in r.sections.iter().flat_map(|s| &s.tables) {
        for row in &t.rows {
            for c in row {
                if let Cell::Count(count) = c {
                    assert!(
                        count.value().is_none_or(|v| v == 0 || v >= 5),
                        "{} shows {count}",
                        t.id
                    );
                }
            }
        }
    }
}

#[test]
fn wrong_inputs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let err = build(&dir.path().join("missing"), &ReportOptions::default()).unwrap_err();
    assert!(matches!(err, barnvern_report::Error::Io { .. }), "{err}");
    std::fs::write(
        dir.path().join("manifest.json"),
        r#"{"schema_version": "9.9"}"#,
    )
    .unwrap();
    let err = build(dir.path(), &ReportOptions::default()).unwrap_err();
    assert!(
        matches!(err, barnvern_report::Error::SchemaVersion { .. }),
        "{err}"
    );
}
