//! Scoring a table of respondents (one row each, one integer column per item) with an
//! instrument, in blocks: the one home of the column plan, the result schema and the score
//! columns as Arrow arrays, used by `barnvern score` (CSV and Parquet files) and by Python's
//! `bv.score_table` (any Arrow table). The scoring rules themselves are
//! [`barnvern_outcomes::columnar::score_int_columns_from`], which reads the item columns' Arrow
//! buffers in place and writes score buffers that become the result arrays without a copy.
//!
//! - [`TableScorer`] checks an Arrow schema against the instrument once (every finding at
//!   once) and scores record batches into result batches: the id columns as they came, a
//!   Float64 column per score and a dictionary column `<score>_band` per banded score, with the
//!   instrument, its version, the algorithm and the engine version in the schema metadata.
//! - [`CsvScorer`] reads respondents from CSV (a header row; an empty cell or `NA` is an item
//!   not done) into the same plan, and names the line and column of every finding.
//!
//! ```
//! use barnvern_arrow::scoring::{Columns, CsvScorer};
//! use barnvern_outcomes::{ScoreOptions, builtin};
//!
//! let aim = builtin("aim").expect("a built-in instrument");
//! let csv = "pid,aim1,aim2,aim3,aim4\na,4,4,5,4\nb,5,NA,5,5\n";
//! let columns = Columns { id_columns: vec!["pid".into()], ..Columns::default() };
//! let mut scorer = CsvScorer::new(csv.as_bytes(), aim, &columns, ScoreOptions::default())?;
//! let batch = scorer.next_batch()?.expect("two rows");
//! assert_eq!(batch.num_rows(), 2);
//! assert!(batch.schema().field_with_name("aim").is_ok());
//!
//! // A cell that is not a whole number is refused with its line and column.
//! let bad = "aim1,aim2,aim3,aim4\n4,4,x,4\n";
//! let mut scorer = CsvScorer::new(bad.as_bytes(), aim, &Columns::default(), ScoreOptions::default())?;
//! let err = scorer.next_batch().unwrap_err();
//! assert_eq!(err.findings()[0].path, "line 2, column aim3");
//! assert_eq!(err.findings()[0].code, "outcomes.wrong_type");
//! # Ok::<(), barnvern_arrow::scoring::ScoreFileError>(())
//! ```

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::rc::Rc;
use std::sync::Arc;

use arrow_array::types::{Int8Type, Int16Type};
use arrow_array::{
    ArrayRef, DictionaryArray, Float64Array, Int8Array, Int16Array, Int64Array, RecordBatch,
    StringArray,
};
use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use barnvern_core::identifier::echo;
use barnvern_core::{Finding, Findings, ValidationError};
use barnvern_outcomes::columnar::{Bitmap, DenseScores, IntColumn, score_int_columns_in_parts};
use barnvern_outcomes::{Instrument, ScoreOptions, score_columns_from};

use crate::ints::{int_column, int_view, is_integer};

/// Codes of the findings of this module (beside those of `barnvern_outcomes`).
pub mod codes {
    /// A column named as an id or age column is not in the data, or a column is neither an
    /// item nor named.
    pub const UNKNOWN_COLUMN: &str = "outcomes.unknown_column";
    /// An item of the instrument has no column (and missing items are not allowed).
    pub const MISSING_COLUMN: &str = "outcomes.missing_column";
    /// An id column has the name of a column of the result.
    pub const DUPLICATE_COLUMN: &str = "outcomes.duplicate_column";
    /// An item or age column is not of an integer type.
    pub const COLUMN_TYPE: &str = "outcomes.column_type";
    /// An age that is not a whole number of years.
    pub const AGE: &str = "outcomes.age";
    /// A CSV cell of an item that is not a whole number.
    pub const WRONG_TYPE: &str = "outcomes.wrong_type";
    /// A CSV file with no header row.
    pub const CSV_EMPTY: &str = "outcomes.csv_empty";
    /// A CSV row with another number of cells than the header, or otherwise malformed.
    pub const CSV_ROW: &str = "outcomes.csv_row";
    /// A CSV row that is not valid UTF-8.
    pub const CSV_UTF8: &str = "outcomes.csv_utf8";
    /// A quoted CSV cell that is not closed.
    pub const CSV_QUOTE: &str = "outcomes.csv_quote";
    /// The result could not be assembled (a bug, reported rather than a panic).
    pub const ARROW: &str = "outcomes.arrow";
}

