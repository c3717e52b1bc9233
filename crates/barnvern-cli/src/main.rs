//! The `barnvern` command.
//!
//! Exit codes: 0 success; 1 the input was read but is invalid (findings are printed with file,
//! path and rule); 2 wrong usage; 3 a file could not be read or written; 4 a conflict in the
//! case store (the stream moved on).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use barnvern_case::{Case, Deadline, Error};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

/// mimalloc instead of the system allocator: the extract allocates and frees many small
/// values per case (parsed strings, Arrow arrays of a few rows), and glibc's malloc and free
/// took about a quarter of its CPU time (perf, 100,000 children).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod demo;
mod dictionary;
mod extract;
mod logging;
mod report;
mod score;
mod serve;
mod ssb;
mod store;
mod synth;
mod table;

/// barnvern: a validated data domain for child protection in Sweden and Norway.
///
/// Exit codes: 0 success; 1 invalid input (each finding printed with file, path and rule);
/// 2 wrong usage; 3 a file could not be read; 4 a conflict in the case store.
#[derive(Debug, Parser)]
#[command(name = "barnvern", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print every statutory deadline of a case bundle (JSON), with its status as of a date.
    Deadlines {
        /// The case bundle, a JSON file (see examples/se-case.json).
        case: PathBuf,
        /// The date the status is computed for (YYYY-MM-DD); default: today.
        #[arg(long, value_name = "DATE")]
        as_of: Option<NaiveDate>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Score a file of questionnaire responses (CSV or Parquet, one row per respondent, one
    /// integer column per item) with an instrument; write one row of scores per respondent.
    Score {
        #[command(flatten)]
        args: score::ScoreArgs,
    },
    /// Print the data dictionary of the research tables (Markdown, CSV, HTML or JSON).
    Dictionary {
        #[command(flatten)]
        args: dictionary::DictionaryArgs,
    },
    /// Print the JSON Schema of the case bundle, generated from the types.
    Schema {
        #[command(flatten)]
        args: dictionary::SchemaArgs,
    },
    /// Import case bundles from another format: `barnvern import ssb-xml FILE... --out
    /// BUNDLES.jsonl` reads SSB's child-welfare XML (Norway's national reporting format).
    Import {
        #[command(subcommand)]
        format: ssb::ImportFormat,
    },
    /// Export case bundles to another format: `barnvern export ssb-xml BUNDLES.jsonl --out DIR`
    /// writes SSB's child-welfare XML v4.
    Export {
        #[command(subcommand)]
        format: ssb::ExportFormat,
    },
    /// Write the aggregate report of a research dataset (deadline compliance; the Family
    /// Partner trial's CONSORT flow, dose, retention, progression criteria, SDQ change and
    /// costs) as report.md, report.html and report.json, small counts suppressed.
    Report {
        #[command(flatten)]
        args: report::ReportArgs,
    },
    /// Write a seeded synthetic cohort of case bundles (JSON Lines, one child per line), with
    /// optional faulty lines (--faults) for testing pipelines.
    Synth {
        #[command(flatten)]
        args: synth::SynthArgs,
    },
    /// The main job on the built-in synthetic cohort, with no setup: synthesise a seeded cohort
    /// (a few lines made faulty on purpose), extract it under a one-off random key, check that
    /// exactly the faulty lines were quarantined, and write the report.
    Demo {
        #[command(flatten)]
        args: demo::DemoArgs,
    },
    /// Check case bundle files (JSON Lines) line by line with the checks of `extract`; print
    /// every finding. Exit 1 when any line would be rejected.
    Validate {
        #[command(flatten)]
        args: extract::ValidateArgs,
    },
    /// Turn case bundle files (JSON Lines) into a pseudonymised research dataset
    /// (hive-partitioned Parquet, manifest, data dictionary); rejected lines go to a quarantine
    /// file. Needs a project key (--key-file or BARNVERN_KEY). Exit 1 when any line was
    /// rejected, unless --allow-rejects.
    Extract {
        #[command(flatten)]
        args: extract::ExtractArgs,
    },
    /// The case store: cases as tamper-evident event streams on SQLite (sqlite:PATH) or
    /// PostgreSQL (postgres://...), with an access log and a deadline worklist.
    Store {
        #[command(subcommand)]
        command: store::StoreCommand,
    },
    /// The case service: an HTTP API on the store with signed bearer tokens, the intake of
    /// Norway's digital reports of concern and the caseworker's page. `--demo` runs it on a
    /// synthetic cohort with a fresh key and prints ready tokens.
    Serve {
        #[command(flatten)]
        args: serve::ServeArgs,
    },
    /// Mint a signed bearer token for the case service from a private key (tests and demos;
    /// in production the identity provider issues them), or generate a key pair (--generate).
    Token {
        #[command(flatten)]
        args: serve::TokenArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// An aligned text table, then any findings.
    Table,
    /// One JSON object: case id, as-of date, deadlines and findings.
    Json,
}

/// Exit code for invalid input.
const EXIT_INVALID: u8 = 1;
/// Exit code for wrong usage (also: no project key, a dataset that exists).
const EXIT_USAGE: u8 = 2;
/// Exit code for unreadable files.
const EXIT_IO: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve { .. }) {
        logging::init_from_env();
    }
    match cli.command {
        Command::Deadlines {
            case,
            as_of,
            format,
        } => deadlines(&case, as_of, format),
        Command::Score { args } => score::run(&args),
        Command::Dictionary { args } => dictionary::dictionary(&args),
        Command::Schema { args } => dictionary::schema(&args),
        Command::Import { format } => ssb::run_import(&format),
        Command::Export { format } => ssb::run_export(&format),
        Command::Report { args } => report::run(&args),
        Command::Synth { args } => synth::run(&args),
        Command::Demo { args } => demo::run(&args),
        Command::Validate { args } => extract::run_validate(&args),
        Command::Extract { args } => extract::run_extract(&args),
        Command::Store { command } => store::run(&command),
        Command::Serve { args } => serve::serve(&args),
        Command::Token { args } => serve::token(&args),
    }
}

/// Reads and validates a case bundle, printing why not to stderr.
fn read_case(path: &Path) -> Result<Case, ExitCode> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("barnvern: cannot read {}: {e}", path.display());
        ExitCode::from(EXIT_IO)
    })?;
    Case::from_json(&text).map_err(|err| {
        match err {
            Error::Validation(v) => {
                for finding in &v.findings {
                    eprintln!("{}: {finding}", path.display());
                }
            }
            other => eprintln!("{}: {other}", path.display()),
        }
        ExitCode::from(EXIT_INVALID)
    })
}

fn deadlines(path: &Path, as_of: Option<NaiveDate>, format: Format) -> ExitCode {
    let case = match read_case(path) {
        Ok(case) => case,
        Err(code) => return code,
    };
    let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
    let all: Vec<Deadline> = case.deadlines(as_of);
    let findings = case.validate();
    match format {
        Format::Json => {
            let out = serde_json::json!({
                "case_id": case.case_id.as_str(),
                "jurisdiction": case.jurisdiction,
                "as_of": as_of,
                "deadlines": all,
                "findings": findings,
            });
            println!("{out:#}");
        }
        Format::Table => {
            println!(
                "Case {} ({}, municipality {}), deadlines as of {as_of}:",
                case.case_id, case.jurisdiction, case.municipality
            );
            println!("{}", table::deadlines(&all));
            for finding in &findings {
                println!("{finding}");
            }
        }
    }
    ExitCode::SUCCESS
}
