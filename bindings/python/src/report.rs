//! `barnvern.report`: the aggregate report of a research dataset (`barnvern_report`), built
//! and rendered with the GIL released. Every count is already suppressed by the crate.

use std::path::PathBuf;

use barnvern_core::Finding;
use barnvern_report::{Error as ReportError, ReportOptions, build, to_html, to_json, to_markdown};
use chrono::NaiveDate;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::dataset::PyDataset;
use crate::errors::{ErrorClass, ToPyErr, file_error, schema_version_error};

/// Registers the functions of this module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(report, m)?)?;
    Ok(())
}

/// Each error of the report crate mapped on its own (no wildcard: a new variant must be given a
/// class here): an unknown schema version is a `SchemaVersionError`; a dataset file that cannot
/// be read, a bad manifest or rows that do not fit are a `DatasetError` (with `.path` where
/// there is a file); the dataset's own read errors map as `read_dataset`'s do; progression
/// criteria that cannot be read are a `ValidationError`.
impl ToPyErr for ReportError {
    fn to_pyerr(self, py: Python<'_>) -> PyErr {
        let message = self.to_string();
        match self {
            ReportError::SchemaVersion {
                found, supported, ..
            } => schema_version_error(py, &message, found.as_deref(), &supported),
            ReportError::Io { path, .. }
            | ReportError::Manifest { path, .. }
            | ReportError::Parquet { path, .. } => ErrorClass::Dataset.new_err_with(
                py,
                &message,
                &[("path", &path.display().to_string())],
            ),
            ReportError::Column { .. } | ReportError::Data(_) => {
                ErrorClass::Dataset.new_err(py, &message, &[])
            }
            ReportError::Arrow(e) => e.to_pyerr(py),
            ReportError::Criteria(_) => {
                Finding::error("criteria", "report.criteria", message).to_pyerr(py)
            }
            // The report's own JSON or HTML could not be written: nothing the caller gave is
            // wrong, but the dataset cannot be reported on.
            ReportError::Json(_) | ReportError::Render(_) => {
                ErrorClass::Dataset.new_err(py, &message, &[])
            }
        }
    }
}

/// The report of a dataset as Markdown, HTML and JSON; written to `out` when given.
#[pyfunction]
#[pyo3(signature = (dataset, out = None, *, min_cell = 5, as_of = None, title = None))]
fn report<'py>(
    py: Python<'py>,
    dataset: &Bound<'py, PyAny>,
    out: Option<PathBuf>,
    min_cell: u64,
    as_of: Option<NaiveDate>,
    title: Option<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let path: PathBuf = match dataset.cast::<PyDataset>() {
        Ok(d) => PathBuf::from(d.get().path_buf()),
        Err(_) => dataset.extract()?,
    };
    let options = ReportOptions {
        min_cell,
        as_of,
        title,
        ..ReportOptions::default()
    };
    let rendered = py.detach(|| -> Result<_, PyErrLater> {
        let report = build(&path, &options).map_err(PyErrLater::Report)?;
        let json = to_json(&report).map_err(PyErrLater::Report)?;
        let markdown = to_markdown(&report);
        let html = to_html(&report).map_err(PyErrLater::Report)?;
        let mut written = Vec::new();
        if let Some(dir) = &out {
            std::fs::create_dir_all(dir).map_err(|e| PyErrLater::Io(dir.clone(), e))?;
            for (name, text) in [
                ("report.md", &markdown),
                ("report.html", &html),
                ("report.json", &json),
            ] {
                let file = dir.join(name);
                // Each file whole or not at all: a failure leaves what was there.
                barnvern_arrow::io::output_dir::write_file(&file, text.as_bytes()).map_err(
                    |e| PyErrLater::Io(file.clone(), std::io::Error::other(e.to_string())),
                )?;
                written.push(file.display().to_string());
            }
        }
        Ok((markdown, html, json, written))
    });
    let (markdown, html, json, written) = rendered.map_err(|e| match e {
        PyErrLater::Report(e) => e.to_pyerr(py),
        PyErrLater::Io(path, e) => file_error(py, &path.display().to_string(), &e),
    })?;
    let result = PyDict::new(py);
    result.set_item("markdown", markdown)?;
    result.set_item("html", html)?;
    result.set_item("json", py.import("json")?.call_method1("loads", (json,))?)?;
    result.set_item("paths", written)?;
    Ok(result)
}

/// An error made without the GIL, turned into a Python exception once it is held again.
enum PyErrLater {
    Report(ReportError),
    Io(PathBuf, std::io::Error),
}
