//! Code lists as data, and coded values that keep their source.
//!
//! A [`CodeList`] is data, not code: a system name (`no.ssb.barnevern.melder`), a version
//! (`Barnevern_v4.xsd 4.0.1`), and entries with a code, labels per language and a validity
//! period. A list can hold several entries for one code when its label changed; their periods do
//! not overlap. Codes are always text: `0301` keeps its leading zero and `3.10` is not `3.1`.
//!
//! The built-in lists ([`builtin`]) are the Norwegian child-welfare reporting lists of SSB and
//! the municipality lists (see [`crate::municipality`]). Users load their own with
//! [`CodeList::from_csv`].
//!
//! ```
//! use barnvern_core::codelist::builtin;
//! use chrono::NaiveDate;
//!
//! let melder = builtin("no.ssb.barnevern.melder").unwrap();
//! let day = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
//! assert_eq!(melder.check("8", Some(day)).unwrap().display.no.as_deref(), Some("Politi"));
//! // 15 (doctor/hospital/dentist) was split into 24 and 25 from 2025.
//! assert_eq!(melder.check("15", Some(day)).unwrap_err().code, "codelist.not_in_force");
//! assert_eq!(melder.check("99", None).unwrap_err().code, "codelist.unknown_code");
//! ```
//!
//! A [`Coded`] value keeps the canonical value, the code as recorded and any free text:
//!
//! ```
//! use barnvern_core::Coded;
//!
//! let value = Coded::new("police".to_owned())
//!     .with_source("no.ssb.barnevern.melder", "8")
//!     .unwrap();
//! let json = serde_json::to_string(&value).unwrap();
//! assert_eq!(
//!     json,
//!     r#"{"code":"police","source":{"system":"no.ssb.barnevern.melder","code":"8"}}"#
//! );
//! ```

mod builtin;
mod check;
mod coded;
mod systems;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Finding;

pub use builtin::{SAKSINNHOLD, SSB_BARNEVERN_VERSION, builtin, builtin_systems};
pub use check::{check_coded, check_source_code};
pub use coded::{Coded, SourceCode};
pub use systems::{
    KNOWN_CODE_SYSTEMS, MAX_CODE_CHARS, MAX_SYSTEM_CHARS, check_code_text, check_system_name,
    identity_finding, is_known_code_system,
};

/// Display text of a code, per language. A source rarely has all three.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    /// Swedish label (svenska).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sv: Option<String>,
    /// Norwegian label (norsk bokmål), as the source writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no: Option<String>,
    /// English label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Labels {
    /// The first label present, in the order Norwegian, Swedish, English.
    pub fn any(&self) -> Option<&str> {
        self.no
            .as_deref()
            .or(self.sv.as_deref())
            .or(self.en.as_deref())
    }
}

/// One code of a list, in force for one period (SSB: `kode` with `validFrom`/`validTo`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeEntry {
    /// The code exactly as the source writes it (text: `0301`, `3.10`).
    pub code: String,
    /// Labels per language.
    #[serde(default)]
    pub display: Labels,
    /// First day in force; `None` when the source gives no start (in force since before the
    /// list's earliest version).
    #[serde(
        deserialize_with = "crate::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_from: Option<NaiveDate>,
    /// Last day in force (inclusive); `None` while still in force.
    #[serde(
        deserialize_with = "crate::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_to: Option<NaiveDate>,
    /// Code of the parent in the list's hierarchy, e.g. the level-2 heading `1.1` of the
    /// Kunnskapsmodellen code `1.1.01`, or the county of a municipality. See
    /// [`CodeList::groups`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The code needs free text (NO "krever presisering"; "Annet", "Andre ...").
    #[serde(default)]
    pub requires_text: bool,
    /// Remarks on the entry: the source's change description and notes on repaired or
    /// disputed values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl CodeEntry {
    /// True when the entry is in force on `date` (bounds inclusive; a missing bound is open).
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        in_period(self.valid_from, self.valid_to, date)
    }

    /// The validity period in words: `from 2013-01-01 to 2024-12-31`, `from 2026-01-01`,
    /// `until 2019-12-31`, or `without limits`.
    pub fn period(&self) -> String {
        describe_period(self.valid_from, self.valid_to)
    }

    /// Checks the free text of a coded value against this entry: a code that
    /// [`requires_text`](Self::requires_text) needs non-blank text (`codelist.text_required`).
    pub fn check_text(&self, text: Option<&str>) -> Result<(), Finding> {
        if self.requires_text && text.is_none_or(|t| t.trim().is_empty()) {
            return Err(Finding::error(
                "text",
                "codelist.text_required",
                format!(
                    "code {:?} needs a free-text description (krever presisering)",
                    self.code
                ),
            ));
        }
        Ok(())
    }
}

