//! Research cases to Arrow batches and back: lossless, schemas as the specs say, and no
//! identity number or free text in any table.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use barnvern_arrow::{from_batches, tables, to_batches};
use common::*;
use proptest::prelude::*;

#[test]
fn examples_round_trip_and_batches_have_the_spec_schema() {
    let cases = example_cases();
    let batches = to_batches(&cases).unwrap();
    assert_eq!(batches.len(), tables().len());
    for (spec, batch) in &batches {
        assert_eq!(batch.schema(), spec.arrow_schema(), "table {}", spec.name);
        assert_eq!(batch.schema().fields().len(), spec.fields.len());
    }
    let rows = |name: &str| {
        batches
            .iter()
            .find(|(s, _)| s.name == name)
            .unwrap()
            .1
            .num_rows()
    };
    assert_eq!(rows("cases"), 2);
    assert_eq!(rows("children"), 2);
    assert_eq!(rows("people"), 5);
    assert_eq!(rows("referrals"), 4);
    assert_eq!(rows("violence_exposures"), 4);
    assert_eq!(rows("referral_reasons"), 3);
    assert_eq!(rows("investigation_extensions"), 2);
    assert!(rows("deadlines") >= 6);
    assert_eq!(rows("fp_enrolments"), 1);
    assert_eq!(rows("fp_contacts"), 5);
    assert_eq!(rows("fp_contact_components"), 5);
    assert_eq!(rows("fp_goals"), 1);
    assert_eq!(rows("fp_goal_reviews"), 1);
    assert_eq!(rows("fp_guidance_sessions"), 1);
    assert_eq!(rows("waves"), 3);
    assert_eq!(rows("questionnaires"), 6);
    // SDQ 30 + 30 + 5 items, AIM/IAM/FIM 4 each.
    assert_eq!(rows("item_responses"), 77);
    assert_eq!(rows("costs"), 1);
    assert!(rows("scores") > 6);
    assert!(rows("interventions") > 0);
    let back = from_batches(&batches).unwrap();
    assert_same(&cases, &back);
}

#[test]
fn research_form_is_coarsened_and_pseudonymised() {
    let cases = example_cases();
    let se = &cases[0];
    assert_eq!(se.child.birth_year, Some(2018));
    assert_eq!(se.child.birth_month, Some(1));
    assert_eq!(se.child.sex, Some(barnvern_core::Sex::Male));
    assert!(se.referrals[0].has_free_text);
    assert!(!se.referrals[1].has_free_text);
    // The perpetrator of the first exposure is the father, person 1.
    let perp = se.referrals[0].violence[0].perpetrator.as_ref().unwrap();
    assert_eq!(perp.person_index, 1);
    assert_eq!(perp.key, se.people[1].key);
    let no = &cases[1];
    assert!(no.referrals[1].reporter.has_text);
    assert_eq!(no.people[1].key, None);
    // The unregistered sibling is pseudonymised from the local id.
    assert!(se.people[2].key.is_some());
    assert_eq!(se.deadlines_as_of, d(2025, 10, 1));
    assert!(se.family_partner.is_none());
}

#[test]
fn family_partner_records_are_pseudonymised_scored_and_costed() {
    let cases = example_cases();
    let fam = cases[1].family_partner.as_ref().unwrap();
    let ps = barnvern_research::testing::TestPseudonymiser::new(7);
    let staff = |s: &str| {
        barnvern_research::Pseudonymiser::staff(&ps, &barnvern_core::StaffRef::new(s).unwrap())
    };
    assert_eq!(fam.enrolment.as_ref().unwrap().partner, staff("fp-07"));
    assert_eq!(fam.contacts[0].travel_minutes, Some(40));
    assert_eq!(fam.contacts[1].components, ["relationship", "goal_setting"]);
    assert_eq!(fam.guidance_sessions[0].contact_index, Some(3));
    // The SDQ at wave 3 has fidgety not done with a reason: kept as "reason given" only.
    let sdq3 = &fam.questionnaires[1];
    let fidgety = sdq3.responses.iter().find(|i| i.item == "fidgety").unwrap();
    assert_eq!(
        fidgety.status,
        barnvern_research::family::ItemStatus::NotDone
    );
    assert!(fidgety.reason_given);
    assert_eq!(sdq3.responses[0].item, "consid");
    assert_eq!(sdq3.responses[0].position, Some(1));
    // Scores name the algorithm and version; AIM is the mean of its four items.
    let aim = fam
        .scores
        .iter()
        .find(|s| fam.questionnaires[s.questionnaire_index as usize].instrument == "aim")
        .unwrap();
    assert_eq!(aim.value, Some(4.25));
    assert!(!aim.version.is_empty() && !aim.algorithm.is_empty());
    // Costs: 245 delivered minutes and 120 travel minutes at the default NOK rate card.
    let costs = fam.costs.as_ref().unwrap();
    assert_eq!((costs.contacts_delivered, costs.minutes), (4, 305));
    assert_eq!((costs.travel_minutes, costs.distance_km), (120, 54));
    assert_eq!(costs.currency, "NOK");
    assert!(costs.total > costs.staff_cost);
    // The research form runs the trial metrics.
    let record = fam.to_family_record().unwrap();
    assert_eq!(record.contacts.len(), 5);
    assert_eq!(record.waves[1].questionnaires.len(), 4);
    assert_eq!(
        record.enrolment.unwrap().partner.as_str(),
        staff("fp-07").as_str()
    );
}

