//! Municipality codes (SE kommunkod, NO kommunenummer) and their validity over time.
//!
//! Both countries use four digits, the first two being the county (SE länskod, NO
//! fylkesnummer). Norway renumbered most municipalities in the reforms of 2020 and 2024, so a
//! Norwegian code is checked against the date it was recorded for: 1201 was Bergen until
//! 2019-12-31 and Bergen has been 4601 since 2020-01-01.
//!
//! Data (see `data/PROVENANCE.md`):
//! - Sweden: SCB "Län och kommuner 2025", 290 municipalities, all in force today. The source
//!   gives no start dates: such rows are "in force since before 2018", i.e. valid on every
//!   date, because this list does not record when each municipality was formed.
//! - Norway: SSB Klass 131 "Standard for kommuneinndeling", every version from 2018-01-01 to
//!   the 2026 version, one row per code and name. The file's earliest start, 2018-01-01, is the
//!   start of the data, not of the municipality, so it is read as "since before 2018"
//!   (`valid_from` is `None`): 0301 Oslo is valid on every date. The data do not cover earlier
//!   changes (e.g. the Trøndelag numbers 50xx of 2018), which are therefore accepted before
//!   2018 too. `9999 Uoppgitt` ("not stated") is not a municipality and is refused.
//!
//! ```
//! use barnvern_core::Jurisdiction;
//! use barnvern_core::municipality::{lookup, successor};
//! use chrono::NaiveDate;
//!
//! let day = NaiveDate::from_ymd_opt(2020, 3, 1).unwrap();
//! let err = lookup(Jurisdiction::No, "1201", Some(day)).unwrap_err();
//! assert_eq!(err.code, "municipality.not_in_force");
//! assert!(err.message.contains("4601"));
//! assert_eq!(successor(Jurisdiction::No, "1201", day).unwrap().code, "4601");
//! assert_eq!(lookup(Jurisdiction::Se, "0180", Some(day)).unwrap().name, "Stockholm");
//! ```

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::codelist::{CodeEntry, CodeList, Labels, describe_period, in_period, parse_date_cell};
use crate::{Finding, Jurisdiction};

const SE_CSV: &str = include_str!("../data/se-kommuner.csv");
const NO_CSV: &str = include_str!("../data/no-kommuner.csv");

/// First day of the Norwegian data: a row starting then was in force before too.
const NO_DATA_START: &str = "2018-01-01";

/// Code that SSB's Klass 131 uses for "Uoppgitt" (not stated).
const NO_NOT_STATED: &str = "9999";

fn check_format(value: &str) -> Result<(), Finding> {
    if value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Finding::error(
            "",
            "municipality.format",
            format!(
                "a municipality code (kommunkod, kommunenummer) is exactly four digits 0-9, \
                 e.g. 0301; {}",
                match value.chars().count() {
                    4 => "this one holds another character".to_owned(),
                    n => format!("this one has {n} characters"),
                }
            ),
        ))
    }
}

crate::validated_string! {
    /// A municipality code (SE kommunkod, NO kommunenummer): exactly four ASCII digits, leading
    /// zero kept (`0301` Oslo, `0114` Upplands Väsby). The format only; whether the code names
    /// a municipality on a given day is [`MunicipalityCode::lookup`].
    pub struct MunicipalityCode; validate = check_format;
}

impl MunicipalityCode {
    /// The municipality this code names in `jurisdiction` on `on` (see [`lookup`]).
    pub fn lookup(
        &self,
        jurisdiction: Jurisdiction,
        on: Option<NaiveDate>,
    ) -> Result<&'static MunicipalityVersion, Finding> {
        lookup(jurisdiction, self.as_str(), on)
    }

    /// The two-digit county part (SE länskod, NO fylkesnummer).
    pub fn county_code(&self) -> &str {
        self.as_str().get(..2).unwrap_or("")
    }
}

/// One version of a municipality: a code with one name for one unbroken period (one row of
/// `se-kommuner.csv` or `no-kommuner.csv`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MunicipalityVersion {
    /// The country.
    pub jurisdiction: Jurisdiction,
    /// The four-digit code (SE kommunkod, NO kommunenummer), as text.
    pub code: String,
    /// The official name, as SCB or SSB writes it (Norway: with the Sami or Kven parallel names
    /// SSB gives, e.g. `Kárášjohka - Karasjok`).
    pub name: String,
    /// County code (SE länskod, NO fylkesnummer): the code's first two digits.
    pub county_code: String,
    /// County name (SE länsnamn); `None` for Norway, whose list gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county_name: Option<String>,
    /// First day in force; `None` means in force since before 2018, where the data begin.
    #[serde(
        deserialize_with = "crate::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_from: Option<NaiveDate>,
    /// Last day in force (inclusive); `None` while in force.
    #[serde(
        deserialize_with = "crate::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_to: Option<NaiveDate>,
    /// The source's remark where a value was repaired or inferred.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl MunicipalityVersion {
    /// True when this version is in force on `date` (bounds inclusive; a missing bound is
    /// open).
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        in_period(self.valid_from, self.valid_to, date)
    }

    /// The validity period in words, e.g. `from before 2018 until 2019-12-31`.
    pub fn period(&self) -> String {
        match (self.valid_from, self.valid_to) {
            (None, Some(t)) => format!("from before 2018 until {t}"),
            (None, None) => "from before 2018 and still".to_owned(),
            (from, to) => describe_period(from, to),
        }
    }
}

