//! `barnvern score`: scores a file of respondents (one row each, one integer column per item)
//! with a built-in or user-defined instrument, in blocks, and writes one row of scores per
//! respondent. The scoring rules live in `barnvern_outcomes`, the column plan and the CSV reader
//! in `barnvern_arrow::scoring` (shared with Python's `score_table`); this module opens and
//! writes files.
//!
//! Input: CSV (header row; a cell that is empty or `NA` is an item not done) or Parquet (integer
//! columns of any width; nulls are items not done), chosen by the extension. Output: CSV to
//! stdout or `--out x.csv`, Parquet (zstd) with `--out x.parquet`: the id columns, a column per
//! score and a `<score>_band` column per banded score. An output file appears only when every
//! row was scored (it is written beside and renamed at the end).

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type};
use arrow_array::{Array, RecordBatch, RecordBatchReader};
use arrow_schema::{DataType, SchemaRef};
use barnvern_arrow::ints::int_column;
use barnvern_arrow::io::output_dir::AtomicFile;
use barnvern_arrow::scoring::{
    Columns, CsvScorer, ScoreFileError, TableScorer, codes, column_and_row,
};
use barnvern_core::ValidationError;
use barnvern_outcomes::{Informant, Instrument, ScoreOptions, builtin, builtin_ids};
use clap::{Args, ValueEnum};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::{EXIT_INVALID, EXIT_IO, EXIT_USAGE};

/// Rows scored per block: bounds memory whatever the size of the file.
const BLOCK_ROWS: usize = 65_536;

/// At most this many findings are printed.
const MAX_PRINTED: usize = 100;

/// The arguments of `barnvern score`.
#[derive(Debug, Args)]
pub(crate) struct ScoreArgs {
    /// A built-in instrument (sdq-p-4-17, sdq-p-2-4, sdq-t-4-17, sdq-s-11-17, swemwbs, wemwbs,
    /// aim, iam, fim) or an instrument definition file (JSON), e.g. a licensed scale with your
    /// own key.
    instrument: String,
    /// The respondents: a .csv or .parquet file, one row per respondent, one integer column per
    /// item.
    file: PathBuf,
    /// Write the scores here (.csv or .parquet); default: CSV to standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Who answered; defaults to the form's informant. Chooses the band tables.
    #[arg(long, value_enum)]
    informant: Option<InformantArg>,
    /// A column to copy to the output unchanged (a respondent key); repeat for several.
    #[arg(long = "id-column", value_name = "NAME")]
    id_columns: Vec<String>,
    /// A column with the child's age in whole years, to choose the band table per row.
    #[arg(long, value_name = "NAME")]
    age_column: Option<String>,
    /// Score a file that lacks some of the instrument's item columns, as if every row had left
    /// those items unanswered (the instrument's missing-item rules decide what is scored).
    /// Without it, a missing item column is an error.
    #[arg(long)]
    allow_missing_items: bool,
}

/// The informants a user picks on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InformantArg {
    /// A parent or carer.
    Parent,
    /// A teacher.
    Teacher,
    /// The child or young person.
    #[value(name = "self")]
    SelfReport,
}

impl From<InformantArg> for Informant {
    fn from(value: InformantArg) -> Self {
        match value {
            InformantArg::Parent => Informant::Parent,
            InformantArg::Teacher => Informant::Teacher,
            InformantArg::SelfReport => Informant::SelfReport,
        }
    }
}

/// A failure: the exit code, and what was printed to say why.
struct Failure(u8);

fn fail(code: u8, message: impl std::fmt::Display) -> Failure {
    eprintln!("barnvern score: {message}");
    Failure(code)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Parquet,
}

fn format_of(path: &Path) -> Option<Format> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Some(Format::Csv),
        Some("parquet" | "pq") => Some(Format::Parquet),
        _ => None,
    }
}

/// Runs `barnvern score`.
pub(crate) fn run(args: &ScoreArgs) -> ExitCode {
    match score_file(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(code)) => ExitCode::from(code),
    }
}

