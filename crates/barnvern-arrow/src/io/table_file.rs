//! Parquet files of one research table: written with zstd, page-level statistics, row groups of
//! [`ROW_GROUP_ROWS`] and the table's key-value metadata; read back with the schema version
//! checked and every row validated against the spec.
//!
//! Row groups of 131,072 rows: these tables are narrow (10 to 20 mostly dictionary-encoded
//! columns), so a row group is a few megabytes; large enough for good compression and few
//! footer entries, small enough that a writer with many partitions open stays in bounded
//! memory and that Spark, DuckDB (122,880-row groups of its own) and Polars can split a
//! year's file across threads.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::{Array, ArrayRef, DictionaryArray, RecordBatch, StringArray, types::Int32Type};
use arrow_schema::SchemaRef;
use barnvern_core::{Finding, Jurisdiction};
use chrono::Datelike;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

use crate::columns::{cell_path, check_fields, days_to_date};
use crate::error::{Error, Result};
use crate::spec::{
    Codes, META_SCHEMA_VERSION, META_TABLE, PRODUCER, SUPPORTED_SCHEMA_VERSIONS, TableSpec,
};

/// Rows per row group (see the module documentation for the choice).
pub const ROW_GROUP_ROWS: usize = 131_072;
/// zstd level: 1. On these small dictionary-encoded pages it gave files no larger than level 3
/// (zstd's own default) at half its CPU time: 92.7 MB against 95.6 MB for a synthetic extract
/// of 100,000 children.
pub const ZSTD_LEVEL: i32 = 1;
/// At most this many findings are listed per column of a file; the rest are counted.
pub const MAX_ISSUES_PER_COLUMN: usize = 100;

/// The writer properties of a research table file: zstd, page-level statistics (column and
/// offset indexes, so readers skip pages), dictionary encoding, `row_group_rows` rows per row
/// group, and the spec's key-value metadata.
pub fn writer_properties(spec: &TableSpec, row_group_rows: usize) -> Result<WriterProperties> {
    let kv = spec
        .parquet_metadata()
        .into_iter()
        .map(|(k, v)| KeyValue::new(k, v))
        .collect();
    Ok(WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(ZSTD_LEVEL)?))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_dictionary_enabled(true)
        .set_max_row_group_row_count(Some(row_group_rows.max(1)))
        .set_created_by(format!("{PRODUCER} (parquet-rs)"))
        .set_key_value_metadata(Some(kv))
        .build())
}

/// Which columns a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileLayout {
    /// Every column of the spec: a table in one file.
    Whole,
    /// The spec's columns without the partition columns, which the directory names hold
    /// (`jurisdiction=SE/year=2024`): a file of a partitioned dataset.
    Partition,
}

/// Writes one Parquet file of a table, batch by batch.
pub struct TableFileWriter {
    spec: &'static TableSpec,
    path: PathBuf,
    layout: FileLayout,
    schema: SchemaRef,
    writer: ArrowWriter<File>,
    rows: u64,
}

impl TableFileWriter {
    /// Creates `path` for a file of `spec` with the given layout and [`ROW_GROUP_ROWS`].
    pub fn create(path: &Path, spec: &'static TableSpec, layout: FileLayout) -> Result<Self> {
        Self::with_row_groups(path, spec, layout, ROW_GROUP_ROWS)
    }

    /// Creates `path` with `row_group_rows` rows per row group at most.
    pub fn with_row_groups(
        path: &Path,
        spec: &'static TableSpec,
        layout: FileLayout,
        row_group_rows: usize,
    ) -> Result<Self> {
        let schema = match layout {
            FileLayout::Whole => spec.arrow_schema(),
            FileLayout::Partition => spec.file_schema(),
        };
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let writer = ArrowWriter::try_new(
            file,
            schema.clone(),
            Some(writer_properties(spec, row_group_rows)?),
        )?;
        Ok(TableFileWriter {
            spec,
            path: path.to_owned(),
            layout,
            schema,
            writer,
            rows: 0,
        })
    }

    /// Writes a batch with the spec's schema ([`TableSpec::arrow_schema`]); for a partition
    /// file the partition columns are left out.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        check_fields(self.spec, batch.schema().fields(), false)?;
        let batch = match self.layout {
            FileLayout::Whole => {
                RecordBatch::try_new(self.schema.clone(), batch.columns().to_vec())?
            }
            FileLayout::Partition => {
                let columns: Vec<ArrayRef> = self
                    .schema
                    .fields()
                    .iter()
                    .filter_map(|f| batch.column_by_name(f.name()).cloned())
                    .collect();
                RecordBatch::try_new(self.schema.clone(), columns)?
            }
        };
        self.writer.write(&batch)?;
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Ends the current row group (if it has rows).
    pub fn flush(&mut self) -> Result<()> {
        Ok(self.writer.flush()?)
    }

