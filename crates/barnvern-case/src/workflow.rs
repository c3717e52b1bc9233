//! The case workflow: every change is an event applied to a case. An event the state does not
//! allow is refused with an error naming the event and the state; the events applied are kept
//! in order as the audit trail, and corrections are new events, never edits.

use barnvern_core::codelist::Coded;
use barnvern_core::{LegalBasis, Provenance};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use barnvern_intervention::{
    CoordinationMeeting, EndReason, Evaluation, Intervention, InterventionId, Plan, PlanId,
    ScheduledEvaluation,
};

use crate::assessment::ProtectionAssessment;
use crate::case::Case;
use crate::decision::{Decision, DecisionKind, StatusChange};
use crate::error::WorkflowError;
use crate::follow_up::{Closure, ClosureReason, FollowUp};
use crate::ids::{DecisionId, InvestigationId, ReferralId, ScreeningId};
use crate::investigation::{
    ChildParticipation, Extension, Investigation, InvestigationConclusion, InvestigationPlan,
};
use crate::person::HouseholdMember;
use crate::referral::Referral;
use crate::risk::RiskAssessment;
use crate::screening::Screening;
use crate::violence::ViolenceDisclosure;

/// A change to a case. In JSON, `{"type": "referral_received", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CaseEvent {
    /// A carer or household member is added to the case.
    PersonAdded {
        /// The person.
        person: HouseholdMember,
        /// Who recorded it.
        provenance: Provenance,
    },
    /// A report of concern is received.
    ReferralReceived {
        /// The referral (with its provenance).
        referral: Referral,
    },
    /// A protection assessment is made (SE skyddsbedömning).
    ProtectionAssessed {
        /// The assessment.
        assessment: ProtectionAssessment,
    },
    /// A referral is screened (SE förhandsbedömning, NO gjennomgang).
    ScreeningDecided {
        /// The screening.
        screening: Screening,
    },
    /// An investigation starts.
    InvestigationStarted {
        /// Its id.
        investigation_id: InvestigationId,
        /// The screening that opened it, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        screening_id: Option<ScreeningId>,
        /// The referrals it covers.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        referral_ids: Vec<ReferralId>,
        /// The start date.
        #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
        started_on: NaiveDate,
        /// Who recorded it.
        provenance: Provenance,
    },
    /// The investigation plan is made.
    InvestigationPlanned {
        /// The investigation.
        investigation_id: InvestigationId,
        /// The plan.
        plan: InvestigationPlan,
        /// Who recorded it.
        provenance: Provenance,
    },
    /// The investigation deadline is extended by decision.
    InvestigationExtended {
        /// The investigation.
        investigation_id: InvestigationId,
        /// The extension.
        extension: Extension,
        /// Who recorded it.
        provenance: Provenance,
    },
    /// How the child took part is recorded.
    ChildParticipationRecorded {
        /// The investigation.
        investigation_id: InvestigationId,
        /// How the child took part.
        participation: Coded<ChildParticipation>,
        /// Who recorded it.
        provenance: Provenance,
    },
    /// Violence comes to light during the investigation (disclosed by the child or another
    /// person, or found by the service).
    ViolenceDisclosed {
        /// The investigation.
        investigation_id: InvestigationId,
        /// What came to light and when.
        disclosure: ViolenceDisclosure,
        /// Who recorded it.
        provenance: Provenance,
    },
    /// A structured risk assessment is made during the investigation.
    RiskAssessed {
        /// The investigation.
        investigation_id: InvestigationId,
        /// The assessment (with its own provenance: who assessed).
        assessment: RiskAssessment,
    },
    /// The investigation is concluded.
    InvestigationConcluded {
        /// The investigation.
        investigation_id: InvestigationId,
        /// The date.
        #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
        concluded_on: NaiveDate,
        /// The conclusion.
        conclusion: Coded<InvestigationConclusion>,
        /// The grounds for a decision to act (NO vedtaksgrunnlag), where it found any.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        decision_grounds: Vec<crate::investigation::Ground>,
        /// Who recorded it.
        provenance: Provenance,
    },
    /// A decision is made. The legal basis is optional here only so that a decision without one
    /// is refused with a clear error rather than a JSON error.
    DecisionMade {
        /// Its id.
        decision_id: DecisionId,
        /// The date.
        #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
        decided_on: NaiveDate,
        /// What it is about.
        kind: DecisionKind,
        /// The investigation it follows, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        investigation_id: Option<InvestigationId>,
        /// The legal basis: required.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        legal_basis: Option<LegalBasis>,
        /// Who recorded it.
        provenance: Provenance,
    },
    /// A decision's status changes.
    DecisionStatusChanged {
        /// The decision.
        decision_id: DecisionId,
        /// The change.
        change: StatusChange,
        /// Who recorded it.
        provenance: Provenance,
    },
    /// An intervention (measure) is planned or started; a closed case takes none.
    InterventionStarted {
        /// The intervention (with its provenance); boxed, as the largest record of an event.
        intervention: Box<Intervention>,
    },
    /// An intervention is evaluated.
    InterventionEvaluated {
        /// The intervention.
        intervention_id: InterventionId,
        /// The evaluation.
        evaluation: Evaluation,
        /// Who recorded it.
        provenance: Provenance,
    },
    /// An intervention ends.
    InterventionEnded {
        /// The intervention.
        intervention_id: InterventionId,
        /// The date.
        #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
        ended_on: NaiveDate,
        /// Why.
        end_reason: Coded<EndReason>,
        /// Who recorded it.
        provenance: Provenance,
    },
    /// A plan is made.
    PlanMade {
        /// The plan (with its provenance).
        plan: Plan,
    },
    /// A scheduled evaluation of a plan is done (or scheduled, when new).
    PlanEvaluated {
        /// The plan.
        plan_id: PlanId,
        /// The evaluation: its due date and when it was done.
        evaluation: ScheduledEvaluation,
        /// Who recorded it.
        provenance: Provenance,
    },
    /// A coordination meeting is held.
    MeetingHeld {
        /// The meeting (with its provenance).
        meeting: CoordinationMeeting,
    },
    /// A follow-up is recorded.
    FollowUpRecorded {
        /// The follow-up.
        follow_up: FollowUp,
    },
    /// The case is closed.
    CaseClosed {
        /// The date.
        #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
        closed_on: NaiveDate,
        /// Why.
        reason: Coded<ClosureReason>,
        /// Who recorded it.
        provenance: Provenance,
    },
    /// The case is reopened.
    CaseReopened {
        /// The date.
        #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
        reopened_on: NaiveDate,
        /// Who recorded it.
        provenance: Provenance,
    },
}

