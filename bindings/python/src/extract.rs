//! `barnvern.extract`, `barnvern.ExtractSummary` and `barnvern.validate_bundles`: the extract
//! pipeline of `barnvern_extract`, run with the GIL released.
//!
//! The project key comes from `key` (bytes, or text taken as its UTF-8 bytes, as
//! `BARNVERN_KEY` is), from `key_file`, or from the environment variable `BARNVERN_KEY`; the
//! library refuses a short key with its own message, which never repeats the key.

use std::path::PathBuf;

use barnvern_extract::{
    Error as ExtractError, ExtractOptions, ExtractSummary, InputOptions, KEY_ENV, KeyError,
    ProjectKey, extract as run_extract, validate,
};
use chrono::NaiveDate;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyString};

use crate::dataset::{path_repr, to_python};
use crate::errors::{ErrorClass, ToPyErr, findings_to_list};
use crate::pickle::{from_json_state, reduce_json};

/// Registers the classes and functions of this module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyExtractSummary>()?;
    m.add_function(wrap_pyfunction!(extract, m)?)?;
    m.add_function(wrap_pyfunction!(validate_bundles, m)?)?;
    Ok(())
}

impl ToPyErr for KeyError {
    fn to_pyerr(self, py: Python<'_>) -> PyErr {
        ErrorClass::ProjectKey.new_err(py, &self.to_string(), &[])
    }
}

/// A run that stopped: key problems are `ProjectKeyError`, dataset problems go through the
/// dataset mapping (`DatasetError`, `SchemaVersionError`), file problems are `DatasetError` with
/// `.path`, the rest `ExtractError`.
impl ToPyErr for ExtractError {
    fn to_pyerr(self, py: Python<'_>) -> PyErr {
        match self {
            ExtractError::Key(e) => e.to_pyerr(py),
            ExtractError::Dataset(e) => e.to_pyerr(py),
            ExtractError::Io { ref path, .. } => ErrorClass::Dataset.new_err_with(
                py,
                &self.to_string(),
                &[("path", &path.display().to_string())],
            ),
            other => ErrorClass::Extract.new_err(py, &other.to_string(), &[]),
        }
    }
}

/// One path (`str` or `os.PathLike`) or a sequence of them.
fn paths(value: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
    if value.is_instance_of::<PyString>() || value.hasattr("__fspath__")? {
        return Ok(vec![value.extract::<PathBuf>()?]);
    }
    value.extract::<Vec<PathBuf>>()
}

/// The project key from `key`, `key_file` or `BARNVERN_KEY`.
fn project_key(
    py: Python<'_>,
    key: Option<&Bound<'_, PyAny>>,
    key_file: Option<PathBuf>,
) -> PyResult<ProjectKey> {
    let from_arg = |bytes: Vec<u8>| ProjectKey::from_bytes(bytes, "the key argument");
    let result = match (key, key_file) {
        (Some(_), Some(_)) => {
            return Err(ErrorClass::ProjectKey.new_err(
                py,
                "give the project key as key= or as key_file=, not both",
                &[],
            ));
        }
        (Some(k), None) => {
            if let Ok(b) = k.cast::<PyBytes>() {
                from_arg(b.as_bytes().to_vec())
            } else if let Ok(b) = k.cast::<PyByteArray>() {
                from_arg(b.to_vec())
            } else if let Ok(s) = k.cast::<PyString>() {
                from_arg(s.extract::<String>()?.into_bytes())
            } else {
                return Err(ErrorClass::ProjectKey.new_err(
                    py,
                    &format!(
                        "the project key must be bytes (or str, taken as its UTF-8 bytes like {KEY_ENV}); a key file is given as key_file=; got {}",
                        k.get_type().name()?
                    ),
                    &[],
                ));
            }
        }
        (None, file) => {
            // As the command line does (and ssh): a key file others may read is warned about.
            if let Some(warning) = file
                .as_deref()
                .and_then(barnvern_extract::key::key_file_warning)
            {
                let category = py.get_type::<pyo3::exceptions::PyUserWarning>();
                let message = std::ffi::CString::new(warning).unwrap_or_default();
                PyErr::warn(py, &category, &message, 2)?;
            }
            ProjectKey::from_file_or_env(file.as_deref())
        }
    };
    result.map_err(|e| e.to_pyerr(py))
}

/// What an extract did.
#[pyclass(frozen, name = "ExtractSummary", module = "barnvern")]
pub struct PyExtractSummary {
    inner: ExtractSummary,
}

#[pymethods]
impl PyExtractSummary {
    /// The dataset directory.
    #[getter]
    fn dataset(&self) -> String {
        self.inner.dataset.display().to_string()
    }

