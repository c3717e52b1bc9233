//! `barnvern import ssb-xml`, `barnvern export ssb-xml`, and SSB's controls for
//! `barnvern validate --rules ssb` ([`validate_ssb`]): Norway's national child-welfare
//! reporting format (SSB barnevern XML), through `barnvern-ssb`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use barnvern_arrow::io::output_dir::{AtomicFile, OutputKind, StagedDir};
use barnvern_case::Case;
use barnvern_core::{Finding, Jurisdiction, Severity};
use barnvern_extract::check::{check_line, empty_file};
use barnvern_extract::input::{InputOptions, LineReader};
use barnvern_ssb::{Extracts, check, check_sak, write_case};
use clap::{Args, Subcommand};

use crate::extract::{FindingFormat, FindingSummary};
use crate::{EXIT_INVALID, EXIT_IO, EXIT_USAGE};

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
    /// Case bundles (JSON Lines; a `*.json` file is one bundle).
    bundles: PathBuf,
    /// The directory to write the XML files to. It appears whole when the export ends, or
    /// not at all; an existing one is replaced only when it is an earlier `barnvern export
    /// ssb-xml` (it holds `.ssb-export.json` and XML files only).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Exit 0 even when lines were rejected (they are still reported, and not written).
    #[arg(long)]
    allow_rejects: bool,
    /// The longest line accepted, in bytes.
    #[arg(long, default_value_t = 8 << 20, value_name = "BYTES")]
    max_line_bytes: usize,
}

