//! The partitions of a dataset being written: rows wait in memory as compact Arrow batches, one
//! buffer per partition, and go to Parquet a whole row group at a time, on a writer thread of
//! their own.
//!
//! Memory is bounded whatever the size of the input, by three limits of
//! [`DatasetOptions`]:
//! - the Arrow bytes held over all buffers ([`DatasetOptions::max_buffered_bytes`]): past it,
//!   the largest buffer is written early as a smaller row group;
//! - the files open at once ([`DatasetOptions::max_open_files`]): past it the least recently
//!   written file is finished and its partition's next rows start its next file
//!   (`part-1.parquet`, ...);
//! - the row groups of one file ([`DatasetOptions::max_row_groups_per_file`]), whose metadata
//!   the file holds until its footer is written.
//!
//! A row group is encoded and closed in one go, so its column encoders and compression
//! contexts live only while it is written. An earlier design kept every partition's row group
//! in progress: about 400 files of some 30 columns held 350 MB of codec contexts and encoders,
//! and the metadata of ever smaller row groups grew with the input (measured with heaptrack).

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use arrow_array::RecordBatch;
use barnvern_core::Jurisdiction;

use crate::columns::TableWriter;
use crate::dataset::{DatasetOptions, FileEntry};
use crate::error::{Error, Result};
use crate::parquet::{FileLayout, TableFileWriter};
use crate::spec::TableSpec;
use crate::tables::{self, Sink};

