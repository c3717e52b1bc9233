//! The case bundle: a whole case in one validated value, with its canonical JSON form.

use std::ops::Deref;

use barnvern_core::municipality::MunicipalityCode;
use barnvern_core::{Findings, Jurisdiction, ValidationError};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use barnvern_familypartner::FamilyRecord;
use barnvern_familypartner::ids::TrialId;
use barnvern_intervention::{CoordinationMeeting, Intervention, Plan};

use crate::assessment::ProtectionAssessment;
use crate::decision::Decision;
use crate::error::Error;
use crate::follow_up::{Closure, FollowUp};
use crate::ids::CaseId;
use crate::investigation::Investigation;
use crate::person::{Child, HouseholdMember};
use crate::referral::Referral;
use crate::screening::Screening;
use crate::workflow::CaseEvent;

/// The schema version this build writes.
pub const SCHEMA_VERSION: &str = "1.3";
/// The schema versions this build reads. 1.0 bundles (before interventions, plans, meetings and
/// Family Partner records joined the bundle) and 1.1 bundles (before wave questionnaires and
/// contact travel) and 1.2 bundles (before the records of Norway's national reporting: decision
/// grounds, decision end dates and claims, extension applications, supervision and follow-up
/// visits, board referrals, moves, aftercare conclusions; before violence disclosed after the
/// referral and risk assessments on investigations; and before the Family Partner trial's
/// sites and strata) are read as 1.3 bundles without those records.
pub const SUPPORTED_SCHEMA_VERSIONS: &[&str] = &["1.0", "1.1", "1.2", "1.3"];

/// The plain data of a case bundle, as in JSON. Building a [`Case`] from it validates it.
///
/// Field order is the order of the process: referral, protection assessment, screening,
/// investigation, decision, follow-up, closure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseData {
    /// The bundle's schema version (see [`SCHEMA_VERSION`]).
    pub schema_version: String,
    /// The case identifier.
    pub case_id: CaseId,
    /// The country whose law the case follows.
    pub jurisdiction: Jurisdiction,
    /// The municipality responsible (SE kommunkod, NO kommunenummer), valid on `opened_on`.
    pub municipality: MunicipalityCode,
    /// The date the case was opened.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub opened_on: NaiveDate,
    /// The child the case belongs to.
    pub child: Child,
    /// Carers and other household members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<HouseholdMember>,
    /// Reports of concern (SE orosanmälningar, NO bekymringsmeldinger).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referrals: Vec<Referral>,
    /// Protection assessments (SE skyddsbedömningar).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protection_assessments: Vec<ProtectionAssessment>,
    /// Screenings (SE förhandsbedömningar, NO gjennomganger av meldinger).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub screenings: Vec<Screening>,
    /// Investigations (SE utredningar, NO undersøkelser).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub investigations: Vec<Investigation>,
    /// Decisions (SE beslut, NO vedtak).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decision>,
    /// Interventions (measures; SE insatser, NO tiltak).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interventions: Vec<Intervention>,
    /// Plans (action, investigation and care plans, SIP, individual plans).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plans: Vec<Plan>,
    /// Coordination meetings (SE samordningsmöten, NO samarbeidsmøter).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meetings: Vec<CoordinationMeeting>,
    /// Follow-ups (SE uppföljningar, NO oppfølginger).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUp>,
    /// Closures and reopenings, in date order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closures: Vec<Closure>,
    /// Cases sent to the county social welfare board (NO oversendelser til fylkesnemnda).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub board_referrals: Vec<crate::placement::BoardReferral>,
    /// Moves of the placed child (NO flyttinger).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moves: Vec<crate::placement::Move>,
    /// The family's Family Partner trial records, where it takes part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_partner: Option<FamilyPartnerParticipation>,
    /// The events applied through [`Case::apply`], in order: the audit trail. A bundle
    /// imported from a system that keeps no events has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<CaseEvent>,
    /// What a source format records that the canonical model has no place for, keyed by the
    /// format (`"ssb"`: SSB's child-welfare XML, see `barnvern-ssb`), so that writing the case
    /// back to that format loses nothing. Opaque to every rule here; never exported to
    /// research extracts.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub source_extensions: std::collections::BTreeMap<String, serde_json::Value>,
}

