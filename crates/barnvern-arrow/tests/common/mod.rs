//! Helpers shared by the integration tests: the example cases and a proptest strategy for
//! research cases with every field populated in every way.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use barnvern_arrow::codes::CodeEnum;
use barnvern_case::Case;
use barnvern_core::LegalBasis;
use barnvern_core::codelist::SourceCode;
use barnvern_core::municipality::MunicipalityCode;
use barnvern_core::provenance::SourceSystem;
use barnvern_research::case::*;
use barnvern_research::family::*;
use barnvern_research::testing::TestPseudonymiser;
use barnvern_research::{Pseudonym, ResearchCase};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use proptest::collection::vec;
use proptest::prelude::*;

pub fn example(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The two example cases in research form, deadlines as of 2025-10-01.
pub fn example_cases() -> Vec<ResearchCase> {
    let ps = TestPseudonymiser::new(7);
    ["se-case.json", "no-case.json"]
        .iter()
        .map(|n| {
            let case = Case::from_json(&example(n)).unwrap();
            ResearchCase::from_case(&case, &ps, d(2025, 10, 1))
        })
        .collect()
}

/// Identity numbers, source ids, staff references and free text of the examples: none may
/// appear in a research table. (Person references such as "mother" are left out: the same word
/// is a relation code.)
pub const SECRETS: &[&str] = &[
    "201801012392",
    "198001022386",
    "198001022394",
    "03851598730",
    "unborn-1",
    "person-5521",
    "SE-0180-2024-001234",
    "NO-4601-2024-000871",
    "sw-017",
    "sb-104",
    "Eleven berättar",
    "Tannhelsetjenesten",
    "Väntar på utlåtande",
    "Særlige tilfeller",
    "stefar",
    "ref-1",
    "inv-1",
];

fn pick<T: CodeEnum + std::fmt::Debug>() -> impl Strategy<Value = T> {
    proptest::sample::select(T::all())
}

fn pseudonym() -> impl Strategy<Value = Pseudonym> {
    "[0-9a-f]{64}".prop_map(|s| Pseudonym::new(s).unwrap())
}

fn date() -> impl Strategy<Value = NaiveDate> {
    // 1917 to 2082.
    (700_000i32..760_000).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap())
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (-1_500_000_000_000_000i64..3_500_000_000_000_000)
        .prop_map(|us| DateTime::from_timestamp_micros(us).unwrap())
}

fn local_instant() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (instant(), -720i32..=840)
        .prop_map(|(t, m)| t.with_timezone(&FixedOffset::east_opt(m * 60).unwrap()))
}

fn index() -> impl Strategy<Value = u32> {
    0u32..1000
}

fn source() -> impl Strategy<Value = SourceCode> {
    // System names have one shape (lower-case parts joined by '.', '-' or '_').
    ("[a-z]{1,8}(\\.[a-z]{1,6}){0,3}", "[0-9A-Za-z.]{1,6}")
        .prop_map(|(s, c)| SourceCode::new(s, c).unwrap())
}

/// Free text that the research tables keep (codes, citations): anything but a value shaped
/// like an identity number, which no string column takes.
fn text() -> impl Strategy<Value = String> {
    "[a-z0-9 ._:§-]{0,30}".prop_filter("shaped like an identity number", |t| {
        !barnvern_core::identifier::looks_like_identity_number(t)
    })
}

fn coded<T: CodeEnum + std::fmt::Debug>() -> impl Strategy<Value = ResearchCoded<T>> {
    (pick::<T>(), proptest::option::of(source()), any::<bool>()).prop_map(
        |(code, source, has_text)| ResearchCoded {
            code,
            source,
            has_text,
        },
    )
}

fn provenance() -> impl Strategy<Value = ResearchProvenance> {
    (
        instant(),
        pick(),
        pseudonym(),
        "[a-z]{1,5}(-[a-z]{1,5}){0,2}",
    )
        .prop_map(|(at, role, key, system)| ResearchProvenance {
            recorded_at: at,
            recorded_by_role: role,
            recorded_by: key,
            source_system: SourceSystem::new(system).unwrap(),
        })
}

