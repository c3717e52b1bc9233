//! `barnvern.read_dataset`, `barnvern.Dataset`, `barnvern.validate_table` and
//! `barnvern.TableReport`: research datasets and tables as Arrow data. A dataset is opened
//! lazily (`barnvern_arrow::Dataset`): a table is read when asked for, with only the columns
//! and partitions selected.
//!
//! Tables leave Rust as pyo3-arrow tables, which export the Arrow PyCapsule stream interface:
//! `pyarrow.table(t)` and `polars.DataFrame(t)` take the buffers without copying them. Tables
//! come in the same way (`__arrow_c_stream__` or `__arrow_c_array__`). Every check lives in
//! `barnvern_arrow::validate_table`; reading and checking run with the GIL released.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Mutex;

use barnvern_arrow::validate_table::{RowFinding, TableReport, ValidateOptions, validate_table};
use barnvern_arrow::{Dataset, Error as ArrowError, TableRead, tables};
use barnvern_core::{Finding, Jurisdiction};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyMapping, PyString};
use pyo3_arrow::PyTable;
use pyo3_arrow::input::AnyRecordBatch;

use crate::errors::{ErrorClass, ToPyErr, findings_to_list, schema_version_error};
use crate::pickle::{from_json_state, reduce_json, state_finding};

/// Registers the classes and functions of this module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDataset>()?;
    m.add_class::<PyTableReport>()?;
    m.add_function(wrap_pyfunction!(read_dataset, m)?)?;
    m.add_function(wrap_pyfunction!(validate_table_py, m)?)?;
    Ok(())
}

/// Errors of reading or writing research tables: an unknown schema version is a
/// `SchemaVersionError`, rows that do not fit together a `ValidationError` with every finding,
/// anything else about files and directories a `DatasetError` with `.path` where there is one.
impl ToPyErr for ArrowError {
    fn to_pyerr(self, py: Python<'_>) -> PyErr {
        let message = self.to_string();
        match self {
            ArrowError::SchemaVersion {
                found, supported, ..
            } => schema_version_error(py, &message, found.as_deref(), &supported),
            ArrowError::Data(findings) => ErrorClass::Validation.new_err(py, &message, &findings),
            ArrowError::Io { path, .. }
            | ArrowError::ReadFile { path, .. }
            | ArrowError::Exists { path }
            | ArrowError::NotReplaceable { path, .. }
            | ArrowError::Manifest { path, .. } => ErrorClass::Dataset.new_err_with(
                py,
                &message,
                &[("path", &path.display().to_string())],
            ),
            _ => ErrorClass::Dataset.new_err(py, &message, &[]),
        }
    }
}

/// The manifest (or any serde value) as Python objects, through `json.loads`.
pub(crate) fn to_python<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value).map_err(|e| {
        ErrorClass::Dataset.new_err(py, &format!("cannot convert to Python: {e}"), &[])
    })?;
    py.import("json")?.call_method1("loads", (text,))
}

/// An Arrow table as a DataFrame through `barnvern._frames` (`"to_polars"` or `"to_pandas"`),
/// which imports polars, or pandas and pyarrow, only now; `caller` names the method in the
/// `ImportError` when one is missing.
fn to_frame<'py>(
    py: Python<'py>,
    function: &str,
    table: PyTable,
    caller: &str,
) -> PyResult<Bound<'py, PyAny>> {
    py.import("barnvern._frames")?
        .call_method1(function, (table, caller))
}

/// A path as Python writes it in a repr (`'/data/x'`, with quotes escaped).
pub(crate) fn path_repr(py: Python<'_>, path: &std::path::Path) -> PyResult<String> {
    Ok(PyString::new(py, &path.display().to_string())
        .repr()?
        .to_string())
}

/// A research dataset opened from its directory: the manifest is read at once, a table when
/// it is asked for (with column and partition selection), and the findings of each table's
/// latest read are kept.
#[pyclass(frozen, name = "Dataset", module = "barnvern")]
pub struct PyDataset {
    inner: Dataset,
    /// The findings of the latest read of each table, by table name.
    findings: Mutex<BTreeMap<&'static str, Vec<Finding>>>,
}

