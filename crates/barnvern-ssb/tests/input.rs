#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Bad input gives findings with their location, never a panic; change extracts apply to
//! the extract they name; any bundle can be written as valid v4 and checked.

use std::path::Path;

use barnvern_case::Case;
use barnvern_core::Severity;
use barnvern_ssb::{Extracts, SsbReader, check, read_str, write_case};

mod roundtrip_support {
    include!("support/xmllint.rs");
}

fn sample(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .unwrap()
}

fn first_err(xml: &str) -> barnvern_core::Finding {
    read_str(xml, "bad.xml")
        .into_iter()
        .find_map(Result::err)
        .expect("an error finding")
}

#[test]
fn malformed_xml_is_a_finding_with_file_and_line() {
    let xml = "<?xml version=\"1.0\"?>\n<Barnevern Id=\"x\" DatoUttrekk=\"2024-01-01T00:00:00Z\">\n<Fagsystem Leverandor=\"a\" Navn=\"b\" Versjon=\"1\">\n</Barnevern>";
    let e = first_err(xml);
    assert_eq!(e.code, "ssb.xml_malformed");
    assert_eq!(e.severity, Severity::Error);
    assert!(e.path.starts_with("bad.xml:"), "{}", e.path);
    let truncated = "<Barnevern Id=\"x\" DatoUttrekk=\"2024-01-01T00:00:00Z\"><Sak Id=\"s\"";
    assert_eq!(first_err(truncated).code, "ssb.xml_malformed");
    assert_eq!(first_err("").code, "ssb.xml_malformed");
    assert_eq!(first_err("<Other/>").code, "ssb.not_barnevern");
}

#[test]
fn billion_laughs_and_external_entities_are_refused_not_expanded() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Barnevern Id="x" DatoUttrekk="2024-01-01T00:00:00Z"><Fagsystem Navn="&lol2;" Leverandor="abc" Versjon="1"/></Barnevern>"#;
    let e = first_err(laughs);
    assert_eq!(e.code, "ssb.dtd_refused");
    let external = r#"<?xml version="1.0"?>
<!DOCTYPE b [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Barnevern Id="x" DatoUttrekk="2024-01-01T00:00:00Z"><Fagsystem Navn="&xxe;" Leverandor="abc" Versjon="1"/></Barnevern>"#;
    assert_eq!(first_err(external).code, "ssb.dtd_refused");
    // An entity without a DTD is refused too.
    let bare = r#"<Barnevern Id="x" DatoUttrekk="2024-01-01T00:00:00Z"><Sak Id="s"><Lov>&xxe;</Lov></Sak></Barnevern>"#;
    assert_eq!(first_err(bare).code, "ssb.entity_refused");
}

#[test]
fn unknown_elements_wrong_codes_and_bad_numbers_are_located_findings() {
    let xml = sample("test01_file09_total.xml")
        .replace("<Melder Kode=\"1\"/>", "<Melder Kode=\"99\"/><Tull/>")
        .replace(
            "Fodselsnummer=\"02011088123\"",
            "Fodselsnummer=\"02011088124\"",
        );
    let rc = read_str(&xml, "f.xml").into_iter().next().unwrap().unwrap();
    let find = |code: &str| {
        rc.findings
            .iter()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("{code} in {:#?}", rc.findings))
    };
    let unknown = find("ssb.unknown_element");
    assert!(unknown.path.starts_with("f.xml:"), "{}", unknown.path);
    assert!(unknown.path.contains("/Tull"), "{}", unknown.path);
    let code = find("ssb.unknown_code");
    assert!(code.path.contains("Melding[@Id='bb6b82ea"), "{}", code.path);
    let id = find("id.no.check_digit_2");
    assert!(id.path.contains("Personalia"), "{}", id.path);
    for f in &rc.findings {
        assert!(!f.message.contains("0201108812"), "{}", f.message);
        assert!(!f.path.contains("0201108812"), "{}", f.path);
    }
}

