//! `barnvern score`: scores a file of respondents (one row each, one integer column per item)
//! with a built-in or user-defined instrument, in blocks, and writes one row of scores per
//! respondent. The rules live in `barnvern_outcomes`; this module reads and writes files.
//!
//! Input: CSV (header row; a cell that is empty or `NA` is an item not done) or Parquet (integer
//! columns of any width; nulls are items not done), chosen by the extension. Output: CSV to
//! stdout or `--out x.csv`, Parquet (zstd) with `--out x.parquet`: the id columns, a column per
//! score and a `<score>_band` column per banded score. An output file appears only when every
//! row was scored (it is written beside and renamed at the end).

use barnvern_arrow::ints::{int_column, is_integer};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, Int32Type};
use arrow_array::{
    Array, ArrayRef, DictionaryArray, Float64Array, Int32Array, RecordBatch, RecordBatchReader,
    StringArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use barnvern_core::ValidationError;
use barnvern_outcomes::{
    Informant, Instrument, ScoreColumns, ScoreOptions, builtin, builtin_ids, score_columns_from,
};
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
    let job = Job {
        instrument: &instrument,
        file: &args.file,
        id_columns: &args.id_columns,
        age_column: args.age_column.as_deref(),
        allow_missing_items: args.allow_missing_items,
        options,
    };
    let mut sink = Sink::new(args.out.as_deref(), output_format);
    match input_format {
        Format::Csv => read_csv(&job, &mut sink)?,
        Format::Parquet => read_parquet(&job, &mut sink)?,
    }
    sink.finish()
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
        for issue in err.issues() {
            eprintln!("{}: {issue}", path.display());
        }
        Failure(EXIT_INVALID)
    })
}

/// What is being scored and how.
struct Job<'a> {
    instrument: &'a Instrument,
    file: &'a Path,
    id_columns: &'a [String],
    age_column: Option<&'a str>,
    allow_missing_items: bool,
    options: ScoreOptions,
}

/// What an input column is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Id,
    Item,
    Age,
}

