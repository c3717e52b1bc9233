//! Plain text tables for the terminal.

use barnvern_case::Deadline;

/// Lays out rows under a header, each column as wide as its widest cell.
pub(crate) fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = vec![line(header.to_vec())];
    out.push(line(
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect(),
    ));
    for row in rows {
        out.push(line(row.iter().map(String::as_str).collect()));
    }
    out.join("\n")
}

/// The deadlines as a table: record, kind, start, due, extended due, completed, status, rule.
pub fn deadlines(all: &[Deadline]) -> String {
    let opt = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "-".to_owned(), |d| d.to_string());
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|d| {
            vec![
                format!("{} ({})", d.record, d.record_id),
                d.kind.as_str().to_owned(),
                d.start.to_string(),
                d.due.to_string(),
                opt(d.extended_due),
                opt(d.completed_on),
                d.status.as_str().to_owned(),
                d.rule_id.clone(),
            ]
        })
        .collect();
    render(
        &[
            "record",
            "deadline",
            "start",
            "due",
            "extended",
            "completed",
            "status",
            "rule",
        ],
        &rows,
    )
}
