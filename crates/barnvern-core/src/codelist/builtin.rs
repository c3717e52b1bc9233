//! The code lists shipped with the crate.
//!
//! Norwegian child-welfare reporting lists (`no.ssb.barnevern.*`): the code lists of SSB's XML
//! format for reporting child-welfare data, `Barnevern_v4.xsd` schema version 4.0.1, from
//! github.com/statisticsnorway/barn-barnevern-xsd (SSB and Bufdir, MIT licence), commit
//! f84ad0cd (2025-12-18). One list per CSV file in `data/no-ssb-barnevern/`; see
//! `data/PROVENANCE.md` for how each column was taken from the XSD and which values were
//! repaired. Norwegian labels are the XSD's appinfo `title`, verbatim (typos included).
//!
//! Municipality lists (`se.scb.kommun`, `no.ssb.kommune`): see [`crate::municipality`].

use std::sync::LazyLock;

use super::{CodeList, CsvColumns};
use crate::Jurisdiction;
use crate::municipality::municipality_code_list;

/// Version of every `no.ssb.barnevern.*` list: SSB's reporting schema and its version.
pub const SSB_BARNEVERN_VERSION: &str = "Barnevern_v4.xsd 4.0.1";

/// System of the combined Saksinnhold list (NO saksinnhold: what a report or case is about):
/// the legacy flat codes 1–36 (to 2025-12-31) and the Kunnskapsmodellen codes `x.y.zz` (from
/// 2026-01-01), because the XSD has one type (`SaksinnholdType`) for both.
pub const SAKSINNHOLD: &str = "no.ssb.barnevern.saksinnhold";

const PREFIX: &str = "no.ssb.barnevern.";

const INDEX_CSV: &str = include_str!("../../data/no-ssb-barnevern/index.csv");

macro_rules! ssb_files {
    ($($stem:literal),* $(,)?) => {
        [$(($stem, include_str!(concat!("../../data/no-ssb-barnevern/", $stem, ".csv")))),*]
    };
}

/// File stem and text of every SSB list, in the order of index.csv.
const SSB_FILES: [(&str, &str); 20] = ssb_files![
    "melder",
    "saksinnhold-legacy",
    "saksinnhold-kunnskapsmodellen",
    "melding-konklusjon",
    "undersokelse-konklusjon",
    "undersokelse-utvidet-frist-innvilget",
    "barnets-medvirkning",
    "plantype",
    "tiltak-kategori",
    "tiltak-opphevelse",
    "tiltak-oppfolging-hyppighet",
    "tiltak-tilsyn-hyppighet",
    "vedtak-status",
    "vedtak-krav-konklusjon",
    "ettervern-konklusjon",
    "flytting-arsak-fra",
    "flytting-til",
    "lov",
    "kjonn",
    "begrepstype",
];

/// Hierarchy columns of the SSB files (each file has either the level columns or the group
/// columns, or none).
const LEVELS: [(&str, &str); 2] = [
    ("level1_code", "level1_label_no"),
    ("level2_code", "level2_label_no"),
];
const GROUP: [(&str, &str); 1] = [("group_code", "group_label_no")];

static SSB_LISTS: LazyLock<Vec<CodeList>> = LazyLock::new(|| {
    // The lists are compiled in, and `every_shipped_list_parses_with_its_row_count` keeps a
    // broken one from shipping. Should one fail to parse all the same, the build is broken:
    // stop loudly at first use, never carry on with an empty list that would make every code
    // "unknown" (silently wrong findings on every record).
    parse_ssb_lists()
        .into_iter()
        .map(|(system, list)| {
            list.unwrap_or_else(|e| {
                panic!("the built-in code list {system} does not parse ({e}): this build is broken")
            })
        })
        .collect()
});

/// Title per file name, from index.csv's `description`.
fn titles() -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_reader(INDEX_CSV.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| Some((r.get(0)?.to_owned(), r.get(3)?.to_owned())))
        .collect()
}

/// Parses every SSB list, plus the combined Saksinnhold, keeping each failure.
fn parse_ssb_lists() -> Vec<(String, Result<CodeList, crate::Finding>)> {
    let titles = titles();
    let mut lists: Vec<(String, Result<CodeList, crate::Finding>)> = Vec::new();
    for (stem, text) in SSB_FILES {
        let system = format!("{PREFIX}{stem}");
        let file = format!("{stem}.csv");
        let title = titles
            .iter()
            .find(|(f, _)| *f == file)
            .map_or_else(|| stem.to_owned(), |(_, t)| t.clone());
        let header = text.lines().next().unwrap_or("");
        let has = |name: &str| header.split(',').any(|h| h == name);
        let columns = if !has("label_no") {
            // BegrepsType: the XSD gives names only.
            CsvColumns {
                valid_from: None,
                valid_to: None,
                ..CsvColumns::default()
            }
        } else {
            CsvColumns {
                label_no: Some("label_no"),
                requires_text: Some("requires_presisering"),
                note: &["change_description", "note"],
                hierarchy: if has("level1_code") {
                    &LEVELS
                } else if has("group_code") {
                    &GROUP
                } else {
                    &[]
                },
                ..CsvColumns::default()
            }
        };
        let list = CodeList::from_csv(&system, SSB_BARNEVERN_VERSION, title, text, &columns)
            .map_err(|e| e.under(&file));
        lists.push((system, list));
        if stem == "saksinnhold-kunnskapsmodellen" {
            let combined = combine_saksinnhold(&lists);
            lists.push((SAKSINNHOLD.to_owned(), combined));
        }
    }
    lists
}

