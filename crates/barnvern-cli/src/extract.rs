//! `barnvern validate` and `barnvern extract`: case bundles (JSON Lines) checked, and turned into
//! a pseudonymised research dataset.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use barnvern_arrow::DatasetOptions;
use barnvern_extract::{
    Error as ExtractError, ExtractOptions, ExtractSummary, InputOptions, KeyError, LineFindings,
    ProjectKey, RuleSet, extract, validate,
};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use crate::{EXIT_INVALID, EXIT_IO, EXIT_USAGE};

/// Arguments of `barnvern validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Case bundle files: JSON Lines (one bundle per line), or `*.json` files of one bundle.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The rule set: barnvern's own rules, or SSB's validation controls (Kravspesifikasjon),
    /// which also read SSB XML files.
    #[arg(long, value_enum, default_value_t = Rules::Barnvern)]
    pub rules: Rules,
    /// Output: one line per finding, one JSON object per finding, or a summary (the number of
    /// findings of each severity and code, and where each was first found).
    #[arg(long, value_enum, default_value_t = FindingFormat::Text)]
    pub format: FindingFormat,
    /// The longest line accepted, in bytes.
    #[arg(long, default_value_t = InputOptions::default().max_line_bytes, value_name = "BYTES")]
    pub max_line_bytes: usize,
}

/// Which rules `validate` applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Rules {
    /// barnvern's rules for case bundles (JSON Lines or `*.json`).
    Barnvern,
    /// SSB's validation controls, on SSB XML files or case bundles.
    Ssb,
}

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FindingFormat {
    /// `FILE:LINE: severity at PATH [code]: message`.
    Text,
    /// One JSON object per finding: file, line, path, code, severity, message.
    Json,
    /// For large inputs: no line per finding, but a table of the number of findings of each
    /// severity and code, with the place each was first found.
    Summary,
}

/// The findings of a run counted by severity and code, each with the first place it was found
/// (memory grows with the number of distinct codes, not with the findings).
#[derive(Debug, Default)]
pub struct FindingSummary {
    /// (severity, code) -> (findings, first place).
    counts: std::collections::BTreeMap<(barnvern_core::Severity, String), (u64, String)>,
}

impl FindingSummary {
    /// Counts one finding; `at` (file, line and path) is called only for the first of its code.
    pub fn add(
        &mut self,
        severity: barnvern_core::Severity,
        code: &str,
        at: impl FnOnce() -> String,
    ) {
        match self.counts.get_mut(&(severity, code.to_owned())) {
            Some((n, _)) => *n += 1,
            None => {
                self.counts.insert((severity, code.to_owned()), (1, at()));
            }
        }
    }

    /// The table (errors first, then queries, then warnings; codes in order) and a total line.
    pub fn print(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let total: u64 = self.counts.values().map(|(n, _)| n).sum();
        if self.counts.is_empty() {
            return writeln!(out, "no findings");
        }
        let rows: Vec<Vec<String>> = self
            .counts
            .iter()
            .map(|((severity, code), (n, first))| {
                vec![
                    severity.as_str().to_owned(),
                    code.clone(),
                    n.to_string(),
                    first.clone(),
                ]
            })
            .collect();
        writeln!(
            out,
            "{}",
            crate::table::render(&["severity", "code", "findings", "first found at"], &rows)
        )?;
        writeln!(out, "{total} finding(s) of {} code(s)", self.counts.len())
    }
}