/// A versioned code list: system, version, title and entries (design: "code lists are data").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeList {
    /// Identifier of the code system, e.g. `no.ssb.barnevern.melder` or `se.scb.kommun`.
    pub system: String,
    /// Version of the source, e.g. `Barnevern_v4.xsd 4.0.1`.
    pub version: String,
    /// Human title of the list.
    pub title: String,
    /// The codes; a code can appear once per period (a new label is a new entry).
    pub entries: Vec<CodeEntry>,
    /// Headings of the list's hierarchy that are not codes themselves (the level-1 and level-2
    /// headings of Kunnskapsmodellen, the groups of Tiltak/Kategori, the counties of a
    /// municipality list). [`CodeList::check`] never accepts them; entries point to them through
    /// [`CodeEntry::parent`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<CodeEntry>,
}

impl CodeList {
    /// The newest entry of `code` (the one that starts last), whatever its validity.
    pub fn get(&self, code: &str) -> Option<&CodeEntry> {
        self.entries
            .iter()
            .filter(|e| e.code == code)
            .max_by_key(|e| e.valid_from)
    }

    /// The entry of `code` in force on `date`.
    pub fn get_on(&self, code: &str, date: NaiveDate) -> Option<&CodeEntry> {
        self.entries
            .iter()
            .find(|e| e.code == code && e.is_valid_on(date))
    }

    /// Every entry in force on `date`, in list order.
    pub fn entries_on(&self, date: NaiveDate) -> impl Iterator<Item = &CodeEntry> {
        self.entries.iter().filter(move |e| e.is_valid_on(date))
    }

    /// The heading `code` of the list's hierarchy (see [`CodeList::groups`]).
    pub fn group(&self, code: &str) -> Option<&CodeEntry> {
        self.groups.iter().find(|e| e.code == code)
    }

    /// Checks a code as recorded: it must be in the list (`codelist.unknown_code`) and, when a
    /// date is given, in force that day (`codelist.not_in_force`). Without a date the newest
    /// entry is returned. The message names the system and, for a code out of force, the code
    /// (one of the list's) and its valid periods; a code not in the list is shown only when
    /// [`crate::identifier::echo`] finds it short and code-like.
    pub fn check(&self, code: &str, on: Option<NaiveDate>) -> Result<&CodeEntry, Finding> {
        let Some(newest) = self.get(code) else {
            return Err(Finding::error(
                "",
                "codelist.unknown_code",
                format!(
                    "code {} is not in code list {} ({})",
                    crate::identifier::echo(code),
                    self.system,
                    self.version
                ),
            ));
        };
        let Some(date) = on else {
            return Ok(newest);
        };
        if let Some(entry) = self.get_on(code, date) {
            return Ok(entry);
        }
        let mut periods: Vec<&CodeEntry> = self.entries.iter().filter(|e| e.code == code).collect();
        periods.sort_by_key(|e| e.valid_from);
        let periods: Vec<String> = periods.iter().map(|e| e.period()).collect();
        Err(Finding::error(
            "",
            "codelist.not_in_force",
            format!(
                "code {code:?} of code list {} is not in force on {date}: it is valid {}",
                self.system,
                periods.join(" and ")
            ),
        ))
    }

    /// Reads a code list from CSV text (header row, RFC 4180 quoting, UTF-8). Every cell is read
    /// as text and kept exactly (no trimming); dates are `YYYY-MM-DD`, `valid_to` inclusive; an
    /// empty cell is "not given". `columns` names the columns to use; a named column missing from
    /// the header is an error (`codelist.csv_column`).
    ///
    /// Errors (`codelist.csv_*`) name the line: malformed CSV (`csv_syntax`), an empty code
    /// (`csv_empty_code`), a bad date or flag (`csv_date`, `csv_flag`), a period that ends
    /// before it starts (`csv_period`), two entries of one code in force on the same day
    /// (`csv_overlap`), one hierarchy heading with two labels (`csv_group`).
    ///
    /// ```
    /// use barnvern_core::codelist::{CodeList, CsvColumns};
    ///
    /// let csv = "kod,text,from,to\n01,Ja,2020-01-01,\n02,Nej,,2021-12-31\n";
    /// let columns = CsvColumns {
    ///     code: "kod",
    ///     label_sv: Some("text"),
    ///     valid_from: Some("from"),
    ///     valid_to: Some("to"),
    ///     ..CsvColumns::default()
    /// };
    /// let list = CodeList::from_csv("local.yes_no", "1", "Ja/nej", csv, &columns).unwrap();
    /// assert_eq!(list.get("01").unwrap().display.sv.as_deref(), Some("Ja"));
    /// assert!(list.get("1").is_none());
    /// ```
    pub fn from_csv(
        system: impl Into<String>,
        version: impl Into<String>,
        title: impl Into<String>,
        csv_text: &str,
        columns: &CsvColumns<'_>,
    ) -> Result<CodeList, Finding> {
        let (entries, groups) = read_entries(csv_text, columns)?;
        Ok(CodeList {
            system: system.into(),
            version: version.into(),
            title: title.into(),
            entries,
            groups,
        })
    }
}

