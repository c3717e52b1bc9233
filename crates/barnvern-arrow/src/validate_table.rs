//! Validating a research table that arrives as Arrow data from elsewhere (pyarrow, polars,
//! DuckDB, another Parquet writer) against its [`TableSpec`], with one finding per bad cell.
//!
//! The checks, in the order a reader meets them:
//!
//! - **columns**: every column of the spec is present (`research.missing_column`) with a type
//!   that holds the spec's values without loss (`research.column_type`); a column the spec does
//!   not know is a warning (`research.unknown_column`), except the hive partition column `year`,
//!   which is checked against the row's year column (`dataset.partition_year`);
//! - **nulls**: a required column holds no null, also through a dictionary (`research.null`);
//! - **codes**: a coded column holds codes of its code list (`codelist.unknown_code`), with the
//!   municipality list of the row's jurisdiction and the source code system named in the row;
//! - **ranges**: positions (index columns) are not negative, and the ranges the spec's
//!   documentation states ([`range_of`]) hold; every integer fits the spec's 32 bits, every
//!   float is finite (`research.range`);
//! - **precision**: a nanosecond timestamp or a millisecond date is accepted when it has no
//!   finer part than the spec's microseconds or days (`research.precision`).
//!
//! **What is cast.** Producers choose their own physical types for the same values: polars
//! writes 64-bit integers and string views, pandas large strings, DuckDB 64-bit integers. A
//! column is accepted when every value it *can* hold is representable in the spec's type, or
//! when each value is checked to be: any integer width for an `int32` column (each value must
//! fit), any string type or dictionary of strings (any key width) for text and code columns,
//! `float32` and integers for a `double` column, `date64` for `date32` (whole days), a
//! timestamp of any unit **with a time zone** for `timestamp[us, tz=UTC]` (an instant is an
//! instant whatever zone it is shown in; a nanosecond value must be whole microseconds), and a
//! list or large list of integers for `list<int32>`. A column of Arrow type `null` (no value
//! at all) is accepted for any type and its rows checked for nulls. Nothing else is coerced:
//! a timestamp without a time zone is a wall-clock time, not an instant, and text is never
//! parsed into numbers or dates.
//!
//! Rows are numbered from 0 over the whole input (every batch in order); a finding about a
//! whole column has no row. Findings are sorted by row.
//!
//! ```
//! use barnvern_arrow::to_batches;
//! use barnvern_arrow::validate_table::{ValidateOptions, validate_table};
//! use barnvern_research::ResearchCase;
//! use barnvern_research::testing::TestPseudonymiser;
//! use barnvern_case::Case;
//! use chrono::NaiveDate;
//!
//! let case = Case::from_json(include_str!("../../../examples/se-case.json")).unwrap();
//! let as_of = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
//! let research = ResearchCase::from_case(&case, &TestPseudonymiser::new(1), as_of);
//! let (spec, batch) = to_batches(&[research])
//!     .unwrap()
//!     .into_iter()
//!     .find(|(spec, _)| spec.name == "referrals")
//!     .unwrap();
//! let report = validate_table(spec, &batch.schema(), &[batch], &ValidateOptions::default());
//! assert!(report.is_ok());
//! assert_eq!(report.rows, 2);
//! ```

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date64Type, Float16Type, Float32Type, Float64Type, Int32Type, TimestampNanosecondType,
};
use arrow_array::{
    Array, ArrayRef, Int64Array, LargeStringArray, RecordBatch, StringArray, StringViewArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use barnvern_core::{Finding, Severity};
use chrono::Datelike;

use crate::columns::{cell_path, days_to_date};
use crate::error::{Error, Result};
use crate::ints::int_column;
use crate::spec::{Codes, FieldSpec, Sensitivity, TableSpec, tables};

/// The hive partition column that a reader of a dataset adds and the spec does not list.
const YEAR_PARTITION: &str = "year";

/// One finding about a table: the row it is about (from 0, over all batches), `None` for a
/// finding about a whole column, and the finding itself (path `table[row].column`, or
/// `table.column` for a column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFinding {
    /// The row, from 0 over all batches; `None` for the whole column.
    pub row: Option<u64>,
    /// What was found.
    pub finding: Finding,
}

/// How a table is validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidateOptions {
    /// List at most this many findings per column and count the rest in one
    /// `research.more_findings` finding; `None` lists every finding.
    pub max_per_column: Option<usize>,
}

/// What validating a table found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableReport {
    /// The table validated.
    pub table: &'static str,
    /// The rows given.
    pub rows: u64,
    /// Every finding, sorted by row (column findings first).
    pub findings: Vec<RowFinding>,
}

impl TableReport {
    /// True when no finding has severity error (warnings, such as an unknown extra column, are
    /// allowed).
    pub fn is_ok(&self) -> bool {
        !self
            .findings
            .iter()
            .any(|f| f.finding.severity == Severity::Error)
    }