impl Job<'_> {
    /// The role of each column of the header, or every finding (unknown columns, named columns
    /// that are not there).
    fn roles(&self, header: &[String]) -> Result<Vec<Option<Role>>, Failure> {
        let mut problems = Vec::new();
        for name in self
            .id_columns
            .iter()
            .map(String::as_str)
            .chain(self.age_column)
        {
            if !header.iter().any(|h| h == name) {
                problems.push(format!(
                    "column {name}: error [outcomes.unknown_column]: named on the command line, \
                     but the file has no such column"
                ));
            }
        }
        let roles = header
            .iter()
            .map(|name| {
                if self.age_column == Some(name.as_str()) {
                    Some(Role::Age)
                } else if self.id_columns.iter().any(|c| c == name) {
                    Some(Role::Id)
                } else if self.instrument.item(name).is_some() {
                    Some(Role::Item)
                } else {
                    problems.push(format!(
                        "column {name}: error [outcomes.unknown_column]: not an item of {} \
                         (version {}); pass it through with --id-column {name}",
                        self.instrument.id(),
                        self.instrument.version()
                    ));
                    None
                }
            })
            .collect();
        if !self.allow_missing_items {
            for item in self.instrument.items() {
                let name = item.name.as_str();
                if !header.iter().any(|h| h == name) {
                    problems.push(format!(
                        "column {name}: error [outcomes.missing_column]: an item of {} (version \
                         {}) that the file has no column for; give --allow-missing-items to score \
                         it as unanswered in every row",
                        self.instrument.id(),
                        self.instrument.version()
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(roles)
        } else {
            for p in problems.iter().take(MAX_PRINTED) {
                eprintln!("{}: {p}", self.file.display());
            }
            Err(Failure(EXIT_INVALID))
        }
    }

    /// Scores one block; `row_label(r)` says where row `r` of the block is in the file.
    fn score(
        &self,
        items: &[(String, Vec<Option<i64>>)],
        ages: Option<&[Option<u32>]>,
        first_row: usize,
        row_label: &dyn Fn(usize) -> String,
    ) -> Result<ScoreColumns, Failure> {
        let columns: Vec<(&str, &[Option<i64>])> = items
            .iter()
            .map(|(name, values)| (name.as_str(), values.as_slice()))
            .collect();
        score_columns_from(self.instrument, &columns, ages, &self.options, first_row)
            .map_err(|err| self.report(&err, first_row, row_label))
    }

    /// Prints the findings of a block with file, row (or line), column and rule.
    fn report(
        &self,
        err: &ValidationError,
        first_row: usize,
        row_label: &dyn Fn(usize) -> String,
    ) -> Failure {
        for issue in err.issues().iter().take(MAX_PRINTED + 1) {
            let at = issue
                .path
                .strip_prefix("columns.")
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|rest| rest.split_once('['))
                .and_then(|(column, row)| Some((column, row.parse::<usize>().ok()?)));
            match at {
                Some((column, row)) => eprintln!(
                    "{}: {}, column {column}: {} [{}]: {}",
                    self.file.display(),
                    row_label(row.saturating_sub(first_row)),
                    issue.severity,
                    issue.code,
                    issue.message
                ),
                None => eprintln!("{}: {issue}", self.file.display()),
            }
        }
        Failure(EXIT_INVALID)
    }
}

/// One cell that is not what its column needs.
fn cell_problem(
    file: &Path,
    at: &str,
    column: &str,
    code: &str,
    message: impl std::fmt::Display,
) -> String {
    format!(
        "{}: {at}, column {column}: error [{code}]: {message}",
        file.display()
    )
}

// --- CSV ----------------------------------------------------------------------------------------

fn read_csv(job: &Job<'_>, sink: &mut Sink) -> Result<(), Failure> {
    let file = File::open(job.file)
        .map_err(|e| fail(EXIT_IO, format!("cannot read {}: {e}", job.file.display())))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(std::io::BufReader::new(file));
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| csv_failure(job.file, &e))?
        .iter()
        .map(str::to_owned)
        .collect();
    if header.iter().all(String::is_empty) {
        return Err(fail(
            EXIT_INVALID,
            format!(
                "{} is empty: a CSV file needs a header row naming the item columns",
                job.file.display()
            ),
        ));
    }
    let mut quotes = QuoteCheck::new(job.file)?;
    let roles = job.roles(&header)?;
    let schema = job.output_schema(
        job.id_columns
            .iter()
            .map(|name| Field::new(name, DataType::Utf8, true))
            .collect(),
    )?;
    sink.start(&schema, job.file)?;

    let mut record = csv::StringRecord::new();
    let mut first_row = 0usize;
    loop {
        // One block: the id cells, the items, the ages and each row's line in the file.
        let mut ids: Vec<Vec<Option<String>>> = vec![Vec::new(); job.id_columns.len()];
        let mut items: Vec<(String, Vec<Option<i64>>)> = header
            .iter()
            .zip(&roles)
            .filter(|(_, role)| **role == Some(Role::Item))
            .map(|(name, _)| (name.clone(), Vec::new()))
            .collect();
        let mut ages: Vec<Option<u32>> = Vec::new();
        let mut lines: Vec<u64> = Vec::new();
        let mut problems: Vec<String> = Vec::new();
        while lines.len() < BLOCK_ROWS {
            let more = reader
                .read_record(&mut record)
                .map_err(|e| csv_failure(job.file, &e))?;
            if !more {
                quotes.check_up_to(None)?;
                break;
            }
            let line = record.position().map_or(0, csv::Position::line);
            quotes.check_up_to(record.position())?;
            let at = format!("line {line}");
            lines.push(line);
            let mut item = 0;
            for ((name, role), cell) in header.iter().zip(&roles).zip(record.iter()) {
                match role {
                    Some(Role::Id) => {
                        if let Some(slot) = job.id_columns.iter().position(|c| c == name) {
                            ids[slot].push(Some(cell.to_owned()));
                        }
                    }
                    Some(Role::Item) => {
                        let value = parse_cell(cell).unwrap_or_else(|| {
                            problems.push(cell_problem(
                                job.file,
                                &at,
                                name,
                                "outcomes.wrong_type",
                                format!(
                                    "item {name}: {} is not a whole number",
                                    barnvern_core::identifier::echo(cell)
                                ),
                            ));
                            None
                        });
                        items[item].1.push(value);
                        item += 1;
                    }
                    Some(Role::Age) => {
                        let age =
                            parse_cell(cell).and_then(|v| v.map(u32::try_from).transpose().ok());
                        match age {
                            Some(age) => ages.push(age),
                            None => {
                                problems.push(cell_problem(
                                    job.file,
                                    &at,
                                    name,
                                    "outcomes.age",
                                    format!(
                                        "{} is not an age in whole years",
                                        barnvern_core::identifier::echo(cell)
                                    ),
                                ));
                                ages.push(None);
                            }
                        }
                    }
                    None => {}
                }
            }
        }
        if !problems.is_empty() {
            for p in problems.iter().take(MAX_PRINTED) {
                eprintln!("{p}");
            }
            if problems.len() > MAX_PRINTED {
                eprintln!(
                    "{}: {} more bad cells",
                    job.file.display(),
                    problems.len() - MAX_PRINTED
                );
            }
            return Err(Failure(EXIT_INVALID));
        }
        let rows = lines.len();
        if rows == 0 && first_row > 0 {
            break;
        }
        let ages = job.age_column.map(|_| ages.as_slice());
        let label = |r: usize| format!("line {}", lines.get(r).copied().unwrap_or(0));
        let scores = job.score(&items, ages, first_row, &label)?;
        let mut arrays: Vec<ArrayRef> = ids
            .into_iter()
            .map(|cells| Arc::new(StringArray::from(cells)) as ArrayRef)
            .collect();
        arrays.extend(score_arrays(scores, rows));
        sink.write(arrays)?;
        first_row += rows;
        if rows < BLOCK_ROWS {
            break;
        }
    }
    Ok(())
}

/// A CSV error as a finding with its line.
fn csv_failure(file: &Path, e: &csv::Error) -> Failure {
    let line = e.position().map(csv::Position::line);
    let at = line.map_or_else(String::new, |l| format!(", line {l}"));
    match e.kind() {
        csv::ErrorKind::Io(_) => fail(EXIT_IO, format!("cannot read {}: {e}", file.display())),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => fail(
            EXIT_INVALID,
            format!(
                "{}{at}: error [outcomes.csv_row]: the row has {len} cells; the header has \
                 {expected_len}",
                file.display()
            ),
        ),
        csv::ErrorKind::Utf8 { .. } => fail(
            EXIT_INVALID,
            format!(
                "{}{at}: error [outcomes.csv_utf8]: the row is not valid UTF-8",
                file.display()
            ),
        ),
        _ => fail(
            EXIT_INVALID,
            format!(
                "{}{at}: error [outcomes.csv_row]: malformed CSV",
                file.display()
            ),
        ),
    }
}

/// Checks that every CSV row closes the quotes it opens. The csv reader takes an unclosed
/// quote (`"1` at the end of the file) as a quoted cell running to the end, so a second,
/// sequential read of the same bytes counts the quote characters of each row: an odd count is
/// a quote left open (a quote inside an unquoted cell, which RFC 4180 does not allow, counts
/// as one too).
struct QuoteCheck<'a> {
    file: &'a Path,
    raw: std::io::BufReader<File>,
    /// Bytes read so far, and the line the current row starts on.
    at: u64,
    line: u64,
}

