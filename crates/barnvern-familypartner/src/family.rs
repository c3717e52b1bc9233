//! Everything the trial holds about one family, in one record that a case bundle can embed.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contact::{Contact, CoordinationActivity, FamilyGoal, GuidanceSession};
use crate::enrolment::{Enrolment, Withdrawal, WithdrawalScope};
use crate::ids::FamilyRef;
use crate::interview::QualitativeInterview;
use crate::programme::EligibilityCriteria;
use crate::randomisation::{Allocation, Arm};
use crate::screening::{Eligibility, Screening, TrialConsent};
use crate::site::SiteCode;
use crate::waves::{WaveDefinition, WaveOutcome, WaveRecord, WaveStatus};

/// One family's Family Partner records, in the order of the trial: approach, screening,
/// consent, randomisation, enrolment, contacts, withdrawal, waves, interviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyRecord {
    /// The family's pseudonymous reference.
    pub family: FamilyRef,
    /// The date the family was approached about the study.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub approached_on: NaiveDate,
    /// The trial site that recruited the family (one of the design's sites). Absent in
    /// trials without a site list (schema 1.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<SiteCode>,
    /// The eligibility screening, once done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screening: Option<Screening>,
    /// The consent decision, once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<TrialConsent>,
    /// The allocation, once randomised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation: Option<Allocation>,
    /// The enrolment with a Family Partner (intervention arm only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolment: Option<Enrolment>,
    /// Contacts, in the order recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    /// Parent-guidance sessions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guidance_sessions: Vec<GuidanceSession>,
    /// Coordination activities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coordination: Vec<CoordinationActivity>,
    /// Family goals with their reviews.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<FamilyGoal>,
    /// Withdrawals: at most one from the intervention, then at most one from the study.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawals: Vec<Withdrawal>,
    /// Wave data collections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waves: Vec<WaveRecord>,
    /// Invitations to the qualitative sub-sample's interviews (schema 1.2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interviews: Vec<QualitativeInterview>,
}

impl FamilyRecord {
    /// A family just approached.
    pub fn new(family: FamilyRef, approached_on: NaiveDate) -> FamilyRecord {
        FamilyRecord {
            family,
            approached_on,
            site: None,
            screening: None,
            consent: None,
            allocation: None,
            enrolment: None,
            contacts: Vec::new(),
            guidance_sessions: Vec::new(),
            coordination: Vec::new(),
            goals: Vec::new(),
            withdrawals: Vec::new(),
            waves: Vec::new(),
            interviews: Vec::new(),
        }
    }

    /// The screening's verdict under `criteria`, once screened.
    pub fn eligibility(&self, criteria: &EligibilityCriteria) -> Option<Eligibility> {
        self.screening.as_ref().map(|s| s.assess(criteria))
    }

    /// Whether the family gave consent.
    pub fn consented(&self) -> bool {
        self.consent.as_ref().is_some_and(|c| c.given)
    }

    /// The arm, once randomised.
    pub fn arm(&self) -> Option<Arm> {
        self.allocation.as_ref().map(|a| a.arm)
    }

    /// The date of the first withdrawal of any scope: no contact may be dated after it.
    pub fn withdrawn_on(&self) -> Option<NaiveDate> {
        self.withdrawals.iter().map(|w| w.on).min()
    }

    /// The date the family withdrew from the study, if it did: no data after it.
    pub fn study_withdrawn_on(&self) -> Option<NaiveDate> {
        self.withdrawals
            .iter()
            .filter(|w| w.scope == WithdrawalScope::Study)
            .map(|w| w.on)
            .min()
    }

    /// The last day a contact may be dated: the enrolment's end or the withdrawal, whichever
    /// comes first; `None` while open-ended.
    pub fn last_contact_day(&self) -> Option<NaiveDate> {
        let ended = self.enrolment.as_ref().and_then(|e| e.ended_on);
        match (ended, self.withdrawn_on()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The day the family stops counting in its partner's caseload: the enrolment's end or
    /// the withdrawal, whichever comes first (it counts up to the day before).
    pub fn caseload_end(&self) -> Option<NaiveDate> {
        self.last_contact_day()
    }

    /// The family's status at `wave` as of `as_of`; `None` before randomisation.
    pub fn wave_status(&self, wave: &WaveDefinition, as_of: NaiveDate) -> Option<WaveStatus> {
        let randomised = self.allocation.as_ref()?.on;
        if let Some(rec) = self
            .waves
            .iter()
            .find(|w| w.wave == wave.month && w.on <= as_of)
        {
            return Some(match rec.outcome {
                WaveOutcome::Completed => WaveStatus::Completed,
                WaveOutcome::Partial => WaveStatus::Partial,
                WaveOutcome::Missed => WaveStatus::Missed,
            });
        }
        let (_, closes) = wave.window(randomised)?;
        if self
            .study_withdrawn_on()
            .is_some_and(|w| w <= closes && w <= as_of)
        {
            return Some(WaveStatus::Withdrawn);
        }
        Some(if as_of <= closes {
            WaveStatus::NotYetDue
        } else {
            WaveStatus::Missed
        })
    }
}
