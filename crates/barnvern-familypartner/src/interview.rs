//! The qualitative sub-sample log: which families were invited to an interview (a process
//! evaluation's qualitative sub-study), whether they consented, were interviewed and when, or
//! declined or withdrew, with the reason.
//!
//! In JSON, on a family record:
//!
//! ```json
//! "interviews": [{"informant": "parent", "invited_on": "2024-06-03",
//!                 "consented_on": "2024-06-10", "interviewed_on": "2024-06-24"},
//!                {"informant": "self", "invited_on": "2024-06-03",
//!                 "ended": {"on": "2024-06-05", "reason": "not_interested"}}]
//! ```
//!
//! Only randomised families are invited, on or after randomisation and not after they withdrew
//! from the study; consent comes before the interview; an end after consent is a withdrawal, an
//! end without consent a declined invitation ([`QualitativeInterview::status`]).

use barnvern_core::{Finding, Provenance};
use barnvern_outcomes::Informant;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::family::FamilyRecord;

/// Why an invitation was declined or consent to the interview withdrawn.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum InterviewReason {
    /// The family did not wish to take part.
    NotInterested,
    /// No time, or no time that suited both sides.
    NoTime,
    /// The family could not be reached.
    Unreachable,
    /// The interview was judged too great a burden on the family at the time.
    TooBurdensome,
    /// Another reason (never exported as text).
    Other,
}

impl InterviewReason {
    /// Every reason, in the order above.
    pub const ALL: [InterviewReason; 5] = [
        InterviewReason::NotInterested,
        InterviewReason::NoTime,
        InterviewReason::Unreachable,
        InterviewReason::TooBurdensome,
        InterviewReason::Other,
    ];
}

/// The end of an invitation without an interview kept: declined, or consent withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterviewEnd {
    /// The date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub on: NaiveDate,
    /// Why.
    pub reason: InterviewReason,
}

/// Where an invitation to an interview stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum InterviewStatus {
    /// Invited, no answer yet.
    Invited,
    /// Consented, not yet interviewed.
    Consented,
    /// Interviewed.
    Interviewed,
    /// Declined the invitation (ended without consent).
    Declined,
    /// Withdrew consent (ended after consenting; an interview held is not used).
    Withdrawn,
}

impl InterviewStatus {
    /// Every status, in the order above.
    pub const ALL: [InterviewStatus; 5] = [
        InterviewStatus::Invited,
        InterviewStatus::Consented,
        InterviewStatus::Interviewed,
        InterviewStatus::Declined,
        InterviewStatus::Withdrawn,
    ];
}

/// One invitation of a family member to a qualitative interview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QualitativeInterview {
    /// Who was invited: the parent (`parent`) or the child (`self`).
    pub informant: Informant,
    /// The date of the invitation.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub invited_on: NaiveDate,
    /// The date consent to the interview was given.
    #[serde(
        deserialize_with = "barnvern_core::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub consented_on: Option<NaiveDate>,
    /// The date of the interview.
    #[serde(
        deserialize_with = "barnvern_core::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub interviewed_on: Option<NaiveDate>,
    /// Declined (without consent) or withdrawn (after it), with the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<InterviewEnd>,
    /// Who recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

impl QualitativeInterview {
    /// Where the invitation stands.
    pub fn status(&self) -> InterviewStatus {
        match (&self.ended, self.consented_on, self.interviewed_on) {
            (Some(_), None, _) => InterviewStatus::Declined,
            (Some(_), Some(_), _) => InterviewStatus::Withdrawn,
            (None, _, Some(_)) => InterviewStatus::Interviewed,
            (None, Some(_), None) => InterviewStatus::Consented,
            (None, None, None) => InterviewStatus::Invited,
        }
    }

    /// The invitation as it stood at the end of `date` (`None` when invited later).
    pub fn as_of(&self, date: NaiveDate) -> Option<QualitativeInterview> {
        if self.invited_on > date {
            return None;
        }
        let mut v = self.clone();
        v.consented_on = v.consented_on.filter(|d| *d <= date);
        v.interviewed_on = v.interviewed_on.filter(|d| *d <= date);
        v.ended = v.ended.filter(|e| e.on <= date);
        Some(v)
    }
}

/// Findings about a family's interviews, paths relative to the family record
/// (`interviews[0].consented_on`): only a randomised family is invited, on or after its
/// randomisation (`fp.interview_not_randomised`) and not after it withdrew from the study
/// (`fp.interview_after_withdrawal`); the dates run invited <= consented <= interviewed and an
/// end comes on or after each of them (`date.order`); an interview needs consent
/// (`fp.interview_without_consent`); the child is invited as `self`, never as staff or teacher
/// (`fp.interview_informant`).
pub fn check(f: &FamilyRecord) -> Vec<Finding> {
    let mut out = Vec::new();
    for (j, iv) in f.interviews.iter().enumerate() {
        let path = format!("interviews[{j}]");
        match &f.allocation {
            Some(a) if a.on <= iv.invited_on => {}
            _ => out.push(Finding::error(
                format!("{path}.invited_on"),
                "fp.interview_not_randomised",
                "only a randomised family is invited to an interview, on or after its randomisation",
            )),
        }
        if f.study_withdrawn_on().is_some_and(|w| w < iv.invited_on) {
            out.push(Finding::error(
                format!("{path}.invited_on"),
                "fp.interview_after_withdrawal",
                "a family that withdrew from the study is not invited afterwards",
            ));
        }
        if !matches!(iv.informant, Informant::Parent | Informant::SelfReport) {
            out.push(Finding::error(
                format!("{path}.informant"),
                "fp.interview_informant",
                "the family's parent (parent) or child (self) is interviewed",
            ));
        }
        let order = |field: &str, on: NaiveDate, after: NaiveDate, what: &str| {
            (on < after).then(|| {
                Finding::error(
                    format!("{path}.{field}"),
                    "date.order",
                    format!("{field} comes on or after {what}"),
                )
            })
        };
        if let Some(c) = iv.consented_on {
            out.extend(order("consented_on", c, iv.invited_on, "the invitation"));
        }
        if let Some(i) = iv.interviewed_on {
            match iv.consented_on {
                None => out.push(Finding::error(
                    format!("{path}.interviewed_on"),
                    "fp.interview_without_consent",
                    "an interview is held only after consent to it",
                )),
                Some(c) => out.extend(order("interviewed_on", i, c, "consent")),
            }
        }
        if let Some(e) = &iv.ended {
            let last = [Some(iv.invited_on), iv.consented_on]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(iv.invited_on);
            out.extend(order("ended.on", e.on, last, "the invitation and consent"));
        }
    }
    out
}