/// At most this many findings about cells are listed before the reader stops listing.
pub const MAX_LISTED: usize = 100;

/// Which columns of the data are not items.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    /// Columns copied to the result unchanged (respondent keys).
    pub id_columns: Vec<String>,
    /// The column with the child's age in whole years, which chooses the band table per row.
    pub age_column: Option<String>,
    /// Score data that lacks some item columns as if every row left those items unanswered
    /// (the instrument's missing-item rules decide what is scored). Without it a missing item
    /// column is an error: a misspelt header must not silently lower every score.
    pub allow_missing_items: bool,
}

/// What an input column is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Item,
    Age,
}

/// A column name as a message or path may show it: a header is input and could hold an
/// identity number in any written form, so only a short code-like name is shown as it is
/// (`barnvern_core::identifier::echo`'s rule), anything else described in parentheses.
fn shown(name: &str) -> String {
    let echoed = echo(name);
    if echoed.starts_with('"') {
        name.to_owned()
    } else {
        format!("({echoed})")
    }
}

/// Scores Arrow record batches of respondents with one instrument; see the module docs.
#[derive(Debug)]
pub struct TableScorer<'a> {
    instrument: &'a Instrument,
    options: ScoreOptions,
    /// The input columns that are items or the age, by index.
    roles: Vec<(usize, Role)>,
    /// The input index of each id column, in the order named.
    ids: Vec<usize>,
    schema: SchemaRef,
}

impl<'a> TableScorer<'a> {
    /// Checks `input` against the instrument and the named columns, reporting every finding at
    /// once: a named column that is not there or an input column that is neither an item nor
    /// named (`outcomes.unknown_column`), an item column missing
    /// (`outcomes.missing_column`, unless allowed), an item or age column that is not of an
    /// integer type (`outcomes.column_type`), an id column named like a result column
    /// (`outcomes.duplicate_column`). Paths are `columns.<name>`.
    pub fn new(
        instrument: &'a Instrument,
        input: &Schema,
        columns: &Columns,
        options: ScoreOptions,
    ) -> Result<TableScorer<'a>, ValidationError> {
        let mut report = Findings::new();
        let age = columns.age_column.as_deref();
        for name in columns.id_columns.iter().map(String::as_str).chain(age) {
            if input.index_of(name).is_err() {
                report.push(Finding::error(
                    format!("columns.{}", shown(name)),
                    codes::UNKNOWN_COLUMN,
                    format!(
                        "column {} is named but the data has no such column",
                        shown(name)
                    ),
                ));
            }
        }
        // Which scores (and band columns) the result has depends only on the instrument and
        // the informant.
        let shape = score_columns_from(instrument, &[], None, &options, 0)?;
        let result_names: Vec<String> = shape
            .columns
            .iter()
            .flat_map(|c| [c.id.clone(), format!("{}_band", c.id)])
            .collect();
        let mut roles = Vec::new();
        for (index, field) in input.fields().iter().enumerate() {
            let name = field.name().as_str();
            let path = format!("columns.{}", shown(name));
            let is_id = columns.id_columns.iter().any(|c| c == name);
            if is_id && result_names.iter().any(|r| r == name) {
                report.push(Finding::error(
                    path.clone(),
                    codes::DUPLICATE_COLUMN,
                    format!(
                        "id column {} has the name of a score column of the result",
                        shown(name)
                    ),
                ));
            }
            let is_item = instrument.item(name).is_some();
            let is_age = age == Some(name);
            if (is_item || is_age) && !is_integer(field.data_type()) {
                report.push(Finding::error(
                    path,
                    codes::COLUMN_TYPE,
                    format!(
                        "column {} is {}: {} must be an integer column (no column is truncated \
                         or parsed)",
                        shown(name),
                        field.data_type(),
                        if is_age { "the age" } else { "an item" }
                    ),
                ));
            } else if is_age {
                roles.push((index, Role::Age));
            } else if is_item {
                roles.push((index, Role::Item));
            } else if !is_id {
                report.push(Finding::error(
                    path,
                    codes::UNKNOWN_COLUMN,
                    format!(
                        "column {} is not an item of {} (version {}); name it as an id column \
                         to pass it through",
                        shown(name),
                        instrument.id(),
                        instrument.version()
                    ),
                ));
            }
        }
        if !columns.allow_missing_items {
            for item in instrument.items() {
                let name = item.name.as_str();
                if input.index_of(name).is_err() {
                    report.push(Finding::error(
                        format!("columns.{name}"),
                        codes::MISSING_COLUMN,
                        format!(
                            "{name} is an item of {} (version {}) that the data has no column \
                             for; allow missing items to score it as unanswered in every row",
                            instrument.id(),
                            instrument.version()
                        ),
                    ));
                }
            }
        }
        report.into_result()?;

