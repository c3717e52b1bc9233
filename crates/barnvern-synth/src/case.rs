//! One synthetic case: the child and the household, reports of concern, protection
//! assessments, screenings, investigations, decisions under the law in force, interventions,
//! plans, meetings, follow-ups and closure, on a timeline that ends at the as-of date.
//!
//! Rates are chosen so every deadline status occurs (most deadlines met; some breached, some
//! met after an extension, some still pending or overdue at the as-of date). They are plausible,
//! not estimates of any country's statistics.

use barnvern_case::assessment::ProtectionAssessment;
use barnvern_case::decision::{Decision, DecisionKind, DecisionStatus, StatusChange};
use barnvern_case::follow_up::{Closure, ClosureReason, FollowUp, FollowUpKind};
use barnvern_case::ids::{
    AssessmentId, BoardReferralId, CaseId, DecisionId, FollowUpId, InvestigationId, PersonRef,
    ReferralId, ScreeningId,
};
use barnvern_case::investigation::{
    ChildParticipation, Extension, Ground, Investigation, InvestigationConclusion,
    InvestigationPlan,
};
use barnvern_case::person::{Child, HouseholdMember, HouseholdRole, Involvement};
use barnvern_case::placement::BoardReferral;
use barnvern_case::referral::Referral;
use barnvern_case::reporter::{self, ReporterCategory};
use barnvern_case::risk::{RiskAssessment, RiskLevel, RiskMethod};
use barnvern_case::screening::{Screening, ScreeningOutcome};
use barnvern_case::violence::{
    ExposureMode, Relation, ViolenceDisclosure, ViolenceExposure, ViolenceForm,
};
use barnvern_case::{CaseData, CaseHeader};
use barnvern_core::codelist::{Coded, SourceCode};
use barnvern_core::identifier::LocalId;
use barnvern_core::provenance::{Recorder, SourceSystem, StaffRole};
use barnvern_core::{
    Jurisdiction, Law, LegalBasis, MunicipalityCode, MunicipalityVersion, PersonId, PersonIdentity,
    Provenance, Sex, StaffRef, Unregistered,
};
use barnvern_intervention::visits::{
    FollowUpVisits, FrequencyFrom, ResponsibleFrom, Supervision, VisitFrequency,
};
use barnvern_intervention::{
    Agency, Consent, ConsentParty, ConsentStatus, CoordinationMeeting, EndReason, Evaluation,
    EvaluationConclusion, Intervention, InterventionBasis, InterventionId, InterventionType,
    MeetingId, MeetingType, Plan, PlanId, PlanType, ScheduledEvaluation,
};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};

use crate::people::{age_on, no_synthetic, se_person, years_before};
use crate::rng::{Draw, add_days, add_months, days_between, sub_days};
use crate::{Error, SynthOptions};

/// SSB code systems used below.
const SSB_MELDING_KONKLUSJON: &str = "no.ssb.barnevern.melding-konklusjon";
const SSB_UNDERSOKELSE_KONKLUSJON: &str = "no.ssb.barnevern.undersokelse-konklusjon";
const SSB_MEDVIRKNING: &str = "no.ssb.barnevern.barnets-medvirkning";
const SSB_VEDTAK_STATUS: &str = "no.ssb.barnevern.vedtak-status";
const SSB_TILTAK: &str = "no.ssb.barnevern.tiltak-kategori";
const SSB_PLANTYPE: &str = "no.ssb.barnevern.plantype";
const SSB_OPPHEVELSE: &str = "no.ssb.barnevern.tiltak-opphevelse";

/// The first day of the SSB lists that changed on 1 January 2026.
fn ssb_2026() -> NaiveDate {
    ymd(2026, 1, 1)
}

pub(crate) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn err<T>(r: Result<T, barnvern_core::Finding>) -> Result<T, Error> {
    r.map_err(|e| Error::Data(format!("a generated value is refused: {e}")))
}

/// What the case generator hands to the trial generator about a Norwegian case.
pub(crate) struct TrialCandidate {
    /// The decision on measures the family's services rest on.
    pub decision: Option<(DecisionId, NaiveDate, LegalBasis)>,
    /// The first referral's receipt date.
    pub first_referral: NaiveDate,
    /// The child's birth date.
    pub child_born: NaiveDate,
    /// The carer who consents.
    pub carer: Option<PersonRef>,
    /// The municipality.
    pub municipality: &'static MunicipalityVersion,
}

/// The people of the household, by role, as references in the bundle.
struct Household {
    mother: Option<PersonRef>,
    father: Option<PersonRef>,
    step: Option<PersonRef>,
}

/// State of one case while it is generated.
pub(crate) struct CaseBuilder<'a> {
    pub(crate) draw: Draw,
    opts: &'a SynthOptions,
    pub(crate) jurisdiction: Jurisdiction,
    staff: Vec<StaffRef>,
    lead: StaffRef,
    system: SourceSystem,
    /// Every date the case has activity on (for the closure).
    pub(crate) last_activity: NaiveDate,
    /// Whether something is still open at the as-of date (no closure then).
    pub(crate) open_work: bool,
    /// The child's birth date.
    born: NaiveDate,
}

impl<'a> CaseBuilder<'a> {
    pub(crate) fn as_of(&self) -> NaiveDate {
        self.opts.as_of
    }

    /// Records activity on `on` (the closure comes after the last activity).
    pub(crate) fn touch(&mut self, on: NaiveDate) {
        if on > self.last_activity {
            self.last_activity = on;
        }
    }

    /// Provenance recorded during office hours of `on`.
    pub(crate) fn prov(&mut self, on: NaiveDate, role: StaffRole) -> Result<Provenance, Error> {
        let minute = self.draw.between(7 * 60, 15 * 60 + 59);
        self.prov_at(on, minute, role)
    }

    fn prov_at(
        &mut self,
        on: NaiveDate,
        minute: u64,
        role: StaffRole,
    ) -> Result<Provenance, Error> {
        let staff = match role {
            StaffRole::TeamLeader => self.lead.clone(),
            _ => self.draw.pick(&self.staff).clone(),
        };
        let at = on
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc() + chrono::Duration::minutes(i64::try_from(minute).unwrap_or(0)))
            .ok_or_else(|| Error::Data("no such time".into()))?;
        Ok(Provenance {
            recorded_at: at,
            recorded_by: Recorder { role, staff },
            source_system: self.system.clone(),
        })
    }

    /// Provenance recorded at `at`.
    fn prov_instant(&mut self, at: DateTime<Utc>, role: StaffRole) -> Provenance {
        let staff = match role {
            StaffRole::TeamLeader => self.lead.clone(),
            _ => self.draw.pick(&self.staff).clone(),
        };
        Provenance {
            recorded_at: at,
            recorded_by: Recorder { role, staff },
            source_system: self.system.clone(),
        }
    }

    /// `minute` minutes after midnight of `on`, local time (Central European time; summer time
    /// April to October, close enough for synthetic data).
    fn local(on: NaiveDate, minute: u64) -> Result<DateTime<FixedOffset>, Error> {
        let hours = if (4..=10).contains(&on.month()) { 2 } else { 1 };
        let offset = FixedOffset::east_opt(hours * 3600)
            .ok_or_else(|| Error::Data("no such offset".into()))?;
        let naive = on
            .and_hms_opt(0, 0, 0)
            .map(|t| t + chrono::Duration::minutes(i64::try_from(minute).unwrap_or(0)))
            .ok_or_else(|| Error::Data("no such time".into()))?;
        offset
            .from_local_datetime(&naive)
            .single()
            .ok_or_else(|| Error::Data("no such local time".into()))
    }
}

