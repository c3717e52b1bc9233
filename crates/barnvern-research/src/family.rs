//! The research form of a family's Family Partner trial records: pseudonymised, without free
//! text or record identifiers, with the derived scores and costs.
//!
//! [`ResearchFamily`] is what the `fp_*` (enrolments, contacts and their components,
//! guidance sessions, coordination and its agencies, goals and goal reviews), `waves`, `questionnaires`, `item_responses`,
//! `scores` and `costs` tables hold. The trial metrics of `barnvern-familypartner` (CONSORT,
//! retention, dose, adherence, caseload) run on it through
//! [`ResearchFamily::to_family_record`] or, for every family of a dataset at once,
//! [`trial_data`]:
//!
//! ```
//! use barnvern_research::family::trial_data;
//! use barnvern_research::testing::TestPseudonymiser;
//! use barnvern_research::ResearchCase;
//! use barnvern_case::Case;
//! use barnvern_familypartner::{ProgrammeDefinition, RandomisationDesign, TrialDesign, WaveDefinition};
//! use chrono::NaiveDate;
//!
//! let case = Case::from_json(include_str!("../../../examples/no-case.json")).unwrap();
//! let as_of = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
//! let research = ResearchCase::from_case(&case, &TestPseudonymiser::new(1), as_of);
//! let family = research.family_partner.as_ref().unwrap();
//! assert_eq!(family.questionnaires.len(), 6);
//! assert!(family.scores.iter().any(|s| s.score_id == "emotional"));
//! assert_eq!(family.costs.as_ref().unwrap().currency, "NOK");
//!
//! let programme = ProgrammeDefinition::builtin_default().unwrap().clone();
//! let design = TrialDesign {
//!     randomisation: RandomisationDesign::blocks(&[2, 4]),
//!     waves: WaveDefinition::fampart(),
//!     primary_wave: 6,
//!     sites: Vec::new(),
//!     usual_care: None,
//!     instruments: Vec::new(),
//! };
//! let data = trial_data("fampart-bergen", &[research], programme, design).unwrap();
//! let flow = data.consort(as_of);
//! assert_eq!(flow.randomised, 1);
//! ```

use barnvern_case::case::FamilyPartnerParticipation;
use barnvern_core::codelist::Coded;
use barnvern_core::{Jurisdiction, StaffRef, ValidationError};
use barnvern_familypartner::metrics::family_costs;
use barnvern_familypartner::{
    Allocation, Arm, Contact, ContactId, ContactMode, ContactStatus, CoordinationActivity,
    CoordinationKind, DefinitionStatus, Enrolment, EnrolmentEnd, FamilyGoal, FamilyRecord,
    FamilyRef, GoalId, GoalProgress, GoalReview, GuidanceSession, IneligibilityReason,
    InterviewEnd, InterviewReason, InterviewStatus, ProgrammeDefinition, QualitativeInterview,
    Questionnaire, Screening, Site, Stratum, TrialConsent, TrialData, TrialDesign, TrialId,
    WaveOutcome, WaveRecord, Withdrawal, WithdrawalReason, WithdrawalScope, WithdrawnBy,
};
use barnvern_intervention::meeting::Agency;
use barnvern_outcomes::{
    CountryCode, Informant, InstrumentId, ItemResponse, Responses, ScoreOptions,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::{ResearchCoded, index};
use crate::pseudonym::{Pseudonym, Pseudonymiser};

/// Whether an item was answered or not done (CDISC QS: QSSTAT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Answered: the value is the response code.
    Answered,
    /// Not done (QSSTAT `NOT DONE`).
    NotDone,
}

/// The eligibility screening, without the free text of another exclusion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchFpScreening {
    /// The date.
    pub on: NaiveDate,
    /// The child's age in whole years.
    pub child_age_years: u8,
    /// Whether the family already receives child-welfare services.
    pub receives_child_welfare_services: bool,
    /// Whether another exclusion was recorded (its text is dropped).
    pub other_exclusion_recorded: bool,
    /// The verdict under the programme's criteria, when barnvern ships the programme.
    pub eligible: Option<bool>,
    /// The first criterion failed, in the order child too old, no child-welfare services,
    /// other.
    pub ineligibility_reason: Option<IneligibilityReason>,
}