        let ids: Vec<usize> = columns
            .id_columns
            .iter()
            .filter_map(|name| input.index_of(name).ok())
            .collect();
        let mut fields: Vec<Field> = ids.iter().map(|&i| input.field(i).clone()).collect();
        for column in &shape.columns {
            fields.push(Field::new(&column.id, DataType::Float64, true));
            if let Some(bands) = &column.bands {
                fields.push(Field::new(
                    format!("{}_band", column.id),
                    band_type(bands.labels.len()),
                    true,
                ));
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
        Ok(TableScorer {
            instrument,
            options,
            roles,
            ids,
            schema: Arc::new(Schema::new_with_metadata(fields, metadata)),
        })
    }

    /// The schema of the result batches.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Scores one batch whose first row is row `first_row` (from 0) of the whole table, so
    /// findings name the row in the whole table: `columns.<item>[<row>]`. The batch must have
    /// the schema the scorer was made with.
    pub fn score(
        &self,
        batch: &RecordBatch,
        first_row: usize,
    ) -> Result<RecordBatch, ValidationError> {
        let parts = self.score_parts(batch, first_row)?;
        if let [one] = parts.as_slice() {
            return Ok(one.clone());
        }
        arrow_select::concat::concat_batches(&self.schema, &parts).map_err(|e| {
            Finding::error("", codes::ARROW, format!("cannot build the result: {e}")).into()
        })
    }

    /// [`TableScorer::score`] as one or more batches that together hold the batch's rows in
    /// order: a large batch is scored on every core, a part per core, and each part's result
    /// batch is built where it was scored, so nothing is copied to put the parts together.
    pub fn score_parts(
        &self,
        batch: &RecordBatch,
        first_row: usize,
    ) -> Result<Vec<RecordBatch>, ValidationError> {
        let rows = batch.num_rows();
        let input = batch.schema();
        let mut items: Vec<(&str, IntColumn<'_>)> = Vec::new();
        let mut ages: Option<Vec<Option<u32>>> = None;
        let mut report = Findings::new();
        for &(index, role) in &self.roles {
            let name = input.field(index).name().as_str();
            let column = batch.column(index).as_ref();
            match role {
                // An all-null column holds no answer: as if the item had no column.
                Role::Item => items.extend(int_view(column).map(|c| (name, c))),
                Role::Age => {
                    let values = int_column(column).unwrap_or_default();
                    let mut converted = Vec::with_capacity(rows);
                    for (row, value) in values.into_iter().enumerate() {
                        match value.map(u32::try_from).transpose() {
                            Ok(age) => converted.push(age),
                            Err(_) => {
                                converted.push(None);
                                if report.findings.len() < MAX_LISTED {
                                    report.push(Finding::error(
                                        format!("columns.{}[{}]", shown(name), first_row + row),
                                        codes::AGE,
                                        format!(
                                            "{} is not an age in whole years",
                                            value.unwrap_or_default()
                                        ),
                                    ));
                                }
                            }
                        }
                    }
                    ages = Some(converted);
                }
            }
        }
        report.into_result()?;
        // With no item or age column the scorer sees no rows, and every score of the batch's
        // rows is null.
        let sees_rows = !items.is_empty() || ages.is_some();
        let part = |start: usize, scores: DenseScores| {
            let len = if sees_rows { scores.rows } else { rows };
            let mut arrays: Vec<ArrayRef> = self
                .ids
                .iter()
                .map(|&i| batch.column(i).slice(start, len))
                .collect();
            arrays.extend(score_arrays(scores, len));
            RecordBatch::try_new(Arc::clone(&self.schema), arrays).map_err(|e| {
                ValidationError::from(Finding::error(
                    "",
                    codes::ARROW,
                    format!("cannot build the result: {e}"),
                ))
            })
        };
        score_int_columns_in_parts(
            self.instrument,
            &items,
            ages.as_deref(),
            &self.options,
            first_row,
            &part,
        )?
        .into_iter()
        .collect()
    }
}

/// The type of a band column with `labels` labels: a dictionary of the labels keyed by a byte
/// (`int8`, as pandas keys a categorical of up to 128 categories) or, past 128 labels, by
/// `int16`. The keys are signed, as Arrow recommends and every reader takes.
fn band_type(labels: usize) -> DataType {
    let key = if labels <= BYTE_KEYED_LABELS {
        DataType::Int8
    } else {
        DataType::Int16
    };
    DataType::Dictionary(Box::new(key), Box::new(DataType::Utf8))
}

/// The most labels a band column keyed by `int8` can have.
const BYTE_KEYED_LABELS: usize = 128;

/// The score columns as Arrow arrays, built on the scorer's buffers without a copy: a Float64
/// array per score, then its band column. With no item or age column the scoring sees no rows;
/// `rows` is the batch's row count.
fn score_arrays(scores: DenseScores, rows: usize) -> Vec<ArrayRef> {
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for column in scores.columns {
        if column.values.len() != rows {
            arrays.push(arrow_array::new_null_array(&DataType::Float64, rows));
            if let Some(bands) = &column.bands {
                arrays.push(arrow_array::new_null_array(
                    &band_type(bands.labels.len()),
                    rows,
                ));
            }
            continue;
        }
        arrays.push(Arc::new(Float64Array::new(
            ScalarBuffer::from(column.values),
            nulls(column.validity),
        )));
        if let Some(bands) = column.bands {
            let data_type = band_type(bands.labels.len());
            let labels: ArrayRef = Arc::new(StringArray::from(bands.labels));
            let validity = nulls(bands.validity);
            // Keys index the labels by construction; an inconsistent pair gives no bands
            // rather than a panic.
            let dict: Result<ArrayRef, _> = if labels.len() <= BYTE_KEYED_LABELS {
                // Every key is below 128 here, so its byte is the same number as an i8: the
                // scorer's buffer becomes the keys without a copy.
                let keys = ScalarBuffer::<i8>::new(Buffer::from_vec(bands.keys), 0, rows);
                DictionaryArray::<Int8Type>::try_new(Int8Array::new(keys, validity), labels)
                    .map(|d| Arc::new(d) as ArrayRef)
            } else {
                let keys: Vec<i16> = bands.keys.iter().map(|&k| i16::from(k)).collect();
                DictionaryArray::<Int16Type>::try_new(
                    Int16Array::new(keys.into(), validity),
                    labels,
                )
                .map(|d| Arc::new(d) as ArrayRef)
            };
            match dict {
                Ok(dict) => arrays.push(dict),
                Err(_) => arrays.push(arrow_array::new_null_array(&data_type, rows)),
            }
        }
    }
    arrays
}

/// A validity bitmap as Arrow's null buffer (none when every row has a value).
fn nulls(validity: Bitmap) -> Option<NullBuffer> {
    if validity.null_count() == 0 {
        return None;
    }
    let len = validity.len();
    Some(NullBuffer::new(BooleanBuffer::new(
        Buffer::from_vec(validity.into_bytes()),
        0,
        len,
    )))
}

// --- CSV ----------------------------------------------------------------------------------------

/// Why a file of respondents could not be scored.
#[derive(Debug, thiserror::Error)]
pub enum ScoreFileError {
    /// The data break a rule: every finding, each with its place (`line 3, column obeys` in a
    /// CSV file, `columns.obeys[2]` in a table), rule code and message.
    #[error("{0}")]
    Invalid(ValidationError),
    /// The input could not be read.
    #[error("cannot read the input: {0}")]
    Io(#[from] std::io::Error),
}

impl ScoreFileError {
    /// The findings (none for an I/O error).
    pub fn findings(&self) -> &[Finding] {
        match self {
            ScoreFileError::Invalid(v) => v.findings(),
            ScoreFileError::Io(_) => &[],
        }
    }
}

impl From<ValidationError> for ScoreFileError {
    fn from(v: ValidationError) -> Self {
        ScoreFileError::Invalid(v)
    }
}

impl From<Finding> for ScoreFileError {
    fn from(finding: Finding) -> Self {
        ScoreFileError::Invalid(finding.into())
    }
}

/// Rows read into one batch by [`CsvScorer`].
pub const CSV_BLOCK_ROWS: usize = 65_536;

/// The byte offsets of the quote characters that passed through, for the quote check.
type QuoteLog = Rc<RefCell<(u64, VecDeque<u64>)>>;

/// The input as the CSV parser reads it, logging where each `"` is.
struct QuoteTap<R> {
    inner: R,
    log: QuoteLog,
}

impl<R: Read> Read for QuoteTap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut log = self.log.borrow_mut();
        let start = log.0;
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'"' {
                log.1.push_back(start + i as u64);
            }
        }
        log.0 += n as u64;
        Ok(n)
    }
}