/// Which CSV columns [`CodeList::from_csv`] reads. `None` (or an empty slice) means "not in
/// this file". The default reads `code`, `valid_from` and `valid_to` only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvColumns<'a> {
    /// Column of the code.
    pub code: &'a str,
    /// Column of the Swedish label.
    pub label_sv: Option<&'a str>,
    /// Column of the Norwegian label.
    pub label_no: Option<&'a str>,
    /// Column of the English label.
    pub label_en: Option<&'a str>,
    /// Column of the first day in force.
    pub valid_from: Option<&'a str>,
    /// Column of the last day in force (inclusive).
    pub valid_to: Option<&'a str>,
    /// Column of the "needs free text" flag (`true`/`false`; empty is `false`).
    pub requires_text: Option<&'a str>,
    /// Columns joined (non-empty cells, with `"; "`, in this order) into [`CodeEntry::note`].
    pub note: &'a [&'a str],
    /// Hierarchy levels, top first, each as (code column, label column). An entry's parent is
    /// the code of its deepest non-empty level; each distinct level code becomes one of
    /// [`CodeList::groups`], labelled in the language of the list's first label column
    /// (Norwegian, then Swedish, then English).
    pub hierarchy: &'a [(&'a str, &'a str)],
}

impl Default for CsvColumns<'_> {
    fn default() -> Self {
        CsvColumns {
            code: "code",
            label_sv: None,
            label_no: None,
            label_en: None,
            valid_from: Some("valid_from"),
            valid_to: Some("valid_to"),
            requires_text: None,
            note: &[],
            hierarchy: &[],
        }
    }
}

/// True when `date` lies in the inclusive period; a missing bound is open.
pub(crate) fn in_period(from: Option<NaiveDate>, to: Option<NaiveDate>, date: NaiveDate) -> bool {
    from.is_none_or(|f| f <= date) && to.is_none_or(|t| date <= t)
}

/// A period in words, as used in messages.
pub(crate) fn describe_period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    match (from, to) {
        (Some(f), Some(t)) => format!("from {f} to {t}"),
        (Some(f), None) => format!("from {f}"),
        (None, Some(t)) => format!("until {t}"),
        (None, None) => "without limits".to_owned(),
    }
}

fn csv_error(line: u64, code: &str, message: String) -> Finding {
    Finding::error(format!("line {line}"), code, message)
}

/// Parses an ISO date cell; empty is `None`.
pub(crate) fn parse_date_cell(cell: &str) -> Result<Option<NaiveDate>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(cell, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("{cell:?} is not a date (expected YYYY-MM-DD)"))
}

struct Indices {
    code: usize,
    label_sv: Option<usize>,
    label_no: Option<usize>,
    label_en: Option<usize>,
    valid_from: Option<usize>,
    valid_to: Option<usize>,
    requires_text: Option<usize>,
    note: Vec<usize>,
    hierarchy: Vec<(usize, usize)>,
}

