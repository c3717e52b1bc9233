//! `barnvern.Instrument`, `barnvern.Scores`, `barnvern.score`, `barnvern.score_table` and
//! `barnvern.instruments`: outcome measures. Every rule (items, reverse keys, rounding, bands)
//! lives in `barnvern_outcomes`, and the column plan of a table in `barnvern_arrow::scoring`
//! (shared with `barnvern score`); this module converts Python and Arrow values to the crates'
//! types and back.
//!
//! Responses are never coerced: a `bool`, `float`, `str` or any other non-`int` answer is a
//! `ValidationError` naming the item (`outcomes.wrong_type`), and in the bulk form a column that
//! is not an integer column is refused by name.

use std::sync::Arc;

use barnvern_arrow::scoring::{Columns, TableScorer};
use barnvern_core::{Finding, Findings, ValidationError};
use barnvern_outcomes::{
    Informant, Instrument, InstrumentDef, ItemResponse, Responses, ScoreOptions, Scores, builtin,
    builtin_ids,
};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyIterator, PyList, PyString, PyTuple};
use pyo3_arrow::PyTable;
use pyo3_arrow::input::AnyRecordBatch;

use crate::errors::{ToPyErr, findings_to_list, json_input};
use crate::pickle::{from_json_state, state_finding};

/// Registers the classes and functions of this module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyInstrument>()?;
    m.add_class::<PyScores>()?;
    m.add_function(wrap_pyfunction!(instruments, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(score_table, m)?)?;
    Ok(())
}

/// An instrument definition: items, response weights, reverse keys, scales, composites and band
/// tables, with a version.
#[pyclass(frozen, eq, name = "Instrument", module = "barnvern")]
#[derive(Clone, PartialEq)]
pub struct PyInstrument {
    inner: Arc<Instrument>,
}

#[pymethods]
impl PyInstrument {
    /// A built-in instrument by id (`barnvern.instruments()` lists them).
    #[staticmethod]
    fn builtin(py: Python<'_>, id: &str) -> PyResult<Self> {
        builtin_instrument(id)
            .map(|inner| PyInstrument { inner })
            .map_err(|finding| finding.to_pyerr(py))
    }

    /// Reads and checks a definition from JSON text (`str`, or UTF-8 `bytes`).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = json_input(py, text)?;
        Instrument::from_json(&text)
            .map(|inner| PyInstrument {
                inner: Arc::new(inner),
            })
            .map_err(|e| e.to_pyerr(py))
    }

    /// The definition as JSON text (indented).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The JSON Schema of a definition file, as a dict (as pydantic's `model_json_schema`).
    #[staticmethod]
    fn json_schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        let text = InstrumentDef::schema().as_value().to_string();
        py.import("json")?.call_method1("loads", (text,))
    }

    /// The instrument id.
    #[getter]
    fn id(&self) -> &str {
        self.inner.id()
    }

    /// The version of the definition; scores name it.
    #[getter]
    fn version(&self) -> &str {
        self.inner.version()
    }

    /// The scoring algorithm's name.
    #[getter]
    fn algorithm(&self) -> &str {
        self.inner.algorithm()
    }

    /// The instrument's English name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.def().name
    }

    /// The informant fixed by the form, if any.
    #[getter]
    fn informant(&self) -> Option<&'static str> {
        self.inner.def().informant.map(Informant::as_str)
    }

    /// The item names in form order.
    #[getter]
    fn items(&self) -> Vec<String> {
        self.inner
            .items()
            .iter()
            .map(|i| i.name.as_str().to_owned())
            .collect()
    }

    /// The score ids, scales first then composites.
    #[getter]
    fn scores(&self) -> Vec<String> {
        self.inner.score_ids().map(str::to_owned).collect()
    }

    /// `Instrument(id='aim', version='...', items=4, scores=['aim'])`.
    fn __repr__(&self) -> String {
        let scores: Vec<String> = self.inner.score_ids().map(|id| format!("'{id}'")).collect();
        format!(
            "Instrument(id='{}', version='{}', items={}, scores=[{}])",
            self.inner.id(),
            self.inner.version(),
            self.inner.items().len(),
            scores.join(", ")
        )
    }

    /// Pickles as its JSON definition, checked again on load.
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let from_json = py.get_type::<PyInstrument>().getattr("from_json")?;
        let args = PyTuple::new(py, [self.inner.to_json()])?;
        Ok((from_json, args))
    }
}