    /// Rows written to the current row group, not yet flushed.
    pub fn in_progress_rows(&self) -> usize {
        self.writer.in_progress_rows()
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the footer and closes the file; returns the number of rows.
    pub fn finish(self) -> Result<u64> {
        self.writer.close()?;
        Ok(self.rows)
    }
}

/// Writes a whole table into one file at `path`.
pub fn write_table(path: &Path, spec: &'static TableSpec, batches: &[RecordBatch]) -> Result<u64> {
    let mut w = TableFileWriter::create(path, spec, FileLayout::Whole)?;
    for b in batches {
        w.write(b)?;
    }
    w.finish()
}

/// A table file read back: its spec, its batches (as stored: a partition file lacks the
/// partition columns), and the findings of validating its rows.
#[derive(Debug)]
pub struct TableFile {
    /// The file.
    pub path: PathBuf,
    /// The table's spec.
    pub spec: &'static TableSpec,
    /// The research schema version the file was written under.
    pub schema_version: String,
    /// The file's key-value metadata.
    pub metadata: HashMap<String, String>,
    /// The rows.
    pub batches: Vec<RecordBatch>,
    /// Findings about the rows (non-null constraints, codes), with row and column in the path.
    pub findings: Vec<Finding>,
}

impl TableFile {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// Reads a table file: refuses a file whose research schema version this build does not read
/// ([`Error::SchemaVersion`], naming the file, the version found and the versions supported),
/// checks the columns against the table's spec, and validates every row.
pub fn read_table(path: &Path) -> Result<TableFile> {
    read_table_in(path, None)
}

/// A table file opened for reading, its footer read and checked, no rows read yet.
pub(crate) struct OpenedFile {
    /// The reader builder (projection and batch size still to choose).
    pub(crate) builder: ParquetRecordBatchReaderBuilder<File>,
    /// The file's key-value metadata.
    pub(crate) metadata: HashMap<String, String>,
    /// The research schema version the file was written under (one this build reads).
    pub(crate) schema_version: String,
    /// The table the file says it holds.
    pub(crate) spec: &'static TableSpec,
}

/// Opens a table file and reads its footer: refuses a research schema version this build does
/// not read ([`Error::SchemaVersion`]) and a file that names no research table.
pub(crate) fn open_file(path: &Path) -> Result<OpenedFile> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
    let metadata: HashMap<String, String> = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kv| {
            kv.iter()
                .filter_map(|k| Some((k.key.clone(), k.value.clone()?)))
                .collect()
        })
        .unwrap_or_default();
    let version = metadata.get(META_SCHEMA_VERSION).cloned();
    let schema_version = match version {
        Some(v) if SUPPORTED_SCHEMA_VERSIONS.contains(&v.as_str()) => v,
        found => {
            return Err(Error::SchemaVersion {
                path: path.to_owned(),
                found,
                supported: SUPPORTED_SCHEMA_VERSIONS.join(", "),
            });
        }
    };
    let name = metadata.get(META_TABLE).cloned().unwrap_or_default();
    let spec = crate::spec::table(&name).ok_or_else(|| Error::Schema {
        table: name.clone(),
        message: format!("{} names no research table", path.display()),
    })?;
    Ok(OpenedFile {
        builder,
        metadata,
        schema_version,
        spec,
    })
}

/// [`read_table`] for a partition file whose jurisdiction is known from its directory.
pub(crate) fn read_table_in(path: &Path, jurisdiction: Option<Jurisdiction>) -> Result<TableFile> {
    let OpenedFile {
        builder,
        metadata,
        schema_version,
        spec,
    } = open_file(path)?;
    let file_schema = builder.schema().clone();
    let reader = builder.with_batch_size(65_536).build()?;
    let mut batches = Vec::new();
    for b in reader {
        batches.push(b?);
    }
    // An older version's file: the columns added since, derived or null (crate::io::schema_upgrade).
    let (file_schema, batches) =
        crate::io::schema_upgrade::upgrade(spec, &schema_version, file_schema, batches)?;
    check_fields(spec, file_schema.fields(), true)?;
    let mut findings = Vec::new();
    let mut first_row = 0;
    for b in &batches {
        findings.extend(validate_batch(spec, b, first_row, jurisdiction));
        first_row += b.num_rows();
    }
    Ok(TableFile {
        path: path.to_owned(),
        spec,
        schema_version,
        metadata,
        batches,
        findings,
    })
}

/// Validates the rows of a batch of `spec`: a required column holds no null
/// (`research.null`), and a coded column holds codes of its code list
/// (`codelist.unknown_code`). Paths are `table[row].column`, rows counted from `first_row`.
/// `jurisdiction` picks the municipality list where the batch has no jurisdiction column.
pub fn validate_batch(
    spec: &TableSpec,
    batch: &RecordBatch,
    first_row: usize,
    jurisdiction: Option<Jurisdiction>,
) -> Vec<Finding> {
    validate_columns(spec, batch, first_row, jurisdiction, |_| true)
}