fn score_file(args: &ScoreArgs) -> Result<(), Failure> {
    let instrument = load_instrument(&args.instrument)?;
    let input_format = format_of(&args.file).ok_or_else(|| {
        fail(
            EXIT_USAGE,
            format!(
                "{}: the input must be a .csv or .parquet file",
                args.file.display()
            ),
        )
    })?;
    let output_format = match &args.out {
        None => Format::Csv,
        Some(path) => format_of(path).ok_or_else(|| {
            fail(
                EXIT_USAGE,
                format!(
                    "{}: the output must be a .csv or .parquet file",
                    path.display()
                ),
            )
        })?,
    };
    let options = ScoreOptions {
        informant: args.informant.map(Informant::from),
        ..ScoreOptions::default()
    };
    let columns = Columns {
        id_columns: args.id_columns.clone(),
        age_column: args.age_column.clone(),
        allow_missing_items: args.allow_missing_items,
    };
    let file = File::open(&args.file)
        .map_err(|e| fail(EXIT_IO, format!("cannot read {}: {e}", args.file.display())))?;
    let mut sink = Sink::new(args.out.as_deref(), output_format);
    let shown = |e| report(&args.file, e);
    match input_format {
        Format::Csv => {
            let mut scorer = CsvScorer::new(BufReader::new(file), &instrument, &columns, options)
                .map_err(shown)?;
            sink.start(scorer.schema(), &args.file)?;
            while let Some(batch) = scorer.next_batch().map_err(shown)? {
                sink.write(&batch)?;
            }
        }
        Format::Parquet => {
            let reader = ParquetRecordBatchReaderBuilder::try_new(file)
                .and_then(|b| b.with_batch_size(BLOCK_ROWS).build())
                .map_err(|e| fail(EXIT_IO, format!("cannot read {}: {e}", args.file.display())))?;
            let scorer = TableScorer::new(&instrument, &reader.schema(), &columns, options)
                .map_err(|e| shown(e.into()))?;
            sink.start(scorer.schema(), &args.file)?;
            let mut first_row = 0;
            for batch in reader {
                let batch = batch.map_err(|e| {
                    fail(EXIT_IO, format!("cannot read {}: {e}", args.file.display()))
                })?;
                let scored = scorer
                    .score_parts(&batch, first_row)
                    .map_err(|e| shown(rows_counted_from_one(e).into()))?;
                for part in &scored {
                    sink.write(part)?;
                }
                first_row += batch.num_rows();
            }
        }
    }
    sink.finish()
}

/// Prints the findings of a file with the file name, place (line or row, column) and rule.
fn report(file: &Path, err: ScoreFileError) -> Failure {
    let findings = match err {
        ScoreFileError::Io(e) => {
            return fail(EXIT_IO, format!("cannot read {}: {e}", file.display()));
        }
        ScoreFileError::Invalid(v) => v.findings,
    };
    for finding in findings.iter().take(MAX_PRINTED) {
        if finding.path.is_empty() {
            eprintln!("{}: {finding}", file.display());
        } else {
            eprintln!(
                "{}: {}: {} [{}]: {}",
                file.display(),
                finding.path,
                finding.severity,
                finding.code,
                finding.message
            );
        }
    }
    if findings.len() > MAX_PRINTED {
        eprintln!(
            "{}: {} more findings",
            file.display(),
            findings.len() - MAX_PRINTED
        );
    }
    if findings.iter().any(|i| i.code == codes::MISSING_COLUMN) {
        eprintln!(
            "barnvern score: give --allow-missing-items to score the missing item columns as \
             unanswered in every row (the instrument's missing-item rules then decide what is \
             scored)"
        );
    }
    Failure(EXIT_INVALID)
}

/// A Parquet file's findings at `columns.<name>[<row>]` as `row <n>, column <name>`, rows
/// counted from 1 as a reader of the file counts them.
fn rows_counted_from_one(err: ValidationError) -> ValidationError {
    let mut findings = err.findings;
    for finding in &mut findings.findings {
        let at = column_and_row(&finding.path).map(|(c, r)| (c.to_owned(), r));
        if let Some((column, row)) = at {
            finding.path = format!("row {}, column {column}", row + 1);
        }
    }
    ValidationError { findings }
}

/// Reads a built-in instrument or a definition file.
fn load_instrument(name: &str) -> Result<Instrument, Failure> {
    if let Some(instrument) = builtin(name) {
        return Ok(instrument.clone());
    }
    let path = Path::new(name);
    if !path.exists() && !name.ends_with(".json") {
        let known: Vec<&str> = builtin_ids().collect();
        return Err(fail(
            EXIT_USAGE,
            format!(
                "{name:?} is neither a built-in instrument ({}) nor a definition file",
                known.join(", ")
            ),
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| fail(EXIT_IO, format!("cannot read {}: {e}", path.display())))?;
    Instrument::from_json(&text).map_err(|err| {
        for finding in err.findings() {
            eprintln!("{}: {finding}", path.display());
        }
        Failure(EXIT_INVALID)
    })
}

/// Where the scores go: CSV or Parquet, to a file written beside and renamed at the end, or CSV
/// to standard output once every row is scored.
struct Sink {
    out: Option<PathBuf>,
    format: Format,
    writer: Option<Writer>,
}

enum Writer {
    Csv(csv::Writer<Target>),
    Parquet(ArrowWriter<BufWriter<AtomicFile>>),
}

/// Where CSV goes: memory (for standard output, written once every row is scored) or a file.
enum Target {
    Memory(Vec<u8>),
    File(BufWriter<AtomicFile>),
}

impl Write for Target {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Target::Memory(bytes) => bytes.write(buf),
            Target::File(file) => file.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Target::Memory(_) => Ok(()),
            Target::File(file) => file.flush(),
        }
    }
}

/// The file written before the rename.
impl Sink {
    fn new(out: Option<&Path>, format: Format) -> Sink {
        Sink {
            out: out.map(Path::to_path_buf),
            format,
            writer: None,
        }
    }