fn child() -> impl Strategy<Value = ResearchChild> {
    (
        pseudonym(),
        pick(),
        proptest::option::of(1900i32..2030),
        proptest::option::of(1u32..=12),
        proptest::option::of(pick()),
    )
        .prop_map(
            |(key, identity_kind, birth_year, birth_month, sex)| ResearchChild {
                key,
                identity_kind,
                birth_year,
                birth_month,
                sex,
            },
        )
}

fn person() -> impl Strategy<Value = ResearchPerson> {
    (
        proptest::option::of(pseudonym()),
        pick(),
        pick(),
        pick(),
        pick(),
    )
        .prop_map(
            |(key, role, has_custody, perpetrator, protective)| ResearchPerson {
                key,
                role,
                has_custody,
                perpetrator,
                protective,
            },
        )
}

fn violence() -> impl Strategy<Value = ResearchViolence> {
    (
        pick(),
        pick(),
        proptest::option::of(pick()),
        proptest::option::of((index(), proptest::option::of(pseudonym()))),
        proptest::option::of(pick()),
        proptest::option::of(source()),
        any::<bool>(),
    )
        .prop_map(
            |(form, mode, relation, perp, victim, source, has_text)| ResearchViolence {
                form,
                mode,
                perpetrator_relation: relation,
                perpetrator: perp.map(|(person_index, key)| PersonLink { person_index, key }),
                victim,
                source,
                has_text,
            },
        )
}

fn disclosure() -> impl Strategy<Value = ResearchDisclosure> {
    (date(), violence()).prop_map(|(disclosed_on, exposure)| ResearchDisclosure {
        disclosed_on,
        exposure,
    })
}

fn risk_assessment() -> impl Strategy<Value = ResearchRiskAssessment> {
    (date(), coded(), coded(), provenance()).prop_map(|(assessed_on, method, level, provenance)| {
        ResearchRiskAssessment {
            assessed_on,
            method,
            level,
            provenance,
        }
    })
}

fn referral() -> impl Strategy<Value = ResearchReferral> {
    (
        local_instant(),
        coded(),
        vec(source(), 0..3),
        vec(violence(), 0..3),
        any::<bool>(),
        provenance(),
    )
        .prop_map(
            |(received_at, reporter, reasons, violence, has_free_text, provenance)| {
                ResearchReferral {
                    received_at,
                    reporter,
                    reasons,
                    violence,
                    has_free_text,
                    provenance,
                }
            },
        )
}

fn assessment() -> impl Strategy<Value = ResearchAssessment> {
    (
        proptest::option::of(index()),
        local_instant(),
        any::<bool>(),
        provenance(),
    )
        .prop_map(
            |(referral_index, assessed_at, needed, provenance)| ResearchAssessment {
                referral_index,
                assessed_at,
                immediate_protection_needed: needed,
                provenance,
            },
        )
}

fn screening() -> impl Strategy<Value = ResearchScreening> {
    (
        proptest::option::of(index()),
        date(),
        coded(),
        any::<bool>(),
        provenance(),
    )
        .prop_map(
            |(referral_index, decided_on, outcome, reasons, provenance)| ResearchScreening {
                referral_index,
                decided_on,
                outcome,
                extraordinary_reasons_recorded: reasons,
                provenance,
            },
        )
}

fn application() -> impl Strategy<Value = Option<ResearchExtensionApplication>> {
    proptest::option::of(
        (
            proptest::option::of(date()),
            proptest::option::of(any::<bool>()),
        )
            .prop_map(|(applied_on, granted)| ResearchExtensionApplication {
                applied_on,
                granted,
            }),
    )
}

fn ground() -> impl Strategy<Value = ResearchGround> {
    (source(), any::<bool>()).prop_map(|(code, has_text)| ResearchGround { code, has_text })
}

