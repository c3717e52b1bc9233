//! The trial: its design, its families, and the validated [`Trial`] that only changes through
//! events the rules allow.

use std::ops::Deref;

use barnvern_core::{Findings, ValidationError};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::family::FamilyRecord;
use crate::ids::{FamilyRef, TrialId};
use crate::programme::ProgrammeDefinition;
use crate::randomisation::RandomisationDesign;
use crate::site::{Site, SiteCode};
use crate::waves::WaveDefinition;
use crate::workflow::TrialEvent;

/// The schema version this build writes.
pub const SCHEMA_VERSION: &str = "1.2";
/// The schema versions this build reads. 1.0 trials (before sites, strata and the allocation
/// ratio) are 1.1 trials with none of them, one site-less sequence at 1:1; 1.1 trials are 1.2
/// trials without the design's own instruments and the families' interview log: both are read
/// as they are and written back as 1.2.
pub const SUPPORTED_SCHEMA_VERSIONS: &[&str] = &["1.0", "1.1", "1.2"];

/// The trial's design: randomisation, waves and the wave analysed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrialDesign {
    /// How allocations are made (never the seed).
    pub randomisation: RandomisationDesign,
    /// The assessment waves and their windows.
    pub waves: Vec<WaveDefinition>,
    /// The wave of the primary outcome: a family is "analysed" in the CONSORT flow when it
    /// has completed or partial data there.
    pub primary_wave: u32,
    /// The trial's sites (a code list of its own). When present, every family names one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<Site>,
    /// What the control arm receives: usual care described as data (CONSORT item 5 and 13b).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usual_care: Option<UsualCare>,
    /// The trial's own instrument definitions (the user's JSON, as `barnvern score` reads a
    /// definition file), for questionnaires at the waves besides the built-in instruments: a
    /// licensed scale scored with the user's own key. Ids differ from the built-in ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instruments: Vec<crate::questionnaire::UserInstrument>,
}

/// Usual care (SE sedvanliga insatser, NO ordinære tjenester): what families in the control arm
/// receive instead of a Family Partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsualCare {
    /// In words, as the protocol describes it (`"the child-welfare service's ordinary help
    /// measures"`).
    pub description: String,
    /// The kinds of measure usual care consists of, as intervention codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intervention_types: Vec<barnvern_intervention::InterventionType>,
}

impl TrialDesign {
    /// The site with `code`.
    pub fn site(&self, code: &SiteCode) -> Option<&Site> {
        self.sites.iter().find(|s| &s.code == code)
    }
}

/// The plain data of a trial, as in JSON. Building a [`Trial`] from it validates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrialData {
    /// The schema version (see [`SCHEMA_VERSION`]).
    pub schema_version: String,
    /// The trial.
    pub trial_id: TrialId,
    /// The programme definition in use.
    pub programme: ProgrammeDefinition,
    /// The design.
    pub design: TrialDesign,
    /// The families approached, in the order approached.
    #[serde(default)]
    pub families: Vec<FamilyRecord>,
    /// The events applied through [`Trial::apply`], in order: the audit trail.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<TrialEvent>,
}

impl TrialData {
    /// The trial as it stood at the end of `date`: families approached later are left out, and
    /// every record dated later is removed (an enrolment ended later is open again). Metrics
    /// "as of" a date read this view, so a figure for a past date does not see the future.
    pub fn as_of(&self, date: NaiveDate) -> TrialData {
        let mut view = self.clone();
        view.history.clear();
        view.families.retain(|f| f.approached_on <= date);
        for f in &mut view.families {
            f.screening = f.screening.take().filter(|s| s.on <= date);
            f.consent = f.consent.take().filter(|c| c.on <= date);
            f.allocation = f.allocation.take().filter(|a| a.on <= date);
            f.enrolment = f.enrolment.take().filter(|e| e.started_on <= date);
            if let Some(e) = &mut f.enrolment
                && e.ended_on.is_some_and(|end| end > date)
            {
                e.ended_on = None;
                e.end = None;
            }
            f.contacts.retain(|c| c.on <= date);
            let contacts = &f.contacts;
            f.guidance_sessions
                .retain(|s| contacts.iter().any(|c| c.id == s.contact_id));
            f.coordination.retain(|a| a.on <= date);
            f.goals.retain(|g| g.set_on <= date);
            for g in &mut f.goals {
                g.reviews.retain(|r| r.on <= date);
            }
            f.withdrawals.retain(|w| w.on <= date);
            f.waves.retain(|w| w.on <= date);
            f.interviews = f.interviews.iter().filter_map(|i| i.as_of(date)).collect();
        }
        view
    }

    /// The trial restricted to the families of `site`: every metric of a site is the metric of
    /// this view.
    pub fn at_site(&self, site: &SiteCode) -> TrialData {
        let mut view = self.clone();
        view.history.clear();
        view.families.retain(|f| f.site.as_ref() == Some(site));
        view
    }

    /// The record of `family`.
    pub fn family(&self, family: &FamilyRef) -> Option<&FamilyRecord> {
        self.families.iter().find(|f| &f.family == family)
    }
}

/// A validated trial. Read it through `Deref` to [`TrialData`]; change it only with
/// [`Trial::apply`] and [`Trial::randomise`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Trial {
    data: TrialData,
}

impl Deref for Trial {
    type Target = TrialData;
    fn deref(&self) -> &TrialData {
        &self.data
    }
}

impl Trial {
    /// A new trial with no families.
    pub fn new(
        trial_id: TrialId,
        programme: ProgrammeDefinition,
        design: TrialDesign,
    ) -> Result<Trial, ValidationError> {
        Trial::from_data(TrialData {
            schema_version: SCHEMA_VERSION.to_owned(),
            trial_id,
            programme,
            design,
            families: Vec::new(),
            history: Vec::new(),
        })
    }

    /// Validates `data` (every rule of [`crate::validate`]) and wraps it.
    pub fn from_data(data: TrialData) -> Result<Trial, ValidationError> {
        crate::validate::validate(&data).into_result()?;
        Ok(Trial { data })
    }

    /// Reads a trial from JSON, validating it.
    pub fn from_json(text: &str) -> Result<Trial, Error> {
        let mut data: TrialData = barnvern_core::json::from_str(text)?;
        if !SUPPORTED_SCHEMA_VERSIONS.contains(&data.schema_version.as_str()) {
            return Err(Error::SchemaVersion {
                found: Some(data.schema_version),
                supported: SUPPORTED_SCHEMA_VERSIONS.join(", "),
            });
        }
        // 1.0 is 1.1 without sites or strata, and 1.1 is 1.2 without the design's instruments
        // and the interview log: the migration is the version number.
        data.schema_version = SCHEMA_VERSION.to_owned();
        Ok(Trial::from_data(data)?)
    }

    /// The canonical JSON, indented.
    pub fn to_json_pretty(&self) -> Result<String, Error> {
        serde_json::to_string_pretty(&self.data).map_err(|e| Error::Serialize(e.to_string()))
    }

    /// All findings (no errors, or the trial would not exist; warnings such as a wave
    /// collected outside its window).
    pub fn validate(&self) -> Findings {
        crate::validate::validate(&self.data)
    }

    /// The plain data.
    pub fn into_data(self) -> TrialData {
        self.data
    }

    /// The JSON Schema of the trial data.
    pub fn json_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(TrialData)).unwrap_or_default()
    }

    pub(crate) fn data_mut(&mut self) -> &mut TrialData {
        &mut self.data
    }
}
