//! Datasets: every research table, hive-partitioned
//! (`TABLE/jurisdiction=SE/year=2024/part-0.parquet`), with a `manifest.json` and the data
//! dictionary, written by a streaming [`DatasetWriter`] and opened by [`Dataset::open`], which
//! reads the manifest only; a table is read when asked for ([`Dataset::table`]).
//!
//! The writer keeps memory bounded whatever the input: rows wait per partition as compact
//! Arrow batches and are written, on writer threads, a whole row group at a time when a
//! partition reaches [`DatasetOptions::row_group_rows`] rows; when all partitions together
//! hold [`DatasetOptions::max_buffered_bytes`], the largest is written out early. A partition
//! is one file (`part-0.parquet`) unless [`DatasetOptions::max_open_files`] or
//! [`DatasetOptions::max_open_row_groups`] make it start another (`part-1.parquet`, ...);
//! the manifest lists every file. Nothing holds the whole dataset.
//!
//! The dataset appears atomically: it is written into a hidden sibling directory
//! (`.NAME.tmp-PID-NANOS`) and renamed onto the target at [`DatasetWriter::finish`]. An
//! interrupted run leaves no half dataset at the target (a dropped writer removes its
//! temporary directory). An existing dataset is refused unless [`DatasetOptions::overwrite`]
//! is set; then the new dataset and the old one are swapped in one step (Linux `renameat2`
//! with `RENAME_EXCHANGE`) and the old one removed, so the target always holds a whole
//! dataset. Whatever `overwrite` says, only a dataset (its `manifest.json` and nothing
//! barnvern did not write) or an empty folder is replaced: see [`crate::io::output_dir`].

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, Date32Array, DictionaryArray, RecordBatch, StringArray, UInt32Array,
};
use barnvern_core::codelist::{builtin, builtin_systems};
use barnvern_core::{Finding, Jurisdiction};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::columns::days_to_date;
use crate::convert::TableBatch;
use crate::error::{Error, Result};
use crate::io::output_dir::{DATASET, StagedDir};
use crate::io::partition_buffers::Partitions;
use crate::io::table_file::ROW_GROUP_ROWS;
use crate::io::table_read::{TableRead, jurisdiction_column};
use crate::spec::{PRODUCER, SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS, TableSpec, tables};
use crate::tables::{self};
use barnvern_research::case::ResearchCase;

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// The value of [`Manifest::format`].
pub const FORMAT: &str = "barnvern-research-dataset";

/// How a dataset is written. The three limits bound the writer's memory whatever the size of
/// the input (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetOptions {
    /// Replace an existing dataset at the target.
    pub overwrite: bool,
    /// Rows per row group (default [`ROW_GROUP_ROWS`]).
    pub row_group_rows: usize,
    /// Bytes of Arrow data held over all partitions before the largest partition's rows are
    /// written early, as a smaller row group (default 256 MiB).
    pub max_buffered_bytes: usize,
    /// Partition files open at once (default 512, under the usual limit of 1,024 open files
    /// a process). Past it the least recently written file is finished, and its partition's
    /// next rows go to its next file (`part-1.parquet`, ...). An open file between row groups
    /// holds little: its handle, a write buffer and the metadata of its row groups. A synthetic
    /// extract of 1,000,000 children has 399 partitions.
    pub max_open_files: usize,
    /// Row groups written to the files open at once, over all of them (default 1,024). A
    /// file holds the metadata and page indexes of its row groups until its footer is
    /// written; past this limit the open file with the most row groups is finished, and its
    /// partition's next rows go to its next file.
    pub max_open_row_groups: usize,
    /// Threads that encode and write Parquet (default 0: one per core, at most 4). Each
    /// partition's files are written by one of them; the two limits above are shared out
    /// between them.
    pub writer_threads: usize,
}

