//! `barnvern dictionary` and `barnvern schema`: the data dictionary of the research tables and
//! the JSON Schema of the case bundle, both derived from the one description of each type.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

/// Arguments of `barnvern dictionary`.
#[derive(Debug, Args)]
pub struct DictionaryArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = DictionaryFormat::Md)]
    format: DictionaryFormat,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Formats of the data dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DictionaryFormat {
    /// Markdown: a section per table, a row per column.
    Md,
    /// CSV: one row per column of every table.
    Csv,
    /// A self-contained HTML page.
    Html,
    /// JSON: every table spec.
    Json,
}

/// Arguments of `barnvern schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

fn emit(text: &str, out: Option<&PathBuf>) -> ExitCode {
    match out {
        None => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Some(path) => match barnvern_arrow::io::output_dir::write_file(path, text.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("barnvern: cannot write {}: {e}", path.display());
                ExitCode::from(crate::EXIT_IO)
            }
        },
    }
}

/// Prints the data dictionary of the research tables.
pub fn dictionary(args: &DictionaryArgs) -> ExitCode {
    let text = match args.format {
        DictionaryFormat::Md => barnvern_arrow::dictionary::markdown(),
        DictionaryFormat::Csv => barnvern_arrow::dictionary::csv(),
        DictionaryFormat::Html => barnvern_arrow::dictionary::html(),
        DictionaryFormat::Json => format!("{:#}", barnvern_arrow::dictionary::json()),
    };
    emit(&text, args.out.as_ref())
}

/// Prints the JSON Schema of the case bundle.
pub fn schema(args: &SchemaArgs) -> ExitCode {
    emit(
        &format!("{:#}", barnvern_case::Case::json_schema()),
        args.out.as_ref(),
    )
}