    /// The number of findings of severity error.
    pub fn error_count(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.finding.severity == Severity::Error)
            .count()
    }

    /// The schema of [`TableReport::to_batch`]: `row` (int64, null for a whole column),
    /// `path`, `code`, `severity`, `message` (utf8).
    pub fn findings_schema() -> SchemaRef {
        static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
            Arc::new(Schema::new(vec![
                Field::new("row", DataType::Int64, true),
                Field::new("path", DataType::Utf8, false),
                Field::new("code", DataType::Utf8, false),
                Field::new("severity", DataType::Utf8, false),
                Field::new("message", DataType::Utf8, false),
            ]))
        });
        SCHEMA.clone()
    }

    /// The findings as one Arrow batch of [`TableReport::findings_schema`].
    pub fn to_batch(&self) -> Result<RecordBatch> {
        let f = &self.findings;
        let rows =
            Int64Array::from_iter(f.iter().map(|f| f.row.and_then(|r| i64::try_from(r).ok())));
        let text = |get: fn(&Finding) -> &str| -> ArrayRef {
            Arc::new(StringArray::from_iter_values(
                f.iter().map(|f| get(&f.finding)),
            ))
        };
        let columns: Vec<ArrayRef> = vec![
            Arc::new(rows),
            text(|i| &i.path),
            text(|i| &i.code),
            text(|i| i.severity.as_str()),
            text(|i| &i.message),
        ];
        Ok(RecordBatch::try_new(Self::findings_schema(), columns)?)
    }
}

/// The value range the spec's documentation states for an integer column, as
/// `(min, max, what)`; `None` when it states none beyond the 32 bits of the type.
///
/// Positions (columns of sensitivity [`Sensitivity::Index`], "0, 1, ...") are not negative;
/// the others are declared with the column ([`crate::spec::FieldSpec::range`]), next to what
/// its documentation says.
pub fn range_of(table: &str, field: &FieldSpec) -> Option<(i64, i64, &'static str)> {
    const MAX: i64 = i32::MAX as i64;
    if field.sensitivity == Sensitivity::Index {
        return Some((0, MAX, "a position (0, 1, ...)"));
    }
    // A UTC offset in minutes: what chrono's FixedOffset (and the reader) accept.
    if field.name.ends_with("offset_minutes") {
        return Some((
            -1439,
            1439,
            "a UTC offset in minutes (under 24 hours either way)",
        ));
    }
    let _ = table;
    field.range.map(|r| (r.min, r.max, r.what))
}

