//! The quarantine file: one JSON object per rejected input line, with the file, the line number
//! and every error (path, code, severity, message). The line itself is never copied: it may hold
//! identity numbers, and the quarantine file is shared with whoever fixes the source.
//!
//! ```json
//! {"file":"cases.jsonl","line":7,"errors":[{"path":"child.identity.national_id","code":"id.se.check_digit","severity":"error","message":"..."}]}
//! ```

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use barnvern_arrow::io::output_dir::AtomicFile;
use barnvern_core::Finding;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The quarantine file's name inside a dataset when no other path is given.
pub const QUARANTINE_FILE: &str = "quarantine.jsonl";

/// One rejected line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantineRecord {
    /// The input file, as named on the command line.
    pub file: String,
    /// The line number in the file, from 1; `None` for a finding about the whole file (an empty
    /// file).
    pub line: Option<u64>,
    /// Why the line was rejected.
    pub errors: Vec<Finding>,
}

/// Writes quarantine records as JSON Lines, atomically: the file at the path appears (or
/// replaces the one there) only at [`QuarantineWriter::finish`].
pub struct QuarantineWriter {
    path: PathBuf,
    out: BufWriter<AtomicFile>,
    records: u64,
}

impl QuarantineWriter {
    /// Starts the file for `path` (written beside it until finished).
    pub fn create(path: &Path) -> Result<QuarantineWriter> {
        let file = AtomicFile::create(path)?;
        Ok(QuarantineWriter {
            path: path.to_owned(),
            out: BufWriter::new(file),
            records: 0,
        })
    }

    /// Appends a record.
    pub fn write(&mut self, record: &QuarantineRecord) -> Result<()> {
        serde_json::to_writer(&mut self.out, record)
            .map_err(|e| Error::io(&self.path, std::io::Error::other(e)))?;
        self.out
            .write_all(b"\n")
            .map_err(|e| Error::io(&self.path, e))?;
        self.records += 1;
        Ok(())
    }

    /// Records written.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Writes the file to its path (synced, then moved there) and returns the records written.
    pub fn finish(self) -> Result<u64> {
        let (records, file) = self.finish_uncommitted()?;
        file.commit()?;
        Ok(records)
    }

    /// Flushes the records and returns their count with the file, not yet at its path: the
    /// caller commits it ([`AtomicFile::commit`]) once what it belongs with is written, or drops
    /// it to leave what was there.
    pub fn finish_uncommitted(self) -> Result<(u64, AtomicFile)> {
        let file = self
            .out
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        Ok((self.records, file))
    }
}

/// Reads a quarantine file back (for tests and tools).
pub fn read(path: &Path) -> Result<Vec<QuarantineRecord>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    text.lines()
        .map(|l| serde_json::from_str(l).map_err(|e| Error::io(path, std::io::Error::other(e))))
        .collect()
}
