//! `barnvern import ssb-xml`, `barnvern export ssb-xml`, and SSB's controls for
//! `barnvern validate --rules ssb` ([`validate_ssb`]): Norway's national child-welfare
//! reporting format (SSB barnevern XML), through `barnvern-ssb`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use barnvern_case::Case;
use barnvern_core::{Issue, Severity};
use barnvern_ssb::{Extracts, check, check_sak, write_file};
use clap::{Args, Subcommand};

use crate::{EXIT_INVALID, EXIT_IO};

/// Formats `barnvern import` reads.
#[derive(Debug, Subcommand)]
pub enum ImportFormat {
    /// SSB's child-welfare XML (schema v1, v3 or v4; full and change extracts). Files are read
    /// in the order given, so a change extract applies to the extract its ForrigeId names.
    /// Every finding goes to stderr with file, line and element; exit 1 when any is an error
    /// or a case could not be imported.
    SsbXml(ImportArgs),
}

/// Formats `barnvern export` writes.
#[derive(Debug, Subcommand)]
pub enum ExportFormat {
    /// SSB's child-welfare XML v4 (Barnevern_v4.xsd), one file per case (`<Sak Id>.xml`).
    SsbXml(ExportArgs),
}

/// Arguments of `barnvern import ssb-xml`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// SSB XML files, earliest extract first.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Where to write the case bundles (JSON Lines, one case per line).
    #[arg(long, value_name = "BUNDLES.jsonl")]
    out: PathBuf,
}

/// Arguments of `barnvern export ssb-xml`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Case bundles (JSON Lines).
    bundles: PathBuf,
    /// The directory to write the XML files to (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Runs `barnvern import <format>`.
pub fn run_import(format: &ImportFormat) -> ExitCode {
    let ImportFormat::SsbXml(args) = format;
    match import(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("barnvern: {e}");
            ExitCode::from(EXIT_IO)
        }
    }
}

/// Runs `barnvern export <format>`.
pub fn run_export(format: &ExportFormat) -> ExitCode {
    let ExportFormat::SsbXml(args) = format;
    match export(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("barnvern: {e}");
            ExitCode::from(EXIT_IO)
        }
    }
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("{}: {e}", path.display()))
}

fn import(args: &ImportArgs) -> io::Result<u8> {
    let mut series = Extracts::new();
    let mut errors = false;
    // The latest state of each case, in the order first seen: a later change extract
    // replaces the case's line rather than adding one.
    let mut cases: BTreeMap<usize, String> = BTreeMap::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for path in &args.files {
        let read = series
            .read_path(path)
            .map_err(|e| io_err(path, e.to_issue().message))?;
        for item in read {
            let rc = match item {
                Ok(rc) => rc,
                Err(issue) => {
                    errors = true;
                    eprintln!("{issue}");
                    continue;
                }
            };
            for f in &rc.findings {
                errors |= f.severity == Severity::Error;
                eprintln!("{f}");
            }
            let seen = rc.findings.len();
            let sak = rc.sak.id().unwrap_or_default().to_owned();
            match rc.into_case() {
                Ok(case) => {
                    let json = case.to_json().map_err(|e| io_err(path, e))?;
                    let n = index.len();
                    let slot = *index.entry(sak).or_insert(n);
                    cases.insert(slot, json);
                }
                Err(findings) => {
                    errors = true;
                    for f in findings.iter().skip(seen) {
                        eprintln!("{f}");
                    }
                }
            }
        }
    }
    let file = File::create(&args.out).map_err(|e| io_err(&args.out, e))?;
    let mut w = BufWriter::new(file);
    for line in cases.values() {
        writeln!(w, "{line}").map_err(|e| io_err(&args.out, e))?;
    }
    w.flush().map_err(|e| io_err(&args.out, e))?;
    eprintln!("{} case(s) written to {}", cases.len(), args.out.display());
    Ok(if errors { EXIT_INVALID } else { 0 })
}

fn export(args: &ExportArgs) -> io::Result<u8> {
    let file = File::open(&args.bundles).map_err(|e| io_err(&args.bundles, e))?;
    std::fs::create_dir_all(&args.out).map_err(|e| io_err(&args.out, e))?;
    let mut errors = false;
    let mut written = 0usize;
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| io_err(&args.bundles, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{}:{}", args.bundles.display(), n + 1);
        let case = match Case::from_json(&line) {
            Ok(c) => c,
            Err(e) => {
                errors = true;
                for i in bundle_issues(&at, e) {
                    eprintln!("{i}");
                }
                continue;
            }
        };
        let name = barnvern_ssb::ids::ssb_id(case.case_id.as_str(), "Sak", case.case_id.as_str());
        let path = args.out.join(format!("{name}.xml"));
        let out = write_file(&case, &path).map_err(|e| io_err(&path, e))?;
        for f in out.findings {
            eprintln!("{at}: {f}");
        }
        written += 1;
    }
    eprintln!("{written} file(s) written to {}", args.out.display());
    Ok(if errors { EXIT_INVALID } else { 0 })
}

