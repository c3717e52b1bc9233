//! Column builders and readers driven by a [`TableSpec`]: every value is written and read by
//! column name, and the name is checked against the spec, so code and spec cannot disagree on
//! which column holds what.

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int32Builder, ListBuilder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int32Array,
    ListArray, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow_schema::Field;
use barnvern_core::Finding;
use chrono::{DateTime, NaiveDate, Utc};

use crate::codes::CodeEnum;
use crate::dict_column::DictColumn;
use crate::error::{Error, Result};
use crate::spec::{ColumnType, TableSpec};

/// Days from 0001-01-01 (CE day 1) to 1970-01-01.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// Days since 1970-01-01 of a date.
pub(crate) fn date_to_days(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

/// The date `days` after 1970-01-01.
pub(crate) fn days_to_date(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(EPOCH_DAYS_FROM_CE)?)
}

enum Builder {
    Bool(BooleanBuilder),
    Int32(Int32Builder),
    Float64(Float64Builder),
    Utf8(StringBuilder),
    Dict(DictColumn),
    Date32(Date32Builder),
    Ts(TimestampMicrosecondBuilder),
    ListInt32(ListBuilder<Int32Builder>),
}

impl Builder {
    /// An empty builder that grows as rows come. The builders' `new()` reserve 1,024 values
    /// per column, which a finished array keeps: a chunk of 256 cases has a row or two in most
    /// tables, and those reserved buffers, held until a write, were most of the extract's peak
    /// memory (measured with heaptrack).
    fn new(ty: ColumnType) -> Builder {
        match ty {
            ColumnType::Bool => Builder::Bool(BooleanBuilder::with_capacity(0)),
            ColumnType::Int32 => Builder::Int32(Int32Builder::with_capacity(0)),
            ColumnType::Float64 => Builder::Float64(Float64Builder::with_capacity(0)),
            ColumnType::Utf8 => Builder::Utf8(StringBuilder::with_capacity(0, 0)),
            ColumnType::Dict => Builder::Dict(DictColumn::new()),
            ColumnType::Date32 => Builder::Date32(Date32Builder::with_capacity(0)),
            ColumnType::TimestampUtc => {
                Builder::Ts(TimestampMicrosecondBuilder::with_capacity(0).with_timezone("UTC"))
            }
            ColumnType::ListInt32 => Builder::ListInt32(
                ListBuilder::with_capacity(Int32Builder::with_capacity(0), 0).with_field(Arc::new(
                    Field::new_list_field(arrow_schema::DataType::Int32, false),
                )),
            ),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Int32(b) => Arc::new(b.finish()),
            Builder::Float64(b) => Arc::new(b.finish()),
            Builder::Utf8(b) => Arc::new(b.finish()),
            Builder::Dict(b) => b.finish(),
            Builder::Date32(b) => Arc::new(b.finish()),
            Builder::Ts(b) => Arc::new(b.finish()),
            Builder::ListInt32(b) => Arc::new(b.finish()),
        }
    }
}

/// Builds one table's columns row by row. Each call names its column; a name that is not the
/// spec's next column, or a value of the wrong type, fails the row at [`TableWriter::end_row`].
pub(crate) struct TableWriter {
    spec: &'static TableSpec,
    cols: Vec<Builder>,
    pos: usize,
    rows: usize,
    error: Option<String>,
}

macro_rules! put {
    ($self:ident, $variant:ident, |$b:ident| $body:expr) => {{
        match $self.next() {
            Some(Builder::$variant($b)) => $body,
            Some(_) => {
                let name = $self.name_at($self.pos - 1);
                $self.fail(format!(
                    "column {name} is not of type {}",
                    stringify!($variant)
                ))
            }
            None => {}
        }
    }};
}

impl TableWriter {
    pub(crate) fn new(spec: &'static TableSpec) -> TableWriter {
        TableWriter {
            spec,
            cols: spec.fields.iter().map(|f| Builder::new(f.ty)).collect(),
            pos: 0,
            rows: 0,
            error: None,
        }
    }