/// Builds case `index` of the cohort.
pub(crate) fn build_case(
    opts: &SynthOptions,
    index: u64,
) -> Result<(CaseData, Option<TrialCandidate>, CaseBuilder<'_>), Error> {
    let mut draw = Draw::new(opts.seed, 1, index);
    let jurisdiction = if draw.chance(opts.se_share) {
        Jurisdiction::Se
    } else {
        Jurisdiction::No
    };
    // Cases open evenly over the period; the last weeks before the as-of date hold the
    // pending work.
    let span = days_between(opts.from, opts.as_of).max(1);
    let opened = add_days(opts.from, draw.below(span));
    let muni = crate::places::municipality(&mut draw, jurisdiction, opened)
        .ok_or_else(|| Error::Data(format!("no {jurisdiction} municipality on {opened}")))?;
    let code = muni.code.as_str();
    let staff_n = 3 + draw.below(10);
    let prefix = match jurisdiction {
        Jurisdiction::Se => "sw",
        Jurisdiction::No => "sb",
    };
    let mut staff = Vec::new();
    for n in 1..=staff_n {
        staff.push(err(StaffRef::new(format!("{prefix}-{code}-{n:02}")))?);
    }
    let lead = err(StaffRef::new(format!("tl-{code}-01")))?;
    let systems: &[&str] = match jurisdiction {
        Jurisdiction::Se => &["treserva", "lifecare", "viva", "procapita"],
        Jurisdiction::No => &["modulus-barn", "familia", "visma-flyt"],
    };
    let code_num: usize = code.parse().unwrap_or(0);
    let system = err(SourceSystem::new(systems[code_num % systems.len()]))?;
    let mut b = CaseBuilder {
        draw,
        opts,
        jurisdiction,
        staff,
        lead,
        system,
        last_activity: opened,
        open_work: false,
        born: opened,
    };

    // The child: aged 0-17 when the case opens.
    let (born, child_id) = child_identity(&mut b, opened)?;
    b.born = born;
    let sex = child_id.sex();
    let child = Child {
        identity: PersonIdentity::NationalId(child_id),
        sex,
    };
    let (people, household) = household(&mut b, index, born)?;

    let case_id = err(CaseId::new(format!(
        "{jurisdiction}-{code}-{}-{index:07}",
        opened.year()
    )))?;
    let mut data = CaseData {
        people,
        ..CaseData::new(CaseHeader {
            case_id,
            jurisdiction,
            municipality: err(MunicipalityCode::new(code))?,
            opened_on: opened,
            child,
        })
    };

    process(&mut b, &mut data, &household, born)?;

    let candidate = (jurisdiction == Jurisdiction::No).then(|| TrialCandidate {
        decision: data
            .decisions
            .iter()
            .find(|d| d.kind == DecisionKind::Measure)
            .map(|d| (d.id.clone(), d.decided_on, d.legal_basis.clone())),
        first_referral: opened,
        child_born: born,
        carer: household.mother.clone().or(household.father.clone()),
        municipality: muni,
    });
    Ok((data, candidate, b))
}

fn child_identity(
    b: &mut CaseBuilder<'_>,
    opened: NaiveDate,
) -> Result<(NaiveDate, PersonId), Error> {
    match b.jurisdiction {
        Jurisdiction::Se => {
            let from = add_days(years_before(opened, 18), 1);
            let (born, pid) = se_person(&mut b.draw, from, opened)?;
            Ok((born, pid))
        }
        Jurisdiction::No => {
            // Older children are reported more often than infants; every age 0-17 occurs.
            let age = b.draw.weighted(&[
                (0u32, 6),
                (1, 5),
                (2, 5),
                (3, 5),
                (4, 5),
                (5, 5),
                (6, 5),
                (7, 5),
                (8, 6),
                (9, 6),
                (10, 6),
                (11, 6),
                (12, 6),
                (13, 7),
                (14, 7),
                (15, 7),
                (16, 6),
                (17, 5),
            ]);
            let birthday = years_before(opened, age);
            let born = sub_days(birthday, b.draw.below(360));
            let male = b.draw.chance(0.52);
            Ok((born, no_synthetic(&mut b.draw, born, male)?))
        }
    }
}

fn adult(b: &mut CaseBuilder<'_>, child_born: NaiveDate, male: bool) -> Result<PersonId, Error> {
    match b.jurisdiction {
        Jurisdiction::Se => {
            let from = years_before(child_born, 45);
            let to = years_before(child_born, 18);
            // The test list has both sexes at every date; take the next number of the right one.
            for _ in 0..8 {
                let (_, pid) = se_person(&mut b.draw, from, to)?;
                if (pid.sex() == Some(Sex::Male)) == male {
                    return Ok(pid);
                }
            }
            Ok(se_person(&mut b.draw, from, to)?.1)
        }
        Jurisdiction::No => {
            let age = u32::try_from(b.draw.between(19, 44)).unwrap_or(30);
            let born = sub_days(years_before(child_born, age), b.draw.below(365));
            no_synthetic(&mut b.draw, born, male)
        }
    }
}

fn person(
    person_ref: &str,
    identity: Option<PersonIdentity>,
    role: HouseholdRole,
    custody: Involvement,
) -> Result<HouseholdMember, Error> {
    Ok(HouseholdMember {
        person_ref: err(PersonRef::new(person_ref))?,
        identity,
        role,
        has_custody: custody,
        perpetrator: Involvement::Unknown,
        protective: Involvement::Unknown,
    })
}

fn household(
    b: &mut CaseBuilder<'_>,
    index: u64,
    child_born: NaiveDate,
) -> Result<(Vec<HouseholdMember>, Household), Error> {
    let mut people = Vec::new();
    let mut h = Household {
        mother: None,
        father: None,
        step: None,
    };
    let has_mother = b.draw.chance(0.95);
    let has_father = !has_mother || b.draw.chance(0.72);
    if has_mother {
        let identity = if b.draw.chance(0.96) {
            PersonIdentity::NationalId(adult(b, child_born, false)?)
        } else {
            PersonIdentity::Unregistered(Unregistered {
                local_id: err(LocalId::new(format!("person-{index}-1")))?,
                expected_birth_date: None,
            })
        };
        people.push(person(
            "mother",
            Some(identity),
            HouseholdRole::Parent,
            Involvement::Yes,
        )?);
        h.mother = Some(err(PersonRef::new("mother"))?);
    }
    if has_father {
        let identity = if b.draw.chance(0.9) {
            Some(PersonIdentity::NationalId(adult(b, child_born, true)?))
        } else {
            None
        };
        let custody = if b.draw.chance(0.8) {
            Involvement::Yes
        } else {
            Involvement::No
        };
        people.push(person("father", identity, HouseholdRole::Parent, custody)?);
        h.father = Some(err(PersonRef::new("father"))?);
    }
    if b.draw.chance(0.12) {
        let identity = if b.draw.chance(0.5) {
            Some(PersonIdentity::NationalId(adult(b, child_born, true)?))
        } else {
            None
        };
        people.push(person(
            "stepparent",
            identity,
            HouseholdRole::PartnerOfParent,
            Involvement::No,
        )?);
        h.step = Some(err(PersonRef::new("stepparent"))?);
    }
    let siblings = b.draw.weighted(&[(0u32, 55), (1, 30), (2, 12), (3, 3)]);
    for n in 1..=siblings {
        let identity = match b.jurisdiction {
            Jurisdiction::Se => {
                let from = years_before(child_born, 6);
                let to = add_days(child_born, 365 * 5);
                se_person(&mut b.draw, from, to)?.1
            }
            Jurisdiction::No => {
                let born = add_days(years_before(child_born, 6), b.draw.below(365 * 11));
                let male = b.draw.chance(0.5);
                no_synthetic(&mut b.draw, born, male)?
            }
        };
        people.push(person(
            &format!("sibling-{n}"),
            Some(PersonIdentity::NationalId(identity)),
            HouseholdRole::Sibling,
            Involvement::Unknown,
        )?);
    }
    Ok((people, h))
}

/// SE reporters (barnvern's Swedish list) with weights: police and school report most.
const SE_REPORTER_MIX: &[(&str, u32)] = &[
    ("polis", 250),
    ("skola", 170),
    ("forskola", 50),
    ("halso_sjukvard", 70),
    ("bvc", 30),
    ("elevhalsa", 40),
    ("socialtjansten", 80),
    ("forelder", 60),
    ("anhorig", 40),
    ("privatperson", 40),
    ("anonym", 30),
    ("bup", 30),
    ("barnet", 20),
    ("kvinnojour", 10),
    ("socialjouren", 20),
    ("vuxenpsykiatri", 15),
    ("tandvard", 5),
    ("annan_myndighet", 15),
];

/// NO reporters (SSB `Melder` codes) with weights.
const NO_REPORTER_MIX: &[(&str, u32)] = &[
    ("8", 170),
    ("11", 130),
    ("2", 120),
    ("9", 70),
    ("10", 70),
    ("24", 70),
    ("5", 60),
    ("3", 40),
    ("4", 40),
    ("23", 30),
    ("13", 40),
    ("14", 30),
    ("6", 30),
    ("1", 30),
    ("7", 30),
    ("18", 10),
    ("12", 20),
    ("25", 5),
    ("22", 10),
];

fn reporter(b: &mut CaseBuilder<'_>, on: NaiveDate) -> Result<Coded<ReporterCategory>, Error> {
    let (system, code, category) = match b.jurisdiction {
        Jurisdiction::Se => {
            let code = b.draw.weighted(SE_REPORTER_MIX);
            let cat = ReporterCategory::from_se_code(code)
                .ok_or_else(|| Error::Data(format!("reporter {code} is not in the SE list")))?;
            (reporter::SE_SYSTEM, code, cat)
        }
        Jurisdiction::No => {
            let mut code = b.draw.weighted(NO_REPORTER_MIX);
            // Doctor/hospital was 15 (with dentists) until 2024, 24 from 2025.
            if code == "24" && on < ymd(2025, 1, 1) {
                code = "15";
            }
            let cat = ReporterCategory::from_ssb_code(code)
                .ok_or_else(|| Error::Data(format!("reporter {code} is not in the SSB list")))?;
            (reporter::SSB_SYSTEM, code, cat)
        }
    };
    let mut coded = err(Coded::new(category).with_source(system, code))?;
    if category.requires_text() {
        let text = match b.jurisdiction {
            Jurisdiction::Se => *b
                .draw
                .pick(&["Kronofogden", "Arbetsförmedlingen", "Tullverket"]),
            Jurisdiction::No => {
                *b.draw
                    .pick(&["Tannhelsetjenesten", "Kriminalomsorgen", "Tolletaten"])
            }
        };
        coded = coded.with_text(text);
    }
    Ok(coded)
}

