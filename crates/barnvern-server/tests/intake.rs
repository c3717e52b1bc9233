//! Every example of the national portal's reports of concern through
//! `POST /v1/intake/fiks-bekymringsmelding`: received, a case per child on the worklist at once,
//! a second delivery changing nothing, a later report of the same child added to its open case,
//! and refusals answered with the protocol's `feilet` message.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use axum::http::{Method, StatusCode};
use barnvern_server::auth::TokenRole;
use common::{Fixture, root};

fn examples() -> Vec<(String, String)> {
    let dir = root().join("crates/barnvern-fiks/data/examples");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    // The copy in the crate is the shared folder's, file for file, where that folder is here.
    let shared = root().join("../shared/fiks-bekymringsmelding/examples");
    if shared.is_dir() {
        for (name, text) in &out {
            assert_eq!(
                &std::fs::read_to_string(shared.join(name)).unwrap(),
                text,
                "{name}"
            );
        }
        assert_eq!(std::fs::read_dir(&shared).unwrap().count(), out.len());
    }
    out
}

/// The message type each example is delivered with, from its file name.
fn message_type(name: &str) -> &'static str {
    match name {
        "offentligBekymringsmeldingV1.json" => "no.ks.fiks.bekymringsmelding.offentlig.v1",
        "offentligBekymringsmeldingV2.json" => "no.ks.fiks.bekymringsmelding.offentlig.v2",
        "privatBekymringsmeldingV1.json" => "no.ks.fiks.bekymringsmelding.privat.v1",
        "privatBekymringsmeldingV2.json" => "no.ks.fiks.bekymringsmelding.privat.v2",
        // The failure replies' examples: a case system receives no such message.
        _ => "no.ks.fiks.bekymringsmelding.feilet.v1",
    }
}

