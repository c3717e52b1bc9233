//! Deadline compliance: the statuses of the statutory deadlines (table `deadlines`) by
//! jurisdiction, by municipality (from table `cases`) and by year and kind.
//!
//! Two streaming passes, in memory bounded by the number of cases, not of deadlines: `cases`
//! gives each case's municipality (a 128-bit key and a small index per case, about 40 bytes a
//! case: some 40 MB for a million cases), then `deadlines` is counted batch by batch into a
//! few thousand counters (jurisdiction x municipality x year x kind x status).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use barnvern_arrow::Manifest;
use barnvern_case::deadlines::{DeadlineKind, DeadlineStatus};
use barnvern_core::Jurisdiction;
use barnvern_core::municipality;
use chrono::NaiveDate;

use crate::error::Error;
use crate::model::{Cell, Chart, Column, HeatMap, Section, StackedBars, Table};
use crate::scan::{self, Dates, Text, key128};
use crate::suppress::{CellId, Count, Suppressed, Suppressor};

/// The statuses, in the order of the tables.
pub const STATUSES: [DeadlineStatus; 5] = [
    DeadlineStatus::Met,
    DeadlineStatus::MetAfterExtension,
    DeadlineStatus::Breached,
    DeadlineStatus::Overdue,
    DeadlineStatus::Pending,
];

const STATUS_LABELS: [&str; 5] = [
    "met",
    "met after extension",
    "breached",
    "overdue",
    "pending",
];

/// Counts of deadline statuses, in the order of [`STATUSES`].
pub type StatusCounts = [u64; 5];

/// Deadline statuses counted by jurisdiction, municipality, year and kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Compliance {
    /// Counts by (jurisdiction, municipality code, year of the start date, deadline kind).
    pub counts: BTreeMap<(Jurisdiction, String, i32, String), StatusCounts>,
    /// Deadlines whose case is not in table `cases` (counted under municipality `unknown`).
    pub without_case: u64,
    /// The earliest and latest `as_of` dates of the deadlines.
    pub as_of: Option<(NaiveDate, NaiveDate)>,
    /// Protection assessments (SE skyddsbedömning, "genast") by jurisdiction and year of
    /// receipt: (done on the day of receipt, done at all). The statutory outer due date is the
    /// next day; the same day is what "genast" asks for where possible.
    pub same_day: BTreeMap<(Jurisdiction, i32), (u64, u64)>,
}

fn status_slot(code: &str) -> Option<usize> {
    STATUSES.iter().position(|s| s.as_str() == code)
}