/// The rows of one country, with an index by code.
struct Table {
    rows: Vec<MunicipalityVersion>,
    /// Row numbers of each code, oldest version first.
    by_code: BTreeMap<String, Vec<usize>>,
    list: CodeList,
}

impl Table {
    fn new(jurisdiction: Jurisdiction, rows: Vec<MunicipalityVersion>) -> Table {
        let mut by_code: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, row) in rows.iter().enumerate() {
            by_code.entry(row.code.clone()).or_default().push(i);
        }
        for versions in by_code.values_mut() {
            versions.sort_by_key(|&i| rows[i].valid_from);
        }
        let list = code_list(jurisdiction, &rows);
        Table {
            rows,
            by_code,
            list,
        }
    }

    fn versions(&self, code: &str) -> impl DoubleEndedIterator<Item = &MunicipalityVersion> {
        self.by_code
            .get(code)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.rows.get(i))
    }
}

fn code_list(jurisdiction: Jurisdiction, rows: &[MunicipalityVersion]) -> CodeList {
    let labels = |name: &str| match jurisdiction {
        Jurisdiction::Se => Labels {
            sv: Some(name.to_owned()),
            ..Labels::default()
        },
        Jurisdiction::No => Labels {
            no: Some(name.to_owned()),
            ..Labels::default()
        },
    };
    let entries = rows
        .iter()
        .map(|r| CodeEntry {
            code: r.code.clone(),
            display: labels(&r.name),
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            parent: Some(r.county_code.clone()),
            requires_text: false,
            note: r.note.clone(),
        })
        .collect();
    let mut groups: Vec<CodeEntry> = Vec::new();
    for r in rows {
        if let Some(county) = &r.county_name
            && !groups.iter().any(|g| g.code == r.county_code)
        {
            groups.push(CodeEntry {
                code: r.county_code.clone(),
                display: labels(county),
                valid_from: None,
                valid_to: None,
                parent: None,
                requires_text: false,
                note: None,
            });
        }
    }
    let (system, version, title) = match jurisdiction {
        Jurisdiction::Se => (
            "se.scb.kommun",
            "SCB 2025",
            "Kommuner (SCB Län och kommuner, kommunkod)",
        ),
        Jurisdiction::No => (
            "no.ssb.kommune",
            "SSB Klass 131 2018-2026",
            "Kommuner (SSB Klass 131 Standard for kommuneinndeling, kommunenummer)",
        ),
    };
    CodeList {
        system: system.to_owned(),
        version: version.to_owned(),
        title: title.to_owned(),
        entries,
        groups,
    }
}

#[derive(Deserialize)]
struct SeRow {
    kommunkod: String,
    name: String,
    lanskod: String,
    lan_name: String,
    valid_from: String,
    valid_to: String,
}

#[derive(Deserialize)]
struct NoRow {
    kommunenummer: String,
    name: String,
    county_number: String,
    valid_from: String,
    valid_to: String,
    note: String,
}

fn data_error(line: usize, message: String) -> Finding {
    Finding::error(format!("line {line}"), "municipality.data", message)
}

fn build(
    jurisdiction: Jurisdiction,
    line: usize,
    (code, name, county_code, county_name): (String, String, String, Option<String>),
    (from, to, note): (&str, &str, String),
) -> Result<MunicipalityVersion, Finding> {
    check_format(&code).map_err(|e| data_error(line, e.message))?;
    if code.get(..2) != Some(county_code.as_str()) {
        return Err(data_error(
            line,
            format!("code {code} is not in county {county_code}"),
        ));
    }
    let mut valid_from = parse_date_cell(from).map_err(|m| data_error(line, m))?;
    if jurisdiction == Jurisdiction::No && from == NO_DATA_START {
        valid_from = None;
    }
    let valid_to = parse_date_cell(to).map_err(|m| data_error(line, m))?;
    Ok(MunicipalityVersion {
        jurisdiction,
        code,
        name,
        county_code,
        county_name,
        valid_from,
        valid_to,
        note: (!note.is_empty()).then_some(note),
    })
}