/// What a read selects: columns, jurisdictions and years (`None`: all).
#[derive(Default)]
struct Selection {
    columns: Option<Vec<String>>,
    jurisdictions: Option<Vec<Jurisdiction>>,
    years: Option<Vec<i32>>,
}

impl Selection {
    /// The selection of `columns=` and `filter=` (see the stub of `Dataset.table`); every
    /// problem is a finding, all raised at once as one `ValidationError`.
    fn parse(
        py: Python<'_>,
        columns: Option<Vec<String>>,
        filter: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Selection> {
        let mut selection = Selection {
            columns,
            ..Selection::default()
        };
        let Some(filter) = filter else {
            return Ok(selection);
        };
        let example = "a dict such as {\"jurisdiction\": \"NO\", \"year\": [2023, 2024]}";
        let Ok(mapping) = filter.cast::<PyMapping>() else {
            return Err(Finding::error(
                "filter",
                "research.filter",
                format!(
                    "filter must be {example}, got {}",
                    filter.get_type().name()?
                ),
            )
            .to_pyerr(py));
        };
        let mut findings = Vec::new();
        for item in mapping.items()?.iter() {
            let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            let key = key.extract::<String>().unwrap_or_default();
            let path = format!("filter.{key}");
            let bad_value = |what: &str| {
                Finding::error(
                    format!("filter.{key}"),
                    "research.filter_value",
                    format!("filter[{key:?}] must be {what}"),
                )
            };
            match key.as_str() {
                "jurisdiction" => {
                    let codes: Option<Vec<String>> = match value.extract::<String>() {
                        Ok(one) => Some(vec![one]),
                        Err(_) if value.is_instance_of::<PyString>() => None,
                        Err(_) => value.extract::<Vec<String>>().ok(),
                    };
                    let Some(codes) = codes else {
                        findings.push(bad_value("a jurisdiction code (\"SE\", \"NO\") or a list of them"));
                        continue;
                    };
                    let mut chosen = Vec::new();
                    for code in codes {
                        match Jurisdiction::from_str(&code) {
                            Ok(j) => chosen.push(j),
                            Err(e) => findings.push(Finding::error(
                                path.clone(),
                                "research.filter_value",
                                e.message,
                            )),
                        }
                    }
                    selection.jurisdictions = Some(chosen);
                }
                "year" => {
                    let is_bool = |v: &Bound<'_, PyAny>| v.is_instance_of::<PyBool>();
                    let years: Option<Vec<i32>> = if is_bool(&value) {
                        None
                    } else if let Ok(one) = value.extract::<i32>() {
                        Some(vec![one])
                    } else if value.is_instance_of::<PyString>() {
                        None
                    } else {
                        value.try_iter().ok().and_then(|items| {
                            items
                                .map(|v| v.ok().filter(|v| !is_bool(v))?.extract::<i32>().ok())
                                .collect()
                        })
                    };
                    match years {
                        Some(years) => selection.years = Some(years),
                        None => findings.push(bad_value("a year (an int) or a list of years")),
                    }
                }
                _ => findings.push(Finding::error(
                    "filter",
                    "research.unknown_filter",
                    format!(
                        "{} is not a filter key; the partitions are selected by \"jurisdiction\" and \"year\"",
                        barnvern_core::identifier::echo(&key)
                    ),
                )),
            }
        }
        if findings.is_empty() {
            Ok(selection)
        } else {
            let message = findings
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            Err(ErrorClass::Validation.new_err(py, &message, &findings))
        }
    }

    /// Table `name` of `dataset` with this selection.
    fn apply<'a>(&self, dataset: &'a Dataset, name: &str) -> Result<TableRead<'a>, ArrowError> {
        let mut read = dataset.table(name)?;
        if let Some(c) = &self.columns {
            read = read.columns(c);
        }
        if let Some(j) = &self.jurisdictions {
            read = read.jurisdictions(j.iter().copied());
        }
        if let Some(y) = &self.years {
            read = read.years(y.iter().copied());
        }
        Ok(read)
    }
}