impl CaseEvent {
    /// The event's type, as in JSON.
    pub fn type_name(&self) -> &'static str {
        match self {
            CaseEvent::PersonAdded { .. } => "person_added",
            CaseEvent::ReferralReceived { .. } => "referral_received",
            CaseEvent::ProtectionAssessed { .. } => "protection_assessed",
            CaseEvent::ScreeningDecided { .. } => "screening_decided",
            CaseEvent::InvestigationStarted { .. } => "investigation_started",
            CaseEvent::InvestigationPlanned { .. } => "investigation_planned",
            CaseEvent::InvestigationExtended { .. } => "investigation_extended",
            CaseEvent::ChildParticipationRecorded { .. } => "child_participation_recorded",
            CaseEvent::ViolenceDisclosed { .. } => "violence_disclosed",
            CaseEvent::RiskAssessed { .. } => "risk_assessed",
            CaseEvent::InvestigationConcluded { .. } => "investigation_concluded",
            CaseEvent::DecisionMade { .. } => "decision_made",
            CaseEvent::DecisionStatusChanged { .. } => "decision_status_changed",
            CaseEvent::InterventionStarted { .. } => "intervention_started",
            CaseEvent::InterventionEvaluated { .. } => "intervention_evaluated",
            CaseEvent::InterventionEnded { .. } => "intervention_ended",
            CaseEvent::PlanMade { .. } => "plan_made",
            CaseEvent::PlanEvaluated { .. } => "plan_evaluated",
            CaseEvent::MeetingHeld { .. } => "meeting_held",
            CaseEvent::FollowUpRecorded { .. } => "follow_up_recorded",
            CaseEvent::CaseClosed { .. } => "case_closed",
            CaseEvent::CaseReopened { .. } => "case_reopened",
        }
    }

    /// Reads an event from JSON, with paths in errors.
    pub fn from_json(text: &str) -> Result<CaseEvent, barnvern_core::ValidationError> {
        barnvern_core::json::from_str(text)
    }
}

impl Case {
    /// The index of intervention `id` if it exists and has not ended, else why not
    /// (state, rule code, message).
    fn running_intervention(
        &self,
        id: &InterventionId,
    ) -> Result<usize, (String, &'static str, String)> {
        let Some(i) = self.interventions.iter().position(|x| &x.id == id) else {
            return Err((
                format!(
                    "no intervention {}",
                    barnvern_core::identifier::echo(id.as_str())
                ),
                "workflow.unknown_intervention",
                "the intervention does not exist".into(),
            ));
        };
        if let Some(ended) = self.interventions[i].ended_on {
            return Err((
                format!(
                    "intervention {} ended on {ended}",
                    barnvern_core::identifier::echo(id.as_str())
                ),
                "workflow.intervention_ended",
                "the intervention has already ended".into(),
            ));
        }
        Ok(i)
    }

