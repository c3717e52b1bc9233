#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every SSB control in force: a case that passes and a case that fails it (table-driven).

use std::collections::BTreeSet;

use barnvern_core::Severity;
use barnvern_ssb::{check_sak, controls, read_str};

const AVGIVER: &str = r#"<Avgiver Kommunenummer="3401" Kommunenavn="Kongsvinger kommune" Organisasjonsnummer="944117784"/>"#;
/// A Tenor synthetic test number (born 3 May 2015, male), not a real person's.
const PERSONALIA: &str = r#"<Personalia Id="p1" StartDato="2024-01-01" Fodselsnummer="03851598730" Fodseldato="2015-05-03" Kjonn="1"/>"#;

/// A one-Sak file extracted on 2024-06-01. `sak` is `ATTRS|CHILDREN`; a leading `<Avgiver .../>`
/// replaces the default Avgiver; without a Personalia of its own (or `NOP`) the default one is
/// added.
fn doc(sak: &str) -> String {
    let (attrs, mut body) = sak.split_once('|').unwrap_or(("", sak));
    let mut avgiver = AVGIVER.to_owned();
    if body.starts_with("<Avgiver") {
        let end = body.find("/>").unwrap() + 2;
        avgiver = body[..end].to_owned();
        body = &body[end..];
    }
    let personalia = if body.contains("<Personalia") || body.contains("NOP") {
        ""
    } else {
        PERSONALIA
    };
    let body = body.replace("NOP", "");
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Barnevern Id="11111111-1111-4111-8111-111111111111" DatoUttrekk="2024-06-01T10:00:00+01:00">
<Fagsystem Leverandor="test" Navn="test" Versjon="1"/>
{avgiver}
<Sak Id="s1" StartDato="2024-01-01" Journalnummer="j1" {attrs}>
{personalia}
{body}
</Sak>
</Barnevern>"#
    )
}

fn codes(sak: &str) -> Vec<(String, Severity)> {
    let xml = doc(sak);
    let rc = read_str(&xml, "t.xml").into_iter().next().unwrap().unwrap();
    check_sak(&rc.sak, &rc.extract, "t.xml", None)
        .into_iter()
        .map(|i| (i.code, i.severity))
        .collect()
}

fn lov(lov: &str, kap: &str, par: &str) -> String {
    format!(
        "<Lovhjemmel><Lov>{lov}</Lov><Kapittel>{kap}</Kapittel><Paragraf>{par}</Paragraf><Ledd>1</Ledd></Lovhjemmel>"
    )
}

fn melding(id: &str, start: &str, end: &str) -> String {
    format!(
        r#"<Melding Id="{id}" StartDato="{start}"><Melder Kode="1"/><Saksinnhold Kode="1"/><Konklusjon SluttDato="{end}" Kode="2"/></Melding>"#
    )
}

fn und(id: &str, start: &str, end: &str, kode: &str) -> String {
    format!(
        r#"<Undersokelse Id="{id}" StartDato="{start}"><Vedtaksgrunnlag Kode="1"/><Konklusjon SluttDato="{end}" Kode="{kode}"/></Undersokelse>"#
    )
}

fn vedtak(id: &str, start: &str, inner: &str) -> String {
    format!(
        r#"<Vedtak Id="{id}" StartDato="{start}">{}{inner}</Vedtak>"#,
        lov("BVL2021", "3", "1")
    )
}