/// Arguments of `barnvern extract`.
#[derive(Debug, Clone, Args)]
pub struct ExtractArgs {
    /// Case bundle files: JSON Lines (one bundle per line), or `*.json` files of one bundle.
    #[arg(required_unless_present = "from", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Extract the current bundles of a case store (sqlite:PATH or postgres://...) instead of
    /// files; `--actor-file` names the data steward (default: the local administrator).
    #[arg(long, value_name = "DB", conflicts_with = "files")]
    pub from: Option<String>,
    /// With --from: the actor as JSON.
    #[arg(long, value_name = "FILE", requires = "from")]
    pub actor_file: Option<PathBuf>,
    /// The dataset directory to create.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The project key file (32 bytes or more); default: the BARNVERN_KEY environment variable.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Where rejected lines go (JSON Lines); default: quarantine.jsonl inside the dataset.
    #[arg(long, value_name = "FILE")]
    pub quarantine: Option<PathBuf>,
    /// Replace an existing dataset at --out.
    #[arg(long)]
    pub overwrite: bool,
    /// Exit 0 even when lines were rejected (they are still quarantined and counted).
    #[arg(long)]
    pub allow_rejects: bool,
    /// The date deadline statuses are computed for (YYYY-MM-DD); default: today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// Worker threads; default: one per core.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// The longest line accepted, in bytes.
    #[arg(long, default_value_t = InputOptions::default().max_line_bytes, value_name = "BYTES")]
    pub max_line_bytes: usize,
    /// Memory for rows waiting to be written, in MiB (Arrow bytes over all partitions); when
    /// full, the largest partition is written early as a smaller row group.
    #[arg(long, default_value_t = (DatasetOptions::default().max_buffered_bytes >> 20) as u64,
          value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
    pub buffer_mib: u64,
}

/// A progress bar over the inputs' bytes, drawn on stderr only when it is a terminal.
pub fn bytes_bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

/// Prints one line's findings (or, for the summary, counts them).
fn print_findings(
    out: &mut dyn Write,
    summary: &mut FindingSummary,
    f: &LineFindings,
    format: FindingFormat,
) -> std::io::Result<()> {
    for finding in &f.findings {
        match format {
            FindingFormat::Summary => {
                summary.add(finding.severity, &finding.code, || match f.line {
                    Some(l) => format!("{}:{l}: {}", f.file, finding.path),
                    None => format!("{}: {}", f.file, finding.path),
                })
            }
            FindingFormat::Text => {
                let at = match f.line {
                    Some(l) => format!("{}:{l}", f.file),
                    None => f.file.clone(),
                };
                writeln!(out, "{at}: {finding}")?;
            }
            FindingFormat::Json => {
                let obj = serde_json::json!({
                    "file": f.file,
                    "line": f.line,
                    "path": finding.path,
                    "code": finding.code,
                    "severity": finding.severity,
                    "message": finding.message,
                });
                writeln!(out, "{obj}")?;
            }
        }
    }
    Ok(())
}

/// The exit code and message for a run that stopped.
fn stopped(e: &ExtractError) -> ExitCode {
    eprintln!("barnvern: {e}");
    match e {
        ExtractError::Io { .. } => ExitCode::from(EXIT_IO),
        ExtractError::Dataset(barnvern_arrow::Error::Io { .. }) => ExitCode::from(EXIT_IO),
        ExtractError::Dataset(barnvern_arrow::Error::Exists { .. }) => {
            eprintln!("barnvern: give --overwrite to replace it");
            ExitCode::from(EXIT_USAGE)
        }
        ExtractError::Dataset(barnvern_arrow::Error::NotReplaceable { .. }) => {
            ExitCode::from(EXIT_USAGE)
        }
        ExtractError::Key(_) | ExtractError::NoInputs | ExtractError::BadPath { .. } => {
            ExitCode::from(EXIT_USAGE)
        }
        _ => ExitCode::from(EXIT_INVALID),
    }
}

/// `barnvern validate`.
pub fn run_validate(args: &ValidateArgs) -> ExitCode {
    if args.rules == Rules::Ssb {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        return match crate::ssb::validate_ssb(&args.files, args.format, &mut out) {
            Ok(code) => ExitCode::from(code),
            Err(e) => {
                eprintln!("barnvern: {e}");
                ExitCode::from(EXIT_IO)
            }
        };
    }
    // SSB's controls warn of what SSB would refuse in a Norwegian case (barnvern-ssb).
    let ssb = |case: &barnvern_case::Case| barnvern_ssb::early_warnings(case);
    let rules: Option<&RuleSet> = Some(&ssb);
    let bar = bytes_bar(
        barnvern_extract::input::total_bytes(&args.files),
        "validating",
    );
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut counted = FindingSummary::default();
    let stdout_error = |e| ExtractError::io(std::path::Path::new("<stdout>"), e);
    let result = validate(
        &args.files,
        InputOptions {
            max_line_bytes: args.max_line_bytes,
        },
        0,
        rules,
        &|p| bar.set_position(p.bytes),
        |f| print_findings(&mut out, &mut counted, f, args.format).map_err(stdout_error),
    );
    bar.finish_and_clear();
    let result = result.and_then(|s| {
        if args.format == FindingFormat::Summary {
            counted.print(&mut out).map_err(stdout_error)?;
        }
        Ok(s)
    });
    match result {
        Err(e) => stopped(&e),
        Ok(summary) => {
            eprintln!(
                "barnvern: read {} lines: {} valid, {} rejected{}",
                summary.read,
                summary.accepted,
                summary.rejected,
                if summary.empty_files.is_empty() {
                    String::new()
                } else {
                    format!("; {} empty file(s)", summary.empty_files.len())
                }
            );
            if summary.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_INVALID)
            }
        }
    }
}