/// Counts the deadlines of the dataset at `dir`, streaming.
pub fn count(dir: &Path, manifest: &Manifest) -> Result<Compliance, Error> {
    // Pass 1: each case's municipality, interned.
    let mut municipalities: Vec<String> = Vec::new();
    let mut index: HashMap<String, u16> = HashMap::new();
    let mut case_municipality: HashMap<u128, u16> = HashMap::new();
    scan::for_each_batch(
        dir,
        manifest,
        "cases",
        &["case_key", "municipality"],
        |_, batch| {
            let keys = Text::of(batch, "cases", "case_key")?;
            let codes = Text::of(batch, "cases", "municipality")?;
            for row in 0..batch.num_rows() {
                let (Some(key), Some(code)) = (keys.get(row).and_then(key128), codes.get(row))
                else {
                    continue;
                };
                let slot = match index.get(code) {
                    Some(i) => *i,
                    None => {
                        let i = u16::try_from(municipalities.len()).map_err(|_| {
                            Error::Data("more than 65,535 municipalities".to_owned())
                        })?;
                        municipalities.push(code.to_owned());
                        index.insert(code.to_owned(), i);
                        i
                    }
                };
                case_municipality.insert(key, slot);
            }
            Ok(())
        },
    )?;

    // Pass 2: the deadlines, counted into small keys first.
    let mut kinds: Vec<String> = Vec::new();
    let mut small: HashMap<(Jurisdiction, u16, i32, u8), StatusCounts> = HashMap::new();
    let mut out = Compliance::default();
    let unknown = u16::MAX;
    scan::for_each_batch(
        dir,
        manifest,
        "deadlines",
        &[
            "case_key",
            "kind",
            "status",
            "as_of",
            "start_on",
            "completed_on",
        ],
        |file, batch| {
            let keys = Text::of(batch, "deadlines", "case_key")?;
            let kind = Text::of(batch, "deadlines", "kind")?;
            let status = Text::of(batch, "deadlines", "status")?;
            let as_of = Dates::of(batch, "deadlines", "as_of")?;
            let start = Dates::of(batch, "deadlines", "start_on")?;
            let completed = Dates::of(batch, "deadlines", "completed_on")?;
            for row in 0..batch.num_rows() {
                let (Some(k), Some(slot)) = (kind.get(row), status.get(row).and_then(status_slot))
                else {
                    return Err(Error::Data(format!(
                        "{}: row {row} has no deadline kind or an unknown status",
                        file.path
                    )));
                };
                let muni = match keys
                    .get(row)
                    .and_then(key128)
                    .and_then(|key| case_municipality.get(&key))
                {
                    Some(m) => *m,
                    None => {
                        out.without_case += 1;
                        unknown
                    }
                };
                if k == DeadlineKind::ProtectionAssessment.as_str()
                    && let Some(done) = completed.get(row)
                {
                    let slot = out
                        .same_day
                        .entry((file.jurisdiction, file.year))
                        .or_default();
                    slot.0 += u64::from(start.get(row) == Some(done));
                    slot.1 += 1;
                }
                let k = match kinds.iter().position(|x| x == k) {
                    Some(i) => i,
                    None => {
                        kinds.push(k.to_owned());
                        kinds.len() - 1
                    }
                };
                let k = u8::try_from(k)
                    .map_err(|_| Error::Data("more than 255 deadline kinds".to_owned()))?;
                small
                    .entry((file.jurisdiction, muni, file.year, k))
                    .or_default()[slot] += 1;
                if let Some(d) = as_of.get(row) {
                    out.as_of = Some(match out.as_of {
                        None => (d, d),
                        Some((lo, hi)) => (lo.min(d), hi.max(d)),
                    });
                }
            }
            Ok(())
        },
    )?;
    for ((j, m, year, k), counts) in small {
        let muni = municipalities
            .get(usize::from(m))
            .cloned()
            .unwrap_or_else(|| "unknown".to_owned());
        let kind = kinds.get(usize::from(k)).cloned().unwrap_or_default();
        let slot = out.counts.entry((j, muni, year, kind)).or_default();
        for (a, b) in slot.iter_mut().zip(counts) {
            *a += b;
        }
    }
    Ok(out)
}

/// A row's cells: the five statuses, on time, due and total.
#[derive(Debug, Clone)]
struct RowCells {
    statuses: [CellId; 5],
    on_time: CellId,
    due: CellId,
    total: CellId,
}

impl RowCells {
    /// Every measure of the row, in a fixed order (for column sums).
    fn measures(&self) -> [CellId; 8] {
        let s = self.statuses;
        [
            s[0],
            s[1],
            s[2],
            s[3],
            s[4],
            self.on_time,
            self.due,
            self.total,
        ]
    }
}

/// Adds a row of counts under `key` with its own sum sets: on time = met + met after
/// extension; due = on time + breached + overdue; total = due + pending = the five statuses.
fn add_row(s: &mut Suppressor, key: &str, counts: &StatusCounts) -> RowCells {
    let statuses: [CellId; 5] =
        std::array::from_fn(|i| s.cell(format!("{key}/{}", STATUSES[i].as_str()), counts[i]));
    let on_time = s.total(format!("{key}/on_time"), &statuses[0..2]);
    let due = s.total(format!("{key}/due"), &[on_time, statuses[2], statuses[3]]);
    let total = s.total(format!("{key}/total"), &[due, statuses[4]]);
    s.sum(total, &statuses);
    RowCells {
        statuses,
        on_time,
        due,
        total,
    }
}

/// Declares that the measures of `total` are the sums of the measures of `parts`.
fn add_columns(s: &mut Suppressor, total: &RowCells, parts: &[RowCells]) {
    if parts.is_empty() {
        return;
    }
    for (m, t) in total.measures().iter().enumerate() {
        let column: Vec<CellId> = parts.iter().map(|p| p.measures()[m]).collect();
        s.sum(*t, &column);
    }
}

fn add(a: &mut StatusCounts, b: &StatusCounts) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

