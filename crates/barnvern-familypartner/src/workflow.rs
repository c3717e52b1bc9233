//! The trial workflow: every change is an event about one family. A step the family's state
//! does not allow is refused with an error naming the step, the state and the rule; the trial
//! is then unchanged.

use barnvern_core::Provenance;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contact::{
    Contact, ContactStatus, CoordinationActivity, FamilyGoal, GoalReview, GuidanceSession,
};
use crate::enrolment::{Enrolment, EnrolmentEnd, Withdrawal, WithdrawalScope};
use crate::error::WorkflowError;
use crate::family::FamilyRecord;
use crate::ids::{FamilyRef, GoalId};
use crate::randomisation::{Allocation, Randomiser};
use crate::rules::{self, Refusal};
use crate::screening::{Screening, TrialConsent};
use crate::site::SiteCode;
use crate::trial::Trial;
use crate::waves::WaveRecord;

/// What happens to a family. In JSON, `{"type": "contact_recorded", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FamilyChange {
    /// The family is approached about the study.
    Approached {
        /// The date.
        #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
        on: NaiveDate,
        /// The site that approached the family (required when the design lists sites).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        site: Option<SiteCode>,
    },
    /// The family is screened for eligibility.
    Screened {
        /// The screening.
        screening: Screening,
    },
    /// The family gives or declines consent.
    ConsentRecorded {
        /// The consent.
        consent: TrialConsent,
    },
    /// The family is randomised (made by [`Trial::randomise`], or imported).
    Randomised {
        /// The allocation.
        allocation: Allocation,
    },
    /// The family is enrolled with a Family Partner.
    Enrolled {
        /// The enrolment.
        enrolment: Enrolment,
    },
    /// The enrolment ends.
    EnrolmentEnded {
        /// The last day.
        #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
        ended_on: NaiveDate,
        /// How it ended.
        end: EnrolmentEnd,
    },
    /// A contact is recorded.
    ContactRecorded {
        /// The contact.
        contact: Contact,
    },
    /// A parent-guidance session is recorded.
    GuidanceSessionRecorded {
        /// The session.
        session: GuidanceSession,
    },
    /// A coordination activity is recorded.
    CoordinationRecorded {
        /// The activity.
        activity: CoordinationActivity,
    },
    /// A goal is set.
    GoalSet {
        /// The goal.
        goal: FamilyGoal,
    },
    /// A goal is reviewed.
    GoalReviewed {
        /// The goal.
        goal_id: GoalId,
        /// The review.
        review: GoalReview,
    },
    /// The family withdraws.
    Withdrawn {
        /// The withdrawal.
        withdrawal: Withdrawal,
    },
    /// Wave data are recorded.
    WaveRecorded {
        /// The record.
        record: WaveRecord,
    },
    /// An invitation to a qualitative interview is logged (`index` absent) or its entry at
    /// `index` brought up to date (consent, the interview, a decline or withdrawal).
    InterviewLogged {
        /// The entry to replace in the family's interview log; absent to add one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index: Option<usize>,
        /// The invitation as it now stands.
        interview: crate::interview::QualitativeInterview,
    },
}

impl FamilyChange {
    /// The step's name, as in JSON.
    pub fn type_name(&self) -> &'static str {
        match self {
            FamilyChange::Approached { .. } => "approached",
            FamilyChange::Screened { .. } => "screened",
            FamilyChange::ConsentRecorded { .. } => "consent_recorded",
            FamilyChange::Randomised { .. } => "randomised",
            FamilyChange::Enrolled { .. } => "enrolled",
            FamilyChange::EnrolmentEnded { .. } => "enrolment_ended",
            FamilyChange::ContactRecorded { .. } => "contact_recorded",
            FamilyChange::GuidanceSessionRecorded { .. } => "guidance_session_recorded",
            FamilyChange::CoordinationRecorded { .. } => "coordination_recorded",
            FamilyChange::GoalSet { .. } => "goal_set",
            FamilyChange::GoalReviewed { .. } => "goal_reviewed",
            FamilyChange::Withdrawn { .. } => "withdrawn",
            FamilyChange::WaveRecorded { .. } => "wave_recorded",
            FamilyChange::InterviewLogged { .. } => "interview_logged",
        }
    }
}

