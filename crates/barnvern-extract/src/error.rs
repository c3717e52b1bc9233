//! The error type of the extract pipeline: what stops a run as a whole. A bad input line does not
//! stop a run; it is quarantined (see [`crate::quarantine`]).

use std::path::{Path, PathBuf};

use crate::key::KeyError;

/// Why an extract or validation run stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// No project key, or an unusable one.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The dataset could not be written (it exists, or a file failed).
    #[error(transparent)]
    Dataset(#[from] barnvern_arrow::Error),
    /// No input files were given.
    #[error("no input files: give one or more JSON Lines files of case bundles")]
    NoInputs,
    /// The quarantine file would be inside the output or overwrite an input.
    #[error("{}: {reason}", path.display())]
    BadPath {
        /// The path.
        path: PathBuf,
        /// Why it cannot be used.
        reason: String,
    },
    /// The run's own bookkeeping disagrees: lines read differ from accepted plus rejected.
    /// Nothing is published when this happens.
    #[error(
        "internal check failed: read {read} lines but accepted {accepted} and rejected {rejected}; nothing was published"
    )]
    Count {
        /// Lines read.
        read: u64,
        /// Lines accepted.
        accepted: u64,
        /// Lines rejected.
        rejected: u64,
    },
    /// More cases than the duplicate case id check can hold (4,294,967,294 in one run, from at
    /// most 4,294,967,295 input files): split the input.
    #[error(
        "too many cases for one run: the duplicate case id check holds at most 4,294,967,294; split the input"
    )]
    TooManyCases,
    /// A worker thread stopped unexpectedly.
    #[error("a worker thread stopped unexpectedly: {0}")]
    Worker(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