impl<'a> QuoteCheck<'a> {
    fn new(file: &'a Path) -> Result<Self, Failure> {
        let raw = File::open(file)
            .map_err(|e| fail(EXIT_IO, format!("cannot read {}: {e}", file.display())))?;
        Ok(QuoteCheck {
            file,
            raw: std::io::BufReader::new(raw),
            at: 0,
            line: 1,
        })
    }

    /// Checks the row (or header) that ends where `next` starts, or at the end of the file.
    fn check_up_to(&mut self, next: Option<&csv::Position>) -> Result<(), Failure> {
        use std::io::BufRead;
        let end = next.map_or(u64::MAX, csv::Position::byte);
        let mut quotes = 0u64;
        while self.at < end {
            let buf = self
                .raw
                .fill_buf()
                .map_err(|e| fail(EXIT_IO, format!("cannot read {}: {e}", self.file.display())))?;
            if buf.is_empty() {
                break;
            }
            let take = usize::try_from(end - self.at).map_or(buf.len(), |n| n.min(buf.len()));
            quotes += buf[..take].iter().filter(|&&b| b == b'"').count() as u64;
            self.raw.consume(take);
            self.at += take as u64;
        }
        if quotes % 2 == 1 {
            return Err(fail(
                EXIT_INVALID,
                format!(
                    "{}, line {}: error [outcomes.csv_quote]: a quoted cell is not closed",
                    self.file.display(),
                    self.line
                ),
            ));
        }
        if let Some(next) = next {
            self.line = next.line();
        }
        Ok(())
    }
}

