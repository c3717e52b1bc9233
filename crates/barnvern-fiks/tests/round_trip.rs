//! Properties over generated bodies that follow the schema: each is accepted, its report
//! re-serialised parses to the same report, and every child opens a valid case.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use barnvern_case::Case;
use barnvern_core::ids::{CaseId, ReferralId};
use barnvern_fiks::{MessageType, parse};
use common::IDENTITY_NUMBERS;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// One line of text (the schema's `^(.*)$`), with letters Norwegian forms hold.
fn line() -> impl Strategy<Value = String> {
    "[^\n\r\u{2028}\u{2029}]{0,16}"
}

/// Any text, line breaks and all.
fn text() -> impl Strategy<Value = String> {
    "(?s).{0,24}"
}

fn phone() -> impl Strategy<Value = String> {
    "\\+?[0-9]{1,4}([- ][0-9]{1,4}){0,3}"
}

fn email() -> impl Strategy<Value = String> {
    "[a-zA-Zæøå0-9_-]{1,8}(\\.[a-z0-9]{1,5}){0,2}@[a-zø0-9-]{1,8}(\\.[a-z0-9-]{1,5}){0,2}\\.[a-zA-Z]{2,4}"
}

/// A sending time between 2020 and 2030, Norwegian local time, DST switches included.
fn sent() -> impl Strategy<Value = String> {
    (
        2020..2030i32,
        1..=12u32,
        1..=28u32,
        0..24u32,
        0..60u32,
        0..60u32,
    )
        .prop_map(|(y, mo, d, h, mi, s)| format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}"))
}

fn put(m: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(v) = value {
        m.insert(key.to_owned(), json!(v));
    }
}

fn adresse() -> impl Strategy<Value = Value> {
    (
        text(),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
    )
        .prop_map(|(l1, l2, l3, nr, sted)| {
            let mut m = Map::new();
            m.insert("adresselinje1".into(), json!(l1));
            put(&mut m, "adresselinje2", l2);
            put(&mut m, "adresselinje3", l3);
            put(&mut m, "postnummer", nr);
            put(&mut m, "poststed", sted);
            Value::Object(m)
        })
}

fn kommune() -> impl Strategy<Value = (&'static str, &'static str)> {
    prop_oneof![
        Just(("4601", "00")),
        Just(("0301", "02")),
        Just(("1201", "10")),
    ]
}

/// A public child: with one of the two example numbers (`which`), or unborn without one.
fn offentlig_barn(which: Option<usize>) -> impl Strategy<Value = Value> {
    (
        line(),
        proptest::option::of(text()),
        adresse(),
        any::<bool>(),
        proptest::option::of(line()),
    )
        .prop_map(move |(navn, tlf, adresse, orientert, grunn)| {
            let mut m = Map::new();
            let fnr = which.map_or("", |i| IDENTITY_NUMBERS[i]);
            m.insert("fnr".into(), json!(fnr));
            m.insert("ufoedt".into(), json!(which.is_none()));
            m.insert("personnavn".into(), json!(navn));
            put(&mut m, "telefonnummer", tlf);
            m.insert("adresse".into(), adresse);
            m.insert("orientert".into(), json!(orientert));
            put(&mut m, "orientertGrunn", grunn);
            Value::Object(m)
        })
}

fn foresatt() -> impl Strategy<Value = Value> {
    (
        line(),
        proptest::option::of(line()),
        any::<bool>(),
        proptest::option::of(line()),
    )
        .prop_map(|(navn, tlf, orientert, grunn)| {
            let mut m = Map::new();
            m.insert("personnavn".into(), json!(navn));
            put(&mut m, "telefonnummer", tlf);
            m.insert("orientert".into(), json!(orientert));
            put(&mut m, "orientertGrunn", grunn);
            Value::Object(m)
        })
}