    pub(crate) fn spec(&self) -> &'static TableSpec {
        self.spec
    }

    /// Rows written since the last [`TableWriter::finish`].
    pub(crate) fn len(&self) -> usize {
        self.rows
    }

    fn fail(&mut self, message: String) {
        if self.error.is_none() {
            self.error = Some(message);
        }
    }

    fn name_at(&self, pos: usize) -> String {
        self.spec
            .fields
            .get(pos)
            .map_or_else(|| "past the last".to_owned(), |f| f.name.clone())
    }

    /// The next column's builder; past the last column, the row fails.
    fn next(&mut self) -> Option<&mut Builder> {
        let pos = self.pos;
        self.pos += 1;
        if pos >= self.cols.len() {
            self.fail("wrote a column past the spec's last column".to_owned());
        }
        self.cols.get_mut(pos)
    }

    pub(crate) fn put_bool(&mut self, v: Option<bool>) {
        put!(self, Bool, |b| b.append_option(v));
    }

    pub(crate) fn put_i32(&mut self, v: Option<i32>) {
        put!(self, Int32, |b| b.append_option(v));
    }

    pub(crate) fn put_f64(&mut self, v: Option<f64>) {
        put!(self, Float64, |b| b.append_option(v));
    }

    /// A position or count, which must fit an `i32`.
    pub(crate) fn put_u32(&mut self, v: Option<u32>) {
        match v.map(i32::try_from).transpose() {
            Ok(v) => self.put_i32(v),
            Err(_) => {
                let name = self.name_at(self.pos);
                self.fail(format!(
                    "column {name}: value does not fit a 32-bit signed integer"
                ));
                self.put_i32(None);
            }
        }
    }

    /// A small number.
    pub(crate) fn put_u8(&mut self, v: Option<u8>) {
        self.put_i32(v.map(i32::from));
    }

    /// A short count.
    pub(crate) fn put_u16(&mut self, v: Option<u16>) {
        self.put_i32(v.map(i32::from));
    }

    /// `v`, unless it is shaped like an identity number and the next column is not a
    /// pseudonym: then the row fails (naming the column, never the value) and a null is
    /// written. Validation refuses such input long before; this guard makes "no identity
    /// number in any string column" hold whatever a research record holds.
    fn guarded<'v>(&mut self, v: Option<&'v str>) -> Option<&'v str> {
        let text = v?;
        let pseudonym = self
            .spec
            .fields
            .get(self.pos)
            .is_some_and(|f| f.sensitivity == crate::spec::Sensitivity::Pseudonym);
        if !pseudonym && barnvern_core::identifier::looks_like_identity_number(text) {
            let name = self.name_at(self.pos);
            self.fail(format!(
                "column {name}: a value shaped like an identity number cannot be written to a research table"
            ));
            return None;
        }
        Some(text)
    }

    pub(crate) fn put_utf8(&mut self, v: Option<&str>) {
        let v = self.guarded(v);
        put!(self, Utf8, |b| b.append_option(v));
    }

    /// Text for a dictionary column.
    pub(crate) fn put_dict(&mut self, v: Option<&str>) {
        let known = match (v, self.cols.get(self.pos)) {
            (Some(text), Some(Builder::Dict(d))) => d.key_of(text),
            _ => None,
        };
        self.put_dict_keyed(v, known);
    }

    /// A code of a domain enum (static text) for a dictionary column: found by its address.
    pub(crate) fn put_code(&mut self, v: Option<&'static str>) {
        let known = match (v, self.cols.get_mut(self.pos)) {
            (Some(text), Some(Builder::Dict(d))) => d.key_of_static(text),
            _ => None,
        };
        self.put_dict_keyed(v, known);
    }

    /// Appends `v`, whose key in the column's dictionary is `known` if it is there. A value
    /// in the dictionary passed the identity-number guard when it went in (the guard depends
    /// on the text and the column only), so only a new value is guarded.
    fn put_dict_keyed(&mut self, v: Option<&str>, known: Option<i32>) {
        let v = if known.is_some() { v } else { self.guarded(v) };
        let mut overflow = None;
        put!(self, Dict, |b| match (v, known) {
            (Some(_), Some(key)) => b.append_key(key),
            (Some(text), None) => {
                if let Err(message) = b.append_new(text) {
                    b.append_null();
                    overflow = Some(message);
                }
            }
            (None, _) => b.append_null(),
        });
        if let Some(message) = overflow {
            let name = self.name_at(self.pos - 1);
            self.fail(format!("column {name}: {message}"));
        }
    }

    pub(crate) fn put_date(&mut self, v: Option<NaiveDate>) {
        put!(self, Date32, |b| b.append_option(v.map(date_to_days)));
    }

    pub(crate) fn put_ts(&mut self, v: Option<DateTime<Utc>>) {
        put!(self, Ts, |b| b
            .append_option(v.map(|t| t.timestamp_micros())));
    }

    pub(crate) fn put_list_u32(&mut self, v: &[u32]) {
        let mut overflow = false;
        put!(self, ListInt32, |b| {
            for x in v {
                match i32::try_from(*x) {
                    Ok(x) => b.values().append_value(x),
                    Err(_) => overflow = true,
                }
            }
            b.append(true);
        });
        if overflow {
            let name = self.name_at(self.pos - 1);
            self.fail(format!(
                "column {name}: value does not fit a 32-bit signed integer"
            ));
        }
    }

    /// Ends a row: every column must have been written once, in order.
    pub(crate) fn end_row(&mut self) -> Result<()> {
        if self.pos != self.cols.len() && self.error.is_none() {
            let missing = self
                .spec
                .fields
                .get(self.pos)
                .map_or("?", |f| f.name.as_str());
            self.error = Some(format!("row ended before column {missing}"));
        }
        self.pos = 0;
        self.rows += 1;
        match self.error.take() {
            None => Ok(()),
            Some(message) => Err(Error::Schema {
                table: self.spec.name.to_owned(),
                message,
            }),
        }
    }

    /// The rows written so far as one batch with the spec's schema; the writer starts empty.
    pub(crate) fn finish(&mut self) -> Result<RecordBatch> {
        let columns: Vec<ArrayRef> = self.cols.iter_mut().map(Builder::finish).collect();
        self.rows = 0;
        self.pos = 0;
        Ok(RecordBatch::try_new(self.spec.arrow_schema(), columns)?)
    }
}

