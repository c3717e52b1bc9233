//! Aggregate reports of a barnvern research dataset (a directory written by
//! `barnvern_arrow::DatasetWriter`): deadline compliance by jurisdiction, municipality, year
//! and kind, and, where the dataset holds the Family Partner trial, its CONSORT flow, dose,
//! retention, progression criteria, SDQ change and costs.
//!
//! [`build`] reads the dataset a batch at a time (memory bounded by the number of cases, not
//! the number of rows) and returns a [`Report`] in which every count is already suppressed
//! ([`suppress`]: counts 1-4 shown as `<5` by default, with secondary suppression so that no
//! total gives a small count back). The renderers only format it: [`to_markdown`],
//! [`to_html`] (one self-contained page from an askama template, with inline SVG charts and a
//! heat map, no script) and [`to_json`].
//!
//! ```
//! use barnvern_research::testing::TestPseudonymiser;
//! use barnvern_arrow::{DatasetOptions, DatasetWriter};
//! use barnvern_research::ResearchCase;
//! use barnvern_case::Case;
//! use barnvern_report::{ReportOptions, build, to_html, to_json, to_markdown};
//! use chrono::NaiveDate;
//!
//! let case = Case::from_json(include_str!("../../../examples/se-case.json")).unwrap();
//! let as_of = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
//! let research = ResearchCase::from_case(&case, &TestPseudonymiser::new(1), as_of);
//! let dir = tempfile::tempdir().unwrap();
//! let target = dir.path().join("extract");
//! let mut writer = DatasetWriter::create(&target, DatasetOptions::default()).unwrap();
//! writer.write(&[research]).unwrap();
//! writer.finish().unwrap();
//!
//! let report = build(&target, &ReportOptions::default()).unwrap();
//! let md = to_markdown(&report);
//! assert!(md.contains("Deadline compliance"));
//! // One case: every count of 1 to 4 is withheld.
//! assert!(md.contains("<5"));
//! assert!(to_html(&report).unwrap().starts_with("<!DOCTYPE html>"));
//! let json: serde_json::Value = serde_json::from_str(&to_json(&report).unwrap()).unwrap();
//! assert_eq!(json["dataset"]["cases"]["suppressed"], true);
//! ```

use std::path::Path;

use chrono::NaiveDate;

pub mod deadlines;
pub mod error;
mod families;
mod html;
mod markdown;
pub mod model;
mod scan;
pub mod suppress;
pub mod trial;

pub use barnvern_familypartner::metrics::ProgressionCriteria;
pub use error::Error;
pub use html::to_html;
pub use markdown::to_markdown;
pub use model::{Cell, Column, Report, Section, Table};
pub use suppress::{Count, DEFAULT_THRESHOLD, Figure, Fraction, Suppressor};

use crate::model::{DatasetSummary, SuppressionSummary};

/// How a report is built.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Counts from 1 to `min_cell - 1` are withheld (default 5: 1-4 shown as `<5`); 0 or 1
    /// withholds nothing.
    pub min_cell: u64,
    /// The date trial figures are computed for; default: the latest date the deadlines were
    /// computed for, else the day the dataset was written.
    pub as_of: Option<NaiveDate>,
    /// Progression criteria; default: the set shipped with this crate
    /// (`data/progression-criteria.json`, [`default_criteria`]).
    pub criteria: Option<ProgressionCriteria>,
    /// Where `criteria` come from, stated in the report (a file name); default: the shipped
    /// set's path.
    pub criteria_source: Option<String>,
    /// The wave (months) of the trial's primary outcome: a family is "analysed" in the CONSORT
    /// flow when it has data there (default 12, the wave of the SDQ change reported).
    pub primary_wave: u32,
    /// The title; default `barnvern report`.
    pub title: Option<String>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            min_cell: DEFAULT_THRESHOLD,
            as_of: None,
            criteria: None,
            criteria_source: None,
            primary_wave: 12,
            title: None,
        }
    }
}

