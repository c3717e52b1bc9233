//! `barnvern.Instrument`, `barnvern.Scores`, `barnvern.score`, `barnvern.score_table` and
//! `barnvern.instruments`: outcome measures. Every rule (items, reverse keys, rounding, bands)
//! lives in `barnvern_outcomes`; this module converts Python and Arrow values to the crate's
//! types and back.
//!
//! Responses are never coerced: a `bool`, `float`, `str` or any other non-`int` answer is a
//! `ValidationError` naming the item (`outcomes.wrong_type`), and in the bulk form a column that
//! is not an integer column is refused by name.

use barnvern_arrow::ints::{int_column, is_integer};
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Float64Array, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use barnvern_core::{Issue, Report, ValidationError};
use barnvern_outcomes::{
    Informant, Instrument, InstrumentDef, ItemResponse, Responses, ScoreColumns, ScoreOptions,
    Scores, builtin, builtin_ids, score_columns_from,
};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyIterator, PyList, PyString, PyTuple};
use pyo3_arrow::PyTable;
use pyo3_arrow::input::AnyRecordBatch;

use crate::errors::{ToPyErr, issues_to_list};
use crate::pickle::{from_json_state, state_issue};

/// Registers the classes and functions of this module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyInstrument>()?;
    m.add_class::<PyScores>()?;
    m.add_function(wrap_pyfunction!(instruments, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(score_table, m)?)?;
    Ok(())
}

