//! `barnvern.Trial` and `barnvern.Randomiser`: the Family Partner trial, its workflow and its
//! metrics. Every rule and every count lives in `barnvern_familypartner`; this module converts.

use barnvern_core::Provenance;
use std::borrow::Cow;

use barnvern_familypartner::metrics::ProgressionCriteria;
use barnvern_familypartner::{
    Error, FamilyRef, ProgrammeDefinition, RandomisationDesign, Randomiser, SiteCode, Trial,
    TrialData, TrialEvent, TrialId,
};
use chrono::NaiveDate;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::errors::{
    ToPyErr, findings_to_list, json_input, json_text, schema_version_error, workflow_error,
};

/// Registers the classes of this module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTrial>()?;
    m.add_class::<PyRandomiser>()?;
    m.add_function(wrap_pyfunction!(default_programme, m)?)?;
    m.add_function(wrap_pyfunction!(trial_harms, m)?)?;
    Ok(())
}

/// Every error of the Family Partner crate has one Python class.
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

/// Keys whose values are calendar dates in the metrics' JSON form: they become
/// `datetime.date` in Python.
const DATE_KEYS: &[&str] = &[
    "as_of",
    "from",
    "until",
    "on",
    "started_on",
    "ended_on",
    "opened_on",
    "counted_until",
    "recruitment_opened_on",
    "randomised_on",
    "follow_up_until",
];

/// A JSON value as Python objects: objects become dicts, arrays lists, and the values of
/// [`DATE_KEYS`] dates.
fn to_python<'py>(
    py: Python<'py>,
    value: &serde_json::Value,
    key: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(f)) => f.into_pyobject(py)?.into_any(),
            (None, None) => py.None().into_bound(py),
        },
        Value::String(s) => match key
            .filter(|k| DATE_KEYS.contains(k))
            .and_then(|_| s.parse::<NaiveDate>().ok())
        {
            Some(date) => date.into_pyobject(py)?.into_any(),
            None => s.into_pyobject(py)?.into_any(),
        },
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item, key)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_python(py, v, Some(k))?)?;
            }
            dict.into_any()
        }
    })
}

/// A serialisable metric as Python dicts and lists.
fn metric<'py, T: serde::Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(value).map_err(|e| {
        barnvern_core::Finding::error("", "json.serialize", e.to_string()).to_pyerr(py)
    })?;
    to_python(py, &json, None)
}

/// A Family Partner trial: the programme definition, the design and every family's records.
#[pyclass(name = "Trial", module = "barnvern", eq)]
#[derive(Clone, PartialEq)]
pub struct PyTrial {
    inner: Trial,
}

impl PyTrial {
    /// The trial, or with `site` only the families of that site (an unknown site is a
    /// `ValidationError`).
    fn view(&self, py: Python<'_>, site: Option<&str>) -> PyResult<Cow<'_, TrialData>> {
        match site {
            None => Ok(Cow::Borrowed(&*self.inner)),
            Some(code) => {
                let code = site_code(py, code)?;
                if self.inner.design.site(&code).is_none() {
                    return Err(barnvern_core::Finding::error(
                        "site",
                        "fp.unknown_site",
                        format!("{code} is not one of the trial's sites"),
                    )
                    .to_pyerr(py));
                }
                Ok(Cow::Owned(self.inner.at_site(&code)))
            }
        }
    }
}

fn site_code(py: Python<'_>, code: &str) -> PyResult<SiteCode> {
    SiteCode::new(code).map_err(|e| e.to_pyerr(py))
}

/// The default programme definition shipped with barnvern (FAMPART, its dose schedule marked
/// as assumed), as a dict: a starting point for a trial's own definition.
#[pyfunction]
fn default_programme<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
    let programme = ProgrammeDefinition::builtin_default().map_err(|e| e.to_pyerr(py))?;
    let text = serde_json::to_string(programme).map_err(|e| {
        barnvern_core::Finding::error("", "json.serialize", e.to_string()).to_pyerr(py)
    })?;
    py.import("json")?.call_method1("loads", (text,))
}