fn combine_saksinnhold(
    lists: &[(String, Result<CodeList, crate::Finding>)],
) -> Result<CodeList, crate::Finding> {
    let part = |stem: &str| -> Result<&CodeList, crate::Finding> {
        let system = format!("{PREFIX}{stem}");
        match lists.iter().find(|(s, _)| *s == system) {
            Some((_, Ok(list))) => Ok(list),
            Some((_, Err(e))) => Err(e.clone()),
            None => Err(crate::Finding::error(
                "",
                "codelist.builtin",
                format!("list {system} is missing"),
            )),
        }
    };
    let legacy = part("saksinnhold-legacy")?;
    let km = part("saksinnhold-kunnskapsmodellen")?;
    Ok(CodeList {
        system: SAKSINNHOLD.to_owned(),
        version: SSB_BARNEVERN_VERSION.to_owned(),
        title: "Saksinnhold (SaksinnholdType): legacy codes 1-36 used until 2025-12-31 and \
                Kunnskapsmodellen codes from 2026-01-01"
            .to_owned(),
        entries: legacy.entries.iter().chain(&km.entries).cloned().collect(),
        groups: km.groups.clone(),
    })
}

/// The built-in code list of `system`, or `None` for a system not shipped.
///
/// Systems: `no.ssb.barnevern.<file>` for each SSB child-welfare reporting list (e.g.
/// `no.ssb.barnevern.melder`, `no.ssb.barnevern.saksinnhold-kunnskapsmodellen`,
/// `no.ssb.barnevern.tiltak-kategori`), the combined [`SAKSINNHOLD`], and the municipality lists
/// `se.scb.kommun` (kommunkod) and `no.ssb.kommune` (kommunenummer). See
/// [`builtin_systems`].
pub fn builtin(system: &str) -> Option<&'static CodeList> {
    for jurisdiction in Jurisdiction::ALL {
        let list = municipality_code_list(jurisdiction);
        if list.system == system {
            return Some(list);
        }
    }
    SSB_LISTS.iter().find(|l| l.system == system)
}

/// The system name of every built-in code list: the SSB lists in SSB's order (the combined
/// Saksinnhold right after its two parts), then the municipality lists.
pub fn builtin_systems() -> impl Iterator<Item = &'static str> {
    SSB_LISTS.iter().map(|l| l.system.as_str()).chain(
        Jurisdiction::ALL
            .into_iter()
            .map(|j| municipality_code_list(j).system.as_str()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of each shipped file (without its header), counted from the CSV files: a list
    /// that loses or gains a code fails here, not in a user's findings.
    const ROWS: [(&str, usize); 21] = [
        ("melder", 25),
        ("saksinnhold-legacy", 36),
        ("saksinnhold-kunnskapsmodellen", 57),
        ("saksinnhold", 36 + 57),
        ("melding-konklusjon", 10),
        ("undersokelse-konklusjon", 9),
        ("undersokelse-utvidet-frist-innvilget", 2),
        ("barnets-medvirkning", 6),
        ("plantype", 8),
        ("tiltak-kategori", 51),
        ("tiltak-opphevelse", 4),
        ("tiltak-oppfolging-hyppighet", 2),
        ("tiltak-tilsyn-hyppighet", 2),
        ("vedtak-status", 4),
        ("vedtak-krav-konklusjon", 3),
        ("ettervern-konklusjon", 3),
        ("flytting-arsak-fra", 18),
        ("flytting-til", 9),
        ("lov", 3),
        ("kjonn", 3),
        ("begrepstype", 10),
    ];

    #[test]
    fn every_shipped_list_parses_with_its_row_count() {
        let lists = parse_ssb_lists();
        assert_eq!(lists.len(), ROWS.len());
        for ((system, list), (stem, rows)) in lists.into_iter().zip(ROWS) {
            assert_eq!(system, format!("{PREFIX}{stem}"));
            let list = list.unwrap_or_else(|e| panic!("{system}: {e}"));
            assert_eq!(list.entries.len(), rows, "{system}");
            assert!(!list.title.is_empty(), "{system}");
        }
        // What users call goes through the same lists.
        for (stem, rows) in ROWS {
            let system = format!("{PREFIX}{stem}");
            let list = builtin(&system).unwrap_or_else(|| panic!("{system} is not built in"));
            assert_eq!(list.entries.len(), rows, "{system}");
        }
    }

    #[test]
    fn a_corrupt_list_is_an_error_not_an_empty_list() {
        // A row with a field too many, as a bad merge of the CSV would leave.
        let broken = "code,label_no\n1,one\n2,two,stray\n";
        let columns = CsvColumns {
            label_no: Some("label_no"),
            ..CsvColumns::default()
        };
        assert!(
            CodeList::from_csv("test.broken", "1", "broken", broken, &columns).is_err(),
            "a list that does not parse must not load"
        );
    }

    #[test]
    fn files_match_index() {
        let mut reader = csv::Reader::from_reader(INDEX_CSV.as_bytes());
        let files: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
        let stems: Vec<String> = SSB_FILES.iter().map(|(s, _)| format!("{s}.csv")).collect();
        assert_eq!(files, stems);
    }
}
