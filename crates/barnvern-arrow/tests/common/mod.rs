//! Helpers shared by the integration tests: the example cases and a proptest strategy for
//! research cases with every field populated in every way.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use barnvern_arrow::codes::CodeEnum;
use barnvern_arrow::research::*;
use barnvern_arrow::testing::TestPseudonymiser;
use barnvern_arrow::{Pseudonym, ResearchCase};
use barnvern_case::Case;
use barnvern_core::LegalBasis;
use barnvern_core::codelist::SourceCode;
use barnvern_core::municipality::MunicipalityCode;
use barnvern_core::provenance::SourceSystem;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
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
    ("[a-z][a-z.]{0,20}", "[0-9A-Za-z.]{1,6}").prop_map(|(s, c)| SourceCode::new(s, c).unwrap())
}

fn text() -> impl Strategy<Value = String> {
    "[a-z0-9 ._:§-]{0,30}"
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
    (instant(), pick(), pseudonym(), "[a-z][a-z-]{0,10}").prop_map(|(at, role, key, system)| {
        ResearchProvenance {
            recorded_at: at,
            recorded_by_role: role,
            recorded_by: key,
            source_system: SourceSystem::new(system).unwrap(),
        }
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

fn investigation() -> impl Strategy<Value = ResearchInvestigation> {
    (
        proptest::option::of(index()),
        vec(index(), 0..3),
        date(),
        proptest::option::of(date()),
        vec((date(), date()), 0..3),
        vec(coded(), 0..3),
        proptest::option::of(date()),
        proptest::option::of(coded()),
        provenance(),
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
                provenance,
            )| {
                ResearchInvestigation {
                    screening_index,
                    referral_indices,
                    started_on,
                    plan_made_on: plan,
                    extensions: ext
                        .into_iter()
                        .map(|(decided_on, new_due)| ResearchExtension {
                            decided_on,
                            new_due,
                        })
                        .collect(),
                    child_participation: part,
                    concluded_on: concluded,
                    conclusion,
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
    )
        .prop_map(|(decided_on, kind, inv, legal_basis, status, provenance)| {
            ResearchDecision {
                decided_on,
                kind,
                investigation_index: inv,
                legal_basis,
                status_history: status
                    .into_iter()
                    .map(|(status, on)| ResearchStatusChange { status, on })
                    .collect(),
                provenance,
            }
        })
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
        pick(),
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
                status,
                severity,
            )| {
                ResearchDeadline {
                    kind,
                    rule_id,
                    citation,
                    record_table,
                    record_index,
                    start,
                    due,
                    extended_due,
                    completed_on,
                    status,
                    severity,
                }
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
        vec((date(), pick(), provenance()), 0..2),
        vec(
            (date(), coded(), proptest::option::of(date()), provenance()),
            0..2,
        ),
        vec(deadline(), 0..3),
    );
    (head, records).prop_map(
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
                .map(|(on, kind, provenance)| ResearchFollowUp {
                    on,
                    kind,
                    provenance,
                })
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
        },
    )
}

/// Equal, and equal in every detail `==` ignores (a `DateTime<FixedOffset>` compares only
/// the instant; its Debug form shows the offset).
pub fn assert_same(a: &[ResearchCase], b: &[ResearchCase]) {
    assert_eq!(a, b);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}
