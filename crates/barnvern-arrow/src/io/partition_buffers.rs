//! The partitions of a dataset being written: rows wait in memory as compact Arrow batches, one
//! buffer per partition, and go to Parquet a whole row group at a time, on writer threads of
//! their own.
//!
//! Memory is bounded whatever the size of the input, by three limits of
//! [`DatasetOptions`]:
//! - the Arrow bytes held over all buffers ([`DatasetOptions::max_buffered_bytes`]): past it,
//!   the largest buffer is written early as a smaller row group;
//! - the files open at once ([`DatasetOptions::max_open_files`]): past it the least recently
//!   written file is finished and its partition's next rows start its next file
//!   (`part-1.parquet`, ...);
//! - the row groups of the open files ([`DatasetOptions::max_open_row_groups`]), whose
//!   metadata each file holds until its footer is written: past it the open file with the
//!   most row groups is finished.
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
use crate::error::{Error, Result};
use crate::io::dataset::{DatasetOptions, FileEntry};
use crate::io::table_file::{FileLayout, TableFileWriter};
use crate::spec::TableSpec;
use crate::tables::{self, Sink};

/// A partition: table, jurisdiction and year.
pub(crate) type PartitionKey = (&'static str, Jurisdiction, i32);

/// Rows added one at a time (through [`Sink`]) are moved into the buffer's batches every this
/// many rows.
const ROW_CHUNK: usize = 4096;

/// Batches a buffer takes in before the newest of them are merged into one. The extract hands
/// over one small batch per partition per chunk of cases (a few rows of a rare table), each
/// with its own array headers and dictionaries; merged, they take what their rows take, and
/// the writer threads get fewer, larger batches.
const COMPACT_BATCHES: usize = 32;

/// Row groups queued for each writer thread.
const QUEUED_ROW_GROUPS: usize = 4;

/// Rows of one partition waiting to be written.
struct Buffer {
    spec: &'static TableSpec,
    /// Rows added one by one, not yet moved into `batches`.
    rows: TableWriter,
    /// Batches in arrival order, each with the Arrow bytes it was counted at.
    batches: Vec<(RecordBatch, usize)>,
    /// `batches[..merged]` are results of merging; the rest came in as they are.
    merged: usize,
    batch_rows: usize,
    bytes: usize,
}

impl Buffer {
    fn new(spec: &'static TableSpec) -> Buffer {
        Buffer {
            spec,
            rows: TableWriter::new(spec),
            batches: Vec::new(),
            merged: 0,
            batch_rows: 0,
            bytes: 0,
        }
    }

    fn rows(&self) -> usize {
        self.batch_rows + self.rows.len()
    }

    /// Adds a batch; returns the bytes the buffer grew by (negative: shrank, after merging).
    fn add(&mut self, batch: RecordBatch) -> Result<isize> {
        let before = self.bytes;
        let bytes = batch.get_array_memory_size();
        self.batch_rows += batch.num_rows();
        self.bytes += bytes;
        self.batches.push((batch, bytes));
        if self.batches.len() - self.merged >= COMPACT_BATCHES {
            // Merging the merged ones too, when they are many, keeps the count of batches
            // bounded for a partition that fills slowly.
            let from = if self.merged >= COMPACT_BATCHES {
                0
            } else {
                self.merged
            };
            let (tail, sizes): (Vec<RecordBatch>, Vec<usize>) = self.batches.drain(from..).unzip();
            let merged = concat(self.spec, &tail)?;
            let merged_bytes = merged.get_array_memory_size();
            self.bytes = self.bytes - sizes.iter().sum::<usize>() + merged_bytes;
            self.batches.push((merged, merged_bytes));
            self.merged = self.batches.len();
        }
        Ok(self.bytes as isize - before as isize)
    }

    /// Removes the first `n` rows (or all there are) as batches to write. A batch cut in two
    /// leaves a copy of its rest, so the rows written are not held through it.
    fn take_rows(&mut self, n: usize) -> Result<Vec<RecordBatch>> {
        let mut out = Vec::new();
        let mut taken = 0;
        while taken < n && !self.batches.is_empty() {
            let (batch, bytes) = self.batches.remove(0);
            self.merged = self.merged.saturating_sub(1);
            let need = n - taken;
            if batch.num_rows() <= need {
                taken += batch.num_rows();
                self.bytes = self.bytes.saturating_sub(bytes);
                out.push(batch);
                continue;
            }
            let rest = concat(self.spec, &[batch.slice(need, batch.num_rows() - need)])?;
            let rest_bytes = rest.get_array_memory_size();
            self.bytes = self.bytes.saturating_sub(bytes) + rest_bytes;
            out.push(batch.slice(0, need));
            self.batches.insert(0, (rest, rest_bytes));
            self.merged += 1;
            taken = n;
        }
        self.batch_rows -= taken;
        Ok(out)
    }
}

/// The buffers of all partitions, and the writer threads their row groups go to.
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
        let grew = self.buffer(key)?.add(batch)?;
        self.bytes = self.bytes.saturating_add_signed(grew);
        self.write_full_row_groups(key)?;
        self.bound_memory()
    }

    /// Writes the partition's full row groups and keeps the rest.
    fn write_full_row_groups(&mut self, key: PartitionKey) -> Result<()> {
        let group = self.options.row_group_rows.max(1);
        while self
            .buffers
            .get(&key)
            .is_some_and(|b| b.batch_rows >= group)
        {
            self.send_rows(key, group)?;
        }
        Ok(())
    }

    /// Sends the partition's first `n` rows to its writer thread as one row group.
    fn send_rows(&mut self, key: PartitionKey, n: usize) -> Result<()> {
        let Some(b) = self.buffers.get_mut(&key) else {
            return Ok(());
        };
        let before = b.bytes;
        let batches = b.take_rows(n)?;
        self.bytes = self.bytes.saturating_sub(before) + b.bytes;
        if batches.is_empty() {
            return Ok(());
        }
        self.files.send(key, batches)
    }

    /// While the buffers hold more than [`DatasetOptions::max_buffered_bytes`], writes the
    /// largest one out as a (smaller) row group.
    fn bound_memory(&mut self) -> Result<()> {
        while self.bytes > self.options.max_buffered_bytes {
            let Some(largest) = self
                .buffers
                .iter()
                .filter(|(_, b)| b.rows() > 0)
                // Ties go to the first key, not to the hash map's order, so that the row
                // groups cut do not change from run to run.
                .max_by_key(|(k, b)| (b.bytes, std::cmp::Reverse(**k)))
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
        let group = self.options.row_group_rows.max(1);
        while let Some(rows) = self.buffers.get(&key).map(|b| b.batch_rows)
            && rows > 0
        {
            self.send_rows(key, rows.min(group))?;
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
        let grew = b.add(batch)?;
        self.bytes = self.bytes.saturating_add_signed(grew);
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

    /// Stops the writer threads without finishing the files (the dataset is abandoned).
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

/// One row group: a partition and its rows, in one or more batches.
type Job = (PartitionKey, Vec<RecordBatch>);
type Written = Vec<(PartitionKey, FileEntry)>;

/// The writer threads: row groups in, Parquet files out. Each partition belongs to one thread
/// (by a fixed hash of its key), which owns its files, so a file's row groups are written in
/// the order they were sent and the dataset does not depend on thread timing. Several threads
/// matter at the end of a run, when every buffer is written out at once.
struct FileSink {
    dir: PathBuf,
    shards: Vec<Shard>,
}

/// One writer thread and the queue of row groups it takes.
struct Shard {
    tx: Option<SyncSender<Job>>,
    thread: Option<JoinHandle<Result<Written>>>,
}

impl FileSink {
    fn start(dir: PathBuf, options: DatasetOptions) -> Result<FileSink> {
        let n = match options.writer_threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
            n => n,
        };
        // The limits are shared out: together the threads hold no more than one would.
        let per_thread = DatasetOptions {
            max_open_files: (options.max_open_files / n).max(1),
            max_open_row_groups: (options.max_open_row_groups / n).max(1),
            ..options
        };
        let mut sink = FileSink {
            dir: dir.clone(),
            shards: Vec::with_capacity(n),
        };
        for i in 0..n {
            let (tx, rx) = sync_channel::<Job>(QUEUED_ROW_GROUPS);
            let files = Files {
                dir: dir.clone(),
                options: per_thread.clone(),
                open: HashMap::new(),
                parts: HashMap::new(),
                open_row_groups: 0,
                clock: 0,
                written: Vec::new(),
            };
            let thread = std::thread::Builder::new()
                .name(format!("barnvern-parquet-{i}"))
                .spawn(move || files.run(rx))
                .map_err(|e| Error::io(&dir, e))?;
            sink.shards.push(Shard {
                tx: Some(tx),
                thread: Some(thread),
            });
        }
        Ok(sink)
    }

    /// The thread that writes partition `key`: a hash of the key that does not change from run
    /// to run (FNV-1a).
    fn shard_of(&self, key: PartitionKey) -> usize {
        let (table, jurisdiction, year) = key;
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in table
            .bytes()
            .chain(jurisdiction.code().bytes())
            .chain(year.to_le_bytes())
        {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        usize::try_from(h % self.shards.len().max(1) as u64).unwrap_or(0)
    }

    /// Queues a row group; the error of a writer thread that stopped comes back here.
    fn send(&mut self, key: PartitionKey, batches: Vec<RecordBatch>) -> Result<()> {
        let i = self.shard_of(key);
        let sent = match self.shards.get(i).and_then(|s| s.tx.as_ref()) {
            Some(tx) => tx.send((key, batches)).is_ok(),
            None => false,
        };
        if sent {
            return Ok(());
        }
        // The thread stopped: its error, or the others' if it has none.
        self.finish().and_then(|_| Err(stopped(&self.dir)))
    }

    /// Closes the queues, waits for every thread, and returns the files they wrote (the first
    /// error if one failed).
    fn finish(&mut self) -> Result<Written> {
        for shard in &mut self.shards {
            shard.tx = None;
        }
        let mut written = Vec::new();
        let mut first_error = None;
        for shard in &mut self.shards {
            let result = match shard.thread.take() {
                Some(thread) => thread.join().unwrap_or_else(|_| Err(stopped(&self.dir))),
                None => Err(stopped(&self.dir)),
            };
            match result {
                Ok(files) => written.extend(files),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(written),
        }
    }

    fn stop(&mut self) {
        let _ = self.finish();
    }
}

/// The error of a writer thread that stopped without one of its own.
fn stopped(dir: &std::path::Path) -> Error {
    Error::io(
        dir,
        std::io::Error::other("the Parquet writer thread stopped"),
    )
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
    /// Row groups written to the open files.
    open_row_groups: usize,
    clock: u64,
    written: Written,
}

impl Files {
    fn run(mut self, rx: Receiver<Job>) -> Result<Written> {
        for (key, batches) in rx {
            self.write(key, &batches)?;
        }
        let mut keys: Vec<PartitionKey> = self.open.keys().copied().collect();
        keys.sort();
        for key in keys {
            self.close(key)?;
        }
        Ok(self.written)
    }

    /// Writes one row group to the partition's open file, opening one first if needed.
    fn write(&mut self, key: PartitionKey, batches: &[RecordBatch]) -> Result<()> {
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
        if let Some(file) = self.open.get_mut(&key) {
            for batch in batches {
                file.writer.write(batch)?;
            }
            file.writer.flush()?;
            file.row_groups += 1;
            file.last_used = self.clock;
            self.open_row_groups += 1;
        }
        while self.open_row_groups > self.options.max_open_row_groups.max(1) {
            // The file with the most row groups (the first in partition order of those).
            let fullest = self
                .open
                .iter()
                .max_by_key(|(k, f)| (f.row_groups, std::cmp::Reverse(**k)))
                .map(|(k, _)| *k);
            match fullest {
                Some(k) => self.close(k)?,
                None => break,
            }
        }
        Ok(())
    }

    fn close(&mut self, key: PartitionKey) -> Result<()> {
        if let Some(file) = self.open.remove(&key) {
            self.open_row_groups = self.open_row_groups.saturating_sub(file.row_groups);
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