/// Where a finding about a row is: `referrals[12].reporter`.
pub(crate) fn cell_path(table: &str, row: usize, column: &str) -> String {
    format!("{table}[{row}].{column}")
}

/// Reads the columns of one batch of a table by name, with typed accessors.
pub(crate) struct TableReader<'a> {
    table: &'static str,
    batch: &'a RecordBatch,
}

/// One typed column of a batch.
pub(crate) struct Col<'a, A> {
    table: &'static str,
    name: String,
    array: &'a A,
}

impl<'a, A> Col<'a, A> {
    /// The finding for a null where a value is required.
    pub(crate) fn null(&self, row: usize) -> Error {
        Error::data(
            cell_path(self.table, row, &self.name),
            "research.null",
            "a required value is missing",
        )
    }

    fn bad(&self, row: usize, code: &str, message: String) -> Error {
        Error::data(cell_path(self.table, row, &self.name), code, message)
    }
}

impl<'a> TableReader<'a> {
    pub(crate) fn new(spec: &'static TableSpec, batch: &'a RecordBatch) -> Result<Self> {
        check_fields(spec, batch.schema().fields(), false)?;
        Ok(TableReader {
            table: spec.name,
            batch,
        })
    }

    pub(crate) fn rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// The table's name.
    pub(crate) fn table(&self) -> &'static str {
        self.table
    }

    fn array<A: Array + 'static>(&self, name: &str) -> Result<Col<'a, A>> {
        let array = self
            .batch
            .column_by_name(name)
            .and_then(|c| c.as_any().downcast_ref::<A>())
            .ok_or_else(|| Error::Schema {
                table: self.table.to_owned(),
                message: format!("column {name} is missing or of another type"),
            })?;
        Ok(Col {
            table: self.table,
            name: name.to_owned(),
            array,
        })
    }

    pub(crate) fn bool(&self, name: &str) -> Result<Col<'a, BooleanArray>> {
        self.array(name)
    }
    pub(crate) fn i32(&self, name: &str) -> Result<Col<'a, Int32Array>> {
        self.array(name)
    }
    pub(crate) fn utf8(&self, name: &str) -> Result<Col<'a, StringArray>> {
        self.array(name)
    }
    pub(crate) fn f64(&self, name: &str) -> Result<Col<'a, Float64Array>> {
        self.array(name)
    }
    pub(crate) fn date(&self, name: &str) -> Result<Col<'a, Date32Array>> {
        self.array(name)
    }
    pub(crate) fn ts(&self, name: &str) -> Result<Col<'a, TimestampMicrosecondArray>> {
        self.array(name)
    }
    pub(crate) fn list(&self, name: &str) -> Result<Col<'a, ListArray>> {
        self.array(name)
    }
    pub(crate) fn dict(&self, name: &str) -> Result<DictCol<'a>> {
        let col: Col<'a, DictionaryArray<Int32Type>> = self.array(name)?;
        let values = col
            .array
            .values()
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| Error::Schema {
                table: self.table.to_owned(),
                message: format!("column {name} is not a dictionary of strings"),
            })?;
        Ok(DictCol { col, values })
    }
}