/// NO reason codes (SSB saksinnhold) in force on `on`, without the violence codes (those come
/// from the exposures).
fn no_reason_codes(on: NaiveDate) -> &'static [&'static str] {
    if on >= ssb_2026() {
        &[
            "2.1.02", "2.1.03", "2.2.01", "2.2.02", "2.4.03", "2.4.04", "1.3.08", "1.1.02",
            "1.2.03",
        ]
    } else if on >= ymd(2021, 1, 1) {
        &["2", "3", "6", "8", "14", "17", "20", "21", "22", "24", "25"]
    } else {
        &["2", "3", "5", "6", "8", "14", "17", "16", "4"]
    }
}

fn violence(
    b: &mut CaseBuilder<'_>,
    h: &Household,
    reporter: ReporterCategory,
    on: NaiveDate,
) -> Result<Vec<ViolenceExposure>, Error> {
    let p = match reporter {
        ReporterCategory::Police => 0.55,
        ReporterCategory::CrisisCentre => 0.8,
        ReporterCategory::ChildWelfareEmergency => 0.4,
        _ => 0.18,
    };
    if !b.draw.chance(p) {
        return Ok(Vec::new());
    }
    let n = b.draw.weighted(&[(1u32, 70), (2, 25), (3, 5)]);
    let mut out = Vec::new();
    for _ in 0..n {
        // Who used violence: the father most often, then a step-parent, then the mother.
        let mut options: Vec<(u8, u32)> = Vec::new();
        if h.father.is_some() {
            options.push((0, 60));
        }
        if h.step.is_some() {
            options.push((1, 25));
        }
        if h.mother.is_some() {
            options.push((2, 15));
        }
        options.push((3, 5));
        let who = b.draw.weighted(&options);
        let (relation, perpetrator) = match who {
            0 => (Relation::Father, h.father.clone()),
            1 => (Relation::PartnerOfParent, h.step.clone()),
            2 => (Relation::Mother, h.mother.clone()),
            _ => (Relation::Unknown, None),
        };
        let witnessed = who != 2 && h.mother.is_some() && b.draw.chance(0.45);
        let form = b.draw.weighted(&[
            (ViolenceForm::Physical, 50),
            (ViolenceForm::Psychological, 30),
            (ViolenceForm::Sexual, 4),
            (ViolenceForm::Neglect, 8),
            (ViolenceForm::HonourRelated, 3),
            (ViolenceForm::MaterialEconomic, 2),
            (ViolenceForm::Other, 3),
        ]);
        let mut v = ViolenceExposure {
            form,
            mode: if witnessed {
                ExposureMode::Witnessed
            } else {
                ExposureMode::Direct
            },
            perpetrator_relation: Some(relation),
            perpetrator,
            victim: witnessed.then_some(Relation::Mother),
            source: None,
            text: (form == ViolenceForm::Other).then(|| "Hot om våld via sms".to_owned()),
        };
        if b.jurisdiction == Jurisdiction::No {
            let codes = v.ssb_codes();
            let code = if on >= ssb_2026() {
                Some(codes.kunnskapsmodellen)
            } else {
                codes.legacy
            };
            // Negative social control (32) is in the legacy list only from 2025.
            let code = code.filter(|c| *c != "32" || on >= ymd(2025, 1, 1));
            if let Some(code) = code {
                v.source = Some(err(SourceCode::new(
                    barnvern_core::codelist::SAKSINNHOLD,
                    code,
                ))?);
            }
            if form == ViolenceForm::Other {
                v.text = Some("Trusler om vold på sms".to_owned());
            }
        }
        if out
            .iter()
            .any(|o: &ViolenceExposure| o.form == v.form && o.mode == v.mode)
        {
            continue;
        }
        out.push(v);
    }
    Ok(out)
}

const SE_REFERRAL_TEXTS: &[&str] = &[
    "Barnet har vid flera tillfällen kommit till skolan utan mat och med smutsiga kläder.",
    "Polisen har varit på plats i hemmet efter larm om bråk.",
    "Barnet berättar om oro hemma och har hög frånvaro.",
    "Föräldern har sökt hjälp och uppger att hen inte orkar.",
];
const NO_REFERRAL_TEXTS: &[&str] = &[
    "Barnet kommer ofte sulten og uten matpakke.",
    "Politiet rykket ut etter melding om krangling i hjemmet.",
    "Barnet forteller om uro hjemme og har høyt fravær.",
    "Forelderen ber selv om hjelp og sier at hun ikke orker mer.",
];

/// Where the work on the case stands while the referrals are processed in date order.
#[derive(Default)]
struct Progress {
    /// Start and (if concluded) end of the latest investigation.
    investigation: Option<(NaiveDate, Option<NaiveDate>)>,
    /// The end of the latest active measure (None: still running).
    measures_until: Option<Option<NaiveDate>>,
    counter: Counters,
}

#[derive(Default)]
struct Counters {
    inv: u32,
    dec: u32,
    iv: u32,
    plan: u32,
}

fn process(
    b: &mut CaseBuilder<'_>,
    data: &mut CaseData,
    h: &Household,
    born: NaiveDate,
) -> Result<(), Error> {
    let as_of = b.as_of();
    // Referral dates: the first opens the case; a third of cases get more.
    let mut dates = vec![data.opened_on];
    while dates.len() < 5 && b.draw.chance(0.33) {
        let Some(last) = dates.last().copied() else {
            break;
        };
        let next = b.draw.days_after(last, 20, 420);
        // A report about a Norwegian young adult is no child-welfare case: SSB wants measures
        // for every client of 18 or more (Sak Kontroll 8).
        if next >= as_of || (b.jurisdiction == Jurisdiction::No && age_on(born, next) >= 18) {
            break;
        }
        dates.push(next);
    }
    let mut state = Progress::default();
    for (k, on) in dates.into_iter().enumerate() {
        // Once the case would be closed (nothing running), later reports are a new case.
        referral(b, data, h, born, &mut state, k + 1, on)?;
    }
    Ok(())
}

/// Follow-ups and, when nothing is left open, the closure after the last activity.
pub(crate) fn finish(b: &mut CaseBuilder<'_>, data: &mut CaseData) -> Result<(), Error> {
    let born = b.born;
    follow_ups_and_closure(b, data, born)
}