#[test]
fn the_samples_ssb_rejects_are_findings() {
    // invalid.xml: no Avgiver.
    let rc = read_str(&sample("invalid.xml"), "invalid.xml")
        .into_iter()
        .next()
        .unwrap()
        .unwrap();
    assert!(rc.data.is_none());
    assert!(
        rc.findings
            .iter()
            .any(|f| f.code == "ssb.missing" && f.path.contains("Avgiver"))
    );
    // sluttdato_etter_startdato.xml: a report concluded before it started.
    let rc = read_str(&sample("sluttdato_etter_startdato.xml"), "s.xml")
        .into_iter()
        .next()
        .unwrap()
        .unwrap();
    let found = barnvern_ssb::check_sak(&rc.sak, &rc.extract, "s.xml", None);
    assert!(
        found
            .iter()
            .any(|f| f.code == "Melding Kontroll 2a" && f.severity == Severity::Error)
    );
    assert!(rc.into_case().is_err(), "barnvern refuses it too");
}

#[test]
fn change_extracts_apply_to_the_extract_they_name() {
    let mut series = Extracts::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut last = None;
    for name in [
        "test01_file01_changes.xml",
        "test01_file02_changes.xml",
        "test01_file03_changes.xml",
    ] {
        let out = series.read_path(&dir.join(name)).unwrap();
        let rc = out.into_iter().next().unwrap().unwrap();
        assert!(
            !rc.findings
                .iter()
                .any(|f| f.code == "ssb.unknown_forrige_id"),
            "{name}: {:#?}",
            rc.findings
        );
        last = Some(rc);
    }
    // The third file holds only the concluded investigation; the merged case still has the
    // report from the first two.
    let case = last.unwrap().into_case().unwrap();
    assert_eq!(case.referrals.len(), 1);
    assert_eq!(case.investigations.len(), 1);
    assert!(case.investigations[0].concluded_on.is_some());
    assert_eq!(case.screenings.len(), 1);

    // A change extract whose ForrigeId was never read: a finding, read as complete.
    let mut fresh = Extracts::new();
    let rc = fresh
        .read(SsbReader::new(
            sample("test01_file03_changes.xml").as_bytes(),
            "c.xml",
        ))
        .into_iter()
        .next()
        .unwrap()
        .unwrap();
    let f = rc
        .findings
        .iter()
        .find(|f| f.code == "ssb.unknown_forrige_id")
        .unwrap();
    assert!(f.path.contains("ForrigeId"));
}

#[test]
fn tombstones_remove_records() {
    let mut series = Extracts::new();
    series.read(SsbReader::new(
        sample("test01_file09_total.xml").as_bytes(),
        "a.xml",
    ));
    let change = r#"<?xml version="1.0" encoding="UTF-8"?>
<Barnevern Id="2c0bc35f-5d5c-4b8e-9c55-54a7a1f1f6b1" DatoUttrekk="2022-02-01T00:00:00+01:00" ForrigeId="1b1907ef-2080-42c8-b704-3b33bf0b0982">
<Fagsystem Versjon="1.0" Navn="x" Leverandor="SSB"/>
<Avgiver Kommunenummer="3401" Kommunenavn="Kongsvinger kommune" Organisasjonsnummer="944117784"/>
<Sak StartDato="2021-01-01" Id="7317a453-2d65-465a-9589-519311d66579" Journalnummer="test1">
<Slettet Id="0b6ceeba-677d-45da-bf4d-cb14e3631c28" Type="Plan" SluttDato="2022-01-31"/>
</Sak></Barnevern>"#;
    let rc = series
        .read(SsbReader::new(change.as_bytes(), "b.xml"))
        .into_iter()
        .next()
        .unwrap()
        .unwrap();
    let data = rc.data.unwrap();
    assert!(data.plans.is_empty(), "the plan is deleted");
    assert_eq!(data.interventions.len(), 1);
    assert!(rc.sak.all("Slettet").count() == 1, "the tombstone is kept");
}

#[test]
fn any_bundle_is_written_as_valid_v4_and_checked() {
    let json = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/no-case.json"),
    )
    .unwrap();
    let case = Case::from_json(&json).unwrap();
    let written = write_case(&case).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-case.xml");
    std::fs::write(&path, &written.xml).unwrap();
    roundtrip_support::xmllint(&path);
    // Read back: the same records, now with SSB ids.
    let back = only_case(&written.xml);
    assert_eq!(back.referrals.len(), case.referrals.len());
    assert_eq!(back.investigations.len(), case.investigations.len());
    assert_eq!(back.decisions.len(), case.decisions.len());
    assert_eq!(back.interventions.len(), case.interventions.len());
    assert_eq!(back.child.identity, case.child.identity);
    // SSB's controls on a bundle that never was SSB XML.
    let found = check(&case, None);
    for f in &found {
        assert!(!f.message.contains("03851598730"));
    }
}