/// The family's part in a Family Partner trial: which trial, and the family's records there
/// (screening, consent, allocation, enrolment, contacts, goals, withdrawal, waves). The trial as
/// a whole (programme definition, design, every family) is its own document
/// (`barnvern_familypartner::Trial`); checks that need the other families, such as the caseload
/// cap, run there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyPartnerParticipation {
    /// The trial.
    pub trial_id: TrialId,
    /// The programme definition's id the family's records follow (e.g. the shipped default's).
    pub programme_id: String,
    /// The trial site that recruited the family, as the trial design declares it (code,
    /// office, municipality and district served); its code is the family record's `site`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<barnvern_familypartner::Site>,
    /// The trial's own instrument definitions that the family's questionnaires use (the trial
    /// design's `instruments`: a scale keyed by the user's JSON), so the bundle's
    /// questionnaires are checked and scored on their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instruments: Vec<barnvern_familypartner::UserInstrument>,
    /// The family's records.
    pub family: FamilyRecord,
}

/// What a new case starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseHeader {
    /// The case identifier.
    pub case_id: CaseId,
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The responsible municipality.
    pub municipality: MunicipalityCode,
    /// The date the case was opened.
    pub opened_on: NaiveDate,
    /// The child.
    pub child: Child,
}

impl CaseData {
    /// The data of a new case with nothing recorded yet (not validated: see [`Case::new`]).
    /// Readers of other formats build on it with struct update syntax
    /// (`CaseData { referrals, ..CaseData::new(header) }`).
    pub fn new(header: CaseHeader) -> CaseData {
        CaseData {
            schema_version: SCHEMA_VERSION.to_owned(),
            case_id: header.case_id,
            jurisdiction: header.jurisdiction,
            municipality: header.municipality,
            opened_on: header.opened_on,
            child: header.child,
            people: Vec::new(),
            referrals: Vec::new(),
            protection_assessments: Vec::new(),
            screenings: Vec::new(),
            investigations: Vec::new(),
            decisions: Vec::new(),
            interventions: Vec::new(),
            plans: Vec::new(),
            meetings: Vec::new(),
            follow_ups: Vec::new(),
            closures: Vec::new(),
            board_referrals: Vec::new(),
            moves: Vec::new(),
            family_partner: None,
            history: Vec::new(),
            source_extensions: std::collections::BTreeMap::new(),
        }
    }
}

/// A validated case. Read its records through `Deref` to [`CaseData`]; change it only with
/// [`Case::apply`], so every change is an event and the workflow's rules hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Case {
    data: CaseData,
}

impl Deref for Case {
    type Target = CaseData;
    fn deref(&self) -> &CaseData {
        &self.data
    }
}

impl Case {
    /// A new, empty, open case.
    pub fn new(header: CaseHeader) -> Result<Case, ValidationError> {
        Case::from_data(CaseData::new(header))
    }

    /// Validates `data` (every rule in [`crate::validate`]) and wraps it. Queries and warnings
    /// do not refuse the case; read them with [`Case::validate`].
    pub fn from_data(data: CaseData) -> Result<Case, ValidationError> {
        crate::validate::validate(&data).into_result()?;
        Ok(Case { data })
    }

    /// Reads a case bundle from JSON, validating it. Unknown fields are refused with their
    /// path; an unsupported `schema_version` is [`Error::SchemaVersion`].
    pub fn from_json(text: &str) -> Result<Case, Error> {
        Ok(Case::from_data(parse_data(text)?)?)
    }

    /// The canonical JSON of the bundle (compact).
    pub fn to_json(&self) -> Result<String, Error> {
        serde_json::to_string(&self.data).map_err(|e| Error::Serialize(e.to_string()))
    }

    /// The canonical JSON of the bundle, indented.
    pub fn to_json_pretty(&self) -> Result<String, Error> {
        serde_json::to_string_pretty(&self.data).map_err(|e| Error::Serialize(e.to_string()))
    }

    /// All findings about the case: it holds no errors (or it would not exist), but may hold
    /// queries and warnings, such as an SE referral with violence exposure closed without
    /// investigation.
    pub fn validate(&self) -> Findings {
        crate::validate::validate(&self.data)
    }

    /// The plain data, for conversion to other forms.
    pub fn into_data(self) -> CaseData {
        self.data
    }

