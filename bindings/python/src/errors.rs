//! Rust errors as Python exceptions.
//!
//! The exception classes are plain Python, defined in `barnvern/exceptions.py`: there
//! `ValidationError` can inherit from both `BarnvernError` and `ValueError`, carry a typed
//! `.findings` list and pickle like any Python exception. This module imports those classes once
//! and builds instances of them, so there is one exception tree, not a Rust copy and a Python copy.
//!
//! Each Rust error kind is mapped in exactly one place: an `impl ToPyErr` below. Binding code
//! writes `.map_err(|e| e.to_pyerr(py))?`.

use barnvern_core::{Finding, ValidationError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyType};

/// The Python module that defines the exception tree.
const EXCEPTIONS_MODULE: &str = "barnvern.exceptions";

/// The classes of `barnvern.exceptions` that Rust raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorClass {
    /// `ValidationError(BarnvernError, ValueError)`: a value was refused; carries `.findings`.
    Validation,
    /// `InvalidIdentifierError(ValidationError)`: an identity number was refused.
    InvalidIdentifier,
    /// `WorkflowError(BarnvernError)`: an event is impossible in the current state of a case.
    Workflow,
    /// `SchemaVersionError(ValidationError)`: a document has a schema version this build cannot
    /// read; carries its one finding in `.findings`.
    SchemaVersion,
    /// `DatasetError(BarnvernError)`: a research dataset cannot be read or written.
    Dataset,
    /// `ProjectKeyError(BarnvernError, ValueError)`: no usable project key.
    ProjectKey,
    /// `ExtractError(BarnvernError)`: an extract or validation run stopped as a whole.
    Extract,
    /// `FileError(BarnvernError, OSError)`: a file other than a dataset's cannot be read or
    /// written; built by [`file_error`] with the operating system's errno.
    File,
}

impl ErrorClass {
    /// The class name in `barnvern.exceptions`.
    fn name(self) -> &'static str {
        match self {
            ErrorClass::Validation => "ValidationError",
            ErrorClass::InvalidIdentifier => "InvalidIdentifierError",
            ErrorClass::Workflow => "WorkflowError",
            ErrorClass::SchemaVersion => "SchemaVersionError",
            ErrorClass::Dataset => "DatasetError",
            ErrorClass::ProjectKey => "ProjectKeyError",
            ErrorClass::Extract => "ExtractError",
            ErrorClass::File => "FileError",
        }
    }

    /// The Python class, imported on first use and cached for the life of the interpreter.
    fn type_object<'py>(self, py: Python<'py>) -> PyResult<&'py Bound<'py, PyType>> {
        static VALIDATION: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static INVALID_IDENTIFIER: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static WORKFLOW: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static SCHEMA_VERSION: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static DATASET: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static PROJECT_KEY: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static EXTRACT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static FILE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        let cell = match self {
            ErrorClass::Validation => &VALIDATION,
            ErrorClass::InvalidIdentifier => &INVALID_IDENTIFIER,
            ErrorClass::Workflow => &WORKFLOW,
            ErrorClass::SchemaVersion => &SCHEMA_VERSION,
            ErrorClass::Dataset => &DATASET,
            ErrorClass::ProjectKey => &PROJECT_KEY,
            ErrorClass::Extract => &EXTRACT,
            ErrorClass::File => &FILE,
        };
        cell.import(py, EXCEPTIONS_MODULE, self.name())
    }

    /// Builds an exception of this class. `findings` become `.findings`; the classes that carry no
    /// findings (`WorkflowError`, `DatasetError`, ...) are given the message only.
    ///
    /// Never panics: if the exception cannot be built (the Python package is broken), the error
    /// that says why is returned instead.
    pub(crate) fn new_err(self, py: Python<'_>, message: &str, findings: &[Finding]) -> PyErr {
        let built = self.type_object(py).and_then(|class| match self {
            ErrorClass::Validation | ErrorClass::InvalidIdentifier | ErrorClass::SchemaVersion => {
                class.call1((message, findings_to_list(py, findings)?))
            }
            ErrorClass::Workflow
            | ErrorClass::Dataset
            | ErrorClass::ProjectKey
            | ErrorClass::Extract
            | ErrorClass::File => class.call1((message,)),
        });
        match built {
            Ok(instance) => PyErr::from_value(instance),
            Err(err) => err,
        }
    }
}

impl ErrorClass {
    /// Builds an exception of this class with the message and sets each of `attributes` on it
    /// (`WorkflowError.code`, `SchemaVersionError.found`, ...).
    pub(crate) fn new_err_with(
        self,
        py: Python<'_>,
        message: &str,
        attributes: &[(&str, &str)],
    ) -> PyErr {
        let built = self.type_object(py).and_then(|class| {
            let instance = class.call1((message,))?;
            for (name, value) in attributes {
                instance.setattr(*name, *value)?;
            }
            Ok(instance)
        });
        match built {
            Ok(instance) => PyErr::from_value(instance),
            Err(err) => err,
        }
    }
}

/// One finding as the dict Python sees in `ValidationError.findings`.
fn finding_to_dict<'py>(py: Python<'py>, finding: &Finding) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("path", &finding.path)?;
    dict.set_item("code", &finding.code)?;
    dict.set_item("severity", finding.severity.as_str())?;
    dict.set_item("message", &finding.message)?;
    Ok(dict)
}

/// Findings as a list of dicts, in order.
pub(crate) fn findings_to_list<'py>(
    py: Python<'py>,
    findings: &[Finding],
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for finding in findings {
        list.append(finding_to_dict(py, finding)?)?;
    }
    Ok(list)
}