/// The consent decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResearchConsent {
    /// The date.
    pub on: NaiveDate,
    /// Whether consent was given.
    pub given: bool,
}

/// The allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchAllocation {
    /// The arm.
    pub arm: Arm,
    /// Position in the allocation sequence, from 1.
    pub sequence: u32,
    /// The block, under permuted blocks (numbered within the stratum).
    pub block: Option<u32>,
    /// The stratum, under a stratified design (`"no-0301/0-5"`).
    pub stratum: Option<String>,
    /// The date of randomisation.
    pub on: NaiveDate,
}

/// The enrolment with a Family Partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchEnrolment {
    /// The Family Partner's pseudonym.
    pub partner: Pseudonym,
    /// The first day.
    pub started_on: NaiveDate,
    /// The planned last day.
    pub planned_end: NaiveDate,
    /// The day it ended.
    pub ended_on: Option<NaiveDate>,
    /// How it ended.
    pub end: Option<EnrolmentEnd>,
    /// Whether it was accepted over the caseload cap (the reason and approver are dropped).
    pub over_caseload_cap: bool,
}

/// A contact, without its identifier (contacts are numbered by position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchContact {
    /// The date.
    pub on: NaiveDate,
    /// How.
    pub mode: ContactMode,
    /// What became of it.
    pub status: ContactStatus,
    /// Length in minutes.
    pub minutes: Option<u16>,
    /// Minutes travelling.
    pub travel_minutes: Option<u32>,
    /// Kilometres driven.
    pub distance_km: Option<u32>,
    /// The programme components covered (ids of the programme definition).
    pub components: Vec<String>,
}

/// A parent-guidance session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchGuidanceSession {
    /// Position of the contact it was held in.
    pub contact_index: Option<u32>,
    /// The module id of the programme definition.
    pub module: String,
}

/// A coordination activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchCoordination {
    /// The date.
    pub on: NaiveDate,
    /// What kind.
    pub kind: CoordinationKind,
    /// Minutes spent.
    pub minutes: Option<u16>,
    /// The agencies involved.
    pub agencies: Vec<ResearchCoded<Agency>>,
}

/// A review of a family goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResearchGoalReview {
    /// The date.
    pub on: NaiveDate,
    /// The progress.
    pub progress: GoalProgress,
}

/// A goal the family set with its Family Partner, without its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchGoal {
    /// The date it was set.
    pub set_on: NaiveDate,
    /// Whether the goal's text was recorded (the text is dropped).
    pub has_text: bool,
    /// Reviews, in date order.
    pub reviews: Vec<ResearchGoalReview>,
}

/// A withdrawal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchWithdrawal {
    /// The date.
    pub on: NaiveDate,
    /// Who withdrew the family.
    pub by: WithdrawnBy,
    /// From the intervention or from the study.
    pub scope: WithdrawalScope,
    /// Why.
    pub reason: ResearchCoded<WithdrawalReason>,
}

/// A wave's data collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResearchWave {
    /// The wave, in months from randomisation.
    pub wave: u32,
    /// The date of collection.
    pub on: NaiveDate,
    /// What it achieved.
    pub outcome: WaveOutcome,
}

/// One item response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchItem {
    /// The item name (e.g. `consid`).
    pub item: String,
    /// The item's position on the form, from 1, when the instrument knows the item.
    pub position: Option<u32>,
    /// Answered or not done.
    pub status: ItemStatus,
    /// The response code, when answered.
    pub value: Option<i32>,
    /// Whether a reason was given for not doing it (the reason is free text, dropped).
    pub reason_given: bool,
}

/// A questionnaire answered at a wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchQuestionnaire {
    /// Position of the wave in [`ResearchFamily::waves`].
    pub wave_index: u32,
    /// The instrument id.
    pub instrument: String,
    /// Who answered it.
    pub informant: Informant,
    /// The date it was completed.
    pub completed_on: NaiveDate,
    /// The item responses, in the instrument's item order.
    pub responses: Vec<ResearchItem>,
}

