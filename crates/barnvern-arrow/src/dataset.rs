//! Datasets: every research table, hive-partitioned
//! (`TABLE/jurisdiction=SE/year=2024/part-0.parquet`), with a `manifest.json` and the data
//! dictionary, written by a streaming [`DatasetWriter`] and read by [`Dataset::open`].
//!
//! The writer keeps memory bounded: rows are buffered per partition and written as a row
//! group when a partition reaches [`DatasetOptions::row_group_rows`] rows, or, when all
//! partitions together hold [`DatasetOptions::max_buffered_rows`], the largest partition is
//! written out early. Each partition has one open file; nothing holds the whole dataset.
//!
//! The dataset appears atomically: it is written into a hidden sibling directory
//! (`.NAME.tmp-PID-NANOS`) and renamed onto the target at [`DatasetWriter::finish`]. An
//! interrupted run leaves no half dataset at the target (a dropped writer removes its
//! temporary directory). An existing target is refused unless
//! [`DatasetOptions::overwrite`] is set; then the old dataset is renamed aside, the new one
//! renamed in, and the old one removed (the closest the filesystem offers to one atomic swap).

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, Date32Array, DictionaryArray, Int32Array, RecordBatch, StringArray,
    UInt32Array,
};
use barnvern_core::codelist::{builtin, builtin_systems};
use barnvern_core::{Issue, Jurisdiction};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::columns::{TableWriter, days_to_date};
use crate::convert::TableBatch;
use crate::error::{Error, Result};
use crate::parquet::{
    FileLayout, ROW_GROUP_ROWS, TableFileWriter, check_partition_year, read_table_in,
};
use crate::research::ResearchCase;
use crate::spec::{PRODUCER, SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS, TableSpec, tables};
use crate::tables::{self, Sink};

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// The value of [`Manifest::format`].
pub const FORMAT: &str = "barnvern-research-dataset";

/// How a dataset is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetOptions {
    /// Replace an existing dataset at the target.
    pub overwrite: bool,
    /// Rows per row group (default [`ROW_GROUP_ROWS`]).
    pub row_group_rows: usize,
    /// Rows held over all partitions (buffered, and in open row groups) before the largest is
    /// written out early (default 1,048,576). Lower values close smaller row groups, and the
    /// file metadata of many small row groups is itself held until the files close.
    pub max_buffered_rows: usize,
}

impl Default for DatasetOptions {
    fn default() -> Self {
        DatasetOptions {
            overwrite: false,
            row_group_rows: ROW_GROUP_ROWS,
            max_buffered_rows: 1 << 20,
        }
    }
}

/// Digest of one input file, filled by the extract pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputDigest {
    /// The input as named on the command line.
    pub path: String,
    /// SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
    /// Lines read from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<u64>,
}

/// One Parquet file of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Path relative to the dataset directory.
    pub path: String,
    /// The partition's jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The partition's year.
    pub year: i32,
    /// Rows in the file.
    pub rows: u64,
}

/// One table of a dataset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableEntry {
    /// Rows over all files.
    pub rows: u64,
    /// The files, by partition.
    pub files: Vec<FileEntry>,
}

/// `manifest.json`: what a dataset holds and how it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// Research schema version of every table.
    pub schema_version: String,
    /// `barnvern <version>`.
    pub producer: String,
    /// When the dataset was written.
    pub created_at: DateTime<Utc>,
    /// Version of each code list and rule table the data were checked and derived with.
    pub code_lists: BTreeMap<String, String>,
    /// Research cases written.
    pub cases: u64,
    /// Each table's rows and files, in dataset order of [`tables`] (every table is listed).
    pub tables: BTreeMap<String, TableEntry>,
    /// Digests of the inputs (filled by the extract pipeline).
    #[serde(default)]
    pub input_digests: Vec<InputDigest>,
    /// Input records read (filled by the extract pipeline; read = cases + rejected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<u64>,
    /// Input records rejected to quarantine (filled by the extract pipeline).
    #[serde(default)]
    pub rejected: u64,
    /// Fingerprint of the pseudonymisation key, never the key (filled by the extract pipeline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_fingerprint: Option<String>,
    /// True when pseudonyms were made with a random one-off demo key: they link nothing
    /// outside this dataset.
    #[serde(default)]
    pub demo_key: bool,
}