#[test]
fn a_tiltak_without_start_date_is_kept_as_ssb_data_and_survives_a_round_trip() {
    // StartDato is required on Tiltak in every schema version. Mapped as a measure that has
    // not started, it was left out when written (v4 needs a StartDato), so a round trip lost it
    // (the fuzz input fuzz/artifacts/ssb_xml/crash-3c654793...; the Tiltak's Id repeats that of
    // other kinds of record there, which is allowed).
    let id = "be6dff10-c654-4a88-8310-a42d3e268e7d";
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Barnevern Id="1b1907ef-2080-42c8-b704-3b33bf0b0982" DatoUttrekk="2021-01-01T13:22:00+01:00">
  <Avgiver Kommunenummer="3401" Kommunenavn="Kongsvinger kommune" Organisasjonsnummer="944117784"/>
  <Sak StartDato="2021-01-01" Id="7317a453-2d65-465a-9589-519311d66579" Journalnummer="test0">
    <Personalia Id="7317a453-2d65-465a-9589-519311d66570" StartDato="2021-01-01"
                Fodselsnummer="02011088123" Fodseldato="2010-01-02" Kjonn="1"/>
    <Tiltak Id="{id}" StartEato="2021-04-08">
      <Lovhjemmel><Lov>BVL</Lov><Kapittel>4</Kapittel><Paragraf>12</Paragraf></Lovhjemmel>
      <Kategori Kode="3.10"/>
    </Tiltak>
  </Sak>
</Barnevern>"#
    );
    let rc = read_str(&xml, "t.xml").into_iter().next().unwrap().unwrap();
    let case = rc.into_case().unwrap();
    assert!(
        case.interventions.iter().all(|i| i.id.as_str() != id),
        "a Tiltak without StartDato is not a measure of the bundle"
    );
    let written = write_case(&case).unwrap();
    assert!(
        written.xml.contains(id),
        "the Tiltak is written back as stored"
    );
    let again = only_case(&written.xml);
    assert_eq!(
        serde_json::to_value(&again.interventions).unwrap(),
        serde_json::to_value(&case.interventions).unwrap()
    );
}

#[test]
fn a_lovhjemmel_without_chapter_or_section_is_flagged_and_survives_a_round_trip() {
    // A Vedtak whose Lovhjemmel holds the law only (Kapittel and Paragraf, both required by
    // SSB's schema, missing; the Ledd not a number) was mapped without a word; written back,
    // the required parts were filled with 0, which read back as chapter "0", section "0": the
    // round trip changed the decision (fuzz input
    // fuzz/artifacts/ssb_xml/crash-fc97044b5d4ba544429e4630f845e23ea12c95c6). A second Vedtak
    // has Kapittel 0, which SSB's controls refuse: it reads as not given.
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<Barnevern Id="1b1907ef-2080-42c8-b704-3b33bf0b0982" DatoUttrekk="2021-01-01T13:22:00+01:00">
  <Avgiver Kommunenummer="3401" Kommunenavn="Kongsvinger kommune" Organisasjonsnummer="944117784"/>
  <Sak StartDato="2021-01-01" Id="7317a453-2d65-465a-9589-519311d66579" Journalnummer="test0">
    <Personalia Id="7317a453-2d65-465a-9589-519311d66570" StartDato="2021-01-01"
                Fodselsnummer="02011088123" Fodseldato="2010-01-02" Kjonn="1"/>
    <Vedtak Id="7317a453-2d65-465a-9589-519311d66571" StartDato="2021-04-08">
      <Lovhjemmel><Lov>BVL</Lov><Ledd>_</Ledd></Lovhjemmel>
      <Status Id="7317a453-2d65-465a-9589-519311d66572" EndretDato="2021-04-08" Kode="1"/>
    </Vedtak>
    <Vedtak Id="7317a453-2d65-465a-9589-519311d66573" StartDato="2021-04-09">
      <Lovhjemmel><Lov>BVL</Lov><Kapittel>0</Kapittel><Paragraf>12</Paragraf></Lovhjemmel>
      <Status Id="7317a453-2d65-465a-9589-519311d66574" EndretDato="2021-04-09" Kode="1"/>
    </Vedtak>
  </Sak>
</Barnevern>"#;
    let rc = read_str(xml, "l.xml").into_iter().next().unwrap().unwrap();
    let codes: Vec<(&str, &str)> = rc
        .findings
        .iter()
        .map(|f| {
            (
                f.code.as_str(),
                f.path.rsplit('/').next().unwrap_or_default(),
            )
        })
        .collect();
    for expected in [
        ("ssb.lovhjemmel.incomplete", "Kapittel"),
        ("ssb.lovhjemmel.incomplete", "Paragraf"),
        ("ssb.lovhjemmel.ledd", "Ledd"),
    ] {
        assert!(codes.contains(&expected), "{expected:?} not in {codes:?}");
    }
    assert_eq!(
        codes
            .iter()
            .filter(|(c, _)| *c == "ssb.lovhjemmel.incomplete")
            .count(),
        3,
        "two parts missing in the first Vedtak, Kapittel 0 in the second: {codes:?}"
    );
    assert!(
        rc.findings.iter().all(|f| !f.message.contains('_')),
        "the Ledd's value is not echoed"
    );
    let case = rc.into_case().unwrap();
    let bases: Vec<_> = case
        .decisions
        .iter()
        .map(|d| (d.legal_basis.chapter.clone(), d.legal_basis.section.clone()))
        .collect();
    assert_eq!(bases, [(None, None), (None, Some("12".to_owned()))]);
    let written = write_case(&case).unwrap();
    let incomplete = written
        .findings
        .iter()
        .filter(|f| f.code == "ssb.write.legal_basis_incomplete")
        .count();
    assert_eq!(incomplete, 2, "{:?}", written.findings);
    let again = only_case(&written.xml);
    assert_eq!(
        serde_json::to_value(&again.decisions).unwrap(),
        serde_json::to_value(&case.decisions).unwrap()
    );
}

