//! The Family Partner trial among Norwegian families at the trial's sites: approach, eligibility
//! screening (a child under 12, already receiving child-welfare services), consent, rolling 1:1
//! randomisation with barnvern-familypartner's [`Randomiser`] through the stratified design of
//! [`randomisation_design`] (permuted blocks of 4 and 6 within each site and child age band),
//! enrolment with a Family Partner under the caseload cap, contacts following the programme
//! definition's phases, guidance sessions, coordination, goals, withdrawals, and the assessment
//! waves at 0, 3, 6, 12 and 18 months with attrition (final-wave retention near half), with SDQ
//! parent questionnaires and, in the intervention arm, AIM/IAM/FIM rated by staff and parents,
//! and a qualitative sub-sample of parents invited to an interview.

use std::collections::HashMap;

use barnvern_case::CaseData;
use barnvern_case::case::FamilyPartnerParticipation;
use barnvern_core::codelist::Coded;
use barnvern_core::municipality::MunicipalityVersion;
use barnvern_core::{MunicipalityCode, StaffRef};
use barnvern_familypartner::contact::{
    Contact, ContactMode, ContactStatus, CoordinationActivity, CoordinationKind, FamilyGoal,
    GoalProgress, GoalReview, GuidanceSession,
};
use barnvern_familypartner::enrolment::{
    Enrolment, EnrolmentEnd, Withdrawal, WithdrawalReason, WithdrawalScope, WithdrawnBy,
};
use barnvern_familypartner::programme::{Per, ProgrammeDefinition};
use barnvern_familypartner::{
    AgeBand, Allocation, Arm, ContactId, FamilyRecord, FamilyRef, GoalId, InterviewEnd,
    InterviewReason, QualitativeInterview, RandomisationDesign, Randomiser, Screening, Site,
    SiteCode, StratificationFactor, TrialConsent, TrialId, WaveDefinition, WaveOutcome, WaveRecord,
};
use barnvern_intervention::{Agency, InterventionType};
use barnvern_outcomes::Informant;
use chrono::NaiveDate;

use crate::case::{CaseBuilder, TrialCandidate, family_partner_measure};
use crate::people::age_on;
use crate::places::is_trial_site;
use crate::questionnaires;
use crate::rng::{Draw, add_days, add_months, days_between, sub_days};
use crate::{Error, SynthOptions};

/// The trial's running state across the cohort: the randomiser (allocations in the order
/// families are randomised in the generated file) and each site's Family Partners with the
/// enrolments they carry.
pub(crate) struct TrialState {
    design: RandomisationDesign,
    randomiser: Randomiser,
    programme: &'static ProgrammeDefinition,
    /// Per site, per partner: the (start, end) of each enrolment, end exclusive.
    partners: HashMap<String, Vec<Vec<(NaiveDate, NaiveDate)>>>,
    families: u64,
}

impl TrialState {
    pub(crate) fn new(opts: &SynthOptions) -> Result<TrialState, Error> {
        let design = randomisation_design();
        let randomiser = Randomiser::new(opts.seed ^ 0x0066_616d_7061_7274, &design)
            .map_err(|e| Error::Data(format!("the randomisation design is refused: {e}")))?;
        let programme = ProgrammeDefinition::builtin_default()
            .map_err(|e| Error::Data(format!("the default programme is refused: {e}")))?;
        Ok(TrialState {
            design,
            randomiser,
            programme,
            partners: HashMap::new(),
            families: 0,
        })
    }

