//! `barnvern.synth`: a seeded synthetic cohort of case bundles (`barnvern_synth`), written as
//! JSON Lines with the GIL released.

use std::path::{Path, PathBuf};

use barnvern_arrow::io::output_dir::AtomicFile;
use barnvern_core::Finding;
use barnvern_synth::{Error as SynthError, SynthOptions, SynthSummary, write_jsonl};
use chrono::NaiveDate;
use pyo3::prelude::*;

use crate::dataset::to_python;
use crate::errors::{ErrorClass, ToPyErr};

/// Registers the functions of this module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(synth, m)?)?;
    Ok(())
}

/// Options out of range are a `ValidationError` (`synth.options`); a file that cannot be
/// written a `DatasetError`; a defect of the generator an `ExtractError`.
impl ToPyErr for SynthError {
    fn to_pyerr(self, py: Python<'_>) -> PyErr {
        let message = self.to_string();
        match self {
            SynthError::Options(why) => Finding::error("", "synth.options", why).to_pyerr(py),
            SynthError::Io(_) => ErrorClass::Dataset.new_err(py, &message, &[]),
            SynthError::Data(_) => ErrorClass::Extract.new_err(py, &message, &[]),
        }
    }
}

/// Writes the cohort to `path` atomically (`barnvern_arrow::io::output_dir::AtomicFile`): a failed
/// run leaves what was there, and nothing half-written.
fn write_file(opts: &SynthOptions, path: &Path) -> Result<SynthSummary, SynthError> {
    let arrow_io = |e: barnvern_arrow::Error| SynthError::Io(std::io::Error::other(e.to_string()));
    let mut file = AtomicFile::create(path).map_err(arrow_io)?;
    let summary = write_jsonl(opts, &mut file, &|_| {})?;
    file.commit().map_err(arrow_io)?;
    Ok(summary)
}

/// Writes a synthetic cohort of case bundles to `out` (JSON Lines).
#[pyfunction]
#[pyo3(signature = (out, *, children = 10_000, seed = 1, faults = 0.0, as_of = None, se_share = 0.5, trial_families = None, trial_sites = 6))]
#[allow(clippy::too_many_arguments)]
fn synth<'py>(
    py: Python<'py>,
    out: PathBuf,
    children: u64,
    seed: u64,
    faults: f64,
    as_of: Option<NaiveDate>,
    se_share: f64,
    trial_families: Option<u64>,
    trial_sites: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let defaults = SynthOptions::default();
    let opts = SynthOptions {
        children,
        seed,
        faults,
        as_of: as_of.unwrap_or(defaults.as_of),
        se_share,
        trial_families,
        ..defaults
    }
    .with_trial_site_count(trial_sites)
    .map_err(|e| e.to_pyerr(py))?;
    let summary = py
        .detach(|| write_file(&opts, &out))
        .map_err(|e| e.to_pyerr(py))?;
    to_python(py, &summary)
}
