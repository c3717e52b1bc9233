//! Code lists and municipalities through the public API: the checks of data/PROVENANCE.md, the
//! Norwegian renumbering, the SSB reporting lists and coded values.

use std::collections::HashSet;

use barnvern_core::codelist::{SAKSINNHOLD, SSB_BARNEVERN_VERSION, builtin, builtin_systems};
use barnvern_core::municipality::{lookup, municipalities, municipality_code_list, successor};
use barnvern_core::{Coded, Jurisdiction, MunicipalityCode, SourceCode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, day) {
        Some(date) => date,
        None => panic!("bad test date {y}-{m}-{day}"),
    }
}

fn in_force(j: Jurisdiction, on: NaiveDate) -> Vec<&'static str> {
    municipalities(j)
        .iter()
        .filter(|v| v.is_valid_on(on))
        .map(|v| v.code.as_str())
        .collect()
}

// ---- municipalities ------------------------------------------------------------------------

#[test]
fn norwegian_counts_per_date_match_provenance() {
    let expected = [
        (d(2018, 1, 1), 422),
        (d(2018, 12, 31), 422),
        (d(2019, 1, 1), 422),
        (d(2019, 12, 31), 422),
        (d(2020, 1, 1), 356),
        (d(2021, 6, 30), 356),
        (d(2021, 12, 31), 356),
        (d(2022, 1, 1), 356),
        (d(2023, 1, 1), 356),
        (d(2023, 12, 31), 356),
        (d(2024, 1, 1), 357),
        (d(2025, 12, 31), 357),
        (d(2026, 1, 1), 357),
        (d(2026, 12, 31), 357),
    ];
    assert_eq!(municipalities(Jurisdiction::No).len(), 797);
    for (date, count) in expected {
        let codes = in_force(Jurisdiction::No, date);
        assert_eq!(codes.len(), count, "{date}");
        let distinct: HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), codes.len(), "a code twice on {date}");
    }
    // Before the data begin, the 2018 version stands.
    assert_eq!(in_force(Jurisdiction::No, d(2010, 6, 1)).len(), 422);
}

#[test]
fn swedish_list_has_290_codes_in_force_on_any_day() {
    let rows = municipalities(Jurisdiction::Se);
    assert_eq!(rows.len(), 290);
    for date in [d(2000, 1, 1), d(2018, 1, 1), d(2026, 12, 31)] {
        let codes = in_force(Jurisdiction::Se, date);
        assert_eq!(codes.len(), 290);
        assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 290);
    }
    let counties: HashSet<_> = rows.iter().map(|r| r.county_code.as_str()).collect();
    assert_eq!(counties.len(), 21);
    let v = lookup(Jurisdiction::Se, "0114", Some(d(2024, 5, 1))).unwrap();
    assert_eq!(v.name, "Upplands Väsby");
    assert_eq!(v.county_code, "01");
    assert_eq!(v.county_name.as_deref(), Some("Stockholms län"));
    assert_eq!(v.valid_from, None);
}

#[test]
fn oslo_is_valid_on_every_date() {
    let mut date = d(2015, 1, 1);
    while date <= d(2027, 12, 31) {
        let v = lookup(Jurisdiction::No, "0301", Some(date)).unwrap();
        assert!(v.name.starts_with("Oslo"));
        date = date.succ_opt().unwrap();
    }
    assert_eq!(
        lookup(Jurisdiction::No, "0301", None).unwrap().name,
        "Oslo - Oslove"
    );
    assert_eq!(
        lookup(Jurisdiction::No, "0301", Some(d(2025, 12, 31)))
            .unwrap()
            .name,
        "Oslo"
    );
}