/// Harms and maltreatment outcomes per arm of trial `trial_id` as of `as_of`, derived from the
/// families' case bundles (`cases`: `Case` objects); with `site`, only that site's families.
#[pyfunction]
#[pyo3(signature = (cases, trial_id, as_of, *, site = None))]
fn trial_harms<'py>(
    py: Python<'py>,
    cases: Vec<PyRef<'py, crate::case::PyCase>>,
    trial_id: &str,
    as_of: NaiveDate,
    site: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let trial_id = TrialId::new(trial_id).map_err(|e| e.to_pyerr(py))?;
    let site = site.map(|s| site_code(py, s)).transpose()?;
    let data: Vec<&barnvern_case::CaseData> = cases.iter().map(|c| &*c.inner).collect();
    let harms =
        py.detach(|| barnvern_case::harms::trial_harms(data, &trial_id, as_of, site.as_ref()));
    metric(py, &harms)
}

#[pymethods]
impl PyTrial {
    /// Reads and validates a trial from JSON text (`str`, or UTF-8 `bytes`).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = json_input(py, text)?;
        let inner = py
            .detach(|| Trial::from_json(&text))
            .map_err(|e| e.to_pyerr(py))?;
        Ok(PyTrial { inner })
    }

    /// Reads and validates a trial from a dict (as `json.loads` gives it).
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyDict>) -> PyResult<Self> {
        let text = json_text(py, data.as_any())?;
        let inner = py
            .detach(|| Trial::from_json(&text))
            .map_err(|e| e.to_pyerr(py))?;
        Ok(PyTrial { inner })
    }

    /// The canonical JSON of the trial, indented.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        self.inner.to_json_pretty().map_err(|e| e.to_pyerr(py))
    }

    /// The trial as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = self.to_json(py)?;
        py.import("json")?.call_method1("loads", (text,))
    }

    /// Applies an event (`{"family": ..., "change": {"type": ...}, "provenance": ...}`), or
    /// raises `WorkflowError` and leaves the trial unchanged.
    fn apply(&mut self, py: Python<'_>, event: &Bound<'_, PyAny>) -> PyResult<()> {
        let text = json_text(py, event)?;
        let event = TrialEvent::from_json(&text).map_err(|e| e.to_pyerr(py))?;
        self.inner
            .apply(event)
            .map_err(|e| Error::Workflow(e).to_pyerr(py))
    }

    /// Randomises a family with `randomiser`; the allocation is revealed only now.
    fn randomise<'py>(
        &mut self,
        py: Python<'py>,
        family: &str,
        on: NaiveDate,
        randomiser: &mut PyRandomiser,
        provenance: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let family = FamilyRef::new(family).map_err(|e| e.to_pyerr(py))?;
        let provenance: Provenance = barnvern_core::json::from_str(&json_text(py, provenance)?)
            .map_err(|e| e.to_pyerr(py))?;
        let allocation = self
            .inner
            .randomise(&family, on, &mut randomiser.inner, provenance)
            .map_err(|e| Error::Workflow(e).to_pyerr(py))?;
        randomiser.count(allocation.stratum.as_ref());
        metric(py, &allocation)
    }

    /// Every finding about the trial (queries and warnings; a trial holds no errors).
    fn validate<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        findings_to_list(py, &self.inner.validate().findings)
    }

    /// The CONSORT flow as of `as_of`, as a mapping: approached, assessed, excluded (with
    /// `excluded_by_reason`), randomised, per arm allocated, received, not received,
    /// discontinued, follow-up per wave, analysed; and `findings`, any violated invariant.
    ///
    /// Every metric takes `site=`: the same figure over that site's families only.
    #[pyo3(signature = (as_of, *, site = None))]
    fn consort<'py>(
        &self,
        py: Python<'py>,
        as_of: NaiveDate,
        site: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        metric(py, &self.view(py, site)?.consort(as_of))
    }

    /// The CONSORT flow as a tidy table: one row per count (stage, arm, wave, reason, count).
    #[pyo3(signature = (as_of, *, site = None))]
    fn consort_table<'py>(
        &self,
        py: Python<'py>,
        as_of: NaiveDate,
        site: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        metric(py, &self.view(py, site)?.consort(as_of).tidy())
    }

    /// Retention per wave per arm (completed / randomised, and completed / families due at
    /// the wave, each with its 95% Wilson interval), with partial and not-yet-due counts.
    #[pyo3(signature = (as_of, *, site = None))]
    fn retention<'py>(
        &self,
        py: Python<'py>,
        as_of: NaiveDate,
        site: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        metric(py, &self.view(py, site)?.retention(as_of))
    }

    /// Dose per phase (delivered / expected contacts over the same whole periods), with each
    /// family's dose.
    #[pyo3(signature = (as_of, *, site = None))]
    fn dose<'py>(
        &self,
        py: Python<'py>,
        as_of: NaiveDate,
        site: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        metric(py, &self.view(py, site)?.dose(as_of))
    }

    /// Adherence: delivered / planned contacts that were due.
    #[pyo3(signature = (as_of, *, site = None))]
    fn adherence<'py>(
        &self,
        py: Python<'py>,
        as_of: NaiveDate,
        site: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        metric(
            py,
            &barnvern_familypartner::metrics::adherence(&*self.view(py, site)?, as_of),
        )
    }

    /// Caseload per partner over time, with breaches of the cap.
    #[pyo3(signature = (as_of, *, site = None))]
    fn caseload<'py>(
        &self,
        py: Python<'py>,
        as_of: NaiveDate,
        site: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        metric(py, &self.view(py, site)?.caseload(as_of))
    }

    /// Eligibility, consent, retention among families due at each wave, and completion, each
    /// with its 95% Wilson score interval (`ci95`).
    #[pyo3(signature = (as_of, *, site = None))]
    fn feasibility<'py>(
        &self,
        py: Python<'py>,
        as_of: NaiveDate,
        site: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        metric(py, &self.view(py, site)?.feasibility(as_of))
    }

    /// Fidelity per phase: the programme's components covered in delivered contacts, per
    /// family, against the programme definition.
    #[pyo3(signature = (as_of, *, site = None))]
    fn fidelity<'py>(
        &self,
        py: Python<'py>,
        as_of: NaiveDate,
        site: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        metric(py, &self.view(py, site)?.fidelity(as_of))
    }

    /// Questionnaire completeness per wave and instrument: families returning it among those
    /// with data at the wave, and items answered on the forms returned.
    #[pyo3(signature = (as_of, *, site = None))]
    fn questionnaire_completeness<'py>(
        &self,
        py: Python<'py>,
        as_of: NaiveDate,
        site: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        metric(py, &self.view(py, site)?.questionnaire_completeness(as_of))
    }

    /// AIM, IAM and FIM rated by the families (informant parent) and the staff: per wave,
    /// instrument, informant and arm, the median score against the instrument's benchmark.
    #[pyo3(signature = (as_of, *, site = None))]
    fn acceptability<'py>(
        &self,
        py: Python<'py>,
        as_of: NaiveDate,
        site: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        metric(py, &self.view(py, site)?.acceptability(as_of))
    }

    /// The qualitative sub-sample log: invitations, consents and interviews per site and arm,
    /// then for the whole trial, with declines and withdrawals by reason.
    fn interviews<'py>(&self, py: Python<'py>, as_of: NaiveDate) -> PyResult<Bound<'py, PyAny>> {
        metric(py, &self.inner.interviews(as_of))
    }

    /// Recruitment per calendar month and per site against the target (CONSORT pilot item
    /// 14a): each site, then the whole trial.
    fn recruitment<'py>(&self, py: Python<'py>, as_of: NaiveDate) -> PyResult<Bound<'py, PyAny>> {
        metric(py, &self.inner.recruitment(as_of))
    }

    /// Progression criteria (JSON text or a dict) evaluated to green, amber or red: the light
    /// judges the point estimate; a proportion shows its 95% interval beside it.
    #[pyo3(signature = (criteria, as_of, *, site = None))]
    fn progression<'py>(
        &self,
        py: Python<'py>,
        criteria: &Bound<'py, PyAny>,
        as_of: NaiveDate,
        site: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let criteria = ProgressionCriteria::from_json(&json_text(py, criteria)?)
            .map_err(|e| e.to_pyerr(py))?;
        metric(py, &self.view(py, site)?.progression(&criteria, as_of))
    }

    /// The trial's sites, as the design declares them.
    #[getter]
    fn sites<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        metric(py, &self.inner.design.sites)
    }

    /// The trial's id.
    #[getter]
    fn trial_id(&self) -> &str {
        self.inner.trial_id.as_str()
    }

    /// The number of families approached.
    #[getter]
    fn families(&self) -> usize {
        self.inner.families.len()
    }

    /// `Trial(trial_id='fampart-test', families=12)`.
    fn __repr__(&self) -> String {
        format!(
            "Trial(trial_id='{}', families={})",
            self.inner.trial_id,
            self.inner.families.len()
        )
    }

    /// Pickles as its canonical JSON, read again (and validated) on load.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let from_json = py.get_type::<PyTrial>().getattr("from_json")?;
        Ok((from_json, (self.to_json(py)?,)))
    }

    /// A copy (`copy.copy`): trials are values.
    fn __copy__(&self) -> Self {
        self.clone()
    }

    /// A copy (`copy.deepcopy`).
    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.clone()
    }
}