/// A partition: table, jurisdiction and year.
pub(crate) type PartitionKey = (&'static str, Jurisdiction, i32);

/// Rows added one at a time (through [`Sink`]) are moved into the buffer's batches every this
/// many rows.
const ROW_CHUNK: usize = 4096;

/// Row groups queued for the writer thread.
const QUEUED_ROW_GROUPS: usize = 4;

/// Rows of one partition waiting to be written.
struct Buffer {
    spec: &'static TableSpec,
    /// Rows added one by one, not yet moved into `batches`.
    rows: TableWriter,
    batches: Vec<RecordBatch>,
    batch_rows: usize,
    bytes: usize,
}

impl Buffer {
    fn new(spec: &'static TableSpec) -> Buffer {
        Buffer {
            spec,
            rows: TableWriter::new(spec),
            batches: Vec::new(),
            batch_rows: 0,
            bytes: 0,
        }
    }

    fn rows(&self) -> usize {
        self.batch_rows + self.rows.len()
    }
}

/// The buffers of all partitions, and the writer thread their row groups go to.
pub(crate) struct Partitions {
    options: DatasetOptions,
    buffers: HashMap<PartitionKey, Buffer>,
    /// Arrow bytes held over all buffers.
    bytes: usize,
    files: FileSink,
}

impl Partitions {
    pub(crate) fn new(dir: PathBuf, options: DatasetOptions) -> Result<Partitions> {
        Ok(Partitions {
            files: FileSink::start(dir, options.clone())?,
            options,
            buffers: HashMap::new(),
            bytes: 0,
        })
    }

    fn buffer(&mut self, key: PartitionKey) -> Result<&mut Buffer> {
        Ok(match self.buffers.entry(key) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(Buffer::new(tables::spec_of(key.0)?))
            }
        })
    }

    /// Adds rows that all belong to partition `key` (a compact batch: its buffers hold only
    /// these rows). Whole row groups are written as soon as the partition has them.
    pub(crate) fn push(&mut self, key: PartitionKey, batch: RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let bytes = batch.get_array_memory_size();
        let b = self.buffer(key)?;
        b.batch_rows += batch.num_rows();
        b.bytes += bytes;
        b.batches.push(batch);
        self.bytes += bytes;
        self.write_full_row_groups(key)?;
        self.bound_memory()
    }

    /// Writes the partition's full row groups and keeps the rest, compacted.
    fn write_full_row_groups(&mut self, key: PartitionKey) -> Result<()> {
        let group = self.options.row_group_rows.max(1);
        let Some(b) = self.buffers.get_mut(&key) else {
            return Ok(());
        };
        if b.batch_rows < group {
            return Ok(());
        }
        let all = concat(b.spec, &std::mem::take(&mut b.batches))?;
        self.bytes = self.bytes.saturating_sub(b.bytes);
        let full = all.num_rows() / group * group;
        let rest = all.num_rows() - full;
        // The rest is copied so that it no longer holds the written rows' buffers.
        let rest = concat(b.spec, &[all.slice(full, rest)])?;
        b.batch_rows = rest.num_rows();
        b.bytes = rest.get_array_memory_size();
        self.bytes += b.bytes;
        if rest.num_rows() > 0 {
            b.batches.push(rest);
        }
        let mut start = 0;
        while start < full {
            self.files.send(key, all.slice(start, group))?;
            start += group;
        }
        Ok(())
    }

    /// While the buffers hold more than [`DatasetOptions::max_buffered_bytes`], writes the
    /// largest one out as a (smaller) row group.
    fn bound_memory(&mut self) -> Result<()> {
        while self.bytes > self.options.max_buffered_bytes {
            let Some(largest) = self
                .buffers
                .iter()
                .filter(|(_, b)| b.rows() > 0)
                .max_by_key(|(_, b)| b.bytes)
                .map(|(k, _)| *k)
            else {
                break;
            };
            self.write_all(largest)?;
        }
        Ok(())
    }

    /// Writes everything the partition holds as one row group (or several, if it holds more
    /// than one).
    fn write_all(&mut self, key: PartitionKey) -> Result<()> {
        self.move_rows(key)?;
        let Some(b) = self.buffers.get_mut(&key) else {
            return Ok(());
        };
        let batches = std::mem::take(&mut b.batches);
        self.bytes = self.bytes.saturating_sub(b.bytes);
        b.bytes = 0;
        b.batch_rows = 0;
        let spec = b.spec;
        if batches.is_empty() {
            return Ok(());
        }
        let all = concat(spec, &batches)?;
        let group = self.options.row_group_rows.max(1);
        let mut start = 0;
        while start < all.num_rows() {
            let len = group.min(all.num_rows() - start);
            self.files.send(key, all.slice(start, len))?;
            start += len;
        }
        Ok(())
    }

    /// Moves the rows added one by one into the partition's batches.
    fn move_rows(&mut self, key: PartitionKey) -> Result<()> {
        let Some(b) = self.buffers.get_mut(&key) else {
            return Ok(());
        };
        if b.rows.len() == 0 {
            return Ok(());
        }
        let batch = b.rows.finish()?;
        let bytes = batch.get_array_memory_size();
        b.batch_rows += batch.num_rows();
        b.bytes += bytes;
        b.batches.push(batch);
        self.bytes += bytes;
        Ok(())
    }

    /// Writes what every buffer holds, finishes every file, and returns the files written.
    pub(crate) fn finish(mut self) -> Result<Vec<(PartitionKey, FileEntry)>> {
        let mut keys: Vec<PartitionKey> = self.buffers.keys().copied().collect();
        keys.sort();
        for key in keys {
            self.write_all(key)?;
        }
        self.files.finish()
    }

    /// Stops the writer thread without finishing the files (the dataset is abandoned).
    pub(crate) fn abandon(&mut self) {
        self.files.stop();
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
        if self.buffer(key)?.rows.len() >= ROW_CHUNK {
            self.move_rows(key)?;
            self.write_full_row_groups(key)?;
            self.bound_memory()?;
        }
        Ok(&mut self.buffer(key)?.rows)
    }
}

/// The batches of one table as one compact batch.
fn concat(spec: &TableSpec, batches: &[RecordBatch]) -> Result<RecordBatch> {
    let schema = match batches.first() {
        Some(b) => b.schema(),
        None => spec.arrow_schema(),
    };
    arrow_select::concat::concat_batches(&schema, batches).map_err(|e| Error::Schema {
        table: spec.name.to_owned(),
        message: e.to_string(),
    })
}

type Job = (PartitionKey, RecordBatch);
type Written = Vec<(PartitionKey, FileEntry)>;

/// The writer thread: row groups in, Parquet files out.
struct FileSink {
    dir: PathBuf,
    tx: Option<SyncSender<Job>>,
    thread: Option<JoinHandle<Result<Written>>>,
}