fn parse(jurisdiction: Jurisdiction) -> Result<Vec<MunicipalityVersion>, Finding> {
    let text = match jurisdiction {
        Jurisdiction::Se => SE_CSV,
        Jurisdiction::No => NO_CSV,
    };
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| data_error(line, e.to_string()))?;
        let row = match jurisdiction {
            Jurisdiction::Se => {
                let r: SeRow = record
                    .deserialize(None)
                    .map_err(|e| data_error(line, e.to_string()))?;
                build(
                    jurisdiction,
                    line,
                    (r.kommunkod, r.name, r.lanskod, Some(r.lan_name)),
                    (&r.valid_from, &r.valid_to, String::new()),
                )?
            }
            Jurisdiction::No => {
                let r: NoRow = record
                    .deserialize(None)
                    .map_err(|e| data_error(line, e.to_string()))?;
                build(
                    jurisdiction,
                    line,
                    (r.kommunenummer, r.name, r.county_number, None),
                    (&r.valid_from, &r.valid_to, r.note),
                )?
            }
        };
        rows.push(row);
    }
    Ok(rows)
}

static SE: LazyLock<Table> = LazyLock::new(|| load(Jurisdiction::Se));
static NO: LazyLock<Table> = LazyLock::new(|| load(Jurisdiction::No));

fn load(jurisdiction: Jurisdiction) -> Table {
    // The files are compiled in and `shipped_files_parse_with_their_row_counts` keeps a broken
    // one from shipping. Should one fail to parse all the same, the build is broken: stop
    // loudly at first use, never carry on with an empty list that would make every
    // municipality "unknown".
    let rows = parse(jurisdiction).unwrap_or_else(|e| {
        panic!("the built-in municipality list of {jurisdiction} does not parse ({e}): this build is broken")
    });
    Table::new(jurisdiction, rows)
}

fn table(jurisdiction: Jurisdiction) -> &'static Table {
    match jurisdiction {
        Jurisdiction::Se => &SE,
        Jurisdiction::No => &NO,
    }
}

/// Every version of every municipality of `jurisdiction`, in file order (Sweden: by county;
/// Norway: by code, then by date).
pub fn municipalities(jurisdiction: Jurisdiction) -> &'static [MunicipalityVersion] {
    &table(jurisdiction).rows
}

/// The municipalities of `jurisdiction` as a code list: system `se.scb.kommun` (version
/// `SCB 2025`) or `no.ssb.kommune` (version `SSB Klass 131 2018-2026`). Each entry's parent is
/// its county; the Swedish counties (län) are the list's groups.
pub fn municipality_code_list(jurisdiction: Jurisdiction) -> &'static CodeList {
    &table(jurisdiction).list
}

fn term(jurisdiction: Jurisdiction) -> &'static str {
    match jurisdiction {
        Jurisdiction::Se => "kommunkod",
        Jurisdiction::No => "kommunenummer",
    }
}

/// The municipality with `code` in `jurisdiction`: with `on = None` its latest version, with a
/// date the version in force that day.
///
/// Finding codes: `municipality.format` (not four digits), `municipality.unknown` (no such
/// municipality in any version; Norwegian 9999 "Uoppgitt" means "not stated" and is refused
/// here too), `municipality.not_in_force` (the code exists but not on that day; the message
/// gives its period and, for Norway, the code the same municipality had that day).
pub fn lookup(
    jurisdiction: Jurisdiction,
    code: &str,
    on: Option<NaiveDate>,
) -> Result<&'static MunicipalityVersion, Finding> {
    check_format(code)?;
    let table = table(jurisdiction);
    let Some(latest) = table.versions(code).next_back() else {
        return Err(unknown(jurisdiction, code));
    };
    let Some(date) = on else {
        return Ok(latest);
    };
    if let Some(version) = table.versions(code).find(|v| v.is_valid_on(date)) {
        return Ok(version);
    }
    let nearest = nearest(table, code, date).unwrap_or(latest);
    let periods: Vec<String> = table.versions(code).map(|v| v.period()).collect();
    let mut message = format!(
        "{} {code} ({}) is not in force on {date} (in force {})",
        term(jurisdiction),
        nearest.name,
        periods.join(" and ")
    );
    if jurisdiction == Jurisdiction::No {
        message
            .push_str(". Norway's municipal reforms of 2020 and 2024 renumbered municipalities; ");
        match successor(jurisdiction, code, date) {
            Some(other) => message.push_str(&format!(
                "on {date} {} has kommunenummer {}",
                other.name, other.code
            )),
            None => {
                let similar: Vec<String> = table
                    .rows
                    .iter()
                    .filter(|v| {
                        v.is_valid_on(date) && main_name(&v.name) == main_name(&nearest.name)
                    })
                    .map(|v| format!("{} {}", v.code, v.name))
                    .collect();
                if similar.is_empty() {
                    message.push_str(&format!(
                        "no municipality named {} is in force on {date} (merged or renamed)",
                        nearest.name
                    ));
                } else {
                    message.push_str(&format!(
                        "on {date} the municipalities with a similar name are {}",
                        similar.join(", ")
                    ));
                }
            }
        }
    }
    Err(Finding::error("", "municipality.not_in_force", message))
}