/// Reads respondents from CSV and scores them block by block with a [`TableScorer`]; see the
/// module docs. Item and age cells must be whole numbers (an empty cell or `NA` is an item not
/// done); id cells are kept as text. Every finding names its line and column
/// (`line 3, column obeys`).
///
/// The CSV parser takes a quote left open (`"1` at the end of the file) as a quoted cell
/// running to the end, so the reader also counts the quote characters of each row: an odd
/// count is a quoted cell not closed (`outcomes.csv_quote`; a quote inside an unquoted cell,
/// which RFC 4180 does not allow, counts as one too).
pub struct CsvScorer<'a, R: Read> {
    reader: csv::Reader<QuoteTap<R>>,
    quotes: QuoteLog,
    /// The line the row after the last checked one starts on.
    line: u64,
    header: Vec<String>,
    /// Per header column, whether it holds integers (items, the age).
    integer: Vec<bool>,
    input: SchemaRef,
    scorer: TableScorer<'a>,
    age_column: Option<String>,
    rows_read: usize,
    done: bool,
}

impl<'a, R: Read> CsvScorer<'a, R> {
    /// Reads the header and checks it against the instrument ([`TableScorer::new`]).
    pub fn new(
        input: R,
        instrument: &'a Instrument,
        columns: &Columns,
        options: ScoreOptions,
    ) -> Result<CsvScorer<'a, R>, ScoreFileError> {
        let quotes: QuoteLog = Rc::new(RefCell::new((0, VecDeque::new())));
        let tap = QuoteTap {
            inner: input,
            log: Rc::clone(&quotes),
        };
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(tap);
        let header: Vec<String> = reader
            .headers()
            .map_err(csv_error)?
            .iter()
            .map(str::to_owned)
            .collect();
        if header.iter().all(String::is_empty) {
            return Err(Finding::error(
                "",
                codes::CSV_EMPTY,
                "the file is empty: a CSV file needs a header row naming the item columns",
            )
            .into());
        }
        let age = columns.age_column.as_deref();
        let integer: Vec<bool> = header
            .iter()
            .map(|h| age == Some(h.as_str()) || instrument.item(h).is_some())
            .collect();
        let fields: Vec<Field> = header
            .iter()
            .zip(&integer)
            .map(|(name, &int)| {
                let t = if int { DataType::Int64 } else { DataType::Utf8 };
                Field::new(name, t, true)
            })
            .collect();
        let input = Arc::new(Schema::new(fields));
        let scorer = TableScorer::new(instrument, &input, columns, options)?;
        let mut me = CsvScorer {
            reader,
            quotes,
            line: 1,
            header,
            integer,
            input,
            scorer,
            age_column: columns.age_column.clone(),
            rows_read: 0,
            done: false,
        };
        let next = me.reader.position().clone();
        me.check_quotes(Some(&next))?;
        Ok(me)
    }

    /// The schema of the result batches.
    pub fn schema(&self) -> &SchemaRef {
        self.scorer.schema()
    }

    /// Checks the row (or header) that ends where `next` starts, or at the end of the input.
    fn check_quotes(&mut self, next: Option<&csv::Position>) -> Result<(), ScoreFileError> {
        let end = next.map_or(u64::MAX, csv::Position::byte);
        let mut log = self.quotes.borrow_mut();
        let mut count = 0u64;
        while log.1.front().is_some_and(|&at| at < end) {
            log.1.pop_front();
            count += 1;
        }
        drop(log);
        if count % 2 == 1 {
            return Err(Finding::error(
                format!("line {}", self.line),
                codes::CSV_QUOTE,
                "a quoted cell is not closed",
            )
            .into());
        }
        if let Some(next) = next {
            self.line = next.line();
        }
        Ok(())
    }

    /// Reads and scores the next block of rows; `None` after the last.
    pub fn next_batch(&mut self) -> Result<Option<RecordBatch>, ScoreFileError> {
        if self.done {
            return Ok(None);
        }
        let width = self.header.len();
        let mut ints: Vec<Vec<Option<i64>>> = vec![Vec::new(); width];
        let mut texts: Vec<Vec<Option<String>>> = vec![Vec::new(); width];
        let mut lines: Vec<u64> = Vec::new();
        let mut report = Findings::new();
        let mut record = csv::StringRecord::new();
        while lines.len() < CSV_BLOCK_ROWS {
            if !self.reader.read_record(&mut record).map_err(csv_error)? {
                self.check_quotes(None)?;
                self.done = true;
                break;
            }
            let line = record.position().map_or(0, csv::Position::line);
            let next = self.reader.position().clone();
            self.check_quotes(Some(&next))?;
            lines.push(line);
            for (c, cell) in record.iter().enumerate().take(width) {
                if !self.integer[c] {
                    texts[c].push(Some(cell.to_owned()));
                    continue;
                }
                let value = if cell.is_empty() || cell == "NA" {
                    None
                } else if let Ok(v) = cell.parse::<i64>() {
                    Some(v)
                } else {
                    let name = &self.header[c];
                    let is_age = self.age_column.as_deref() == Some(name.as_str());
                    if report.findings.len() < MAX_LISTED {
                        report.push(Finding::error(
                            format!("line {line}, column {}", shown(name)),
                            if is_age {
                                codes::AGE
                            } else {
                                codes::WRONG_TYPE
                            },
                            if is_age {
                                format!("{} is not an age in whole years", echo(cell))
                            } else {
                                format!(
                                    "item {}: {} is not a whole number",
                                    shown(name),
                                    echo(cell)
                                )
                            },
                        ));
                    }
                    None
                };
                ints[c].push(value);
            }
        }
        report.into_result()?;
        let rows = lines.len();
        if rows == 0 && self.rows_read > 0 {
            return Ok(None);
        }
        let arrays: Vec<ArrayRef> = (0..width)
            .map(|c| {
                if self.integer[c] {
                    Arc::new(Int64Array::from(std::mem::take(&mut ints[c]))) as ArrayRef
                } else {
                    Arc::new(StringArray::from(std::mem::take(&mut texts[c]))) as ArrayRef
                }
            })
            .collect();
        let batch = RecordBatch::try_new(Arc::clone(&self.input), arrays).map_err(|e| {
            Finding::error("", codes::ARROW, format!("cannot build the block: {e}"))
        })?;
        let first_row = self.rows_read;
        self.rows_read += rows;
        self.scorer
            .score(&batch, first_row)
            .map(Some)
            .map_err(|e| ScoreFileError::Invalid(located(e, first_row, &lines)))
    }
}