    /// Applies `event`, or refuses it and leaves the case unchanged.
    ///
    /// Refused: any step the state does not allow (screening an unknown or already screened
    /// referral, extending or concluding an investigation that has not started or has
    /// concluded, a decision without legal basis, investigation steps or decisions while the
    /// case is closed, closing a closed case, reopening an open one), and any event whose result
    /// breaks a rule of [`crate::validate`] (dates out of order, unknown codes, duplicate ids).
    pub fn apply(&mut self, event: CaseEvent) -> Result<(), WorkflowError> {
        let name = event.type_name();
        let refuse = |state: String, code: &str, message: String| WorkflowError {
            event: name,
            state,
            code: code.to_owned(),
            message,
            path: String::new(),
        };
        let mut next = self.clone();
        let closed_state = || {
            self.closures
                .last()
                .map(|c| format!("case closed on {}", c.closed_on))
                .unwrap_or_default()
        };
        // A closed case takes no new investigation steps, decisions or measures until reopened.
        let require_open = || -> Result<(), WorkflowError> {
            if self.is_closed() {
                Err(refuse(
                    closed_state(),
                    "workflow.case_closed",
                    "the case is closed; reopen it first".into(),
                ))
            } else {
                Ok(())
            }
        };
        let open_investigation = |id: &InvestigationId| -> Result<usize, WorkflowError> {
            let Some(i) = self.investigations.iter().position(|x| &x.id == id) else {
                return Err(refuse(
                    format!(
                        "no investigation {} has started",
                        barnvern_core::identifier::echo(id.as_str())
                    ),
                    "workflow.investigation_not_started",
                    "the investigation has not started".into(),
                ));
            };
            if let Some(c) = self.investigations[i].concluded_on {
                return Err(refuse(
                    format!(
                        "investigation {} concluded on {c}",
                        barnvern_core::identifier::echo(id.as_str())
                    ),
                    "workflow.investigation_concluded",
                    "the investigation has already concluded".into(),
                ));
            }
            require_open()?;
            Ok(i)
        };
        let data = next.data_mut();
        match event.clone() {
            CaseEvent::PersonAdded { person, .. } => data.people.push(person),
            CaseEvent::ReferralReceived { referral } => data.referrals.push(referral),
            CaseEvent::ProtectionAssessed { assessment } => {
                data.protection_assessments.push(assessment)
            }
            CaseEvent::ScreeningDecided { screening } => {
                if let Some(s) = self
                    .screenings
                    .iter()
                    .find(|s| s.referral_id == screening.referral_id)
                {
                    return Err(refuse(
                        format!("referral {} screened on {}", barnvern_core::identifier::echo(s.referral_id.as_str()), s.decided_on),
                        "workflow.already_screened",
                        "the referral has already been screened; a correction is a new referral or a reopening".into(),
                    ));
                }
                data.screenings.push(screening);
            }
            CaseEvent::InvestigationStarted {
                investigation_id,
                screening_id,
                referral_ids,
                started_on,
                provenance,
            } => {
                require_open()?;
                data.investigations.push(Investigation {
                    id: investigation_id,
                    screening_id,
                    referral_ids,
                    started_on,
                    plan: None,
                    extensions: Vec::new(),
                    child_participation: Vec::new(),
                    concluded_on: None,
                    conclusion: None,
                    violence: Vec::new(),
                    risk_assessments: Vec::new(),
                    decision_grounds: Vec::new(),
                    provenance,
                });
            }
            CaseEvent::InvestigationPlanned {
                investigation_id,
                plan,
                ..
            } => {
                let i = open_investigation(&investigation_id)?;
                data.investigations[i].plan = Some(plan);
            }
            CaseEvent::InvestigationExtended {
                investigation_id,
                extension,
                ..
            } => {
                let i = open_investigation(&investigation_id)?;
                data.investigations[i].extensions.push(extension);
            }
            CaseEvent::ChildParticipationRecorded {
                investigation_id,
                participation,
                ..
            } => {
                let i = open_investigation(&investigation_id)?;
                data.investigations[i]
                    .child_participation
                    .push(participation);
            }
            CaseEvent::ViolenceDisclosed {
                investigation_id,
                disclosure,
                ..
            } => {
                let i = open_investigation(&investigation_id)?;
                data.investigations[i].violence.push(disclosure);
            }
            CaseEvent::RiskAssessed {
                investigation_id,
                assessment,
            } => {
                let i = open_investigation(&investigation_id)?;
                data.investigations[i].risk_assessments.push(assessment);
            }
            CaseEvent::InvestigationConcluded {
                investigation_id,
                concluded_on,
                conclusion,
                decision_grounds,
                ..
            } => {
                let i = open_investigation(&investigation_id)?;
                data.investigations[i].concluded_on = Some(concluded_on);
                data.investigations[i].conclusion = Some(conclusion);
                data.investigations[i].decision_grounds = decision_grounds;
            }
            CaseEvent::DecisionMade {
                decision_id,
                decided_on,
                kind,
                investigation_id,
                legal_basis,
                provenance,
            } => {
                let Some(legal_basis) = legal_basis else {
                    return Err(WorkflowError {
                        path: "legal_basis".into(),
                        ..refuse(
                            format!("decision {} has no legal basis", barnvern_core::identifier::echo(decision_id.as_str())),
                            "workflow.decision_without_legal_basis",
                            "a decision needs a legal basis (law, and where known chapter and section)".into(),
                        )
                    });
                };
                require_open()?;
                data.decisions.push(Decision {
                    id: decision_id,
                    decided_on,
                    kind,
                    investigation_id,
                    legal_basis,
                    status_history: Vec::new(),
                    ended_on: None,
                    claims: Vec::new(),
                    provenance,
                });
            }
            CaseEvent::DecisionStatusChanged {
                decision_id,
                change,
                ..
            } => {
                let Some(d) = data.decisions.iter_mut().find(|d| d.id == decision_id) else {
                    return Err(refuse(
                        format!(
                            "no decision {}",
                            barnvern_core::identifier::echo(decision_id.as_str())
                        ),
                        "workflow.unknown_decision",
                        "the decision does not exist".into(),
                    ));
                };
                d.status_history.push(change);
            }
            CaseEvent::InterventionStarted { intervention } => {
                require_open()?;
                data.interventions.push(*intervention);
            }
            CaseEvent::InterventionEvaluated {
                intervention_id,
                evaluation,
                ..
            } => {
                let i = self
                    .running_intervention(&intervention_id)
                    .map_err(|(state, code, message)| refuse(state, code, message))?;
                data.interventions[i].evaluations.push(evaluation);
            }
            CaseEvent::InterventionEnded {
                intervention_id,
                ended_on,
                end_reason,
                ..
            } => {
                let i = self
                    .running_intervention(&intervention_id)
                    .map_err(|(state, code, message)| refuse(state, code, message))?;
                data.interventions[i].ended_on = Some(ended_on);
                data.interventions[i].end_reason = Some(end_reason);
            }
            CaseEvent::PlanMade { plan } => data.plans.push(plan),
            CaseEvent::PlanEvaluated {
                plan_id,
                evaluation,
                ..
            } => {
                let Some(plan) = data.plans.iter_mut().find(|p| p.id == plan_id) else {
                    return Err(refuse(
                        format!(
                            "no plan {}",
                            barnvern_core::identifier::echo(plan_id.as_str())
                        ),
                        "workflow.unknown_plan",
                        "the plan does not exist".into(),
                    ));
                };
                match plan
                    .evaluations
                    .iter_mut()
                    .find(|e| e.due == evaluation.due)
                {
                    Some(scheduled) => *scheduled = evaluation,
                    None => plan.evaluations.push(evaluation),
                }
            }
            CaseEvent::MeetingHeld { meeting } => data.meetings.push(meeting),
            CaseEvent::FollowUpRecorded { follow_up } => data.follow_ups.push(follow_up),
            CaseEvent::CaseClosed {
                closed_on,
                reason,
                provenance,
            } => {
                if self.is_closed() {
                    return Err(refuse(
                        closed_state(),
                        "workflow.case_closed",
                        "the case is already closed".into(),
                    ));
                }
                data.closures.push(Closure {
                    closed_on,
                    reason,
                    reopened_on: None,
                    provenance,
                });
            }
            CaseEvent::CaseReopened { reopened_on, .. } => match data.closures.last_mut() {
                Some(c) if c.reopened_on.is_none() => c.reopened_on = Some(reopened_on),
                _ => {
                    return Err(refuse(
                        "case open".into(),
                        "workflow.case_not_closed",
                        "only a closed case can be reopened".into(),
                    ));
                }
            },
        }
        // The result must satisfy every bundle rule; the first error refuses the event.
        let report = crate::validate::validate(data);
        if let Some(finding) = report
            .findings
            .into_iter()
            .find(|i| i.severity == barnvern_core::Severity::Error)
        {
            return Err(WorkflowError {
                event: name,
                state: format!("the case after the event breaks a rule at {}", finding.path),
                code: finding.code,
                message: finding.message,
                path: finding.path,
            });
        }
        data.history.push(event);
        *self = next;
        Ok(())
    }
}