#[pymethods]
impl PyDataset {
    /// The dataset directory.
    #[getter]
    fn path(&self) -> String {
        self.inner.path().display().to_string()
    }

    /// `manifest.json` as a dict.
    #[getter]
    fn manifest<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, self.inner.manifest())
    }

    /// The research schema version of the dataset.
    #[getter]
    fn schema_version(&self) -> &str {
        &self.inner.manifest().schema_version
    }

    /// The number of research cases written (a count: the cases themselves are the `cases`
    /// table).
    #[getter]
    fn case_count(&self) -> u64 {
        self.inner.manifest().cases
    }

    /// The names of the tables, in dataset order.
    #[getter]
    fn tables(&self) -> Vec<&'static str> {
        self.inner.table_names().collect()
    }

    /// Rows per table, in dataset order.
    #[getter]
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for name in self.inner.table_names() {
            dict.set_item(name, self.rows_of(name))?;
        }
        Ok(dict)
    }

    /// One table as Arrow data, read now: the columns and partitions selected (default every
    /// column, `jurisdiction` included, of every partition), validated as read.
    #[pyo3(signature = (name, columns = None, filter = None))]
    fn table(
        &self,
        py: Python<'_>,
        name: &str,
        columns: Option<Vec<String>>,
        filter: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTable> {
        let selection = Selection::parse(py, columns, filter)?;
        let data = py
            .detach(|| selection.apply(&self.inner, name)?.read())
            .map_err(|e| e.to_pyerr(py))?;
        self.keep_findings(data.spec.name, data.findings);
        PyTable::try_new(data.batches, data.schema)
    }

    /// A `pyarrow.dataset.Dataset` over the table's Parquet files (those of the partitions
    /// selected), with hive partitioning: for queries that pyarrow, polars or duckdb push down
    /// to the files. Nothing is read or validated here.
    #[pyo3(signature = (name, filter = None))]
    fn scan<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        filter: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let selection = Selection::parse(py, None, filter)?;
        let read = selection
            .apply(&self.inner, name)
            .map_err(|e| e.to_pyerr(py))?;
        let files: Vec<String> = read
            .files()
            .iter()
            .map(|f| self.inner.path().join(&f.path).display().to_string())
            .collect();
        let base = self
            .inner
            .path()
            .join(read.spec().name)
            .display()
            .to_string();
        py.import("barnvern._frames")?
            .call_method1("scan", (files, base, "Dataset.scan"))
    }

    /// The findings of the latest read of each table read so far, in dataset order.
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        findings_to_list(py, &self.all_findings())
    }

    /// Reads every table whole, a batch at a time (keeping no rows), and returns the findings,
    /// which `findings` then holds.
    fn validate<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let per_table = py
            .detach(|| {
                let mut out = Vec::new();
                for name in self.inner.table_names() {
                    let mut batches = self.inner.table(name)?.batches()?;
                    for b in batches.by_ref() {
                        b?;
                    }
                    out.push((name, batches.into_findings()));
                }
                Ok::<_, ArrowError>(out)
            })
            .map_err(|e| e.to_pyerr(py))?;
        for (name, findings) in per_table {
            self.keep_findings(name, findings);
        }
        self.findings(py)
    }

    /// One table as a polars DataFrame: `polars.DataFrame(ds.table(name, columns, filter))`.
    /// polars is imported only now; without it this raises `ImportError` (`pip install polars`).
    #[pyo3(signature = (name, columns = None, filter = None))]
    fn to_polars<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        columns: Option<Vec<String>>,
        filter: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let table = self.table(py, name, columns, filter)?;
        to_frame(py, "to_polars", table, "Dataset.to_polars")
    }

    /// One table as a pandas DataFrame, through pyarrow: codes are categoricals, dates
    /// `datetime64[ms]`, instants `datetime64[us, UTC]`, integers and booleans pandas'
    /// nullable dtypes (`Int64`, `boolean`). pandas and pyarrow are imported only now; without
    /// them this raises `ImportError` (`pip install pandas pyarrow`).
    #[pyo3(signature = (name, columns = None, filter = None))]
    fn to_pandas<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        columns: Option<Vec<String>>,
        filter: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let table = self.table(py, name, columns, filter)?;
        to_frame(py, "to_pandas", table, "Dataset.to_pandas")
    }

    /// `Dataset(path='...', schema_version='1.1', case_count=200, tables=35, rows=4974, findings=0)`.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let rows: u64 = self.inner.table_names().map(|n| self.rows_of(n)).sum();
        Ok(format!(
            "Dataset(path={}, schema_version='{}', case_count={}, tables={}, rows={rows}, findings={})",
            path_repr(py, self.inner.path())?,
            self.inner.manifest().schema_version,
            self.inner.manifest().cases,
            self.inner.table_names().count(),
            self.all_findings().len()
        ))
    }

    /// Pickles as its directory (made absolute) and is opened again on load, so a pickle is
    /// small and never holds the data; unpickling raises `DatasetError` when the directory is
    /// gone.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (PathBuf,))> {
        let read = py.import("barnvern._core")?.getattr("read_dataset")?;
        Ok((read, (self.inner.root().to_path_buf(),)))
    }
}