impl Manifest {
    fn new() -> Manifest {
        let mut code_lists = BTreeMap::new();
        for system in builtin_systems() {
            if let Some(list) = builtin(system) {
                code_lists.insert(system.to_owned(), list.version.clone());
            }
        }
        code_lists.insert(
            "barnvern.deadline_rules".to_owned(),
            barnvern_case::DeadlineRules::builtin().version.clone(),
        );
        code_lists.insert("barnvern.research".to_owned(), SCHEMA_VERSION.to_owned());
        Manifest {
            format: FORMAT.to_owned(),
            schema_version: SCHEMA_VERSION.to_owned(),
            producer: PRODUCER.to_owned(),
            created_at: Utc::now(),
            code_lists,
            cases: 0,
            tables: tables()
                .iter()
                .map(|t| (t.name.to_owned(), TableEntry::default()))
                .collect(),
            input_digests: Vec::new(),
            read: None,
            rejected: 0,
            key_fingerprint: None,
            demo_key: false,
        }
    }
}

type PartitionKey = (&'static str, Jurisdiction, i32);

struct Partition {
    rows: TableWriter,
    file: Option<TableFileWriter>,
    relative: String,
}

/// The partitions of a dataset being written.
struct Partitions {
    dir: PathBuf,
    options: DatasetOptions,
    open: HashMap<PartitionKey, Partition>,
    buffered: usize,
    /// Rows written to files since their row groups were last counted (an upper bound of the
    /// rows held in open row groups).
    in_progress: usize,
}

impl Partitions {
    /// The partition of `key`, created empty (no file yet) when new.
    fn entry(&mut self, key: PartitionKey) -> Result<&mut Partition> {
        Ok(match self.open.entry(key) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => {
                let (table, jurisdiction, year) = key;
                v.insert(Partition {
                    rows: TableWriter::new(tables::spec_of(table)?),
                    file: None,
                    relative: format!(
                        "{table}/jurisdiction={}/year={year}/part-0.parquet",
                        jurisdiction.code()
                    ),
                })
            }
        })
    }

    /// The open file of a partition, created on first use.
    fn file<'p>(
        dir: &Path,
        options: &DatasetOptions,
        p: &'p mut Partition,
    ) -> Result<&'p mut TableFileWriter> {
        let file = match p.file.take() {
            Some(file) => file,
            None => {
                let path = dir.join(&p.relative);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                }
                TableFileWriter::with_row_groups(
                    &path,
                    p.rows.spec(),
                    FileLayout::Partition,
                    options.row_group_rows,
                )?
            }
        };
        Ok(p.file.insert(file))
    }

    /// Writes a partition's buffered rows as one row group.
    fn flush(&mut self, key: &PartitionKey) -> Result<()> {
        let Some(p) = self.open.get_mut(key) else {
            return Ok(());
        };
        let n = p.rows.len();
        if n == 0 {
            return Ok(());
        }
        let batch = p.rows.finish()?;
        let file = Self::file(&self.dir, &self.options, p)?;
        file.write(&batch)?;
        file.flush()?;
        self.buffered = self.buffered.saturating_sub(n);
        Ok(())
    }

    /// Writes rows that all belong to partition `key` straight to its file, after the rows
    /// buffered for it; the file cuts row groups at the dataset's row group size.
    fn write_rows(&mut self, key: PartitionKey, batch: &RecordBatch) -> Result<()> {
        self.flush(&key)?;
        let (dir, options) = (self.dir.clone(), self.options.clone());
        let p = self.entry(key)?;
        Self::file(&dir, &options, p)?.write(batch)?;
        self.in_progress += batch.num_rows();
        self.bound_open_row_groups()
    }

    /// Keeps the rows held in open row groups of all files under
    /// [`DatasetOptions::max_buffered_rows`]: past it, the largest open row groups are closed
    /// early, so memory stays bounded whatever the number of partitions and rows.
    fn bound_open_row_groups(&mut self) -> Result<()> {
        let limit = self.options.max_buffered_rows.max(1);
        if self.in_progress < limit {
            return Ok(());
        }
        let open_rows = |p: &Partition| p.file.as_ref().map_or(0, |f| f.in_progress_rows());
        self.in_progress = self.open.values().map(open_rows).sum();
        while self.in_progress >= limit {
            let Some(largest) = self
                .open
                .values_mut()
                .filter(|p| open_rows(p) > 0)
                .max_by_key(|p| open_rows(p))
            else {
                break;
            };
            let rows = open_rows(largest);
            if let Some(file) = largest.file.as_mut() {
                file.flush()?;
            }
            self.in_progress = self.in_progress.saturating_sub(rows);
        }
        Ok(())
    }
}