fn status(kode: &str, on: &str) -> String {
    format!(r#"<Status Id="st-{kode}-{on}" EndretDato="{on}" Kode="{kode}"/>"#)
}

fn tiltak(id: &str, start: &str, kat: &str, inner: &str) -> String {
    format!(
        r#"<Tiltak Id="{id}" StartDato="{start}">{}<Kategori Kode="{kat}" Presisering="p"/>{inner}</Tiltak>"#,
        lov("BVL2021", "3", "1")
    )
}

fn tiltak_lov(id: &str, start: &str, kat: &str, l: &str, inner: &str) -> String {
    format!(
        r#"<Tiltak Id="{id}" StartDato="{start}">{l}<Kategori Kode="{kat}" Presisering="p"/>{inner}</Tiltak>"#
    )
}

fn konkl(d: &str) -> String {
    format!(r#"<Konklusjon SluttDato="{d}"/>"#)
}

fn rel(ft: &str, fi: &str, tt: &str, ti: &str) -> String {
    format!(
        r#"<Relasjon Id="r-{fi}-{ti}" FraType="{ft}" FraId="{fi}" TilType="{tt}" TilId="{ti}"/>"#
    )
}

fn pers(fnr: &str, born: &str, start: &str, extra: &str) -> String {
    format!(
        r#"<Personalia Id="p1" StartDato="{start}" Fodselsnummer="{fnr}" Fodseldato="{born}" Kjonn="1" {extra}/>"#
    )
}

fn plan(id: &str, start: &str, inner: &str) -> String {
    format!(r#"<Plan Id="{id}" StartDato="{start}" Plantype="1">{inner}</Plan>"#)
}

fn rows() -> Vec<(&'static str, String, String)> {
    let m = melding("m1", "2024-02-01", "2024-02-05");
    let care = lov("BVL2021", "5", "1");
    vec![
        ("Avgiver Kontroll 1", m.clone(),
         format!(r#"<Avgiver Kommunenummer="0301" Kommunenavn="Oslo" Organisasjonsnummer="958935420"/>{m}"#)),
        ("Sak Kontroll 1", m.clone(), melding("m1", "1990-02-01", "1990-02-05")),
        ("Sak Kontroll 2a", format!(r#"SluttDato="2024-05-01"|{m}"#), format!(r#"SluttDato="2023-12-01"|{m}"#)),
        ("Sak Kontroll 7", m.clone(), format!("{}{m}", pers("03851598730", "1995-01-01", "2024-01-01", ""))),
        ("Sak Kontroll 8",
         format!("{}{m}{}", pers("03851598730", "2004-01-01", "2024-01-01", ""), tiltak("t1", "2024-02-10", "3.1", "")),
         format!("{}{m}", pers("03851598730", "2004-01-01", "2024-01-01", ""))),
        ("Sak Kontroll 21", m.clone(), String::new()),
        ("Sak Kontroll 22",
         format!(r#"{m}<Slettet Id="m1" Type="Melding" SluttDato="2024-03-01"/>"#),
         format!(r#"{m}<Slettet Id="m9" Type="Melding" SluttDato="2024-03-01"/>"#)),
        ("Sak Kontroll 23", format!(r#"SluttDato="2024-05-01"|{m}"#),
         r#"SluttDato="2024-05-01"|<Melding Id="m1" StartDato="2024-02-01"><Melder Kode="1"/></Melding>"#.to_owned()),
        ("Personalia Kontroll 2f", format!(r#"SluttDato="2024-03-01"|{m}"#),
         format!(r#"SluttDato="2024-03-01"|{}{m}"#, pers("03851598730", "2015-05-03", "2024-04-01", ""))),
        ("Personalia Kontroll 11", m.clone(), format!("NOP{m}")),
        ("Personalia Kontroll 12", m.clone(), format!("{}{m}", pers("03851598731", "2015-05-03", "2024-01-01", ""))),
        ("Personalia Kontroll 13", m.clone(), format!("{}{m}", pers("03851598730", "2015-05-04", "2024-01-01", ""))),
        ("Personalia Kontroll 14", m.clone(),
         format!(r#"<Personalia Id="p1" StartDato="2024-01-01" Fodselsnummer="03851598730" Fodseldato="2015-05-03" Kjonn="2"/>{m}"#)),
        ("Personalia Kontroll 15",
         format!("{}{m}", pers("03052499999", "2024-05-03", "2024-01-01", "")),
         format!("{}{m}", pers("03052499999", "2024-05-03", "2024-05-20", ""))),
        ("Personalia Kontroll 16",
         format!("{}{m}", pers("03052499999", "2024-05-03", "2024-01-01", "")),
         format!("{}{m}", pers("03052499999", "2024-05-03", "2023-01-01", ""))),
        ("Personalia Kontroll 17",
         format!("{}{m}", pers("03851598730", "2015-05-03", "2024-01-01", r#"DUFnummer="201012345678""#)),
         format!("{}{m}", pers("03851598730", "2015-05-03", "2024-01-01", r#"DUFnummer="000012345678""#))),
        ("Personalia Kontroll 18", m.clone(), format!("{}{m}", pers("03052499999", "2024-05-03", "2024-01-01", ""))),
        ("Melding Kontroll 2a", m.clone(), melding("m1", "2024-02-10", "2024-02-05")),
        ("Melding Kontroll 2c", format!(r#"SluttDato="2024-03-01"|{m}"#), format!(r#"SluttDato="2024-02-03"|{m}"#)),
        ("Melding Kontroll 2e", m.clone(), melding("m1", "2023-12-01", "2023-12-05")),
        ("Melding Kontroll 3", m.clone(), melding("m1", "2024-02-01", "2024-02-20")),
        ("Melding Kontroll 4", m.clone(),
         r#"<Melding Id="m1" StartDato="2024-02-01"><Saksinnhold Kode="1"/><Konklusjon SluttDato="2024-02-05" Kode="1"/></Melding>"#.to_owned()),
        ("Melding Kontroll 5", m.clone(),
         r#"<Melding Id="m1" StartDato="2024-02-01"><Melder Kode="1"/><Konklusjon SluttDato="2024-02-05" Kode="1"/></Melding>"#.to_owned()),
        ("Melding Kontroll 19",
         format!("{m}{}", melding("m2", "2024-02-02", "2024-02-05")),
         format!("{m}{}", melding("m2", "2024-02-01", "2024-02-05"))),
        ("Melder Kontroll 2",
         r#"<Melding Id="m1" StartDato="2024-02-01"><Melder Kode="22" Presisering="Tannhelse"/></Melding>"#.to_owned(),
         r#"<Melding Id="m1" StartDato="2024-02-01"><Melder Kode="22"/></Melding>"#.to_owned()),
        ("Saksinnhold Kontroll 2",
         r#"<Melding Id="m1" StartDato="2024-02-01"><Melder Kode="1"/><Saksinnhold Kode="18" Presisering="x"/></Melding>"#.to_owned(),
         r#"<Melding Id="m1" StartDato="2024-02-01"><Melder Kode="1"/><Saksinnhold Kode="18"/></Melding>"#.to_owned()),
        ("Undersøkelse Kontroll 2a", und("u1", "2024-03-01", "2024-04-01", "3"), und("u1", "2024-03-01", "2024-02-01", "3")),
        ("Undersøkelse Kontroll 2c",
         format!(r#"SluttDato="2024-05-01"|{}"#, und("u1", "2024-03-01", "2024-04-01", "3")),
         format!(r#"SluttDato="2024-03-15"|{}"#, und("u1", "2024-03-01", "2024-04-01", "3"))),
        ("Undersøkelse Kontroll 2e", und("u1", "2024-02-01", "2024-04-01", "3"), und("u1", "2023-12-01", "2024-02-01", "3")),
        ("Undersøkelse Kontroll 3",
         r#"<Undersokelse Id="u1" StartDato="2024-02-01"><Vedtaksgrunnlag Kode="19" Presisering="x"/></Undersokelse>"#.to_owned(),
         r#"<Undersokelse Id="u1" StartDato="2024-02-01"><Vedtaksgrunnlag Kode="19"/></Undersokelse>"#.to_owned()),
        ("Undersøkelse Kontroll 7", und("u1", "2024-02-01", "2024-04-01", "1"),
         r#"<Undersokelse Id="u1" StartDato="2024-02-01"><Konklusjon SluttDato="2024-04-01" Kode="1"/></Undersokelse>"#.to_owned()),
        ("Undersøkelse Kontroll 11",
         format!(r#"{}<Undersokelse Id="u1" StartDato="2024-04-05"/>{}"#, melding("m1", "2024-04-01", "2024-04-05"), rel("Melding", "m1", "Undersokelse", "u1")),
         format!(r#"{}<Undersokelse Id="u1" StartDato="2024-01-05"/>{}"#, melding("m1", "2024-01-02", "2024-01-05"), rel("Melding", "m1", "Undersokelse", "u1"))),
        ("Undersøkelse Kontroll 19",
         format!("{}{}", und("u1", "2024-02-01", "2024-04-01", "3"), und("u2", "2024-02-02", "2024-04-01", "3")),
         format!("{}{}", und("u1", "2024-02-01", "2024-04-01", "3"), und("u2", "2024-02-01", "2024-04-01", "3"))),
        ("Undersøkelse Kontroll 20",
         format!("{m}{}{}", und("u1", "2024-02-05", "2024-04-01", "3"), rel("Melding", "m1", "Undersokelse", "u1")),
         format!("{m}{}", und("u1", "2024-02-05", "2024-04-01", "3"))),
        ("Undersøkelse Kontroll 21",
         format!("{}{}{}", und("u1", "2024-02-05", "2024-04-01", "1"), vedtak("v1", "2024-04-01", &status("1", "2024-04-01")), rel("Undersokelse", "u1", "Vedtak", "v1")),
         format!("{}{}", und("u1", "2024-02-05", "2024-04-01", "1"), vedtak("v1", "2024-04-01", &status("1", "2024-04-01")))),
        ("Vedtak Kontroll 2a",
         vedtak("v1", "2024-03-01", &format!("{}{}", status("1", "2024-03-01"), konkl("2024-04-01"))),
         vedtak("v1", "2024-03-01", &format!("{}{}", status("1", "2024-03-01"), konkl("2024-02-01")))),
        ("Vedtak Kontroll 2c",
         format!(r#"SluttDato="2024-05-01"|{}"#, vedtak("v1", "2024-03-01", &format!("{}{}", status("1", "2024-03-01"), konkl("2024-04-01")))),
         format!(r#"SluttDato="2024-03-20"|{}"#, vedtak("v1", "2024-03-01", &format!("{}{}", status("1", "2024-03-01"), konkl("2024-04-01"))))),
        ("Vedtak Kontroll 2e", vedtak("v1", "2024-02-01", &status("1", "2024-02-01")), vedtak("v1", "2023-12-01", &status("1", "2023-12-01"))),
        ("Vedtak Kontroll 2f",
         vedtak("v1", "2024-03-01", &format!(r#"<Krav Id="k1" StartDato="2024-03-10"><Konklusjon SluttDato="2024-03-20" Kode="1"/></Krav>{}"#, status("1", "2024-03-01"))),
         vedtak("v1", "2024-03-01", &format!(r#"<Krav Id="k1" StartDato="2024-03-10"><Konklusjon SluttDato="2024-03-05" Kode="1"/></Krav>{}"#, status("1", "2024-03-01")))),
        ("Vedtak Kontroll 2g",
         vedtak("v1", "2024-03-01", &format!(r#"<Krav Id="k1" StartDato="2024-03-02"><Konklusjon SluttDato="2024-03-12" Kode="1"/></Krav>{}{}"#, status("1", "2024-03-01"), konkl("2024-03-15"))),
         vedtak("v1", "2024-03-01", &format!(r#"<Krav Id="k1" StartDato="2024-03-02"><Konklusjon SluttDato="2024-03-20" Kode="1"/></Krav>{}{}"#, status("1", "2024-03-01"), konkl("2024-03-15")))),
        ("Vedtak Kontroll 2h",
         vedtak("v1", "2024-03-01", &format!(r#"<Krav Id="k1" StartDato="2024-03-05"/>{}"#, status("1", "2024-03-01"))),
         vedtak("v1", "2024-03-01", &format!(r#"<Krav Id="k1" StartDato="2024-02-01"/>{}"#, status("1", "2024-03-01")))),
        ("Vedtak Kontroll 2i",
         vedtak("v1", "2024-03-01", &format!("{}{}", status("1", "2024-03-10"), konkl("2024-03-15"))),
         vedtak("v1", "2024-03-01", &format!("{}{}", status("1", "2024-03-20"), konkl("2024-03-15")))),
        ("Vedtak Kontroll 2j", vedtak("v1", "2024-03-01", &status("1", "2024-03-02")), vedtak("v1", "2024-03-01", &status("1", "2024-02-01"))),
        ("Vedtak Kontroll 3", vedtak("v1", "2024-03-01", &status("1", "2024-03-01")), vedtak("v1", "2024-03-01", &status("3", "2024-03-01"))),
        ("Vedtak Kontroll 4",
         vedtak("v1", "2024-03-01", &status("1", "2024-03-01")),
         format!(r#"<Vedtak Id="v1" StartDato="2024-03-01">{}{}</Vedtak>"#, lov("XYZ", "3", "1"), status("1", "2024-03-01"))),
        ("Vedtak Kontroll 5",
         vedtak("v1", "2024-03-01", &status("1", "2024-03-01")),
         format!(r#"<Vedtak Id="v1" StartDato="2024-03-01">{}{}</Vedtak>"#, lov("BVL", "4", "4"), status("1", "2024-03-01"))),
        ("Vedtak Kontroll 19",
         format!("{}{}", vedtak("v1", "2024-03-01", &status("1", "2024-03-01")), vedtak("v2", "2024-03-02", &status("1", "2024-03-01"))),
         format!("{}{}", vedtak("v1", "2024-03-01", &status("1", "2024-03-01")), vedtak("v2", "2024-03-01", &status("1", "2024-03-01")))),
        ("Vedtak Kontroll 20",
         format!(r#"{}<OversendelseFylkesnemnd Id="o1" StartDato="2024-03-02">{}</OversendelseFylkesnemnd>{}"#,
                 vedtak("v1", "2024-03-01", &status("2", "2024-03-01")), lov("BVL2021", "5", "1"), rel("Vedtak", "v1", "OversendelseFylkesnemnd", "o1")),
         vedtak("v1", "2024-03-01", &status("2", "2024-03-01"))),
        ("Tiltak Kontroll 2a", tiltak("t1", "2024-03-01", "3.1", &konkl("2024-04-01")), tiltak("t1", "2024-03-01", "3.1", &konkl("2024-02-01"))),
        ("Tiltak Kontroll 2c",
         format!(r#"SluttDato="2024-05-01"|{}"#, tiltak("t1", "2024-03-01", "3.1", &konkl("2024-04-01"))),
         format!(r#"SluttDato="2024-03-20"|{}"#, tiltak("t1", "2024-03-01", "3.1", &konkl("2024-04-01")))),
        ("Tiltak Kontroll 2e", tiltak("t1", "2024-02-01", "3.1", ""), tiltak("t1", "2023-12-01", "3.1", "")),
        ("Tiltak Kontroll 5", tiltak("t1", "2024-02-01", "3.1", ""), tiltak("t1", "2024-02-01", "4.1", "")),
        ("Tiltak Kontroll 6",
         tiltak("t1", "2024-02-01", "4.2", ""),
         format!("{}{}", pers("03851598730", "2010-01-01", "2024-01-01", ""), tiltak("t1", "2024-02-01", "4.2", ""))),
        ("Tiltak Kontroll 7",
         tiltak("t1", "2024-02-01", "3.7", ""),
         format!(r#"<Tiltak Id="t1" StartDato="2024-02-01">{}<Kategori Kode="3.7"/></Tiltak>"#, lov("BVL2021", "3", "1"))),
        ("Tiltak Kontroll 8",
         tiltak("t1", "2024-02-01", "3.1", &format!(r#"<Opphevelse Kode="4" Presisering="x"/>{}"#, konkl("2024-03-01"))),
         tiltak("t1", "2024-02-01", "3.1", &format!(r#"<Opphevelse Kode="4"/>{}"#, konkl("2024-03-01")))),
        ("Tiltak Kontroll 9",
         format!("{}{}", tiltak("t1", "2024-01-10", "2.1", ""), tiltak("t2", "2024-05-01", "2.2", "")),
         format!("{}{}", tiltak("t1", "2024-01-10", "2.1", ""), tiltak("t2", "2024-01-15", "2.2", ""))),
        ("Tiltak Kontroll 12",
         tiltak_lov("t1", "2024-02-01", "2.1", &care, &format!(r#"<Opphevelse Kode="1"/>{}"#, konkl("2024-03-01"))),
         tiltak_lov("t1", "2024-02-01", "2.1", &care, &konkl("2024-03-01"))),
        ("Tiltak Kontroll 13",
         format!("{}{}", pers("03851598730", "2004-01-01", "2024-01-01", ""), tiltak_lov("t1", "2024-02-01", "2.1", &care, &format!(r#"<Opphevelse Kode="2"/>{}"#, konkl("2024-03-01")))),
         format!("{}{}", pers("03851598730", "2004-01-01", "2024-01-01", ""), tiltak_lov("t1", "2024-02-01", "2.1", &care, ""))),
        ("Tiltak Kontroll 14", tiltak("t1", "2024-02-01", "3.1", ""), tiltak_lov("t1", "2024-02-01", "3.1", &lov("BVL2021", "0", "1"), "")),
        ("Tiltak Kontroll 19",
         format!("{}{}", tiltak("t1", "2024-02-01", "3.1", ""), tiltak("t2", "2024-02-02", "3.1", "")),
         format!("{}{}", tiltak("t1", "2024-02-01", "3.1", ""), tiltak("t2", "2024-02-01", "3.1", ""))),
        ("Tiltak Kontroll 20",
         format!("{}{}{}", tiltak("t1", "2024-02-01", "3.1", ""), vedtak("v1", "2024-02-01", &status("1", "2024-02-01")), rel("Vedtak", "v1", "Tiltak", "t1")),
         format!("{}{}", tiltak("t1", "2024-02-01", "3.1", ""), vedtak("v1", "2024-02-01", &status("1", "2024-02-01")))),
        ("Tiltak Kontroll 21",
         format!("{}{}{}", tiltak("t1", "2024-02-01", "3.1", ""), vedtak("v1", "2024-02-01", &status("1", "2024-02-01")), rel("Vedtak", "v1", "Tiltak", "t1")),
         format!("{}{}{}", tiltak_lov("t1", "2024-02-01", "3.1", &care, ""), vedtak("v1", "2024-02-01", &status("1", "2024-02-01")), rel("Vedtak", "v1", "Tiltak", "t1"))),
        ("Tiltak Kontroll 22", tiltak("t1", "2024-02-01", "1.1", ""), tiltak("t1", "2024-02-01", "1.99", "")),
        ("Tiltak Kontroll 23", tiltak("t1", "2024-02-01", "2.1", ""), tiltak("t1", "2024-02-01", "2.99", "")),
        ("Plan Kontroll 2a", plan("pl1", "2024-03-01", &konkl("2024-04-01")), plan("pl1", "2024-03-01", &konkl("2024-02-01"))),
        ("Plan Kontroll 2c",
         format!(r#"SluttDato="2024-05-01"|{}"#, plan("pl1", "2024-03-01", &konkl("2024-04-01"))),
         format!(r#"SluttDato="2024-03-20"|{}"#, plan("pl1", "2024-03-01", &konkl("2024-04-01")))),
        ("Plan Kontroll 2e", plan("pl1", "2024-02-01", ""), plan("pl1", "2023-12-01", "")),
        ("Plan Kontroll 2f",
         format!(r#"SluttDato="2024-04-01"|{}"#, plan("pl1", "2024-02-01", &format!(r#"<Evaluering UtfortDato="2024-03-10"/>{}"#, konkl("2024-03-30")))),
         format!(r#"SluttDato="2024-04-01"|{}"#, plan("pl1", "2024-02-01", &format!(r#"<Evaluering UtfortDato="2024-04-10"/>{}"#, konkl("2024-03-30"))))),
        ("Plan Kontroll 2g",
         plan("pl1", "2024-02-01", r#"<Evaluering UtfortDato="2024-02-10"/>"#),
         plan("pl1", "2024-02-01", r#"<Evaluering UtfortDato="2023-12-10"/>"#)),
        ("Plan Kontroll 19",
         format!("{}{}", plan("pl1", "2024-02-01", ""), plan("pl2", "2024-02-02", "")),
         format!("{}{}", plan("pl1", "2024-02-01", ""), plan("pl2", "2024-02-01", ""))),
        ("Ettervern Kontroll 2a",
         r#"<Ettervern Id="e1" TilbudSendtDato="2024-03-01"><Konklusjon SluttDato="2024-04-01" Kode="1"/></Ettervern>"#.to_owned(),
         r#"<Ettervern Id="e1" TilbudSendtDato="2024-03-01"><Konklusjon SluttDato="2024-02-01" Kode="1"/></Ettervern>"#.to_owned()),
        ("Ettervern Kontroll 2c",
         r#"SluttDato="2024-05-01"|<Ettervern Id="e1" TilbudSendtDato="2024-03-01"><Konklusjon SluttDato="2024-04-01" Kode="1"/></Ettervern>"#.to_owned(),
         r#"SluttDato="2024-03-20"|<Ettervern Id="e1" TilbudSendtDato="2024-03-01"><Konklusjon SluttDato="2024-04-01" Kode="1"/></Ettervern>"#.to_owned()),
        ("Ettervern Kontroll 2e",
         r#"<Ettervern Id="e1" TilbudSendtDato="2024-03-01"/>"#.to_owned(),
         r#"<Ettervern Id="e1" TilbudSendtDato="2023-12-01"/>"#.to_owned()),
        ("Flytting Kontroll 2c",
         r#"SluttDato="2024-05-01"|<Flytting Id="f1" SluttDato="2024-04-01"><ArsakFra Kode="1.1"/><FlyttingTil Kode="1"/></Flytting>"#.to_owned(),
         r#"SluttDato="2024-03-01"|<Flytting Id="f1" SluttDato="2024-04-01"><ArsakFra Kode="1.1"/><FlyttingTil Kode="1"/></Flytting>"#.to_owned()),
        ("Flytting Kontroll 2f",
         r#"<Flytting Id="f1" SluttDato="2024-04-01"><ArsakFra Kode="1.1"/><FlyttingTil Kode="1"/></Flytting>"#.to_owned(),
         r#"<Flytting Id="f1" SluttDato="2023-12-01"><ArsakFra Kode="1.1"/><FlyttingTil Kode="1"/></Flytting>"#.to_owned()),
        ("Oversendelse til fylkesnemnd Kontroll 2e",
         format!(r#"<OversendelseFylkesnemnd Id="o1" StartDato="2024-03-01">{}</OversendelseFylkesnemnd>"#, lov("BVL2021", "5", "1")),
         format!(r#"<OversendelseFylkesnemnd Id="o1" StartDato="2023-12-01">{}</OversendelseFylkesnemnd>"#, lov("BVL", "4", "12"))),
        ("Oversendelse til fylkesnemnd Kontroll 2f",
         format!(r#"SluttDato="2024-05-01"|<OversendelseFylkesnemnd Id="o1" StartDato="2024-03-01">{}</OversendelseFylkesnemnd>"#, lov("BVL2021", "5", "1")),
         format!(r#"SluttDato="2024-02-01"|<OversendelseFylkesnemnd Id="o1" StartDato="2024-03-01">{}</OversendelseFylkesnemnd>"#, lov("BVL2021", "5", "1"))),
        ("Oversendelse til fylkesnemnd Kontroll 5",
         format!(r#"<OversendelseFylkesnemnd Id="o1" StartDato="2024-03-01">{}</OversendelseFylkesnemnd>"#, lov("BVL2021", "5", "1")),
         format!(r#"<OversendelseFylkesnemnd Id="o1" StartDato="2024-03-01">{}</OversendelseFylkesnemnd>"#, lov("BVL", "4", "12"))),
    ]
}

#[test]
fn every_control_passes_and_fails_as_specified() {
    let rows = rows();
    let tested: BTreeSet<&str> = rows.iter().map(|r| r.0).collect();
    let all: BTreeSet<&str> = controls().iter().map(|c| c.id).collect();
    assert_eq!(tested, all, "every control in force has a row");
    let mut failures = Vec::new();
    for (id, pass, fail) in &rows {
        let p = codes(pass);
        if p.iter().any(|(c, _)| c == id) {
            failures.push(format!("{id}: the passing case fails: {p:?}"));
        }
        let f = codes(fail);
        if !f.iter().any(|(c, _)| c == id) {
            failures.push(format!("{id}: the failing case passes: {f:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn severities_follow_ssb_and_migrated_data_get_warnings() {
    let fail = melding("m1", "2024-02-10", "2024-02-05");
    let f = codes(&fail);
    assert!(f.contains(&("Melding Kontroll 2a".to_owned(), Severity::Error)));
    let f = codes(&melding("m1", "2024-02-01", "2024-02-20"));
    assert!(f.contains(&("Melding Kontroll 3".to_owned(), Severity::Warning)));
    // Data migrated from KOSTRA (MigrertId): WARNING instead of ERROR.
    let migrated = fail.replace("<Melding Id", "<Melding MigrertId=\"old-1\" Id");
    let f = codes(&migrated);
    assert!(f.contains(&("Melding Kontroll 2a".to_owned(), Severity::Warning)));
}

#[test]
fn controls_apply_only_while_in_force() {
    let c = controls()
        .iter()
        .find(|c| c.id == "Tiltak Kontroll 22")
        .unwrap();
    assert!(!c.in_force_on(chrono::NaiveDate::from_ymd_opt(2022, 6, 1).unwrap()));
    assert!(c.in_force_on(chrono::NaiveDate::from_ymd_opt(2023, 6, 1).unwrap()));
    assert!(
        !controls().iter().any(|c| c.id.contains("Sak Kontroll 6")),
        "UTGÅR"
    );
}

#[test]
fn messages_carry_ssb_text_and_never_an_identity_number() {
    let xml = doc(&melding("m1", "2024-02-10", "2024-02-05"));
    let rc = read_str(&xml, "t.xml").into_iter().next().unwrap().unwrap();
    let all = check_sak(&rc.sak, &rc.extract, "t.xml", None);
    let f = all
        .iter()
        .find(|i| i.code == "Melding Kontroll 2a")
        .unwrap();
    assert_eq!(
        f.message,
        "Meldingens startdato 2024-02-10 er etter sluttdato 2024-02-05"
    );
    assert!(f.path.starts_with("t.xml:"), "{}", f.path);
    assert!(f.path.contains("Melding[@Id='m1']"), "{}", f.path);
    for i in &all {
        assert!(!i.message.contains("03851598730") && !i.path.contains("03851598730"));
    }
}