/// The one case of an SSB file (panics with the findings when it does not map).
fn only_case(xml: &str) -> Case {
    read_str(xml, "written.xml")
        .into_iter()
        .next()
        .expect("the file holds a Sak")
        .expect("the Sak reads")
        .into_case()
        .unwrap_or_else(|f| panic!("{f:#?}"))
}

#[test]
fn a_date_whose_year_is_not_four_digits_is_refused_not_read_as_a_year_before_christ() {
    // chrono's `%Y` reads `-024-01-02` as the year -24; the writer wrote it back as
    // `-0024-01-02`, which nothing reads: a case read from SSB's format could not be written and
    // read again (fuzz input fuzz/artifacts/ssb_xml/crash-6c2e6e15d9806f518816bb35fc77ce1ce8b821b1).
    for bad in [
        "-024-01-02",
        "+2024-01-02",
        "24-01-02",
        "2024-1-02",
        "20240-01-02",
    ] {
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Barnevern Id="1b1907ef-2080-42c8-b704-3b33bf0b0982" DatoUttrekk="2021-01-01T13:22:00+01:00">
  <Avgiver Kommunenummer="3401" Kommunenavn="Kongsvinger kommune" Organisasjonsnummer="944117784"/>
  <Sak StartDato="{bad}" Id="7317a453-2d65-465a-9589-519311d66579" Journalnummer="test0">
    <Personalia Id="7317a453-2d65-465a-9589-519311d66570" StartDato="2021-01-01"
                Fodselsnummer="02011088123" Fodseldato="2010-01-02" Kjonn="1"/>
  </Sak>
</Barnevern>"#
        );
        let rc = read_str(&xml, "d.xml").into_iter().next().unwrap().unwrap();
        let date = rc
            .findings
            .iter()
            .find(|f| f.code == "ssb.date")
            .unwrap_or_else(|| panic!("{bad}: no ssb.date in {:?}", rc.findings));
        assert!(date.path.ends_with("/@StartDato"), "{}", date.path);
        assert_eq!(date.severity, Severity::Error);
        assert!(
            rc.into_case().is_err(),
            "{bad}: a Sak without a start date maps"
        );
    }
    let dated = |s: &str| barnvern_ssb::import::parse_date(s);
    assert_eq!(
        dated("2024-01-02+01:00"),
        chrono::NaiveDate::from_ymd_opt(2024, 1, 2),
        "a time-zone suffix is still ignored"
    );
    assert_eq!(
        dated("0999-12-31").map(|d| d.to_string()).as_deref(),
        Some("0999-12-31")
    );
}