fn offentlig() -> impl Strategy<Value = Value> {
    let children = prop_oneof![
        offentlig_barn(Some(0)).prop_map(|a| vec![a]),
        offentlig_barn(None).prop_map(|a| vec![a]),
        (offentlig_barn(Some(0)), offentlig_barn(Some(1))).prop_map(|(a, b)| vec![a, b]),
        (offentlig_barn(Some(1)), offentlig_barn(None)).prop_map(|(a, b)| vec![a, b]),
    ];
    let melder = (
        line(),
        line(),
        phone(),
        email(),
        line(),
        proptest::option::of(line()),
        adresse(),
    )
        .prop_map(|(navn, rolle, tlf, epost, org, orgnr, adresse)| {
            let mut v = Map::new();
            v.insert("navn".into(), json!(org));
            put(&mut v, "orgnr", orgnr);
            v.insert("adresse".into(), adresse);
            json!({"personnavn": navn, "rolle": rolle, "telefonnummer": tlf, "epost": epost,
                   "virksomhet": Value::Object(v)})
        });
    (
        kommune(),
        (line(), line()),
        melder,
        children,
        proptest::collection::vec(foresatt(), 1..=2),
        (proptest::option::of(text()), proptest::option::of(text())),
        (text(), text(), proptest::option::of(text())),
        (sent(), text()),
    )
        .prop_map(
            |(
                (nr, bydel),
                (knavn, bnavn),
                melder,
                barn,
                foresatte,
                (tolk, andre),
                tekst,
                (tid, kanal),
            )| {
                let mut melding = Map::new();
                melding.insert("melding".into(), json!(tekst.0));
                melding.insert("historie".into(), json!(tekst.1));
                put(&mut melding, "andreSynspunkter", tekst.2);
                let mut m = Map::new();
                m.insert("kommunenummer".into(), json!(nr));
                m.insert("kommunenavn".into(), json!(knavn));
                m.insert("bydelsnummer".into(), json!(bydel));
                m.insert("bydelsnavn".into(), json!(bnavn));
                m.insert("offentligMelder".into(), melder);
                m.insert("offentligBarn".into(), Value::Array(barn));
                m.insert("foresatte".into(), Value::Array(foresatte));
                put(&mut m, "behovForTolk", tolk);
                put(&mut m, "andreHjelpeinstanser", andre);
                m.insert("melding".into(), Value::Object(melding));
                m.insert("sendingstidspunkt".into(), json!(tid));
                m.insert("leveringskanal".into(), json!(kanal));
                Value::Object(m)
            },
        )
}

fn privat() -> impl Strategy<Value = Value> {
    let barn = (
        text(),
        proptest::option::of(text()),
        proptest::option::of(text()),
        adresse(),
    )
        .prop_map(|(navn, alder, relasjon, adresse)| {
            let mut m = Map::new();
            m.insert("personnavn".into(), json!(navn));
            put(&mut m, "antattAlder", alder);
            put(&mut m, "relasjon", relasjon);
            m.insert("adresse".into(), adresse);
            Value::Object(m)
        });
    let melder = (
        text(),
        proptest::option::of(phone()),
        proptest::option::of(adresse()),
    )
        .prop_map(|(navn, tlf, adresse)| {
            let mut m = Map::new();
            m.insert("personnavn".into(), json!(navn));
            put(&mut m, "telefonnummer", tlf);
            if let Some(a) = adresse {
                m.insert("adresse".into(), a);
            }
            Value::Object(m)
        });
    (
        kommune(),
        (text(), text()),
        melder,
        proptest::collection::vec(barn, 1..4),
        (text(), sent(), text()),
    )
        .prop_map(
            |((nr, bydel), (knavn, bnavn), melder, barn, (tekst, tid, kanal))| {
                json!({"kommunenummer": nr, "kommunenavn": knavn, "bydelsnummer": bydel,
                   "bydelsnavn": bnavn, "privatMelder": melder, "privatBarn": barn,
                   "melding": tekst, "sendingstidspunkt": tid, "leveringskanal": kanal})
            },
        )
}

fn check(kind: MessageType, body: &Value) {
    let bytes = serde_json::to_vec(body).unwrap();
    let report = parse(kind, &bytes).unwrap_or_else(|e| panic!("{e}\n{body:#}"));
    let again = parse(kind, report.to_json().as_bytes()).unwrap();
    assert_eq!(report, again);
    for (i, child) in report.children().iter().enumerate() {
        let header = report.case_header(child, CaseId::new(format!("c-{i}")).unwrap());
        let mut case = Case::new(header).unwrap();
        case.apply(report.referral_event(child, ReferralId::new("m-1").unwrap()))
            .unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_public_body_that_follows_the_schema_round_trips(body in offentlig(), v2 in any::<bool>()) {
        check(if v2 { MessageType::OffentligV2 } else { MessageType::OffentligV1 }, &body);
    }

    #[test]
    fn a_private_body_that_follows_the_schema_round_trips(body in privat(), v2 in any::<bool>()) {
        check(if v2 { MessageType::PrivatV2 } else { MessageType::PrivatV1 }, &body);
    }
}