fn builtin_instrument(id: &str) -> Result<Arc<Instrument>, Finding> {
    builtin(id).map(|i| Arc::new(i.clone())).ok_or_else(|| {
        let known: Vec<&str> = builtin_ids().collect();
        Finding::error(
            "instrument",
            "outcomes.unknown_instrument",
            format!(
                "{} is not a built-in instrument; built in: {}",
                barnvern_core::identifier::echo(id),
                known.join(", ")
            ),
        )
    })
}

/// The `instrument` argument: a built-in id or an `Instrument`.
fn resolve_instrument(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Arc<Instrument>> {
    if let Ok(text) = value.cast::<PyString>() {
        return builtin_instrument(&text.to_string_lossy()).map_err(|finding| finding.to_pyerr(py));
    }
    if let Ok(instrument) = value.cast::<PyInstrument>() {
        return Ok(Arc::clone(&instrument.get().inner));
    }
    Err(Finding::error(
        "instrument",
        "outcomes.instrument_type",
        format!(
            "expected a built-in instrument id (str) or a barnvern.Instrument, got {}",
            value.get_type().name()?
        ),
    )
    .to_pyerr(py))
}

/// The `informant` argument.
fn parse_informant(py: Python<'_>, value: Option<&str>) -> PyResult<Option<Informant>> {
    value
        .map(|text| {
            serde_json::from_value::<Informant>(serde_json::Value::String(text.to_owned())).map_err(
                |_| {
                    Finding::error(
                        "informant",
                        "outcomes.informant",
                        format!(
                            "{} is not an informant: use parent, teacher, self or staff",
                            barnvern_core::identifier::echo(text)
                        ),
                    )
                    .to_pyerr(py)
                },
            )
        })
        .transpose()
}

/// The `age` argument: whole years, not negative, an `int` (not a `bool`: nothing is coerced).
/// Taken as any Python object, so that an `int` beyond 64 bits or a value of another type is a
/// `ValidationError` like any other impossible age, not an `OverflowError` or a `TypeError`
/// from the argument conversion.
fn parse_age(py: Python<'_>, age: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u32>> {
    let Some(a) = age.filter(|a| !a.is_none()) else {
        return Ok(None);
    };
    let wrong = |why: String| Finding::error("age", "outcomes.age", why).to_pyerr(py);
    if a.is_instance_of::<PyBool>() || !a.is_instance_of::<PyInt>() {
        return Err(wrong(format!(
            "age must be whole years (an int), got {}",
            a.get_type().name()?
        )));
    }
    a.extract::<u32>()
        .map(Some)
        .map_err(|_| wrong(format!("{} is not an age in whole years", echo_int(a))))
}

/// An `int` as a message may show it: echoed (capped, masked) when it fits 64 bits, otherwise
/// described; Python refuses to print one of more than 4300 digits, and a message should not
/// hold thousands anyway.
fn echo_int(value: &Bound<'_, PyAny>) -> String {
    match value.extract::<i64>() {
        Ok(v) => barnvern_core::identifier::echo(&v.to_string()),
        Err(_) => "a whole number beyond 64 bits".to_owned(),
    }
}

/// One answer: an `int` (not a `bool`) or `None`. Anything else is refused, naming the item.
fn item_response(item: &str, value: &Bound<'_, PyAny>) -> Result<ItemResponse, Finding> {
    let path = format!("responses.{item}");
    let wrong = |got: String| {
        Finding::error(
            path.clone(),
            "outcomes.wrong_type",
            format!("item {item}: expected a whole number (int) or None, got {got}"),
        )
    };
    if value.is_none() {
        return Ok(ItemResponse::NotDone { reason: None });
    }
    if value.is_instance_of::<PyBool>() {
        return Err(wrong("a bool".to_owned()));
    }
    if value.is_instance_of::<PyInt>() {
        return value
            .extract::<i64>()
            .map(ItemResponse::Answered)
            .map_err(|_| {
                Finding::error(
                    path.clone(),
                    "outcomes.out_of_range",
                    format!("item {item}: {} is not a response option", echo_int(value)),
                )
            });
    }
    if value.is_instance_of::<PyFloat>() {
        return Err(wrong(format!("a float ({value})")));
    }
    if value.is_instance_of::<PyString>() {
        return Err(wrong("a str".to_owned()));
    }
    let type_name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an object".to_owned());
    Err(wrong(format!("a value of type {type_name}")))
}

/// The `responses` argument: a mapping from item name to `int` or `None`.
fn parse_responses(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Responses> {
    let pairs: Bound<'_, PyIterator> = if let Ok(dict) = value.cast::<PyDict>() {
        dict.items().try_iter()?
    } else if value.hasattr("items")? {
        value.call_method0("items")?.try_iter()?
    } else {
        return Err(Finding::error(
            "responses",
            "outcomes.responses_type",
            format!(
                "responses must be a mapping from item name to int or None, got {}",
                value.get_type().name()?
            ),
        )
        .to_pyerr(py));
    };
    let mut report = Findings::new();
    let mut responses = Responses::new();
    for pair in pairs {
        let (key, answer): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair?.extract()?;
        let Ok(name) = key.cast::<PyString>() else {
            report.push(Finding::error(
                "responses",
                "outcomes.wrong_type",
                format!("item names must be str, got {}", key.get_type().name()?),
            ));
            continue;
        };
        let name = name.to_string_lossy().into_owned();
        match item_response(&name, &answer) {
            Ok(response) => {
                responses.insert(name, response);
            }
            Err(finding) => report.push(finding),
        }
    }
    report.into_result().map_err(|e| e.to_pyerr(py))?;
    Ok(responses)
}

/// A score's value as Python gives it: an `int` for scores that can only be whole numbers, a
/// `float` otherwise, `None` when missing.
fn value_to_py<'py>(
    py: Python<'py>,
    value: Option<f64>,
    whole: bool,
) -> PyResult<Bound<'py, PyAny>> {
    use pyo3::IntoPyObjectExt;
    match value {
        None => Ok(py.None().into_bound(py)),
        // Whole scores are small (|v| < 2^53), so the conversion is exact.
        Some(v) if whole && v.fract() == 0.0 && v.abs() < 9.0e15 => {
            (v as i64).into_bound_py_any(py)
        }
        Some(v) => v.into_bound_py_any(py),
    }
}

