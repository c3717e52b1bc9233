//! Reading one table of a dataset when it is asked for ([`crate::Dataset::table`]): only the
//! files of the partitions selected (jurisdiction and year are the directory names, so the
//! others are never opened), only the Parquet columns selected (a [`ProjectionMask`]), and a
//! batch at a time, so a caller that streams holds one batch, and one that collects holds the
//! table and no more.
//!
//! Every file is checked as it is opened: its research schema version, the table it names, its
//! columns against the spec and its row count (from the Parquet footer) against the manifest;
//! a file read whole is also counted as it is read. The rows handed out are validated as they
//! pass ([`crate::io::table_file::validate_batch`]: required values, codes; and the partition
//! year when the year column is read), with findings whose path counts rows in the read
//! (`referrals[12].reporter` is the 13th row handed out).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, DictionaryArray, Int32Array, RecordBatch, StringArray};
use arrow_schema::SchemaRef;
use barnvern_core::{Finding, Jurisdiction};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReader;

use crate::columns::check_fields;
use crate::error::{Error, Result};
use crate::io::dataset::{FileEntry, TableEntry};
use crate::io::schema_upgrade::upgrade;
use crate::io::table_file::{OpenedFile, check_partition_year, open_file, validate_columns};
use crate::spec::{Codes, TableSpec};

/// Rows per batch handed out, unless [`TableRead::batch_rows`] says otherwise.
pub const BATCH_ROWS: usize = 65_536;

/// One table of a dataset, to be read: which columns and partitions, then
/// [`TableRead::batches`] (streaming) or [`TableRead::read`] (every batch). Made by
/// [`crate::Dataset::table`]; nothing is opened until it is read.
#[derive(Debug, Clone)]
pub struct TableRead<'a> {
    dir: &'a Path,
    spec: &'static TableSpec,
    entry: Option<&'a TableEntry>,
    columns: Option<Vec<String>>,
    jurisdictions: Option<Vec<Jurisdiction>>,
    years: Option<Vec<i32>>,
    batch_rows: usize,
}

impl<'a> TableRead<'a> {
    /// Table `spec` of the dataset at `dir`, whose manifest lists `entry` (`None`: no files).
    pub(crate) fn new(
        dir: &'a Path,
        spec: &'static TableSpec,
        entry: Option<&'a TableEntry>,
    ) -> Self {
        TableRead {
            dir,
            spec,
            entry,
            columns: None,
            jurisdictions: None,
            years: None,
            batch_rows: BATCH_ROWS,
        }
    }