fn unknown(jurisdiction: Jurisdiction, code: &str) -> Finding {
    let message = match jurisdiction {
        Jurisdiction::No if code == NO_NOT_STATED => format!(
            "kommunenummer {code} means \"Uoppgitt\" (not stated) in SSB's classification; it is \
             not a municipality"
        ),
        Jurisdiction::Se => format!("no Swedish municipality has code {code} (kommunkod)"),
        Jurisdiction::No => format!(
            "no Norwegian municipality has code {code} (kommunenummer) in any version since 2018"
        ),
    };
    Finding::error("", "municipality.unknown", message)
}

/// The version of `code` closest to `date`: the last one ending before it, else the first one
/// starting after it.
fn nearest<'t>(table: &'t Table, code: &str, date: NaiveDate) -> Option<&'t MunicipalityVersion> {
    table
        .versions(code)
        .rev()
        .find(|v| v.valid_to.is_some_and(|t| t < date))
        .or_else(|| table.versions(code).next())
}

/// The main name without parallel names or a county in brackets: `Gratangen - Rivtták` and
/// `Våler (Viken)` give `Gratangen` and `Våler`.
fn main_name(name: &str) -> &str {
    let name = name.split(" - ").next().unwrap_or(name);
    match name.find(" (") {
        Some(i) if name.ends_with(')') => &name[..i],
        _ => name,
    }
}

/// The municipality in force on `on` that has the same name as `code` had: the renumbering
/// hint (1201 Bergen → 4601 Bergen on 2020-01-01; 1507 Ålesund → 1508 in 2024). Works
/// backwards too (4601 on a day in 2019 gives 1201). When `code` itself is in force on `on`,
/// that version. The name of the version of `code` nearest to `on` must match exactly or,
/// failing that, without parallel names and bracketed county (`Gratangen` → `Gratangen -
/// Rivtták`), and name exactly one municipality; otherwise `None` (e.g. 3018 "Våler (Viken)"
/// in 2024, when two Vålers exist).
pub fn successor(
    jurisdiction: Jurisdiction,
    code: &str,
    on: NaiveDate,
) -> Option<&'static MunicipalityVersion> {
    let table = table(jurisdiction);
    if let Some(version) = table.versions(code).find(|v| v.is_valid_on(on)) {
        return Some(version);
    }
    let name = &nearest(table, code, on)?.name;
    let in_force = || table.rows.iter().filter(|v| v.is_valid_on(on));
    let unique = |mut it: Box<dyn Iterator<Item = &'static MunicipalityVersion>>| {
        let first = it.next()?;
        it.next().is_none().then_some(first)
    };
    let exact: Vec<&'static MunicipalityVersion> = in_force().filter(|v| v.name == *name).collect();
    match exact.as_slice() {
        [one] => Some(*one),
        [] => unique(Box::new(
            in_force().filter(|v| main_name(&v.name) == main_name(name)),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_files_parse_with_their_row_counts() {
        // Rows of se-kommuner.csv (290 kommuner) and no-kommuner.csv (every version since
        // 2018), without the header.
        for (j, expected) in [(Jurisdiction::Se, 290), (Jurisdiction::No, 797)] {
            let rows = parse(j).unwrap();
            assert_eq!(rows.len(), expected, "{j}");
        }
        assert_eq!(
            lookup(Jurisdiction::No, "0301", None).unwrap().name,
            "Oslo - Oslove"
        );
    }

    #[test]
    fn main_names() {
        assert_eq!(main_name("Gratangen - Rivtták"), "Gratangen");
        assert_eq!(main_name("Våler (Viken)"), "Våler");
        assert_eq!(main_name("Bergen"), "Bergen");
    }

    #[test]
    fn format() {
        for bad in ["301", "03011", "03a1", " 301", "", "０３０１"] {
            assert_eq!(check_format(bad).unwrap_err().code, "municipality.format");
        }
        assert!(check_format("0301").is_ok());
    }
}