/// The scores of one respondent, read as a mapping from score id to value.
#[pyclass(frozen, mapping, name = "Scores", module = "barnvern")]
pub struct PyScores {
    inner: Scores,
    /// Per score, whether it can only be a whole number (given as `int`).
    whole: Vec<bool>,
}

impl PyScores {
    fn position(&self, key: &str) -> Option<usize> {
        self.inner.scores.iter().position(|s| s.id == key)
    }

    fn values_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (score, whole) in self.inner.scores.iter().zip(&self.whole) {
            dict.set_item(&score.id, value_to_py(py, score.value, *whole)?)?;
        }
        Ok(dict)
    }

    fn band_labels(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.inner
            .scores
            .iter()
            .filter(|s| s.banded)
            .map(|s| (s.id.as_str(), s.band.as_ref().map(|b| b.label.as_str())))
    }
}

#[pymethods]
impl PyScores {
    /// The value of score `key` (`int`, `float` or `None`); `KeyError` for an unknown id.
    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.position(key) {
            Some(i) => value_to_py(py, self.inner.scores[i].value, self.whole[i]),
            None => Err(pyo3::exceptions::PyKeyError::new_err(key.to_owned())),
        }
    }

    /// The number of scores.
    fn __len__(&self) -> usize {
        self.inner.scores.len()
    }

    /// The score ids, in the instrument's order.
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        let ids: Vec<&str> = self.inner.scores.iter().map(|s| s.id.as_str()).collect();
        PyList::new(py, ids)?.try_iter()
    }

    /// Whether `key` is a score id.
    fn __contains__(&self, key: &Bound<'_, PyAny>) -> bool {
        key.cast::<PyString>()
            .is_ok_and(|k| self.position(&k.to_string_lossy()).is_some())
    }

    /// The value of score `key`, or `default` when there is no such score.
    #[pyo3(signature = (key, default = None, /))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let found = key
            .cast::<PyString>()
            .ok()
            .and_then(|k| self.position(&k.to_string_lossy()));
        match found {
            Some(i) => value_to_py(py, self.inner.scores[i].value, self.whole[i]),
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
        }
    }

    /// The score ids, as `collections.abc.KeysView`.
    fn keys<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        abc_view(slf, "KeysView")
    }

    /// The values, as `collections.abc.ValuesView`.
    fn values<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        abc_view(slf, "ValuesView")
    }

    /// The (id, value) pairs, as `collections.abc.ItemsView`.
    fn items<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        abc_view(slf, "ItemsView")
    }

    /// Equal to any mapping with the same ids and values (as `collections.abc.Mapping`).
    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let mapping = py.import("collections.abc")?.getattr("Mapping")?;
        if !other.is_instance(&mapping)? {
            return Ok(false);
        }
        let theirs = PyDict::new(py);
        for pair in other.call_method0("items")?.try_iter()? {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair?.extract()?;
            theirs.set_item(k, v)?;
        }
        self.values_dict(py)?.eq(theirs)
    }

    /// The band of each score that has band tables for this informant: its label, or `None`
    /// when the score is missing or no table fits the age.
    #[getter]
    fn bands<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (id, label) in self.band_labels() {
            dict.set_item(id, label)?;
        }
        Ok(dict)
    }

    /// The instrument id.
    #[getter]
    fn instrument(&self) -> &str {
        &self.inner.instrument
    }

    /// The scoring algorithm's name.
    #[getter]
    fn algorithm(&self) -> &str {
        &self.inner.algorithm
    }

    /// The version of the instrument definition applied.
    #[getter]
    fn version(&self) -> &str {
        &self.inner.version
    }

    /// The version of the scoring engine.
    #[getter]
    fn engine_version(&self) -> &str {
        &self.inner.engine_version
    }

    /// The informant the bands were chosen for.
    #[getter]
    fn informant(&self) -> Option<&'static str> {
        self.inner.informant.map(Informant::as_str)
    }

    /// Findings that did not stop scoring (no band table for the age, age outside the form's
    /// range).
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        findings_to_list(py, &self.inner.warnings)
    }

    /// One flat row with the columns of `score_table`: each score's value, followed by
    /// `<score>_band` when the score is banded.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (score, whole) in self.inner.scores.iter().zip(&self.whole) {
            dict.set_item(&score.id, value_to_py(py, score.value, *whole)?)?;
            if score.banded {
                let label = score.band.as_ref().map(|b| b.label.as_str());
                dict.set_item(format!("{}_band", score.id), label)?;
            }
        }
        Ok(dict)
    }

    /// `Scores(instrument='sdq-p-4-17', version='2026.1', values={'emotional': 7, ...})`.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Scores(instrument='{}', version='{}', values={})",
            self.inner.instrument,
            self.inner.version,
            self.values_dict(py)?.repr()?
        ))
    }

    /// Pickles as its JSON and, beside it, the values as Python floats and which of them are
    /// whole numbers. The values travel outside the JSON so that they come back bit for bit
    /// (serde_json's default float parsing may differ in the last place).
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, ScoresState)> {
        let text = serde_json::to_string(&self.inner)
            .map_err(|e| state_finding(format!("cannot pickle: {e}")).to_pyerr(py))?;
        let values = self.inner.scores.iter().map(|s| s.value).collect();
        let from_pickle = py.get_type::<Self>().getattr("_from_pickle")?;
        Ok((from_pickle, (text, values, self.whole.clone())))
    }

    /// Rebuilds pickled scores (the state `__reduce__` wrote).
    #[staticmethod]
    #[pyo3(name = "_from_pickle")]
    fn from_pickle(
        py: Python<'_>,
        state: &str,
        values: Vec<Option<f64>>,
        whole: Vec<bool>,
    ) -> PyResult<Self> {
        let mut inner: Scores = from_json_state(py, state)?;
        let n = inner.scores.len();
        if values.len() != n || whole.len() != n {
            return Err(state_finding(format!(
                "not a barnvern pickle: {n} scores with {} values and {} whole-number flags",
                values.len(),
                whole.len()
            ))
            .to_pyerr(py));
        }
        for (score, value) in inner.scores.iter_mut().zip(values) {
            score.value = value;
        }
        Ok(PyScores { inner, whole })
    }
}