    /// Reads only these columns, in this order (default: every column of the spec). The
    /// partition column `jurisdiction` comes from the directory names and costs no read.
    /// An unknown or repeated name, or no name at all, is an [`Error::Data`] when the table is
    /// read (`research.unknown_column`, `research.duplicate_column`, `research.no_columns`).
    pub fn columns<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.columns = Some(names.into_iter().map(|s| s.as_ref().to_owned()).collect());
        self
    }

    /// Reads only the partitions of these jurisdictions (default: all).
    pub fn jurisdictions(mut self, jurisdictions: impl IntoIterator<Item = Jurisdiction>) -> Self {
        self.jurisdictions = Some(jurisdictions.into_iter().collect());
        self
    }

    /// Reads only the partitions of these years (default: all). A year with no partition
    /// selects nothing; it is not an error.
    pub fn years(mut self, years: impl IntoIterator<Item = i32>) -> Self {
        self.years = Some(years.into_iter().collect());
        self
    }

    /// Rows per batch (default [`BATCH_ROWS`]; at least 1).
    pub fn batch_rows(mut self, rows: usize) -> Self {
        self.batch_rows = rows.max(1);
        self
    }

    /// The table's spec.
    pub fn spec(&self) -> &'static TableSpec {
        self.spec
    }

    /// The files of the partitions selected, in the manifest's order: the only files a read
    /// opens.
    pub fn files(&self) -> Vec<&'a FileEntry> {
        let Some(entry) = self.entry else {
            return Vec::new();
        };
        entry
            .files
            .iter()
            .filter(|f| {
                self.jurisdictions
                    .as_ref()
                    .is_none_or(|js| js.contains(&f.jurisdiction))
                    && self.years.as_ref().is_none_or(|ys| ys.contains(&f.year))
            })
            .collect()
    }

    /// Rows of the partitions selected, as the manifest counts them.
    pub fn rows(&self) -> u64 {
        self.files().iter().map(|f| f.rows).sum()
    }

    /// The columns handed out, in order: those selected, else every column of the spec.
    fn selected(&self) -> Result<Vec<String>> {
        let Some(columns) = &self.columns else {
            return Ok(self.spec.fields.iter().map(|f| f.name.clone()).collect());
        };
        let mut findings = Vec::new();
        if columns.is_empty() {
            findings.push(Finding::error(
                "columns",
                "research.no_columns",
                format!("select at least one column of table {}", self.spec.name),
            ));
        }
        let mut seen = HashSet::new();
        for (i, name) in columns.iter().enumerate() {
            if self.spec.field(name).is_none() {
                findings.push(Finding::error(
                    format!("columns[{i}]"),
                    "research.unknown_column",
                    format!(
                        "{} is not a column of table {}; its columns are {}",
                        barnvern_core::identifier::echo(name),
                        self.spec.name,
                        self.spec
                            .fields
                            .iter()
                            .map(|f| f.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            } else if !seen.insert(name.as_str()) {
                findings.push(Finding::error(
                    format!("columns[{i}]"),
                    "research.duplicate_column",
                    format!("column {name} is selected twice"),
                ));
            }
        }
        if findings.is_empty() {
            Ok(columns.clone())
        } else {
            Err(Error::Data(findings))
        }
    }

    /// The Arrow schema of what a read hands out: the spec's fields selected, in the order
    /// selected (the spec's whole schema when no column is selected).
    pub fn schema(&self) -> Result<SchemaRef> {
        let columns = self.selected()?;
        projected_schema(self.spec, self.columns.is_some(), &columns)
    }

    /// The batches, one at a time: each selected file is opened when the one before it is
    /// read, so memory holds one batch (and the reader's current row group) at a time.
    pub fn batches(self) -> Result<TableBatches<'a>> {
        let columns = self.selected()?;
        let schema = projected_schema(self.spec, self.columns.is_some(), &columns)?;
        Ok(TableBatches {
            dir: self.dir,
            spec: self.spec,
            files: self.files().into_iter(),
            whole: self.columns.is_none(),
            columns,
            schema,
            batch_rows: self.batch_rows,
            current: None,
            rows: 0,
            findings: Vec::new(),
            failed: false,
        })
    }

    /// Every batch of the selection, with the findings of validating them.
    pub fn read(self) -> Result<TableData> {
        let mut batches = self.batches()?;
        let mut out = Vec::new();
        for b in batches.by_ref() {
            out.push(b?);
        }
        Ok(TableData {
            spec: batches.spec,
            schema: batches.schema.clone(),
            batches: out,
            findings: batches.into_findings(),
        })
    }
}

/// The spec's schema with only `columns`, in that order (the whole schema when `projected` is
/// false, keeping its metadata).
fn projected_schema(spec: &TableSpec, projected: bool, columns: &[String]) -> Result<SchemaRef> {
    let full = spec.arrow_schema();
    if !projected {
        return Ok(full);
    }
    let indices: Vec<usize> = columns
        .iter()
        .map(|c| full.index_of(c))
        .collect::<std::result::Result<_, _>>()?;
    Ok(Arc::new(full.project(&indices)?))
}

/// One table read whole: its batches (with the schema of [`TableRead::schema`]) and the
/// findings of validating them.
#[derive(Debug, Clone)]
pub struct TableData {
    /// The table's spec.
    pub spec: &'static TableSpec,
    /// The schema of every batch.
    pub schema: SchemaRef,
    /// The rows.
    pub batches: Vec<RecordBatch>,
    /// Findings about the rows; paths count rows in the read (`table[row].column`).
    pub findings: Vec<Finding>,
}

impl TableData {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// Bytes of Arrow memory the batches hold ([`RecordBatch::get_array_memory_size`]; a
    /// buffer shared by two batches is counted twice).
    pub fn memory_size(&self) -> usize {
        self.batches
            .iter()
            .map(RecordBatch::get_array_memory_size)
            .sum()
    }
}

/// The file being read.
struct Current<'a> {
    file: &'a FileEntry,
    path: PathBuf,
    reader: ParquetRecordBatchReader,
    /// The file's schema version, when its columns must be brought up to this build's spec
    /// ([`crate::io::schema_upgrade`]); such a file is read whole and projected after.
    upgrade: Option<(String, SchemaRef)>,
    /// Rows read from it so far.
    rows: u64,
}

/// The batches of a [`TableRead`], one at a time (an iterator of `Result<RecordBatch>`; after
/// an error it ends). [`TableBatches::findings`] holds the findings of the batches handed out
/// so far.
pub struct TableBatches<'a> {
    dir: &'a Path,
    spec: &'static TableSpec,
    files: std::vec::IntoIter<&'a FileEntry>,
    /// Every column is read (the row count is checked as the rows are read).
    whole: bool,
    columns: Vec<String>,
    schema: SchemaRef,
    batch_rows: usize,
    current: Option<Current<'a>>,
    /// Rows handed out so far.
    rows: usize,
    findings: Vec<Finding>,
    failed: bool,
}