/// Checks that `fields` has every column of `spec` with the spec's type; with
/// `partition_file`, the partition columns may be absent. Nullability and metadata are not
/// compared: nulls are found row by row.
pub(crate) fn check_fields(
    spec: &TableSpec,
    fields: &arrow_schema::Fields,
    partition_file: bool,
) -> Result<()> {
    for f in &spec.fields {
        if partition_file
            && crate::spec::PARTITION_COLUMNS.contains(&f.name.as_str())
            && fields.find(&f.name).is_none()
        {
            continue;
        }
        match fields.find(&f.name) {
            Some((_, found)) if found.data_type() == &f.ty.arrow_type() => {}
            Some((_, found)) => {
                return Err(Error::Schema {
                    table: spec.name.to_owned(),
                    message: format!(
                        "column {} is {} where the spec has {}",
                        f.name,
                        found.data_type(),
                        f.ty.arrow_type()
                    ),
                });
            }
            None => {
                return Err(Error::Schema {
                    table: spec.name.to_owned(),
                    message: format!("column {} is missing", f.name),
                });
            }
        }
    }
    Ok(())
}

macro_rules! primitive_col {
    ($array:ty, $native:ty) => {
        impl<'a> Col<'a, $array> {
            pub(crate) fn get(&self, row: usize) -> Option<$native> {
                self.array.is_valid(row).then(|| self.array.value(row))
            }
        }
    };
}
primitive_col!(BooleanArray, bool);

impl<'a> Col<'a, BooleanArray> {
    pub(crate) fn req(&self, row: usize) -> Result<bool> {
        self.get(row).ok_or_else(|| self.null(row))
    }
}
primitive_col!(Int32Array, i32);
primitive_col!(Float64Array, f64);

impl<'a> Col<'a, Int32Array> {
    /// A position: a non-negative `i32`.
    pub(crate) fn index(&self, row: usize) -> Result<Option<u32>> {
        self.get(row)
            .map(|v| {
                u32::try_from(v).map_err(|_| {
                    self.bad(
                        row,
                        "research.range",
                        format!("{v} is not a position (0 or more)"),
                    )
                })
            })
            .transpose()
    }
    /// A small number (0 to 255: a paragraph of a legal basis).
    pub(crate) fn tiny(&self, row: usize) -> Result<Option<u8>> {
        self.get(row)
            .map(|v| {
                u8::try_from(v).map_err(|_| {
                    self.bad(
                        row,
                        "research.range",
                        format!("{v} is not a number from 0 to 255"),
                    )
                })
            })
            .transpose()
    }
    /// A short count (at most 65535).
    pub(crate) fn small(&self, row: usize) -> Result<Option<u16>> {
        self.index(row)?
            .map(|v| {
                u16::try_from(v).map_err(|_| {
                    self.bad(
                        row,
                        "research.range",
                        format!("{v} does not fit the field (at most 65535)"),
                    )
                })
            })
            .transpose()
    }
}

