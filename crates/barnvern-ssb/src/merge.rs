//! Reading whole files, and change extracts: a file whose `ForrigeId` names an extract read
//! before changes the cases of that extract (records replaced by id, new ones added, `Slettet`
//! tombstones and `ErSlettet` remove them).

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::Path;

use barnvern_case::{Case, CaseData};
use barnvern_core::{Finding, Severity};

use crate::error::{Error, located};
use crate::import::{ExtractInfo, import, map_sak, normalise};
use crate::read::{SakRecord, SsbReader};
use crate::tree::Element;

/// One `Sak` read: its bundle (when one could be made), the `Sak` in v4 form, and every
/// finding about it.
#[derive(Debug, Clone)]
pub struct ReadCase {
    /// The file it was read from.
    pub file: String,
    /// The bundle's data; `None` when the `Sak` could not be mapped (the findings say why).
    pub data: Option<CaseData>,
    /// The `Sak` as read, in v4 form (identity numbers included), for SSB's controls.
    pub sak: Element,
    /// The extract it came from.
    pub extract: ExtractInfo,
    /// Findings made while reading and mapping it.
    pub findings: Vec<Finding>,
}

impl ReadCase {
    fn from_record(record: &SakRecord) -> ReadCase {
        let mut sak = record.sak.clone();
        let mut scratch = Vec::new();
        normalise(&mut sak, &record.header.file, &mut scratch);
        let extract = ExtractInfo {
            id: record.header.id.clone(),
            dato_uttrekk: crate::export::normalised_datetime(&record.header.dato_uttrekk),
            forrige_id: record.header.forrige_id.clone(),
            fagsystem: record.header.fagsystem.clone(),
            avgiver: record.header.avgiver.clone(),
        };
        let (data, findings) = match import(record) {
            Ok(imported) => (Some(imported.data), imported.findings),
            Err(findings) => (None, findings),
        };
        ReadCase {
            file: record.header.file.clone(),
            data,
            sak,
            extract,
            findings,
        }
    }