/// A seeded, reproducible randomiser (rolling 1:1, or permuted blocks, optionally stratified
/// at an allocation ratio). The next allocation cannot be read before it is made.
///
/// The binding keeps the seed and the design beside the generator so that a randomiser pickles
/// as `Randomiser(seed, block_sizes=..., assigned=...)` (or, for a trial's own design,
/// `Randomiser(seed, design=..., made=...)`) and continues the same sequence. The seed is never
/// shown: whoever knows it can read every allocation in advance.
#[pyclass(name = "Randomiser", module = "barnvern", eq)]
pub struct PyRandomiser {
    inner: Randomiser,
    seed: u64,
    block_sizes: Option<Vec<u32>>,
    /// A trial's design (ratio, strata), when made from one.
    design: Option<RandomisationDesign>,
    /// Allocations made per stratum ("" without strata), for pickling a design's randomiser.
    made: std::collections::BTreeMap<String, u32>,
}

/// Two randomisers are equal when they will make the same allocations from here on: the same
/// seed, design and position.
impl PartialEq for PyRandomiser {
    fn eq(&self, other: &Self) -> bool {
        self.seed == other.seed
            && self.block_sizes == other.block_sizes
            && self.design == other.design
            && self.made == other.made
            && self.inner.assigned() == other.inner.assigned()
    }
}