/// One event: which family, what happened, and who recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrialEvent {
    /// The family.
    pub family: FamilyRef,
    /// What happened.
    pub change: FamilyChange,
    /// Who recorded it, when and where.
    pub provenance: Provenance,
}

impl TrialEvent {
    /// Reads an event from JSON, with the path of any failure.
    pub fn from_json(text: &str) -> Result<TrialEvent, barnvern_core::ValidationError> {
        barnvern_core::json::from_str(text)
    }
}

impl Trial {
    /// Applies `event`, or refuses it and leaves the trial unchanged.
    ///
    /// Refused: randomisation without an eligible screening and consent
    /// (`fp.not_eligible`, `fp.no_consent`, ...), enrolment of a family not allocated to
    /// Family Partner, an enrolment over the caseload cap without a reasoned override
    /// (`fp.caseload_cap`), contacts, guidance, coordination and goals outside an enrolment
    /// (`fp.contact_outside_enrolment`) or after a withdrawal (`fp.withdrawn`), wave data after a
    /// withdrawal from the study, and any event whose result breaks a rule of
    /// [`crate::validate`].
    pub fn apply(&mut self, event: TrialEvent) -> Result<(), WorkflowError> {
        let name = event.change.type_name();
        let from = |r: Refusal| WorkflowError {
            event: name,
            state: r.state,
            code: r.code.to_owned(),
            message: r.message,
            path: String::new(),
        };
        let plain = |state: String, code: &str, message: &str| WorkflowError {
            event: name,
            state,
            code: code.to_owned(),
            message: message.to_owned(),
            path: String::new(),
        };
        let programme = &self.programme;
        let index = self.families.iter().position(|f| f.family == event.family);
        if let FamilyChange::Approached { on, site } = &event.change {
            if index.is_some() {
                return Err(plain(
                    format!("family {} already approached", event.family),
                    "fp.duplicate_family",
                    "the family is already in the trial",
                ));
            }
            let mut record = FamilyRecord::new(event.family.clone(), *on);
            record.site = site.clone();
            let mut next = self.clone();
            next.data_mut().families.push(record);
            return self.commit(next, event);
        }
        let Some(i) = index else {
            return Err(plain(
                format!("no family {} in the trial", event.family),
                "fp.unknown_family",
                "the family has not been approached",
            ));
        };
        let f = &self.families[i];
        let state = || rules::describe(f, programme);
        let prov = Some(event.provenance.clone());
        let mut g = f.clone();
        match event.change.clone() {
            FamilyChange::Approached { .. } => {}
            FamilyChange::Screened { mut screening } => {
                if f.screening.is_some() {
                    return Err(plain(
                        state(),
                        "fp.already_screened",
                        "the family has already been screened",
                    ));
                }
                screening.provenance = screening.provenance.or(prov);
                g.screening = Some(screening);
            }
            FamilyChange::ConsentRecorded { mut consent } => {
                if f.consent.is_some() {
                    return Err(plain(
                        state(),
                        "fp.consent_already_recorded",
                        "consent is recorded once; a later change is a withdrawal",
                    ));
                }
                consent.provenance = consent.provenance.or(prov);
                g.consent = Some(consent);
            }
            FamilyChange::Randomised { mut allocation } => {
                if f.withdrawn_on().is_some() {
                    return Err(plain(state(), "fp.withdrawn", "the family has withdrawn"));
                }
                rules::check_randomise(f, programme, allocation.on).map_err(from)?;
                let expected = self
                    .families
                    .iter()
                    .filter(|x| x.allocation.is_some())
                    .count()
                    + 1;
                if usize::try_from(allocation.sequence).ok() != Some(expected) {
                    return Err(WorkflowError {
                        path: "allocation.sequence".into(),
                        ..plain(
                            format!("{} allocations made", expected - 1),
                            "fp.sequence_gap",
                            "allocations are numbered 1, 2, 3, ... in the order made",
                        )
                    });
                }
                allocation.provenance = allocation.provenance.or(prov);
                g.allocation = Some(allocation);
            }
            FamilyChange::Enrolled { mut enrolment } => {
                if f.withdrawn_on().is_some() && f.enrolment.is_none() {
                    return Err(plain(state(), "fp.withdrawn", "the family has withdrawn"));
                }
                rules::check_enrol(f, &enrolment, self.families.iter(), programme).map_err(from)?;
                enrolment.provenance = enrolment.provenance.or(prov);
                g.enrolment = Some(enrolment);
            }
            FamilyChange::EnrolmentEnded { ended_on, end } => {
                let Some(e) = g.enrolment.as_mut() else {
                    return Err(plain(
                        state(),
                        "fp.not_enrolled",
                        "the family is not enrolled",
                    ));
                };
                if e.ended_on.is_some() {
                    return Err(plain(
                        state(),
                        "fp.enrolment_ended",
                        "the enrolment has already ended",
                    ));
                }
                if ended_on < e.started_on {
                    return Err(plain(
                        state(),
                        "date.order",
                        "an enrolment ends after it starts",
                    ));
                }
                if let Some(last) = f.contacts.iter().map(|c| c.on).max()
                    && last > ended_on
                {
                    return Err(plain(
                        state(),
                        "fp.contact_outside_enrolment",
                        "a contact is dated after the end",
                    ));
                }
                e.ended_on = Some(ended_on);
                e.end = Some(end);
            }
            FamilyChange::ContactRecorded { mut contact } => {
                rules::check_activity(f, programme, contact.on).map_err(from)?;
                contact.provenance = contact.provenance.or(prov);
                g.contacts.push(contact);
            }
            FamilyChange::GuidanceSessionRecorded { session } => {
                match f.contacts.iter().find(|c| c.id == session.contact_id) {
                    None => {
                        return Err(plain(
                            state(),
                            "fp.unknown_contact",
                            "the session's contact is not recorded",
                        ));
                    }
                    Some(c) if c.status != ContactStatus::Delivered => {
                        return Err(plain(
                            state(),
                            "fp.contact_not_delivered",
                            "a guidance session is held in a delivered contact",
                        ));
                    }
                    Some(_) => {}
                }
                g.guidance_sessions.push(session);
            }
            FamilyChange::CoordinationRecorded { activity } => {
                rules::check_activity(f, programme, activity.on).map_err(from)?;
                g.coordination.push(activity);
            }
            FamilyChange::GoalSet { goal } => {
                rules::check_activity(f, programme, goal.set_on).map_err(from)?;
                g.goals.push(goal);
            }
            FamilyChange::GoalReviewed { goal_id, review } => {
                rules::check_activity(f, programme, review.on).map_err(from)?;
                let Some(goal) = g.goals.iter_mut().find(|x| x.id == goal_id) else {
                    return Err(plain(
                        state(),
                        "fp.unknown_goal",
                        "the goal has not been set",
                    ));
                };
                goal.reviews.push(review);
            }
            FamilyChange::Withdrawn { mut withdrawal } => {
                if !f.consented() {
                    return Err(plain(
                        state(),
                        "fp.no_consent",
                        "only a family that consented can withdraw",
                    ));
                }
                let covered = f
                    .withdrawals
                    .iter()
                    .any(|w| w.scope == WithdrawalScope::Study || w.scope == withdrawal.scope);
                if covered {
                    return Err(plain(
                        state(),
                        "fp.already_withdrawn",
                        "the family has already withdrawn from this",
                    ));
                }
                if let Some(e) = g.enrolment.as_mut()
                    && e.ended_on.is_none()
                    && withdrawal.on >= e.started_on
                {
                    e.ended_on = Some(withdrawal.on);
                    e.end = Some(EnrolmentEnd::Withdrawn);
                }
                withdrawal.provenance = withdrawal.provenance.or(prov);
                g.withdrawals.push(withdrawal);
            }
            FamilyChange::WaveRecorded { mut record } => {
                rules::check_wave(f, programme, record.wave, record.on, &self.design.waves)
                    .map_err(from)?;
                if f.waves.iter().any(|w| w.wave == record.wave) {
                    return Err(plain(
                        state(),
                        "fp.wave_already_recorded",
                        "the wave has already been recorded",
                    ));
                }
                record.provenance = record.provenance.or(prov);
                g.waves.push(record);
            }
            FamilyChange::InterviewLogged {
                index,
                mut interview,
            } => {
                interview.provenance = interview.provenance.or(prov);
                match index {
                    None => g.interviews.push(interview),
                    Some(k) => match g.interviews.get_mut(k) {
                        Some(slot) => *slot = interview,
                        None => {
                            return Err(plain(
                                state(),
                                "fp.unknown_interview",
                                "the family's interview log has no such entry",
                            ));
                        }
                    },
                }
            }
        }
        let mut next = self.clone();
        next.data_mut().families[i] = g;
        self.commit(next, event)
    }

