//! The data dictionary, derived from the table specs: Markdown, CSV, self-contained HTML and
//! JSON, one function each.

use std::fmt::Write as _;

use crate::spec::{
    Codes, FieldSpec, PARTITION_COLUMNS, PRODUCER, SCHEMA_VERSION, TableSpec, tables,
};

/// The allowed values of a coded column, `|`-separated, where the spec lists them.
fn values(field: &FieldSpec) -> String {
    match &field.codes {
        Some(Codes::Canonical { values, .. }) => values.join(" | "),
        _ => String::new(),
    }
}

fn code_system(field: &FieldSpec) -> String {
    field.codes.as_ref().map(Codes::system).unwrap_or_default()
}

fn partitioning(t: &TableSpec) -> String {
    format!(
        "{}: jurisdiction, then year of {}",
        PARTITION_COLUMNS.join(", "),
        t.year_column
    )
}

/// The dictionary as Markdown: a section per table with its grain, partitioning and a field
/// table.
pub fn markdown() -> String {
    let mut out = format!(
        "# barnvern research tables\n\nResearch schema version {SCHEMA_VERSION}, produced by \
         {PRODUCER}. Each table is a directory of hive-partitioned Parquet files \
         (`TABLE/jurisdiction=SE/year=2024/part-0.parquet`); the partition columns are in the \
         directory names, not in the files. Person, case and staff keys are pseudonyms; no \
         identity number and no free text is exported.\n"
    );
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    for t in tables() {
        let _ = write!(
            out,
            "\n## {}\n\n{}\n\n- Grain: {}\n- Key: {}\n- Partitioning: {}\n\n\
             | column | type | nullable | sensitivity | code system | description |\n\
             |---|---|---|---|---|---|\n",
            t.name,
            t.description,
            t.grain,
            t.key.join(", "),
            partitioning(t)
        );
        for f in &t.fields {
            let mut doc = f.doc.clone();
            let v = values(f);
            if !v.is_empty() {
                let _ = write!(doc, " Values: {v}.");
            }
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} |",
                f.name,
                f.ty.reader_name(),
                if f.nullable { "yes" } else { "no" },
                f.sensitivity.as_str(),
                cell(&code_system(f)),
                cell(&doc)
            );
        }
        let _ = writeln!(
            out,
            "| `year` (partition) | int32 | no | date | | Year of {} (directory name only). |",
            t.year_column
        );
    }
    out
}

/// The dictionary as CSV (RFC 4180), one row per column of every table, partition `year`
/// included: `table,column,type,arrow_type,nullable,sensitivity,code_system,values,partition,description`.
pub fn csv() -> String {
    let mut w = csv_writer::Writer::new();
    w.row(&[
        "table",
        "column",
        "type",
        "arrow_type",
        "nullable",
        "sensitivity",
        "code_system",
        "values",
        "partition",
        "description",
    ]);
    for t in tables() {
        for f in &t.fields {
            let partition = PARTITION_COLUMNS.contains(&f.name.as_str());
            w.row(&[
                t.name,
                &f.name,
                f.ty.reader_name(),
                &f.ty.arrow_type().to_string(),
                if f.nullable { "true" } else { "false" },
                f.sensitivity.as_str(),
                &code_system(f),
                &values(f),
                if partition { "true" } else { "false" },
                &f.doc,
            ]);
        }
        w.row(&[
            t.name,
            "year",
            "int32",
            "Int32",
            "false",
            "date",
            "",
            "",
            "true",
            &format!("Year of {} (directory name only).", t.year_column),
        ]);
    }
    w.finish()
}