/// The pickled state of `Scores`: its JSON, the values, and which values are whole numbers.
type ScoresState = (String, Vec<Option<f64>>, Vec<bool>);

/// `collections.abc.<view>(mapping)`: the standard views over any mapping.
fn abc_view<'py>(slf: &Bound<'py, PyScores>, view: &str) -> PyResult<Bound<'py, PyAny>> {
    slf.py()
        .import("collections.abc")?
        .getattr(view)?
        .call1((slf,))
}

/// The ids of the built-in instruments.
#[pyfunction]
fn instruments() -> Vec<&'static str> {
    builtin_ids().collect()
}

/// Scores one respondent.
#[pyfunction]
#[pyo3(signature = (instrument, responses, *, informant = None, age = None))]
fn score(
    py: Python<'_>,
    instrument: &Bound<'_, PyAny>,
    responses: &Bound<'_, PyAny>,
    informant: Option<&str>,
    age: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyScores> {
    let instrument = resolve_instrument(py, instrument)?;
    let options = ScoreOptions {
        informant: parse_informant(py, informant)?,
        age: parse_age(py, age)?,
        ..ScoreOptions::default()
    };
    let responses = parse_responses(py, responses)?;
    let inner =
        barnvern_outcomes::score(&instrument, &responses, &options).map_err(|e| e.to_pyerr(py))?;
    let whole = inner
        .scores
        .iter()
        .map(|s| instrument.whole_number_score(&s.id))
        .collect();
    Ok(PyScores { inner, whole })
}

/// Scores a table of respondents, one row each.
#[pyfunction]
#[pyo3(signature = (instrument, data, *, informant = None, age_column = None, id_columns = Vec::new(), allow_missing_items = false))]
#[pyo3(
    text_signature = "(instrument, data, *, informant=None, age_column=None, id_columns=(), allow_missing_items=False)"
)]
fn score_table(
    py: Python<'_>,
    instrument: &Bound<'_, PyAny>,
    data: &Bound<'_, PyAny>,
    informant: Option<&str>,
    age_column: Option<&str>,
    id_columns: Vec<String>,
    allow_missing_items: bool,
) -> PyResult<PyTable> {
    let instrument = resolve_instrument(py, instrument)?;
    let options = ScoreOptions {
        informant: parse_informant(py, informant)?,
        ..ScoreOptions::default()
    };
    if !data.hasattr("__arrow_c_stream__")? && !data.hasattr("__arrow_c_array__")? {
        return Err(Finding::error(
            "data",
            "outcomes.not_arrow",
            format!(
                "data must be Arrow tabular data (with __arrow_c_stream__: a pyarrow Table, a \
                 polars DataFrame, ...), got {}",
                data.get_type().name()?
            ),
        )
        .to_pyerr(py));
    }
    let table = data.extract::<AnyRecordBatch>()?.into_table()?;
    let (batches, input) = table.into_inner();
    let columns = Columns {
        id_columns,
        age_column: age_column.map(str::to_owned),
        allow_missing_items,
    };
    let result = py.detach(|| {
        let scorer = TableScorer::new(&instrument, &input, &columns, options)?;
        // Each batch is scored where it lies (the item buffers are read in place, nothing is
        // converted first); a large one comes back as a batch per core that scored it.
        let mut out = Vec::with_capacity(batches.len());
        let mut first_row = 0;
        for batch in &batches {
            out.extend(scorer.score_parts(batch, first_row)?);
            first_row += batch.num_rows();
        }
        Ok::<_, ValidationError>((out, Arc::clone(scorer.schema())))
    });
    let (out, schema) = result.map_err(|e| e.to_pyerr(py))?;
    PyTable::try_new(out, schema)
}