#[test]
fn bergen_was_renumbered_in_2020() {
    assert_eq!(
        lookup(Jurisdiction::No, "1201", Some(d(2019, 6, 1)))
            .unwrap()
            .name,
        "Bergen"
    );
    let err = lookup(Jurisdiction::No, "1201", Some(d(2020, 1, 1))).unwrap_err();
    assert_eq!(err.code, "municipality.not_in_force");
    assert!(err.message.contains("2019-12-31"), "{}", err.message);
    assert!(err.message.contains("4601"), "{}", err.message);
    assert!(err.message.contains("2020 and 2024"), "{}", err.message);
    assert_eq!(
        successor(Jurisdiction::No, "1201", d(2020, 1, 1))
            .unwrap()
            .code,
        "4601"
    );
    // And backwards: Bergen's code in 2019.
    assert_eq!(
        successor(Jurisdiction::No, "4601", d(2019, 1, 1))
            .unwrap()
            .code,
        "1201"
    );
    // Without a date any version is accepted.
    assert_eq!(
        lookup(Jurisdiction::No, "1201", None).unwrap().name,
        "Bergen"
    );
}

#[test]
fn valer_ends_2023_without_a_same_name_successor() {
    let v = lookup(Jurisdiction::No, "3018", Some(d(2023, 12, 31))).unwrap();
    assert_eq!(v.valid_to, Some(d(2023, 12, 31)));
    let err = lookup(Jurisdiction::No, "3018", Some(d(2024, 1, 1))).unwrap_err();
    assert_eq!(err.code, "municipality.not_in_force");
    // Two Vålers in 2024 (Østfold, Innlandet): no single guess.
    assert_eq!(successor(Jurisdiction::No, "3018", d(2024, 1, 1)), None);
    assert!(
        err.message.contains("3114 Våler (Østfold)"),
        "{}",
        err.message
    );
    // Gratangen got a Sami parallel name with its new number.
    assert_eq!(
        successor(Jurisdiction::No, "5414", d(2024, 1, 1))
            .unwrap()
            .code,
        "5516"
    );
}

#[test]
fn alesund_split_into_alesund_and_haram_in_2024() {
    let new_day = d(2024, 1, 1);
    assert!(lookup(Jurisdiction::No, "1507", Some(new_day)).is_err());
    assert_eq!(
        successor(Jurisdiction::No, "1507", new_day).unwrap().code,
        "1508"
    );
    assert_eq!(
        lookup(Jurisdiction::No, "1580", Some(new_day))
            .unwrap()
            .name,
        "Haram"
    );
    assert_eq!(
        lookup(Jurisdiction::No, "1580", Some(d(2023, 12, 31)))
            .unwrap_err()
            .code,
        "municipality.not_in_force"
    );
    // Haram existed before the 2020 merger as 1534.
    assert_eq!(
        successor(Jurisdiction::No, "1580", d(2019, 6, 1))
            .unwrap()
            .code,
        "1534"
    );
}

#[test]
fn unknown_codes_and_not_stated() {
    let err = lookup(Jurisdiction::Se, "9999", None).unwrap_err();
    assert_eq!(err.code, "municipality.unknown");
    assert!(
        err.message
            .contains("no Swedish municipality has code 9999")
    );
    let err = lookup(Jurisdiction::No, "9999", Some(d(2024, 1, 1))).unwrap_err();
    assert_eq!(err.code, "municipality.unknown");
    assert!(err.message.contains("not stated"), "{}", err.message);
    // A Swedish code is not a Norwegian one.
    assert_eq!(
        lookup(Jurisdiction::No, "0114", None).unwrap_err().code,
        "municipality.unknown"
    );
}

#[test]
fn malformed_codes_give_municipality_format() {
    for bad in ["301", "03011", "O301", "03 1", "", "0301 "] {
        assert_eq!(
            lookup(Jurisdiction::No, bad, None).unwrap_err().code,
            "municipality.format",
            "{bad:?}"
        );
        assert_eq!(
            MunicipalityCode::new(bad).unwrap_err().code,
            "municipality.format"
        );
    }
    let err = barnvern_core::json::from_str::<MunicipalityCode>("\"301\"").unwrap_err();
    assert_eq!(err.findings()[0].code, "municipality.format");
    let code: MunicipalityCode = serde_json::from_str("\"0301\"").unwrap();
    assert_eq!(code.as_str(), "0301");
    assert_eq!(code.county_code(), "03");
    assert_eq!(
        code.lookup(Jurisdiction::No, Some(d(2020, 1, 1)))
            .unwrap()
            .county_code,
        "03"
    );
    assert_eq!(serde_json::to_string(&code).unwrap(), "\"0301\"");
}