impl Sink for Partitions {
    fn writer(
        &mut self,
        table: &'static str,
        jurisdiction: Jurisdiction,
        year: i32,
    ) -> Result<&mut TableWriter> {
        let key = (table, jurisdiction, year);
        if self.buffered >= self.options.max_buffered_rows.max(1) {
            let largest = self
                .open
                .iter()
                .max_by_key(|(_, p)| p.rows.len())
                .map(|(k, _)| *k);
            if let Some(largest) = largest {
                self.flush(&largest)?;
            }
        }
        if self
            .open
            .get(&key)
            .is_some_and(|p| p.rows.len() >= self.options.row_group_rows.max(1))
        {
            self.flush(&key)?;
        }
        // Every call is for one row.
        self.buffered += 1;
        Ok(&mut self.entry(key)?.rows)
    }
}

/// Writes a dataset from batches of research cases, streaming, in bounded memory; see the
/// module documentation.
pub struct DatasetWriter {
    target: PathBuf,
    temp: PathBuf,
    parts: Partitions,
    manifest: Manifest,
    finished: bool,
}

impl DatasetWriter {
    /// Starts a dataset at `target` (a directory that must not exist unless
    /// `options.overwrite`). Nothing appears at `target` before [`DatasetWriter::finish`].
    pub fn create(target: impl AsRef<Path>, options: DatasetOptions) -> Result<DatasetWriter> {
        let target = target.as_ref().to_owned();
        if target.exists() && !options.overwrite {
            return Err(Error::Exists { path: target });
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::Manifest {
                path: target.clone(),
                message: "the target has no directory name".to_owned(),
            })?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let temp = parent.join(format!(".{name}.tmp-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&temp).map_err(|e| Error::io(&temp, e))?;
        Ok(DatasetWriter {
            target,
            temp: temp.clone(),
            parts: Partitions {
                dir: temp,
                options,
                open: HashMap::new(),
                buffered: 0,
                in_progress: 0,
            },
            manifest: Manifest::new(),
            finished: false,
        })
    }

    /// Writes a batch of research cases.
    pub fn write(&mut self, cases: &[ResearchCase]) -> Result<()> {
        for case in cases {
            tables::write_case(case, &mut self.parts)?;
            self.manifest.cases += 1;
        }
        Ok(())
    }

    /// Writes a batch of table `table` with the table's schema ([`TableSpec::arrow_schema`],
    /// as [`crate::to_batches`] makes it): each run of rows of one partition (jurisdiction
    /// and year of the table's year column) goes straight to that partition's file, whose
    /// row groups are cut at [`DatasetOptions::row_group_rows`]. Rows are not validated here
    /// (a reader validates every row); a row without jurisdiction or date is refused.
    pub fn write_batch(&mut self, table: &str, batch: &RecordBatch) -> Result<()> {
        let spec = tables::spec_of(table)?;
        crate::columns::check_fields(spec, batch.schema().fields(), false)?;
        let missing = |column: &str| Error::Schema {
            table: spec.name.to_owned(),
            message: format!("column {column} is missing or of another type"),
        };
        let jurisdiction = batch
            .column_by_name("jurisdiction")
            .and_then(|c| c.as_any().downcast_ref::<DictionaryArray<Int32Type>>())
            .ok_or_else(|| missing("jurisdiction"))?;
        let names = jurisdiction
            .values()
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| missing("jurisdiction"))?;
        let days = batch
            .column_by_name(spec.year_column)
            .and_then(|c| c.as_any().downcast_ref::<Date32Array>())
            .ok_or_else(|| missing(spec.year_column))?;
        let keys = jurisdiction.keys();
        let null = |row: usize, column: &str| {
            Error::data(
                crate::columns::cell_path(spec.name, row, column),
                "research.null",
                "a required value is missing",
            )
        };
        let n = batch.num_rows();
        // The partition of every row: (jurisdiction key, year).
        let mut parts: Vec<(i32, i32)> = Vec::with_capacity(n);
        let mut jurisdictions: HashMap<i32, Jurisdiction> = HashMap::new();
        for row in 0..n {
            if keys.is_null(row) {
                return Err(null(row, "jurisdiction"));
            }
            if days.is_null(row) {
                return Err(null(row, spec.year_column));
            }
            let key = keys.value(row);
            if let Entry::Vacant(v) = jurisdictions.entry(key) {
                let name = usize::try_from(key)
                    .ok()
                    .filter(|k| *k < names.len())
                    .map(|k| names.value(k))
                    .unwrap_or_default();
                let j =
                    <Jurisdiction as crate::codes::CodeEnum>::from_code(name).ok_or_else(|| {
                        Error::data(
                            crate::columns::cell_path(spec.name, row, "jurisdiction"),
                            "codelist.unknown_code",
                            format!("{name:?} is not a jurisdiction"),
                        )
                    })?;
                v.insert(j);
            }
            let date = days_to_date(days.value(row)).ok_or_else(|| {
                Error::data(
                    crate::columns::cell_path(spec.name, row, spec.year_column),
                    "research.range",
                    "the date is out of range",
                )
            })?;
            parts.push((key, date.year()));
        }
        // Rows of one partition are written together: a batch of many cases spans many years,
        // and many tiny writes cost far more than one reordering.
        let sorted_batch;
        let batch = if parts.windows(2).all(|w| w[0] <= w[1]) {
            batch
        } else {
            let mut order: Vec<u32> = (0..u32::try_from(n).unwrap_or(u32::MAX)).collect();
            order.sort_by_key(|&i| parts[i as usize]);
            parts = order.iter().map(|&i| parts[i as usize]).collect();
            sorted_batch = arrow_select::take::take_record_batch(batch, &UInt32Array::from(order))
                .map_err(|e| Error::Schema {
                    table: spec.name.to_owned(),
                    message: e.to_string(),
                })?;
            &sorted_batch
        };
        let mut start = 0;
        while start < n {
            let (key, year) = parts[start];
            let end = parts[start..]
                .iter()
                .position(|p| *p != (key, year))
                .map_or(n, |len| start + len);
            let j = jurisdictions
                .get(&key)
                .copied()
                .ok_or_else(|| missing("jurisdiction"))?;
            self.parts
                .write_rows((spec.name, j, year), &batch.slice(start, end - start))?;
            start = end;
        }
        if spec.name == tables::cases::NAME {
            self.manifest.cases += n as u64;
        }
        Ok(())
    }

    /// The directory the dataset is written in until [`DatasetWriter::finish`] moves it to its
    /// target. A file put here (the extract pipeline's quarantine file) is published with the
    /// dataset, atomically, or removed with it when the writer is dropped unfinished.
    pub fn staging_dir(&self) -> &Path {
        &self.temp
    }

    /// The manifest being built, for the fields the extract pipeline fills (input digests,
    /// read and rejected counts, key fingerprint, demo key).
    pub fn manifest_mut(&mut self) -> &mut Manifest {
        &mut self.manifest
    }

    /// Writes the remaining rows, closes every file, writes `manifest.json` and the data
    /// dictionary (`dictionary.md`, `dictionary.csv`, `dictionary.html`, `tables.json`), and
    /// moves the dataset to its target. Returns the manifest.
    pub fn finish(mut self) -> Result<Manifest> {
        let keys: Vec<PartitionKey> = self.parts.open.keys().copied().collect();
        for key in &keys {
            self.parts.flush(key)?;
        }
        let mut files: Vec<(PartitionKey, FileEntry)> = Vec::new();
        for (key, p) in self.parts.open.drain() {
            if let Some(file) = p.file {
                let rows = file.finish()?;
                files.push((
                    key,
                    FileEntry {
                        path: p.relative,
                        jurisdiction: key.1,
                        year: key.2,
                        rows,
                    },
                ));
            }
        }
        files.sort_by(|a, b| a.1.path.cmp(&b.1.path));
        for ((table, _, _), entry) in files {
            let t = self.manifest.tables.entry(table.to_owned()).or_default();
            t.rows += entry.rows;
            t.files.push(entry);
        }
        for t in tables() {
            let dir = self.temp.join(t.name);
            fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        let write = |name: &str, text: &str| -> Result<()> {
            let path = self.temp.join(name);
            fs::write(&path, text).map_err(|e| Error::io(&path, e))
        };
        let manifest_json =
            serde_json::to_string_pretty(&self.manifest).map_err(|e| Error::Manifest {
                path: self.temp.join(MANIFEST),
                message: e.to_string(),
            })?;
        write(MANIFEST, &manifest_json)?;
        write("dictionary.md", &crate::dictionary::markdown())?;
        write("dictionary.csv", &crate::dictionary::csv())?;
        write("dictionary.html", &crate::dictionary::html())?;
        write(
            "tables.json",
            &serde_json::to_string_pretty(&crate::dictionary::json()).unwrap_or_default(),
        )?;
        self.publish()?;
        self.finished = true;
        Ok(self.manifest.clone())
    }

    fn publish(&self) -> Result<()> {
        if self.target.exists() {
            if !self.parts.options.overwrite {
                return Err(Error::Exists {
                    path: self.target.clone(),
                });
            }
            let mut old = self.temp.clone().into_os_string();
            old.push("-old");
            let old = PathBuf::from(old);
            fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, e))?;
            fs::rename(&self.temp, &self.target).map_err(|e| Error::io(&self.target, e))?;
            fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        } else {
            fs::rename(&self.temp, &self.target).map_err(|e| Error::io(&self.target, e))?;
        }
        Ok(())
    }
}