/// Validates the research table named `name`; an unknown name is [`Error::Schema`] listing
/// the tables.
pub fn validate_named(
    name: &str,
    schema: &Schema,
    batches: &[RecordBatch],
    options: &ValidateOptions,
) -> Result<TableReport> {
    let spec = crate::spec::table(name).ok_or_else(|| Error::Schema {
        table: name.to_owned(),
        message: format!(
            "no research table has this name; the tables are {}",
            tables()
                .iter()
                .map(|t| t.name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })?;
    Ok(validate_table(spec, schema, batches, options))
}

/// Validates `batches` (all of `schema`) as rows of the table `spec`; see the module
/// documentation for the checks and what is cast.
pub fn validate_table(
    spec: &'static TableSpec,
    schema: &Schema,
    batches: &[RecordBatch],
    options: &ValidateOptions,
) -> TableReport {
    let mut v = Validator {
        spec,
        options,
        findings: Vec::new(),
        counts: vec![0; spec.fields.len() + 1],
        code_cache: HashMap::new(),
    };
    // Columns first: which spec fields can be checked row by row, and how.
    let mut plan: Vec<(usize, Kind)> = Vec::new();
    for (i, field) in spec.fields.iter().enumerate() {
        match schema.fields().find(&field.name) {
            None => v.column_finding(
                i,
                "research.missing_column",
                Severity::Error,
                format!(
                    "column {} ({}) is missing",
                    field.name,
                    field.ty.reader_name()
                ),
            ),
            Some((_, found)) => match kind_of(field, found.data_type()) {
                Ok(kind) => plan.push((i, kind)),
                Err(why) => v.column_finding(
                    i,
                    "research.column_type",
                    Severity::Error,
                    format!(
                        "column {} is {} where the spec has {}{why}",
                        field.name,
                        found.data_type(),
                        field.ty.reader_name()
                    ),
                ),
            },
        }
    }
    let unknown_slot = spec.fields.len();
    let mut year_partition = false;
    for found in schema.fields() {
        if spec.field(found.name()).is_some() {
            continue;
        }
        if found.name() == YEAR_PARTITION && found.data_type().is_integer() {
            year_partition = true;
            continue;
        }
        v.push(
            unknown_slot,
            None,
            Finding::warning(
                format!("{}.{}", spec.name, found.name()),
                "research.unknown_column",
                format!(
                    "column {} is not a column of table {}",
                    found.name(),
                    spec.name
                ),
            ),
        );
    }
    let mut first_row = 0u64;
    for batch in batches {
        for (i, kind) in &plan {
            let field = &spec.fields[*i];
            if let Some(array) = batch.column_by_name(&field.name) {
                v.check_column(*i, *kind, array, batch, first_row);
            }
        }
        if year_partition {
            v.check_year(batch, first_row);
        }
        first_row += batch.num_rows() as u64;
    }
    v.finish(first_row)
}

/// How a column's values are read, once its type is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Nothing to check beyond nulls (booleans, dates, microsecond or coarser timestamps,
    /// `null` columns).
    Plain,
    /// Integers for an int32 column; `exact` when the type is int32 itself.
    Int { exact: bool },
    /// Floats (or integers) for a double column.
    Float,
    /// Text, or a dictionary of text.
    Text,
    /// `date64` for a `date32` column: whole days.
    Date64,
    /// Nanosecond timestamps for a microsecond column: whole microseconds.
    Nanos,
    /// A list of integers.
    IntList,
}

/// How a column of `found` type is read as the spec's `field`, or why it is not accepted.
fn kind_of(field: &FieldSpec, found: &DataType) -> std::result::Result<Kind, String> {
    let want = field.ty.arrow_type();
    if *found == DataType::Null {
        return Ok(Kind::Plain);
    }
    let text = |dt: &DataType| {
        matches!(
            dt,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        )
    };
    let refused = |why: &str| Err(why.to_owned());
    match &want {
        DataType::Boolean => match found {
            DataType::Boolean => Ok(Kind::Plain),
            _ => refused(""),
        },
        DataType::Int32 => match found {
            DataType::Int32 => Ok(Kind::Int { exact: true }),
            dt if dt.is_integer() => Ok(Kind::Int { exact: false }),
            dt if dt.is_floating() => refused(" (floats are not cast to integers)"),
            _ => refused(""),
        },
        DataType::Float64 => match found {
            DataType::Float64 | DataType::Float32 | DataType::Float16 => Ok(Kind::Float),
            dt if dt.is_integer() => Ok(Kind::Float),
            _ => refused(""),
        },
        DataType::Utf8 | DataType::Dictionary(..) => match found {
            dt if text(dt) => Ok(Kind::Text),
            DataType::Dictionary(key, value) if key.is_integer() && text(value) => Ok(Kind::Text),
            _ => refused(" (text is expected: a string column or a dictionary of strings)"),
        },
        DataType::Date32 => match found {
            DataType::Date32 => Ok(Kind::Plain),
            DataType::Date64 => Ok(Kind::Date64),
            _ => refused(""),
        },
        DataType::Timestamp(_, Some(_)) => match found {
            DataType::Timestamp(TimeUnit::Nanosecond, Some(_)) => Ok(Kind::Nanos),
            DataType::Timestamp(_, Some(_)) => Ok(Kind::Plain),
            DataType::Timestamp(_, None) => refused(
                " (a timestamp without a time zone is a wall-clock time, not an instant: give it a time zone, e.g. UTC)",
            ),
            _ => refused(""),
        },
        DataType::List(_) => match found {
            DataType::List(item) | DataType::LargeList(item) if item.data_type().is_integer() => {
                Ok(Kind::IntList)
            }
            _ => refused(" (a list of integers is expected)"),
        },
        other => {
            if found == other {
                Ok(Kind::Plain)
            } else {
                refused("")
            }
        }
    }
}

/// Cached verdicts on codes: `(code system context, code) -> problem`.
type CodeCache = HashMap<(Option<String>, String), Option<String>>;

struct Validator<'o> {
    spec: &'static TableSpec,
    options: &'o ValidateOptions,
    findings: Vec<RowFinding>,
    /// Findings per field (the last slot: columns the spec does not know).
    counts: Vec<usize>,
    /// Verdicts per coded field.
    code_cache: HashMap<usize, CodeCache>,
}