#[test]
fn municipality_code_lists_are_views_of_the_same_rows() {
    let no = municipality_code_list(Jurisdiction::No);
    assert_eq!(no.system, "no.ssb.kommune");
    assert_eq!(no.version, "SSB Klass 131 2018-2026");
    assert_eq!(no.entries.len(), 797);
    assert_eq!(no.entries_on(d(2020, 1, 1)).count(), 356);
    assert_eq!(
        no.check("1201", Some(d(2020, 1, 1))).unwrap_err().code,
        "codelist.not_in_force"
    );
    assert_eq!(
        no.get("0301").unwrap().display.no.as_deref(),
        Some("Oslo - Oslove")
    );
    let se = municipality_code_list(Jurisdiction::Se);
    assert_eq!(se.system, "se.scb.kommun");
    assert_eq!(se.entries.len(), 290);
    assert_eq!(se.groups.len(), 21);
    let entry = se.check("0180", Some(d(2025, 1, 1))).unwrap();
    assert_eq!(entry.display.sv.as_deref(), Some("Stockholm"));
    assert_eq!(
        se.group(entry.parent.as_deref().unwrap())
            .unwrap()
            .display
            .sv
            .as_deref(),
        Some("Stockholms län")
    );
    assert!(std::ptr::eq(builtin("se.scb.kommun").unwrap(), se));
}

// ---- SSB child-welfare reporting lists ----------------------------------------------------

const INDEX: &str = include_str!("../data/no-ssb-barnevern/index.csv");

#[test]
fn every_ssb_list_has_the_row_count_of_index_csv() {
    let mut reader = csv::Reader::from_reader(INDEX.as_bytes());
    let mut seen = 0;
    for record in reader.records() {
        let record = record.unwrap();
        let stem = record[0].strip_suffix(".csv").unwrap();
        let rows: usize = record[4].parse().unwrap();
        let list = builtin(&format!("no.ssb.barnevern.{stem}")).unwrap();
        assert_eq!(list.entries.len(), rows, "{stem}");
        assert_eq!(list.version, SSB_BARNEVERN_VERSION);
        assert_eq!(list.title, &record[3]);
        let codes: HashSet<_> = list.entries.iter().map(|e| &e.code).collect();
        assert_eq!(codes.len(), rows, "codes unique in {stem}");
        seen += 1;
    }
    assert_eq!(seen, 20);
    let systems: Vec<_> = builtin_systems().collect();
    assert_eq!(systems.len(), 23);
    assert!(systems.contains(&SAKSINNHOLD));
    assert!(systems.contains(&"no.ssb.kommune") && systems.contains(&"se.scb.kommun"));
    for system in systems {
        assert_eq!(builtin(system).unwrap().system, system);
    }
    assert!(builtin("no.ssb.barnevern.index").is_none());
    assert!(builtin("no.ssb.barnevern.nothing").is_none());
}

#[test]
fn melder_15_was_split_in_2025() {
    let melder = builtin("no.ssb.barnevern.melder").unwrap();
    let day = d(2025, 1, 1);
    let err = melder.check("15", Some(day)).unwrap_err();
    assert_eq!(err.code, "codelist.not_in_force");
    assert!(err.message.contains("no.ssb.barnevern.melder"));
    assert!(err.message.contains("2024-12-31"), "{}", err.message);
    assert!(melder.check("15", Some(d(2024, 12, 31))).is_ok());
    assert_eq!(
        melder.check("24", Some(day)).unwrap().display.no.as_deref(),
        Some("Lege/ sykehus")
    );
    assert!(melder.get("15").unwrap().note.is_some());
    let other = melder.get("22").unwrap();
    assert!(other.requires_text);
    assert_eq!(
        other.check_text(None).unwrap_err().code,
        "codelist.text_required"
    );
    let err = melder.check("026", None).unwrap_err();
    assert_eq!(err.code, "codelist.unknown_code");
    assert!(err.message.contains("\"026\""));
}

