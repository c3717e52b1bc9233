//! The crate's error type.

use std::path::PathBuf;

use barnvern_core::Finding;

/// Everything that can go wrong while converting, writing or reading research tables.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An Arrow array or batch could not be built or read.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    /// A Parquet file could not be written or read.
    #[error("parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// A Parquet file of a dataset could not be read (not Parquet, cut short, a page that does
    /// not decode).
    #[error("{}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// What the Parquet or Arrow reader said.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A file or directory could not be written or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file was written under a research schema version this build does not read.
    #[error(
        "{}: research schema version {} is not supported; this barnvern reads {supported}",
        path.display(),
        found.as_deref().map_or_else(|| "(none recorded)".to_owned(), barnvern_core::identifier::echo)
    )]
    SchemaVersion {
        /// The file (or manifest) read.
        path: PathBuf,
        /// The version found (`None` when the file records none).
        found: Option<String>,
        /// The versions this build reads, comma-separated.
        supported: String,
    },
    /// A batch or file does not have the columns its table spec describes, or names no table.
    #[error("table {table}: {message}")]
    Schema {
        /// The table.
        table: String,
        /// What differs.
        message: String,
    },
    /// Rows of research tables that do not fit together into research cases (a record whose
    /// case is missing, a gap in a record's index, a value out of range). Each finding has the
    /// table, row and column in its path.
    #[error("{}", .0.first().map_or_else(|| "invalid research data".to_owned(), |i| format!("{i} ({} findings)", .0.len())))]
    Data(Vec<Finding>),
    /// The dataset directory exists and `overwrite` was not set.
    #[error("{}: the dataset already exists (it is replaced only with overwrite)", path.display())]
    Exists {
        /// The target directory.
        path: PathBuf,
    },
    /// Something is at the target that barnvern did not write (a folder of other files, a
    /// regular file, a symbolic link): it is not replaced, whatever `overwrite` says.
    #[error(
        "{}: {reason}; barnvern replaces only a {what} it wrote (recognised by its {marker}), so nothing was written; give another output path or move it away",
        path.display()
    )]
    NotReplaceable {
        /// The target.
        path: PathBuf,
        /// The kind of folder that was to be written there.
        what: &'static str,
        /// The file that marks a folder of that kind.
        marker: &'static str,
        /// What is there instead.
        reason: String,
    },
    /// A manifest could not be read or written.
    #[error("{}: manifest: {message}", path.display())]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// An I/O error about `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// `self`, naming `path` when it is a Parquet or Arrow error, which does not.
    pub(crate) fn in_file(self, path: &std::path::Path) -> Self {
        match self {
            Error::Parquet(e) => Error::ReadFile {
                path: path.to_owned(),
                source: Box::new(e),
            },
            Error::Arrow(e) => Error::ReadFile {
                path: path.to_owned(),
                source: Box::new(e),
            },
            other => other,
        }
    }

    /// A data error with one finding.
    pub(crate) fn data(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Error::Data(vec![Finding::error(path, code, message)])
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