impl PyRandomiser {
    fn from_design(
        py: Python<'_>,
        seed: u64,
        design: RandomisationDesign,
        made: std::collections::BTreeMap<String, u32>,
    ) -> PyResult<Self> {
        let strata: Vec<(Option<barnvern_familypartner::Stratum>, u32)> = made
            .iter()
            .map(|(k, n)| {
                let stratum =
                    (!k.is_empty()).then(|| barnvern_familypartner::Stratum::new(k.clone()));
                (stratum, *n)
            })
            .collect();
        let inner =
            Randomiser::resume_strata(seed, &design, &strata).map_err(|e| e.to_pyerr(py))?;
        Ok(PyRandomiser {
            inner,
            seed,
            block_sizes: None,
            design: Some(design),
            made,
        })
    }

    /// Counts an allocation made in `stratum`.
    fn count(&mut self, stratum: Option<&barnvern_familypartner::Stratum>) {
        if self.design.is_some() {
            let key = stratum.map_or(String::new(), |s| s.as_str().to_owned());
            *self.made.entry(key).or_default() += 1;
        }
    }
}

#[pymethods]
impl PyRandomiser {
    /// A randomiser from `seed`; `block_sizes` for permuted blocks (each even), `assigned` to
    /// resume after that many allocations. Or, with `design` (a trial design's randomisation,
    /// JSON text or a dict: ratio, strata), `made` the allocations made so far per stratum.
    #[new]
    #[pyo3(signature = (seed, *, block_sizes = None, assigned = 0, design = None, made = None))]
    fn new(
        py: Python<'_>,
        seed: u64,
        block_sizes: Option<Vec<u32>>,
        assigned: u32,
        design: Option<&Bound<'_, PyAny>>,
        made: Option<std::collections::BTreeMap<String, u32>>,
    ) -> PyResult<Self> {
        if let Some(design) = design {
            if block_sizes.is_some() || assigned != 0 {
                return Err(barnvern_core::Finding::error(
                    "design",
                    "randomisation.design",
                    "give either a design (with made) or block_sizes and assigned, not both",
                )
                .to_pyerr(py));
            }
            let design: RandomisationDesign =
                barnvern_core::json::from_str(&json_text(py, design)?)
                    .map_err(|e| e.to_pyerr(py))?;
            return PyRandomiser::from_design(py, seed, design, made.unwrap_or_default());
        }
        let design = match &block_sizes {
            Some(sizes) => RandomisationDesign::blocks(sizes),
            None => RandomisationDesign::simple(),
        };
        let inner = Randomiser::resume(seed, &design, assigned).map_err(|e| e.to_pyerr(py))?;
        Ok(PyRandomiser {
            inner,
            seed,
            block_sizes,
            design: None,
            made: std::collections::BTreeMap::new(),
        })
    }