/// A score derived from a questionnaire with `barnvern-outcomes`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResearchScore {
    /// Position of the questionnaire in [`ResearchFamily::questionnaires`].
    pub questionnaire_index: u32,
    /// The score id (e.g. `emotional`, `total`).
    pub score_id: String,
    /// The value; none when too few items were answered.
    pub value: Option<f64>,
    /// The band's label, when a band table applies.
    pub band: Option<String>,
    /// Whether the band table's cut-offs are verified.
    pub band_verified: Option<bool>,
    /// The scoring algorithm.
    pub algorithm: String,
    /// The instrument definition's version.
    pub version: String,
    /// The scoring engine's version.
    pub engine_version: String,
}

/// A family's costs from its contacts under the programme's rate card
/// ([`barnvern_familypartner::metrics::family_costs`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ResearchCosts {
    /// Delivered contacts: the denominator of the cost per delivered contact.
    pub contacts_delivered: u32,
    /// Minutes of delivered contacts.
    pub minutes: u32,
    /// Minutes travelling.
    pub travel_minutes: u32,
    /// Kilometres driven.
    pub distance_km: u32,
    /// Staff cost of the contact minutes.
    pub staff_cost: f64,
    /// Staff cost of travel plus mileage.
    pub travel_cost: f64,
    /// Staff plus travel cost.
    pub total: f64,
    /// total / contacts_delivered.
    pub cost_per_delivered_contact: Option<f64>,
    /// The currency (ISO 4217).
    pub currency: String,
    /// The price year.
    pub price_year: i32,
    /// Whether the rate card is barnvern's default (an assumption), local or the manual's.
    pub rate_card_status: DefinitionStatus,
}

/// An invitation to the qualitative sub-sample's interview (the log's dates and reason; nothing
/// said in the interview is part of the trial data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResearchInterview {
    /// Who was invited: the parent or the child (`self`).
    pub informant: Informant,
    /// The date of the invitation.
    pub invited_on: NaiveDate,
    /// The date consent was given.
    pub consented_on: Option<NaiveDate>,
    /// The date of the interview.
    pub interviewed_on: Option<NaiveDate>,
    /// The date the invitation was declined or consent withdrawn.
    pub ended_on: Option<NaiveDate>,
    /// Why it was declined or withdrawn.
    pub end_reason: Option<InterviewReason>,
}

impl ResearchInterview {
    fn of(i: &QualitativeInterview) -> ResearchInterview {
        ResearchInterview {
            informant: i.informant,
            invited_on: i.invited_on,
            consented_on: i.consented_on,
            interviewed_on: i.interviewed_on,
            ended_on: i.ended.map(|e| e.on),
            end_reason: i.ended.map(|e| e.reason),
        }
    }

    /// The record form (an end needs both its date and its reason).
    pub fn to_interview(&self) -> QualitativeInterview {
        QualitativeInterview {
            informant: self.informant,
            invited_on: self.invited_on,
            consented_on: self.consented_on,
            interviewed_on: self.interviewed_on,
            ended: self
                .ended_on
                .zip(self.end_reason)
                .map(|(on, reason)| InterviewEnd { on, reason }),
            provenance: None,
        }
    }

    /// Where the invitation stands ([`QualitativeInterview::status`]).
    pub fn status(&self) -> InterviewStatus {
        self.to_interview().status()
    }
}