#[allow(clippy::too_many_arguments)]
fn referral(
    b: &mut CaseBuilder<'_>,
    data: &mut CaseData,
    h: &Household,
    born: NaiveDate,
    state: &mut Progress,
    n: usize,
    on: NaiveDate,
) -> Result<(), Error> {
    let as_of = b.as_of();
    let j = b.jurisdiction;
    b.touch(on);
    let received_minute = b.draw.between(7 * 60, 19 * 60);
    let received_at = CaseBuilder::local(on, received_minute)?;
    let rep = reporter(b, on)?;
    let exposures = violence(b, h, rep.code, on)?;
    for v in &exposures {
        if let Some(p) = &v.perpetrator
            && let Some(person) = data.people.iter_mut().find(|x| &x.person_ref == p)
        {
            person.perpetrator = Involvement::Yes;
        }
        if v.mode == ExposureMode::Witnessed
            && let Some(m) = data
                .people
                .iter_mut()
                .find(|x| x.person_ref.as_str() == "mother")
        {
            m.protective = Involvement::Yes;
        }
    }
    let mut reasons = Vec::new();
    if j == Jurisdiction::No {
        let list = no_reason_codes(on);
        let k = b.draw.weighted(&[(1usize, 60), (2, 30), (3, 10)]);
        for _ in 0..k {
            let code = *b.draw.pick(list);
            let sc = err(SourceCode::new(barnvern_core::codelist::SAKSINNHOLD, code))?;
            if !reasons.contains(&sc) {
                reasons.push(sc);
            }
        }
        for v in &exposures {
            if let Some(s) = &v.source
                && !reasons.contains(s)
            {
                reasons.push(s.clone());
            }
        }
    }
    let free_text = b.draw.chance(0.3).then(|| {
        let texts = match j {
            Jurisdiction::Se => SE_REFERRAL_TEXTS,
            Jurisdiction::No => NO_REFERRAL_TEXTS,
        };
        (*b.draw.pick(texts)).to_owned()
    });
    // Recorded a few minutes to a few hours after receipt.
    let recorded_at = received_at.with_timezone(&Utc)
        + chrono::Duration::minutes(i64::try_from(b.draw.between(3, 240)).unwrap_or(10));
    let mut provenance = b.prov(on, StaffRole::Caseworker)?;
    provenance.recorded_at = recorded_at;
    let ref_id = err(ReferralId::new(format!("ref-{n}")))?;
    let has_violence = !exposures.is_empty();
    data.referrals.push(Referral {
        id: ref_id.clone(),
        received_at,
        reporter: rep,
        reasons,
        violence: exposures,
        free_text,
        provenance,
    });

    // SE: protection assessment "genast" (due the day after receipt).
    let mut immediate = false;
    if j == Jurisdiction::Se {
        let roll = b.draw.unit();
        let minutes = if roll < 0.95 {
            Some(b.draw.between(15, 600))
        } else if roll < 0.98 {
            Some(b.draw.between(2 * 1440, 5 * 1440))
        } else {
            None
        };
        if let Some(m) = minutes {
            let at = received_at + chrono::Duration::minutes(i64::try_from(m).unwrap_or(0));
            if at.date_naive() <= as_of {
                immediate = has_violence && b.draw.chance(0.15);
                let recorded = at.with_timezone(&Utc)
                    + chrono::Duration::minutes(i64::try_from(b.draw.between(2, 90)).unwrap_or(5));
                let prov = b.prov_instant(recorded, StaffRole::Caseworker);
                data.protection_assessments.push(ProtectionAssessment {
                    id: err(AssessmentId::new(format!("pa-{n}")))?,
                    referral_id: ref_id.clone(),
                    assessed_at: at,
                    immediate_protection_needed: immediate,
                    provenance: prov,
                });
            } else {
                b.open_work = true;
            }
        } else {
            b.open_work = true;
        }
    }

    // Emergency decision where the child needed immediate protection.
    if immediate {
        emergency(b, data, state, on)?;
    }

    // Screening: within the statutory days mostly; some late; a few not done.
    let limit = match j {
        Jurisdiction::Se => 14,
        Jurisdiction::No => 7,
    };
    let roll = b.draw.unit();
    let mut extraordinary = None;
    let decided = if roll < 0.86 {
        Some(b.draw.days_after(on, 0, limit))
    } else if roll < 0.97 {
        let late = b.draw.days_after(on, limit + 1, limit + 25);
        if j == Jurisdiction::Se && b.draw.chance(0.4) {
            extraordinary = Some(
                (*b.draw.pick(&[
                    "Väntar på polisförhör med barnet.",
                    "Vårdnadshavarna har inte gått att nå trots flera försök.",
                    "Barnet har vistats utomlands.",
                ]))
                .to_owned(),
            );
        }
        Some(late)
    } else {
        None
    };
    let Some(decided) = decided.filter(|d| *d <= as_of) else {
        b.open_work = true;
        return Ok(());
    };
    b.touch(decided);
    let investigation_running = state
        .investigation
        .is_some_and(|(s, end)| s <= decided && end.is_none_or(|e| decided <= e));
    let measures_running = state
        .measures_until
        .is_some_and(|until| until.is_none_or(|u| decided <= u));
    let outcome = if investigation_running {
        ScreeningOutcome::JoinedOngoingInvestigation
    } else if measures_running && b.draw.chance(0.6) {
        ScreeningOutcome::ClosedActiveMeasures
    } else {
        let p_open = if has_violence { 0.85 } else { 0.45 };
        if b.draw.chance(p_open) {
            ScreeningOutcome::OpenInvestigation
        } else if b.draw.chance(0.08) && (j == Jurisdiction::Se || decided >= ssb_2026()) {
            ScreeningOutcome::Transferred
        } else {
            ScreeningOutcome::NoInvestigation
        }
    };
    let mut coded = Coded::new(outcome);
    if j == Jurisdiction::No {
        // Codes 3 and 4 exist from 2020; before, those outcomes have no SSB code.
        let code = match outcome {
            ScreeningOutcome::OpenInvestigation => Some("2"),
            ScreeningOutcome::NoInvestigation if decided >= ssb_2026() => Some("10"),
            ScreeningOutcome::NoInvestigation => Some("1"),
            ScreeningOutcome::ClosedActiveMeasures
            | ScreeningOutcome::JoinedOngoingInvestigation
                if decided < ymd(2020, 1, 1) =>
            {
                None
            }
            ScreeningOutcome::ClosedActiveMeasures => Some("3"),
            ScreeningOutcome::JoinedOngoingInvestigation => Some("4"),
            ScreeningOutcome::Transferred => Some("7"),
        };
        if let Some(code) = code {
            coded = err(coded.with_source(SSB_MELDING_KONKLUSJON, code))?;
        }
    }
    let scr_id = err(ScreeningId::new(format!("scr-{n}")))?;
    let prov = b.prov(decided, StaffRole::Caseworker)?;
    data.screenings.push(Screening {
        id: scr_id.clone(),
        referral_id: ref_id.clone(),
        decided_on: decided,
        outcome: coded,
        extraordinary_reasons: extraordinary,
        provenance: prov,
    });
    match outcome {
        ScreeningOutcome::OpenInvestigation => {
            investigation(
                b,
                data,
                h,
                born,
                state,
                scr_id,
                ref_id,
                decided,
                has_violence,
            )?;
        }
        ScreeningOutcome::NoInvestigation
            if j == Jurisdiction::Se
                && decided >= Law::SeSol2025.in_force_from()
                && b.draw.chance(0.2) =>
        {
            // SoL 2025:400: some services are given without a needs assessment.
            light_touch(b, data, h, state, decided)?;
        }
        _ => {}
    }
    Ok(())
}

/// What an investigation from `started` to `until` finds about violence: violence disclosed
/// while it runs (more often where the referral reported violence), and structured risk
/// assessments where there is violence to assess.
fn violence_found(
    b: &mut CaseBuilder<'_>,
    h: &Household,
    started: NaiveDate,
    until: NaiveDate,
    reported: bool,
) -> Result<(Vec<ViolenceDisclosure>, Vec<RiskAssessment>), Error> {
    let span = days_between(started, until);
    let mut disclosed = Vec::new();
    if b.draw.chance(if reported { 0.2 } else { 0.08 }) {
        let on = b.draw.days_after(started, 0, span);
        let (relation, perpetrator) = match (&h.father, &h.step) {
            (Some(f), _) if b.draw.chance(0.6) => (Relation::Father, Some(f.clone())),
            (_, Some(s)) if b.draw.chance(0.5) => (Relation::PartnerOfParent, Some(s.clone())),
            _ => (
                b.draw.weighted(&[
                    (Relation::OtherFamily, 30),
                    (Relation::KnownNonFamily, 30),
                    (Relation::Stranger, 10),
                    (Relation::Unknown, 30),
                ]),
                None,
            ),
        };
        let form = b.draw.weighted(&[
            (ViolenceForm::Physical, 45),
            (ViolenceForm::Psychological, 40),
            (ViolenceForm::Sexual, 5),
            (ViolenceForm::HonourRelated, 5),
            (ViolenceForm::MaterialEconomic, 5),
        ]);
        let witnessed = h.mother.is_some() && b.draw.chance(0.4);
        disclosed.push(ViolenceDisclosure {
            disclosed_on: on,
            exposure: ViolenceExposure {
                form,
                mode: if witnessed {
                    ExposureMode::Witnessed
                } else {
                    ExposureMode::Direct
                },
                perpetrator_relation: Some(relation),
                perpetrator,
                victim: witnessed.then_some(Relation::Mother),
                source: None,
                text: None,
            },
        });
    }
    let mut risks = Vec::new();
    if (reported || !disclosed.is_empty()) && b.draw.chance(0.6) {
        let on = b.draw.days_after(started, 0, span);
        let method = match b.jurisdiction {
            Jurisdiction::Se => b.draw.weighted(&[
                (RiskMethod::FredaDanger, 45),
                (RiskMethod::FredaScreening, 20),
                (RiskMethod::Sara, 10),
                (RiskMethod::Patriark, 5),
                (RiskMethod::ClinicalJudgement, 20),
            ]),
            Jurisdiction::No => b.draw.weighted(&[
                (RiskMethod::SignsOfSafety, 35),
                (RiskMethod::BSafer, 10),
                (RiskMethod::OtherStructured, 20),
                (RiskMethod::ClinicalJudgement, 35),
            ]),
        };
        let mut method = Coded::new(method);
        if method.code == RiskMethod::OtherStructured {
            method.text = Some("Kvello-malen".to_owned());
        }
        let level = b.draw.weighted(&[
            (RiskLevel::Low, 35),
            (RiskLevel::Moderate, 35),
            (RiskLevel::High, 20),
            (RiskLevel::Acute, 4),
            (RiskLevel::NotDetermined, 6),
        ]);
        risks.push(RiskAssessment {
            assessed_on: on,
            method,
            level: Coded::new(level),
            provenance: b.prov(on, StaffRole::Caseworker)?,
        });
    }
    Ok((disclosed, risks))
}