/// The project key from --key-file or the environment.
pub fn project_key(key_file: Option<&std::path::Path>) -> Result<ProjectKey, ExitCode> {
    if let Some(warning) = key_file.and_then(barnvern_extract::key::key_file_warning) {
        eprintln!("barnvern: warning: {warning}");
    }
    ProjectKey::from_file_or_env(key_file).map_err(|e| {
        eprintln!("barnvern: {e}");
        match e {
            KeyError::Unreadable { .. } => ExitCode::from(EXIT_IO),
            _ => ExitCode::from(EXIT_USAGE),
        }
    })
}

/// Runs an extract with a progress bar, printing nothing else.
pub fn run_extract_with(
    options: &ExtractOptions,
    key: ProjectKey,
) -> Result<ExtractSummary, ExitCode> {
    let bar = bytes_bar(
        barnvern_extract::input::total_bytes(&options.inputs),
        "extracting",
    );
    let result = extract(options, key, &|p| bar.set_position(p.bytes));
    bar.finish_and_clear();
    result.map_err(|e| stopped(&e))
}

/// Prints the summary of an extract.
pub fn print_extract_summary(s: &ExtractSummary) {
    println!(
        "extract: read {} lines, accepted {}, rejected {} -> {}",
        s.read,
        s.accepted,
        s.rejected,
        s.dataset.display()
    );
    for (code, n) in &s.rejected_by_code {
        println!("  rejected {n:>8}  {code}");
    }
    for f in &s.empty_files {
        println!("  empty file: {f}");
    }
    let tables: u64 = s.manifest.tables.values().map(|t| t.rows).sum();
    println!(
        "  {} tables, {tables} rows; quarantine: {}; key {}{}",
        s.manifest.tables.len(),
        s.quarantine.display(),
        s.manifest.key_fingerprint.as_deref().unwrap_or("?"),
        if s.manifest.demo_key {
            " (one-off demo key)"
        } else {
            ""
        }
    );
}

/// `barnvern extract`.
pub fn run_extract(args: &ExtractArgs) -> ExitCode {
    if let Some(db) = &args.from {
        return crate::store::extract_from(args, db);
    }
    match project_key(args.key_file.as_deref()) {
        Ok(key) => run_extract_keyed(args, key),
        Err(code) => code,
    }
}

/// `barnvern extract` of the files in `args` with the project key already read (and its file's
/// permissions already warned about, once).
pub fn run_extract_keyed(args: &ExtractArgs, key: ProjectKey) -> ExitCode {
    let mut options = ExtractOptions::new(
        args.files.clone(),
        args.out.clone(),
        args.as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
    );
    options.quarantine = args.quarantine.clone();
    options.overwrite = args.overwrite;
    options.threads = args.threads;
    options.input.max_line_bytes = args.max_line_bytes;
    options.buffer_bytes = usize::try_from(args.buffer_mib << 20).unwrap_or(usize::MAX);
    let summary = match run_extract_with(&options, key) {
        Ok(s) => s,
        Err(code) => return code,
    };
    print_extract_summary(&summary);
    if summary.is_clean() || args.allow_rejects {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "barnvern: {} line(s) rejected (see {}); exit 1 (give --allow-rejects to exit 0)",
            summary.rejected,
            summary.quarantine.display()
        );
        ExitCode::from(EXIT_INVALID)
    }
}