/// One family's Family Partner trial records in research form.
#[derive(Debug, Clone, PartialEq)]
pub struct ResearchFamily {
    /// The family's pseudonym (keyed over trial and family reference).
    pub family_key: Pseudonym,
    /// The trial.
    pub trial_id: String,
    /// The programme definition's id.
    pub programme_id: String,
    /// The date the family was approached.
    pub approached_on: NaiveDate,
    /// The trial site that recruited the family, as the trial design declares it (no personal
    /// data: an office, the municipality and district it serves).
    pub site: Option<Site>,
    /// The screening.
    pub screening: Option<ResearchFpScreening>,
    /// The consent decision.
    pub consent: Option<ResearchConsent>,
    /// The allocation.
    pub allocation: Option<ResearchAllocation>,
    /// The enrolment.
    pub enrolment: Option<ResearchEnrolment>,
    /// Contacts, in the order recorded.
    pub contacts: Vec<ResearchContact>,
    /// Parent-guidance sessions.
    pub guidance_sessions: Vec<ResearchGuidanceSession>,
    /// Coordination activities.
    pub coordination: Vec<ResearchCoordination>,
    /// Family goals with their reviews.
    pub goals: Vec<ResearchGoal>,
    /// Withdrawals: at most one from the intervention, then at most one from the study.
    pub withdrawals: Vec<ResearchWithdrawal>,
    /// Wave data collections.
    pub waves: Vec<ResearchWave>,
    /// Questionnaires of every wave.
    pub questionnaires: Vec<ResearchQuestionnaire>,
    /// Scores derived from the questionnaires.
    pub scores: Vec<ResearchScore>,
    /// Costs derived from the contacts, when the programme definition has a rate card.
    pub costs: Option<ResearchCosts>,
    /// Invitations to the qualitative sub-sample's interviews.
    pub interviews: Vec<ResearchInterview>,
}

/// The child's age in whole years on `on`, from birth year and month
/// ([`barnvern_core::dates::age_in_years_from_month`]).
fn age_on(birth: (Option<i32>, Option<u32>), on: NaiveDate) -> Option<u32> {
    barnvern_core::dates::age_in_years_from_month(birth.0?, birth.1?, on)
}

