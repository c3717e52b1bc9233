//! `barnvern report DIR`: the aggregate report of a research dataset, with small counts
//! suppressed, as Markdown, a self-contained HTML page and JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use barnvern_arrow::io::output_dir::StagedDir;
use barnvern_report::{
    Error, ProgressionCriteria, ReportOptions, build, to_html, to_json, to_markdown,
};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};

/// Arguments of `barnvern report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The dataset directory (written by `barnvern extract`).
    dataset: PathBuf,
    /// Where to write report.md, report.html and report.json (a folder an earlier report wrote
    /// is replaced; any other existing folder or file is refused); default:
    /// DIR-report beside the dataset, never inside it (a dataset is its manifest's files,
    /// and may be read-only or shared).
    #[arg(long, value_name = "OUTDIR")]
    out: Option<PathBuf>,
    /// Smallest count shown: counts from 1 to N-1 are shown as "<N", with secondary
    /// suppression so totals do not give them back; 1 shows every count.
    #[arg(long, value_name = "N", default_value_t = barnvern_report::DEFAULT_THRESHOLD)]
    min_cell: u64,
    /// The formats to write, comma-separated.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_values_t = [ReportFormat::Md, ReportFormat::Html, ReportFormat::Json]
    )]
    format: Vec<ReportFormat>,
    /// The date trial figures are computed for (YYYY-MM-DD); default: the date the
    /// dataset's deadlines were computed for.
    #[arg(long, value_name = "DATE")]
    as_of: Option<NaiveDate>,
    /// Progression criteria (JSON, the format of barnvern-familypartner); default: the set
    /// shipped with barnvern-report.
    #[arg(long, value_name = "FILE")]
    criteria: Option<PathBuf>,
}

/// The report's formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    /// report.md.
    Md,
    /// report.html: one page, charts as inline SVG, no script.
    Html,
    /// report.json: every count in its suppressed form.
    Json,
}

fn exit_for(err: &Error) -> ExitCode {
    match err {
        Error::Io { .. } => ExitCode::from(crate::EXIT_IO),
        _ => ExitCode::from(crate::EXIT_INVALID),
    }
}

/// The exit code of an output folder that could not be written: 2 when it is not barnvern's to
/// replace, else 3.
pub(crate) fn output_exit(err: &barnvern_arrow::Error) -> ExitCode {
    match err {
        barnvern_arrow::Error::NotReplaceable { .. } | barnvern_arrow::Error::Exists { .. } => {
            ExitCode::from(crate::EXIT_USAGE)
        }
        _ => ExitCode::from(crate::EXIT_IO),
    }
}

fn write(path: &Path, text: &str) -> Result<(), ExitCode> {
    std::fs::write(path, text).map_err(|e| {
        eprintln!("barnvern: cannot write {}: {e}", path.display());
        ExitCode::from(crate::EXIT_IO)
    })
}

/// Builds the report of `args.dataset` and writes it in each format asked for.
pub fn run(args: &ReportArgs) -> ExitCode {
    match report(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

fn report(args: &ReportArgs) -> Result<(), ExitCode> {
    let mut options = ReportOptions {
        min_cell: args.min_cell,
        as_of: args.as_of,
        ..ReportOptions::default()
    };
    if let Some(path) = &args.criteria {
        let text = std::fs::read_to_string(path).map_err(|e| {
            eprintln!("barnvern: cannot read {}: {e}", path.display());
            ExitCode::from(crate::EXIT_IO)
        })?;
        let set = ProgressionCriteria::from_json(&text).map_err(|e| {
            for finding in &e.findings {
                eprintln!("{}: {finding}", path.display());
            }
            ExitCode::from(crate::EXIT_INVALID)
        })?;
        options.criteria = Some(set);
        options.criteria_source = Some(path.display().to_string());
    }
    let report = build(&args.dataset, &options).map_err(|e| {
        eprintln!("barnvern: {e}");
        exit_for(&e)
    })?;
    let out = args.out.clone().unwrap_or_else(|| beside(&args.dataset));
    let staged = StagedDir::create(&out, &barnvern_report::OUTPUT, true).map_err(|e| {
        eprintln!("barnvern: {e}");
        output_exit(&e)
    })?;
    let mut formats = args.format.clone();
    formats.dedup();
    let mut written = Vec::new();
    for format in formats {
        let (name, text) = match format {
            ReportFormat::Md => ("report.md", to_markdown(&report)),
            ReportFormat::Html => (
                "report.html",
                to_html(&report).map_err(|e| {
                    eprintln!("barnvern: {e}");
                    ExitCode::from(crate::EXIT_INVALID)
                })?,
            ),
            ReportFormat::Json => (
                "report.json",
                to_json(&report).map_err(|e| {
                    eprintln!("barnvern: {e}");
                    ExitCode::from(crate::EXIT_INVALID)
                })?,
            ),
        };
        write(&staged.path().join(name), &text)?;
        written.push(name);
    }
    staged.publish().map_err(|e| {
        eprintln!("barnvern: {e}");
        output_exit(&e)
    })?;
    for name in written {
        println!("{name}: {}", out.join(name).display());
    }
    Ok(())
}

/// The default report directory of a dataset: `NAME-report` beside it.
fn beside(dataset: &std::path::Path) -> PathBuf {
    // `.` or `..` name no directory: the real path does.
    let dataset = match dataset.file_name() {
        Some(_) => dataset.to_path_buf(),
        None => std::fs::canonicalize(dataset).unwrap_or_else(|_| dataset.to_path_buf()),
    };
    let name = dataset
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "dataset".to_owned());
    dataset.with_file_name(format!("{name}-report"))
}
