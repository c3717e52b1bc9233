//! Reading a dataset a batch at a time: the manifest, then each file of a table with only the
//! columns asked for, so memory is bounded by one batch, whatever the size of the table.

use std::fs::File;
use std::path::Path;

use arrow_array::types::Int32Type;
use arrow_array::{Array, Date32Array, DictionaryArray, RecordBatch, StringArray};
use barnvern_arrow::Manifest;
use barnvern_arrow::io::dataset::FileEntry;
use chrono::NaiveDate;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::Error;

/// Rows per batch read.
const BATCH_ROWS: usize = 65_536;

/// Reads and checks `DIR/manifest.json` ([`barnvern_arrow::io::dataset::read_manifest`], the one
/// reader): the same errors for a user as every other reader of a dataset.
pub(crate) fn manifest(dir: &Path) -> Result<Manifest, Error> {
    use barnvern_arrow::Error as ArrowError;
    barnvern_arrow::io::dataset::read_manifest(dir).map_err(|e| match e {
        ArrowError::SchemaVersion {
            path,
            found,
            supported,
        } => Error::SchemaVersion {
            path,
            found,
            supported,
        },
        ArrowError::Manifest { path, message } => Error::Manifest { path, message },
        ArrowError::Io { path, source } => Error::Io { path, source },
        other => Error::Arrow(other),
    })
}

/// Calls `f` with every batch of `table`, reading only `columns` (the partition column
/// `jurisdiction` is not in the files: take it from the [`FileEntry`]).
pub(crate) fn for_each_batch(
    dir: &Path,
    manifest: &Manifest,
    table: &str,
    columns: &[&str],
    mut f: impl FnMut(&FileEntry, &RecordBatch) -> Result<(), Error>,
) -> Result<(), Error> {
    let Some(entry) = manifest.tables.get(table) else {
        return Ok(());
    };
    for file in &entry.files {
        let path = dir.join(&file.path);
        let handle = File::open(&path).map_err(|e| Error::io(&path, e))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(handle)
            .map_err(|e| Error::parquet(&path, e))?;
        let mask = ProjectionMask::columns(builder.parquet_schema(), columns.iter().copied());
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|e| Error::parquet(&path, e))?;
        for batch in reader {
            let batch = batch.map_err(|e| Error::parquet(&path, e.into()))?;
            f(file, &batch)?;
        }
    }
    Ok(())
}

/// A text column: plain or dictionary-encoded strings.
pub(crate) enum Text<'a> {
    Plain(&'a StringArray),
    Dict(&'a DictionaryArray<Int32Type>, &'a StringArray),
}

impl<'a> Text<'a> {
    /// The column `name` of `batch`.
    pub(crate) fn of(batch: &'a RecordBatch, table: &str, name: &str) -> Result<Self, Error> {
        let array = column(batch, table, name)?;
        if let Some(s) = array.as_any().downcast_ref::<StringArray>() {
            return Ok(Text::Plain(s));
        }
        if let Some(d) = array.as_any().downcast_ref::<DictionaryArray<Int32Type>>()
            && let Some(v) = d.values().as_any().downcast_ref::<StringArray>()
        {
            return Ok(Text::Dict(d, v));
        }
        Err(Error::column(table, name, "is not a text column"))
    }

    /// The value of a row; `None` for a null.
    pub(crate) fn get(&self, row: usize) -> Option<&'a str> {
        match self {
            Text::Plain(s) => s.is_valid(row).then(|| s.value(row)),
            Text::Dict(d, v) => {
                let keys = d.keys();
                let k = usize::try_from(keys.is_valid(row).then(|| keys.value(row))?).ok()?;
                (k < v.len() && v.is_valid(k)).then(|| v.value(k))
            }
        }
    }
}

/// A date column.
pub(crate) struct Dates<'a>(&'a Date32Array);

impl<'a> Dates<'a> {
    /// The column `name` of `batch`.
    pub(crate) fn of(batch: &'a RecordBatch, table: &str, name: &str) -> Result<Self, Error> {
        column(batch, table, name)?
            .as_any()
            .downcast_ref::<Date32Array>()
            .map(Dates)
            .ok_or_else(|| Error::column(table, name, "is not a date column"))
    }

    /// The value of a row; `None` for a null.
    pub(crate) fn get(&self, row: usize) -> Option<NaiveDate> {
        self.0.is_valid(row).then(|| self.0.value_as_date(row))?
    }
}

fn column<'a>(batch: &'a RecordBatch, table: &str, name: &str) -> Result<&'a dyn Array, Error> {
    batch
        .column_by_name(name)
        .map(|a| a.as_ref())
        .ok_or_else(|| Error::column(table, name, "is missing"))
}

/// A pseudonym as 128 bits (its first 32 hex digits): a compact join key. Pseudonyms are
/// HMAC-SHA256 outputs, so 128 bits collide with negligible probability.
pub(crate) fn key128(pseudonym: &str) -> Option<u128> {
    u128::from_str_radix(pseudonym.get(..32)?, 16).ok()
}