    /// The validated case. The error holds the reading findings and the case's own
    /// validation errors (e.g. a conclusion dated before the report).
    pub fn into_case(self) -> Result<Case, Vec<Finding>> {
        let Some(data) = self.data else {
            return Err(self.findings);
        };
        let locator = format!(
            "{}:/Barnevern/Sak[@Id='{}']",
            self.file,
            barnvern_core::identifier::mask_identity_numbers(data.case_id.as_str())
        );
        Case::from_data(data).map_err(|e| {
            let mut out = self.findings;
            out.extend(e.findings.into_iter().map(|i| {
                let path = if i.path.is_empty() {
                    locator.clone()
                } else {
                    format!("{locator} (bundle {})", i.path)
                };
                Finding { path, ..i }
            }));
            out
        })
    }

    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Reads every `Sak` of an SSB file held in memory (tests, small inputs). A fatal problem is
/// one `Err` with its location.
pub fn read_str(xml: &str, file: &str) -> Vec<Result<ReadCase, Finding>> {
    SsbReader::new(xml.as_bytes(), file)
        .map(|r| r.map(|rec| ReadCase::from_record(&rec)))
        .collect()
}

/// Reads an SSB file one `Sak` at a time (bounded memory): an iterator of results, each a
/// `Sak` or a fatal problem with its location.
pub fn read_file(path: &Path) -> Result<impl Iterator<Item = Result<ReadCase, Finding>>, Error> {
    Ok(SsbReader::open(path)?.map(|r| r.map(|rec| ReadCase::from_record(&rec))))
}

/// A series of extracts read in order: full extracts, and change extracts applied to the
/// extract their `ForrigeId` names. Holds the latest state of every case read, so change
/// extracts can be applied (memory grows with the number of cases, not with file size).
#[derive(Debug, Default)]
pub struct Extracts {
    known: HashSet<String>,
    cases: HashMap<String, (Element, ExtractInfo)>,
}

impl Extracts {
    /// An empty series.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads one file of the series; every `Sak` is merged into the state its `ForrigeId`
    /// names, or read as complete when it names no extract read before (with a finding).
    pub fn read<R: BufRead>(&mut self, reader: SsbReader<R>) -> Vec<Result<ReadCase, Finding>> {
        let mut out = Vec::new();
        let mut extract_id = None;
        let mut warned = false;
        for item in reader {
            let record = match item {
                Ok(r) => r,
                Err(e) => {
                    out.push(Err(e));
                    continue;
                }
            };
            extract_id = Some(record.header.id.clone());
            let mut rc = ReadCase::from_record(&record);
            if let Some(prev) = &record.header.forrige_id {
                if !self.known.contains(prev) {
                    if !warned {
                        rc.findings.push(Finding::warning(
                            located(&record.header.file, 0, "/Barnevern/@ForrigeId"),
                            "ssb.unknown_forrige_id",
                            "ForrigeId names an extract that was not read before: the file is \
                             read as complete (give the earlier extracts first to apply it as \
                             changes)",
                        ));
                        warned = true;
                    }
                } else if let Some((old, _)) = rc.sak.id().and_then(|id| self.cases.get(id)) {
                    let merged = merge(old, &rc.sak);
                    let mut findings = std::mem::take(&mut rc.findings);
                    let mapped = map_sak(merged.clone(), rc.extract.clone(), &rc.file, Vec::new());
                    let (data, more) = match mapped {
                        Ok(i) => (Some(i.data), i.findings),
                        Err(f) => (None, f),
                    };
                    // Keep reading findings; the mapping findings are those of the merged case.
                    findings.retain(|f| f.code.starts_with("ssb.unknown_element"));
                    findings.extend(more);
                    rc = ReadCase {
                        data,
                        sak: merged,
                        findings,
                        ..rc
                    };
                }
            }
            if let Some(id) = rc.sak.id() {
                self.cases
                    .insert(id.to_owned(), (rc.sak.clone(), rc.extract.clone()));
            }
            out.push(Ok(rc));
        }
        if let Some(id) = extract_id {
            self.known.insert(id);
        }
        out
    }

    /// Reads the file at `path` (see [`Extracts::read`]).
    pub fn read_path(&mut self, path: &Path) -> Result<Vec<Result<ReadCase, Finding>>, Error> {
        Ok(self.read(SsbReader::open(path)?))
    }
}

const RECORDS: &[&str] = &[
    "Personalia",
    "Melding",
    "Undersokelse",
    "Plan",
    "Tiltak",
    "Vedtak",
    "Ettervern",
    "OversendelseFylkesnemnd",
    "Flytting",
    "Relasjon",
];

/// Applies a change `Sak` to the earlier state: the `Sak`'s attributes are the new ones,
/// records with the same element name and id are replaced, new ones added, and records a
/// `Slettet` names or marked `ErSlettet="true"` removed (the tombstones are kept).
pub fn merge(old: &Element, change: &Element) -> Element {
    let mut out = Element {
        name: "Sak".to_owned(),
        attrs: change.attrs.clone(),
        children: old.children.clone(),
        text: None,
        line: change.line,
    };
    // The change's Personalia derived from Sak attributes replaces the old derived one.
    for c in &change.children {
        let slot = out
            .children
            .iter()
            .position(|o| o.name == c.name && o.id().is_some() && o.id() == c.id());
        match slot {
            Some(i) => out.children[i] = c.clone(),
            None => out.children.push(c.clone()),
        }
    }
    let tombstones: Vec<(String, String)> = out
        .all("Slettet")
        .filter_map(|s| Some((s.attr("Type")?.to_owned(), s.attr("Id")?.to_owned())))
        .collect();
    out.children.retain(|c| {
        !(RECORDS.contains(&c.name.as_str())
            && (c.attr("ErSlettet") == Some("true")
                || tombstones
                    .iter()
                    .any(|(t, id)| *t == c.name && Some(id.as_str()) == c.id())))
    });
    // Keep the schema's order of records.
    out.children
        .sort_by_key(|c| crate::export::order(&out.name, &c.name));
    out
}