    /// Whether the case is closed (and not reopened).
    pub fn is_closed(&self) -> bool {
        self.data
            .closures
            .last()
            .is_some_and(|c| c.reopened_on.is_none())
    }

    /// The JSON Schema of the case bundle, generated from the types.
    pub fn json_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(CaseData)).unwrap_or_default()
    }

    pub(crate) fn data_mut(&mut self) -> &mut CaseData {
        &mut self.data
    }
}

impl<'de> Deserialize<'de> for Case {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let data = CaseData::deserialize(deserializer)?;
        check_schema_version(Some(&data.schema_version)).map_err(serde::de::Error::custom)?;
        Case::from_data(data).map_err(|e| {
            let first = e.findings.into_iter().next().unwrap_or_else(|| {
                barnvern_core::Finding::error("", "case.invalid", "the case is invalid")
            });
            barnvern_core::json::de_error(first)
        })
    }
}

/// Parses a bundle's JSON without validating it: a supported `schema_version` (migrated to
/// [`SCHEMA_VERSION`]), every value through its type's constructor, no bundle rule.
fn parse_data(text: &str) -> Result<CaseData, Error> {
    match barnvern_core::json::from_str::<CaseData>(text) {
        Ok(mut data) => {
            check_schema_version(Some(&data.schema_version))?;
            // Older versions are 1.3 without the newer records: the migration is the version number.
            data.schema_version = SCHEMA_VERSION.to_owned();
            Ok(data)
        }
        Err(err) => {
            // An old or future bundle fails to parse; say so rather than name a field.
            #[derive(Deserialize)]
            struct Probe {
                schema_version: Option<String>,
            }
            if let Ok(probe) = serde_json::from_str::<Probe>(text) {
                check_schema_version(probe.schema_version.as_deref())?;
            }
            Err(err.into())
        }
    }
}

/// A case bundle read back from storage that this library wrote after validating it (the case
/// store's current bundle, written by [`Case::to_json`] in the transaction that validated it),
/// parsed but **not validated again**: an append to a stored case is then one validation (of
/// its result) rather than two.
///
/// Why this is sound: a `TrustedBundle` is not a [`Case`] and gives out only a shared view of
/// its data; the only way from it to a `Case` is [`TrustedBundle::apply`], whose result passes
/// every rule of [`crate::validate`] exactly as [`Case::apply`]'s does. No unvalidated `Case`
/// can come out of it, whatever the text was. What the trust buys is only that the bundle
/// before the event is not checked: were it invalid (changed behind the store's back, which the
/// store's hash chains detect), the event would be refused with the bundle's first error
/// instead of the bundle being reported as invalid. Outside input (a file, a request) goes
/// through [`Case::from_json`], which reports every finding of the bundle itself.
#[derive(Debug, Clone)]
pub struct TrustedBundle {
    data: CaseData,
}

impl TrustedBundle {
    /// Parses a bundle that this library stored after validating it (see [`TrustedBundle`]):
    /// the JSON and the values' types are checked as by [`Case::from_json`], the bundle's rules
    /// are not.
    pub fn from_stored_json(text: &str) -> Result<TrustedBundle, Error> {
        Ok(TrustedBundle {
            data: parse_data(text)?,
        })
    }

    /// The bundle's data as stored (read only).
    pub fn data(&self) -> &CaseData {
        &self.data
    }

    /// Applies `event` (see [`Case::apply`]) and returns the validated result, or the event's
    /// refusal: the same [`WorkflowError`](crate::WorkflowError) as `Case::apply` gives for a
    /// valid bundle.
    pub fn apply(self, event: CaseEvent) -> Result<Case, crate::WorkflowError> {
        // Not yet a valid case: it is never returned unless `apply` validated its result.
        let mut case = Case { data: self.data };
        case.apply(event)?;
        Ok(case)
    }
}

fn check_schema_version(found: Option<&str>) -> Result<(), Error> {
    match found {
        Some(v) if SUPPORTED_SCHEMA_VERSIONS.contains(&v) => Ok(()),
        _ => Err(Error::SchemaVersion {
            found: found.map(str::to_owned),
            supported: SUPPORTED_SCHEMA_VERSIONS.join(", "),
        }),
    }
}