fn investigation() -> impl Strategy<Value = ResearchInvestigation> {
    (
        proptest::option::of(index()),
        vec(index(), 0..3),
        date(),
        proptest::option::of(date()),
        vec((date(), date(), application()), 0..3),
        vec(coded(), 0..3),
        proptest::option::of(date()),
        proptest::option::of(coded()),
        (
            provenance(),
            vec(disclosure(), 0..2),
            vec(risk_assessment(), 0..2),
            vec(ground(), 0..3),
        ),
    )
        .prop_map(
            |(
                screening_index,
                referral_indices,
                started_on,
                plan,
                ext,
                part,
                concluded,
                conclusion,
                (provenance, violence, risk_assessments, decision_grounds),
            )| {
                ResearchInvestigation {
                    screening_index,
                    referral_indices,
                    started_on,
                    plan_made_on: plan,
                    extension_applications: ext.iter().map(|(_, _, a)| a.clone()).collect(),
                    extensions: ext
                        .into_iter()
                        .map(|(decided_on, new_due, _)| ResearchExtension {
                            decided_on,
                            new_due,
                        })
                        .collect(),
                    child_participation: part,
                    concluded_on: concluded,
                    conclusion,
                    violence,
                    risk_assessments,
                    decision_grounds,
                    provenance,
                }
            },
        )
}

fn legal_basis() -> impl Strategy<Value = LegalBasis> {
    (
        pick(),
        proptest::option::of("[0-9]{1,2}[a-z]?"),
        proptest::option::of("[0-9]{1,2}[a-z]?"),
        proptest::option::of(1u8..=255),
        proptest::option::of("[a-z]{1,2}"),
    )
        .prop_map(|(law, chapter, section, paragraph, letter)| LegalBasis {
            law,
            chapter,
            section,
            paragraph,
            letter,
        })
}

fn decision() -> impl Strategy<Value = ResearchDecision> {
    (
        date(),
        pick(),
        proptest::option::of(index()),
        legal_basis(),
        vec((coded(), date()), 0..3),
        provenance(),
        proptest::option::of(date()),
        vec(claim(), 0..2),
    )
        .prop_map(
            |(decided_on, kind, inv, legal_basis, status, provenance, ended_on, claims)| {
                ResearchDecision {
                    decided_on,
                    kind,
                    investigation_index: inv,
                    legal_basis,
                    status_history: status
                        .into_iter()
                        .map(|(status, on)| ResearchStatusChange { status, on })
                        .collect(),
                    ended_on,
                    claims,
                    provenance,
                }
            },
        )
}

fn claim() -> impl Strategy<Value = ResearchClaim> {
    (
        date(),
        proptest::option::of(date()),
        proptest::option::of(coded()),
    )
        .prop_map(|(received_on, concluded_on, outcome)| ResearchClaim {
            received_on,
            concluded_on,
            outcome,
        })
}

fn board_referral() -> impl Strategy<Value = ResearchBoardReferral> {
    (
        date(),
        proptest::option::of(index()),
        legal_basis(),
        provenance(),
    )
        .prop_map(
            |(sent_on, decision_index, legal_basis, provenance)| ResearchBoardReferral {
                sent_on,
                decision_index,
                legal_basis,
                provenance,
            },
        )
}

fn a_move() -> impl Strategy<Value = ResearchMove> {
    (
        date(),
        source(),
        any::<bool>(),
        source(),
        any::<bool>(),
        provenance(),
    )
        .prop_map(
            |(
                moved_on,
                reason_from,
                reason_from_has_text,
                moved_to,
                moved_to_has_text,
                provenance,
            )| {
                ResearchMove {
                    moved_on,
                    reason_from,
                    reason_from_has_text,
                    moved_to,
                    moved_to_has_text,
                    provenance,
                }
            },
        )
}

