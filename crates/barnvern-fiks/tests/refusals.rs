//! Malformed and schema-violating messages are refused with a path and a code, and no refusal
//! repeats a value (above all no identity number); the intake's own rules and decisions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use barnvern_case::Case;
use barnvern_core::ids::{CaseId, ReferralId};
use barnvern_core::{PersonIdentity, Severity};
use barnvern_fiks::{Body, FiksError, MessageType, Reply, parse};
use common::{EXAMPLES, IDENTITY_NUMBERS, example_value};
use serde_json::{Value, json};

const OFFENTLIG: &str = "offentligBekymringsmeldingV2.json";
const PRIVAT: &str = "privatBekymringsmeldingV1.json";

/// The example with the municipality number in force, changed by `change`, parsed.
fn with(
    file: &str,
    kind: MessageType,
    change: impl FnOnce(&mut Value),
) -> Result<barnvern_fiks::Report, FiksError> {
    let mut doc = example_value(file);
    doc["kommunenummer"] = json!("4601");
    change(&mut doc);
    parse(kind, serde_json::to_string(&doc).unwrap().as_bytes())
}

fn refused(file: &str, kind: MessageType, change: impl FnOnce(&mut Value)) -> FiksError {
    let err = with(file, kind, change).unwrap_err();
    assert_clean(&err);
    err
}

/// No message, path, display or reply of `err` shows a run of digits as long as an identity
/// number (nor the masking that would hide one).
fn assert_clean(err: &FiksError) {
    let reply = Reply::failed(err);
    common::assert_feilmelding(reply.body());
    let texts = err
        .findings()
        .iter()
        .flat_map(|i| [i.message.clone(), i.path.clone()])
        .chain([
            err.to_string(),
            String::from_utf8(reply.body().to_vec()).unwrap(),
        ]);
    for text in texts {
        for number in IDENTITY_NUMBERS {
            assert!(!text.contains(number), "shows an identity number: {text}");
        }
        let mut run = 0;
        for c in text.chars() {
            run = if c.is_ascii_digit() || c == '*' {
                run + 1
            } else {
                0
            };
            assert!(run < 10, "shows a long digit run: {text}");
        }
    }
}

#[test]
fn not_json_is_refused_without_a_path() {
    for (bytes, what) in [
        (&b""[..], "empty"),
        (b"{", "cut short"),
        (b"{\"kommunenummer\": 28871350045,}", "trailing comma"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"{} {}", "two values"),
    ] {
        let err = parse(MessageType::PrivatV1, bytes).unwrap_err();
        assert!(matches!(err, FiksError::Json(_)), "{what}");
        assert_eq!((err.code(), err.path()), ("fiks.json", ""), "{what}");
        assert_clean(&err);
    }
    // Deep nesting stops at serde_json's recursion limit, as a refusal, not a crash.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let err = parse(MessageType::OffentligV1, deep.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "fiks.json");
}

#[test]
fn the_body_must_be_an_object_with_every_required_field() {
    let err = parse(MessageType::OffentligV1, b"[]").unwrap_err();
    assert_eq!((err.path(), err.code()), ("", "fiks.type"));
    assert_eq!(err.message(), "must be an object, but is an array");

    let err = parse(MessageType::OffentligV1, b"{}").unwrap_err();
    let paths: Vec<_> = err.findings().iter().map(|i| i.path.as_str()).collect();
    // Every required field, in the schema's order.
    assert_eq!(
        paths,
        [
            "kommunenummer",
            "kommunenavn",
            "bydelsnummer",
            "bydelsnavn",
            "offentligMelder",
            "offentligBarn",
            "foresatte",
            "melding",
            "sendingstidspunkt",
            "leveringskanal",
        ]
    );
    assert!(err.findings().iter().all(|i| i.code == "fiks.required"));
    assert_eq!(
        err.message(),
        "the field kommunenummer is required but missing"
    );
    let err = parse(MessageType::PrivatV2, b"{}").unwrap_err();
    assert_eq!(err.findings().len(), 9);
}

/// A change to a body.
type Change = dyn FnOnce(&mut Value);

