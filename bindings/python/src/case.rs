//! `barnvern.Case` and `barnvern.Deadline`: the case bundle, its workflow and its statutory
//! deadlines. Every rule lives in `barnvern_case`; this module converts.

use barnvern_case::{Case, CaseEvent, Deadline, Error};
use chrono::NaiveDate;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::errors::{
    ToPyErr, findings_to_list, json_input, json_text, schema_version_error, workflow_error,
};
use crate::pickle::{from_json_state, reduce_json};

/// Registers the classes of this module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCase>()?;
    m.add_class::<PyDeadline>()?;
    Ok(())
}

/// Every error of the case crate has one Python class.
impl ToPyErr for Error {
    fn to_pyerr(self, py: Python<'_>) -> PyErr {
        let message = self.to_string();
        match self {
            Error::Validation(v) => v.to_pyerr(py),
            Error::Workflow(w) => workflow_error(py, &message, w.event, &w.state, &w.code, &w.path),
            Error::SchemaVersion { found, supported } => {
                schema_version_error(py, &message, found.as_deref(), &supported)
            }
            Error::Serialize(message) => {
                barnvern_core::Finding::error("", "json.serialize", message).to_pyerr(py)
            }
        }
    }
}

/// A validated case bundle: a child's case from the report of concern to closure.
#[pyclass(name = "Case", module = "barnvern", eq)]
#[derive(Clone, PartialEq)]
pub struct PyCase {
    pub(crate) inner: Case,
}

impl PyCase {
    /// Wraps a validated case (for the other modules of the binding).
    pub(crate) fn from_case(inner: Case) -> Self {
        PyCase { inner }
    }
}

#[pymethods]
impl PyCase {
    /// Reads and validates a case bundle from JSON text (`str`, or UTF-8 `bytes`).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = json_input(py, text)?;
        let inner = py
            .detach(|| Case::from_json(&text))
            .map_err(|e| e.to_pyerr(py))?;
        Ok(PyCase { inner })
    }

    /// Reads and validates a case bundle from a dict (as `json.loads` gives it).
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyDict>) -> PyResult<Self> {
        let text = json_text(py, data.as_any())?;
        let inner = Case::from_json(&text).map_err(|e| e.to_pyerr(py))?;
        Ok(PyCase { inner })
    }

    /// The canonical JSON of the bundle; indented with `indent=True`.
    #[pyo3(signature = (*, indent = false))]
    fn to_json(&self, py: Python<'_>, indent: bool) -> PyResult<String> {
        let written = if indent {
            self.inner.to_json_pretty()
        } else {
            self.inner.to_json()
        };
        written.map_err(|e| e.to_pyerr(py))
    }

    /// The bundle as a dict (`json.loads(case.to_json())`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = self.to_json(py, false)?;
        py.import("json")?.call_method1("loads", (text,))
    }

    /// Applies an event (JSON text or a dict with a `"type"`), or raises `WorkflowError` and
    /// leaves the case unchanged.
    fn apply(&mut self, py: Python<'_>, event: &Bound<'_, PyAny>) -> PyResult<()> {
        let text = json_text(py, event)?;
        let event = CaseEvent::from_json(&text).map_err(|e| e.to_pyerr(py))?;
        self.inner
            .apply(event)
            .map_err(|e| Error::Workflow(e).to_pyerr(py))
    }

    /// Every statutory deadline as of `as_of`.
    fn deadlines(&self, as_of: NaiveDate) -> Vec<PyDeadline> {
        self.inner
            .deadlines(as_of)
            .into_iter()
            .map(|inner| PyDeadline { inner })
            .collect()
    }

    /// Every finding about the case under a rule set: ``"barnvern"`` (default) gives
    /// barnvern's queries and warnings (a valid case holds no errors); ``"ssb"`` adds SSB's
    /// validation controls (code = SSB's control id, which may be errors), judged as of
    /// `as_of` (default: the latest record).
    #[pyo3(signature = (*, rules = "barnvern", as_of = None))]
    fn validate<'py>(
        &self,
        py: Python<'py>,
        rules: &str,
        as_of: Option<NaiveDate>,
    ) -> PyResult<Bound<'py, pyo3::types::PyList>> {
        let mut findings = self.inner.validate().findings;
        match rules {
            "barnvern" => {}
            "ssb" => {
                let inner = self.inner.clone();
                findings.extend(py.detach(move || barnvern_ssb::check(&inner, as_of)));
            }
            other => {
                return Err(barnvern_core::Finding::error(
                    "rules",
                    "case.unknown_rules",
                    format!(
                        "unknown rule set {}: use \"barnvern\" or \"ssb\"",
                        barnvern_core::identifier::echo(other)
                    ),
                )
                .to_pyerr(py));
            }
        }
        findings_to_list(py, &findings)
    }

    /// The JSON Schema of the case bundle, as a dict (as pydantic's `model_json_schema`).
    #[staticmethod]
    fn json_schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        let text = Case::json_schema().to_string();
        py.import("json")?.call_method1("loads", (text,))
    }

    /// The bundle's schema version.
    #[getter]
    fn schema_version(&self) -> &str {
        &self.inner.schema_version
    }

    /// The case identifier.
    #[getter]
    fn case_id(&self) -> &str {
        self.inner.case_id.as_str()
    }

    /// `"SE"` or `"NO"`.
    #[getter]
    fn jurisdiction(&self) -> &'static str {
        self.inner.jurisdiction.code()
    }

    /// The municipality code (SE kommunkod, NO kommunenummer).
    #[getter]
    fn municipality(&self) -> &str {
        self.inner.municipality.as_str()
    }

    /// The date the case was opened.
    #[getter]
    fn opened_on(&self) -> NaiveDate {
        self.inner.opened_on
    }

    /// Whether the case is closed (and not reopened).
    #[getter]
    fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// The number of events applied through `apply` and kept as the audit trail.
    #[getter]
    fn history_length(&self) -> usize {
        self.inner.history.len()
    }

    /// `Case(case_id='SE-0180-2024-000123', jurisdiction='SE', ...)`: counts of records,
    /// never an identity number.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        // The case id through Python's own repr, so quotes come out as Python writes them; an
        // identity number in it is masked (a repr ends up in logs and notebooks).
        let masked = barnvern_core::identifier::mask_identity_numbers(self.inner.case_id.as_str());
        let case_id = PyString::new(py, &masked).repr()?;
        Ok(format!(
            "Case(case_id={case_id}, jurisdiction='{}', municipality='{}', referrals={}, investigations={}, decisions={}, closed={})",
            self.inner.jurisdiction,
            self.inner.municipality,
            self.inner.referrals.len(),
            self.inner.investigations.len(),
            self.inner.decisions.len(),
            if self.inner.is_closed() {
                "True"
            } else {
                "False"
            },
        ))
    }

    /// Pickles as its canonical JSON, read again (and validated) on load.
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let class = py.get_type::<PyCase>();
        let from_json = class.getattr("from_json")?;
        let args = PyTuple::new(py, [self.to_json(py, false)?])?;
        Ok((from_json, args))
    }

    /// A copy (`copy.copy`): cases are values.
    fn __copy__(&self) -> Self {
        self.clone()
    }

    /// A copy (`copy.deepcopy`).
    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.clone()
    }
}