#[test]
fn saksinnhold_legacy_ends_2025_and_kunnskapsmodellen_begins_2026() {
    let legacy = builtin("no.ssb.barnevern.saksinnhold-legacy").unwrap();
    let jan_2026 = d(2026, 1, 1);
    assert_eq!(
        legacy.check("1", Some(jan_2026)).unwrap_err().code,
        "codelist.not_in_force"
    );
    assert!(legacy.check("1", Some(d(2025, 12, 31))).is_ok());

    let km = builtin("no.ssb.barnevern.saksinnhold-kunnskapsmodellen").unwrap();
    let entry = km.check("1.1.01", Some(jan_2026)).unwrap();
    assert_eq!(entry.parent.as_deref(), Some("1.1"));
    let level2 = km.group("1.1").unwrap();
    assert_eq!(level2.display.no.as_deref(), Some("Helse"));
    assert_eq!(level2.parent.as_deref(), Some("1"));
    assert_eq!(
        km.group("1").unwrap().display.no.as_deref(),
        Some("BARNETS UTVIKLING")
    );
    // Headings are not codes.
    assert!(km.check("1.1", None).is_err());
    // 3.1.10 and 3.1.01 are distinct codes.
    assert!(km.get("3.1.10").is_some());
    assert_ne!(km.get("3.1.10"), km.get("3.1.01"));

    let combined = builtin(SAKSINNHOLD).unwrap();
    assert_eq!(combined.entries.len(), 36 + 57);
    // 4, 13 and 16 ended in 2020; the other 33 legacy codes run to 2025-12-31.
    assert_eq!(combined.entries_on(d(2025, 6, 1)).count(), 33);
    assert_eq!(combined.entries_on(jan_2026).count(), 57);
    assert!(
        combined
            .check("18", Some(d(2024, 1, 1)))
            .unwrap()
            .requires_text
    );
}

#[test]
fn tiltak_codes_are_text() {
    let tiltak = builtin("no.ssb.barnevern.tiltak-kategori").unwrap();
    let ten = tiltak.get("3.10").unwrap();
    let one = tiltak.get("3.1").unwrap();
    assert_ne!(ten.display, one.display);
    assert_eq!(ten.parent.as_deref(), Some("3"));
    assert_eq!(
        tiltak.group("3").unwrap().display.no.as_deref(),
        Some("Tiltak for å styrke foreldreferdigheter")
    );
    assert_eq!(
        tiltak.check("8.2", Some(d(2026, 1, 1))).unwrap_err().code,
        "codelist.not_in_force"
    );
    assert!(tiltak.check("8.4", Some(d(2026, 1, 1))).is_ok());
    assert!(
        tiltak
            .get("8.2")
            .unwrap()
            .note
            .as_deref()
            .unwrap()
            .contains("8.4")
    );
    // Flytting/ArsakFra 2.9 has no level-2 heading: its parent is level 1.
    let arsak = builtin("no.ssb.barnevern.flytting-arsak-fra").unwrap();
    assert_eq!(arsak.get("2.9").unwrap().parent.as_deref(), Some("2"));
    let lov = builtin("no.ssb.barnevern.lov").unwrap();
    assert!(lov.check("BVL2021", Some(d(2023, 1, 1))).is_ok());
    let begrep = builtin("no.ssb.barnevern.begrepstype").unwrap();
    assert!(begrep.check("Personalia", Some(d(2026, 1, 1))).is_ok());
    assert_eq!(begrep.get("Personalia").unwrap().display.no, None);
}

// ---- coded values --------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Reporter {
    Police,
    OtherPublic,
}