fn columns(labels: &[(&str, &str)]) -> Vec<Column> {
    let mut out: Vec<Column> = labels.iter().map(|(i, l)| Column::new(i, l)).collect();
    for (status, label) in STATUSES.iter().zip(STATUS_LABELS) {
        out.push(Column::new(status.as_str(), label));
    }
    out.push(Column::new("total", "total"));
    out.push(Column::new("on_time", "% on time (on time / due)"));
    out
}

fn row_cells(p: &Suppressed, s: &Suppressor, r: &RowCells) -> Vec<Cell> {
    let mut out: Vec<Cell> = r
        .statuses
        .iter()
        .map(|c| Cell::Count(p.count(*c)))
        .collect();
    out.push(Cell::Count(p.count(r.total)));
    out.push(Cell::Fraction(p.fraction(
        s,
        r.on_time,
        "deadlines met or met after extension",
        r.due,
        "deadlines due (all but pending)",
    )));
    out
}

fn bar(p: &Suppressed, label: String, r: &RowCells) -> (String, Vec<Count>, Count) {
    (
        label,
        r.statuses.iter().map(|c| p.count(*c)).collect(),
        p.count(r.total),
    )
}

fn municipality_label(j: Jurisdiction, code: &str) -> String {
    match municipality::lookup(j, code, None) {
        Ok(m) => format!("{code} {}", m.name),
        Err(_) => code.to_owned(),
    }
}