impl<'a> Col<'a, StringArray> {
    pub(crate) fn get(&self, row: usize) -> Option<&'a str> {
        self.array.is_valid(row).then(|| self.array.value(row))
    }
    pub(crate) fn req(&self, row: usize) -> Result<&'a str> {
        self.get(row).ok_or_else(|| self.null(row))
    }
    /// A value parsed by `parse`, whose error becomes a finding at this cell.
    pub(crate) fn parse<T>(
        &self,
        row: usize,
        parse: impl FnOnce(&'a str) -> std::result::Result<T, Finding>,
    ) -> Result<Option<T>> {
        self.get(row)
            .map(|s| parse(s).map_err(|i| self.bad(row, &i.code, i.message)))
            .transpose()
    }
    pub(crate) fn req_parse<T>(
        &self,
        row: usize,
        parse: impl FnOnce(&'a str) -> std::result::Result<T, Finding>,
    ) -> Result<T> {
        self.parse(row, parse)?.ok_or_else(|| self.null(row))
    }
}

impl<'a> Col<'a, Date32Array> {
    pub(crate) fn get(&self, row: usize) -> Result<Option<NaiveDate>> {
        if self.array.is_null(row) {
            return Ok(None);
        }
        let days = self.array.value(row);
        days_to_date(days).map(Some).ok_or_else(|| {
            self.bad(
                row,
                "research.range",
                format!("{days} days is out of range"),
            )
        })
    }
}

impl<'a> Col<'a, TimestampMicrosecondArray> {
    pub(crate) fn get(&self, row: usize) -> Result<Option<DateTime<Utc>>> {
        if self.array.is_null(row) {
            return Ok(None);
        }
        let us = self.array.value(row);
        DateTime::from_timestamp_micros(us)
            .map(Some)
            .ok_or_else(|| self.bad(row, "research.range", format!("{us} µs is out of range")))
    }
    pub(crate) fn req(&self, row: usize) -> Result<DateTime<Utc>> {
        self.get(row)?.ok_or_else(|| self.null(row))
    }
}

impl<'a> Col<'a, ListArray> {
    /// A list of positions.
    pub(crate) fn indices(&self, row: usize) -> Result<Vec<u32>> {
        if self.array.is_null(row) {
            return Err(self.null(row));
        }
        let values = self.array.value(row);
        let ints = values
            .as_any()
            .downcast_ref::<Int32Array>()
            .ok_or_else(|| self.bad(row, "research.type", "list of another type".to_owned()))?;
        ints.iter()
            .map(|v| {
                v.and_then(|v| u32::try_from(v).ok()).ok_or_else(|| {
                    self.bad(
                        row,
                        "research.range",
                        "a list element is not a position".to_owned(),
                    )
                })
            })
            .collect()
    }
}

/// A dictionary-encoded text column.
pub(crate) struct DictCol<'a> {
    col: Col<'a, DictionaryArray<Int32Type>>,
    values: &'a StringArray,
}

impl<'a> DictCol<'a> {
    pub(crate) fn get(&self, row: usize) -> Option<&'a str> {
        let keys = self.col.array.keys();
        if keys.is_null(row) {
            return None;
        }
        let k = usize::try_from(keys.value(row)).ok()?;
        (k < self.values.len() && self.values.is_valid(k)).then(|| self.values.value(k))
    }
    pub(crate) fn req(&self, row: usize) -> Result<&'a str> {
        self.get(row).ok_or_else(|| self.col.null(row))
    }
    /// The finding for a null where a value is required.
    pub(crate) fn null(&self, row: usize) -> Error {
        self.col.null(row)
    }
    pub(crate) fn code<T: CodeEnum>(&self, row: usize) -> Result<Option<T>> {
        self.get(row)
            .map(|s| {
                T::from_code(s).ok_or_else(|| {
                    self.col.bad(
                        row,
                        "codelist.unknown_code",
                        format!("{s:?} is not a code of {}", T::SYSTEM),
                    )
                })
            })
            .transpose()
    }
    pub(crate) fn req_code<T: CodeEnum>(&self, row: usize) -> Result<T> {
        self.code(row)?.ok_or_else(|| self.col.null(row))
    }
    pub(crate) fn parse<T>(
        &self,
        row: usize,
        parse: impl FnOnce(&'a str) -> std::result::Result<T, Finding>,
    ) -> Result<Option<T>> {
        self.get(row)
            .map(|s| parse(s).map_err(|i| self.col.bad(row, &i.code, i.message)))
            .transpose()
    }
    pub(crate) fn req_parse<T>(
        &self,
        row: usize,
        parse: impl FnOnce(&'a str) -> std::result::Result<T, Finding>,
    ) -> Result<T> {
        self.parse(row, parse)?.ok_or_else(|| self.col.null(row))
    }
}
