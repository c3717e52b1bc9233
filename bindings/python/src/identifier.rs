//! `barnvern.PersonId`: a validated personal identity number.
//!
//! A thin wrapper: every rule lives in `barnvern_core::PersonId::parse`. The Python `repr` never
//! shows the digits, because reprs end up in logs, tracebacks and notebooks.

use barnvern_core::{Jurisdiction, PersonId, Sex};
use chrono::NaiveDate;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple, PyType};

use crate::errors::{InvalidIdentifier, ToPyErr};

/// A validated personal identity number (SE personnummer or samordningsnummer, NO fødselsnummer,
/// D-number or H-number).
#[pyclass(frozen, eq, hash, name = "PersonId", module = "barnvern")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyPersonId {
    inner: PersonId,
}

impl PyPersonId {
    /// The shared parsing path of the constructor and `parse`.
    ///
    /// Any `str` is an input to refuse, not a crash: a lone surrogate becomes U+FFFD, which the
    /// parser refuses with `InvalidIdentifierError` like any other stray character.
    fn parse_text(
        py: Python<'_>,
        text: &Bound<'_, PyString>,
        jurisdiction: Option<&str>,
        reference_date: Option<NaiveDate>,
    ) -> PyResult<Self> {
        let text = text.to_string_lossy();
        let jurisdiction = jurisdiction
            .map(str::parse::<Jurisdiction>)
            .transpose()
            .map_err(|finding| finding.to_pyerr(py))?;
        let inner = PersonId::parse(&text, jurisdiction, reference_date)
            .map_err(|finding| InvalidIdentifier(finding).to_pyerr(py))?;
        Ok(PyPersonId { inner })
    }

    /// The wrapped Rust value, for the other binding modules.
    #[allow(dead_code, reason = "used by the case bindings")]
    pub(crate) fn inner(&self) -> &PersonId {
        &self.inner
    }
}

impl From<PersonId> for PyPersonId {
    fn from(inner: PersonId) -> Self {
        PyPersonId { inner }
    }
}

#[pymethods]
impl PyPersonId {
    /// Parses an identity number; see `parse`.
    #[new]
    #[pyo3(signature = (text, /, *, jurisdiction = None, reference_date = None))]
    fn new(
        py: Python<'_>,
        text: &Bound<'_, PyString>,
        jurisdiction: Option<&str>,
        reference_date: Option<NaiveDate>,
    ) -> PyResult<Self> {
        Self::parse_text(py, text, jurisdiction, reference_date)
    }

    /// Parses an identity number in any common written form.
    #[staticmethod]
    #[pyo3(signature = (text, /, *, jurisdiction = None, reference_date = None))]
    fn parse(
        py: Python<'_>,
        text: &Bound<'_, PyString>,
        jurisdiction: Option<&str>,
        reference_date: Option<NaiveDate>,
    ) -> PyResult<Self> {
        Self::parse_text(py, text, jurisdiction, reference_date)
    }

    /// The issuing country: `"SE"` or `"NO"`.
    #[getter]
    fn jurisdiction(&self) -> &'static str {
        self.inner.jurisdiction().code()
    }

    /// The kind of number.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }

    /// Whether the number is a synthetic test number.
    #[getter]
    fn is_synthetic(&self) -> bool {
        self.inner.is_synthetic()
    }

    /// The birth date, where every part is known.
    #[getter]
    fn birth_date(&self) -> Option<NaiveDate> {
        self.inner.birth_date()
    }

    /// The birth year, where known.
    #[getter]
    fn birth_year(&self) -> Option<i32> {
        self.inner.birth_year()
    }

    /// The birth month, where known.
    #[getter]
    fn birth_month(&self) -> Option<u32> {
        self.inner.birth_month()
    }

    /// `"female"`, `"male"`, or `None` where the number no longer encodes it.
    #[getter]
    fn sex(&self) -> Option<&'static str> {
        self.inner.sex().map(|sex| match sex {
            Sex::Female => "female",
            Sex::Male => "male",
        })
    }

    /// The canonical digits.
    fn __str__(&self) -> &str {
        self.inner.canonical()
    }

    /// Never shows the digits.
    fn __repr__(&self) -> String {
        format!(
            "PersonId(jurisdiction='{}', kind='{}')",
            self.jurisdiction(),
            self.kind()
        )
    }

    /// Pickles as the canonical digits, parsed again on load: the same path as a JSON round trip.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let args = PyTuple::new(slf.py(), [slf.get().inner.canonical()])?;
        Ok((slf.get_type(), args))
    }
}