impl Default for DatasetOptions {
    fn default() -> Self {
        DatasetOptions {
            overwrite: false,
            row_group_rows: ROW_GROUP_ROWS,
            max_buffered_bytes: 256 << 20,
            max_open_files: 512,
            max_open_row_groups: 1024,
            writer_threads: 0,
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

/// Writes a dataset from batches of research cases, streaming, in bounded memory; see the
/// module documentation.
pub struct DatasetWriter {
    staged: Option<StagedDir>,
    temp: PathBuf,
    /// `None` once finished.
    parts: Option<Partitions>,
    manifest: Manifest,
}

impl DatasetWriter {
    /// Starts a dataset at `target`: nothing may be there unless `options.overwrite`, and then
    /// only a dataset or an empty folder ([`crate::io::output_dir::check_target`]; anything else is
    /// [`Error::NotReplaceable`]). Nothing appears at `target` before
    /// [`DatasetWriter::finish`].
    pub fn create(target: impl AsRef<Path>, options: DatasetOptions) -> Result<DatasetWriter> {
        let staged = StagedDir::create(target, &DATASET, options.overwrite)?;
        let temp = staged.path().to_owned();
        Ok(DatasetWriter {
            parts: Some(Partitions::new(temp.clone(), options)?),
            staged: Some(staged),
            temp,
            manifest: Manifest::new(),
        })
    }

    /// Writes a batch of research cases.
    pub fn write(&mut self, cases: &[ResearchCase]) -> Result<()> {
        for case in cases {
            tables::write_case(case, self.parts()?)?;
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
        // Each partition gets a compact batch of its own rows (taken, not sliced, so that a
        // buffered partition holds only its rows' memory).
        let mut groups: BTreeMap<(i32, i32), Vec<u32>> = BTreeMap::new();
        for (row, part) in parts.iter().enumerate() {
            let row = u32::try_from(row).map_err(|_| Error::Schema {
                table: spec.name.to_owned(),
                message: "a batch of more than 2^32 rows".to_owned(),
            })?;
            groups.entry(*part).or_default().push(row);
        }
        let whole = groups.len() == 1;
        for ((key, year), rows) in groups {
            let j = jurisdictions
                .get(&key)
                .copied()
                .ok_or_else(|| missing("jurisdiction"))?;
            let part = if whole {
                batch.clone()
            } else {
                arrow_select::take::take_record_batch(batch, &UInt32Array::from(rows)).map_err(
                    |e| Error::Schema {
                        table: spec.name.to_owned(),
                        message: e.to_string(),
                    },
                )?
            };
            self.parts()?.push((spec.name, j, year), part)?;
        }
        if spec.name == tables::cases::NAME {
            self.manifest.cases += n as u64;
        }
        Ok(())
    }

    /// Writes rows already built and partitioned (see [`crate::PartitionedRows`]), typically on
    /// another thread: the writer only buffers their batches.
    pub fn write_rows(&mut self, rows: crate::PartitionedRows) -> Result<()> {
        let cases = rows.cases() as u64;
        let parts = self.parts()?;
        for (key, batch) in rows.into_parts() {
            parts.push(key, batch)?;
        }
        self.manifest.cases += cases;
        Ok(())
    }

    fn parts(&mut self) -> Result<&mut Partitions> {
        let temp = &self.temp;
        self.parts.as_mut().ok_or_else(|| Error::Manifest {
            path: temp.clone(),
            message: "the dataset is already finished".to_owned(),
        })
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
        let mut files = match self.parts.take() {
            Some(parts) => parts.finish()?,
            None => Vec::new(),
        };
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
        match self.staged.take() {
            Some(staged) => staged.publish()?,
            None => {
                return Err(Error::Manifest {
                    path: self.temp.clone(),
                    message: "the dataset is already finished".to_owned(),
                });
            }
        }
        Ok(self.manifest.clone())
    }
}

impl Drop for DatasetWriter {
    fn drop(&mut self) {
        // The writer threads stop first, so that nothing is written after the staging folder
        // is removed (by the `StagedDir`, dropped after this).
        if let Some(parts) = self.parts.as_mut() {
            parts.abandon();
        }
    }
}

/// Reads and checks `DIR/manifest.json`, the one reader of a manifest ([`Dataset::open`] and
/// the aggregate report use it): a research schema version this build reads
/// ([`Error::SchemaVersion`], checked first, so a manifest of another version is refused for
/// its version, not for a field it lacks), and the format [`FORMAT`] ([`Error::Manifest`]).
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let bad = |message: String| Error::Manifest {
        path: path.clone(),
        message,
    };
    #[derive(Deserialize)]
    struct Probe {
        schema_version: Option<serde_json::Value>,
    }
    let probe: Probe = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    match probe.schema_version {
        Some(serde_json::Value::String(v)) if SUPPORTED_SCHEMA_VERSIONS.contains(&v.as_str()) => {}
        found => {
            return Err(Error::SchemaVersion {
                path,
                found: found.map(|v| match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                }),
                supported: SUPPORTED_SCHEMA_VERSIONS.join(", "),
            });
        }
    }
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if manifest.format != FORMAT {
        return Err(bad(format!(
            "format {:?} is not {FORMAT:?}",
            manifest.format
        )));
    }
    Ok(manifest)
}

/// A dataset opened for reading: its manifest, read and checked; the tables stay on disk
/// until one is asked for ([`Dataset::table`]), and then only the files of the partitions and
/// the columns asked for are read (see [`crate::io::table_read`]).
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The directory as given.
    path: PathBuf,
    /// The directory made absolute when opened, which reads use: a table read later finds
    /// its files wherever the process's working directory has moved.
    root: PathBuf,
    manifest: Manifest,
}

/// Every table of a dataset read whole ([`Dataset::read_all`]).
#[derive(Debug, Clone)]
pub struct AllTables {
    /// Every batch of every table, with the spec's full schema, in dataset order.
    pub batches: Vec<TableBatch>,
    /// Findings of validating the rows (empty for a dataset this crate wrote from valid
    /// cases).
    pub findings: Vec<Finding>,
}

impl Dataset {
    /// Opens the dataset at `path`: reads `manifest.json` (refusing a research schema version
    /// this build does not read, and another format), checks that it names only research
    /// tables and that every file it lists is there, inside the dataset. No Parquet file is
    /// opened: each is checked (schema version, columns, rows against the manifest) and its
    /// rows validated when a table is read.
    pub fn open(path: impl AsRef<Path>) -> Result<Dataset> {
        let path = path.as_ref().to_owned();
        let root = std::path::absolute(&path).map_err(|e| Error::io(&path, e))?;
        let manifest = read_manifest(&root)?;
        let manifest_path = root.join(MANIFEST);
        for (name, entry) in &manifest.tables {
            tables::spec_of(name)?;
            for file in &entry.files {
                let relative = Path::new(&file.path);
                if !relative
                    .components()
                    .all(|c| matches!(c, std::path::Component::Normal(_)))
                {
                    return Err(Error::Manifest {
                        path: manifest_path,
                        message: format!(
                            "table {name} lists a file outside the dataset: {}",
                            barnvern_core::identifier::echo(&file.path)
                        ),
                    });
                }
                let file_path = root.join(relative);
                let meta = fs::metadata(&file_path).map_err(|e| Error::io(&file_path, e))?;
                if !meta.is_file() {
                    return Err(Error::Manifest {
                        path: file_path,
                        message: format!("listed as a file of table {name} but not a file"),
                    });
                }
            }
        }
        Ok(Dataset {
            path,
            root,
            manifest,
        })
    }