fn deadline() -> impl Strategy<Value = ResearchDeadline> {
    (
        pick(),
        text(),
        text(),
        text(),
        proptest::option::of(index()),
        (
            date(),
            date(),
            proptest::option::of(date()),
            proptest::option::of(date()),
        ),
        (pick(), pick()),
        pick(),
    )
        .prop_map(
            |(
                kind,
                rule_id,
                citation,
                record_table,
                record_index,
                (start, due, extended_due, completed_on),
                (status, start_basis),
                severity,
            )| {
                ResearchDeadline {
                    kind,
                    rule_id,
                    citation,
                    record_table,
                    record_index,
                    start,
                    start_basis,
                    due,
                    extended_due,
                    completed_on,
                    status,
                    severity,
                }
            },
        )
}

fn intervention() -> impl Strategy<Value = ResearchIntervention> {
    (
        coded(),
        (
            pick::<BasisKind>(),
            proptest::option::of(index()),
            proptest::option::of(legal_basis()),
        ),
        proptest::option::of(index()),
        (
            proptest::option::of(date()),
            proptest::option::of(date()),
            proptest::option::of(date()),
            proptest::option::of(date()),
        ),
        proptest::option::of(coded()),
        vec((date(), coded()), 0..3),
        provenance(),
        (
            proptest::option::of(visits(true)),
            proptest::option::of(visits(false)),
        ),
    )
        .prop_map(
            |(
                intervention_type,
                (kind, decision_index, legal_basis),
                plan_index,
                (planned_start, planned_end, started_on, ended_on),
                end_reason,
                evaluations,
                provenance,
                (supervision, follow_up_visits),
            )| ResearchIntervention {
                intervention_type,
                basis: ResearchBasis {
                    kind,
                    decision_index,
                    legal_basis,
                },
                plan_index,
                planned_start,
                planned_end,
                started_on,
                ended_on,
                end_reason,
                evaluations: evaluations
                    .into_iter()
                    .map(|(on, conclusion)| ResearchEvaluation { on, conclusion })
                    .collect(),
                supervision,
                follow_up_visits,
                provenance,
            },
        )
}

/// Visits of a placement: at least one frequency (what makes the record); responsible
/// municipalities only for supervision.
fn visits(supervision: bool) -> impl Strategy<Value = ResearchVisits> {
    let max = if supervision { 3 } else { 1 };
    (
        vec((date(), coded()), 1..3),
        vec(date(), 0..3),
        vec((date(), "[0-9]{4}"), 0..max),
    )
        .prop_map(|(frequency, visits, responsible)| ResearchVisits {
            responsible: responsible
                .into_iter()
                .map(|(d, m)| (d, MunicipalityCode::new(m).unwrap()))
                .collect(),
            frequency,
            visits,
        })
}

fn plan() -> impl Strategy<Value = ResearchPlan> {
    (
        coded(),
        date(),
        vec(index(), 0..3),
        vec((date(), proptest::option::of(date())), 0..3),
        proptest::option::of(date()),
        provenance(),
    )
        .prop_map(
            |(plan_type, made_on, intervention_indices, evaluations, ended_on, provenance)| {
                ResearchPlan {
                    plan_type,
                    made_on,
                    intervention_indices,
                    evaluations: evaluations
                        .into_iter()
                        .map(|(due, done_on)| ResearchPlanEvaluation { due, done_on })
                        .collect(),
                    ended_on,
                    provenance,
                }
            },
        )
}

fn meeting() -> impl Strategy<Value = ResearchMeeting> {
    (
        date(),
        coded(),
        vec(coded(), 0..3),
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(index()),
        provenance(),
    )
        .prop_map(
            |(held_on, meeting_type, agencies, child, carers, plan_index, provenance)| {
                ResearchMeeting {
                    held_on,
                    meeting_type,
                    agencies,
                    child_took_part: child,
                    carers_took_part: carers,
                    plan_index,
                    provenance,
                }
            },
        )
}

fn money() -> impl Strategy<Value = f64> {
    (0i64..100_000_000).prop_map(|cents| cents as f64 / 100.0)
}