impl FileSink {
    fn start(dir: PathBuf, options: DatasetOptions) -> Result<FileSink> {
        let (tx, rx) = sync_channel::<Job>(QUEUED_ROW_GROUPS);
        let files = Files {
            dir: dir.clone(),
            options,
            open: HashMap::new(),
            parts: HashMap::new(),
            clock: 0,
            written: Vec::new(),
        };
        let thread = std::thread::Builder::new()
            .name("barnvern-parquet".to_owned())
            .spawn(move || files.run(rx))
            .map_err(|e| Error::io(&dir, e))?;
        Ok(FileSink {
            dir,
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Queues a row group; the error of a writer thread that stopped comes back here.
    fn send(&mut self, key: PartitionKey, batch: RecordBatch) -> Result<()> {
        let sent = match &self.tx {
            Some(tx) => tx.send((key, batch)).is_ok(),
            None => false,
        };
        if sent {
            return Ok(());
        }
        match self.join() {
            Err(e) => Err(e),
            Ok(_) => Err(self.stopped()),
        }
    }

    fn finish(&mut self) -> Result<Written> {
        self.tx = None;
        self.join()
    }

    fn stop(&mut self) {
        self.tx = None;
        let _ = self.join();
    }

    fn join(&mut self) -> Result<Written> {
        self.tx = None;
        match self.thread.take() {
            Some(thread) => thread.join().unwrap_or_else(|_| Err(self.stopped())),
            None => Err(self.stopped()),
        }
    }

    fn stopped(&self) -> Error {
        Error::io(
            &self.dir,
            std::io::Error::other("the Parquet writer thread stopped"),
        )
    }
}

impl Drop for FileSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One open partition file.
struct OpenFile {
    writer: TableFileWriter,
    relative: String,
    row_groups: usize,
    last_used: u64,
}

/// The files of the dataset, owned by the writer thread.
struct Files {
    dir: PathBuf,
    options: DatasetOptions,
    open: HashMap<PartitionKey, OpenFile>,
    /// The next file number of each partition.
    parts: HashMap<PartitionKey, usize>,
    clock: u64,
    written: Written,
}

impl Files {
    fn run(mut self, rx: Receiver<Job>) -> Result<Written> {
        for (key, batch) in rx {
            self.write(key, &batch)?;
        }
        let mut keys: Vec<PartitionKey> = self.open.keys().copied().collect();
        keys.sort();
        for key in keys {
            self.close(key)?;
        }
        Ok(self.written)
    }

    /// Writes one row group to the partition's open file, opening one first if needed.
    fn write(&mut self, key: PartitionKey, batch: &RecordBatch) -> Result<()> {
        self.clock += 1;
        if !self.open.contains_key(&key) {
            if self.open.len() >= self.options.max_open_files.max(1) {
                let oldest = self
                    .open
                    .iter()
                    .min_by_key(|(_, f)| f.last_used)
                    .map(|(k, _)| *k);
                if let Some(oldest) = oldest {
                    self.close(oldest)?;
                }
            }
            let part = self.parts.entry(key).or_insert(0);
            let (table, jurisdiction, year) = key;
            let relative = format!(
                "{table}/jurisdiction={}/year={year}/part-{part}.parquet",
                jurisdiction.code()
            );
            *part += 1;
            let path = self.dir.join(&relative);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            let writer = TableFileWriter::with_row_groups(
                &path,
                tables::spec_of(table)?,
                FileLayout::Partition,
                self.options.row_group_rows,
            )?;
            self.open.insert(
                key,
                OpenFile {
                    writer,
                    relative,
                    row_groups: 0,
                    last_used: 0,
                },
            );
        }
        let full = match self.open.get_mut(&key) {
            Some(file) => {
                file.writer.write(batch)?;
                file.writer.flush()?;
                file.row_groups += 1;
                file.last_used = self.clock;
                file.row_groups >= self.options.max_row_groups_per_file.max(1)
            }
            None => false,
        };
        if full {
            self.close(key)?;
        }
        Ok(())
    }

    fn close(&mut self, key: PartitionKey) -> Result<()> {
        if let Some(file) = self.open.remove(&key) {
            let rows = file.writer.finish()?;
            self.written.push((
                key,
                FileEntry {
                    path: file.relative,
                    jurisdiction: key.1,
                    year: key.2,
                    rows,
                },
            ));
        }
        Ok(())
    }
}