impl ResearchFamily {
    /// The research form of a case's Family Partner records. `birth` is the child's birth
    /// year and month (for choosing score bands by age).
    pub fn from_participation(
        fp: &FamilyPartnerParticipation,
        jurisdiction: Jurisdiction,
        birth: (Option<i32>, Option<u32>),
        ps: &dyn Pseudonymiser,
    ) -> ResearchFamily {
        let f = &fp.family;
        let programme = ProgrammeDefinition::builtin_default()
            .ok()
            .filter(|p| p.id == fp.programme_id);
        let screening = f.screening.as_ref().map(|s| {
            let verdict = programme.map(|p| s.assess(&p.eligibility));
            ResearchFpScreening {
                on: s.on,
                child_age_years: s.child_age_years,
                receives_child_welfare_services: s.receives_child_welfare_services,
                other_exclusion_recorded: crate::case::has_text(s.other_exclusion.as_deref()),
                eligible: verdict.as_ref().map(|v| v.is_eligible()),
                ineligibility_reason: match verdict {
                    Some(barnvern_familypartner::Eligibility::NotEligible { reasons }) => {
                        reasons.first().copied()
                    }
                    _ => None,
                },
            }
        });
        let contact_index = |id: &ContactId| f.contacts.iter().position(|c| &c.id == id);
        let mut questionnaires = Vec::new();
        for (w, wave) in f.waves.iter().enumerate() {
            for q in &wave.questionnaires {
                questionnaires.push((index(w).unwrap_or(u32::MAX), q));
            }
        }
        let mut scores = Vec::new();
        let country = CountryCode::new(jurisdiction.code()).ok();
        for (qi, (_, q)) in questionnaires.iter().enumerate() {
            let (Some(instrument), Some(qi)) = (q.definition_in(&fp.instruments), index(qi)) else {
                continue;
            };
            let options = ScoreOptions {
                informant: instrument.def().informant.is_none().then_some(q.informant),
                age: age_on(birth, q.completed_on),
                country: country.clone(),
                ..ScoreOptions::default()
            };
            let Ok(result) = barnvern_outcomes::score(instrument, &q.responses, &options) else {
                continue;
            };
            for s in result.scores {
                scores.push(ResearchScore {
                    questionnaire_index: qi,
                    score_id: s.id,
                    value: s.value,
                    band: s.band.as_ref().map(|b| b.label.clone()),
                    band_verified: s.band.as_ref().map(|b| b.verified),
                    algorithm: result.algorithm.clone(),
                    version: result.version.clone(),
                    engine_version: result.engine_version.clone(),
                });
            }
        }
        let costs = programme
            .and_then(|p| p.costs.as_ref())
            .and_then(|c| Some((c, family_costs(f, c).ok()?)))
            .map(|(c, fc)| ResearchCosts {
                contacts_delivered: fc.contacts_delivered,
                minutes: u32::try_from(fc.minutes).unwrap_or(u32::MAX),
                travel_minutes: u32::try_from(fc.travel_minutes).unwrap_or(u32::MAX),
                distance_km: u32::try_from(fc.distance_km).unwrap_or(u32::MAX),
                staff_cost: fc.staff_cost,
                travel_cost: fc.travel_cost,
                total: fc.total,
                cost_per_delivered_contact: fc.cost_per_delivered_contact,
                currency: fc.currency.to_string(),
                price_year: fc.price_year,
                rate_card_status: c.status,
            });
        ResearchFamily {
            family_key: ps.family(&fp.trial_id, &f.family),
            trial_id: fp.trial_id.to_string(),
            programme_id: fp.programme_id.clone(),
            approached_on: f.approached_on,
            site: fp.site.clone(),
            screening,
            consent: f.consent.as_ref().map(|c| ResearchConsent {
                on: c.on,
                given: c.given,
            }),
            allocation: f.allocation.as_ref().map(|a| ResearchAllocation {
                arm: a.arm,
                sequence: a.sequence,
                block: a.block,
                stratum: a.stratum.as_ref().map(|s| s.as_str().to_owned()),
                on: a.on,
            }),
            enrolment: f.enrolment.as_ref().map(|e| ResearchEnrolment {
                partner: ps.staff(&e.partner),
                started_on: e.started_on,
                planned_end: e.planned_end,
                ended_on: e.ended_on,
                end: e.end,
                over_caseload_cap: e.caseload_override.is_some(),
            }),
            contacts: f
                .contacts
                .iter()
                .map(|c| ResearchContact {
                    on: c.on,
                    mode: c.mode,
                    status: c.status,
                    minutes: c.minutes,
                    travel_minutes: c.travel_minutes,
                    distance_km: c.distance_km,
                    components: c.components.clone(),
                })
                .collect(),
            guidance_sessions: f
                .guidance_sessions
                .iter()
                .map(|s| ResearchGuidanceSession {
                    contact_index: contact_index(&s.contact_id).and_then(index),
                    module: s.module.clone(),
                })
                .collect(),
            coordination: f
                .coordination
                .iter()
                .map(|a| ResearchCoordination {
                    on: a.on,
                    kind: a.kind,
                    minutes: a.minutes,
                    agencies: a.agencies.iter().map(ResearchCoded::of).collect(),
                })
                .collect(),
            goals: f
                .goals
                .iter()
                .map(|g| ResearchGoal {
                    set_on: g.set_on,
                    has_text: crate::case::has_text(g.text.as_deref()),
                    reviews: g
                        .reviews
                        .iter()
                        .map(|r| ResearchGoalReview {
                            on: r.on,
                            progress: r.progress,
                        })
                        .collect(),
                })
                .collect(),
            withdrawals: f
                .withdrawals
                .iter()
                .map(|w| ResearchWithdrawal {
                    on: w.on,
                    by: w.by,
                    scope: w.scope,
                    reason: ResearchCoded::of(&w.reason),
                })
                .collect(),
            waves: f
                .waves
                .iter()
                .map(|w| ResearchWave {
                    wave: w.wave,
                    on: w.on,
                    outcome: w.outcome,
                })
                .collect(),
            questionnaires: questionnaires
                .iter()
                .map(|(w, q)| research_questionnaire(*w, q, &fp.instruments))
                .collect(),
            scores,
            costs,
            interviews: f.interviews.iter().map(ResearchInterview::of).collect(),
        }
    }