#[test]
fn coded_round_trips_through_json() {
    let value = Coded::new(Reporter::OtherPublic)
        .with_source("no.ssb.barnevern.melder", "22")
        .unwrap()
        .with_text("Tolletaten");
    let json = serde_json::to_string(&value).unwrap();
    assert_eq!(
        json,
        r#"{"code":"other_public","source":{"system":"no.ssb.barnevern.melder","code":"22"},"text":"Tolletaten"}"#
    );
    let back: Coded<Reporter> = barnvern_core::json::from_str(&json).unwrap();
    assert_eq!(back, value);
    assert_eq!(back.source.as_ref().unwrap().code(), "22");

    let bare = Coded::new(Reporter::Police);
    let json = serde_json::to_string(&bare).unwrap();
    assert_eq!(json, r#"{"code":"police"}"#);
    assert_eq!(
        serde_json::from_str::<Coded<Reporter>>(&json).unwrap(),
        bare
    );
}

#[test]
fn coded_refuses_unknown_fields_and_empty_sources() {
    let err = barnvern_core::json::from_str::<Coded<Reporter>>(r#"{"code":"police","colour":1}"#)
        .unwrap_err();
    assert_eq!(err.findings()[0].code, "json.unknown_field");
    let err = barnvern_core::json::from_str::<Coded<Reporter>>(
        r#"{"code":"police","source":{"system":"s","code":"1","x":2}}"#,
    )
    .unwrap_err();
    assert_eq!(err.findings()[0].code, "json.unknown_field");
    let err = barnvern_core::json::from_str::<Coded<Reporter>>(
        r#"{"code":"police","source":{"system":"s","code":""}}"#,
    )
    .unwrap_err();
    assert_eq!(err.findings()[0].code, "codelist.source_empty");
    assert_eq!(err.findings()[0].path, "source");
    assert!(SourceCode::new("s", "").is_err());
    let schema = schemars::schema_for!(Coded<Reporter>);
    let text = serde_json::to_string(&schema).unwrap();
    assert!(text.contains("\"source\"") && text.contains("additionalProperties"));
}

#[test]
fn coded_source_is_checked_against_its_list() {
    let value = Coded::new(Reporter::Police)
        .with_source("no.ssb.barnevern.melder", "8")
        .unwrap();
    let source = value.source.as_ref().unwrap();
    let list = builtin(source.system()).unwrap();
    let entry = list.check(source.code(), Some(d(2024, 3, 1))).unwrap();
    assert_eq!(entry.display.no.as_deref(), Some("Politi"));
    assert!(entry.check_text(value.text.as_deref()).is_ok());
}

proptest::proptest! {
    #[test]
    fn coded_json_round_trips_any_source(
        system in "[a-z][a-z0-9]{0,8}([.-][a-z0-9]{1,8}){0,3}",
        code in "\\PC{1,10}",
        text in proptest::option::of("\\PC{0,30}"),
    ) {
        let made = Coded::new(Reporter::Police).with_source(system.clone(), code.clone());
        // A code or system name shaped like an identity number is refused (a system name of
        // the allowed shape can be, e.g. "a0000-60-0000"); any other round-trips.
        let looks = barnvern_core::identifier::looks_like_identity_number(&code)
            || barnvern_core::identifier::looks_like_identity_number(&system);
        proptest::prop_assert_eq!(made.is_err(), looks);
        let Ok(mut value) = made else { return Ok(()) };
        value.text = text;
        let json = serde_json::to_string(&value).unwrap();
        let back: Coded<Reporter> = barnvern_core::json::from_str(&json).unwrap();
        proptest::prop_assert_eq!(back, value);
    }

    #[test]
    fn municipality_code_format_is_four_ascii_digits(text in "\\PC{0,6}") {
        let expected = text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit());
        proptest::prop_assert_eq!(MunicipalityCode::new(text.as_str()).is_ok(), expected);
        if !expected {
            proptest::prop_assert_eq!(
                lookup(Jurisdiction::Se, &text, None).unwrap_err().code,
                "municipality.format"
            );
        }
    }
}