fn strings_of(batch: &RecordBatch) -> Vec<String> {
    let mut out = Vec::new();
    for col in batch.columns() {
        match col.data_type() {
            DataType::Utf8 => {
                out.extend(col.as_string::<i32>().iter().flatten().map(str::to_owned))
            }
            DataType::Dictionary(_, _) => {
                let dict = col.as_dictionary::<Int32Type>();
                out.extend(
                    dict.values()
                        .as_string::<i32>()
                        .iter()
                        .flatten()
                        .map(str::to_owned),
                );
            }
            _ => {}
        }
    }
    out
}

#[test]
fn no_identity_number_or_free_text_reaches_a_table() {
    let batches = to_batches(&example_cases()).unwrap();
    for (spec, batch) in &batches {
        for s in strings_of(batch) {
            for secret in SECRETS {
                assert!(
                    !s.contains(secret),
                    "{} holds {secret:?} in {s:?}",
                    spec.name
                );
            }
        }
    }
}

#[test]
fn a_missing_child_row_or_gap_is_an_error_naming_the_row() {
    let batches = to_batches(&example_cases()).unwrap();
    let without_children: Vec<_> = batches
        .iter()
        .filter(|(s, _)| s.name != "children")
        .cloned()
        .collect();
    let err = from_batches(&without_children).unwrap_err();
    assert!(err.to_string().contains("research.missing_child"), "{err}");

    // Drop the first referral row: the case's referrals start at position 1.
    let gapped: Vec<_> = batches
        .iter()
        .map(|(s, b)| {
            if s.name == "referrals" {
                (*s, b.slice(1, b.num_rows() - 1))
            } else {
                (*s, b.clone())
            }
        })
        .collect();
    let err = from_batches(&gapped).unwrap_err();
    assert!(err.to_string().contains("research.index"), "{err}");
}

#[test]
fn batches_split_in_pieces_read_back_the_same() {
    let cases = example_cases();
    let batches = to_batches(&cases).unwrap();
    let mut pieces = Vec::new();
    for (spec, b) in batches.iter().rev() {
        for i in 0..b.num_rows() {
            pieces.push((*spec, b.slice(i, 1)));
        }
    }
    // Rows of other tables in reverse order; cases rows too, so compare by key.
    let mut back = from_batches(&pieces).unwrap();
    back.sort_by(|a, b| a.case_key.cmp(&b.case_key));
    let mut cases = cases;
    cases.sort_by(|a, b| a.case_key.cmp(&b.case_key));
    assert_same(&cases, &back);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every field of a research case has a column: random values in every field survive the
    /// trip through the tables.
    #[test]
    fn generated_cases_round_trip(cases in research_cases()) {
        let batches = to_batches(&cases).unwrap();
        for (spec, batch) in &batches {
            prop_assert_eq!(batch.schema(), spec.arrow_schema());
        }
        let back = from_batches(&batches).unwrap();
        prop_assert_eq!(&cases, &back);
        prop_assert_eq!(format!("{cases:?}"), format!("{back:?}"));
    }
}

#[test]
fn an_unregistered_child_has_the_expected_birth_month() {
    let json = example("se-case.json").replace(
        r#""national_id": "201801012392""#,
        r#""unregistered": {"local_id": "unborn-9", "expected_birth_date": "2024-12-20"}"#,
    );
    let case = barnvern_case::Case::from_json(&json).unwrap();
    let ps = barnvern_research::testing::TestPseudonymiser::new(7);
    let research = barnvern_research::ResearchCase::from_case(&case, &ps, d(2025, 1, 1));
    assert_eq!(research.child.birth_year, Some(2024));
    assert_eq!(research.child.birth_month, Some(12));
    assert_eq!(
        research.child.identity_kind,
        barnvern_research::case::IdentityKind::Unregistered
    );
    // Sex as recorded, though no number encodes it.
    assert_eq!(research.child.sex, Some(barnvern_core::Sex::Male));
    let back = from_batches(&to_batches(std::slice::from_ref(&research)).unwrap()).unwrap();
    assert_same(&[research], &back);
}