const URI: &str = "/v1/intake/fiks-bekymringsmelding";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shared_example_through_the_endpoint() {
    let f = Fixture::new();
    let intake = f.token(TokenRole::IntakeSystem, &["4601"]);
    let cw = f.token(TokenRole::Caseworker, &["4601"]);
    let all = examples();
    assert_eq!(all.len(), 6);
    for (name, body) in &all {
        let kind = message_type(name);
        let a = f
            .call(
                Method::POST,
                URI,
                Some(&intake),
                &[("fiks-message-type", kind)],
                Some(body.clone()),
            )
            .await;
        let reply = a
            .headers
            .get("fiks-message-type")
            .map(|v| v.to_str().unwrap().to_owned());
        println!(
            "{name:<36} {kind:<44} -> {} {}",
            a.status.as_u16(),
            reply.as_deref().unwrap_or("-")
        );
        if name.starts_with("feilmelding") {
            assert_eq!(
                a.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{name}: {}",
                a.text
            );
            assert_eq!(
                reply.as_deref(),
                Some("no.ks.fiks.bekymringsmelding.feilet.v1")
            );
            assert!(
                a.json["melding"]
                    .as_str()
                    .unwrap()
                    .contains("fiks.message_type"),
                "{}",
                a.text
            );
            continue;
        }
        assert_eq!(a.status, StatusCode::OK, "{name}: {}", a.text);
        assert_eq!(
            reply.as_deref(),
            Some("no.ks.fiks.bekymringsmelding.mottatt.v1")
        );
        assert!(a.text.is_empty(), "the receipt has an empty body");
        let ids: Vec<String> = a.headers["barnvern-case-ids"]
            .to_str()
            .unwrap()
            .split(", ")
            .map(str::to_owned)
            .collect();
        let children = serde_json::from_str::<serde_json::Value>(body).unwrap();
        let n = children
            .get("offentligBarn")
            .or(children.get("privatBarn"))
            .unwrap()
            .as_array()
            .unwrap()
            .len();
        assert_eq!(ids.len(), n, "{name}: one case per child");
        for id in &ids {
            assert!(
                !id.chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
                    .contains("2887135"),
                "{id}"
            );
            // The review clock runs: the case is on the worklist as of the sending date.
            let case = f
                .call(
                    Method::GET,
                    &format!("/v1/cases/{id}"),
                    Some(&cw),
                    &[],
                    None,
                )
                .await;
            assert_eq!(case.status, StatusCode::OK, "{}", case.text);
            let received =
                case.json["referrals"].as_array().unwrap().last().unwrap()["received_at"]
                    .as_str()
                    .unwrap()[..10]
                    .to_owned();
            let w = f
                .call(
                    Method::GET,
                    &format!("/v1/worklist?as_of={received}&within=7&municipality=4601"),
                    Some(&cw),
                    &[],
                    None,
                )
                .await;
            assert!(
                w.json["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|i| i["case_id"] == id.as_str()),
                "{name}: {id} not on the worklist: {}",
                w.text
            );
            let free_text = case.json["referrals"].as_array().unwrap().last().unwrap()["free_text"]
                .as_str()
                .unwrap_or("");
            assert!(!free_text.is_empty(), "the report is kept as free text");
        }
        // Delivered again: the same cases, nothing written.
        let versions: Vec<u64> = ids.iter().map(|id| f.version(id)).collect();
        let again = f
            .call(
                Method::POST,
                URI,
                Some(&intake),
                &[("fiks-message-type", kind)],
                Some(body.clone()),
            )
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.text);
        assert_eq!(
            again.headers["barnvern-case-ids"].to_str().unwrap(),
            ids.join(", ")
        );
        assert_eq!(
            ids.iter().map(|id| f.version(id)).collect::<Vec<_>>(),
            versions
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_report_of_the_same_child_goes_to_its_open_case() {
    let f = Fixture::new();
    let intake = f.token(TokenRole::IntakeSystem, &["4601"]);
    let (_, body) = examples()
        .into_iter()
        .find(|(n, _)| n == "offentligBekymringsmeldingV2.json")
        .unwrap();
    let kind = message_type("offentligBekymringsmeldingV2.json");
    let first = f
        .call(
            Method::POST,
            URI,
            Some(&intake),
            &[("fiks-message-type", kind)],
            Some(body.clone()),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let mut later: serde_json::Value = serde_json::from_str(&body).unwrap();
    later["melding"]["bekymring"] = serde_json::Value::String("Ny bekymring.".into());
    later["sendingstidspunkt"] = serde_json::Value::String("2020-03-20T10:00:00".into());
    let second = f
        .call(
            Method::POST,
            URI,
            Some(&intake),
            &[("fiks-message-type", kind)],
            Some(later.to_string()),
        )
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    assert_eq!(
        first.headers["barnvern-case-ids"],
        second.headers["barnvern-case-ids"]
    );
    let first_id = first.headers["barnvern-case-ids"]
        .to_str()
        .unwrap()
        .split(", ")
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(f.version(&first_id), 2, "the referral was appended");
}

#[tokio::test]
async fn refusals_are_feilet_without_personal_data_and_only_the_intake_system_may_call() {
    let f = Fixture::new();
    let intake = f.token(TokenRole::IntakeSystem, &["4601"]);
    let (_, body) = examples()
        .into_iter()
        .find(|(n, _)| n == "offentligBekymringsmeldingV2.json")
        .unwrap();
    let kind = message_type("offentligBekymringsmeldingV2.json");
    // A wrong check digit in the first child's number.
    let bad = body.replacen("28871350045", "28871350046", 1);
    let a = f
        .call(
            Method::POST,
            URI,
            Some(&intake),
            &[("fiks-message-type", kind)],
            Some(bad),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert_eq!(
        a.headers["fiks-message-type"],
        "no.ks.fiks.bekymringsmelding.feilet.v1"
    );
    assert!(
        a.json["melding"].as_str().unwrap().contains("fiks.fnr"),
        "{}",
        a.text
    );
    assert!(!a.text.contains("2887135"), "{}", a.text);

    let no_type = f
        .call(Method::POST, URI, Some(&intake), &[], Some(body.clone()))
        .await;
    assert_eq!(no_type.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        no_type.headers["fiks-message-type"],
        "no.ks.fiks.bekymringsmelding.feilet.v1"
    );

    // A caseworker may not deliver reports; the intake system of another municipality may
    // not deliver this one.
    let cw = f.token(TokenRole::Caseworker, &["4601"]);
    let c = f
        .call(
            Method::POST,
            URI,
            Some(&cw),
            &[("fiks-message-type", kind)],
            Some(body.clone()),
        )
        .await;
    assert_eq!(c.status, StatusCode::FORBIDDEN);
    let oslo = f.token(TokenRole::IntakeSystem, &["0301"]);
    let o = f
        .call(
            Method::POST,
            URI,
            Some(&oslo),
            &[("fiks-message-type", kind)],
            Some(body.clone()),
        )
        .await;
    assert_eq!(o.status, StatusCode::FORBIDDEN, "{}", o.text);
    assert_eq!(
        o.headers["fiks-message-type"],
        "no.ks.fiks.bekymringsmelding.feilet.v1"
    );
    let none = f
        .call(
            Method::POST,
            URI,
            None,
            &[("fiks-message-type", kind)],
            Some(body),
        )
        .await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
}
