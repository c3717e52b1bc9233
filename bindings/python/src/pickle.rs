//! Pickling of values that have no public constructor (`Deadline`, `Scores`, `TableReport`,
//! `ExtractSummary`): each pickles as its JSON state and is rebuilt by a private static method
//! `_from_pickle` of its class. Values that do have a public path back (`Case.from_json`,
//! `Trial.from_json`, `Randomiser(...)`, `read_dataset`) pickle through it instead.
//!
//! A pickle that is not barnvern's is a `ValidationError` (`pickle.state`), never a panic.

use barnvern_core::Finding;
use pyo3::prelude::*;
use pyo3::types::PyType;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::errors::ToPyErr;

/// What `__reduce__` returns for a value pickled as JSON: `(cls._from_pickle, (state,))`.
pub(crate) fn reduce_json<'py, T: Serialize>(
    class: &Bound<'py, PyType>,
    state: &T,
) -> PyResult<(Bound<'py, PyAny>, (String,))> {
    let py = class.py();
    let text = serde_json::to_string(state)
        .map_err(|e| state_finding(format!("cannot pickle: {e}")).to_pyerr(py))?;
    Ok((class.getattr("_from_pickle")?, (text,)))
}

/// The state written by [`reduce_json`].
pub(crate) fn from_json_state<T: DeserializeOwned>(py: Python<'_>, text: &str) -> PyResult<T> {
    serde_json::from_str(text)
        .map_err(|e| state_finding(format!("not a barnvern pickle: {e}")).to_pyerr(py))
}

/// A state that cannot be read (or written).
pub(crate) fn state_finding(message: String) -> Finding {
    Finding::error("", "pickle.state", message)
}