/// One statutory deadline of a case, as of a date.
#[pyclass(name = "Deadline", module = "barnvern", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyDeadline {
    inner: Deadline,
}

#[pymethods]
impl PyDeadline {
    /// What must be done: `"protection_assessment"`, `"screening"`, `"investigation"` or
    /// `"measure_evaluation"` (NO: a help measure evaluated).
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind.as_str()
    }

    /// The rule applied, e.g. `"se.sol2001.screening"`.
    #[getter]
    fn rule_id(&self) -> &str {
        &self.inner.rule_id
    }

    /// The legal source.
    #[getter]
    fn citation(&self) -> &str {
        &self.inner.citation
    }

    /// The record the deadline belongs to, e.g. `"referrals[0]"`.
    #[getter]
    fn record(&self) -> &str {
        &self.inner.record
    }

    /// That record's id.
    #[getter]
    fn record_id(&self) -> &str {
        &self.inner.record_id
    }

    /// The date the period starts from.
    #[getter]
    fn start(&self) -> NaiveDate {
        self.inner.start
    }

    /// What `start` is: `"receipt"`, `"investigation_start"`, `"review_concluded"`,
    /// `"review_limit"` (NO: receipt + 7 days) or `"measure_start"`.
    #[getter]
    fn start_basis(&self) -> &'static str {
        self.inner.start_basis.as_str()
    }

    /// The statutory due date.
    #[getter]
    fn due(&self) -> NaiveDate {
        self.inner.due
    }

    /// The due date after an extension, if any.
    #[getter]
    fn extended_due(&self) -> Option<NaiveDate> {
        self.inner.extended_due
    }

    /// The date it was done, if it was.
    #[getter]
    fn completed_on(&self) -> Option<NaiveDate> {
        self.inner.completed_on
    }

    /// `"pending"`, `"met"`, `"met_after_extension"`, `"breached"` or `"overdue"`.
    #[getter]
    fn status(&self) -> &'static str {
        self.inner.status.as_str()
    }

    /// The date the status is computed for.
    #[getter]
    fn as_of(&self) -> NaiveDate {
        self.inner.as_of
    }

    /// `"error"`, `"query"` or `"warning"`: how serious a breach is.
    #[getter]
    fn severity(&self) -> &'static str {
        self.inner.severity.as_str()
    }

    /// The deadline as a dict, for pandas/polars (`pd.DataFrame([d.to_dict() for d in ...])`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("kind", self.kind())?;
        d.set_item("rule_id", self.rule_id())?;
        d.set_item("citation", self.citation())?;
        d.set_item("record", self.record())?;
        d.set_item("record_id", self.record_id())?;
        d.set_item("start", self.start())?;
        d.set_item("start_basis", self.start_basis())?;
        d.set_item("due", self.due())?;
        d.set_item("extended_due", self.extended_due())?;
        d.set_item("completed_on", self.completed_on())?;
        d.set_item("status", self.status())?;
        d.set_item("as_of", self.as_of())?;
        d.set_item("severity", self.severity())?;
        Ok(d)
    }

    /// `Deadline(kind='screening', record='referrals[0]', due='2024-11-18', ...)`.
    fn __repr__(&self) -> String {
        let opt = |d: Option<NaiveDate>| d.map_or_else(|| "None".to_owned(), |d| format!("'{d}'"));
        format!(
            "Deadline(kind='{}', record='{}', due='{}', extended_due={}, completed_on={}, status='{}')",
            self.kind(),
            self.record(),
            self.inner.due,
            opt(self.inner.extended_due),
            opt(self.inner.completed_on),
            self.status()
        )
    }

    /// Pickles as its JSON (a deadline is computed, so its state is the whole value).
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        reduce_json(&py.get_type::<Self>(), &self.inner)
    }

    /// Rebuilds a pickled deadline (the state `__reduce__` wrote).
    #[staticmethod]
    #[pyo3(name = "_from_pickle")]
    fn from_pickle(py: Python<'_>, state: &str) -> PyResult<Self> {
        from_json_state(py, state).map(|inner| PyDeadline { inner })
    }
}