    /// The family as a [`FamilyRecord`] for the trial metrics of `barnvern-familypartner`:
    /// the family reference is the family's pseudonym, the Family Partner is the partner's
    /// pseudonym, contacts are numbered `c0`, `c1`, ... by position. Dropped free text comes
    /// back as the placeholder `"(not exported)"` where the record needs text to keep its
    /// meaning (another exclusion, a reason given for an item not done, a caseload override,
    /// a withdrawal for other reasons).
    pub fn to_family_record(&self) -> Result<FamilyRecord, ValidationError> {
        const PLACEHOLDER: &str = "(not exported)";
        let fail = ValidationError::single;
        let text = |recorded: bool| recorded.then(|| PLACEHOLDER.to_owned());
        let partner = |p: &Pseudonym| StaffRef::new(p.as_str()).map_err(fail);
        let contact_id = |i: usize| ContactId::new(format!("c{i}")).map_err(fail);
        let mut record = FamilyRecord::new(
            FamilyRef::new(self.family_key.as_str()).map_err(fail)?,
            self.approached_on,
        );
        record.screening = self.screening.as_ref().map(|s| Screening {
            on: s.on,
            child_age_years: s.child_age_years,
            receives_child_welfare_services: s.receives_child_welfare_services,
            other_exclusion: text(s.other_exclusion_recorded),
            provenance: None,
        });
        record.consent = self.consent.map(|c| TrialConsent {
            on: c.on,
            given: c.given,
            provenance: None,
        });
        record.site = self.site.as_ref().map(|s| s.code.clone());
        record.allocation = self.allocation.as_ref().map(|a| Allocation {
            arm: a.arm,
            sequence: a.sequence,
            block: a.block,
            stratum: a.stratum.clone().map(Stratum::new),
            on: a.on,
            provenance: None,
        });
        record.enrolment = match &self.enrolment {
            None => None,
            Some(e) => Some(Enrolment {
                partner: partner(&e.partner)?,
                started_on: e.started_on,
                planned_end: e.planned_end,
                ended_on: e.ended_on,
                end: e.end,
                caseload_override: if e.over_caseload_cap {
                    Some(barnvern_familypartner::CaseloadOverride {
                        reason: PLACEHOLDER.to_owned(),
                        approved_by: partner(&e.partner)?,
                    })
                } else {
                    None
                },
                provenance: None,
            }),
        };
        for (i, c) in self.contacts.iter().enumerate() {
            record.contacts.push(Contact {
                id: contact_id(i)?,
                on: c.on,
                mode: c.mode,
                minutes: c.minutes,
                status: c.status,
                travel_minutes: c.travel_minutes,
                distance_km: c.distance_km,
                components: c.components.clone(),
                provenance: None,
            });
        }
        for s in &self.guidance_sessions {
            let Some(i) = s.contact_index.and_then(|i| usize::try_from(i).ok()) else {
                continue;
            };
            record.guidance_sessions.push(GuidanceSession {
                contact_id: contact_id(i)?,
                module: s.module.clone(),
            });
        }
        record.coordination = self
            .coordination
            .iter()
            .map(|a| CoordinationActivity {
                on: a.on,
                kind: a.kind,
                agencies: a
                    .agencies
                    .iter()
                    .map(|x| Coded {
                        code: x.code,
                        source: x.source.clone(),
                        text: text(x.has_text || x.code == Agency::Other),
                    })
                    .collect(),
                minutes: a.minutes,
            })
            .collect();
        for (i, g) in self.goals.iter().enumerate() {
            record.goals.push(FamilyGoal {
                id: GoalId::new(format!("g{i}")).map_err(fail)?,
                set_on: g.set_on,
                text: text(g.has_text),
                reviews: g
                    .reviews
                    .iter()
                    .map(|r| GoalReview {
                        on: r.on,
                        progress: r.progress,
                    })
                    .collect(),
            });
        }
        record.withdrawals = self
            .withdrawals
            .iter()
            .map(|w| Withdrawal {
                on: w.on,
                by: w.by,
                scope: w.scope,
                reason: Coded {
                    code: w.reason.code,
                    source: w.reason.source.clone(),
                    text: text(w.reason.has_text || w.reason.code == WithdrawalReason::Other),
                },
                provenance: None,
            })
            .collect();
        record.waves = self
            .waves
            .iter()
            .map(|w| WaveRecord {
                wave: w.wave,
                on: w.on,
                outcome: w.outcome,
                questionnaires: Vec::new(),
                provenance: None,
            })
            .collect();
        for q in &self.questionnaires {
            let Some(wave) = usize::try_from(q.wave_index)
                .ok()
                .and_then(|w| record.waves.get_mut(w))
            else {
                continue;
            };
            let mut responses = Responses::new();
            for item in &q.responses {
                let response = match (item.status, item.value) {
                    (ItemStatus::Answered, Some(v)) => ItemResponse::Answered(i64::from(v)),
                    _ => ItemResponse::NotDone {
                        reason: text(item.reason_given),
                    },
                };
                responses.insert(item.item.clone(), response);
            }
            wave.questionnaires.push(Questionnaire {
                instrument: InstrumentId::new(q.instrument.as_str()).map_err(fail)?,
                informant: q.informant,
                completed_on: q.completed_on,
                responses,
            });
        }
        record.interviews = self
            .interviews
            .iter()
            .map(ResearchInterview::to_interview)
            .collect();
        Ok(record)
    }
}