impl PyDataset {
    /// The dataset directory.
    pub(crate) fn path_buf(&self) -> &std::path::Path {
        self.inner.path()
    }

    fn rows_of(&self, name: &str) -> u64 {
        self.inner.manifest().tables.get(name).map_or(0, |t| t.rows)
    }

    /// Keeps the findings of a read of table `name`, replacing those of its previous read.
    fn keep_findings(&self, name: &'static str, findings: Vec<Finding>) {
        // A poisoned lock still holds whole findings lists: each is replaced in one step.
        let mut kept = self
            .findings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.insert(name, findings);
    }

    /// The findings kept, in dataset order.
    fn all_findings(&self) -> Vec<Finding> {
        let kept = self
            .findings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.inner
            .table_names()
            .filter_map(|n| kept.get(n))
            .flatten()
            .cloned()
            .collect()
    }
}

fn unknown_table<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Finding {
    barnvern_arrow::io::dataset::unknown_table(name, known)
}

/// Opens a research dataset: reads and checks the manifest, and that every file it lists is
/// there; tables are read when asked for.
#[pyfunction]
fn read_dataset(py: Python<'_>, path: PathBuf) -> PyResult<PyDataset> {
    py.detach(|| Dataset::open(&path))
        .map(|inner| PyDataset {
            inner,
            findings: Mutex::new(BTreeMap::new()),
        })
        .map_err(|e| e.to_pyerr(py))
}

/// The findings of validating a research table.
#[pyclass(frozen, name = "TableReport", module = "barnvern")]
pub struct PyTableReport {
    report: TableReport,
    /// The findings as one Arrow batch, built once.
    batch: arrow_array::RecordBatch,
}