    /// The randomiser of `trial`'s design (allocation ratio, strata) at the trial's place in
    /// the sequence of `seed`: in each stratum, as many allocations made as the trial holds.
    #[staticmethod]
    fn for_trial(py: Python<'_>, seed: u64, trial: &PyTrial) -> PyResult<Self> {
        let mut made = std::collections::BTreeMap::new();
        for a in trial
            .inner
            .families
            .iter()
            .filter_map(|f| f.allocation.as_ref())
        {
            let key = a
                .stratum
                .as_ref()
                .map_or(String::new(), |s| s.as_str().to_owned());
            *made.entry(key).or_default() += 1;
        }
        PyRandomiser::from_design(py, seed, trial.inner.design.randomisation.clone(), made)
    }

    /// How many allocations have been made.
    #[getter]
    fn assigned(&self) -> u32 {
        self.inner.assigned()
    }

    /// Makes the next allocation: `{"arm": ..., "sequence": ..., "block": ...}`; under a
    /// stratified design, in `stratum` (and with `"stratum"`).
    #[pyo3(signature = (stratum = None))]
    fn assign<'py>(
        &mut self,
        py: Python<'py>,
        stratum: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let stratum = stratum.map(barnvern_familypartner::Stratum::new);
        let assignment = self
            .inner
            .assign_in(stratum.as_ref())
            .map_err(|e| e.to_pyerr(py))?;
        self.count(stratum.as_ref());
        metric(py, &assignment)
    }

    /// `Randomiser(block_sizes=[4, 6], assigned=3)`: the design and the position, never the seed.
    fn __repr__(&self) -> String {
        if let Some(d) = &self.design {
            return format!(
                "Randomiser(block_sizes={:?}, ratio={}:{}, strata={}, assigned={})",
                d.block_sizes,
                d.ratio.intervention,
                d.ratio.control,
                d.strata.len(),
                self.inner.assigned()
            );
        }
        let blocks = match &self.block_sizes {
            Some(sizes) => format!("{sizes:?}"),
            None => "None".to_owned(),
        };
        format!(
            "Randomiser(block_sizes={blocks}, assigned={})",
            self.inner.assigned()
        )
    }

    /// Pickles as `Randomiser(seed, block_sizes=..., assigned=...)` (or `design=..., made=...`):
    /// unpickled, it continues the same sequence. The pickle holds the seed, so keep it from
    /// whoever enrols families.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let this = slf.borrow();
        // copyreg.__newobj_ex__(cls, args, kwargs) calls cls.__new__(cls, *args, **kwargs): the
        // keyword-only arguments of the constructor, under every pickle protocol.
        let new_obj = py.import("copyreg")?.getattr("__newobj_ex__")?;
        let kwargs = PyDict::new(py);
        match &this.design {
            Some(d) => {
                let text = serde_json::to_string(d).map_err(|e| {
                    barnvern_core::Finding::error("", "json.serialize", e.to_string()).to_pyerr(py)
                })?;
                kwargs.set_item("design", text)?;
                kwargs.set_item("made", this.made.clone())?;
            }
            None => {
                kwargs.set_item("block_sizes", this.block_sizes.clone())?;
                kwargs.set_item("assigned", this.inner.assigned())?;
            }
        }
        let args = PyTuple::new(
            py,
            [
                slf.get_type().into_any(),
                PyTuple::new(py, [this.seed])?.into_any(),
                kwargs.into_any(),
            ],
        )?;
        Ok((new_obj, args))
    }
}