impl Drop for DatasetWriter {
    fn drop(&mut self) {
        if !self.finished {
            // Best effort: an unfinished dataset leaves nothing behind.
            let _ = fs::remove_dir_all(&self.temp);
        }
    }
}

/// A dataset read back: its manifest, every table's batches (with the partition column
/// `jurisdiction` restored from the directory names) and the findings of validating them.
#[derive(Debug)]
pub struct Dataset {
    path: PathBuf,
    manifest: Manifest,
    batches: Vec<TableBatch>,
    issues: Vec<Issue>,
}

impl Dataset {
    /// Opens the dataset at `path`: reads `manifest.json` (refusing a research schema version
    /// this build does not read), then every file it lists, checking each file's schema
    /// version and columns and validating its rows. Row-level findings are kept in
    /// [`Dataset::issues`]; a file whose row count differs from the manifest is an error.
    pub fn open(path: impl AsRef<Path>) -> Result<Dataset> {
        let path = path.as_ref().to_owned();
        let manifest_path = path.join(MANIFEST);
        let text = fs::read_to_string(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
        #[derive(Deserialize)]
        struct Probe {
            schema_version: Option<String>,
        }
        let probe: Probe = serde_json::from_str(&text).map_err(|e| Error::Manifest {
            path: manifest_path.clone(),
            message: e.to_string(),
        })?;
        match probe.schema_version {
            Some(v) if SUPPORTED_SCHEMA_VERSIONS.contains(&v.as_str()) => {}
            found => {
                return Err(Error::SchemaVersion {
                    path: manifest_path,
                    found,
                    supported: SUPPORTED_SCHEMA_VERSIONS.join(", "),
                });
            }
        }
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| Error::Manifest {
            path: manifest_path.clone(),
            message: e.to_string(),
        })?;
        let mut batches = Vec::new();
        let mut issues = Vec::new();
        for (name, entry) in &manifest.tables {
            let spec = tables::spec_of(name)?;
            for file in &entry.files {
                let file_path = path.join(&file.path);
                let read = read_table_in(&file_path, Some(file.jurisdiction))?;
                if read.spec.name != spec.name || read.rows() as u64 != file.rows {
                    return Err(Error::Manifest {
                        path: file_path,
                        message: format!(
                            "holds {} rows of table {}; the manifest lists {} rows of {}",
                            read.rows(),
                            read.spec.name,
                            file.rows,
                            spec.name
                        ),
                    });
                }
                issues.extend(read.issues);
                let mut first_row = 0;
                for b in read.batches {
                    issues.extend(check_partition_year(spec, &b, first_row, file.year));
                    first_row += b.num_rows();
                    batches.push((spec, with_partition(spec, &b, file.jurisdiction)?));
                }
            }
        }
        Ok(Dataset {
            path,
            manifest,
            batches,
            issues,
        })
    }