/// [`validate_batch`] for the columns `wanted` says yes to: a projected read validates the
/// columns it hands out, with the columns their checks need (a source code's system) read
/// along but not validated themselves.
pub(crate) fn validate_columns(
    spec: &TableSpec,
    batch: &RecordBatch,
    first_row: usize,
    jurisdiction: Option<Jurisdiction>,
    wanted: impl Fn(&str) -> bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let text = |name: &str| {
        batch
            .column_by_name(name)
            .map(|a| TextColumn::of(a.as_ref()))
    };
    let jurisdictions = text("jurisdiction");
    for field in spec.fields.iter().filter(|f| wanted(&f.name)) {
        let Some(array) = batch.column_by_name(&field.name) else {
            continue;
        };
        let mut found = 0usize;
        let mut report = |finding: Finding| {
            found += 1;
            if found <= MAX_ISSUES_PER_COLUMN {
                findings.push(finding);
            }
        };
        // Logical nulls: a dictionary key may point at a null value.
        if !field.nullable
            && let Some(nulls) = array.logical_nulls()
        {
            for row in (0..array.len()).filter(|&i| nulls.is_null(i)) {
                report(Finding::error(
                    cell_path(spec.name, first_row + row, &field.name),
                    "research.null",
                    format!("{} is required but missing", field.name),
                ));
            }
        }
        let Some(codes) = &field.codes else {
            continue;
        };
        let values = TextColumn::of(array.as_ref());
        let systems = match codes {
            Codes::SystemInColumn(column) => text(column),
            _ => None,
        };
        let mut memo: HashMap<(Option<String>, String), Option<String>> = HashMap::new();
        for row in 0..array.len() {
            let Some(code) = values.get(row) else {
                continue;
            };
            let context = match codes {
                Codes::SystemInColumn(_) => systems.as_ref().and_then(|s| s.get(row)),
                Codes::Municipality => jurisdictions
                    .as_ref()
                    .and_then(|j| j.get(row))
                    .or(jurisdiction.map(Jurisdiction::code)),
                _ => None,
            };
            let key = (context.map(str::to_owned), code.to_owned());
            let problem = memo
                .entry(key)
                .or_insert_with(|| codes.problem(context, code))
                .clone();
            if let Some(message) = problem {
                report(Finding::error(
                    cell_path(spec.name, first_row + row, &field.name),
                    "codelist.unknown_code",
                    message,
                ));
            }
        }
        if found > MAX_ISSUES_PER_COLUMN {
            findings.push(Finding::error(
                format!("{}.{}", spec.name, field.name),
                "research.more_findings",
                format!(
                    "{} more findings in column {} are not listed",
                    found - MAX_ISSUES_PER_COLUMN,
                    field.name
                ),
            ));
        }
    }
    findings
}

/// Text values of a string or dictionary-of-strings column.
pub(crate) enum TextColumn<'a> {
    Plain(&'a StringArray),
    Dict(&'a DictionaryArray<Int32Type>, &'a StringArray),
    Other,
}

impl<'a> TextColumn<'a> {
    pub(crate) fn of(array: &'a dyn Array) -> Self {
        if let Some(s) = array.as_any().downcast_ref::<StringArray>() {
            return TextColumn::Plain(s);
        }
        if let Some(d) = array.as_any().downcast_ref::<DictionaryArray<Int32Type>>()
            && let Some(v) = d.values().as_any().downcast_ref::<StringArray>()
        {
            return TextColumn::Dict(d, v);
        }
        TextColumn::Other
    }

    pub(crate) fn get(&self, row: usize) -> Option<&'a str> {
        match self {
            TextColumn::Plain(s) => s.is_valid(row).then(|| s.value(row)),
            TextColumn::Dict(d, v) => {
                let k =
                    usize::try_from(d.keys().is_valid(row).then(|| d.keys().value(row))?).ok()?;
                (k < v.len() && v.is_valid(k)).then(|| v.value(k))
            }
            TextColumn::Other => None,
        }
    }
}

/// Findings where a row's `year_column` is not in the partition's `year`.
pub(crate) fn check_partition_year(
    spec: &TableSpec,
    batch: &RecordBatch,
    first_row: usize,
    year: i32,
) -> Vec<Finding> {
    let Some(dates) = batch
        .column_by_name(spec.year_column)
        .and_then(|a| a.as_any().downcast_ref::<arrow_array::Date32Array>())
    else {
        return Vec::new();
    };
    (0..dates.len())
        .filter(|&i| {
            dates.is_valid(i) && days_to_date(dates.value(i)).is_none_or(|d| d.year() != year)
        })
        .take(MAX_ISSUES_PER_COLUMN)
        .map(|i| {
            Finding::error(
                cell_path(spec.name, first_row + i, spec.year_column),
                "dataset.partition_year",
                format!(
                    "the row's {} is not in the partition year {year}",
                    spec.year_column
                ),
            )
        })
        .collect()
}
