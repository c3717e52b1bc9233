//! Validating case bundle files without extracting them: every line's findings, in input order,
//! with the same reader, checks and codes as the extract (so `validate` passing means `extract`
//! accepts), plus any extra rule set (for example SSB's controls).

use std::collections::BTreeMap;
use std::path::PathBuf;

use barnvern_arrow::io::dataset::InputDigest;
use barnvern_case::Case;
use barnvern_core::{Finding, Severity};

use crate::check::{check_line, codes, duplicate_case, empty_file};
use crate::engine::{self, Progress};
use crate::error::{Error, Result};
use crate::input::{InputLine, InputOptions};
use crate::seen::{CaseKey, CaseKeyer, ReadAt, SeenCases};

/// An extra rule set applied to every case that parses, e.g. SSB's controls.
pub type RuleSet = dyn Fn(&Case) -> Vec<Finding> + Sync;

/// The findings on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFindings {
    /// The input file, as named.
    pub file: String,
    /// The line number from 1; `None` for a finding about the whole file.
    pub line: Option<u64>,
    /// False when the line is rejected (an extract would quarantine it).
    pub accepted: bool,
    /// Every finding: errors for a rejected line; warnings and queries (and errors of extra
    /// rule sets) for an accepted one.
    pub findings: Vec<Finding>,
}

/// What a validation run found.
#[derive(Debug, Clone, Default)]
pub struct ValidateSummary {
    /// Lines read.
    pub read: u64,
    /// Lines an extract would accept.
    pub accepted: u64,
    /// Lines an extract would reject.
    pub rejected: u64,
    /// Findings by code, over all lines.
    pub by_code: BTreeMap<String, u64>,
    /// Findings of severity error from extra rule sets on accepted lines.
    pub rule_errors: u64,
    /// Input files with no lines.
    pub empty_files: Vec<String>,
    /// Each input's digest and line count.
    pub digests: Vec<InputDigest>,
}

impl ValidateSummary {
    /// True when every line is accepted, no file is empty and no extra rule found an error.
    pub fn is_clean(&self) -> bool {
        self.rejected == 0 && self.empty_files.is_empty() && self.rule_errors == 0
    }
}

/// Validates `inputs`, calling `report` for every line that has findings, in input order.
pub fn validate(
    inputs: &[PathBuf],
    input: InputOptions,
    threads: usize,
    rules: Option<&RuleSet>,
    progress: &(dyn Fn(Progress) + Sync),
    mut report: impl FnMut(&LineFindings) -> Result<()>,
) -> Result<ValidateSummary> {
    if inputs.is_empty() {
        return Err(Error::NoInputs);
    }
    let names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    let max_line = input.max_line_bytes;
    // The duplicate check's spill file goes in the system's temporary folder (`TMPDIR`):
    // validate writes nothing else (see `crate::seen`).
    let temp = std::env::temp_dir();
    let mut seen = SeenCases::create(&temp)?;
    let keyer = CaseKeyer::new();
    let check = |l: InputLine| -> (usize, u64, Option<CaseKey>, bool, Vec<Finding>) {
        match check_line(&l.content, max_line) {
            Ok(case) => {
                let mut findings = case.validate().findings;
                if let Some(rules) = rules {
                    findings.extend(rules(&case));
                }
                (l.file, l.line, Some(keyer.key(&case)), true, findings)
            }
            Err(errors) => (l.file, l.line, None, false, errors),
        }
    };
    let work = |lines: Vec<InputLine>| lines.into_iter().map(check).collect::<Vec<_>>();
    let mut summary = ValidateSummary::default();
    let mut on_line = |file: usize,
                       line: u64,
                       key: Option<CaseKey>,
                       mut accepted: bool,
                       mut findings: Vec<Finding>|
     -> Result<()> {
        if let Some(key) = key
            && let Some(first) = seen.first_read(&key, ReadAt { file, line })?
        {
            accepted = false;
            findings = vec![duplicate_case(first.line, &names[first.file])];
        }
        if accepted {
            summary.accepted += 1;
            summary.rule_errors += findings
                .iter()
                .filter(|i| i.severity == Severity::Error)
                .count() as u64;
        } else {
            summary.rejected += 1;
        }
        for i in &findings {
            *summary.by_code.entry(i.code.clone()).or_default() += 1;
        }
        if findings.is_empty() {
            return Ok(());
        }
        report(&LineFindings {
            file: names[file].clone(),
            line: Some(line),
            accepted,
            findings,
        })
    };
    let digests = engine::run(inputs, input, threads, progress, &work, |chunk| {
        for (file, line, key, accepted, findings) in chunk {
            on_line(file, line, key, accepted, findings)?;
        }
        Ok(())
    })?;
    for d in &digests {
        if d.lines == Some(0) {
            summary.empty_files.push(d.path.clone());
            *summary
                .by_code
                .entry(codes::EMPTY_FILE.to_owned())
                .or_default() += 1;
            report(&LineFindings {
                file: d.path.clone(),
                line: None,
                accepted: false,
                findings: vec![empty_file()],
            })?;
        }
    }
    summary.read = digests.iter().filter_map(|d| d.lines).sum();
    summary.digests = digests;
    Ok(summary)
}