impl Validator<'_> {
    /// Records a finding about field `slot`, unless its column is over the limit (then only
    /// counted).
    fn push(&mut self, slot: usize, row: Option<u64>, finding: Finding) {
        self.counts[slot] += 1;
        if self
            .options
            .max_per_column
            .is_none_or(|max| self.counts[slot] <= max)
        {
            self.findings.push(RowFinding { row, finding });
        }
    }

    fn column_finding(&mut self, slot: usize, code: &str, severity: Severity, message: String) {
        let path = format!("{}.{}", self.spec.name, self.spec.fields[slot].name);
        self.push(slot, None, Finding::new(severity, path, code, message));
    }

    fn cell(&mut self, slot: usize, row: u64, code: &str, message: String) {
        let name = &self.spec.fields[slot].name;
        let path = cell_path(
            self.spec.name,
            usize::try_from(row).unwrap_or(usize::MAX),
            name,
        );
        self.push(slot, Some(row), Finding::error(path, code, message));
    }

    fn check_column(
        &mut self,
        slot: usize,
        kind: Kind,
        array: &ArrayRef,
        batch: &RecordBatch,
        first_row: u64,
    ) {
        let field = &self.spec.fields[slot];
        // Logical nulls: a dictionary key may point at a null value.
        if !field.nullable
            && let Some(nulls) = array.logical_nulls()
            && nulls.null_count() > 0
        {
            let message = format!("{} is required but missing", field.name);
            for row in (0..array.len()).filter(|&i| nulls.is_null(i)) {
                self.cell(
                    slot,
                    first_row + row as u64,
                    "research.null",
                    message.clone(),
                );
            }
        }
        match kind {
            Kind::Plain => {}
            Kind::Int { exact } => self.check_ints(slot, array, exact, first_row),
            Kind::Float => self.check_floats(slot, array, first_row),
            Kind::Text => self.check_codes(slot, array, batch, first_row),
            Kind::Date64 => {
                let days = array.as_primitive::<Date64Type>();
                for (row, ms) in days.iter().enumerate() {
                    if ms.is_some_and(|ms| ms % 86_400_000 != 0) {
                        self.cell(
                            slot,
                            first_row + row as u64,
                            "research.precision",
                            format!(
                                "{} is a date64 with a time of day; a date is expected",
                                field.name
                            ),
                        );
                    }
                }
            }
            Kind::Nanos => {
                let ts = array.as_primitive::<TimestampNanosecondType>();
                for (row, ns) in ts.iter().enumerate() {
                    if ns.is_some_and(|ns| ns % 1_000 != 0) {
                        self.cell(
                            slot,
                            first_row + row as u64,
                            "research.precision",
                            format!(
                                "{} has nanoseconds; the research tables keep microseconds",
                                field.name
                            ),
                        );
                    }
                }
            }
            Kind::IntList => self.check_list(slot, array, first_row),
        }
    }

    fn check_ints(&mut self, slot: usize, array: &ArrayRef, exact: bool, first_row: u64) {
        let field = &self.spec.fields[slot];
        let range = range_of(self.spec.name, field);
        if exact {
            let Some((min, max, what)) = range else {
                return;
            };
            let values = array.as_primitive::<Int32Type>();
            for (row, value) in values.iter().enumerate() {
                if let Some(value) = value
                    && !(min..=max).contains(&i64::from(value))
                {
                    let message = out_of_range(&field.name, i64::from(value), min, max, what);
                    self.cell(slot, first_row + row as u64, "research.range", message);
                }
            }
            return;
        }
        let (min, max, what) =
            range.unwrap_or((i64::from(i32::MIN), i64::from(i32::MAX), "a 32-bit integer"));
        let (min, max) = (min.max(i64::from(i32::MIN)), max.min(i64::from(i32::MAX)));
        for (row, value) in int_column(array.as_ref())
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            if let Some(value) = value
                && !(min..=max).contains(&value)
            {
                let message = out_of_range(&field.name, value, min, max, what);
                self.cell(slot, first_row + row as u64, "research.range", message);
            }
        }
    }

    fn check_floats(&mut self, slot: usize, array: &ArrayRef, first_row: u64) {
        let name = self.spec.fields[slot].name.clone();
        let bad: Vec<(usize, String)> = match array.data_type() {
            DataType::Float64 => non_finite(array.as_primitive::<Float64Type>().iter()),
            DataType::Float32 => non_finite(
                array
                    .as_primitive::<Float32Type>()
                    .iter()
                    .map(|v| v.map(f64::from)),
            ),
            DataType::Float16 => non_finite(
                array
                    .as_primitive::<Float16Type>()
                    .iter()
                    .map(|v| v.map(f64::from)),
            ),
            _ => int_column(array.as_ref())
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                // Integers beyond 2^53 are not all doubles.
                .filter(|(_, v)| v.is_some_and(|v| v.unsigned_abs() > 1 << 53))
                .map(|(row, v)| {
                    (
                        row,
                        format!(
                            "{} is too large to be held exactly as a double",
                            v.unwrap_or_default()
                        ),
                    )
                })
                .collect(),
        };
        for (row, why) in bad {
            self.cell(
                slot,
                first_row + row as u64,
                "research.range",
                format!("{name}: {why}"),
            );
        }
    }

    fn check_list(&mut self, slot: usize, array: &ArrayRef, first_row: u64) {
        let field = &self.spec.fields[slot];
        let (min, max, what) = range_of(self.spec.name, field).unwrap_or((
            i64::from(i32::MIN),
            i64::from(i32::MAX),
            "a 32-bit integer",
        ));
        let mut bad: Vec<(usize, String, &str)> = Vec::new();
        for row in 0..array.len() {
            if array.is_null(row) {
                continue;
            }
            let items = match array.data_type() {
                DataType::LargeList(_) => array.as_list::<i64>().value(row),
                _ => array.as_list::<i32>().value(row),
            };
            for (j, item) in int_column(items.as_ref())
                .unwrap_or_default()
                .into_iter()
                .enumerate()
            {
                match item {
                    None => bad.push((
                        row,
                        format!(
                            "{} holds a null at [{j}]; its items are required",
                            field.name
                        ),
                        "research.null",
                    )),
                    Some(v) if !(min..=max).contains(&v) => bad.push((
                        row,
                        format!(
                            "{}[{j}]: {}",
                            field.name,
                            out_of_range(&field.name, v, min, max, what)
                        ),
                        "research.range",
                    )),
                    Some(_) => {}
                }
            }
        }
        for (row, message, code) in bad {
            self.cell(slot, first_row + row as u64, code, message);
        }
    }

    fn check_codes(&mut self, slot: usize, array: &ArrayRef, batch: &RecordBatch, first_row: u64) {
        let field = &self.spec.fields[slot];
        let Some(codes) = &field.codes else {
            return;
        };
        let context_column = match codes {
            Codes::SystemInColumn(column) => Some(column.as_str()),
            Codes::Municipality => Some("jurisdiction"),
            _ => None,
        };
        // Fast path: a dictionary whose every value is a good code needs no pass over the rows.
        if context_column.is_none()
            && let Some(dict) = array.as_any_dictionary_opt()
            && let Some(values) = Strs::of(dict.values().as_ref())
        {
            let cache = self.code_cache.entry(slot).or_default();
            let all_good = (0..values.len()).filter_map(|i| values.get(i)).all(|code| {
                let key = (None, code.to_owned());
                cache
                    .entry(key)
                    .or_insert_with(|| codes.problem(None, code))
                    .is_none()
            });
            if all_good {
                return;
            }
        }
        let Some(values) = Symbols::of(array.as_ref()) else {
            return;
        };
        let context = context_column
            .and_then(|c| batch.column_by_name(c))
            .and_then(|a| Symbols::of(a.as_ref()));
        let cache = self.code_cache.entry(slot).or_default();
        let mut verdict = |ctx: Option<&str>, code: &str| -> Option<String> {
            let key = (ctx.map(str::to_owned), code.to_owned());
            if let Some(v) = cache.get(&key) {
                return v.clone();
            }
            let v = codes.problem(ctx, code);
            cache.insert(key, v.clone());
            v
        };
        let mut bad: Vec<(usize, String)> = Vec::new();
        match &context {
            None => {
                // One verdict per distinct value, then a look-up per row.
                let verdicts: Vec<Option<String>> = values
                    .names
                    .iter()
                    .map(|code| verdict(None, code))
                    .collect();
                if verdicts.iter().all(Option::is_none) {
                    return;
                }
                for (row, &id) in values.ids.iter().enumerate() {
                    if let Some(Some(problem)) = verdicts.get(id as usize) {
                        bad.push((row, problem.clone()));
                    }
                }
            }
            Some(ctx) => {
                // One verdict per distinct (context, value) pair.
                let mut pairs: HashMap<(u32, u32), Option<String>> = HashMap::new();
                for (row, (&id, &cid)) in values.ids.iter().zip(&ctx.ids).enumerate() {
                    if id == NULL {
                        continue;
                    }
                    let problem = pairs.entry((cid, id)).or_insert_with(|| {
                        let c = ctx.names.get(cid as usize).copied();
                        verdict(c, values.names[id as usize])
                    });
                    if let Some(problem) = problem {
                        bad.push((row, problem.clone()));
                    }
                }
            }
        }
        for (row, message) in bad {
            self.cell(
                slot,
                first_row + row as u64,
                "codelist.unknown_code",
                message,
            );
        }
    }

    /// The hive partition column `year` against the year of the row's year column.
    fn check_year(&mut self, batch: &RecordBatch, first_row: u64) {
        let spec = self.spec;
        let (Some(years), Some(dates)) = (
            batch
                .column_by_name(YEAR_PARTITION)
                .and_then(|a| int_column(a.as_ref())),
            batch
                .column_by_name(spec.year_column)
                .and_then(|a| a.as_primitive_opt::<arrow_array::types::Date32Type>()),
        ) else {
            return;
        };
        let slot = spec.fields.len();
        for (row, (year, days)) in years.iter().zip(dates.iter()).enumerate() {
            let (Some(year), Some(days)) = (year, days) else {
                continue;
            };
            if days_to_date(days).is_none_or(|d| i64::from(d.year()) != *year) {
                self.push(
                    slot,
                    Some(first_row + row as u64),
                    Finding::error(
                        cell_path(
                            spec.name,
                            usize::try_from(first_row).unwrap_or(0) + row,
                            spec.year_column,
                        ),
                        "dataset.partition_year",
                        format!(
                            "the row's {} is not in the partition year {year}",
                            spec.year_column
                        ),
                    ),
                );
            }
        }
    }

    fn finish(mut self, rows: u64) -> TableReport {
        if let Some(max) = self.options.max_per_column {
            for (slot, &count) in self.counts.iter().enumerate() {
                if count > max {
                    let column = self
                        .spec
                        .fields
                        .get(slot)
                        .map_or("(unknown columns)", |f| f.name.as_str());
                    self.findings.push(RowFinding {
                        row: None,
                        finding: Finding::warning(
                            format!("{}.{column}", self.spec.name),
                            "research.more_findings",
                            format!(
                                "{} more findings in column {column} are not listed",
                                count - max
                            ),
                        ),
                    });
                }
            }
        }
        // Stable: within a row, findings stay in column order.
        self.findings.sort_by_key(|f| f.row);
        TableReport {
            table: self.spec.name,
            rows,
            findings: self.findings,
        }
    }
}

