//! The report as Markdown: headings, paragraphs and pipe tables; the CONSORT flow as a
//! nested list.

use std::fmt::Write;

use crate::model::{Chart, ConsortBox, Report, Table};

fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn table(out: &mut String, t: &Table) {
    let _ = writeln!(out, "**{}**\n", escape(&t.title));
    let heads: Vec<String> = t.columns.iter().map(|c| escape(&c.label)).collect();
    let _ = writeln!(out, "| {} |", heads.join(" | "));
    let rule: Vec<&str> = t.columns.iter().map(|_| "---").collect();
    let _ = writeln!(out, "|{}|", rule.join("|"));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| escape(&c.display())).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
    for n in &t.notes {
        let _ = writeln!(out, "_{}_\n", escape(n));
    }
}

fn consort_box(out: &mut String, depth: usize, b: &ConsortBox) {
    let indent = "  ".repeat(depth);
    let mut lines = b.lines.iter();
    if let Some(head) = lines.next() {
        let _ = writeln!(out, "{indent}- **{head}**");
    }
    for l in lines {
        let _ = writeln!(out, "{indent}  - {l}");
    }
}

/// Renders the report as Markdown.
pub fn to_markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", report.title);
    let d = &report.dataset;
    let _ = writeln!(
        out,
        "Dataset: research schema {}, written by {} at {}; {} cases.{}",
        d.schema_version,
        d.producer,
        d.created_at.format("%Y-%m-%d %H:%M UTC"),
        d.cases,
        if d.demo_key {
            " Pseudonyms were made with a one-off demo key."
        } else {
            ""
        }
    );
    if let Some(as_of) = d.as_of {
        let _ = writeln!(out, "Figures as of {as_of}.");
    }
    let _ = writeln!(out, "Report by {}.\n", report.producer);
    let _ = writeln!(out, "> {}\n", report.suppression.rule);
    for s in &report.sections {
        let _ = writeln!(out, "## {}\n", s.title);
        for p in &s.paragraphs {
            let _ = writeln!(out, "{p}\n");
        }
        for c in &s.charts {
            if let Chart::Consort(d) = c {
                let _ = writeln!(out, "**CONSORT flow diagram**\n");
                consort_box(&mut out, 0, &d.assessed);
                consort_box(&mut out, 1, &d.excluded);
                consort_box(&mut out, 0, &d.randomised);
                for arm in &d.arms {
                    for (i, b) in arm.iter().enumerate() {
                        consort_box(&mut out, usize::from(i > 0) + 1, b);
                    }
                }
                out.push('\n');
            }
        }
        for t in &s.tables {
            table(&mut out, t);
        }
    }
    out
}
