//! Norway's national child-welfare reporting format (SSB barnevern XML): `read_ssb_xml`,
//! `write_ssb_xml` and `ssb_controls`. Every rule lives in `barnvern_ssb`; this module
//! converts, and releases the GIL around file work.

use std::path::PathBuf;

use barnvern_core::{Finding, Severity};
use barnvern_ssb::{check, read_file, write_case};
use chrono::NaiveDate;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::case::PyCase;
use crate::errors::{ErrorClass, ToPyErr, file_error, findings_to_list};

/// Registers the functions of this module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_ssb_xml, m)?)?;
    m.add_function(wrap_pyfunction!(write_ssb_xml, m)?)?;
    m.add_function(wrap_pyfunction!(ssb_controls, m)?)?;
    Ok(())
}

/// Input that is not SSB XML barnvern can read, and a case that cannot be written, are a
/// `ValidationError` with the finding; a file that cannot be read or written is a `FileError`
/// (a `BarnvernError` that is also an `OSError`, errno kept), so every error stays inside the
/// `BarnvernError` tree.
impl ToPyErr for barnvern_ssb::Error {
    fn to_pyerr(self, py: Python<'_>) -> PyErr {
        match self {
            barnvern_ssb::Error::Io { path, source } => file_error(py, &path, &source),
            barnvern_ssb::Error::Input(finding) | barnvern_ssb::Error::Write(finding) => {
                finding.to_pyerr(py)
            }
        }
    }
}

/// Reads an SSB XML file (schema v1, v3 or v4) into validated cases, one per `Sak`.
///
/// Raises `ValidationError` with every finding (file, line and element in each path) when
/// the file is not well-formed, refuses a DTD or entity, or any finding is an error (an
/// unknown element or code, an identity number failing its check digits, a `Sak` that is
/// not a valid case). Warnings do not raise.
#[pyfunction]
fn read_ssb_xml(py: Python<'_>, path: PathBuf) -> PyResult<Vec<PyCase>> {
    let read = py.detach(move || -> Result<_, barnvern_ssb::Error> {
        let mut cases = Vec::new();
        let mut findings: Vec<Finding> = Vec::new();
        for item in read_file(&path)? {
            match item {
                Err(finding) => findings.push(finding),
                Ok(rc) => {
                    let before = rc.findings.clone();
                    match rc.into_case() {
                        Ok(case) => {
                            findings.extend(before);
                            cases.push(case);
                        }
                        Err(all) => findings.extend(all),
                    }
                }
            }
        }
        Ok((cases, findings))
    });
    let (cases, findings) = read.map_err(|e| e.to_pyerr(py))?;
    let errors: Vec<Finding> = findings
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        let message = format!(
            "the SSB file has {} error(s); the first: {}",
            errors.len(),
            errors[0]
        );
        return Err(ErrorClass::Validation.new_err(py, &message, &errors));
    }
    Ok(cases.into_iter().map(PyCase::from_case).collect())
}

/// Writes cases as SSB XML v4 (Barnevern_v4.xsd has one `Sak` per file): one case to `path`
/// when it ends in `.xml`, otherwise one file per case (`<Sak Id>.xml`) in the directory
/// `path` (created if missing). Returns the paths written.
#[pyfunction]
fn write_ssb_xml(
    py: Python<'_>,
    cases: &Bound<'_, PyAny>,
    path: PathBuf,
) -> PyResult<Vec<PathBuf>> {
    let list: Vec<barnvern_case::Case> = match cases.cast::<PyCase>() {
        Ok(one) => vec![one.borrow().inner.clone()],
        Err(_) => cases
            .try_iter()?
            .map(|c| c.and_then(|c| Ok(c.cast::<PyCase>()?.borrow().inner.clone())))
            .collect::<PyResult<_>>()?,
    };
    let single = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
    if single && list.len() != 1 {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "{} cases cannot go to one file: SSB's v4 has one Sak per file; give a directory",
            list.len()
        )));
    }
    let written = py.detach(move || -> Result<Vec<PathBuf>, barnvern_ssb::Error> {
        let io = |p: &PathBuf, source| barnvern_ssb::Error::Io {
            path: p.display().to_string(),
            source,
        };
        if !single {
            std::fs::create_dir_all(&path).map_err(|e| io(&path, e))?;
        }
        let mut out = Vec::new();
        for case in &list {
            let w = write_case(case)?;
            let target = if single {
                path.clone()
            } else {
                path.join(format!("{}.xml", w.sak_id))
            };
            // Each file whole or not at all: a failure leaves what was at the target.
            barnvern_arrow::io::output_dir::write_file(&target, w.xml.as_bytes())
                .map_err(|e| io(&target, std::io::Error::other(e.to_string())))?;
            out.push(target);
        }
        Ok(out)
    });
    written.map_err(|e| e.to_pyerr(py))
}

/// SSB's validation controls (Kravspesifikasjon) on any case: a list of findings as dicts
/// with `path`, `code` (SSB's control id, e.g. ``"Melding Kontroll 3"``), `severity`
/// (``"error"`` or ``"warning"``) and `message` (SSB's, in Norwegian). `as_of` is the day
/// deadlines and ages are judged on (default: the extract's date, or the latest record).
#[pyfunction]
#[pyo3(signature = (case, *, as_of = None))]
fn ssb_controls<'py>(
    py: Python<'py>,
    case: &PyCase,
    as_of: Option<NaiveDate>,
) -> PyResult<Bound<'py, PyList>> {
    let inner = case.inner.clone();
    let found = py.detach(move || check(&inner, as_of));
    findings_to_list(py, &found)
}