fn out_of_range(name: &str, value: i64, min: i64, max: i64, what: &str) -> String {
    if max == i64::from(i32::MAX) {
        format!("{name} is {value}; {what} is at least {min}")
    } else {
        format!("{name} is {value}; {what} is between {min} and {max}")
    }
}

fn non_finite(values: impl Iterator<Item = Option<f64>>) -> Vec<(usize, String)> {
    values
        .enumerate()
        .filter(|(_, v)| v.is_some_and(|v| !v.is_finite()))
        .map(|(row, v)| {
            (
                row,
                format!("{} is not a finite number", v.unwrap_or_default()),
            )
        })
        .collect()
}

/// The id of a null in [`Symbols::ids`].
const NULL: u32 = u32::MAX;

/// A text column as distinct values and one id per row: a dictionary's own values and keys,
/// or a plain string column interned.
struct Symbols<'a> {
    names: Vec<&'a str>,
    ids: Vec<u32>,
}

/// The strings of a string array of any offset width, or of a view array.
enum Strs<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Strs<'a> {
    fn of(array: &'a dyn Array) -> Option<Self> {
        let any = array.as_any();
        if let Some(a) = any.downcast_ref::<StringArray>() {
            return Some(Strs::Utf8(a));
        }
        if let Some(a) = any.downcast_ref::<LargeStringArray>() {
            return Some(Strs::Large(a));
        }
        any.downcast_ref::<StringViewArray>().map(Strs::View)
    }

    fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Strs::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Strs::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Strs::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }

    fn len(&self) -> usize {
        match self {
            Strs::Utf8(a) => a.len(),
            Strs::Large(a) => a.len(),
            Strs::View(a) => a.len(),
        }
    }
}

