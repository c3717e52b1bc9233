//! The quarantine file: one JSON object per rejected input line, with the file, the line number
//! and every error (path, code, severity, message). The line itself is never copied: it may hold
//! identity numbers, and the quarantine file is shared with whoever fixes the source.
//!
//! ```json
//! {"file":"cases.jsonl","line":7,"errors":[{"path":"child.identity.national_id","code":"id.se.check_digit","severity":"error","message":"..."}]}
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

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

/// Writes quarantine records as JSON Lines.
pub struct QuarantineWriter {
    path: PathBuf,
    out: BufWriter<File>,
    records: u64,
}

impl QuarantineWriter {
    /// Creates (truncates) the file at `path`.
    pub fn create(path: &Path) -> Result<QuarantineWriter> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
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

    /// Flushes and syncs the file.
    pub fn finish(mut self) -> Result<u64> {
        self.out.flush().map_err(|e| Error::io(&self.path, e))?;
        self.out
            .get_ref()
            .sync_all()
            .map_err(|e| Error::io(&self.path, e))?;
        Ok(self.records)
    }
}

/// Reads a quarantine file back (for tests and tools).
pub fn read(path: &Path) -> Result<Vec<QuarantineRecord>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    text.lines()
        .map(|l| serde_json::from_str(l).map_err(|e| Error::io(path, std::io::Error::other(e))))
        .collect()
}