#[test]
fn wrong_types_patterns_and_bounds_name_their_path() {
    let kind = MessageType::OffentligV2;
    let cases: Vec<(&str, &str, Box<Change>)> = vec![
        (
            "kommunenummer",
            "fiks.pattern",
            Box::new(|d| d["kommunenummer"] = json!("460")),
        ),
        (
            "kommunenummer",
            "fiks.type",
            Box::new(|d| d["kommunenummer"] = json!(4601)),
        ),
        (
            "bydelsnummer",
            "fiks.pattern",
            Box::new(|d| d["bydelsnummer"] = json!("2")),
        ),
        (
            "offentligMelder.telefonnummer",
            "fiks.pattern",
            Box::new(|d| d["offentligMelder"]["telefonnummer"] = json!("99 99--99")),
        ),
        (
            "offentligMelder.epost",
            "fiks.pattern",
            Box::new(|d| d["offentligMelder"]["epost"] = json!("lærer at skole.no")),
        ),
        (
            "offentligBarn[1].ufoedt",
            "fiks.type",
            Box::new(|d| d["offentligBarn"][1]["ufoedt"] = json!("false")),
        ),
        (
            "offentligBarn[0].adresse.adresselinje1",
            "fiks.required",
            Box::new(|d| {
                d["offentligBarn"][0]["adresse"]
                    .as_object_mut()
                    .unwrap()
                    .remove("adresselinje1");
            }),
        ),
        (
            "foresatte",
            "fiks.max_items",
            Box::new(|d| {
                let one = d["foresatte"][0].clone();
                d["foresatte"] = json!([one.clone(), one.clone(), one]);
            }),
        ),
        (
            "offentligBarn",
            "fiks.min_items",
            Box::new(|d| d["offentligBarn"] = json!([])),
        ),
        (
            "foresatte[0]",
            "fiks.type",
            Box::new(|d| d["foresatte"][0] = json!("Foresatt")),
        ),
        (
            "melding.historie",
            "fiks.type",
            Box::new(|d| d["melding"]["historie"] = Value::Null),
        ),
        (
            "sendingstidspunkt",
            "fiks.format",
            Box::new(|d| d["sendingstidspunkt"] = json!("16.03.2020 13:29")),
        ),
        (
            "offentligMelder.personnavn",
            "fiks.pattern",
            Box::new(|d| d["offentligMelder"]["personnavn"] = json!("Navn\r\nNavnesen")),
        ),
    ];
    for (path, code, change) in cases {
        let err = refused(OFFENTLIG, kind, change);
        assert_eq!((err.path(), err.code()), (path, code), "{err}");
        assert!(!err.message().is_empty());
    }
    // Several failures are all reported, in document order.
    let err = refused(OFFENTLIG, kind, |d| {
        d["bydelsnummer"] = json!(2);
        d["leveringskanal"] = json!(false);
    });
    let found: Vec<_> = err
        .findings()
        .iter()
        .map(|i| (i.path.as_str(), i.code.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("bydelsnummer", "fiks.type"),
            ("leveringskanal", "fiks.type")
        ]
    );
    assert!(err.to_string().ends_with("(and 1 more failure)"));
}

#[test]
fn an_invalid_identity_number_is_refused_without_its_digits() {
    for bad in [
        "28871350046",
        "2887135004",
        "288713500450",
        "32871350045",
        "2887135004x",
    ] {
        let err = refused(OFFENTLIG, MessageType::OffentligV1, |d| {
            d["offentligBarn"][0]["fnr"] = json!(bad)
        });
        assert_eq!(
            (err.path(), err.code()),
            ("offentligBarn[0].fnr", "fiks.fnr")
        );
        assert!(!err.to_string().contains(bad));
    }
}