/// A tiny RFC 4180 writer (quotes every cell that needs it).
mod csv_writer {
    pub(super) struct Writer(String);
    impl Writer {
        pub(super) fn new() -> Self {
            Writer(String::new())
        }
        pub(super) fn row(&mut self, cells: &[&str]) {
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    self.0.push(',');
                }
                if c.contains([',', '"', '\n', '\r']) {
                    self.0.push('"');
                    self.0.push_str(&c.replace('"', "\"\""));
                    self.0.push('"');
                } else {
                    self.0.push_str(c);
                }
            }
            self.0.push_str("\r\n");
        }
        pub(super) fn finish(self) -> String {
            self.0
        }
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The dictionary as one self-contained HTML page (inline style, no scripts, no external
/// resources).
pub fn html() -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>barnvern research tables {SCHEMA_VERSION}</title>\n<style>\n\
         body{{font-family:system-ui,sans-serif;margin:2em;max-width:80em;color:#222}}\n\
         table{{border-collapse:collapse;width:100%;margin-bottom:2em}}\n\
         th,td{{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}}\n\
         th{{background:#f0f0f0}} code{{font-size:.95em}} nav a{{margin-right:1em}}\n\
         .pseudonym{{background:#fff4e0}} .coarsened{{background:#eef6ff}}\n\
         </style>\n</head>\n<body>\n<h1>barnvern research tables</h1>\n\
         <p>Research schema version {SCHEMA_VERSION}, produced by {}. Hive-partitioned Parquet \
         (<code>TABLE/jurisdiction=SE/year=2024/part-0.parquet</code>); person, case and staff \
         keys are pseudonyms; no identity number and no free text is exported.</p>\n<nav>",
        esc(PRODUCER)
    );
    for t in tables() {
        let _ = write!(out, "<a href=\"#{0}\">{0}</a>", t.name);
    }
    out.push_str("</nav>\n");
    for t in tables() {
        let _ = write!(
            out,
            "<h2 id=\"{}\">{}</h2>\n<p>{}</p>\n<ul><li>Grain: {}</li><li>Key: {}</li>\
             <li>Partitioning: {}</li></ul>\n<table>\n<tr><th>column</th><th>type</th>\
             <th>nullable</th><th>sensitivity</th><th>code system</th><th>description</th></tr>\n",
            t.name,
            t.name,
            esc(t.description),
            esc(t.grain),
            esc(&t.key.join(", ")),
            esc(&partitioning(t))
        );
        for f in &t.fields {
            let v = values(f);
            let doc = if v.is_empty() {
                esc(&f.doc)
            } else {
                format!("{} Values: <code>{}</code>.", esc(&f.doc), esc(&v))
            };
            let _ = writeln!(
                out,
                "<tr class=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td>\
                 <td>{}</td><td>{}</td></tr>",
                f.sensitivity.as_str(),
                esc(&f.name),
                esc(f.ty.reader_name()),
                if f.nullable { "yes" } else { "no" },
                f.sensitivity.as_str(),
                esc(&code_system(f)),
                doc
            );
        }
        let _ = writeln!(
            out,
            "<tr><td><code>year</code> (partition)</td><td>int32</td><td>no</td><td>date</td>\
             <td></td><td>Year of {} (directory name only).</td></tr>\n</table>",
            esc(t.year_column)
        );
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The dictionary as JSON: every table spec ([`crate::spec::tables_json`]).
pub fn json() -> serde_json::Value {
    crate::spec::tables_json()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_lists_every_column() {
        let md = markdown();
        let csv = csv();
        let html = html();
        let json = json().to_string();
        let columns: usize = tables().iter().map(|t| t.fields.len() + 1).sum();
        assert_eq!(csv.lines().count(), columns + 1);
        for t in tables() {
            assert!(md.contains(&format!("## {}", t.name)));
            assert!(html.contains(&format!("id=\"{}\"", t.name)));
            for f in &t.fields {
                assert!(
                    md.contains(&format!("`{}`", f.name)),
                    "{}.{}",
                    t.name,
                    f.name
                );
                assert!(csv.contains(&format!("{},{},", t.name, f.name)));
                assert!(html.contains(&format!("<code>{}</code>", f.name)));
                assert!(json.contains(&format!("\"{}\"", f.name)));
            }
        }
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(
            !html.contains("<script") && !html.contains("http://") && !html.contains("https://")
        );
        assert!(
            md.contains("police \\| kindergarten"),
            "canonical values are listed"
        );
    }
}