/// A CSV cell as an item value: empty or `NA` is not done; otherwise a whole number or `None`
/// for "not a whole number" (the caller reports it).
fn parse_cell(cell: &str) -> Option<Option<i64>> {
    if cell.is_empty() || cell == "NA" {
        return Some(None);
    }
    cell.parse::<i64>().ok().map(Some)
}

// --- Parquet ------------------------------------------------------------------------------------

fn read_parquet(job: &Job<'_>, sink: &mut Sink) -> Result<(), Failure> {
    let file = File::open(job.file)
        .map_err(|e| fail(EXIT_IO, format!("cannot read {}: {e}", job.file.display())))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.with_batch_size(BLOCK_ROWS).build())
        .map_err(|e| fail(EXIT_IO, format!("cannot read {}: {e}", job.file.display())))?;
    let input = reader.schema();
    let header: Vec<String> = input.fields().iter().map(|f| f.name().clone()).collect();
    let roles = job.roles(&header)?;

    let mut problems = Vec::new();
    for (field, role) in input.fields().iter().zip(&roles) {
        if matches!(role, Some(Role::Item | Role::Age)) && !is_integer(field.data_type()) {
            problems.push(format!(
                "{}: column {}: error [outcomes.column_type]: the column is {}; items and ages \
                 must be integer columns",
                job.file.display(),
                field.name(),
                field.data_type()
            ));
        }
    }
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("{p}");
        }
        return Err(Failure(EXIT_INVALID));
    }
    let id_fields: Vec<Field> = job
        .id_columns
        .iter()
        .filter_map(|name| input.field_with_name(name).ok().cloned())
        .collect();
    let schema = job.output_schema(id_fields)?;
    sink.start(&schema, job.file)?;

    let mut first_row = 0usize;
    for batch in reader {
        let batch =
            batch.map_err(|e| fail(EXIT_IO, format!("cannot read {}: {e}", job.file.display())))?;
        let rows = batch.num_rows();
        let mut items = Vec::new();
        let mut ages = None;
        for ((name, role), column) in header.iter().zip(&roles).zip(batch.columns()) {
            match role {
                Some(Role::Item) => items.push((
                    name.clone(),
                    int_column(column.as_ref()).unwrap_or_default(),
                )),
                Some(Role::Age) => {
                    let mut converted = Vec::with_capacity(rows);
                    for (r, value) in int_column(column.as_ref())
                        .unwrap_or_default()
                        .into_iter()
                        .enumerate()
                    {
                        match value.map(u32::try_from).transpose() {
                            Ok(age) => converted.push(age),
                            Err(_) => {
                                eprintln!(
                                    "{}",
                                    cell_problem(
                                        job.file,
                                        &format!("row {}", first_row + r + 1),
                                        name,
                                        "outcomes.age",
                                        format!(
                                            "{} is not an age in whole years",
                                            value.unwrap_or_default()
                                        ),
                                    )
                                );
                                return Err(Failure(EXIT_INVALID));
                            }
                        }
                    }
                    ages = Some(converted);
                }
                Some(Role::Id) | None => {}
            }
        }
        let label = |r: usize| format!("row {}", first_row + r + 1);
        let scores = job.score(&items, ages.as_deref(), first_row, &label)?;
        let mut arrays: Vec<ArrayRef> = job
            .id_columns
            .iter()
            .filter_map(|name| batch.schema().index_of(name).ok())
            .map(|i| Arc::clone(batch.column(i)))
            .collect();
        arrays.extend(score_arrays(scores, rows));
        sink.write(arrays)?;
        first_row += rows;
    }
    Ok(())
}

// --- output -------------------------------------------------------------------------------------

fn band_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

impl Job<'_> {
    /// The id fields, a Float64 column per score and a dictionary column per banded score; the
    /// instrument, its version and the algorithm in the metadata.
    fn output_schema(&self, mut fields: Vec<Field>) -> Result<SchemaRef, Failure> {
        let shape = score_columns_from(self.instrument, &[], None, &self.options, 0)
            .map_err(|err| self.report(&err, 0, &|r| format!("row {}", r + 1)))?;
        for column in &shape.columns {
            fields.push(Field::new(&column.id, DataType::Float64, true));
            if column.bands.is_some() {
                fields.push(Field::new(format!("{}_band", column.id), band_type(), true));
            }
        }
        let metadata = [
            ("barnvern.instrument", shape.instrument),
            ("barnvern.instrument_version", shape.version),
            ("barnvern.algorithm", shape.algorithm),
            ("barnvern.engine_version", shape.engine_version),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Ok(Arc::new(Schema::new_with_metadata(fields, metadata)))
    }
}