#[test]
fn identity_numbers_in_any_field_never_reach_a_message() {
    // Every string field of every example in turn holds an identity number (valid, with a
    // wrong check digit, too short or long, with a line break) or a wrong type next to one.
    let values = [
        json!(IDENTITY_NUMBERS[0]),
        json!("28871350046"),
        json!("2887135004"),
        json!("288713500450"),
        json!(format!("{}\n", IDENTITY_NUMBERS[1])),
        json!(28871350045_u64),
    ];
    let mut refusals = 0;
    for (file, kind) in EXAMPLES {
        let base = example_value(file);
        let mut paths = Vec::new();
        leaves(&base, "", &mut paths);
        for path in &paths {
            for value in &values {
                let mut doc = base.clone();
                *pointer(&mut doc, path) = value.clone();
                match parse(kind, serde_json::to_string(&doc).unwrap().as_bytes()) {
                    Err(err) => {
                        assert_clean(&err);
                        refusals += 1;
                    }
                    Ok(report) => {
                        for f in report.findings() {
                            for number in IDENTITY_NUMBERS {
                                assert!(!f.message.contains(number), "{f}");
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(refusals > 200, "only {refusals} refusals");
}

fn leaves(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                leaves(x, &format!("{path}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                leaves(x, &format!("{path}/{i}"), out);
            }
        }
        Value::String(_) => out.push(path.to_owned()),
        _ => {}
    }
}

fn pointer<'v>(doc: &'v mut Value, path: &str) -> &'v mut Value {
    doc.pointer_mut(path).unwrap()
}

#[test]
fn an_unborn_child_has_no_number_and_is_unregistered_in_its_case() {
    let report = with(OFFENTLIG, MessageType::OffentligV2, |d| {
        d["offentligBarn"][1]["fnr"] = json!("");
        d["offentligBarn"][1]["ufoedt"] = json!(true);
    })
    .unwrap();
    let child = &report.children()[1];
    assert!(child.unborn());
    assert!(child.person_id().is_none());
    let header = report.case_header(child, CaseId::new("c-ufoedt").unwrap());
    let PersonIdentity::Unregistered(u) = &header.child.identity else {
        panic!("an unborn child is unregistered");
    };
    assert_eq!(u.local_id.as_str(), "c-ufoedt");
    let mut case = Case::new(header).unwrap();
    case.apply(report.referral_event(child, ReferralId::new("m-1").unwrap()))
        .unwrap();
    assert!(
        case.referrals[0]
            .free_text
            .as_deref()
            .unwrap()
            .contains("ufødt")
    );
    // An unborn child with a number contradicts itself.
    let err = refused(OFFENTLIG, MessageType::OffentligV2, |d| {
        d["offentligBarn"][0]["ufoedt"] = json!(true);
    });
    assert_eq!(
        (err.path(), err.code()),
        ("offentligBarn[0].fnr", "fiks.fnr_unborn")
    );
}

#[test]
fn a_born_child_sent_without_a_number_is_unregistered() {
    let report = with(OFFENTLIG, MessageType::OffentligV1, |d| {
        d["offentligBarn"][0]["fnr"] = json!("");
    })
    .unwrap();
    let child = &report.children()[0];
    assert!(!child.unborn() && child.person_id().is_none());
    assert_eq!(report.to_json().matches("\"fnr\":\"\"").count(), 1);
}

#[test]
fn the_same_child_twice_is_refused() {
    let err = refused(OFFENTLIG, MessageType::OffentligV1, |d| {
        d["offentligBarn"][1]["fnr"] = json!(IDENTITY_NUMBERS[0]);
    });
    assert_eq!(
        (err.path(), err.code()),
        ("offentligBarn[1].fnr", "fiks.duplicate_child")
    );
    // The written forms of one number are one child.
    let err = refused(OFFENTLIG, MessageType::OffentligV1, |d| {
        d["offentligBarn"][1]["fnr"] = json!("288713 50045");
    });
    assert_eq!(err.code(), "fiks.duplicate_child");
}

#[test]
fn municipality_numbers_are_checked_on_the_sending_date() {
    let err = refused(PRIVAT, MessageType::PrivatV1, |d| {
        d["kommunenummer"] = json!("9999")
    });
    assert_eq!(
        (err.path(), err.code()),
        ("kommunenummer", "fiks.municipality_unknown")
    );
    let err = refused(PRIVAT, MessageType::PrivatV1, |d| {
        d["kommunenummer"] = json!("0000")
    });
    assert_eq!(err.code(), "fiks.municipality_unknown");
    // 3018 Våler (Viken) ended in 2023; in 2024 two municipalities are named Våler, so there is
    // no one successor to map to.
    let err = refused(PRIVAT, MessageType::PrivatV1, |d| {
        d["kommunenummer"] = json!("3018");
        d["sendingstidspunkt"] = json!("2024-06-01T10:00:00");
    });
    assert_eq!(
        (err.path(), err.code()),
        ("kommunenummer", "fiks.municipality_not_in_force")
    );
    // A number from before a reform, sent after it, is its successor with a warning; the
    // published 1201 is the case of the examples (tests/examples.rs). Oslo never changed.
    let report = with(PRIVAT, MessageType::PrivatV1, |d| {
        d["kommunenummer"] = json!("0301");
        d["kommunenavn"] = json!("OSLO");
    })
    .unwrap();
    assert_eq!(report.municipality().as_str(), "0301");
    assert!(report.findings().is_empty());
    // The name sent is not the number's: accepted, with a warning that does not repeat it.
    let report = with(PRIVAT, MessageType::PrivatV1, |d| {
        d["kommunenummer"] = json!("0301");
        d["kommunenavn"] = json!("Bergen");
    })
    .unwrap();
    let codes: Vec<_> = report
        .findings()
        .iter()
        .map(|f| (f.path.as_str(), f.code.as_str()))
        .collect();
    assert_eq!(codes, [("kommunenavn", "fiks.municipality_name_mismatch")]);
    assert!(!report.findings()[0].message.contains("Bergen"));
    // SSB's parallel names and a bracketed county match.
    for (nr, navn) in [
        ("5610", "Karasjok"),
        ("5610", "Kárášjohka"),
        ("3419", "Våler"),
    ] {
        let report = with(PRIVAT, MessageType::PrivatV1, |d| {
            d["kommunenummer"] = json!(nr);
            d["kommunenavn"] = json!(navn);
            d["sendingstidspunkt"] = json!("2024-06-01T10:00:00");
        })
        .unwrap();
        assert!(
            report.findings().is_empty(),
            "{nr} {navn}: {:?}",
            report.findings()
        );
    }
    // 1201 sent in 2019 was in force: no warning.
    let report = with(PRIVAT, MessageType::PrivatV1, |d| {
        d["kommunenummer"] = json!("1201");
        d["sendingstidspunkt"] = json!("2019-12-31T23:59:59");
    })
    .unwrap();
    assert_eq!(report.municipality().as_str(), "1201");
    assert!(report.findings().is_empty());
    // The refusal of a published example as a reply.
    let err = refused(PRIVAT, MessageType::PrivatV1, |d| {
        d["kommunenummer"] = json!("9999")
    });
    let body: Value = serde_json::from_slice(Reply::failed(&err).body()).unwrap();
    assert!(
        body["melding"]
            .as_str()
            .unwrap()
            .contains("kommunenummer [fiks.municipality_unknown]")
    );
}

#[test]
fn daylight_saving_switches_are_resolved_with_a_warning() {
    let report = with(PRIVAT, MessageType::PrivatV2, |d| {
        d["sendingstidspunkt"] = json!("2024-03-31T02:15:00");
    })
    .unwrap();
    assert_eq!(report.sent_at().to_rfc3339(), "2024-03-31T03:15:00+02:00");
    assert_eq!(report.findings()[0].code, "fiks.sent_at_nonexistent");
    assert_eq!(report.findings()[0].severity, Severity::Warning);
    let report = with(PRIVAT, MessageType::PrivatV2, |d| {
        d["sendingstidspunkt"] = json!("2024-10-27T02:15:00");
    })
    .unwrap();
    assert_eq!(report.sent_at().to_rfc3339(), "2024-10-27T02:15:00+02:00");
    assert_eq!(report.findings()[0].code, "fiks.sent_at_ambiguous");
}

#[test]
fn fields_the_schema_does_not_name_are_ignored() {
    let report = with(OFFENTLIG, MessageType::OffentligV1, |d| {
        d["ukjent"] = json!({"fnr": IDENTITY_NUMBERS[0]});
    })
    .unwrap();
    assert!(!report.to_json().contains("ukjent"));
    // andreSynspunkter is v2's: a v1 body's is not read.
    let Body::Offentlig(b) = report.body() else {
        panic!("public")
    };
    assert!(b.melding.andre_synspunkter.is_none());
    let report = with(OFFENTLIG, MessageType::OffentligV2, |_| {}).unwrap();
    let Body::Offentlig(b) = report.body() else {
        panic!("public")
    };
    assert!(b.melding.andre_synspunkter.is_some());
}

#[test]
fn a_public_body_sent_as_private_is_refused() {
    let err = refused(OFFENTLIG, MessageType::PrivatV1, |_| {});
    let paths: Vec<_> = err.findings().iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, ["privatMelder", "privatBarn", "melding"]);
}

#[test]
fn a_failed_reply_lists_at_most_twenty_failures() {
    let mut doc = json!({});
    doc["offentligBarn"] = Value::Array((0..30).map(|_| json!(1)).collect());
    let err = parse(MessageType::OffentligV1, doc.to_string().as_bytes()).unwrap_err();
    assert!(err.findings().len() > 30);
    let body: Value = serde_json::from_slice(Reply::failed(&err).body()).unwrap();
    let text = body["melding"].as_str().unwrap();
    assert_eq!(text.matches("[fiks.").count(), 20);
    assert!(text.ends_with(&format!("and {} more", err.findings().len() - 20)));
}
