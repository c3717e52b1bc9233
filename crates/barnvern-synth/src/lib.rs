//! Seeded synthetic cohorts of child-protection case bundles (Sweden and Norway) that look like
//! municipal data and pass barnvern's validation, written as JSON Lines, one bundle per line.
//!
//! ```
//! use barnvern_synth::{SynthOptions, write_jsonl};
//!
//! let opts = SynthOptions { children: 200, seed: 7, ..SynthOptions::default() };
//! let mut out = Vec::new();
//! let summary = write_jsonl(&opts, &mut out, &|_done| {}).unwrap();
//! assert_eq!(summary.lines, 200);
//! // Every line is a valid case bundle.
//! for line in String::from_utf8(out).unwrap().lines() {
//!     barnvern_case::Case::from_json(line).unwrap();
//! }
//! // The same seed and options give the same bytes.
//! let mut again = Vec::new();
//! write_jsonl(&opts, &mut again, &|_| {}).unwrap();
//! ```
//!
//! What a cohort holds:
//! - children 0-17 in every Swedish and Norwegian municipality in force on the day their case
//!   opens, weighted roughly by population (about half in each country by default);
//! - Swedish identity numbers only from Skatteverket's test list, Norwegian ones synthetic
//!   (month + 80), so no number can belong to a living person (`data/PROVENANCE.md`);
//! - reports of concern with realistic reporter mixes (police, school, health, ...), SSB reason
//!   codes in force on the day (the legacy list to 2025, Kunnskapsmodellen from 2026) and
//!   violence exposures; Swedish protection assessments; screenings, investigations (some
//!   extended, some late), decisions under the law in force (SoL 2001:453 or 2025:400, LVU;
//!   barnevernloven 1992 or 2021), interventions with evaluations, plans, coordination meetings,
//!   follow-ups and closures, so every deadline status occurs;
//! - a Family Partner trial among eligible Norwegian families at the trial's sites (see
//!   [`SynthOptions::trial_sites`]): screening, consent, rolling 1:1 randomisation stratified
//!   by site and child age band ([`randomisation_design`]), enrolment under the caseload cap,
//!   contacts with travel, waves with attrition, and SDQ and AIM/IAM/FIM
//!   responses with missing items.
//!
//! With [`SynthOptions::faults`] a fraction of the lines is faulty, of the kinds in
//! [`FaultKind`] (documented in [`faults`]); [`SynthSummary`] counts each kind written.

use std::io::Write;

use barnvern_case::CaseData;
use chrono::NaiveDate;
use serde::Serialize;

mod case;
pub mod faults;
mod people;
mod places;
mod questionnaires;
mod rng;
mod trial;

pub use faults::FaultKind;
pub use trial::randomisation_design;

/// Errors of the generator.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The options are out of range (the message says which and why).
    #[error("invalid options: {0}")]
    Options(String),
    /// The embedded data, or a generated value, was refused: a defect of this crate.
    #[error("synthetic data defect: {0}")]
    Data(String),
    /// Writing the output failed.
    #[error("cannot write the output: {0}")]
    Io(#[from] std::io::Error),
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOptions {
    /// Number of children (one case bundle, one line, each).
    pub children: u64,
    /// The seed: the same seed and options give the same bytes.
    pub seed: u64,
    /// Fraction of lines that are faulty, 0 to 1 (see [`FaultKind`]).
    pub faults: f64,
    /// The date the data are "extracted": nothing is dated after it, and work still open on it
    /// is pending or overdue. Fixed by default so output is reproducible.
    pub as_of: NaiveDate,
    /// The first day a case may open.
    pub from: NaiveDate,
    /// Fraction of children in Sweden (the rest in Norway), 0 to 1.
    pub se_share: f64,
    /// The Family Partner trial's identifier.
    pub trial_id: String,
    /// Norwegian municipalities (by name) that take part in the Family Partner trial.
    pub trial_sites: Vec<String>,
    /// The first day families are approached for the trial.
    pub trial_from: NaiveDate,
    /// The most families the trial approaches (the first that qualify, in cohort order);
    /// `None`: every family that qualifies.
    pub trial_families: Option<u64>,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            children: 10_000,
            seed: 1,
            faults: 0.0,
            as_of: case::ymd(2026, 6, 30),
            from: case::ymd(2019, 1, 1),
            se_share: 0.5,
            trial_id: "fampart-synth".to_owned(),
            trial_sites: [
                "Oslo",
                "Bergen",
                "Trondheim",
                "Stavanger",
                "Kristiansand",
                "Drammen",
            ]
            .map(str::to_owned)
            .to_vec(),
            trial_from: case::ymd(2022, 9, 1),
            trial_families: None,
        }
    }
}

impl SynthOptions {
    /// The same options with the trial at the first `sites` of its sites (1 to the number of
    /// default sites: Oslo, Bergen, Trondheim, Stavanger, Kristiansand, Drammen).
    pub fn with_trial_site_count(mut self, sites: usize) -> Result<SynthOptions, Error> {
        if sites == 0 || sites > self.trial_sites.len() {
            return Err(Error::Options(format!(
                "the synthetic trial has 1 to {} sites ({}), not {sites}",
                self.trial_sites.len(),
                self.trial_sites.join(", ")
            )));
        }
        self.trial_sites.truncate(sites);
        Ok(self)
    }