    fn start(&mut self, schema: &SchemaRef, input: &Path) -> Result<(), Failure> {
        let io = |path: &Path, e: &dyn std::fmt::Display| {
            fail(EXIT_IO, format!("cannot write {}: {e}", path.display()))
        };
        let target = match &self.out {
            None => Target::Memory(Vec::new()),
            Some(out) => {
                if out.canonicalize().ok() == input.canonicalize().ok() && out.exists() {
                    return Err(fail(EXIT_USAGE, "the output file is the input file"));
                }
                // Written beside and committed at the end: a run that stops before every row
                // is scored leaves what was at --out, and no partial file.
                let file = AtomicFile::create(out).map_err(|e| io(out, &e))?;
                if self.format == Format::Parquet {
                    let props = WriterProperties::builder()
                        .set_compression(Compression::ZSTD(ZstdLevel::default()))
                        .build();
                    let writer =
                        ArrowWriter::try_new(BufWriter::new(file), Arc::clone(schema), Some(props))
                            .map_err(|e| io(out, &e))?;
                    self.writer = Some(Writer::Parquet(writer));
                    return Ok(());
                }
                Target::File(BufWriter::new(file))
            }
        };
        let mut writer = csv::Writer::from_writer(target);
        writer
            .write_record(schema.fields().iter().map(|f| f.name().as_str()))
            .map_err(|e| fail(EXIT_IO, format!("cannot write the scores: {e}")))?;
        self.writer = Some(Writer::Csv(writer));
        Ok(())
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<(), Failure> {
        match &mut self.writer {
            Some(Writer::Parquet(writer)) => writer
                .write(batch)
                .map_err(|e| fail(EXIT_IO, format!("cannot write the scores: {e}"))),
            Some(Writer::Csv(writer)) => write_csv(writer, batch),
            None => Ok(()),
        }
    }

    fn finish(mut self) -> Result<(), Failure> {
        let io = |e: &dyn std::fmt::Display| fail(EXIT_IO, format!("cannot write the scores: {e}"));
        let file = match self.writer.take() {
            Some(Writer::Parquet(writer)) => {
                let file = writer.into_inner().map_err(|e| io(&e))?;
                Some(file.into_inner().map_err(|e| io(e.error()))?)
            }
            Some(Writer::Csv(writer)) => {
                match writer
                    .into_inner()
                    .map_err(|e| io(&e.error().to_string()))?
                {
                    // Standard output gets the scores only once every row is scored.
                    Target::Memory(bytes) => {
                        let mut stdout = std::io::stdout().lock();
                        stdout
                            .write_all(&bytes)
                            .and_then(|()| stdout.flush())
                            .map_err(|e| io(&e))?;
                        None
                    }
                    Target::File(file) => Some(file.into_inner().map_err(|e| io(e.error()))?),
                }
            }
            None => None,
        };
        if let Some(file) = file {
            file.commit()
                .map_err(|e| fail(EXIT_IO, format!("cannot write the scores: {e}")))?;
        }
        Ok(())
    }
}

/// Writes a batch as CSV rows: numbers as Rust prints them (`7`, `4.25`), missing as empty.
fn write_csv(writer: &mut csv::Writer<Target>, batch: &RecordBatch) -> Result<(), Failure> {
    let mut cells: Vec<String> = Vec::with_capacity(batch.num_columns());
    for row in 0..batch.num_rows() {
        cells.clear();
        for column in batch.columns() {
            cells.push(cell_text(column.as_ref(), row)?);
        }
        writer
            .write_record(&cells)
            .map_err(|e| fail(EXIT_IO, format!("cannot write the scores: {e}")))?;
    }
    Ok(())
}

fn cell_text(array: &dyn Array, row: usize) -> Result<String, Failure> {
    if array.is_null(row) {
        return Ok(String::new());
    }
    let text = match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(row).to_owned(),
        DataType::LargeUtf8 => array.as_string::<i64>().value(row).to_owned(),
        DataType::Utf8View => array.as_string_view().value(row).to_owned(),
        DataType::Float64 => array.as_primitive::<Float64Type>().value(row).to_string(),
        DataType::Float32 => array.as_primitive::<Float32Type>().value(row).to_string(),
        DataType::Boolean => array.as_boolean().value(row).to_string(),
        // A band column (int8 or int16 keys), or an id column of any integer key.
        DataType::Dictionary(_, _) => match array.as_any_dictionary_opt() {
            Some(dict) => int_column(&dict.keys().slice(row, 1))
                .unwrap_or_default()
                .first()
                .copied()
                .flatten()
                .and_then(|k| usize::try_from(k).ok())
                .and_then(|k| cell_text(dict.values().as_ref(), k).ok())
                .unwrap_or_default(),
            None => String::new(),
        },
        t if t.is_integer() => int_column(&array.slice(row, 1))
            .unwrap_or_default()
            .first()
            .copied()
            .flatten()
            .map(|v| v.to_string())
            .unwrap_or_default(),
        other => {
            return Err(fail(
                EXIT_USAGE,
                format!(
                    "an id column of type {other} cannot be written as CSV; write Parquet \
                     (--out scores.parquet)"
                ),
            ));
        }
    };
    Ok(text)
}