impl std::fmt::Debug for TableBatches<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableBatches")
            .field("table", &self.spec.name)
            .field("columns", &self.columns)
            .field("rows", &self.rows)
            .field("findings", &self.findings.len())
            .finish_non_exhaustive()
    }
}

impl TableBatches<'_> {
    /// The schema of every batch.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Findings of the batches handed out so far.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The findings, once the batches are read.
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// Opens `file`: its footer checked against the manifest and the spec, and a reader of
    /// the columns needed.
    fn open<'f>(&self, file: &'f FileEntry) -> Result<Current<'f>> {
        let path = self.dir.join(&file.path);
        let OpenedFile {
            builder,
            schema_version,
            spec,
            ..
        } = open_file(&path)?;
        let in_footer = builder.metadata().file_metadata().num_rows();
        if spec.name != self.spec.name || u64::try_from(in_footer).ok() != Some(file.rows) {
            return Err(rows_differ(
                &path,
                in_footer,
                spec.name,
                file.rows,
                self.spec.name,
            ));
        }
        let file_schema = builder.schema().clone();
        // An older version's file: its schema as it will be read (columns added since derived
        // or null), for the column check; its rows are upgraded batch by batch below.
        let (upgraded, _) = upgrade(self.spec, &schema_version, file_schema.clone(), Vec::new())?;
        check_fields(self.spec, upgraded.fields(), true)?;
        let needs_upgrade = upgraded.fields().len() != file_schema.fields().len();
        // The columns to read: those handed out and those their checks need (a source code's
        // system column). A file to upgrade is read whole: derived columns need others.
        let mask = if needs_upgrade || self.whole {
            ProjectionMask::all()
        } else {
            let mut wanted: HashSet<&str> = self.columns.iter().map(String::as_str).collect();
            for c in &self.columns {
                if let Some(Codes::SystemInColumn(system)) =
                    self.spec.field(c).and_then(|f| f.codes.as_ref())
                {
                    wanted.insert(system.as_str());
                }
            }
            let roots = builder
                .parquet_schema()
                .root_schema()
                .get_fields()
                .iter()
                .enumerate()
                .filter(|(_, f)| wanted.contains(f.name()))
                .map(|(i, _)| i);
            ProjectionMask::roots(builder.parquet_schema(), roots)
        };
        let reader = builder
            .with_projection(mask)
            .with_batch_size(self.batch_rows)
            .build()?;
        Ok(Current {
            file,
            path,
            reader,
            upgrade: needs_upgrade.then_some((schema_version, file_schema)),
            rows: 0,
        })
    }

    /// A batch as read from the current file, validated and shaped as handed out.
    fn finish_batch(&mut self, batch: RecordBatch) -> Result<RecordBatch> {
        let Some(current) = self.current.as_mut() else {
            return Err(Error::Schema {
                table: self.spec.name.to_owned(),
                message: "no file is being read".to_owned(),
            });
        };
        current.rows += batch.num_rows() as u64;
        let batch = match &current.upgrade {
            Some((version, schema)) => upgrade(self.spec, version, schema.clone(), vec![batch])?
                .1
                .into_iter()
                .next()
                .ok_or_else(|| Error::Schema {
                    table: self.spec.name.to_owned(),
                    message: "a batch was lost bringing it up to this version".to_owned(),
                })?,
            None => batch,
        };
        let (file, jurisdiction) = (current.file, current.file.jurisdiction);
        let columns = &self.columns;
        self.findings.extend(validate_columns(
            self.spec,
            &batch,
            self.rows,
            Some(jurisdiction),
            |name| columns.iter().any(|c| c == name),
        ));
        if columns.iter().any(|c| c == self.spec.year_column) {
            self.findings.extend(check_partition_year(
                self.spec, &batch, self.rows, file.year,
            ));
        }
        let n = batch.num_rows();
        let mut out: Vec<ArrayRef> = Vec::with_capacity(self.columns.len());
        for name in &self.columns {
            if name == "jurisdiction" {
                out.push(jurisdiction_column(jurisdiction, n)?);
            } else {
                out.push(
                    batch
                        .column_by_name(name)
                        .cloned()
                        .ok_or_else(|| Error::Schema {
                            table: self.spec.name.to_owned(),
                            message: format!("column {name} is missing"),
                        })?,
                );
            }
        }
        self.rows += n;
        Ok(RecordBatch::try_new(self.schema.clone(), out)?)
    }

    fn next_batch(&mut self) -> Option<Result<RecordBatch>> {
        loop {
            if self.current.is_none() {
                let file = self.files.next()?;
                match self.open(file) {
                    Ok(c) => self.current = Some(c),
                    Err(e) => return Some(Err(e.in_file(&self.dir.join(&file.path)))),
                }
            }
            let current = self.current.as_mut()?;
            match current.reader.next() {
                Some(Ok(batch)) => {
                    let path = current.path.clone();
                    return Some(self.finish_batch(batch).map_err(|e| e.in_file(&path)));
                }
                Some(Err(e)) => return Some(Err(Error::from(e).in_file(&current.path))),
                None => {
                    let done = self.current.take()?;
                    if done.rows != done.file.rows {
                        return Some(Err(rows_differ(
                            &done.path,
                            i64::try_from(done.rows).unwrap_or(i64::MAX),
                            self.spec.name,
                            done.file.rows,
                            self.spec.name,
                        )));
                    }
                }
            }
        }
    }
}

impl Iterator for TableBatches<'_> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let next = self.next_batch();
        if matches!(next, Some(Err(_))) {
            self.failed = true;
        }
        next
    }
}

/// A file whose rows or table differ from what the manifest lists.
fn rows_differ(path: &Path, rows: i64, table: &str, listed: u64, listed_table: &str) -> Error {
    Error::Manifest {
        path: path.to_owned(),
        message: format!(
            "holds {rows} rows of table {table}; the manifest lists {listed} rows of {listed_table}"
        ),
    }
}

/// The partition column `jurisdiction` of `rows` rows of one partition: a dictionary of one
/// value, as the spec types it.
pub(crate) fn jurisdiction_column(jurisdiction: Jurisdiction, rows: usize) -> Result<ArrayRef> {
    let keys = Int32Array::from(vec![0; rows]);
    let values = Arc::new(StringArray::from(vec![jurisdiction.code()]));
    Ok(Arc::new(DictionaryArray::try_new(keys, values)?))
}