impl<'a> Symbols<'a> {
    fn of(array: &'a dyn Array) -> Option<Self> {
        if let Some(dict) = array.as_any_dictionary_opt() {
            let values = Strs::of(dict.values().as_ref())?;
            // A null value gets the id NULL; so does a null key.
            let mut names = Vec::with_capacity(values.len());
            let mut value_ids = Vec::with_capacity(values.len());
            for i in 0..values.len() {
                match values.get(i) {
                    Some(s) => {
                        value_ids.push(u32::try_from(names.len()).unwrap_or(NULL));
                        names.push(s);
                    }
                    None => value_ids.push(NULL),
                }
            }
            if values.len() == 0 {
                // Every row is null (`normalized_keys` would panic on no values).
                return Some(Symbols {
                    names,
                    ids: vec![NULL; array.len()],
                });
            }
            let keys = dict.normalized_keys();
            let key_nulls = dict.keys().logical_nulls();
            let ids = keys
                .iter()
                .enumerate()
                .map(|(row, &k)| {
                    if key_nulls.as_ref().is_some_and(|n| n.is_null(row)) {
                        NULL
                    } else {
                        value_ids.get(k).copied().unwrap_or(NULL)
                    }
                })
                .collect();
            return Some(Symbols { names, ids });
        }
        let strs = Strs::of(array)?;
        let mut seen: HashMap<&'a str, u32> = HashMap::new();
        let mut names = Vec::new();
        let ids = (0..strs.len())
            .map(|i| match strs.get(i) {
                None => NULL,
                Some(s) => *seen.entry(s).or_insert_with(|| {
                    names.push(s);
                    u32::try_from(names.len() - 1).unwrap_or(NULL)
                }),
            })
            .collect();
        Some(Symbols { names, ids })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{
        ArrayRef, BooleanArray, Date32Array, DictionaryArray, Int32Array, Int64Array, ListArray,
        RecordBatch, StringArray, StringViewArray, TimestampMicrosecondArray,
        TimestampNanosecondArray, types::Int32Type, types::TimestampMicrosecondType,
        types::UInt32Type,
    };
    use arrow_schema::{DataType, Field, Schema, TimeUnit};
    use barnvern_case::Case;
    use chrono::NaiveDate;

    use super::*;
    use crate::{spec::table, to_batches};
    use barnvern_research::ResearchCase;
    use barnvern_research::testing::TestPseudonymiser;

    fn example(name: &str) -> RecordBatch {
        let cases: Vec<ResearchCase> = [
            include_str!("../../../examples/se-case.json"),
            include_str!("../../../examples/no-case.json"),
        ]
        .iter()
        .map(|text| {
            let case = Case::from_json(text).unwrap();
            let as_of = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
            ResearchCase::from_case(&case, &TestPseudonymiser::new(1), as_of)
        })
        .collect();
        to_batches(&cases)
            .unwrap()
            .into_iter()
            .find(|(s, _)| s.name == name)
            .unwrap()
            .1
    }

    fn run(name: &str, batch: &RecordBatch) -> TableReport {
        validate_named(
            name,
            &batch.schema(),
            std::slice::from_ref(batch),
            &ValidateOptions::default(),
        )
        .unwrap()
    }

    /// `batch` with column `name` replaced (same name, the array's type, nullable).
    fn replace(batch: &RecordBatch, name: &str, array: ArrayRef) -> RecordBatch {
        let schema = batch.schema();
        let mut fields: Vec<Field> = Vec::new();
        let mut columns = Vec::new();
        for (f, c) in schema.fields().iter().zip(batch.columns()) {
            if f.name() == name {
                fields.push(Field::new(name, array.data_type().clone(), true));
                columns.push(array.clone());
            } else {
                fields.push(f.as_ref().clone());
                columns.push(c.clone());
            }
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
    }

    fn codes(report: &TableReport) -> Vec<(Option<u64>, &str)> {
        report
            .findings
            .iter()
            .map(|f| (f.row, f.finding.code.as_str()))
            .collect()
    }

    #[test]
    fn every_table_written_by_this_crate_is_valid() {
        for spec in tables() {
            let batch = example(spec.name);
            let report = run(spec.name, &batch);
            assert!(
                report.findings.is_empty(),
                "{}: {:?}",
                spec.name,
                report.findings
            );
            assert_eq!(report.rows, batch.num_rows() as u64);
        }
    }

    #[test]
    fn what_other_producers_write_is_accepted_without_loss() {
        let batch = example("referrals");
        let n = batch.num_rows();
        // polars: 64-bit integers and string views; pandas: large strings.
        let index: ArrayRef = Arc::new(Int64Array::from_iter_values(0..n as i64));
        let key: ArrayRef = Arc::new(StringViewArray::from_iter_values(
            (0..n).map(|i| format!("{i:064x}")),
        ));
        let reporter: ArrayRef = Arc::new(arrow_array::LargeStringArray::from_iter_values(
            std::iter::repeat_n("police", n),
        ));
        let juris: ArrayRef = Arc::new(
            DictionaryArray::<UInt32Type>::try_new(
                arrow_array::UInt32Array::from(vec![0; n]),
                Arc::new(StringViewArray::from_iter_values(["SE"])),
            )
            .unwrap(),
        );
        let nanos = batch
            .column_by_name("received_at")
            .unwrap()
            .as_primitive::<TimestampMicrosecondType>()
            .iter()
            .map(|v| v.map(|v| v * 1_000))
            .collect::<TimestampNanosecondArray>()
            .with_timezone("Europe/Stockholm");
        let mut b = replace(&batch, "referral_index", index);
        b = replace(&b, "case_key", key);
        b = replace(&b, "reporter", reporter);
        b = replace(&b, "jurisdiction", juris);
        b = replace(&b, "received_at", Arc::new(nanos));
        let report = run("referrals", &b);
        assert!(report.findings.is_empty(), "{:?}", report.findings);
    }

    #[test]
    fn wrong_types_missing_and_unknown_columns_are_column_findings() {
        let batch = example("referrals");
        let n = batch.num_rows();
        let naive: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![0; n]));
        let b = replace(&batch, "received_at", naive);
        let b = replace(
            &b,
            "has_free_text",
            Arc::new(StringArray::from(vec!["no"; n])),
        );
        let b = replace(
            &b,
            "reporter_has_text",
            Arc::new(Int32Array::from(vec![0; n])),
        );
        let report = run("referrals", &b);
        assert_eq!(
            codes(&report),
            vec![
                (None, "research.column_type"),
                (None, "research.column_type"),
                (None, "research.column_type"),
            ]
        );
        assert!(
            report.findings[0]
                .finding
                .message
                .contains("without a time zone")
        );
        assert_eq!(report.findings[0].finding.path, "referrals.received_at");

        let schema = batch.schema();
        let keep: Vec<usize> = (0..schema.fields().len())
            .filter(|&i| schema.field(i).name() != "received_on")
            .collect();
        let mut b = batch.project(&keep).unwrap();
        let extra: ArrayRef = Arc::new(BooleanArray::from(vec![true; n]));
        let mut fields: Vec<Field> = b
            .schema()
            .fields()
            .iter()
            .map(|f| f.as_ref().clone())
            .collect();
        fields.push(Field::new("note", DataType::Boolean, true));
        let mut columns = b.columns().to_vec();
        columns.push(extra);
        b = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap();
        let report = run("referrals", &b);
        assert_eq!(
            codes(&report),
            vec![
                (None, "research.missing_column"),
                (None, "research.unknown_column")
            ]
        );
        assert!(!report.is_ok());
        assert_eq!(report.findings[1].finding.severity, Severity::Warning);
    }