fn count() -> impl Strategy<Value = u32> {
    0u32..100_000
}

fn fp_screening() -> impl Strategy<Value = ResearchFpScreening> {
    (
        date(),
        any::<u8>(),
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(any::<bool>()),
        proptest::option::of(pick()),
    )
        .prop_map(
            |(on, age, services, other, eligible, reason)| ResearchFpScreening {
                on,
                child_age_years: age,
                receives_child_welfare_services: services,
                other_exclusion_recorded: other,
                eligible,
                ineligibility_reason: reason,
            },
        )
}

fn withdrawal(
    scope: barnvern_familypartner::WithdrawalScope,
) -> impl Strategy<Value = ResearchWithdrawal> {
    (date(), pick(), coded()).prop_map(move |(on, by, reason)| ResearchWithdrawal {
        on,
        by,
        scope,
        reason,
    })
}

fn questionnaire() -> impl Strategy<Value = ResearchQuestionnaire> {
    let item = (
        "[a-z][a-z0-9_]{0,8}",
        proptest::option::of(1u32..40),
        pick::<ItemStatus>(),
        proptest::option::of(any::<i32>()),
        any::<bool>(),
    )
        .prop_map(
            |(item, position, status, value, reason_given)| ResearchItem {
                item,
                position,
                status,
                value,
                reason_given,
            },
        );
    (
        index(),
        "[a-z][a-z0-9-]{0,12}",
        pick(),
        date(),
        vec(item, 0..4),
    )
        .prop_map(
            |(wave_index, instrument, informant, completed_on, responses)| ResearchQuestionnaire {
                wave_index,
                instrument,
                informant,
                completed_on,
                responses,
            },
        )
}

fn score() -> impl Strategy<Value = ResearchScore> {
    (
        index(),
        "[a-z_]{1,12}",
        proptest::option::of(prop_oneof![
            money(),
            (-1000i32..1000).prop_map(|v| f64::from(v) / 7.0)
        ]),
        proptest::option::of("[a-z_]{1,12}"),
        proptest::option::of(any::<bool>()),
        ("[a-z-]{1,12}", "[0-9.]{1,8}", "[0-9.]{1,8}"),
    )
        .prop_map(
            |(questionnaire_index, score_id, value, band, band_verified, (a, v, e))| {
                ResearchScore {
                    questionnaire_index,
                    score_id,
                    value,
                    band,
                    band_verified,
                    algorithm: a,
                    version: v,
                    engine_version: e,
                }
            },
        )
}

fn costs() -> impl Strategy<Value = ResearchCosts> {
    (
        (count(), count(), count(), count()),
        (money(), money(), money(), proptest::option::of(money())),
        ("[A-Z]{3}", 1990i32..2100, pick()),
    )
        .prop_map(
            |(
                (delivered, minutes, travel, km),
                (staff, travel_cost, total, per),
                (cur, year, status),
            )| {
                ResearchCosts {
                    contacts_delivered: delivered,
                    minutes,
                    travel_minutes: travel,
                    distance_km: km,
                    staff_cost: staff,
                    travel_cost,
                    total,
                    cost_per_delivered_contact: per,
                    currency: cur,
                    price_year: year,
                    rate_card_status: status,
                }
            },
        )
}