/// A report folder (`report.md`, `report.html`, `report.json`), marked by `.barnvern-report`:
/// the next report with the same output replaces it, and nothing else is replaced (see
/// [`barnvern_arrow::io::output_dir`]).
pub const OUTPUT: barnvern_arrow::io::output_dir::OutputKind =
    barnvern_arrow::io::output_dir::OutputKind {
        what: "barnvern report folder",
        marker: ".barnvern-report",
        marker_text: Some(
            "Written by `barnvern report`; the next report with this --out replaces this folder.\n",
        ),
        is_marker: |bytes| bytes.starts_with(b"Written by `barnvern report`"),
        owns: |name| matches!(name, "report.md" | "report.html" | "report.json"),
    };

/// The shipped progression criteria: `data/progression-criteria.json` of this crate.
pub const DEFAULT_CRITERIA_JSON: &str = include_str!("../data/progression-criteria.json");

/// Where the shipped criteria are, as stated in reports.
pub const DEFAULT_CRITERIA_SOURCE: &str = "crates/barnvern-report/data/progression-criteria.json";

/// The shipped progression criteria, checked.
pub fn default_criteria() -> Result<ProgressionCriteria, Error> {
    ProgressionCriteria::from_json(DEFAULT_CRITERIA_JSON)
        .map_err(|e| Error::Criteria(e.to_string()))
}

/// The suppression rule in words.
fn rule(threshold: u64) -> String {
    if threshold <= 1 {
        return "No small-cell suppression was applied (minimum cell size 1): every count is \
                shown."
            .to_owned();
    }
    format!(
        "Small-cell suppression: counts from 1 to {} are shown as \"<{threshold}\"; 0 is shown. \
         So that no total gives a withheld count back, where a row, column or total would \
         leave exactly one count withheld, or would pin withheld counts to one value (two \
         \"<{threshold}\" adding up to 2 are both 1), the next smallest count is withheld \
         too, shown as \"x\". \
         Percentages and means computed from a withheld count are withheld (\"x\").",
        threshold - 1
    )
}

/// Builds the report of the dataset at `dataset`.
pub fn build(dataset: &Path, options: &ReportOptions) -> Result<Report, Error> {
    let manifest = scan::manifest(dataset)?;
    let threshold = options.min_cell;
    let compliance = deadlines::count(dataset, &manifest)?;
    let as_of = options
        .as_of
        .or(compliance.as_of.map(|(_, hi)| hi))
        .or(Some(manifest.created_at.date_naive()));

    let mut cases = Suppressor::new(threshold);
    let id = cases.anonymous(manifest.cases);
    let cases = cases.solve().count(id);

    let criteria = trial::Criteria {
        set: match &options.criteria {
            Some(c) => c.clone(),
            None => default_criteria()?,
        },
        source: options
            .criteria_source
            .clone()
            .unwrap_or_else(|| match options.criteria {
                Some(_) => "given by the caller".to_owned(),
                None => DEFAULT_CRITERIA_SOURCE.to_owned(),
            }),
    };
    let mut sections = vec![deadlines::section(&compliance, threshold)];
    let report_date = as_of.unwrap_or_else(|| manifest.created_at.date_naive());
    let trials = families::read(dataset, &manifest, report_date, options.primary_wave)?;
    if trials.is_empty() {
        sections.push(Section {
            id: "trial".to_owned(),
            title: "Family Partner trial".to_owned(),
            paragraphs: vec![
                "The dataset holds no Family Partner trial families, so there is no CONSORT \
                 flow, dose, retention, progression, SDQ or cost section."
                    .to_owned(),
            ],
            tables: Vec::new(),
            charts: Vec::new(),
        });
    }
    for t in &trials {
        sections.extend(trial::sections(t, report_date, &criteria, threshold));
    }
    Ok(Report {
        title: options
            .title
            .clone()
            .unwrap_or_else(|| "barnvern report".to_owned()),
        producer: barnvern_arrow::spec::PRODUCER.to_owned(),
        dataset: DatasetSummary {
            schema_version: manifest.schema_version.clone(),
            producer: manifest.producer.clone(),
            created_at: manifest.created_at,
            cases,
            demo_key: manifest.demo_key,
            as_of,
            code_lists: manifest.code_lists.clone(),
        },
        suppression: SuppressionSummary {
            threshold,
            rule: rule(threshold),
        },
        sections,
    })
}

/// The report as pretty-printed JSON: every count in its suppressed form (a number, or
/// `{"suppressed": true, ...}`).
pub fn to_json(report: &Report) -> Result<String, Error> {
    Ok(serde_json::to_string_pretty(report)?)
}