fn bundle_issues(at: &str, e: barnvern_case::Error) -> Vec<Issue> {
    match e {
        barnvern_case::Error::Validation(v) => v
            .report
            .issues
            .into_iter()
            .map(|i| Issue {
                path: format!("{at}: {}", i.path),
                ..i
            })
            .collect(),
        other => vec![Issue::error(at, "case.invalid", other.to_string())],
    }
}

fn is_xml(path: &Path) -> io::Result<bool> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
    {
        return Ok(true);
    }
    let mut r = BufReader::new(File::open(path).map_err(|e| io_err(path, e))?);
    let buf = r.fill_buf().map_err(|e| io_err(path, e))?;
    let start = buf
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    Ok(start.is_some_and(|i| buf[i] == b'<'))
}

/// SSB's controls on XML files or case bundle files (JSON Lines), for
/// `barnvern validate --rules ssb`: every finding (reading findings, SSB's controls with SSB's
/// id as the code, and why a case could not be read), one per line; with `json` one JSON object
/// per line with `code`, `severity`, `path` and `message`. XML files are read in the order
/// given, so change extracts apply to the extracts they name. Returns the exit code: 1 when any
/// finding is an error, else 0. An unreadable file is an `Err` (exit 3).
pub fn validate_ssb(files: &[PathBuf], json: bool, out: &mut dyn Write) -> io::Result<u8> {
    let mut series = Extracts::new();
    let mut any_error = false;
    let mut emit = |issue: &Issue, out: &mut dyn Write| -> io::Result<()> {
        any_error |= issue.severity == Severity::Error;
        if json {
            let line = serde_json::json!({
                "code": issue.code,
                "severity": issue.severity,
                "path": issue.path,
                "message": issue.message,
            });
            writeln!(out, "{line}")
        } else {
            writeln!(out, "{issue}")
        }
    };
    for path in files {
        if is_xml(path)? {
            let read = series
                .read_path(path)
                .map_err(|e| io_err(path, e.to_issue().message))?;
            for item in read {
                match item {
                    Err(issue) => emit(&issue, out)?,
                    Ok(rc) => {
                        let file = rc.file.clone();
                        let controls = check_sak(&rc.sak, &rc.extract, &file, None);
                        let reading = match rc.into_case() {
                            Ok(_) => Vec::new(),
                            Err(findings) => findings,
                        };
                        for i in reading.iter().chain(controls.iter()) {
                            emit(i, out)?;
                        }
                    }
                }
            }
        } else {
            let file = File::open(path).map_err(|e| io_err(path, e))?;
            for (n, line) in BufReader::new(file).lines().enumerate() {
                let line = line.map_err(|e| io_err(path, e))?;
                if line.trim().is_empty() {
                    continue;
                }
                let at = format!("{}:{}", path.display(), n + 1);
                match Case::from_json(&line) {
                    Ok(case) => {
                        for i in check(&case, None) {
                            let i = Issue {
                                path: format!("{at}: {}", i.path),
                                ..i
                            };
                            emit(&i, out)?;
                        }
                    }
                    Err(e) => {
                        for i in bundle_issues(&at, e) {
                            emit(&i, out)?;
                        }
                    }
                }
            }
        }
    }
    Ok(if any_error { EXIT_INVALID } else { 0 })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn sample(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../barnvern-ssb/tests/data")
            .join(name)
    }

    #[test]
    fn validate_ssb_prints_one_json_object_per_finding_and_exits_1_on_errors() {
        let mut out = Vec::new();
        let code =
            validate_ssb(&[sample("sluttdato_etter_startdato.xml")], true, &mut out).unwrap();
        assert_eq!(code, EXIT_INVALID);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let hit = lines
            .iter()
            .find(|v| v["code"] == "Melding Kontroll 2a")
            .expect("SSB's control");
        assert_eq!(hit["severity"], "error");
        assert!(hit["path"].as_str().unwrap().contains("Melding[@Id="));
        for v in &lines {
            let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
            assert_eq!(keys, ["code", "message", "path", "severity"]);
            assert!(!v["message"].as_str().unwrap().contains("02011088123"));
        }
    }

    #[test]
    fn validate_ssb_takes_bundles_too() {
        let dir = tempfile::tempdir().unwrap();
        let bundles = dir.path().join("b.jsonl");
        let json = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/no-case.json"),
        )
        .unwrap();
        let case = Case::from_json(&json).unwrap();
        std::fs::write(&bundles, format!("{}\nnot json\n", case.to_json().unwrap())).unwrap();
        let mut out = Vec::new();
        let code = validate_ssb(&[bundles], false, &mut out).unwrap();
        assert_eq!(code, EXIT_INVALID, "the broken line is an error");
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("b.jsonl:2"), "{text}");
        let missing = validate_ssb(&[dir.path().join("none.xml")], false, &mut Vec::new());
        assert!(missing.is_err());
    }
}