/// A Family Partner family with every part present, absent or empty.
pub fn family() -> impl Strategy<Value = ResearchFamily> {
    use barnvern_familypartner::WithdrawalScope;
    let head = (
        pseudonym(),
        "[A-Za-z0-9-]{1,12}",
        "[a-z]{1,8}",
        date(),
        proptest::option::of(fp_screening()),
        proptest::option::of((date(), any::<bool>())),
        proptest::option::of((pick(), 1u32..10_000, proptest::option::of(index()), date())),
        proptest::option::of((
            pseudonym(),
            date(),
            date(),
            proptest::option::of(date()),
            proptest::option::of(pick()),
            any::<bool>(),
        )),
    );
    let contact = (
        date(),
        pick(),
        pick(),
        proptest::option::of(any::<u16>()),
        proptest::option::of(count()),
        proptest::option::of(count()),
        vec("[a-z_]{1,12}", 0..3),
    )
        .prop_map(
            |(on, mode, status, minutes, travel_minutes, distance_km, components)| {
                ResearchContact {
                    on,
                    mode,
                    status,
                    minutes,
                    travel_minutes,
                    distance_km,
                    components,
                }
            },
        );
    let parts = (
        vec(contact, 0..4),
        vec((proptest::option::of(index()), "[a-z_]{1,10}"), 0..3),
        (
            vec(
                (
                    date(),
                    pick(),
                    proptest::option::of(any::<u16>()),
                    vec(coded(), 0..3),
                ),
                0..3,
            ),
            vec((date(), any::<bool>(), vec((date(), pick()), 0..3)), 0..3),
        ),
        proptest::option::of(withdrawal(WithdrawalScope::Intervention)),
        proptest::option::of(withdrawal(WithdrawalScope::Study)),
        vec((0u32..40, date(), pick()), 0..4),
        vec(questionnaire(), 0..3),
        (
            vec(score(), 0..4),
            proptest::option::of(costs()),
            vec(interview(), 0..3),
        ),
    );
    (head, parts).prop_map(
        |(
            (
                family_key,
                trial_id,
                programme_id,
                approached_on,
                screening,
                consent,
                allocation,
                enrolment,
            ),
            (
                contacts,
                sessions,
                (coordination, goals),
                w_int,
                w_study,
                waves,
                questionnaires,
                (scores, costs, interviews),
            ),
        )| ResearchFamily {
            family_key,
            trial_id,
            programme_id,
            approached_on,
            // A site on families approached on an even day (so both cases occur), varied
            // from the generated values.
            site: (approached_on.ordinal() % 2 == 0).then(|| barnvern_familypartner::Site {
                code: barnvern_familypartner::SiteCode::new(format!(
                    "site-{}",
                    approached_on.ordinal() % 7
                ))
                .unwrap(),
                name: "Barneverntjenesten i bydel Alna".to_owned(),
                jurisdiction: barnvern_core::Jurisdiction::No,
                municipality: barnvern_core::MunicipalityCode::new("0301").unwrap(),
                district: (approached_on.ordinal() % 4 == 0).then(|| "Alna".to_owned()),
                recruitment_opened_on: approached_on,
                target_per_month: (approached_on.ordinal() % 3 != 0)
                    .then_some(approached_on.ordinal() % 5),
            }),
            screening,
            consent: consent.map(|(on, given)| ResearchConsent { on, given }),
            allocation: allocation.map(|(arm, sequence, block, on)| ResearchAllocation {
                arm,
                sequence,
                stratum: block.map(|b| format!("site-{}/{}", b % 3, b % 2)),
                block,
                on,
            }),
            enrolment: enrolment.map(
                |(partner, started_on, planned_end, ended_on, end, over_caseload_cap)| {
                    ResearchEnrolment {
                        partner,
                        started_on,
                        planned_end,
                        ended_on,
                        end,
                        over_caseload_cap,
                    }
                },
            ),
            contacts,
            guidance_sessions: sessions
                .into_iter()
                .map(|(contact_index, module)| ResearchGuidanceSession {
                    contact_index,
                    module,
                })
                .collect(),
            coordination: coordination
                .into_iter()
                .map(|(on, kind, minutes, agencies)| ResearchCoordination {
                    on,
                    kind,
                    minutes,
                    agencies,
                })
                .collect(),
            goals: goals
                .into_iter()
                .map(|(set_on, has_text, reviews)| ResearchGoal {
                    set_on,
                    has_text,
                    reviews: reviews
                        .into_iter()
                        .map(|(on, progress)| ResearchGoalReview { on, progress })
                        .collect(),
                })
                .collect(),
            withdrawals: w_int.into_iter().chain(w_study).collect(),
            waves: waves
                .into_iter()
                .map(|(wave, on, outcome)| ResearchWave { wave, on, outcome })
                .collect(),
            questionnaires,
            scores,
            costs,
            interviews,
        },
    )
}