    /// The dataset directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The dataset directory made absolute when it was opened: where its files are read.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The names of the dataset's tables, in dataset order (the order of [`tables`]).
    pub fn table_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        tables()
            .iter()
            .map(|t| t.name)
            .filter(|n| self.manifest.tables.contains_key(*n))
    }

    /// Table `name`, to be read: choose columns and partitions, then
    /// [`TableRead::batches`] or [`TableRead::read`]. A name the dataset does not hold is an
    /// [`Error::Data`] (`research.unknown_table`, path `name`).
    pub fn table(&self, name: &str) -> Result<TableRead<'_>> {
        let spec = self
            .manifest
            .tables
            .get(name)
            .and_then(|_| crate::spec::table(name))
            .ok_or_else(|| Error::Data(vec![unknown_table(name, self.table_names())]))?;
        Ok(TableRead::new(
            &self.root,
            spec,
            self.manifest.tables.get(name),
        ))
    }

    /// Every table read whole, with the findings of validating every row.
    pub fn read_all(&self) -> Result<AllTables> {
        let mut batches = Vec::new();
        let mut findings = Vec::new();
        for name in self.table_names() {
            let data = self.table(name)?.read()?;
            batches.extend(data.batches.into_iter().map(|b| (data.spec, b)));
            findings.extend(data.findings);
        }
        Ok(AllTables { batches, findings })
    }

    /// Reads every table a batch at a time, keeping nothing but the findings of validating
    /// the rows (empty for a dataset this crate wrote from valid cases); the same checks as
    /// [`Dataset::read_all`] in the memory of one batch.
    pub fn validate(&self) -> Result<Vec<Finding>> {
        let mut findings = Vec::new();
        for name in self.table_names() {
            let mut batches = self.table(name)?.batches()?;
            for b in batches.by_ref() {
                b?;
            }
            findings.extend(batches.into_findings());
        }
        Ok(findings)
    }

    /// The research cases, rebuilt from the tables (in partition order of the cases table):
    /// every table is read.
    pub fn cases(&self) -> Result<Vec<ResearchCase>> {
        crate::convert::from_batches(&self.read_all()?.batches)
    }
}

/// The finding for a table name that is not one of `known`.
pub fn unknown_table<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Finding {
    Finding::error(
        "name",
        "research.unknown_table",
        format!(
            "{} is not a research table; the tables are {}",
            barnvern_core::identifier::echo(name),
            known.collect::<Vec<_>>().join(", ")
        ),
    )
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
            columns.push(jurisdiction_column(jurisdiction, n)?);
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