/// The column and row of a finding at `columns.<name>[<row>]` (the path [`TableScorer`]
/// gives a value), or `None` for any other path.
pub fn column_and_row(path: &str) -> Option<(&str, usize)> {
    let (column, row) = path
        .strip_prefix("columns.")?
        .strip_suffix(']')?
        .split_once('[')?;
    Some((column, row.parse().ok()?))
}

/// The findings of a block with `columns.<name>[<row>]` paths given the line of their row.
fn located(err: ValidationError, first_row: usize, lines: &[u64]) -> ValidationError {
    let mut report = Findings::new();
    for mut finding in err.findings {
        let at = column_and_row(&finding.path).map(|(c, r)| (c.to_owned(), r));
        if let Some((column, row)) = at {
            let line = lines
                .get(row.saturating_sub(first_row))
                .copied()
                .unwrap_or(0);
            finding.path = format!("line {line}, column {column}");
        }
        report.push(finding);
    }
    ValidationError { findings: report }
}

/// A CSV parser error as a finding with its line; I/O errors stay I/O errors.
fn csv_error(e: csv::Error) -> ScoreFileError {
    let path = e
        .position()
        .map_or_else(String::new, |p| format!("line {}", p.line()));
    match e.kind() {
        csv::ErrorKind::Io(_) => match e.into_kind() {
            csv::ErrorKind::Io(io) => ScoreFileError::Io(io),
            _ => ScoreFileError::Io(std::io::Error::other("CSV input")),
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Finding::error(
            path,
            codes::CSV_ROW,
            format!("the row has {len} cells; the header has {expected_len}"),
        )
        .into(),
        csv::ErrorKind::Utf8 { .. } => {
            Finding::error(path, codes::CSV_UTF8, "the row is not valid UTF-8").into()
        }
        _ => Finding::error(path, codes::CSV_ROW, "malformed CSV").into(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use barnvern_outcomes::builtin;

    fn sdq_header() -> String {
        builtin("sdq-p-4-17")
            .unwrap()
            .items()
            .iter()
            .take(25)
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    fn error_of(csv: &str, columns: &Columns) -> Vec<(String, String)> {
        let sdq = builtin("sdq-p-4-17").unwrap();
        let run = || -> Result<(), ScoreFileError> {
            let mut s = CsvScorer::new(csv.as_bytes(), sdq, columns, ScoreOptions::default())?;
            while s.next_batch()?.is_some() {}
            Ok(())
        };
        run()
            .unwrap_err()
            .findings()
            .iter()
            .map(|i| (i.path.clone(), i.code.clone()))
            .collect()
    }

    #[test]
    fn csv_findings_name_line_and_column() {
        let all = Columns::default();
        let partial = Columns {
            allow_missing_items: true,
            ..Columns::default()
        };
        assert_eq!(
            error_of("obeys\n1\n3\n", &partial),
            [(
                "line 3, column obeys".into(),
                "outcomes.out_of_range".into()
            )]
        );
        assert_eq!(
            error_of("obeys\n1\n\"1\n", &partial),
            [("line 3".into(), codes::CSV_QUOTE.into())]
        );
        assert_eq!(
            error_of("obeys,lies\n1,1\n1\n", &partial),
            [("line 3".into(), codes::CSV_ROW.into())]
        );
        assert_eq!(error_of("", &all), [("".into(), codes::CSV_EMPTY.into())]);
        let missing = error_of("obeys\n1\n", &all);
        let items = builtin("sdq-p-4-17").unwrap().items().len();
        assert_eq!(missing.len(), items - 1);
        assert!(missing.iter().all(|(_, c)| c == codes::MISSING_COLUMN));
    }

    #[test]
    fn a_header_shaped_like_an_identity_number_is_not_shown() {
        let partial = Columns {
            allow_missing_items: true,
            ..Columns::default()
        };
        let errors = error_of(&format!("{},189001019802\n", sdq_header()), &partial);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].1, codes::UNKNOWN_COLUMN);
        assert!(!errors[0].0.contains("9802"), "{errors:?}");
    }

    #[test]
    fn csv_and_arrow_give_the_same_scores() {
        let sdq = builtin("sdq-p-4-17").unwrap();
        let header = sdq_header();
        let row = |v: u8| {
            (0..25)
                .map(|i| ((i + v) % 3).to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let csv = format!("{header}\n{}\n{}\n", row(0), row(1));
        // The 25 items without the impact supplement.
        let columns = Columns {
            allow_missing_items: true,
            ..Columns::default()
        };
        let mut s = CsvScorer::new(csv.as_bytes(), sdq, &columns, ScoreOptions::default()).unwrap();
        let from_csv = s.next_batch().unwrap().unwrap();
        assert!(s.next_batch().unwrap().is_none());

        let fields: Vec<Field> = sdq
            .items()
            .iter()
            .take(25)
            .map(|i| Field::new(i.name.as_str(), DataType::Int64, true))
            .collect();
        let arrays: Vec<ArrayRef> = (0..25)
            .map(|i| Arc::new(Int64Array::from(vec![Some(i % 3), Some((i + 1) % 3)])) as ArrayRef)
            .collect();
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
        let t = TableScorer::new(sdq, &batch.schema(), &columns, ScoreOptions::default()).unwrap();
        assert_eq!(t.score(&batch, 0).unwrap(), from_csv);
    }
}