/// The deadline-compliance section, suppressed with threshold `threshold`.
pub fn section(c: &Compliance, threshold: u64) -> Section {
    let mut by_j: BTreeMap<Jurisdiction, StatusCounts> = BTreeMap::new();
    let mut by_m: BTreeMap<(Jurisdiction, &str), StatusCounts> = BTreeMap::new();
    let mut by_yk: BTreeMap<(Jurisdiction, i32, &str), StatusCounts> = BTreeMap::new();
    let mut all = StatusCounts::default();
    for ((j, m, y, k), counts) in &c.counts {
        add(by_j.entry(*j).or_default(), counts);
        add(by_m.entry((*j, m.as_str())).or_default(), counts);
        add(by_yk.entry((*j, *y, k.as_str())).or_default(), counts);
        add(&mut all, counts);
    }

    // One suppression problem for the three tables: they share the jurisdiction totals.
    let mut s = Suppressor::new(threshold);
    let all_row = add_row(&mut s, "all", &all);
    let j_rows: Vec<(Jurisdiction, RowCells)> = by_j
        .iter()
        .map(|(j, counts)| (*j, add_row(&mut s, &format!("j/{j}"), counts)))
        .collect();
    let j_cells: Vec<RowCells> = j_rows.iter().map(|(_, r)| r.clone()).collect();
    add_columns(&mut s, &all_row, &j_cells);
    let m_rows: Vec<((Jurisdiction, &str), RowCells)> = by_m
        .iter()
        .map(|((j, m), counts)| ((*j, *m), add_row(&mut s, &format!("m/{j}/{m}"), counts)))
        .collect();
    let yk_rows: Vec<((Jurisdiction, i32, &str), RowCells)> = by_yk
        .iter()
        .map(|((j, y, k), counts)| {
            (
                (*j, *y, *k),
                add_row(&mut s, &format!("yk/{j}/{y}/{k}"), counts),
            )
        })
        .collect();
    for (j, total) in &j_rows {
        let parts: Vec<RowCells> = m_rows
            .iter()
            .filter(|((mj, _), _)| mj == j)
            .map(|(_, r)| r.clone())
            .collect();
        add_columns(&mut s, total, &parts);
        let parts: Vec<RowCells> = yk_rows
            .iter()
            .filter(|((yj, _, _), _)| yj == j)
            .map(|(_, r)| r.clone())
            .collect();
        add_columns(&mut s, total, &parts);
    }
    let p = s.solve();

    let mut j_table = Table {
        id: "deadlines_by_jurisdiction".to_owned(),
        title: "Deadline compliance by jurisdiction".to_owned(),
        columns: columns(&[("jurisdiction", "jurisdiction")]),
        rows: Vec::new(),
        notes: Vec::new(),
    };
    for (j, r) in &j_rows {
        let mut row = vec![Cell::text(j.code())];
        row.extend(row_cells(&p, &s, r));
        j_table.rows.push(row);
    }
    let mut row = vec![Cell::text("all")];
    row.extend(row_cells(&p, &s, &all_row));
    j_table.rows.push(row);

    let mut m_table = Table {
        id: "deadlines_by_municipality".to_owned(),
        title: "Deadline compliance by municipality (the responsible municipality of the case)"
            .to_owned(),
        columns: columns(&[
            ("jurisdiction", "jurisdiction"),
            ("municipality", "municipality"),
        ]),
        rows: Vec::new(),
        notes: vec![
            "The rows of a jurisdiction add up to its row in the table by jurisdiction.".to_owned(),
        ],
    };
    for ((j, m), r) in &m_rows {
        let mut row = vec![Cell::text(j.code()), Cell::text(municipality_label(*j, m))];
        row.extend(row_cells(&p, &s, r));
        m_table.rows.push(row);
    }

    let mut yk_table = Table {
        id: "deadlines_by_year_and_kind".to_owned(),
        title: "Deadline compliance by year (of the date the period starts) and deadline kind"
            .to_owned(),
        columns: columns(&[
            ("jurisdiction", "jurisdiction"),
            ("year", "year"),
            ("kind", "deadline kind"),
        ]),
        rows: Vec::new(),
        notes: vec![
            "The rows of a jurisdiction add up to its row in the table by jurisdiction.".to_owned(),
        ],
    };
    // The same published fractions as the table, as a heat map: a row per jurisdiction and
    // year, a column per kind.
    let kinds: Vec<&str> = {
        let mut k: Vec<&str> = by_yk.keys().map(|(_, _, k)| *k).collect();
        k.sort_unstable();
        k.dedup();
        k
    };
    let mut heat_rows: Vec<(String, Vec<Option<crate::suppress::Fraction>>)> = Vec::new();
    for ((j, y, k), r) in &yk_rows {
        let mut row = vec![
            Cell::text(j.code()),
            Cell::text(y.to_string()),
            Cell::text(k.replace('_', " ")),
        ];
        let cells = row_cells(&p, &s, r);
        let label = format!("{j} {y}");
        if heat_rows.last().is_none_or(|(l, _)| *l != label) {
            heat_rows.push((label, vec![None; kinds.len()]));
        }
        if let (Some((_, heat)), Some(slot), Some(Cell::Fraction(f))) = (
            heat_rows.last_mut(),
            kinds.iter().position(|kind| kind == k),
            cells.last(),
        ) && let Some(cell) = heat.get_mut(slot)
        {
            *cell = Some(f.clone());
        }
        row.extend(cells);
        yk_table.rows.push(row);
    }
    let heat_map = HeatMap {
        title: "Deadlines on time by year and kind".to_owned(),
        note: "Each cell: % on time, then deadlines met or met after extension / deadlines \
               due (pending ones not counted), as in the table below; darker is a higher share \
               on time; a dash: no deadline of that kind that year; x or <5: withheld."
            .to_owned(),
        row_header: "jurisdiction, year".to_owned(),
        columns: kinds.iter().map(|k| k.replace('_', " ")).collect(),
        rows: heat_rows,
    };

    let mut paragraphs = vec![
        "Each statutory deadline of each case (table deadlines) has one status as of the date \
         the dataset computed it for: met (done by the statutory due date), met after extension \
         (done after the statutory due date but within an extension decided for it), breached \
         (done, but late), overdue (not done and past due), or pending (not done, not yet due)."
            .to_owned(),
        "% on time = deadlines met or met after extension / deadlines due (met + met after \
         extension + breached + overdue); pending deadlines are not in the denominator. Each \
         cell shows the numerator and denominator."
            .to_owned(),
    ];
    if let Some((lo, hi)) = c.as_of {
        paragraphs.push(if lo == hi {
            format!("Statuses as of {lo}.")
        } else {
            format!("Statuses as of dates from {lo} to {hi} (each case's own as-of date).")
        });
    }
    if c.without_case > 0 {
        paragraphs.push(
            "Some deadlines have no case in table cases; they are counted under municipality \
             \"unknown\"."
                .to_owned(),
        );
    }
    let mut tables = vec![j_table, m_table, yk_table];
    if !c.same_day.is_empty() {
        tables.push(same_day_table(c, threshold));
        paragraphs.push(
            "Protection assessments (SE skyddsbedömning) are to be made at once (genast): the \
             statutory due date is the day after receipt, and the same day where possible. The \
             last table shows the share of those done that were done on the day of receipt."
                .to_owned(),
        );
    }
    let j_bars: Vec<(String, Vec<Count>, Count)> = j_rows
        .iter()
        .map(|(j, r)| bar(&p, j.code().to_owned(), r))
        .chain(std::iter::once(bar(&p, "all".to_owned(), &all_row)))
        .collect();
    let parts: Vec<String> = STATUS_LABELS.iter().map(|s| (*s).to_owned()).collect();
    Section {
        id: "deadlines".to_owned(),
        title: "Deadline compliance".to_owned(),
        paragraphs,
        tables,
        charts: vec![
            Chart::Stacked(StackedBars {
                title: "Deadline statuses by jurisdiction".to_owned(),
                parts,
                rows: j_bars,
            }),
            Chart::HeatMap(heat_map),
        ],
    }
}