fn read_entries(
    csv_text: &str,
    columns: &CsvColumns<'_>,
) -> Result<(Vec<CodeEntry>, Vec<CodeEntry>), Finding> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::None)
        .from_reader(csv_text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| {
            csv_error(
                1,
                "codelist.csv_syntax",
                format!("malformed CSV header: {e}"),
            )
        })?
        .clone();
    let find = |name: &str| -> Result<usize, Finding> {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            Finding::error(
                "",
                "codelist.csv_column",
                format!("the CSV has no column {name:?}"),
            )
        })
    };
    let opt = |name: Option<&str>| name.map(find).transpose();
    let idx = Indices {
        code: find(columns.code)?,
        label_sv: opt(columns.label_sv)?,
        label_no: opt(columns.label_no)?,
        label_en: opt(columns.label_en)?,
        valid_from: opt(columns.valid_from)?,
        valid_to: opt(columns.valid_to)?,
        requires_text: opt(columns.requires_text)?,
        note: columns
            .note
            .iter()
            .map(|n| find(n))
            .collect::<Result<_, _>>()?,
        hierarchy: columns
            .hierarchy
            .iter()
            .map(|(c, l)| Ok((find(c)?, find(l)?)))
            .collect::<Result<_, Finding>>()?,
    };

    let mut entries = Vec::new();
    let mut groups: Vec<CodeEntry> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            csv_error(line, "codelist.csv_syntax", format!("malformed CSV: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: usize| record.get(i).unwrap_or("");
        let text = |i: Option<usize>| i.map(cell).filter(|s| !s.is_empty()).map(str::to_owned);
        let date = |i: Option<usize>| {
            parse_date_cell(i.map(cell).unwrap_or(""))
                .map_err(|m| csv_error(line, "codelist.csv_date", m))
        };

        let code = cell(idx.code);
        if code.is_empty() {
            return Err(csv_error(
                line,
                "codelist.csv_empty_code",
                format!("line {line} has an empty code"),
            ));
        }
        let requires_text = match idx.requires_text.map(cell).unwrap_or("") {
            "" | "false" => false,
            "true" => true,
            other => {
                return Err(csv_error(
                    line,
                    "codelist.csv_flag",
                    format!("{other:?} is not a flag (expected true or false)"),
                ));
            }
        };
        let notes: Vec<&str> = idx
            .note
            .iter()
            .map(|&i| cell(i))
            .filter(|s| !s.is_empty())
            .collect();
        let display = Labels {
            sv: text(idx.label_sv),
            no: text(idx.label_no),
            en: text(idx.label_en),
        };
        let valid_from = date(idx.valid_from)?;
        let valid_to = date(idx.valid_to)?;
        if let (Some(f), Some(t)) = (valid_from, valid_to)
            && t < f
        {
            return Err(csv_error(
                line,
                "codelist.csv_period",
                format!("code {code:?} ends ({t}) before it starts ({f})"),
            ));
        }

        let mut parent: Option<String> = None;
        for &(code_i, label_i) in &idx.hierarchy {
            let group_code = cell(code_i);
            if group_code.is_empty() {
                continue;
            }
            let label = text(Some(label_i));
            merge_group(
                &mut groups,
                group_code,
                label,
                parent.clone(),
                (valid_from, valid_to),
                &idx,
            )
            .map_err(|m| csv_error(line, "codelist.csv_group", m))?;
            parent = Some(group_code.to_owned());
        }

        entries.push(CodeEntry {
            code: code.to_owned(),
            display,
            valid_from,
            valid_to,
            parent,
            requires_text,
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        });
        lines.push(line);
    }
    check_overlaps(&entries, &lines)?;
    Ok((entries, groups))
}

fn merge_group(
    groups: &mut Vec<CodeEntry>,
    code: &str,
    label: Option<String>,
    parent: Option<String>,
    (from, to): (Option<NaiveDate>, Option<NaiveDate>),
    idx: &Indices,
) -> Result<(), String> {
    if let Some(group) = groups.iter_mut().find(|g| g.code == code) {
        if group.display.any().map(str::to_owned) != label || group.parent != parent {
            return Err(format!(
                "heading {code:?} has two different labels or parents in the list"
            ));
        }
        // A heading is in force while any of its codes is.
        group.valid_from = group.valid_from.min(from);
        group.valid_to = match (group.valid_to, to) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
        return Ok(());
    }
    let mut display = Labels::default();
    if idx.label_no.is_some() {
        display.no = label;
    } else if idx.label_sv.is_some() {
        display.sv = label;
    } else {
        display.en = label;
    }
    groups.push(CodeEntry {
        code: code.to_owned(),
        display,
        valid_from: from,
        valid_to: to,
        parent,
        requires_text: false,
        note: None,
    });
    Ok(())
}