/// The score columns as Arrow arrays. With no item column the crate sees no rows; `rows` is the
/// block's row count.
fn score_arrays(scores: ScoreColumns, rows: usize) -> Vec<ArrayRef> {
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for column in scores.columns {
        let mut values = column.values;
        values.resize(rows, None);
        arrays.push(Arc::new(Float64Array::from(values)));
        if let Some(bands) = column.bands {
            let mut codes: Vec<Option<i32>> =
                bands.codes.iter().map(|c| c.map(i32::from)).collect();
            codes.resize(rows, None);
            let keys = Int32Array::from(codes);
            let labels = Arc::new(StringArray::from(bands.labels));
            match DictionaryArray::<Int32Type>::try_new(keys, labels) {
                Ok(dict) => arrays.push(Arc::new(dict)),
                Err(_) => arrays.push(arrow_array::new_null_array(&band_type(), rows)),
            }
        }
    }
    arrays
}

/// Where the scores go: CSV or Parquet, to a file written beside and renamed at the end, or CSV
/// to standard output once every row is scored.
struct Sink {
    out: Option<PathBuf>,
    format: Format,
    schema: Option<SchemaRef>,
    writer: Option<Writer>,
}

enum Writer {
    Csv(csv::Writer<Target>),
    Parquet(ArrowWriter<BufWriter<File>>),
}

/// Where CSV goes: memory (for standard output, written once every row is scored) or a file.
enum Target {
    Memory(Vec<u8>),
    File(BufWriter<File>),
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
fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

impl Sink {
    fn new(out: Option<&Path>, format: Format) -> Sink {
        Sink {
            out: out.map(Path::to_path_buf),
            format,
            schema: None,
            writer: None,
        }
    }

    fn start(&mut self, schema: &SchemaRef, input: &Path) -> Result<(), Failure> {
        let io = |path: &Path, e: &dyn std::fmt::Display| {
            fail(EXIT_IO, format!("cannot write {}: {e}", path.display()))
        };
        self.schema = Some(Arc::clone(schema));
        let target = match &self.out {
            None => Target::Memory(Vec::new()),
            Some(out) => {
                if out.canonicalize().ok() == input.canonicalize().ok() && out.exists() {
                    return Err(fail(EXIT_USAGE, "the output file is the input file"));
                }
                let partial = partial_path(out);
                let file = File::create(&partial).map_err(|e| io(&partial, &e))?;
                if self.format == Format::Parquet {
                    let props = WriterProperties::builder()
                        .set_compression(Compression::ZSTD(ZstdLevel::default()))
                        .build();
                    let writer =
                        ArrowWriter::try_new(BufWriter::new(file), Arc::clone(schema), Some(props))
                            .map_err(|e| io(&partial, &e))?;
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

    fn write(&mut self, arrays: Vec<ArrayRef>) -> Result<(), Failure> {
        let Some(schema) = &self.schema else {
            return Ok(());
        };
        let batch = RecordBatch::try_new(Arc::clone(schema), arrays)
            .map_err(|e| fail(EXIT_INVALID, format!("cannot build the scores: {e}")))?;
        match &mut self.writer {
            Some(Writer::Parquet(writer)) => writer
                .write(&batch)
                .map_err(|e| fail(EXIT_IO, format!("cannot write the scores: {e}"))),
            Some(Writer::Csv(writer)) => write_csv(writer, &batch),
            None => Ok(()),
        }
    }

    fn finish(self) -> Result<(), Failure> {
        let io = |e: &dyn std::fmt::Display| fail(EXIT_IO, format!("cannot write the scores: {e}"));
        match self.writer {
            Some(Writer::Parquet(writer)) => {
                writer.close().map_err(|e| io(&e))?;
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
                    }
                    Target::File(mut file) => file.flush().map_err(|e| io(&e))?,
                }
            }
            None => {}
        }
        if let Some(out) = &self.out {
            std::fs::rename(partial_path(out), out)
                .map_err(|e| fail(EXIT_IO, format!("cannot write {}: {e}", out.display())))?;
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
        DataType::Dictionary(key, _) if **key == DataType::Int32 => {
            let dict = array.as_dictionary::<Int32Type>();
            let key = dict.keys().value(row);
            let values = dict.values();
            usize::try_from(key)
                .ok()
                .and_then(|k| cell_text(values.as_ref(), k).ok())
                .unwrap_or_default()
        }
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