/// Protection assessments done on the day of receipt, of those done, by jurisdiction and year
/// (its own suppression problem: the rows add up to nothing else in the section).
fn same_day_table(c: &Compliance, threshold: u64) -> Table {
    let mut s = Suppressor::new(threshold);
    let mut rows = Vec::new();
    for ((j, y), (same, done)) in &c.same_day {
        let key = format!("sd/{j}/{y}");
        let same_cell = s.cell(format!("{key}/same_day"), *same);
        let later = s.cell(format!("{key}/later"), done - same);
        let total = s.total(format!("{key}/done"), &[same_cell, later]);
        rows.push((*j, *y, same_cell, later, total));
    }
    let p = s.solve();
    let mut table = Table {
        id: "protection_assessments_same_day".to_owned(),
        title: "Protection assessments (skyddsbedömning) done on the day of receipt".to_owned(),
        columns: vec![
            Column::new("jurisdiction", "jurisdiction"),
            Column::new("year", "year of receipt"),
            Column::new("same_day", "done the same day"),
            Column::new("later", "done later"),
            Column::new("done", "done"),
            Column::new("share", "% the same day (same day / done)"),
        ],
        rows: Vec::new(),
        notes: vec![
            "Only assessments that were done are counted; the statuses of all of them are in \
             the table by year and kind."
                .to_owned(),
        ],
    };
    for (j, y, same, later, total) in rows {
        table.rows.push(vec![
            Cell::text(j.code()),
            Cell::text(y.to_string()),
            Cell::Count(p.count(same)),
            Cell::Count(p.count(later)),
            Cell::Count(p.count(total)),
            Cell::Fraction(p.fraction(
                &s,
                same,
                "protection assessments done on the day of receipt",
                total,
                "protection assessments done",
            )),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compliance(rows: &[(Jurisdiction, &str, i32, &str, StatusCounts)]) -> Compliance {
        let mut c = Compliance::default();
        for (j, m, y, k, counts) in rows {
            c.counts
                .insert((*j, (*m).to_owned(), *y, (*k).to_owned()), *counts);
        }
        c
    }

    fn cell<'a>(t: &'a Table, row: usize, column: &str) -> &'a Cell {
        let i = t.columns.iter().position(|c| c.id == column).unwrap();
        &t.rows[row][i]
    }

    #[test]
    fn counts_and_percent_on_time_by_hand() {
        let c = compliance(&[
            (
                Jurisdiction::Se,
                "0180",
                2024,
                "screening",
                [10, 5, 3, 2, 7],
            ),
            (
                Jurisdiction::Se,
                "1480",
                2024,
                "screening",
                [20, 0, 5, 5, 0],
            ),
        ]);
        let s = section(&c, 1);
        let j = &s.tables[0];
        assert_eq!(cell(j, 0, "met").display(), "30");
        assert_eq!(cell(j, 0, "total").display(), "57");
        // On time: 30 + 5 = 35 of due 57 - 7 = 50 -> 70.0%.
        assert_eq!(cell(j, 0, "on_time").display(), "70.0% (35 / 50)");
        let m = &s.tables[1];
        assert_eq!(cell(m, 0, "municipality").display(), "0180 Stockholm");
        assert_eq!(cell(m, 1, "on_time").display(), "66.7% (20 / 30)");
    }

    #[test]
    fn small_counts_are_withheld_with_their_partners() {
        let c = compliance(&[
            (
                Jurisdiction::Se,
                "0180",
                2024,
                "screening",
                [10, 5, 3, 20, 7],
            ),
            (
                Jurisdiction::Se,
                "1480",
                2024,
                "screening",
                [20, 0, 50, 5, 9],
            ),
        ]);
        let s = section(&c, 5);
        let m = &s.tables[1];
        assert_eq!(cell(m, 0, "breached").display(), "<5");
        // Nothing in the table gives 3 back: every row and column set with a withheld cell
        // has another one.
        let text: Vec<String> = m.rows[0].iter().map(Cell::display).collect();
        let withheld = text
            .iter()
            .filter(|t| *t == "x" || t.starts_with('<'))
            .count();
        assert!(withheld >= 2, "{text:?}");
    }

    /// The eight counts of a published row: five statuses, total, on time, due.
    fn published(row: &[Cell], first: usize) -> Vec<Count> {
        let mut out: Vec<Count> = row[first..first + 6]
            .iter()
            .map(|c| match c {
                Cell::Count(c) => *c,
                other => panic!("{other:?}"),
            })
            .collect();
        match &row[first + 6] {
            Cell::Fraction(f) => {
                out.push(f.numerator);
                out.push(f.denominator);
            }
            other => panic!("{other:?}"),
        }
        out
    }

    /// A relation `total = parts` of published counts gives nothing back: not exactly one
    /// withheld member.
    fn check(total: Count, parts: &[Count], what: &str) {
        let withheld =
            parts.iter().filter(|c| c.is_suppressed()).count() + usize::from(total.is_suppressed());
        assert_ne!(withheld, 1, "{what}: {total} = {parts:?}");
        if withheld == 0 {
            let sum: u64 = parts.iter().filter_map(|c| c.value()).sum();
            assert_eq!(Some(sum), total.value(), "{what}");
        }
    }

    proptest::proptest! {
        /// For random counts, read back from the published tables: within each row (total,
        /// on time, due) and down each column (municipalities and year-kind rows to their
        /// jurisdiction, jurisdictions to all) no relation has exactly one withheld member.
        #[test]
        fn no_published_relation_gives_a_count_back(
            rows in proptest::collection::vec(
                (0usize..2, 0usize..4, 0i32..2, 0usize..2, proptest::array::uniform5(
                    proptest::prop_oneof![3 => 0u64..6, 1 => 0u64..60])),
                1..14,
            )
        ) {
            let munis = [["0180", "1480", "1280", "0380"], ["0301", "4601", "5001", "1103"]];
            let mut c = Compliance::default();
            for (j, m, y, k, counts) in rows {
                let jur = Jurisdiction::ALL[j];
                let key = (jur, munis[j][m].to_owned(), 2023 + y, ["screening", "investigation"][k].to_owned());
                let slot = c.counts.entry(key).or_default();
                for (a, b) in slot.iter_mut().zip(counts) {
                    *a += b;
                }
            }
            let sec = section(&c, 5);
            let j = &sec.tables[0];
            let jrows: Vec<(String, Vec<Count>)> = j
                .rows
                .iter()
                .map(|r| (r[0].display(), published(r, 1)))
                .collect();
            let by_m: Vec<(String, Vec<Count>)> =
                sec.tables[1].rows.iter().map(|r| (r[0].display(), published(r, 2))).collect();
            let by_yk: Vec<(String, Vec<Count>)> =
                sec.tables[2].rows.iter().map(|r| (r[0].display(), published(r, 3))).collect();
            for (name, r) in jrows.iter().chain(&by_m).chain(&by_yk) {
                check(r[5], &r[0..5], &format!("{name} total"));
                check(r[6], &r[0..2], &format!("{name} on time"));
                check(r[7], &[r[6], r[2], r[3]], &format!("{name} due"));
                check(r[5], &[r[7], r[4]], &format!("{name} total = due + pending"));
                for v in r.iter().filter_map(|c| c.value()) {
                    proptest::prop_assert!(v == 0 || v >= 5);
                }
            }
            let all = &jrows.last().unwrap().1;
            for m in 0..8 {
                let parts: Vec<Count> = jrows[..jrows.len() - 1].iter().map(|r| r.1[m]).collect();
                check(all[m], &parts, "all");
                for (name, r) in &jrows[..jrows.len() - 1] {
                    for table in [&by_m, &by_yk] {
                        let parts: Vec<Count> =
                            table.iter().filter(|(n, _)| n == name).map(|x| x.1[m]).collect();
                        check(r[m], &parts, name);
                    }
                }
            }
        }
    }
}