    /// Checks the ranges.
    pub fn check(&self) -> Result<(), Error> {
        if !(0.0..=1.0).contains(&self.faults) {
            return Err(Error::Options(format!(
                "faults is a fraction from 0 to 1, not {}",
                self.faults
            )));
        }
        if !(0.0..=1.0).contains(&self.se_share) {
            return Err(Error::Options(format!(
                "se_share is a fraction from 0 to 1, not {}",
                self.se_share
            )));
        }
        if self.from >= self.as_of {
            return Err(Error::Options(format!(
                "the first opening date {} must be before the as-of date {}",
                self.from, self.as_of
            )));
        }
        if self.from < case::ymd(2018, 1, 1) || self.as_of > case::ymd(2039, 12, 31) {
            return Err(Error::Options(
                "dates must fall from 2018 (where the municipality lists begin) to 2039".into(),
            ));
        }
        Ok(())
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SynthSummary {
    /// Lines written (one per child).
    pub lines: u64,
    /// Lines that are valid case bundles (a `duplicate_case_id` line is counted as faulty,
    /// although the bundle on its own is valid).
    pub valid: u64,
    /// Faulty lines, by kind (in the order of [`FaultKind::ALL`], as `{kind: count}`).
    pub faulty: std::collections::BTreeMap<FaultKind, u64>,
    /// Bytes written.
    pub bytes: u64,
    /// Swedish cases among the valid lines.
    pub se_cases: u64,
    /// Norwegian cases among the valid lines.
    pub no_cases: u64,
    /// Families in the Family Partner trial (approached), among all lines.
    pub trial_families: u64,
    /// Families randomised, among all lines.
    pub randomised: u64,
}

impl SynthSummary {
    /// All faulty lines.
    pub fn faulty_total(&self) -> u64 {
        self.faulty.values().sum()
    }
}

/// The cohort as an iterator of valid case bundles, in line order (the bundles
/// [`write_jsonl`] writes, before any line is made faulty). Generation is sequential: the
/// trial's randomisation and caseloads run across the cohort.
pub struct Cohort {
    opts: SynthOptions,
    trial: trial::TrialState,
    next: u64,
}

impl Cohort {
    /// A new cohort; checks the options and the embedded data.
    pub fn new(opts: &SynthOptions) -> Result<Cohort, Error> {
        opts.check()?;
        people::check_data()?;
        if !places::check_data() {
            return Err(Error::Data("the municipality lists are empty".into()));
        }
        Ok(Cohort {
            opts: opts.clone(),
            trial: trial::TrialState::new(opts)?,
            next: 0,
        })
    }

    /// The bundle of child `index`, which must be the next one.
    fn build(&mut self, index: u64) -> Result<CaseData, Error> {
        let (mut data, candidate, mut b) = case::build_case(&self.opts, index)?;
        if let Some(c) = candidate {
            trial::participate(&mut self.trial, &self.opts, &mut b, &mut data, &c, index)?;
        }
        case::finish(&mut b, &mut data)?;
        Ok(data)
    }
}

impl Iterator for Cohort {
    type Item = Result<CaseData, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.opts.children {
            return None;
        }
        let index = self.next;
        self.next += 1;
        Some(self.build(index))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.opts.children - self.next).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

fn jurisdiction_slot(j: barnvern_core::Jurisdiction) -> usize {
    match j {
        barnvern_core::Jurisdiction::Se => 0,
        barnvern_core::Jurisdiction::No => 1,
    }
}

/// Writes the cohort to `out` as JSON Lines, one bundle per line, streaming (one bundle in
/// memory at a time), calling `progress` with the number of lines written every 1,024 lines
/// and at the end. The same seed and options give the same bytes.
pub fn write_jsonl(
    opts: &SynthOptions,
    out: impl Write,
    progress: &dyn Fn(u64),
) -> Result<SynthSummary, Error> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
    let cohort = Cohort::new(opts)?;
    let mut summary = SynthSummary::default();
    let mut line = Vec::with_capacity(16 * 1024);
    // The last valid case id of each jurisdiction: a duplicate repeats one of the same
    // jurisdiction (the same id in the other country is another case).
    let mut earlier_ids: [Option<String>; 2] = [None, None];
    for (index, case) in (0u64..).zip(cohort) {
        let case = case?;
        line.clear();
        serde_json::to_writer(&mut line, &case).map_err(|e| Error::Data(e.to_string()))?;
        if let Some(fp) = &case.family_partner {
            summary.trial_families += 1;
            if fp.family.allocation.is_some() {
                summary.randomised += 1;
            }
        }
        let mut draw = rng::Draw::new(opts.seed, 3, index);
        if opts.faults > 0.0 && draw.chance(opts.faults) {
            let kind = *draw.pick(&FaultKind::ALL);
            let earlier = earlier_ids[jurisdiction_slot(case.jurisdiction)].as_deref();
            let kind = faults::corrupt(kind, &case, &mut line, &mut draw, earlier)?;
            *summary.faulty.entry(kind).or_default() += 1;
        } else {
            summary.valid += 1;
            match case.jurisdiction {
                barnvern_core::Jurisdiction::Se => summary.se_cases += 1,
                barnvern_core::Jurisdiction::No => summary.no_cases += 1,
            }
            earlier_ids[jurisdiction_slot(case.jurisdiction)] =
                Some(case.case_id.as_str().to_owned());
        }
        line.push(b'\n');
        out.write_all(&line)?;
        summary.bytes += u64::try_from(line.len()).unwrap_or(0);
        summary.lines += 1;
        if summary.lines % 1024 == 0 {
            progress(summary.lines);
        }
    }
    out.flush()?;
    progress(summary.lines);
    Ok(summary)
}