/// An emergency decision (SE omedelbart omhändertagande, LVU 6 §; NO akuttvedtak) on the day of
/// the report.
fn emergency(
    b: &mut CaseBuilder<'_>,
    data: &mut CaseData,
    state: &mut Progress,
    on: NaiveDate,
) -> Result<(), Error> {
    state.counter.dec += 1;
    let basis = match b.jurisdiction {
        Jurisdiction::Se => LegalBasis {
            section: Some("6".into()),
            ..LegalBasis::law(Law::SeLvu1990)
        },
        Jurisdiction::No => no_basis(on, DecisionKind::Emergency),
    };
    let prov = b.prov(on, StaffRole::TeamLeader)?;
    let mut history = vec![status(b.jurisdiction, DecisionStatus::Approved, on)?];
    let lapse = b.draw.days_after(on, 14, 60);
    if lapse <= b.as_of() {
        history.push(status(b.jurisdiction, DecisionStatus::Lapsed, lapse)?);
        b.touch(lapse);
    }
    data.decisions.push(Decision {
        id: err(DecisionId::new(format!("dec-{}", state.counter.dec)))?,
        decided_on: on,
        kind: DecisionKind::Emergency,
        investigation_id: None,
        legal_basis: basis,
        ended_on: ended_on(&history),
        status_history: history,
        claims: Vec::new(),
        provenance: prov,
    });
    Ok(())
}

/// The date a decision ended: its latest change to lapsed or refused/ended (SSB requires it
/// then, Vedtak Kontroll 3).
fn ended_on(history: &[StatusChange]) -> Option<NaiveDate> {
    history
        .last()
        .filter(|s| {
            matches!(
                s.status.code,
                DecisionStatus::Lapsed | DecisionStatus::RefusedOrEnded
            )
        })
        .map(|s| s.on)
}

fn status(j: Jurisdiction, s: DecisionStatus, on: NaiveDate) -> Result<StatusChange, Error> {
    let mut coded = Coded::new(s);
    // SSB's decision-status list begins in 2022.
    if j == Jurisdiction::No && on >= ymd(2022, 1, 1) {
        coded = err(coded.with_source(SSB_VEDTAK_STATUS, s.ssb_code()))?;
    }
    Ok(StatusChange { status: coded, on })
}

/// The Norwegian legal basis of a decision of `kind` on `on`: barnevernloven 1992 until 2022,
/// barnevernsloven 2021 from 2023.
fn no_basis(on: NaiveDate, kind: DecisionKind) -> LegalBasis {
    let law = Law::main_act_on(Jurisdiction::No, on).unwrap_or(Law::NoBvl2021);
    let (chapter, section) = match (law, kind) {
        (Law::NoBvl1992, DecisionKind::CareOrder) => ("4", "12"),
        (Law::NoBvl1992, DecisionKind::Emergency) => ("4", "6"),
        (Law::NoBvl1992, _) => ("4", "4"),
        (_, DecisionKind::CareOrder) => ("5", "1"),
        (_, DecisionKind::Emergency) => ("4", "2"),
        _ => ("3", "1"),
    };
    LegalBasis {
        chapter: Some(chapter.into()),
        section: Some(section.into()),
        ..LegalBasis::law(law)
    }
}