    #[test]
    fn nulls_codes_and_ranges_are_found_per_row() {
        let batch = example("referrals");
        let n = batch.num_rows();
        assert!(n >= 2);
        let mut index: Vec<Option<i32>> = (0..n as i32).map(Some).collect();
        index[1] = Some(-1);
        let reporter = DictionaryArray::<Int32Type>::try_new(
            Int32Array::from_iter((0..n).map(|i| (i != 0).then_some(if i == 1 { 1 } else { 0 }))),
            Arc::new(StringArray::from(vec!["police", "astrologer"])),
        )
        .unwrap();
        let offsets: ArrayRef = Arc::new(Int64Array::from(vec![60_i64; n]));
        let mut big = vec![60_i64; n];
        big[0] = 10_000_000_000;
        let b = replace(&batch, "referral_index", Arc::new(Int32Array::from(index)));
        let b = replace(&b, "reporter", Arc::new(reporter));
        let b = replace(&b, "received_offset_minutes", offsets);
        let report = run("referrals", &b);
        assert_eq!(
            codes(&report),
            vec![
                (Some(0), "research.null"),
                (Some(1), "research.range"),
                (Some(1), "codelist.unknown_code"),
            ]
        );
        assert_eq!(report.findings[0].finding.path, "referrals[0].reporter");
        assert!(report.findings[2].finding.message.contains("astrologer"));

        let b = replace(
            &batch,
            "received_offset_minutes",
            Arc::new(Int64Array::from(big)),
        );
        let report = run("referrals", &b);
        assert_eq!(codes(&report), vec![(Some(0), "research.range")]);

        // Rows count on over batches; the findings table has a row per finding.
        let report = validate_named(
            "referrals",
            &b.schema(),
            &[batch.clone(), b.clone()],
            &ValidateOptions::default(),
        )
        .unwrap();
        assert_eq!(codes(&report), vec![(Some(n as u64), "research.range")]);
        let table = report.to_batch().unwrap();
        assert_eq!(table.num_rows(), 1);
        assert_eq!(table.schema(), TableReport::findings_schema());
    }