/// The file that marks a folder as written by `barnvern export ssb-xml`. Hidden, so that
/// `barnvern validate --rules ssb DIR/*` and other globs see the XML files only.
pub const EXPORT_MARKER: &str = ".ssb-export.json";
/// The `format` of [`EXPORT_MARKER`].
const EXPORT_FORMAT: &str = "barnvern ssb-xml export";

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
            .map_err(|e| io_err(path, e.to_finding().message))?;
        for item in read {
            let rc = match item {
                Ok(rc) => rc,
                Err(finding) => {
                    errors = true;
                    eprintln!("{finding}");
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
    // Written beside and committed once whole: a failed import leaves what was at --out.
    let file = AtomicFile::create(&args.out).map_err(|e| io_err(&args.out, e))?;
    let mut w = BufWriter::new(file);
    for line in cases.values() {
        writeln!(w, "{line}").map_err(|e| io_err(&args.out, e))?;
    }
    let file = w
        .into_inner()
        .map_err(|e| io_err(&args.out, e.into_error()))?;
    file.commit().map_err(|e| io_err(&args.out, e))?;
    eprintln!("{} case(s) written to {}", cases.len(), args.out.display());
    Ok(if errors { EXIT_INVALID } else { 0 })
}

/// An SSB export folder: the marker `.ssb-export.json` (its `format` says so) and `*.xml`
/// files; `barnvern_arrow::io::output_dir` replaces only such a folder.
const SSB_EXPORT: OutputKind = OutputKind {
    what: "barnvern SSB export",
    marker: EXPORT_MARKER,
    marker_text: None,
    is_marker: |bytes| {
        serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()
            .is_some_and(|m| m["format"].as_str() == Some(EXPORT_FORMAT))
    },
    owns: |name| name.ends_with(".xml"),
};

fn export(args: &ExportArgs) -> io::Result<u8> {
    // An earlier export of ours is replaced; anything else at --out is refused (exit 2).
    let staged = match StagedDir::create(&args.out, &SSB_EXPORT, true) {
        Ok(staged) => staged,
        Err(
            e @ (barnvern_arrow::Error::NotReplaceable { .. }
            | barnvern_arrow::Error::Exists { .. }),
        ) => {
            eprintln!("barnvern: {e}");
            return Ok(EXIT_USAGE);
        }
        Err(e) => return Err(io::Error::other(e.to_string())),
    };
    let options = InputOptions {
        max_line_bytes: args.max_line_bytes,
    };
    let mut reader =
        LineReader::open(&args.bundles, 0, options).map_err(|e| io_err(&args.bundles, e))?;
    let (mut read, mut rejected, mut written) = (0u64, 0u64, 0u64);
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    let mut reject = |at: &str, findings: Vec<Finding>| {
        rejected += 1;
        for i in findings {
            eprintln!("{}", at_path(at, i));
        }
    };
    while let Some(line) = reader.next_line().map_err(|e| io_err(&args.bundles, e))? {
        read += 1;
        let at = format!("{}:{}", args.bundles.display(), line.line);
        let case = match check_line(&line.content, args.max_line_bytes) {
            Ok(c) => c,
            Err(findings) => {
                reject(&at, findings);
                continue;
            }
        };
        if case.jurisdiction != Jurisdiction::No {
            reject(
                &at,
                vec![Finding::error(
                    "jurisdiction",
                    "ssb.export.not_norwegian",
                    format!(
                        "SSB's format is for Norwegian municipalities only; a case of {} is not \
                         written",
                        case.jurisdiction
                    ),
                )],
            );
            continue;
        }
        let name = barnvern_ssb::ids::ssb_id(case.case_id.as_str(), "Sak", case.case_id.as_str());
        if let Some(first) = seen.get(&name) {
            reject(
                &at,
                vec![Finding::error(
                    "case_id",
                    "ssb.export.duplicate_case",
                    format!("the same case as line {first}; only the first is written"),
                )],
            );
            continue;
        }
        seen.insert(name.clone(), line.line);
        let path = staged.path().join(format!("{name}.xml"));
        let out = write_case(&case).map_err(|e| io_err(&args.out, e))?;
        std::fs::write(&path, out.xml.as_bytes()).map_err(|e| io_err(&args.out, e))?;
        for f in out.findings {
            eprintln!("{at}: {f}");
        }
        written += 1;
    }
    if read == 0 {
        reject(&args.bundles.display().to_string(), vec![empty_file()]);
    }
    let marker = serde_json::json!({
        "format": EXPORT_FORMAT,
        "producer": format!("barnvern {}", env!("CARGO_PKG_VERSION")),
        "input": {
            "file": args.bundles.display().to_string(),
            "sha256": reader.digest(),
            "lines": reader.lines_read(),
        },
        "read": read,
        "written": written,
        "rejected": rejected,
    });
    let marker_path = staged.path().join(EXPORT_MARKER);
    std::fs::write(&marker_path, format!("{marker:#}\n")).map_err(|e| io_err(&args.out, e))?;
    staged
        .publish()
        .map_err(|e| io::Error::other(e.to_string()))?;
    eprintln!(
        "barnvern: read {read} bundle(s): {written} file(s) written to {}, {rejected} rejected",
        args.out.display()
    );
    if rejected > 0 && !args.allow_rejects {
        eprintln!("barnvern: {rejected} line(s) rejected; exit 1 (give --allow-rejects to exit 0)");
        return Ok(EXIT_INVALID);
    }
    Ok(0)
}

fn at_path(at: &str, i: Finding) -> Finding {
    Finding {
        path: if i.path.is_empty() {
            at.to_owned()
        } else {
            format!("{at}: {}", i.path)
        },
        ..i
    }
}

fn bundle_findings(at: &str, e: barnvern_case::Error) -> Vec<Finding> {
    match e {
        barnvern_case::Error::Validation(v) => v
            .findings
            .into_iter()
            .map(|i| Finding {
                path: format!("{at}: {}", i.path),
                ..i
            })
            .collect(),
        other => vec![Finding::error(at, "case.invalid", other.to_string())],
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
pub fn validate_ssb(
    files: &[PathBuf],
    format: FindingFormat,
    out: &mut dyn Write,
) -> io::Result<u8> {
    let mut series = Extracts::new();
    let mut any_error = false;
    let mut counted = FindingSummary::default();
    let mut emit = |finding: &Finding, out: &mut dyn Write| -> io::Result<()> {
        any_error |= finding.severity == Severity::Error;
        if format == FindingFormat::Summary {
            counted.add(finding.severity, &finding.code, || finding.path.clone());
            Ok(())
        } else if format == FindingFormat::Json {
            let line = serde_json::json!({
                "code": finding.code,
                "severity": finding.severity,
                "path": finding.path,
                "message": finding.message,
            });
            writeln!(out, "{line}")
        } else {
            writeln!(out, "{finding}")
        }
    };
    for path in files {
        if is_xml(path)? {
            let read = series
                .read_path(path)
                .map_err(|e| io_err(path, e.to_finding().message))?;
            for item in read {
                match item {
                    Err(finding) => emit(&finding, out)?,
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
                            let i = Finding {
                                path: format!("{at}: {}", i.path),
                                ..i
                            };
                            emit(&i, out)?;
                        }
                    }
                    Err(e) => {
                        for i in bundle_findings(&at, e) {
                            emit(&i, out)?;
                        }
                    }
                }
            }
        }
    }
    if format == FindingFormat::Summary {
        counted.print(out)?;
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
        let code = validate_ssb(
            &[sample("sluttdato_etter_startdato.xml")],
            FindingFormat::Json,
            &mut out,
        )
        .unwrap();
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
        let code = validate_ssb(&[bundles], FindingFormat::Text, &mut out).unwrap();
        assert_eq!(code, EXIT_INVALID, "the broken line is an error");
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("b.jsonl:2"), "{text}");
        let missing = validate_ssb(
            &[dir.path().join("none.xml")],
            FindingFormat::Text,
            &mut Vec::new(),
        );
        assert!(missing.is_err());
    }
}