    /// Randomises `family` on `on` with `randomiser`: the rules are checked first, so a
    /// refused step never draws an allocation; the allocation is revealed only when made.
    pub fn randomise(
        &mut self,
        family: &FamilyRef,
        on: NaiveDate,
        randomiser: &mut Randomiser,
        provenance: Provenance,
    ) -> Result<Allocation, WorkflowError> {
        let refuse = |state: String, code: &str, message: String| WorkflowError {
            event: "randomised",
            state,
            code: code.to_owned(),
            message,
            path: String::new(),
        };
        let Some(f) = self.family(family) else {
            return Err(refuse(
                format!("no family {family} in the trial"),
                "fp.unknown_family",
                "the family has not been approached".into(),
            ));
        };
        if f.withdrawn_on().is_some() {
            return Err(refuse(
                rules::describe(f, &self.programme),
                "fp.withdrawn",
                "the family has withdrawn".into(),
            ));
        }
        rules::check_randomise(f, &self.programme, on)
            .map_err(|r| refuse(r.state, r.code, r.message))?;
        let stratum = self
            .design
            .randomisation
            .stratum_of(
                f.site.as_ref(),
                f.screening.as_ref().map(|s| s.child_age_years),
            )
            .map_err(|m| {
                refuse(
                    rules::describe(f, &self.programme),
                    "fp.no_stratum",
                    m.to_owned(),
                )
            })?;
        let allocated = || self.families.iter().filter_map(|x| x.allocation.as_ref());
        let made = allocated().count();
        let made_here = allocated().filter(|a| a.stratum == stratum).count();
        if usize::try_from(randomiser.assigned()).ok() != Some(made)
            || usize::try_from(randomiser.assigned_in(stratum.as_ref())).ok() != Some(made_here)
        {
            return Err(refuse(
                format!(
                    "{made} allocations in the trial ({made_here} in this stratum), {} made by the randomiser ({} in this stratum)",
                    randomiser.assigned(),
                    randomiser.assigned_in(stratum.as_ref()),
                ),
                "fp.randomiser_out_of_step",
                "the randomiser is not at this trial's place in the sequence (Randomiser::for_trial puts it there)".into(),
            ));
        }
        let a = randomiser
            .assign_in(stratum.as_ref())
            .map_err(|e| refuse(String::new(), "randomisation.stratum", e.to_string()))?;
        let allocation = Allocation {
            arm: a.arm,
            sequence: a.sequence,
            block: a.block,
            stratum: a.stratum,
            on,
            provenance: None,
        };
        self.apply(TrialEvent {
            family: family.clone(),
            change: FamilyChange::Randomised {
                allocation: allocation.clone(),
            },
            provenance,
        })?;
        Ok(self
            .family(family)
            .and_then(|f| f.allocation.clone())
            .unwrap_or(allocation))
    }

    /// Accepts `next` if it breaks no rule, recording the event.
    fn commit(&mut self, mut next: Trial, event: TrialEvent) -> Result<(), WorkflowError> {
        let report = crate::validate::validate(&next);
        if let Some(finding) = report
            .findings
            .into_iter()
            .find(|i| i.severity == barnvern_core::Severity::Error)
        {
            return Err(WorkflowError {
                event: event.change.type_name(),
                state: format!("the trial after the step breaks a rule at {}", finding.path),
                code: finding.code,
                message: finding.message,
                path: finding.path,
            });
        }
        next.data_mut().history.push(event);
        *self = next;
        Ok(())
    }
}