#[pymethods]
impl PyTableReport {
    /// The table validated.
    #[getter]
    fn table(&self) -> &'static str {
        self.report.table
    }

    /// The rows given.
    #[getter]
    fn rows(&self) -> u64 {
        self.report.rows
    }

    /// True when no finding has severity error.
    #[getter]
    fn ok(&self) -> bool {
        self.report.is_ok()
    }

    /// Every finding as an Arrow table: `row` (int64, null for a whole column), `path`,
    /// `code`, `severity`, `message`.
    #[getter]
    fn findings(&self) -> PyResult<PyTable> {
        PyTable::try_new(vec![self.batch.clone()], self.batch.schema())
    }

    /// Every finding as a list of dicts (`row`, `path`, `code`, `severity`, `message`).
    fn to_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for f in &self.report.findings {
            let dict = PyDict::new(py);
            dict.set_item("row", f.row)?;
            dict.set_item("path", &f.finding.path)?;
            dict.set_item("code", &f.finding.code)?;
            dict.set_item("severity", f.finding.severity.as_str())?;
            dict.set_item("message", &f.finding.message)?;
            list.append(dict)?;
        }
        Ok(list)
    }

    /// The findings (`findings`) as a polars DataFrame. polars is imported only now; without it
    /// this raises `ImportError` (`pip install polars`).
    fn to_polars<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_frame(py, "to_polars", self.findings()?, "TableReport.to_polars")
    }

    /// The findings (`findings`) as a pandas DataFrame, `row` as the nullable `Int64`. pandas and
    /// pyarrow are imported only now; without them this raises `ImportError`
    /// (`pip install pandas pyarrow`).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_frame(py, "to_pandas", self.findings()?, "TableReport.to_pandas")
    }

    /// The number of findings.
    fn __len__(&self) -> usize {
        self.report.findings.len()
    }

    /// `TableReport(table='referrals', rows=120, ok=False, errors=2, findings=3)`.
    fn __repr__(&self) -> String {
        format!(
            "TableReport(table='{}', rows={}, ok={}, errors={}, findings={})",
            self.report.table,
            self.report.rows,
            if self.report.is_ok() { "True" } else { "False" },
            self.report.error_count(),
            self.report.findings.len()
        )
    }

    /// Pickles as the table name, the row count and the findings; the findings table is built
    /// again on load.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let findings: Vec<(Option<u64>, &Finding)> = self
            .report
            .findings
            .iter()
            .map(|f| (f.row, &f.finding))
            .collect();
        reduce_json(
            &py.get_type::<Self>(),
            &(self.report.table, self.report.rows, findings),
        )
    }

    /// Rebuilds a pickled report (the state `__reduce__` wrote).
    #[staticmethod]
    #[pyo3(name = "_from_pickle")]
    fn from_pickle(py: Python<'_>, state: &str) -> PyResult<Self> {
        let (name, rows, findings): (String, u64, Vec<(Option<u64>, Finding)>) =
            from_json_state(py, state)?;
        let table = barnvern_arrow::table(&name).ok_or_else(|| {
            state_finding(format!(
                "not a barnvern pickle: {} is not a research table",
                barnvern_core::identifier::echo(&name)
            ))
            .to_pyerr(py)
        })?;
        let report = TableReport {
            table: table.name,
            rows,
            findings: findings
                .into_iter()
                .map(|(row, finding)| RowFinding { row, finding })
                .collect(),
        };
        let batch = report.to_batch().map_err(|e| e.to_pyerr(py))?;
        Ok(PyTableReport { report, batch })
    }
}

/// Validates Arrow data as rows of the research table `name`.
#[pyfunction]
#[pyo3(name = "validate_table", signature = (name, data, *, max_per_column = None))]
fn validate_table_py(
    py: Python<'_>,
    name: &str,
    data: &Bound<'_, PyAny>,
    max_per_column: Option<usize>,
) -> PyResult<PyTableReport> {
    let spec = barnvern_arrow::table(name)
        .ok_or_else(|| unknown_table(name, tables().iter().map(|t| t.name)).to_pyerr(py))?;
    if !data.hasattr("__arrow_c_stream__")? && !data.hasattr("__arrow_c_array__")? {
        return Err(Finding::error(
            "data",
            "research.not_arrow",
            format!(
                "data must be Arrow tabular data (with __arrow_c_stream__: a pyarrow Table or \
                 RecordBatch, a polars DataFrame, ...), got {}",
                data.get_type().name()?
            ),
        )
        .to_pyerr(py));
    }
    let (batches, schema) = data.extract::<AnyRecordBatch>()?.into_table()?.into_inner();
    let options = ValidateOptions { max_per_column };
    let (report, batch) = py
        .detach(|| {
            let report = validate_table(spec, &schema, &batches, &options);
            report.to_batch().map(|batch| (report, batch))
        })
        .map_err(|e| e.to_pyerr(py))?;
    Ok(PyTableReport { report, batch })
}
