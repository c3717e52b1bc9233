//! The published examples parse, map to the case domain and round-trip.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use barnvern_case::reporter::ReporterCategory;
use barnvern_case::{Case, DeadlineKind, DeadlineStatus};
use barnvern_core::ids::{CaseId, ReferralId};
use barnvern_core::{PersonIdentity, Severity};
use barnvern_fiks::{MessageType, Reply, parse};
use chrono::NaiveDate;
use common::{EXAMPLES, IDENTITY_NUMBERS, example};

#[test]
fn every_example_parses_with_bergen_renumbered() {
    for (file, kind) in EXAMPLES {
        let report = parse(kind, &example(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(report.message_type(), kind);
        // 1201 was Bergen until 2019; on the sending dates in 2020 Bergen is 4601.
        assert_eq!(report.municipality().as_str(), "4601", "{file}");
        assert_eq!(report.body().kommunenummer(), "1201");
        let codes: Vec<_> = report.findings().iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["fiks.municipality_renumbered"], "{file}");
        assert_eq!(report.findings()[0].severity, Severity::Warning);
        assert_eq!(report.findings()[0].path, "kommunenummer");
        assert!(report.findings()[0].message.contains("4601"));
        assert_eq!(report.district(), Some("02"));
        assert_eq!(report.children().len(), 2);
    }
}

#[test]
fn sending_time_is_oslo_winter_time() {
    let report = parse(
        MessageType::OffentligV1,
        &example("offentligBekymringsmeldingV1.json"),
    )
    .unwrap();
    assert_eq!(report.sent_at().to_rfc3339(), "2020-03-16T13:29:33+01:00");
    // 00:31 local on 17 March is still 16 March in UTC: the receipt date is the local one.
    let report = parse(
        MessageType::PrivatV1,
        &example("privatBekymringsmeldingV1.json"),
    )
    .unwrap();
    assert_eq!(report.sent_at().to_rfc3339(), "2020-03-17T00:31:56+01:00");
    assert_eq!(
        report.received_on(),
        NaiveDate::from_ymd_opt(2020, 3, 17).unwrap()
    );
}

#[test]
fn public_children_carry_their_numbers_private_children_none() {
    let report = parse(
        MessageType::OffentligV2,
        &example("offentligBekymringsmeldingV2.json"),
    )
    .unwrap();
    let numbers: Vec<_> = report
        .children()
        .iter()
        .map(|c| c.person_id().unwrap().canonical().to_owned())
        .collect();
    assert_eq!(numbers, IDENTITY_NUMBERS);
    assert!(report.children().iter().all(|c| !c.unborn()));
    let report = parse(
        MessageType::PrivatV2,
        &example("privatBekymringsmeldingV2.json"),
    )
    .unwrap();
    assert!(report.children().iter().all(|c| c.person_id().is_none()));
}

#[test]
fn reporter_is_mapped_onto_ssb_and_keeps_the_source() {
    let report = parse(
        MessageType::OffentligV1,
        &example("offentligBekymringsmeldingV1.json"),
    )
    .unwrap();
    let r = report.reporter();
    assert_eq!(r.code, ReporterCategory::School);
    assert_eq!(r.code.ssb_code(), "11");
    let source = r.source.as_ref().unwrap();
    assert_eq!(
        (source.system(), source.code()),
        ("no.ks.fiks.bekymringsmelding.melder", "offentlig")
    );
    assert_eq!(r.text.as_deref(), Some("Lærer, Lærerskolen"));
    let report = parse(
        MessageType::PrivatV1,
        &example("privatBekymringsmeldingV1.json"),
    )
    .unwrap();
    assert_eq!(report.reporter().code, ReporterCategory::OtherPrivate);
    assert_eq!(report.reporter().code.ssb_code(), "4");
    assert_eq!(report.reporter().source.as_ref().unwrap().code(), "privat");
}

#[test]
fn a_new_case_per_child_passes_validation_the_workflow_and_gets_the_review_deadline() {
    for (file, kind) in EXAMPLES {
        let report = parse(kind, &example(file)).unwrap();
        for (i, child) in report.children().iter().enumerate() {
            let header = report.case_header(child, CaseId::new(format!("fiks-{i}")).unwrap());
            assert_eq!(header.opened_on, report.received_on());
            assert_eq!(header.municipality.as_str(), "4601");
            match (&header.child.identity, child.person_id()) {
                (PersonIdentity::NationalId(a), Some(b)) => assert_eq!(a, b),
                (PersonIdentity::Unregistered(u), None) => {
                    assert_eq!(u.local_id.as_str(), format!("fiks-{i}"));
                }
                _ => panic!("{file}: identity does not match the child"),
            }
            let mut case = Case::new(header).unwrap();
            let event = report.referral_event(child, ReferralId::new("m-1").unwrap());
            case.apply(event).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(
                case.validate()
                    .findings
                    .iter()
                    .all(|i| i.severity != Severity::Error)
            );
            let referral = &case.referrals[0];
            assert_eq!(referral.received_at, report.sent_at());
            let text = referral.free_text.as_deref().unwrap();
            assert!(text.contains("Her kommer selve innholdet i bekymringsmeldingen!"));
            for number in IDENTITY_NUMBERS {
                assert!(
                    !text.contains(number),
                    "the free text repeats an identity number"
                );
            }
            // BVL 2021 § 2-1: the report is reviewed within 7 days of receipt.
            let received = report.received_on();
            let review: Vec<_> = case
                .deadlines(received)
                .into_iter()
                .filter(|d| d.kind == DeadlineKind::Screening)
                .collect();
            assert_eq!(review.len(), 1, "{file}");
            assert_eq!(review[0].due, received + chrono::Days::new(7));
            assert_eq!(review[0].status, DeadlineStatus::Pending);
        }
    }
}

#[test]
fn a_referral_joins_an_open_case() {
    let report = parse(
        MessageType::OffentligV1,
        &example("offentligBekymringsmeldingV1.json"),
    )
    .unwrap();
    let child = &report.children()[0];
    let mut case = Case::new(report.case_header(child, CaseId::new("c-1").unwrap())).unwrap();
    case.apply(report.referral_event(child, ReferralId::new("m-1").unwrap()))
        .unwrap();
    // The same child reported again (a second message): a second referral in the same case.
    case.apply(report.referral_event(child, ReferralId::new("m-2").unwrap()))
        .unwrap();
    assert_eq!(case.referrals.len(), 2);
    // The same referral id twice is refused by the workflow.
    let err = case
        .apply(report.referral_event(child, ReferralId::new("m-2").unwrap()))
        .unwrap_err();
    assert_eq!(err.code, "case.duplicate_id");
}

#[test]
fn free_text_names_the_child_the_guardians_and_the_reporter() {
    let report = parse(
        MessageType::OffentligV2,
        &example("offentligBekymringsmeldingV2.json"),
    )
    .unwrap();
    let text = report.free_text(&report.children()[1]);
    for part in [
        "Melding: Her kommer selve innholdet i bekymringsmeldingen!",
        "Historie: Her kommer selve historien i bekymringsmeldingen!",
        "Andre synspunkter: Her kommer andre synspunkter i bekymringsmeldingen!",
        "Barn: Bare Barnet, Rådhusgaten 10, 5020 Bergen, telefon 13131313, orientert: nei",
        "Foresatt: Foresatt Foresatt, telefon 45444342, orientert: ja",
        "Melder: Navnesen Navn Mellomnavn, Lærer, Lærerskolen (orgnr 123455789)",
        "Behov for tolk: Nei, de snakker norsk.",
        "Meldingen gjelder: 2 barn; dette er barn nr. 2",
    ] {
        assert!(text.contains(part), "missing {part:?} in\n{text}");
    }
    let report = parse(
        MessageType::PrivatV1,
        &example("privatBekymringsmeldingV1.json"),
    )
    .unwrap();
    let text = report.free_text(&report.children()[0]);
    assert!(text.contains("Barn: Barn Barnesen, Rådhusgaten 10, 5020 Bergen, antatt alder 10"));
}

#[test]
fn a_report_round_trips_through_its_json() {
    for (file, kind) in EXAMPLES {
        let report = parse(kind, &example(file)).unwrap();
        let again = parse(kind, report.to_json().as_bytes()).unwrap();
        assert_eq!(report, again, "{file}");
    }
}

#[test]
fn the_replies() {
    let reply = Reply::received();
    assert_eq!(
        reply.message_type(),
        "no.ks.fiks.bekymringsmelding.mottatt.v1"
    );
    assert!(reply.body().is_empty());

    let mut body = example("offentligBekymringsmeldingV1.json");
    body.retain(|b| *b != b'{'); // not JSON any more
    let err = parse(MessageType::OffentligV1, &body).unwrap_err();
    let reply = Reply::failed(&err);
    assert_eq!(
        reply.message_type(),
        "no.ks.fiks.bekymringsmelding.feilet.v1"
    );
    common::assert_feilmelding(reply.body());
}