fn research_questionnaire(
    wave_index: u32,
    q: &Questionnaire,
    user: &[barnvern_familypartner::UserInstrument],
) -> ResearchQuestionnaire {
    let instrument = q.definition_in(user);
    let position = |name: &str| instrument.and_then(|i| i.item(name)).map(|i| i.position);
    let mut responses: Vec<ResearchItem> = q
        .responses
        .iter()
        .map(|(name, r)| {
            let (status, value, reason_given) = match r {
                ItemResponse::Answered(v) => (ItemStatus::Answered, i32::try_from(*v).ok(), false),
                ItemResponse::NotDone { reason } => (
                    ItemStatus::NotDone,
                    None,
                    crate::case::has_text(reason.as_deref()),
                ),
            };
            ResearchItem {
                item: name.to_owned(),
                position: position(name),
                status,
                value,
                reason_given,
            }
        })
        .collect();
    // Form order; items the instrument does not know go last, by name.
    responses.sort_by(|a, b| {
        (a.position.is_none(), a.position, &a.item).cmp(&(
            b.position.is_none(),
            b.position,
            &b.item,
        ))
    });
    ResearchQuestionnaire {
        wave_index,
        instrument: q.instrument.to_string(),
        informant: q.informant,
        completed_on: q.completed_on,
        responses,
    }
}

/// The trial data of every family in `cases` whose records belong to trial `trial_id`, for
/// the metrics of `barnvern-familypartner` (`consort`, `retention`, `dose`, `caseload`,
/// `adherence`, `progression`). A family embedded in several cases (siblings) counts once.
/// The data is not validated as a whole trial (a dataset may hold a sample of its families).
/// When `design` lists no sites, the sites the families name are added to it, in code order.
pub fn trial_data(
    trial_id: &str,
    cases: &[crate::ResearchCase],
    programme: ProgrammeDefinition,
    mut design: TrialDesign,
) -> Result<TrialData, ValidationError> {
    let mut families: Vec<FamilyRecord> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut sites = std::collections::BTreeMap::new();
    for f in cases.iter().filter_map(|c| c.family_partner.as_ref()) {
        if f.trial_id == trial_id && seen.insert(f.family_key.clone()) {
            families.push(f.to_family_record()?);
            if let Some(s) = &f.site {
                sites.entry(s.code.clone()).or_insert_with(|| s.clone());
            }
        }
    }
    if design.sites.is_empty() {
        design.sites = sites.into_values().collect();
    }
    families.sort_by_key(|f| f.approached_on);
    Ok(TrialData {
        schema_version: barnvern_familypartner::SCHEMA_VERSION.to_owned(),
        trial_id: TrialId::new(trial_id).map_err(ValidationError::single)?,
        programme,
        design,
        families,
        history: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_counts_whole_years_by_month() {
        let d = |y, m| NaiveDate::from_ymd_opt(y, m, 15).unwrap();
        assert_eq!(age_on((Some(2015), Some(6)), d(2024, 7)), Some(9));
        assert_eq!(age_on((Some(2015), Some(6)), d(2024, 6)), Some(8));
        assert_eq!(age_on((Some(2015), None), d(2024, 6)), None);
    }
}