    /// A Family Partner at `site` with room for an enrolment from `start` to `end` (exclusive)
    /// under the caseload cap at every day of it; a new partner joins when none has room.
    fn partner(
        &mut self,
        site: &str,
        code: &str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<StaffRef, Error> {
        let cap = usize::try_from(self.programme.caseload_cap).unwrap_or(5);
        let list = self.partners.entry(site.to_owned()).or_default();
        let fits = |loads: &Vec<(NaiveDate, NaiveDate)>| {
            std::iter::once(start)
                .chain(loads.iter().map(|l| l.0).filter(|s| *s > start && *s < end))
                .all(|p| loads.iter().filter(|(s, e)| *s <= p && p < *e).count() < cap)
        };
        let k = match list.iter().position(fits) {
            Some(k) => k,
            None => {
                list.push(Vec::new());
                list.len() - 1
            }
        };
        if let Some(loads) = list.get_mut(k) {
            loads.push((start, end));
        }
        StaffRef::new(format!("fp-{code}-{:02}", k + 1))
            .map_err(|e| Error::Data(format!("partner reference refused: {e}")))
    }
}

/// The synthetic trial's randomisation: 1:1 in permuted blocks of 4 and 6, stratified by site
/// and by the child's age band at screening (0-5 and 6-11 years), each stratum with its own
/// sequence.
pub fn randomisation_design() -> RandomisationDesign {
    let band = |id: &str, from_years, below_years| AgeBand {
        id: id.to_owned(),
        from_years,
        below_years,
    };
    RandomisationDesign::blocks(&[4, 6]).stratified(vec![
        StratificationFactor::Site,
        StratificationFactor::ChildAgeBand {
            bands: vec![band("0-5", 0, 6), band("6-11", 6, 12)],
        },
    ])
}

fn err<T>(r: Result<T, barnvern_core::Finding>) -> Result<T, Error> {
    r.map_err(|e| Error::Data(format!("a generated value is refused: {e}")))
}

/// Takes the family into the trial when the case qualifies, adding its records to `data`.
pub(crate) fn participate(
    t: &mut TrialState,
    opts: &SynthOptions,
    b: &mut CaseBuilder<'_>,
    data: &mut CaseData,
    c: &TrialCandidate,
    index: u64,
) -> Result<(), Error> {
    if !is_trial_site(c.municipality, &opts.trial_sites) {
        return Ok(());
    }
    let as_of = b.as_of();
    // Separate draws for the trial, so taking part does not change the rest of the case.
    let mut d = Draw::new(opts.seed, 2, index);
    let (anchor, receives) = match &c.decision {
        Some((_, on, _)) => (*on, true),
        None => (c.first_referral, false),
    };
    if anchor < opts.trial_from || anchor >= as_of {
        return Ok(());
    }
    let age = age_on(c.child_born, anchor);
    let p = match (receives, age) {
        (true, 0..=11) => 0.65,
        (true, 12..=13) => 0.1,
        (false, 0..=11) => 0.03,
        _ => 0.0,
    };
    if !d.chance(p) {
        return Ok(());
    }
    let approached = d.days_after(anchor, 1, 14);
    if approached > as_of || opts.trial_families.is_some_and(|max| t.families >= max) {
        return Ok(());
    }
    t.families += 1;
    let family_ref = err(FamilyRef::new(format!(
        "fam-{}-{index:07}",
        c.municipality.code
    )))?;
    let site = trial_site(c.municipality, opts)?;
    let mut f = FamilyRecord::new(family_ref, approached);
    f.site = Some(site.code.clone());
    let screened = d.days_after(approached, 0, 7);
    let programme = t.programme;
    if screened <= as_of {
        let age = u8::try_from(age_on(c.child_born, screened)).unwrap_or(u8::MAX);
        f.screening = Some(Screening {
            on: screened,
            child_age_years: age,
            receives_child_welfare_services: receives,
            other_exclusion: None,
            provenance: None,
        });
    }
    let eligible = f
        .eligibility(&programme.eligibility)
        .is_some_and(|e| e.is_eligible());
    if eligible {
        let consent_on = d.days_after(screened, 0, 7);
        if consent_on <= as_of {
            let given = d.chance(0.72);
            f.consent = Some(TrialConsent {
                on: consent_on,
                given,
                provenance: None,
            });
            let randomised = d.days_after(consent_on, 0, 5);
            if given && randomised <= as_of {
                let age = f.screening.as_ref().map(|s| s.child_age_years);
                let stratum = t
                    .design
                    .stratum_of(Some(&site.code), age)
                    .map_err(|m| Error::Data(format!("no stratum for a family: {m}")))?;
                let a = t
                    .randomiser
                    .assign_in(stratum.as_ref())
                    .map_err(|e| Error::Data(format!("the randomiser refused: {e}")))?;
                f.allocation = Some(Allocation {
                    arm: a.arm,
                    sequence: a.sequence,
                    block: a.block,
                    stratum: a.stratum,
                    on: randomised,
                    provenance: None,
                });
                match a.arm {
                    Arm::Intervention => enrol(t, &mut d, b, data, c, &mut f, randomised)?,
                    Arm::Control => {
                        if d.chance(0.08) {
                            let w = d.days_after(randomised, 30, 400);
                            if w <= as_of {
                                f.withdrawals
                                    .push(withdrawal(&mut d, w, WithdrawalScope::Study));
                            }
                        }
                    }
                }
                waves(&mut d, b, &mut f, c, randomised)?;
                interview(&mut d, as_of, &mut f, randomised);
            }
        }
    }
    data.family_partner = Some(FamilyPartnerParticipation {
        trial_id: err(TrialId::new(opts.trial_id.clone()))?,
        programme_id: programme.id.clone(),
        site: Some(site),
        instruments: Vec::new(),
        family: f,
    });
    Ok(())
}

/// The trial site of the child-welfare service of `m`: one site per trial municipality (by
/// name, so a renumbered municipality stays one site), coded by the name in lower case with
/// the municipality number of `opts.as_of`, recruiting from `opts.trial_from` with a target of
/// one family randomised a month (a synthetic target).
pub(crate) fn trial_site(m: &MunicipalityVersion, opts: &SynthOptions) -> Result<Site, Error> {
    let name = opts
        .trial_sites
        .iter()
        .find(|s| is_trial_site(m, std::slice::from_ref(s)))
        .ok_or_else(|| Error::Data(format!("{} is not a trial site", m.name)))?;
    let current = barnvern_core::municipality::municipalities(m.jurisdiction)
        .iter()
        .filter(|v| v.is_valid_on(opts.as_of))
        .find(|v| is_trial_site(v, std::slice::from_ref(name)))
        .unwrap_or(m);
    let slug: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok(Site {
        code: err(SiteCode::new(slug))?,
        name: format!("Barneverntjenesten i {name}"),
        jurisdiction: current.jurisdiction,
        municipality: err(MunicipalityCode::new(current.code.clone()))?,
        district: None,
        recruitment_opened_on: opts.trial_from,
        target_per_month: Some(1),
    })
}

fn withdrawal(d: &mut Draw, on: NaiveDate, scope: WithdrawalScope) -> Withdrawal {
    let reason = d.weighted(&[
        (WithdrawalReason::NoLongerWishes, 45),
        (WithdrawalReason::Moved, 20),
        (WithdrawalReason::ChildPlaced, 10),
        (WithdrawalReason::OtherServiceNeeded, 10),
        (WithdrawalReason::ConsentWithdrawn, 15),
    ]);
    Withdrawal {
        on,
        by: if reason == WithdrawalReason::ChildPlaced {
            WithdrawnBy::Service
        } else {
            WithdrawnBy::Family
        },
        scope,
        reason: Coded::new(reason),
        provenance: None,
    }
}

#[allow(clippy::too_many_lines)]
fn enrol(
    t: &mut TrialState,
    d: &mut Draw,
    b: &mut CaseBuilder<'_>,
    data: &mut CaseData,
    c: &TrialCandidate,
    f: &mut FamilyRecord,
    randomised: NaiveDate,
) -> Result<(), Error> {
    let as_of = b.as_of();
    let start = d.days_after(randomised, 3, 14);
    if start > as_of {
        return Ok(());
    }
    // The programme runs 6-18 months a family; planned lengths reach into the ending phase
    // (months 12-18 of the default definition), so its dose has whole months to count.
    let planned_months = d.weighted(&[(9u32, 15), (12, 35), (15, 30), (18, 20)]);
    let planned_end = add_months(start, planned_months);
    // How the enrolment ends: a withdrawal, completion, an early end, or still running.
    let mut ended = None;
    let mut end = None;
    if d.chance(0.14) {
        let w = d.days_after(start, 30, 300);
        if w <= as_of && w < planned_end {
            f.withdrawals
                .push(withdrawal(d, w, WithdrawalScope::Intervention));
            ended = Some(w);
            end = Some(EnrolmentEnd::Withdrawn);
            if d.chance(0.4) {
                let s = d.days_after(w, 0, 60);
                if s <= as_of {
                    f.withdrawals.push(withdrawal(d, s, WithdrawalScope::Study));
                }
            }
        }
    }
    if ended.is_none() && planned_end <= as_of {
        if d.chance(0.82) {
            ended = Some(planned_end);
            end = Some(EnrolmentEnd::Completed);
        } else {
            let e = d.days_after(
                add_months(start, 6),
                0,
                days_between(add_months(start, 6), planned_end),
            );
            ended = Some(e);
            end = Some(EnrolmentEnd::EndedEarly);
        }
    }
    let code = c.municipality.code.clone();
    let partner = t.partner(
        &c.municipality.name,
        &code,
        start,
        ended.unwrap_or(NaiveDate::MAX),
    )?;
    f.enrolment = Some(Enrolment {
        partner,
        started_on: start,
        planned_end,
        ended_on: ended,
        end,
        caseload_override: None,
        provenance: None,
    });
    let last = ended.unwrap_or(as_of).min(as_of);
    b.touch(last);
    if ended.is_none() {
        b.open_work = true;
    }

    // Contacts at the rate of each phase of the programme.
    let programme = t.programme;
    let mut on = start;
    let mut n = 0;
    while on <= last {
        let months = months_between(start, on);
        let Some(phase) = programme
            .phases
            .iter()
            .find(|p| p.from_month <= months && months < p.to_month)
        else {
            break;
        };
        let per = u64::from(phase.expected.contacts.max(1));
        let gap = match phase.expected.per {
            Per::Week => 7 / per,
            Per::Month => 30 / per,
        }
        .max(1);
        n += 1;
        let status = d.weighted(&[
            (ContactStatus::Delivered, 80),
            (ContactStatus::CancelledByFamily, 8),
            (ContactStatus::CancelledByPartner, 5),
            (ContactStatus::NoShow, 7),
        ]);
        let mode = d.weighted(&[
            (ContactMode::Home, 68),
            (ContactMode::Office, 10),
            (ContactMode::Phone, 14),
            (ContactMode::Video, 8),
        ]);
        let delivered = status == ContactStatus::Delivered;
        let minutes = delivered.then(|| {
            let (lo, hi) = match mode {
                ContactMode::Home => (60, 120),
                ContactMode::Office => (45, 90),
                ContactMode::Phone => (15, 45),
                _ => (30, 60),
            };
            u16::try_from(d.between(lo, hi)).unwrap_or(60)
        });
        // The partner travels to a home visit (also when the family is not there).
        let travels = mode == ContactMode::Home
            && status != ContactStatus::CancelledByFamily
            && status != ContactStatus::CancelledByPartner;
        let distance = travels.then(|| u32::try_from(d.between(2, 45)).unwrap_or(10));
        let travel_minutes =
            distance.map(|km| 2 * (km + u32::try_from(d.between(5, 15)).unwrap_or(10)));
        let mut components = Vec::new();
        if delivered {
            let k = d.weighted(&[(1usize, 60), (2, 40)]);
            for _ in 0..k {
                let comp = d.pick(&phase.components).clone();
                if !components.contains(&comp) {
                    components.push(comp);
                }
            }
        }
        let id = err(ContactId::new(format!("c-{n:03}")))?;
        if delivered
            && components.iter().any(|x| x == "parent_guidance")
            && !programme.guidance_modules.is_empty()
            && d.chance(0.7)
        {
            let module = d.pick(&programme.guidance_modules).id.clone();
            f.guidance_sessions.push(GuidanceSession {
                contact_id: id.clone(),
                module,
            });
        }
        f.contacts.push(Contact {
            id,
            on,
            mode,
            minutes,
            status,
            travel_minutes,
            distance_km: distance,
            components,
            provenance: None,
        });
        let jitter = d.below(3);
        on = add_days(on, (gap + jitter).saturating_sub(1).max(1));
    }

    // Coordination of the family's services, about every second month.
    let mut on = d.days_after(start, 7, 40);
    while on <= last {
        let kind = d.weighted(&[
            (CoordinationKind::Meeting, 40),
            (CoordinationKind::Call, 35),
            (CoordinationKind::Referral, 10),
            (CoordinationKind::Accompanying, 15),
        ]);
        let agency = d.weighted(&[
            (Agency::School, 30),
            (Agency::Kindergarten, 15),
            (Agency::ChildHealthClinic, 15),
            (Agency::WelfareAgency, 20),
            (Agency::PrimaryCare, 10),
            (Agency::ChildPsychiatry, 10),
        ]);
        f.coordination.push(CoordinationActivity {
            on,
            kind,
            agencies: vec![Coded::new(agency)],
            minutes: Some(u16::try_from(d.between(15, 90)).unwrap_or(30)),
        });
        on = d.days_after(on, 30, 90);
    }

    // Goals set early on, reviewed every three months.
    let goals = d.weighted(&[(1u32, 40), (2, 40), (3, 20)]);
    for g in 1..=goals {
        let set_on = d.days_after(start, 7, 45);
        if set_on > last {
            break;
        }
        let mut reviews = Vec::new();
        let mut r_on = add_months(set_on, 3);
        let mut progress = GoalProgress::NotStarted;
        while r_on <= last {
            progress = match progress {
                GoalProgress::Achieved | GoalProgress::Abandoned => break,
                _ => d.weighted(&[
                    (GoalProgress::SomeProgress, 55),
                    (GoalProgress::Achieved, 25),
                    (GoalProgress::NotStarted, 12),
                    (GoalProgress::Abandoned, 8),
                ]),
            };
            reviews.push(GoalReview { on: r_on, progress });
            r_on = add_months(r_on, 3);
        }
        f.goals.push(FamilyGoal {
            id: err(GoalId::new(format!("goal-{g}")))?,
            set_on,
            text: None,
            reviews,
        });
    }

    // The Family Partner measure in the case's interventions (SSB 3.7 with its name).
    if let Some((dec_id, _, basis)) = &c.decision {
        let t = err(Coded::new(InterventionType::FamilyPartner)
            .with_source(barnvern_intervention::kind::SSB_SYSTEM, "3.7"))?
        .with_text("Family Partner");
        family_partner_measure(
            b,
            data,
            c.carer.as_ref(),
            start,
            ended,
            end,
            t,
            (dec_id, basis),
        )?;
    }
    Ok(())
}

/// The qualitative sub-sample: about a quarter of the randomised families' parents are invited
/// to an interview 6 to 9 months after randomisation (unless they left the study first); most
/// consent and are interviewed within a month, the rest decline or withdraw with a reason.
fn interview(d: &mut Draw, as_of: NaiveDate, f: &mut FamilyRecord, randomised: NaiveDate) {
    if !d.chance(0.25) {
        return;
    }
    let invited_on = d.days_after(add_months(randomised, 6), 0, 90);
    if invited_on > as_of || f.study_withdrawn_on().is_some_and(|w| w < invited_on) {
        return;
    }
    let reason = |d: &mut Draw| {
        d.weighted(&[
            (InterviewReason::NotInterested, 45),
            (InterviewReason::NoTime, 30),
            (InterviewReason::Unreachable, 15),
            (InterviewReason::TooBurdensome, 10),
        ])
    };
    let mut iv = QualitativeInterview {
        informant: Informant::Parent,
        invited_on,
        consented_on: None,
        interviewed_on: None,
        ended: None,
        provenance: None,
    };
    let answered = d.days_after(invited_on, 1, 14);
    if answered <= as_of {
        if d.chance(0.7) {
            iv.consented_on = Some(answered);
            let held = d.days_after(answered, 3, 30);
            if d.chance(0.1) {
                let on = d.days_after(answered, 1, 20);
                if on <= as_of {
                    iv.ended = Some(InterviewEnd {
                        on,
                        reason: reason(d),
                    });
                }
            } else if held <= as_of {
                iv.interviewed_on = Some(held);
            }
        } else {
            iv.ended = Some(InterviewEnd {
                on: answered,
                reason: reason(d),
            });
        }
    }
    f.interviews.push(iv);
}

/// Whole calendar months from `start` to `on`.
fn months_between(start: NaiveDate, on: NaiveDate) -> u32 {
    let mut m = 0;
    while add_months(start, m + 1) <= on && m < 1000 {
        m += 1;
    }
    m
}

/// The assessment waves: each in its window, while the family stays in the study; a family's
/// propensity to respond falls over time, so final-wave retention is near half.
fn waves(
    d: &mut Draw,
    b: &CaseBuilder<'_>,
    f: &mut FamilyRecord,
    c: &TrialCandidate,
    randomised: NaiveDate,
) -> Result<(), Error> {
    let as_of = b.as_of();
    let propensity = d.unit();
    // The child's difficulties as the parent sees them (child-welfare families score high).
    let level = 0.3 + 0.55 * d.unit();
    let study_withdrawn = f.study_withdrawn_on();
    let arm = f.arm();
    for def in WaveDefinition::fampart() {
        let p_respond = match def.month {
            0 => 0.97,
            3 => 0.82,
            6 => 0.74,
            12 => 0.64,
            _ => 0.54,
        };
        let Some((open, close)) = def.window(randomised) else {
            continue;
        };
        let target = add_months(randomised, def.month);
        let on = if def.month == 0 {
            sub_days(randomised, d.below(7)).max(open)
        } else {
            add_days(sub_days(target, 7), d.below(29)).min(close)
        };
        if on > as_of || study_withdrawn.is_some_and(|w| on > w) {
            break;
        }
        let responded = propensity < p_respond;
        let outcome = if responded {
            if d.chance(0.06) {
                WaveOutcome::Partial
            } else {
                WaveOutcome::Completed
            }
        } else if d.chance(0.6) {
            WaveOutcome::Missed
        } else {
            continue;
        };
        let mut record = WaveRecord {
            wave: def.month,
            on,
            outcome,
            questionnaires: Vec::new(),
            provenance: None,
        };
        if outcome != WaveOutcome::Missed {
            record.questionnaires =
                questionnaires::for_wave(d, def.month, on, c.child_born, arm, outcome, level)?;
        }
        f.waves.push(record);
    }
    Ok(())
}