    /// The quarantine file (JSON Lines: file, line, errors).
    #[getter]
    fn quarantine(&self) -> String {
        self.inner.quarantine.display().to_string()
    }

    /// Lines read from all inputs.
    #[getter]
    fn read(&self) -> u64 {
        self.inner.read
    }

    /// Lines accepted (cases in the dataset).
    #[getter]
    fn accepted(&self) -> u64 {
        self.inner.accepted
    }

    /// Lines rejected to the quarantine file.
    #[getter]
    fn rejected(&self) -> u64 {
        self.inner.rejected
    }

    /// Rejected lines by the code of their first error.
    #[getter]
    fn rejected_by_code(&self) -> std::collections::BTreeMap<String, u64> {
        self.inner.rejected_by_code.clone()
    }

    /// Input files with no lines at all.
    #[getter]
    fn empty_files(&self) -> Vec<String> {
        self.inner.empty_files.clone()
    }

    /// True when nothing was rejected and no input was empty (the name `TableReport.ok` uses
    /// for "nothing wrong").
    #[getter]
    fn ok(&self) -> bool {
        self.inner.is_clean()
    }

    /// The dataset's manifest as a dict.
    #[getter]
    fn manifest<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner.manifest)
    }

    /// `ExtractSummary(dataset='...', read=200, accepted=198, rejected=2, rejected_by_code={...})`.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let by_code = self.rejected_by_code().into_pyobject(py)?.repr()?;
        Ok(format!(
            "ExtractSummary(dataset={}, read={}, accepted={}, rejected={}, rejected_by_code={by_code})",
            path_repr(py, &self.inner.dataset)?,
            self.inner.read,
            self.inner.accepted,
            self.inner.rejected,
        ))
    }

    /// Pickles as its JSON: the counts, the paths and the manifest (the dataset itself stays
    /// where it is).
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        reduce_json(&py.get_type::<Self>(), &self.inner)
    }

    /// Rebuilds a pickled summary (the state `__reduce__` wrote).
    #[staticmethod]
    #[pyo3(name = "_from_pickle")]
    fn from_pickle(py: Python<'_>, state: &str) -> PyResult<Self> {
        Ok(PyExtractSummary {
            inner: from_json_state(py, state)?,
        })
    }
}

/// Runs the extract pipeline: case bundles (JSON Lines) in, a pseudonymised research dataset out.
#[pyfunction]
#[pyo3(signature = (inputs, out, *, key = None, key_file = None, as_of = None, quarantine = None, overwrite = false, threads = 0))]
#[allow(clippy::too_many_arguments)]
fn extract(
    py: Python<'_>,
    inputs: &Bound<'_, PyAny>,
    out: PathBuf,
    key: Option<&Bound<'_, PyAny>>,
    key_file: Option<PathBuf>,
    as_of: Option<NaiveDate>,
    quarantine: Option<PathBuf>,
    overwrite: bool,
    threads: usize,
) -> PyResult<PyExtractSummary> {
    let inputs = paths(inputs)?;
    let key = project_key(py, key, key_file)?;
    let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
    let mut options = ExtractOptions::new(inputs, out, as_of);
    options.quarantine = quarantine;
    options.overwrite = overwrite;
    options.threads = threads;
    py.detach(|| run_extract(&options, key, &|_| {}))
        .map(|inner| PyExtractSummary { inner })
        .map_err(|e| e.to_pyerr(py))
}

/// Validates case bundle files without extracting them.
#[pyfunction]
#[pyo3(signature = (inputs, *, threads = 0))]
fn validate_bundles<'py>(
    py: Python<'py>,
    inputs: &Bound<'py, PyAny>,
    threads: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let inputs = paths(inputs)?;
    let (summary, lines) = py
        .detach(|| {
            let mut lines = Vec::new();
            validate(
                &inputs,
                InputOptions::default(),
                threads,
                None,
                &|_| {},
                |l| {
                    lines.push(l.clone());
                    Ok(())
                },
            )
            .map(|s| (s, lines))
        })
        .map_err(|e| e.to_pyerr(py))?;
    let findings = PyList::empty(py);
    for l in &lines {
        let d = PyDict::new(py);
        d.set_item("file", &l.file)?;
        d.set_item("line", l.line)?;
        d.set_item("accepted", l.accepted)?;
        d.set_item("findings", findings_to_list(py, &l.findings)?)?;
        findings.append(d)?;
    }
    let out = PyDict::new(py);
    out.set_item("read", summary.read)?;
    out.set_item("accepted", summary.accepted)?;
    out.set_item("rejected", summary.rejected)?;
    out.set_item("by_code", summary.by_code.clone())?;
    out.set_item("empty_files", summary.empty_files.clone())?;
    out.set_item("ok", summary.is_clean())?;
    out.set_item("lines", findings)?;
    Ok(out)
}