/// A Rust error that has one Python exception class.
pub(crate) trait ToPyErr {
    /// The Python exception for this error.
    fn to_pyerr(self, py: Python<'_>) -> PyErr;
}

/// A single refused value: `ValidationError` with one finding.
impl ToPyErr for Finding {
    fn to_pyerr(self, py: Python<'_>) -> PyErr {
        ErrorClass::Validation.new_err(py, &self.to_string(), std::slice::from_ref(&self))
    }
}

/// A refused record: `ValidationError` with every finding.
impl ToPyErr for ValidationError {
    fn to_pyerr(self, py: Python<'_>) -> PyErr {
        ErrorClass::Validation.new_err(py, &self.to_string(), self.findings())
    }
}

/// A refused identity number (the finding returned by `PersonId::parse`):
/// `InvalidIdentifierError`. Its message names the rule; like every core message it never
/// repeats the digits.
pub(crate) struct InvalidIdentifier(pub(crate) Finding);

impl ToPyErr for InvalidIdentifier {
    fn to_pyerr(self, py: Python<'_>) -> PyErr {
        let InvalidIdentifier(finding) = self;
        ErrorClass::InvalidIdentifier.new_err(
            py,
            &finding.to_string(),
            std::slice::from_ref(&finding),
        )
    }
}

/// `WorkflowError` with its fields (`event`, `state`, `code`, `path`): an event the state of a
/// case or a trial does not allow.
pub(crate) fn workflow_error(
    py: Python<'_>,
    message: &str,
    event: &str,
    state: &str,
    code: &str,
    path: &str,
) -> PyErr {
    ErrorClass::Workflow.new_err_with(
        py,
        message,
        &[
            ("event", event),
            ("state", state),
            ("code", code),
            ("path", path),
        ],
    )
}

/// `SchemaVersionError` (a `ValidationError`) with its one finding (`schema.version` at
/// `schema_version`) and `.found` / `.supported`. `.found` is the version only when
/// [`barnvern_core::identifier::echo`] would show it (short, version-like): a document's
/// unbounded or personal text is never carried on, whatever field it was put in.
pub(crate) fn schema_version_error(
    py: Python<'_>,
    message: &str,
    found: Option<&str>,
    supported: &str,
) -> PyErr {
    let shown = found
        .filter(|v| barnvern_core::identifier::echo(v).starts_with('"'))
        .unwrap_or("");
    let finding = Finding::error("schema_version", "schema.version", message);
    let built = ErrorClass::SchemaVersion.type_object(py).and_then(|class| {
        let instance = class.call1((
            finding.message.as_str(),
            findings_to_list(py, std::slice::from_ref(&finding))?,
        ))?;
        instance.setattr("found", shown)?;
        instance.setattr("supported", supported)?;
        Ok(instance)
    });
    match built {
        Ok(instance) => PyErr::from_value(instance),
        Err(err) => err,
    }
}

/// `FileError` (a `BarnvernError` and an `OSError`) for a file that could not be read or
/// written: `errno`, `strerror` and `filename` as `OSError(errno, strerror, filename)` sets
/// them, so `except OSError` and checks on `errno` behave as for a built-in `OSError`.
pub(crate) fn file_error(py: Python<'_>, path: &str, source: &std::io::Error) -> PyErr {
    let built = ErrorClass::File.type_object(py).and_then(|class| {
        match source.raw_os_error() {
            Some(errno) => {
                // The OS text without the "(os error N)" suffix Rust's Display adds: Python
                // shows the errno itself.
                let text = source.to_string();
                let strerror = text
                    .rsplit_once(" (os error ")
                    .map_or(text.as_str(), |(head, _)| head)
                    .to_owned();
                class.call1((errno, strerror, path))
            }
            None => class.call1((format!("{path}: {source}"),)),
        }
    });
    match built {
        Ok(instance) => PyErr::from_value(instance),
        Err(err) => err,
    }
}

/// JSON text given as `str` or as UTF-8 `bytes` (what `from_json` takes everywhere, as
/// pydantic's `model_validate_json` does); anything else, or bytes that are not UTF-8, is a
/// `ValidationError` naming the problem.
pub(crate) fn json_input(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(text) = value.cast::<pyo3::types::PyString>() {
        return Ok(text.to_string_lossy().into_owned());
    }
    if let Ok(bytes) = value.cast::<pyo3::types::PyBytes>() {
        return String::from_utf8(bytes.as_bytes().to_vec()).map_err(|e| {
            Finding::error(
                "",
                "json.utf8",
                format!(
                    "the JSON bytes are not UTF-8 (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )
            .to_pyerr(py)
        });
    }
    Err(Finding::error(
        "",
        "json.argument",
        format!(
            "expected JSON text (str or bytes), got {}",
            value.get_type().name()?
        ),
    )
    .to_pyerr(py))
}

/// A JSON argument given as text (`str`) or as a dict (through `json.dumps`); anything else is a
/// `ValidationError` naming the type.
pub(crate) fn json_text(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(text) = value.cast::<pyo3::types::PyString>() {
        return Ok(text.to_string_lossy().into_owned());
    }
    if value.cast::<PyDict>().is_ok() {
        return py
            .import("json")?
            .call_method1("dumps", (value,))?
            .extract::<String>();
    }
    Err(Finding::error(
        "",
        "json.argument",
        format!(
            "expected JSON text (str) or a dict, got {}",
            value.get_type().name()?
        ),
    )
    .to_pyerr(py))
}
