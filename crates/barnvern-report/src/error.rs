//! The crate's error type.

use std::path::{Path, PathBuf};

/// Everything that can go wrong while building a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The dataset was written under a research schema version this build does not read.
    #[error(
        "{}: research schema version {} is not supported; this barnvern reads {supported}",
        path.display(),
        found.as_deref().map_or_else(|| "(none recorded)".to_owned(), barnvern_core::identifier::echo)
    )]
    SchemaVersion {
        /// The manifest read.
        path: PathBuf,
        /// The version found.
        found: Option<String>,
        /// The versions this build reads.
        supported: String,
    },
    /// The manifest could not be read.
    #[error("{}: manifest: {message}", path.display())]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A Parquet file could not be read.
    #[error("{}: parquet: {source}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// What the reader said.
        source: parquet::errors::ParquetError,
    },
    /// A table lacks a column the report needs, or holds it with another type.
    #[error("table {table}: column {column} {message}")]
    Column {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// Rows that do not fit together (a deadline whose case is not in `cases`, a family
    /// record that cannot be rebuilt).
    #[error("{0}")]
    Data(String),
    /// The research tables could not be read back into research records.
    #[error(transparent)]
    Arrow(#[from] barnvern_arrow::Error),
    /// The progression criteria could not be read.
    #[error("progression criteria: {0}")]
    Criteria(String),
    /// The report could not be serialised.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// The HTML page could not be rendered.
    #[error("html: {0}")]
    Render(#[from] askama::Error),
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn parquet(path: &Path, source: parquet::errors::ParquetError) -> Error {
        Error::Parquet {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn column(table: &str, column: &str, message: &str) -> Error {
        Error::Column {
            table: table.to_owned(),
            column: column.to_owned(),
            message: message.to_owned(),
        }
    }
}