/// Rows scored per block in `score_table`: bounds the memory of the converted item values
/// (16 bytes per item and row) whatever the size of the input batches, and keeps a block's
/// values in cache between converting and scoring them (a few MB for a 30-item instrument).
const BLOCK_ROWS: usize = 8_192;

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
            .map_err(|issue| issue.to_pyerr(py))
    }

    /// Reads and checks a definition from JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Self> {
        let text = text.to_string_lossy();
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

    /// The JSON Schema of a definition file, as JSON text.
    #[staticmethod]
    fn json_schema() -> String {
        InstrumentDef::schema().as_value().to_string()
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

fn builtin_instrument(id: &str) -> Result<Arc<Instrument>, Issue> {
    builtin(id).map(|i| Arc::new(i.clone())).ok_or_else(|| {
        let known: Vec<&str> = builtin_ids().collect();
        Issue::error(
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
        return builtin_instrument(&text.to_string_lossy()).map_err(|issue| issue.to_pyerr(py));
    }
    if let Ok(instrument) = value.cast::<PyInstrument>() {
        return Ok(Arc::clone(&instrument.get().inner));
    }
    Err(Issue::error(
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
                    Issue::error(
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

/// The `age` argument: whole years, not negative.
fn parse_age(py: Python<'_>, age: Option<i64>) -> PyResult<Option<u32>> {
    age.map(|a| {
        u32::try_from(a).map_err(|_| {
            Issue::error(
                "age",
                "outcomes.age",
                format!("{a} is not an age in whole years"),
            )
            .to_pyerr(py)
        })
    })
    .transpose()
}

/// One answer: an `int` (not a `bool`) or `None`. Anything else is refused, naming the item.
fn item_response(item: &str, value: &Bound<'_, PyAny>) -> Result<ItemResponse, Issue> {
    let path = format!("responses.{item}");
    let wrong = |got: String| {
        Issue::error(
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
                Issue::error(
                    path.clone(),
                    "outcomes.out_of_range",
                    format!("item {item}: {value} is not a response option"),
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
        return Err(Issue::error(
            "responses",
            "outcomes.responses_type",
            format!(
                "responses must be a mapping from item name to int or None, got {}",
                value.get_type().name()?
            ),
        )
        .to_pyerr(py));
    };
    let mut report = Report::new();
    let mut responses = Responses::new();
    for pair in pairs {
        let (key, answer): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair?.extract()?;
        let Ok(name) = key.cast::<PyString>() else {
            report.push(Issue::error(
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
            Err(issue) => report.push(issue),
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
        issues_to_list(py, &self.inner.warnings)
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
            .map_err(|e| state_issue(format!("cannot pickle: {e}")).to_pyerr(py))?;
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
            return Err(state_issue(format!(
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
    age: Option<i64>,
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

/// What each input column is for.
enum Role {
    /// Passed through to the output.
    Id,
    /// An item's responses.
    Item,
    /// The age column.
    Age,
}

/// Checks the input schema against the instrument and the named columns; every finding at once.
fn plan_columns(
    instrument: &Instrument,
    schema: &Schema,
    id_columns: &[String],
    age_column: Option<&str>,
) -> Result<Vec<(usize, Role)>, ValidationError> {
    let mut report = Report::new();
    for name in id_columns.iter().map(String::as_str).chain(age_column) {
        if schema.index_of(name).is_err() {
            report.push(Issue::error(
                format!("columns.{name}"),
                "outcomes.unknown_column",
                format!("column {name} is named but the data has no such column"),
            ));
        }
    }
    let mut roles = Vec::new();
    for (index, field) in schema.fields().iter().enumerate() {
        let name = field.name().as_str();
        let path = format!("columns.{name}");
        if id_columns.iter().any(|c| c == name) {
            roles.push((index, Role::Id));
            if instrument
                .score_ids()
                .any(|s| s == name || format!("{s}_band") == name)
            {
                report.push(Issue::error(
                    path.clone(),
                    "outcomes.duplicate_column",
                    format!("id column {name} has the name of a score column of the result"),
                ));
            }
        }
        let is_item = instrument.item(name).is_some();
        let is_age = age_column == Some(name);
        if (is_item || is_age) && !is_integer(field.data_type()) {
            report.push(Issue::error(
                path.clone(),
                "outcomes.column_type",
                format!(
                    "column {name} is {}: {} must be an integer column (no column is truncated \
                     or parsed)",
                    field.data_type(),
                    if is_age { "the age" } else { "an item" }
                ),
            ));
            continue;
        }
        if is_age {
            roles.push((index, Role::Age));
        } else if is_item {
            roles.push((index, Role::Item));
        } else if !id_columns.iter().any(|c| c == name) {
            report.push(Issue::error(
                path,
                "outcomes.unknown_column",
                format!(
                    "column {name} is not an item of {} (version {}); name it in id_columns to \
                     pass it through",
                    instrument.id(),
                    instrument.version()
                ),
            ));
        }
    }
    report.into_result()?;
    Ok(roles)
}

/// Scores one block of rows (`first_row` is its first row in the whole table) into the output
/// arrays: id columns, then per score a Float64 column and, when banded, a dictionary column.
fn score_block(
    instrument: &Instrument,
    block: &RecordBatch,
    roles: &[(usize, Role)],
    id_columns: &[String],
    options: &ScoreOptions,
    first_row: usize,
    schema: &SchemaRef,
) -> Result<RecordBatch, ValidationError> {
    let input = block.schema();
    let mut items: Vec<(String, Vec<Option<i64>>)> = Vec::new();
    let mut ages: Option<Vec<Option<u32>>> = None;
    let mut report = Report::new();
    for (index, role) in roles {
        let name = input.field(*index).name();
        let column = block.column(*index);
        match role {
            Role::Id => {}
            Role::Item => items.push((
                name.clone(),
                int_column(column.as_ref()).unwrap_or_default(),
            )),
            Role::Age => {
                let values = int_column(column.as_ref()).unwrap_or_default();
                let mut converted = Vec::with_capacity(values.len());
                for (row, value) in values.into_iter().enumerate() {
                    match value.map(u32::try_from).transpose() {
                        Ok(age) => converted.push(age),
                        Err(_) => {
                            converted.push(None);
                            report.push(Issue::error(
                                format!("columns.{name}[{}]", first_row + row),
                                "outcomes.age",
                                format!(
                                    "{} is not an age in whole years",
                                    value.unwrap_or_default()
                                ),
                            ));
                        }
                    }
                }
                ages = Some(converted);
            }
        }
    }
    report.into_result()?;
    let columns: Vec<(&str, &[Option<i64>])> = items
        .iter()
        .map(|(name, values)| (name.as_str(), values.as_slice()))
        .collect();
    let mut scores = score_columns_from(instrument, &columns, ages.as_deref(), options, first_row)?;
    // With no item column the crate sees no rows; the block's row count is the truth.
    if columns.is_empty() && ages.is_none() {
        for column in &mut scores.columns {
            column.values = vec![None; block.num_rows()];
            if let Some(bands) = &mut column.bands {
                bands.codes = vec![None; block.num_rows()];
            }
        }
    }
    let mut arrays: Vec<ArrayRef> = id_columns
        .iter()
        .filter_map(|name| input.index_of(name).ok())
        .map(|i| Arc::clone(block.column(i)))
        .collect();
    arrays.extend(score_arrays(scores));
    RecordBatch::try_new(Arc::clone(schema), arrays).map_err(|e| {
        Issue::error(
            "",
            "outcomes.arrow",
            format!("cannot build the result: {e}"),
        )
        .into()
    })
}

/// The score columns as Arrow arrays: a Float64 array per score, then its band column.
fn score_arrays(scores: ScoreColumns) -> Vec<ArrayRef> {
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for column in scores.columns {
        arrays.push(Arc::new(Float64Array::from(column.values)));
        if let Some(bands) = column.bands {
            let keys = Int32Array::from(
                bands
                    .codes
                    .iter()
                    .map(|c| c.map(i32::from))
                    .collect::<Vec<_>>(),
            );
            let values = Arc::new(StringArray::from(bands.labels));
            // Codes index the labels by construction; an inconsistent pair gives no bands
            // rather than a panic.
            match DictionaryArray::<Int32Type>::try_new(keys, values) {
                Ok(dict) => arrays.push(Arc::new(dict)),
                Err(_) => arrays.push(arrow_array::new_null_array(&band_type(), bands.codes.len())),
            }
        }
    }
    arrays
}

fn band_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// The result schema: id columns as they came, a Float64 column per score and a dictionary
/// column per banded score; the instrument, version and algorithm in the metadata.
fn result_schema(
    instrument: &Instrument,
    input: &Schema,
    id_columns: &[String],
    options: &ScoreOptions,
) -> Result<SchemaRef, ValidationError> {
    // Which scores are banded depends on the instrument and informant, not on the rows.
    let shape = score_columns_from(instrument, &[], None, options, 0)?;
    let mut fields: Vec<Field> = id_columns
        .iter()
        .filter_map(|name| input.field_with_name(name).ok().cloned())
        .collect();
    for column in &shape.columns {
        fields.push(Field::new(&column.id, DataType::Float64, true));
        if column.bands.is_some() {
            fields.push(Field::new(format!("{}_band", column.id), band_type(), true));
        }
    }
    let metadata = [
        ("barnvern.instrument", shape.instrument),
        ("barnvern.instrument_version", shape.version),
        ("barnvern.algorithm", shape.algorithm),
        ("barnvern.engine_version", shape.engine_version),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    Ok(Arc::new(Schema::new_with_metadata(fields, metadata)))
}

/// Scores a table of respondents, one row each.
#[pyfunction]
#[pyo3(signature = (instrument, data, *, informant = None, age_column = None, id_columns = Vec::new()))]
#[pyo3(text_signature = "(instrument, data, *, informant=None, age_column=None, id_columns=())")]
fn score_table(
    py: Python<'_>,
    instrument: &Bound<'_, PyAny>,
    data: &Bound<'_, PyAny>,
    informant: Option<&str>,
    age_column: Option<&str>,
    id_columns: Vec<String>,
) -> PyResult<PyTable> {
    let instrument = resolve_instrument(py, instrument)?;
    let options = ScoreOptions {
        informant: parse_informant(py, informant)?,
        ..ScoreOptions::default()
    };
    if !data.hasattr("__arrow_c_stream__")? && !data.hasattr("__arrow_c_array__")? {
        return Err(Issue::error(
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
    let result = py.detach(|| {
        let roles = plan_columns(&instrument, &input, &id_columns, age_column)?;
        let schema = result_schema(&instrument, &input, &id_columns, &options)?;
        let mut out = Vec::new();
        let mut first_row = 0;
        for batch in &batches {
            let mut offset = 0;
            while offset < batch.num_rows() {
                let len = (batch.num_rows() - offset).min(BLOCK_ROWS);
                let block = batch.slice(offset, len);
                out.push(score_block(
                    &instrument,
                    &block,
                    &roles,
                    &id_columns,
                    &options,
                    first_row + offset,
                    &schema,
                )?);
                offset += len;
            }
            first_row += batch.num_rows();
        }
        Ok::<_, ValidationError>((out, schema))
    });
    let (out, schema) = result.map_err(|e| e.to_pyerr(py))?;
    PyTable::try_new(out, schema)
}