/// Two entries of one code may not be in force on the same day.
fn check_overlaps(entries: &[CodeEntry], lines: &[u64]) -> Result<(), Finding> {
    let mut by_code: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        by_code.entry(e.code.as_str()).or_default().push(i);
    }
    for (code, mut rows) in by_code {
        rows.sort_by_key(|&i| entries[i].valid_from);
        for pair in rows.windows(2) {
            let (a, b) = (&entries[pair[0]], &entries[pair[1]]);
            let separate =
                matches!((a.valid_to, b.valid_from), (Some(end), Some(start)) if end < start);
            if !separate {
                let line = lines.get(pair[1]).copied().unwrap_or(0);
                return Err(csv_error(
                    line,
                    "codelist.csv_overlap",
                    format!(
                        "code {code:?} has two entries in force on the same day ({} and {})",
                        a.period(),
                        b.period()
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const CSV: &str = "code,label,from,to,other,grp,grp_label\n\
        1,One,2020-01-01,2021-12-31,x,A,Group A\n\
        1,One (new),2022-01-01,,,A,Group A\n\
        01,Zero-one,,,,B,Group B\n\
        3.10,Three-ten,,,\"quoted, with comma\",,\n";

    fn columns() -> CsvColumns<'static> {
        CsvColumns {
            code: "code",
            label_en: Some("label"),
            valid_from: Some("from"),
            valid_to: Some("to"),
            note: &["other"],
            hierarchy: &[("grp", "grp_label")],
            ..CsvColumns::default()
        }
    }

    #[test]
    fn reads_codes_as_text_with_versions() {
        let list = CodeList::from_csv("t", "1", "T", CSV, &columns()).unwrap();
        assert_eq!(list.entries.len(), 4);
        assert_eq!(
            list.get("1").unwrap().display.en.as_deref(),
            Some("One (new)")
        );
        assert_eq!(
            list.check("1", Some(d(2020, 6, 1)))
                .unwrap()
                .display
                .en
                .as_deref(),
            Some("One")
        );
        assert!(list.get("01").is_some());
        assert!(list.get("3.1").is_none());
        assert_eq!(
            list.get("3.10").unwrap().note.as_deref(),
            Some("quoted, with comma")
        );
        assert_eq!(list.get("1").unwrap().parent.as_deref(), Some("A"));
        let group = list.group("A").unwrap();
        assert_eq!(group.display.en.as_deref(), Some("Group A"));
        assert_eq!(group.valid_from, Some(d(2020, 1, 1)));
        assert_eq!(group.valid_to, None);
        assert_eq!(list.entries_on(d(2019, 1, 1)).count(), 2);
    }

    #[test]
    fn check_names_system_code_and_period() {
        let list = CodeList::from_csv("t.sys", "1", "T", CSV, &columns()).unwrap();
        let err = list.check("9", None).unwrap_err();
        assert_eq!(err.code, "codelist.unknown_code");
        assert!(err.message.contains("t.sys") && err.message.contains("\"9\""));
        let err = list.check("1", Some(d(2019, 1, 1))).unwrap_err();
        assert_eq!(err.code, "codelist.not_in_force");
        assert!(
            err.message
                .contains("from 2020-01-01 to 2021-12-31 and from 2022-01-01"),
            "{}",
            err.message
        );
    }

    #[test]
    fn malformed_csv_is_an_error_not_a_panic() {
        let c = columns();
        let bad = |text: &str| {
            CodeList::from_csv("t", "1", "T", text, &c)
                .unwrap_err()
                .code
        };
        let header = "code,label,from,to,other,grp,grp_label\n";
        assert_eq!(bad("x,y\n1,2\n"), "codelist.csv_column");
        assert_eq!(
            bad(&format!("{header},a,,,,,\n")),
            "codelist.csv_empty_code"
        );
        assert_eq!(
            bad(&format!("{header}1,a,2020-13-01,,,,\n")),
            "codelist.csv_date"
        );
        assert_eq!(
            bad(&format!("{header}1,a,2020-01-01,2019-01-01,,,\n")),
            "codelist.csv_period"
        );
        assert_eq!(
            bad(&format!("{header}1,a,,,,,\n1,b,2020-01-01,,,,\n")),
            "codelist.csv_overlap"
        );
        assert_eq!(
            bad(&format!("{header}1,a,,,,,,extra\n")),
            "codelist.csv_syntax"
        );
        assert_eq!(
            bad(&format!("{header}1,a,,,,G,x\n2,b,,,,G,y\n")),
            "codelist.csv_group"
        );
    }

    #[test]
    fn text_required() {
        let entry = CodeEntry {
            code: "99".into(),
            display: Labels::default(),
            valid_from: None,
            valid_to: None,
            parent: None,
            requires_text: true,
            note: None,
        };
        assert_eq!(
            entry.check_text(Some("  ")).unwrap_err().code,
            "codelist.text_required"
        );
        assert!(entry.check_text(Some("annet")).is_ok());
    }
}