/// An invitation to an interview: consent, interview and end each present or not; an end has
/// both its date and its reason.
fn interview() -> impl Strategy<Value = ResearchInterview> {
    (
        pick(),
        date(),
        proptest::option::of(date()),
        proptest::option::of(date()),
        proptest::option::of((date(), pick())),
    )
        .prop_map(
            |(informant, invited_on, consented_on, interviewed_on, ended)| ResearchInterview {
                informant,
                invited_on,
                consented_on,
                interviewed_on,
                ended_on: ended.map(|e| e.0),
                end_reason: ended.map(|e| e.1),
            },
        )
}

/// Research cases with every field exercised (present, absent, empty, long); case keys are
/// made unique.
pub fn research_cases() -> impl Strategy<Value = Vec<ResearchCase>> {
    vec(research_case(), 0..5).prop_map(|mut cases| {
        for (i, c) in cases.iter_mut().enumerate() {
            c.case_key = Pseudonym::new(format!("{i:064x}")).unwrap();
        }
        cases
    })
}

pub fn research_case() -> impl Strategy<Value = ResearchCase> {
    let head = (
        pseudonym(),
        pick(),
        "[0-9]{4}",
        date(),
        child(),
        vec(person(), 0..3),
        date(),
    );
    let records = (
        vec(referral(), 0..3),
        vec(assessment(), 0..2),
        vec(screening(), 0..2),
        vec(investigation(), 0..2),
        vec(decision(), 0..2),
        vec(
            (
                date(),
                pick(),
                provenance(),
                (
                    vec(disclosure(), 0..2),
                    proptest::option::of((date(), coded())),
                ),
            ),
            0..2,
        ),
        vec(
            (date(), coded(), proptest::option::of(date()), provenance()),
            0..2,
        ),
        vec(deadline(), 0..3),
    );
    let services = (
        vec(intervention(), 0..3),
        vec(plan(), 0..2),
        vec(meeting(), 0..2),
        proptest::option::of(family()),
        vec(board_referral(), 0..2),
        vec(a_move(), 0..2),
    );
    (head, records, services).prop_map(
        |(
            (case_key, jurisdiction, municipality, opened_on, child, people, as_of),
            (
                referrals,
                assessments,
                screenings,
                investigations,
                decisions,
                follow_ups,
                closures,
                deadlines,
            ),
            (interventions, plans, meetings, family_partner, board_referrals, moves),
        )| ResearchCase {
            case_key,
            jurisdiction,
            municipality: MunicipalityCode::new(municipality).unwrap(),
            opened_on,
            child,
            people,
            referrals,
            protection_assessments: assessments,
            screenings,
            investigations,
            decisions,
            follow_ups: follow_ups
                .into_iter()
                .map(
                    |(on, kind, provenance, (violence, aftercare))| ResearchFollowUp {
                        on,
                        kind,
                        violence,
                        aftercare: aftercare.map(|(concluded_on, outcome)| ResearchAftercare {
                            concluded_on,
                            outcome,
                        }),
                        provenance,
                    },
                )
                .collect(),
            closures: closures
                .into_iter()
                .map(
                    |(closed_on, reason, reopened_on, provenance)| ResearchClosure {
                        closed_on,
                        reason,
                        reopened_on,
                        provenance,
                    },
                )
                .collect(),
            deadlines_as_of: as_of,
            deadlines,
            interventions,
            plans,
            meetings,
            family_partner,
            board_referrals,
            moves,
        },
    )
}

/// Equal, and equal in every detail `==` ignores (a `DateTime<FixedOffset>` compares only
/// the instant; its Debug form shows the offset).
pub fn assert_same(a: &[ResearchCase], b: &[ResearchCase]) {
    assert_eq!(a, b);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}