    #[test]
    fn lists_dates_and_the_year_partition() {
        let batch = example("investigations");
        let n = batch.num_rows();
        let lists = ListArray::from_iter_primitive::<Int32Type, _, _>(
            (0..n).map(|i| Some(vec![Some(0), if i == 0 { None } else { Some(-2) }])),
        );
        let b = replace(&batch, "referral_indices", Arc::new(lists));
        let report = run("investigations", &b);
        assert_eq!(codes(&report)[0], (Some(0), "research.null"));
        assert!(
            codes(&report)
                .iter()
                .skip(1)
                .all(|(_, c)| *c == "research.range")
        );

        let spec = table("referrals").unwrap();
        let batch = example("referrals");
        let n = batch.num_rows();
        let mut fields: Vec<Field> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.as_ref().clone())
            .collect();
        fields.push(Field::new("year", DataType::Int32, true));
        let mut columns = batch.columns().to_vec();
        columns.push(Arc::new(Int32Array::from(vec![1999; n])));
        let b = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap();
        let report = validate_table(
            spec,
            &b.schema(),
            std::slice::from_ref(&b),
            &ValidateOptions::default(),
        );
        assert!(
            codes(&report)
                .iter()
                .all(|(_, c)| *c == "dataset.partition_year")
        );
        assert_eq!(report.findings.len(), n);

        let dates: ArrayRef = Arc::new(
            Date32Array::from(vec![0; n])
                .iter()
                .map(|_| Some(86_400_000_i64 + 1))
                .collect::<arrow_array::Date64Array>(),
        );
        let b = replace(&batch, "received_on", dates);
        let report = run("referrals", &b);
        assert!(
            codes(&report)
                .iter()
                .all(|(_, c)| *c == "research.precision")
        );
        let _ = TimeUnit::Microsecond;
    }

    #[test]
    fn the_limit_counts_what_it_does_not_list() {
        let batch = example("referrals");
        let n = batch.num_rows();
        let b = replace(
            &batch,
            "referral_index",
            Arc::new(Int32Array::from(vec![-1; n])),
        );
        let options = ValidateOptions {
            max_per_column: Some(1),
        };
        let report =
            validate_named("referrals", &b.schema(), std::slice::from_ref(&b), &options).unwrap();
        assert_eq!(report.findings.len(), 2);
        assert_eq!(report.findings[0].finding.code, "research.more_findings");
        assert!(validate_named("nope", &b.schema(), &[], &options).is_err());
    }

    #[test]
    fn stated_ranges_are_on_integer_columns() {
        let mut ranged = Vec::new();
        for t in crate::spec::tables() {
            for field in &t.fields {
                if let Some(r) = field.range {
                    assert_eq!(
                        field.ty.arrow_type(),
                        DataType::Int32,
                        "{}.{}",
                        t.name,
                        field.name
                    );
                    assert!(r.min <= r.max);
                    assert_eq!(range_of(t.name, field), Some((r.min, r.max, r.what)));
                    ranged.push(format!("{}.{}", t.name, field.name));
                }
            }
        }
        // The ranges the documentation of these columns states (a dropped one would let
        // out-of-range values through validation).
        assert_eq!(
            ranged,
            [
                "children.birth_month",
                "fp_enrolments.child_age_years",
                "fp_enrolments.allocation_sequence",
                "fp_enrolments.allocation_block",
                "fp_contacts.minutes",
                "fp_contacts.travel_minutes",
                "fp_contacts.distance_km",
                "fp_coordination.minutes",
                "waves.wave",
                "questionnaires.wave",
                "item_responses.position",
                "costs.contacts_delivered",
                "costs.minutes",
                "costs.travel_minutes",
                "costs.distance_km",
            ]
        );
    }
}