    /// The dataset directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Every batch of every table, with the spec's full schema.
    pub fn batches(&self) -> &[TableBatch] {
        &self.batches
    }

    /// The batches of one table.
    pub fn table(&self, name: &str) -> Vec<&RecordBatch> {
        self.batches
            .iter()
            .filter(|(s, _)| s.name == name)
            .map(|(_, b)| b)
            .collect()
    }

    /// Findings of validating the rows (empty for a dataset this crate wrote from valid
    /// cases).
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// The research cases, rebuilt from the tables (in partition order of the cases table).
    pub fn cases(&self) -> Result<Vec<ResearchCase>> {
        crate::convert::from_batches(&self.batches)
    }
}

/// A partition file's batch with the spec's full schema: the partition column `jurisdiction`
/// restored from the directory name (for readers that select files themselves).
pub fn with_partition(
    spec: &'static TableSpec,
    batch: &RecordBatch,
    jurisdiction: Jurisdiction,
) -> Result<RecordBatch> {
    let n = batch.num_rows();
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(spec.fields.len());
    for f in &spec.fields {
        if f.name == "jurisdiction" {
            let keys = Int32Array::from(vec![0; n]);
            let values = Arc::new(StringArray::from(vec![jurisdiction.code()]));
            columns.push(Arc::new(DictionaryArray::try_new(keys, values)?));
        } else {
            columns.push(
                batch
                    .column_by_name(&f.name)
                    .cloned()
                    .ok_or_else(|| Error::Schema {
                        table: spec.name.to_owned(),
                        message: format!("column {} is missing", f.name),
                    })?,
            );
        }
    }
    Ok(RecordBatch::try_new(spec.arrow_schema(), columns)?)
}