/// The Swedish legal basis of a decision of `kind` on `on`: SoL 2001:453 until 30 June 2025,
/// SoL 2025:400 from 1 July 2025 (its section numbers are not verified, so only the law), LVU
/// for compulsory care.
fn se_basis(on: NaiveDate, kind: DecisionKind) -> LegalBasis {
    match kind {
        DecisionKind::CareOrder => LegalBasis {
            section: Some("2".into()),
            ..LegalBasis::law(Law::SeLvu1990)
        },
        DecisionKind::Emergency => LegalBasis {
            section: Some("6".into()),
            ..LegalBasis::law(Law::SeLvu1990)
        },
        _ => match Law::main_act_on(Jurisdiction::Se, on) {
            Some(Law::SeSol2001) | None => LegalBasis {
                chapter: Some("4".into()),
                section: Some("1".into()),
                ..LegalBasis::law(Law::SeSol2001)
            },
            Some(law) => LegalBasis::law(law),
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn investigation(
    b: &mut CaseBuilder<'_>,
    data: &mut CaseData,
    h: &Household,
    born: NaiveDate,
    state: &mut Progress,
    scr_id: ScreeningId,
    ref_id: ReferralId,
    decided: NaiveDate,
    violence: bool,
) -> Result<(), Error> {
    let as_of = b.as_of();
    let j = b.jurisdiction;
    let started = match j {
        // NO: the screening's conclusion date is the investigation's start (SSB).
        Jurisdiction::No => decided,
        Jurisdiction::Se => b.draw.days_after(decided, 0, 2),
    };
    if started > as_of {
        return Ok(());
    }
    b.touch(started);
    state.counter.inv += 1;
    let n = state.counter.inv;
    let plan_on = b.draw.days_after(started, 0, 14);
    // SE counts from the start; NO from the end of the report review, at the latest receipt +
    // 7 days (bvl. § 2-2 with § 2-1), so a late review leaves less time.
    let period_start = match j {
        Jurisdiction::Se => started,
        Jurisdiction::No => data
            .referrals
            .iter()
            .find(|r| r.id == ref_id)
            .and_then(|r| r.received_on().checked_add_days(chrono::Days::new(7)))
            .map_or(decided, |limit| decided.min(limit)),
    };
    let due = match j {
        Jurisdiction::Se => add_months(period_start, 4),
        Jurisdiction::No => add_months(period_start, 3),
    };
    let max_ext = add_months(period_start, 6);
    let roll = b.draw.unit();
    let mut extensions = Vec::new();
    let concluded;
    let span = days_between(started, due);
    if roll < 0.80 {
        concluded = b.draw.days_after(started, span / 4, span);
    } else if roll < 0.96 {
        // Extended by decision before the due date, with a reason.
        let ext_on = b.draw.days_after(started, span / 2, span.saturating_sub(1));
        let new_due = match j {
            Jurisdiction::Se => add_months(due, 1 + u32::try_from(b.draw.below(2)).unwrap_or(0)),
            Jurisdiction::No => {
                let room = days_between(due, max_ext);
                b.draw.days_after(due, room / 2, room)
            }
        };
        let reason = match j {
            Jurisdiction::Se => *b.draw.pick(&[
                "Väntar på utlåtande från BUP.",
                "Barnet har inte kunnat höras ännu.",
                "Komplettering från skolan behövs.",
            ]),
            Jurisdiction::No => *b.draw.pick(&[
                "Særlige tilfeller: venter på sakkyndig vurdering.",
                "Særlige tilfeller: barnet er ikke samtalt ennå.",
            ]),
        };
        extensions.push(Extension {
            decided_on: ext_on,
            reason: reason.to_owned(),
            new_due,
            // Norway reports the application and whether it was granted (SSB UtvidetFrist).
            applied_on: (j == Jurisdiction::No).then_some(ext_on),
            granted: (j == Jurisdiction::No).then_some(true),
        });
        concluded = if roll < 0.92 {
            b.draw.days_after(due, 1, days_between(due, new_due).max(1))
        } else {
            b.draw.days_after(new_due, 1, 40)
        };
    } else {
        concluded = b.draw.days_after(due, 1, 60);
    }
    extensions.retain(|e| e.decided_on <= as_of.min(concluded));
    let plan = (plan_on <= as_of.min(concluded)).then_some(InvestigationPlan { made_on: plan_on });
    let done = concluded <= as_of;
    let child_age = age_on(born, started);
    let mut participation = Vec::new();
    if done && (j == Jurisdiction::No || b.draw.chance(0.6)) {
        let p = if child_age < 3 {
            b.draw.weighted(&[
                (ChildParticipation::Observation, 70),
                (ChildParticipation::Representative, 20),
                (ChildParticipation::NotGivenOpportunity, 10),
            ])
        } else {
            b.draw.weighted(&[
                (ChildParticipation::Conversation, 75),
                (ChildParticipation::Observation, 8),
                (ChildParticipation::OtherExpression, 4),
                (ChildParticipation::NotGivenOpportunity, 8),
                (ChildParticipation::Declined, 5),
            ])
        };
        let mut coded = Coded::new(p);
        // SSB's child-participation list is in force from 2026.
        if j == Jurisdiction::No && concluded >= ssb_2026() {
            coded = err(coded.with_source(SSB_MEDVIRKNING, p.ssb_code()))?;
        }
        participation.push(coded);
    }
    let conclusion = if done {
        let c = b.draw.weighted(&[
            (
                InvestigationConclusion::Measures,
                if violence { 55 } else { 42 },
            ),
            (InvestigationConclusion::CountyBoardApplication, 4),
            (InvestigationConclusion::ClosedNoGrounds, 38),
            (InvestigationConclusion::ClosedAtPartyRequest, 6),
            (InvestigationConclusion::ClosedMoved, 4),
            (InvestigationConclusion::ClosedReferredElsewhere, 3),
        ]);
        // SSB code 6 (referred elsewhere) exists from 2022.
        let c = if j == Jurisdiction::No
            && c == InvestigationConclusion::ClosedReferredElsewhere
            && concluded < ymd(2022, 1, 1)
        {
            InvestigationConclusion::ClosedNoGrounds
        } else {
            c
        };
        let mut coded = Coded::new(c);
        if j == Jurisdiction::No {
            let code = match c {
                InvestigationConclusion::Measures => "1",
                InvestigationConclusion::CountyBoardApplication => "2",
                InvestigationConclusion::ClosedNoGrounds => "3",
                InvestigationConclusion::ClosedAtPartyRequest => "4",
                InvestigationConclusion::ClosedMoved if concluded >= ssb_2026() => "9",
                InvestigationConclusion::ClosedMoved => "5",
                InvestigationConclusion::ClosedReferredElsewhere => "6",
            };
            coded = err(coded.with_source(SSB_UNDERSOKELSE_KONKLUSJON, code))?;
        }
        Some(coded)
    } else {
        b.open_work = true;
        None
    };
    let inv_id = err(InvestigationId::new(format!("inv-{n}")))?;
    let prov = b.prov(started, StaffRole::Caseworker)?;
    let conclusion_code = conclusion.as_ref().map(|c| c.code);
    for e in &extensions {
        b.touch(e.decided_on);
    }
    let until = if done { concluded } else { as_of };
    let (later_violence, risk_assessments) = violence_found(b, h, started, until, violence)?;
    let decision_grounds = match (j, conclusion_code, done) {
        (
            Jurisdiction::No,
            Some(
                InvestigationConclusion::Measures | InvestigationConclusion::CountyBoardApplication,
            ),
            true,
        ) => grounds(data, &ref_id, concluded, n as usize)?,
        _ => Vec::new(),
    };
    data.investigations.push(Investigation {
        id: inv_id.clone(),
        screening_id: Some(scr_id),
        referral_ids: vec![ref_id],
        started_on: started,
        plan,
        extensions,
        child_participation: participation,
        concluded_on: done.then_some(concluded),
        conclusion,
        violence: later_violence,
        risk_assessments,
        decision_grounds,
        provenance: prov,
    });
    state.investigation = Some((started, done.then_some(concluded)));
    if !done {
        return Ok(());
    }
    b.touch(concluded);
    match conclusion_code {
        Some(InvestigationConclusion::Measures) => {
            decision_and_measures(b, data, h, state, inv_id, concluded, DecisionKind::Measure)
        }
        Some(InvestigationConclusion::CountyBoardApplication) => decision_and_measures(
            b,
            data,
            h,
            state,
            inv_id,
            concluded,
            DecisionKind::CareOrder,
        ),
        _ => Ok(()),
    }
}

/// NO: the grounds for a decision to act that an investigation concluding with measures
/// found (SSB Vedtaksgrunnlag, required then: Undersøkelse Kontroll 7): the report's reasons
/// still in the list on the conclusion date, else one of the list's common codes. Drawn from
/// the data, not the random stream, so the rest of the cohort stays as it was.
fn grounds(
    data: &CaseData,
    ref_id: &ReferralId,
    concluded: NaiveDate,
    n: usize,
) -> Result<Vec<Ground>, Error> {
    let in_force = no_reason_codes(concluded);
    let mut codes: Vec<&str> = data
        .referrals
        .iter()
        .filter(|r| &r.id == ref_id)
        .flat_map(|r| r.reasons.iter())
        .map(|c| c.code())
        .filter(|c| in_force.contains(c))
        .collect();
    codes.dedup();
    if codes.is_empty() {
        codes.push(in_force[n % in_force.len()]);
    }
    codes
        .into_iter()
        .map(|c| {
            Ok(Ground {
                code: err(SourceCode::new(barnvern_core::codelist::SAKSINNHOLD, c))?,
                text: None,
            })
        })
        .collect()
}

fn decision_and_measures(
    b: &mut CaseBuilder<'_>,
    data: &mut CaseData,
    h: &Household,
    state: &mut Progress,
    inv_id: InvestigationId,
    concluded: NaiveDate,
    kind: DecisionKind,
) -> Result<(), Error> {
    let as_of = b.as_of();
    let j = b.jurisdiction;
    // An investigation that concludes with measures concludes in their decision: SSB wants
    // the decision beside it (Undersøkelse Kontroll 21), so it is made by the as-of date.
    let decided = b.draw.days_after(concluded, 0, 10).min(as_of);
    b.touch(decided);
    state.counter.dec += 1;
    let dec_id = err(DecisionId::new(format!("dec-{}", state.counter.dec)))?;
    let basis = match j {
        Jurisdiction::Se => se_basis(decided, kind),
        Jurisdiction::No => no_basis(decided, kind),
    };
    let mut history = Vec::new();
    let mut in_force = decided;
    if kind == DecisionKind::CareOrder {
        history.push(status(j, DecisionStatus::SentToBoard, decided)?);
        if j == Jurisdiction::No {
            // The application goes to the county board the day it is decided.
            data.board_referrals.push(BoardReferral {
                id: err(BoardReferralId::new(format!("board-{}", state.counter.dec)))?,
                sent_on: decided,
                decision_id: Some(dec_id.clone()),
                legal_basis: basis.clone(),
                also_under: Vec::new(),
                provenance: b.prov(decided, StaffRole::Caseworker)?,
            });
        }
        let approved = b.draw.days_after(decided, 20, 90);
        if approved > as_of {
            b.open_work = true;
            let prov = b.prov(decided, StaffRole::TeamLeader)?;
            data.decisions.push(Decision {
                id: dec_id,
                decided_on: decided,
                kind,
                investigation_id: Some(inv_id),
                legal_basis: basis,
                ended_on: ended_on(&history),
                status_history: history,
                claims: Vec::new(),
                provenance: prov,
            });
            return Ok(());
        }
        in_force = approved;
    }
    history.push(status(j, DecisionStatus::Approved, in_force)?);
    b.touch(in_force);

    // One or two interventions under the decision, with a plan.
    let count = if kind == DecisionKind::CareOrder || b.draw.chance(0.7) {
        1
    } else {
        2
    };
    state.counter.plan += 1;
    let plan_id = err(PlanId::new(format!("plan-{}", state.counter.plan)))?;
    let mut ids = Vec::new();
    let mut latest_end: Option<NaiveDate> = Some(in_force);
    let mut first_start = None;
    for _ in 0..count {
        let start = b.draw.days_after(in_force, 3, 30);
        first_start.get_or_insert(start);
        let (iv, end) = intervention(
            b,
            data,
            h,
            state,
            start,
            kind,
            Some((&dec_id, &basis)),
            &plan_id,
        )?;
        latest_end = match (latest_end, end) {
            (_, None) => None,
            (Some(a), Some(e)) => Some(a.max(e)),
            (None, _) => None,
        };
        ids.push(iv);
    }
    // The decision ends when its measures end.
    if let Some(end) = latest_end.filter(|e| *e > in_force && *e <= as_of) {
        history.push(status(j, DecisionStatus::RefusedOrEnded, end)?);
    }
    let prov = b.prov(decided, StaffRole::TeamLeader)?;
    data.decisions.push(Decision {
        id: dec_id,
        decided_on: decided,
        kind,
        investigation_id: Some(inv_id),
        legal_basis: basis,
        ended_on: ended_on(&history),
        status_history: history,
        claims: Vec::new(),
        provenance: prov,
    });
    state.measures_until = Some(latest_end);
    plan(
        b,
        data,
        plan_id,
        ids,
        in_force,
        first_start,
        latest_end,
        kind,
    )?;
    Ok(())
}

/// SE types of voluntary help, weighted.
const SE_MEASURES: &[(&str, u32)] = &[
    ("familjebehandling", 30),
    ("kontaktperson", 15),
    ("kontaktfamilj", 12),
    ("rad_och_stod", 15),
    ("foraldragrupp", 8),
    ("mst", 4),
    ("fft", 4),
    ("icdp", 5),
    ("marte_meo", 4),
    ("oppenvardsinsats", 6),
];
/// SE placements under LVU.
const SE_PLACEMENTS: &[(&str, u32)] = &[
    ("familjehem", 45),
    ("natverkshem", 25),
    ("hvb", 20),
    ("jourhem", 10),
];
/// SE services that may be given without a needs assessment (SoL 2025:400).
const SE_LIGHT: &[(&str, u32)] = &[
    ("rad_och_stod", 50),
    ("familjebehandling", 25),
    ("foraldragrupp", 15),
    ("kontaktperson", 10),
];
/// NO help measures (SSB tiltak-kategori), weighted.
const NO_MEASURES: &[(&str, u32)] = &[
    ("3.9", 15),
    ("3.10", 12),
    ("4.3", 10),
    ("4.5", 10),
    ("4.6", 10),
    ("3.2", 6),
    ("3.1", 3),
    ("3.5", 8),
    ("3.6", 5),
    ("4.1", 6),
    ("6.4", 6),
    ("4.4", 5),
    ("5.1", 4),
];
/// NO placements after a care order.
const NO_PLACEMENTS: &[(&str, u32)] = &[("2.1", 30), ("2.2", 45), ("1.1", 15), ("2.3", 10)];

fn intervention_type(
    b: &mut CaseBuilder<'_>,
    kind: DecisionKind,
    light: bool,
) -> Result<Coded<InterventionType>, Error> {
    let (system, list) = match (b.jurisdiction, kind, light) {
        (Jurisdiction::Se, _, true) => (barnvern_intervention::kind::SE_SYSTEM, SE_LIGHT),
        (Jurisdiction::Se, DecisionKind::CareOrder, _) => {
            (barnvern_intervention::kind::SE_SYSTEM, SE_PLACEMENTS)
        }
        (Jurisdiction::Se, _, _) => (barnvern_intervention::kind::SE_SYSTEM, SE_MEASURES),
        (Jurisdiction::No, DecisionKind::CareOrder, _) => (SSB_TILTAK, NO_PLACEMENTS),
        (Jurisdiction::No, _, _) => (SSB_TILTAK, NO_MEASURES),
    };
    let mut code = b.draw.weighted(list);
    // Kindergarten is for children up to school age: SSB warns of a child over 7 in one
    // (Tiltak Kontroll 5, judged on the extract's date); an older child gets leisure
    // activities instead.
    if code == "4.1" && age_on(b.born, b.as_of()) > 7 {
        code = "4.3";
    }
    let concept = InterventionType::from_source(system, code)
        .flatten()
        .ok_or_else(|| Error::Data(format!("intervention code {code} is not in {system}")))?;
    err(Coded::new(concept).with_source(system, code))
}

/// An intervention starting on `start` (or planned, if that is after the as-of date); returns
/// its id and end (None while it runs).
#[allow(clippy::too_many_arguments)]
fn intervention(
    b: &mut CaseBuilder<'_>,
    data: &mut CaseData,
    h: &Household,
    state: &mut Progress,
    start: NaiveDate,
    kind: DecisionKind,
    decision: Option<(&DecisionId, &LegalBasis)>,
    plan_id: &PlanId,
) -> Result<(InterventionId, Option<NaiveDate>), Error> {
    let light = decision.is_none();
    let t = intervention_type(b, kind, light)?;
    add_intervention(b, data, h, state, start, t, decision, Some(plan_id), kind)
}

/// The Family Partner measure of a family in the trial's intervention arm, running with its
/// enrolment.
#[allow(clippy::too_many_arguments)]
pub(crate) fn family_partner_measure(
    b: &mut CaseBuilder<'_>,
    data: &mut CaseData,
    carer: Option<&PersonRef>,
    start: NaiveDate,
    end: Option<NaiveDate>,
    how: Option<barnvern_familypartner::EnrolmentEnd>,
    t: Coded<InterventionType>,
    decision: (&DecisionId, &LegalBasis),
) -> Result<(), Error> {
    use barnvern_familypartner::EnrolmentEnd;
    let n = data.interventions.len() + 1;
    let id = err(InterventionId::new(format!("iv-fp-{n}")))?;
    let consents = match carer {
        Some(p) => vec![Consent {
            person: p.clone(),
            party: ConsentParty::Carer,
            status: ConsentStatus::Given,
            on: start,
        }],
        None => Vec::new(),
    };
    let reason = end.map(|_| match how {
        Some(EnrolmentEnd::Completed) => EndReason::GoalReached,
        Some(EnrolmentEnd::Withdrawn) => EndReason::FamilyDeclined,
        _ => EndReason::NoEffect,
    });
    let prov = b.prov(start, StaffRole::Caseworker)?;
    let evaluations = evaluations(b, start, end, None)?;
    data.interventions.push(Intervention {
        id,
        intervention_type: t,
        basis: InterventionBasis::Decision {
            decision_id: Some(decision.0.clone()),
            legal_basis: decision.1.clone(),
        },
        consents,
        plan_id: None,
        planned_start: Some(start),
        planned_end: Some(add_months(start, 12)),
        started_on: Some(start),
        ended_on: end,
        end_reason: reason.map(Coded::new),
        evaluations,
        supervision: None,
        follow_up_visits: None,
        provenance: prov,
    });
    Ok(())
}

/// Evaluations every three months from the start (most on time, some late), up to the end or
/// the as-of date.
fn evaluations(
    b: &mut CaseBuilder<'_>,
    start: NaiveDate,
    end: Option<NaiveDate>,
    final_conclusion: Option<EvaluationConclusion>,
) -> Result<Vec<Evaluation>, Error> {
    let last = end.unwrap_or(b.as_of()).min(b.as_of());
    let mut out = Vec::new();
    let mut anchor = start;
    loop {
        let due = add_months(anchor, 3);
        let on = if b.draw.chance(0.85) {
            sub_days(due, b.draw.below(14))
        } else {
            b.draw.days_after(due, 5, 40)
        };
        if on > last || on <= anchor {
            break;
        }
        let c = b.draw.weighted(&[
            (EvaluationConclusion::Continue, 75),
            (EvaluationConclusion::Adjust, 25),
        ]);
        out.push(Evaluation {
            on,
            conclusion: Coded::new(c),
        });
        anchor = on;
    }
    if let (Some(c), Some(last)) = (final_conclusion, out.last_mut()) {
        last.conclusion = Coded::new(c);
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn add_intervention(
    b: &mut CaseBuilder<'_>,
    data: &mut CaseData,
    h: &Household,
    state: &mut Progress,
    start: NaiveDate,
    t: Coded<InterventionType>,
    decision: Option<(&DecisionId, &LegalBasis)>,
    plan_id: Option<&PlanId>,
    kind: DecisionKind,
) -> Result<(InterventionId, Option<NaiveDate>), Error> {
    let as_of = b.as_of();
    let j = b.jurisdiction;
    state.counter.iv += 1;
    let id = err(InterventionId::new(format!("iv-{}", state.counter.iv)))?;
    let placement = kind == DecisionKind::CareOrder;
    let months = if placement {
        12 + u32::try_from(b.draw.below(24)).unwrap_or(0)
    } else {
        3 + u32::try_from(b.draw.below(10)).unwrap_or(0)
    };
    let planned_end = add_months(start, months);
    let started = (start <= as_of).then_some(start);
    let mut ended = None;
    let mut reason = None;
    if started.is_some() && b.draw.chance(0.85) {
        let end = if b.draw.chance(0.7) {
            add_days(sub_days(planned_end, 20), b.draw.below(40))
        } else {
            add_days(
                start,
                30 + b.draw.below(days_between(start, planned_end).max(31)),
            )
        };
        if end <= as_of && end > start {
            let r = if placement {
                b.draw.weighted(&[
                    (EndReason::ReturnedHome, 50),
                    (EndReason::PlannedEnd, 30),
                    (EndReason::Moved, 20),
                ])
            } else {
                b.draw.weighted(&[
                    (EndReason::GoalReached, 40),
                    (EndReason::PlannedEnd, 25),
                    (EndReason::NoEffect, 10),
                    (EndReason::FamilyDeclined, 12),
                    (EndReason::Moved, 6),
                    (EndReason::Replaced, 7),
                ])
            };
            let mut coded = Coded::new(r);
            if j == Jurisdiction::No && r == EndReason::ReturnedHome {
                coded = err(coded.with_source(SSB_OPPHEVELSE, "1"))?;
            }
            ended = Some(end);
            reason = Some(coded);
        }
    }
    if started.is_none() || ended.is_none() {
        b.open_work = true;
    }
    let final_conclusion = reason
        .as_ref()
        .and_then(|r: &Coded<EndReason>| match r.code {
            EndReason::GoalReached => Some(EvaluationConclusion::EndGoalReached),
            EndReason::NoEffect => Some(EvaluationConclusion::EndNoEffect),
            EndReason::Replaced => Some(EvaluationConclusion::Replace),
            _ => None,
        });
    let evals = match started {
        Some(s) => evaluations(b, s, ended, final_conclusion)?,
        None => Vec::new(),
    };
    for e in &evals {
        b.touch(e.on);
    }
    if let Some(e) = ended {
        b.touch(e);
    }
    b.touch(start.min(as_of));
    // Carers consent to voluntary help (SE samtycke); compulsory care needs none.
    let carer = h.mother.as_ref().or(h.father.as_ref());
    let mut consents = Vec::new();
    if !(placement && j == Jurisdiction::Se)
        && let Some(p) = carer
        && b.draw.chance(0.95)
    {
        consents.push(Consent {
            person: p.clone(),
            party: ConsentParty::Carer,
            status: ConsentStatus::Given,
            on: sub_days(start, b.draw.below(5)),
        });
    }
    let basis = match decision {
        Some((d, lb)) => InterventionBasis::Decision {
            decision_id: Some(d.clone()),
            legal_basis: lb.clone(),
        },
        None => InterventionBasis::WithoutNeedsAssessment,
    };
    let foster_home = t
        .source
        .as_ref()
        .is_some_and(|c| c.system() == SSB_TILTAK && c.code().starts_with("2."));
    let visits = match started {
        Some(s) if j == Jurisdiction::No && placement && foster_home => {
            placement_visits(data, s, ended.unwrap_or(as_of).min(as_of))?
        }
        _ => None,
    };
    let prov = b.prov(start.min(as_of), StaffRole::Caseworker)?;
    data.interventions.push(Intervention {
        id: id.clone(),
        intervention_type: t,
        basis,
        consents,
        plan_id: plan_id.cloned(),
        planned_start: Some(start),
        planned_end: Some(planned_end),
        started_on: started,
        ended_on: ended,
        end_reason: reason,
        evaluations: evals,
        supervision: visits.as_ref().map(|(s, _)| s.clone()),
        follow_up_visits: visits.map(|(_, f)| f),
        provenance: prov,
    });
    Ok((id, if started.is_some() { ended } else { None }))
}

/// NO: supervision (tilsyn) and follow-up visits (oppfølging) of a foster home from `start`:
/// the case's municipality responsible, the standard four visits a year, made every three
/// months (supervision a month in, follow-up six weeks in) until `until`. None before 2022
/// (SSB's frequency codes begin then) or where the municipality is not in force on the start.
fn placement_visits(
    data: &CaseData,
    start: NaiveDate,
    until: NaiveDate,
) -> Result<Option<(Supervision, FollowUpVisits)>, Error> {
    // SSB's frequency lists begin in 2022; the municipality may have been renumbered since.
    if start < ymd(2022, 1, 1)
        || data
            .municipality
            .lookup(Jurisdiction::No, Some(start))
            .is_err()
    {
        return Ok(None);
    }
    let frequency = |system: &str| -> Result<Vec<FrequencyFrom>, Error> {
        let f = VisitFrequency::FourPerYear;
        Ok(vec![FrequencyFrom {
            from: start,
            frequency: err(Coded::new(f).with_source(system, f.ssb_code()))?,
        }])
    };
    let every_quarter = |offset: u64| {
        let mut out = Vec::new();
        let mut at = add_days(start, offset);
        while at <= until {
            out.push(at);
            at = add_months(at, 3);
        }
        out
    };
    Ok(Some((
        Supervision {
            responsible: vec![ResponsibleFrom {
                from: start,
                municipality: data.municipality.clone(),
            }],
            frequency: frequency(VisitFrequency::SSB_SUPERVISION_SYSTEM)?,
            visits: every_quarter(30),
        },
        FollowUpVisits {
            frequency: frequency(VisitFrequency::SSB_FOLLOW_UP_SYSTEM)?,
            visits: every_quarter(45),
        },
    )))
}

/// SE: a service without a needs assessment (SoL 2025:400), after a screening that opened no
/// investigation.
fn light_touch(
    b: &mut CaseBuilder<'_>,
    data: &mut CaseData,
    h: &Household,
    state: &mut Progress,
    decided: NaiveDate,
) -> Result<(), Error> {
    let start = b.draw.days_after(decided, 3, 30);
    if start > b.as_of() {
        return Ok(());
    }
    let t = intervention_type(b, DecisionKind::Measure, true)?;
    let (_, end) = add_intervention(
        b,
        data,
        h,
        state,
        start,
        t,
        None,
        None,
        DecisionKind::Measure,
    )?;
    state.measures_until = Some(end);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn plan(
    b: &mut CaseBuilder<'_>,
    data: &mut CaseData,
    plan_id: PlanId,
    ids: Vec<InterventionId>,
    in_force: NaiveDate,
    first_start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    kind: DecisionKind,
) -> Result<(), Error> {
    let as_of = b.as_of();
    let j = b.jurisdiction;
    let made = match first_start {
        Some(s) if s > in_force => b.draw.days_after(in_force, 0, days_between(in_force, s)),
        _ => in_force,
    };
    let pt = if kind == DecisionKind::CareOrder {
        PlanType::CarePlan
    } else {
        PlanType::ActionPlan
    };
    let mut coded = Coded::new(pt);
    if j == Jurisdiction::No {
        coded = err(coded.with_source(
            SSB_PLANTYPE,
            if pt == PlanType::CarePlan { "4" } else { "1" },
        ))?;
    }
    let last = end.unwrap_or(as_of);
    let mut evals = Vec::new();
    let mut k = 1;
    loop {
        let due = add_months(made, 3 * k);
        if due > last || k > 12 {
            break;
        }
        let done_on = (due <= as_of && b.draw.chance(0.85)).then(|| sub_days(due, b.draw.below(7)));
        evals.push(ScheduledEvaluation { due, done_on });
        k += 1;
    }
    if end.is_none() {
        // The next evaluation, still to come.
        let due = add_months(made, 3 * k);
        evals.push(ScheduledEvaluation { due, done_on: None });
    }
    let prov = b.prov(made.min(as_of), StaffRole::Caseworker)?;
    let plan_id_for_meetings = plan_id.clone();
    data.plans.push(Plan {
        id: plan_id,
        plan_type: coded,
        made_on: made,
        intervention_ids: ids,
        evaluations: evals,
        ended_on: end,
        provenance: prov,
    });
    meetings(b, data, &plan_id_for_meetings, made, end)
}

fn meetings(
    b: &mut CaseBuilder<'_>,
    data: &mut CaseData,
    plan_id: &PlanId,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> Result<(), Error> {
    if !b.draw.chance(0.4) {
        return Ok(());
    }
    let as_of = b.as_of();
    let last = to.unwrap_or(as_of).min(as_of);
    if last <= from {
        return Ok(());
    }
    let count = b.draw.weighted(&[(1u32, 50), (2, 35), (3, 15)]);
    let mut on = from;
    for _ in 0..count {
        on = b.draw.days_after(on, 14, 120);
        if on > last {
            break;
        }
        let mt = match b.jurisdiction {
            Jurisdiction::Se => b.draw.weighted(&[
                (MeetingType::Sip, 55),
                (MeetingType::CooperationMeeting, 45),
            ]),
            Jurisdiction::No => b.draw.weighted(&[
                (MeetingType::ResponsibilityGroup, 55),
                (MeetingType::CooperationMeeting, 30),
                (MeetingType::NetworkMeeting, 15),
            ]),
        };
        let pool = [
            (Agency::School, 40u32),
            (Agency::Kindergarten, 15),
            (Agency::ChildHealthClinic, 15),
            (Agency::ChildPsychiatry, 20),
            (Agency::AdultPsychiatry, 8),
            (Agency::PrimaryCare, 8),
            (Agency::Police, 6),
            (Agency::WelfareAgency, 12),
            (Agency::FamilyCounselling, 5),
        ];
        let k = b.draw.weighted(&[(1u32, 40), (2, 40), (3, 20)]);
        let mut agencies: Vec<Coded<Agency>> = Vec::new();
        for _ in 0..k {
            let a = b.draw.weighted(&pool);
            if !agencies.iter().any(|x| x.code == a) {
                agencies.push(Coded::new(a));
            }
        }
        let n = data.meetings.len() + 1;
        let prov = b.prov(on, StaffRole::Caseworker)?;
        let child = b.draw.chance(0.35);
        data.meetings.push(CoordinationMeeting {
            id: err(MeetingId::new(format!("mt-{n}")))?,
            held_on: on,
            meeting_type: Coded::new(mt),
            agencies,
            child_took_part: child,
            carers_took_part: b.draw.chance(0.85),
            plan_id: Some(plan_id.clone()),
            provenance: prov,
        });
        b.touch(on);
    }
    Ok(())
}

fn follow_ups_and_closure(
    b: &mut CaseBuilder<'_>,
    data: &mut CaseData,
    born: NaiveDate,
) -> Result<(), Error> {
    let as_of = b.as_of();
    let j = b.jurisdiction;
    // Reviews of measures in place.
    let mut n = 0;
    let reviews: Vec<NaiveDate> = data
        .interventions
        .iter()
        .filter_map(|iv| iv.evaluations.first().map(|e| e.on))
        .collect();
    for on in reviews {
        if b.draw.chance(0.3) {
            n += 1;
            let prov = b.prov(on, StaffRole::Caseworker)?;
            data.follow_ups.push(FollowUp {
                id: err(FollowUpId::new(format!("fu-{n}")))?,
                on,
                kind: FollowUpKind::MeasureReview,
                violence: Vec::new(),
                aftercare: None,
                provenance: prov,
            });
        }
    }
    if b.open_work {
        return Ok(());
    }
    let closed = b.draw.days_after(b.last_activity, 3, 90);
    if closed > as_of || !b.draw.chance(0.9) {
        return Ok(());
    }
    let reason = if age_on(born, closed) >= 18 {
        ClosureReason::CameOfAge
    } else {
        b.draw.weighted(&[
            (ClosureReason::NoFurtherNeed, 74),
            (ClosureReason::MovedMunicipality, 10),
            (ClosureReason::MovedAway, 4),
            (ClosureReason::FamilyDeclined, 12),
        ])
    };
    let prov = b.prov(closed, StaffRole::Caseworker)?;
    data.closures.push(Closure {
        closed_on: closed,
        reason: Coded::new(reason),
        reopened_on: None,
        provenance: prov,
    });
    // SE: follow-up of a child after a closed investigation or measure (SoL 11 kap. 4 a §).
    if j == Jurisdiction::Se && !data.investigations.is_empty() && b.draw.chance(0.25) {
        let on = b.draw.days_after(closed, 30, 60);
        if on <= as_of {
            n += 1;
            let prov = b.prov(on, StaffRole::Caseworker)?;
            data.follow_ups.push(FollowUp {
                id: err(FollowUpId::new(format!("fu-{n}")))?,
                on,
                kind: FollowUpKind::AfterClosure,
                violence: Vec::new(),
                aftercare: None,
                provenance: prov,
            });
        }
    }
    Ok(())
}
