//! The service's behaviour beyond the access matrix: versions and preconditions, idempotency,
//! problem documents, limits, token algorithms, the access log's `since`, OpenAPI.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use barnvern_server::ServerConfig;
use barnvern_server::auth::{DEFAULT_AUDIENCE, DEFAULT_ISSUER, Minter, TokenRole};
use barnvern_store::Actor;
use common::{Fixture, NO_CASE, SE_CASE, follow_up, open_case_body};

fn cw(f: &Fixture) -> String {
    f.token(TokenRole::Caseworker, &["0180", "4601"])
}

#[tokio::test]
async fn read_gives_the_bundle_and_its_version_as_etag() {
    let f = Fixture::new();
    let a = f
        .call(
            Method::GET,
            &format!("/v1/cases/{SE_CASE}"),
            Some(&cw(&f)),
            &[],
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers["etag"], "\"1\"");
    assert_eq!(a.json["case_id"], SE_CASE);
}

#[tokio::test]
async fn append_needs_if_match_refuses_a_stale_version_and_honours_idempotency_keys() {
    let f = Fixture::new();
    let t = cw(&f);
    let uri = format!("/v1/cases/{SE_CASE}/events");
    let a = f
        .call(Method::POST, &uri, Some(&t), &[], Some(follow_up("fu-t1")))
        .await;
    assert_eq!(a.status, StatusCode::PRECONDITION_REQUIRED, "{}", a.text);
    assert_eq!(a.json["code"], "http.if_match_required");
    assert_eq!(a.headers["content-type"], "application/problem+json");

    let ok = f
        .call(
            Method::POST,
            &uri,
            Some(&t),
            &[("if-match", "\"1\""), ("idempotency-key", "k-1")],
            Some(follow_up("fu-t1")),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(ok.json["version"], 2);
    assert_eq!(ok.headers["etag"], "\"2\"");

    // The same request again: the first result, nothing written.
    let again = f
        .call(
            Method::POST,
            &uri,
            Some(&t),
            &[("if-match", "\"1\""), ("idempotency-key", "k-1")],
            Some(follow_up("fu-t1")),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.json["repeated"], true);
    assert_eq!(f.version(SE_CASE), 2);

    // The same key with other events is refused.
    let reused = f
        .call(
            Method::POST,
            &uri,
            Some(&t),
            &[("if-match", "\"2\""), ("idempotency-key", "k-1")],
            Some(follow_up("fu-t2")),
        )
        .await;
    assert_eq!(
        reused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reused.text
    );
    assert_eq!(reused.json["code"], "store.idempotency_key_reused");

    let stale = f
        .call(
            Method::POST,
            &uri,
            Some(&t),
            &[("if-match", "\"1\"")],
            Some(follow_up("fu-t3")),
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        stale.text
    );
    assert_eq!(stale.json["current_version"], 2);
    assert_eq!(f.version(SE_CASE), 2);

    let history = f
        .call(
            Method::GET,
            &format!("/v1/cases/{SE_CASE}/history"),
            Some(&t),
            &[],
            None,
        )
        .await;
    let events = history.json.as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["type"], "imported");
    assert_eq!(events[1]["type"], "follow_up_recorded");
    assert_eq!(events[1]["actor"]["staff_id"], "caseworker-1");
}

#[tokio::test]
async fn malformed_json_and_invalid_events_name_the_path() {
    let f = Fixture::new();
    let t = cw(&f);
    let uri = format!("/v1/cases/{SE_CASE}/events");
    let a = f
        .call(
            Method::POST,
            &uri,
            Some(&t),
            &[("if-match", "1")],
            Some("{\"type\": ".into()),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json["code"], "http.json_invalid");

    let bad = follow_up("fu-t1").replace("\"2025-07-01\"", "\"2025-13-01\"");
    let b = f
        .call(
            Method::POST,
            &uri,
            Some(&t),
            &[("if-match", "1")],
            Some(format!("[{}, {bad}]", follow_up("fu-t0"))),
        )
        .await;
    assert_eq!(b.status, StatusCode::BAD_REQUEST, "{}", b.text);
    let finding = &b.json["findings"][0];
    assert_eq!(finding["event"], 1);
    assert!(
        finding["path"].as_str().unwrap().starts_with("[1]"),
        "{finding}"
    );

    let c = f
        .call(
            Method::POST,
            "/v1/cases",
            Some(&t),
            &[],
            Some("{\"jurisdiction\": \"NO\", \"municipality\": 301}".into()),
        )
        .await;
    assert_eq!(c.status, StatusCode::BAD_REQUEST, "{}", c.text);
    assert_eq!(c.json["findings"][0]["path"], "municipality");
}

#[tokio::test]
async fn no_identity_number_in_an_error_body() {
    let f = Fixture::new();
    let t = cw(&f);
    // A public test number from Skatteetaten's examples, with a wrong check digit.
    let body = open_case_body("4601").replace(
        r#"{"unregistered": {"local_id": "ufodt-1", "expected_birth_date": "2026-09-01"}}"#,
        r#"{"national_id": "03851598731"}"#,
    );
    let a = f
        .call(Method::POST, "/v1/cases", Some(&t), &[], Some(body))
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text);
    assert!(
        !a.text.contains("03851598731") && !a.text.contains("0385159873"),
        "{}",
        a.text
    );
}

#[tokio::test]
async fn opening_a_case_gives_a_new_id_a_location_and_a_worklist_item() {
    let f = Fixture::new();
    let t = cw(&f);
    let a = f
        .call(
            Method::POST,
            "/v1/cases",
            Some(&t),
            &[("purpose", "new report")],
            Some(open_case_body("4601")),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let id = a.json["case_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("NO-4601-2026-"), "{id}");
    assert_eq!(a.headers["location"], format!("/v1/cases/{id}").as_str());
    let w = f
        .call(
            Method::GET,
            "/v1/worklist?as_of=2026-11-03&within=14",
            Some(&t),
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
        "{}",
        w.text
    );
    let d = f
        .call(
            Method::GET,
            &format!("/v1/cases/{id}/deadlines?as_of=2026-11-12"),
            Some(&t),
            &[],
            None,
        )
        .await;
    assert_eq!(d.status, StatusCode::OK);
    assert!(
        d.json["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["status"] == "overdue"),
        "{}",
        d.text
    );
    // The purpose is in the access log.
    let log = f
        .store
        .access_log(&Actor::local_administrator("t"), Some(&id))
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e.purpose == "new report" && e.action == "import")
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let f = Fixture::with_config(ServerConfig {
        body_limit: 1000,
        secure_cookies: false,
        ..ServerConfig::default()
    });
    let t = cw(&f);
    let big = format!("{{\"x\": \"{}\"}}", "a".repeat(2000));
    let a = f
        .call(Method::POST, "/v1/cases", Some(&t), &[], Some(big))
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text);
    assert_eq!(a.json["code"], "http.body_too_large");
}

#[tokio::test]
async fn none_and_hmac_tokens_and_other_issuers_are_refused() {
    let f = Fixture::new();
    use base64_like::b64;
    let claims = format!(
        r#"{{"iss":"{DEFAULT_ISSUER}","aud":"{DEFAULT_AUDIENCE}","sub":"x","role":"caseworker","municipalities":["0180"],"iat":1,"exp":99999999999}}"#
    );
    let none = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(claims.as_bytes())
    );
    let hmac = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &serde_json::from_str::<serde_json::Value>(&claims).unwrap(),
        &jsonwebtoken::EncodingKey::from_secret(f.public_pem.as_bytes()).unwrap(),
    )
    .unwrap();
    let other_issuer = {
        // The trusted key, but another issuer.
        let m = Minter::from_pem(&f.private_pem, "someone-else", DEFAULT_AUDIENCE).unwrap();
        m.mint("x", TokenRole::Caseworker, &["0180".into()], 600)
            .unwrap()
    };
    for token in [none, hmac, other_issuer, "not a token".to_owned()] {
        let a = f
            .call(
                Method::GET,
                &format!("/v1/cases/{SE_CASE}"),
                Some(&token),
                &[],
                None,
            )
            .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.text);
        assert_eq!(a.json["code"], "auth.token_invalid");
        assert!(a.headers.contains_key("www-authenticate"));
    }
    let log = f
        .store
        .access_log(&Actor::local_administrator("t"), None)
        .unwrap();
    assert!(
        log.iter()
            .filter(|e| e.staff_id == "unauthenticated" && e.detail == "auth.token_invalid")
            .count()
            >= 4
    );
}

mod base64_like {
    /// URL-safe base64 without padding (enough for a test token).
    pub fn b64(bytes: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
                << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            }
        }
        out
    }
}

#[tokio::test]
async fn access_log_since_filters_and_unknown_routes_are_problems() {
    let f = Fixture::new();
    let auditor = f.token(TokenRole::Auditor, &[]);
    let all = f
        .call(Method::GET, "/v1/access-log", Some(&auditor), &[], None)
        .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    assert!(!all.json["entries"].as_array().unwrap().is_empty());
    let none = f
        .call(
            Method::GET,
            "/v1/access-log?since=2999-01-01",
            Some(&auditor),
            &[],
            None,
        )
        .await;
    assert_eq!(none.json["entries"].as_array().unwrap().len(), 0);
    let bad = f
        .call(
            Method::GET,
            "/v1/access-log?since=yesterday",
            Some(&auditor),
            &[],
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let of_case = f
        .call(
            Method::GET,
            &format!("/v1/access-log?case={NO_CASE}"),
            Some(&auditor),
            &[],
            None,
        )
        .await;
    assert!(
        of_case.json["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["case_id"] == NO_CASE)
    );
    let missing = f.call(Method::GET, "/v1/nothing", None, &[], None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json["code"], "http.no_route");
}

#[tokio::test]
async fn health_readiness_and_openapi() {
    let f = Fixture::new();
    assert_eq!(
        f.call(Method::GET, "/healthz", None, &[], None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        f.call(Method::GET, "/readyz", None, &[], None).await.status,
        StatusCode::OK
    );
    let doc = f
        .call(Method::GET, "/v1/openapi.json", None, &[], None)
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.json["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1/cases",
        "/v1/cases/{id}",
        "/v1/cases/{id}/events",
        "/v1/worklist",
        "/v1/access-log",
    ] {
        assert!(doc.json["paths"].get(path).is_some(), "{path}");
    }
    let schemas = &doc.json["components"]["schemas"];
    for name in ["CaseBundle", "CaseEvent", "Child", "Referral", "Problem"] {
        assert!(schemas.get(name).is_some(), "{name}");
    }
    // Every reference resolves inside the document.
    let text = doc.text.clone();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(schemas.get(name).is_some(), "dangling $ref {name}");
    }
}

#[tokio::test]
async fn a_slow_body_times_out() {
    let f = Fixture::with_config(ServerConfig {
        request_timeout: Duration::from_millis(300),
        secure_cookies: false,
        ..ServerConfig::default()
    });
    let t = cw(&f);
    // A body that never ends: the request is answered 408 once the timeout passes.
    use futures_util::StreamExt;
    let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(
        axum::body::Bytes::from_static(b"{"),
    )])
    .chain(futures_util::stream::pending());
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/v1/cases")
        .header("authorization", format!("Bearer {t}"))
        .body(axum::body::Body::from_stream(stream))
        .unwrap();
    use tower::ServiceExt;
    let res = f.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::REQUEST_TIMEOUT);
}

#[tokio::test]
async fn opening_a_case_with_an_idempotency_key_opens_it_once() {
    let f = Fixture::new();
    let t = cw(&f);
    let open = |key: &'static str, body: String| {
        let (f, t) = (&f, t.clone());
        async move {
            f.call(
                Method::POST,
                "/v1/cases",
                Some(&t),
                &[("idempotency-key", key)],
                Some(body),
            )
            .await
        }
    };
    let first = open("open-1", open_case_body("4601")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(first.json["repeated"], false);
    let id = first.json["case_id"].as_str().unwrap().to_owned();

    // The same request again (a client retrying after a lost answer): the same case.
    let again = open("open-1", open_case_body("4601")).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
    assert_eq!(again.json["case_id"], id.as_str());
    assert_eq!(again.json["repeated"], true);
    assert_eq!(
        again.headers["location"],
        format!("/v1/cases/{id}").as_str()
    );

    // Still the same case after it has moved on.
    let review = r#"{"type": "follow_up_recorded", "follow_up": {"id": "fu-i1", "on": "2026-11-10",
        "kind": "measure_review", "provenance": {"recorded_at": "2026-11-10T09:00:00Z",
        "recorded_by": {"role": "caseworker", "staff": "sw-017"}, "source_system": "test"}}}"#;
    let moved = f
        .call(
            Method::POST,
            &format!("/v1/cases/{id}/events"),
            Some(&t),
            &[("if-match", "\"1\"")],
            Some(review.to_owned()),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    let late = open("open-1", open_case_body("4601")).await;
    assert_eq!(late.status, StatusCode::CREATED, "{}", late.text);
    assert_eq!(late.json["case_id"], id.as_str());
    assert_eq!(late.json["repeated"], true);

    // The key with a different request is refused; a new key opens a new case.
    let other = open_case_body("4601").replace("\"m-1\"", "\"m-2\"");
    let reused = open("open-1", other.clone()).await;
    assert_eq!(
        reused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reused.text
    );
    assert_eq!(reused.json["code"], "store.idempotency_key_reused");
    let fresh = open("open-2", other).await;
    assert_eq!(fresh.status, StatusCode::CREATED, "{}", fresh.text);
    assert_ne!(fresh.json["case_id"], id.as_str());

    // Another caseworker's identical key is another case.
    let t2 = f
        .minter
        .mint(
            "sw-other",
            TokenRole::Caseworker,
            &["4601".to_owned()],
            3600,
        )
        .unwrap();
    let theirs = f
        .call(
            Method::POST,
            "/v1/cases",
            Some(&t2),
            &[("idempotency-key", "open-1")],
            Some(open_case_body("4601")),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.text);
    assert_ne!(theirs.json["case_id"], id.as_str());

    // The retries wrote nothing to the case's stream.
    let stream = f
        .store
        .history(&Actor::local_administrator("t"), &id)
        .unwrap();
    assert_eq!(
        stream.len(),
        2,
        "one import and one follow-up, no second import"
    );

    let bad = open("", open_case_body("4601")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
    assert_eq!(bad.json["code"], "store.idempotency_key_invalid");
}

/// RS256: a token signed with an RSA key verifies against its public key in a key file that
/// also holds an Ed25519 key (as a key rotation or two identity providers would have it);
/// the same RSA key's public half used as an HMAC secret is refused, and an RS256 token is
/// refused by a verifier that holds no RSA key. The key pair in tests/data is for tests only.
#[test]
fn rs256_tokens_verify_against_a_configured_rsa_key() {
    use barnvern_server::auth::{AuthError, Verifier};
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let rsa_private = std::fs::read_to_string(data.join("rs256-test-private.pem")).unwrap();
    let rsa_public = std::fs::read_to_string(data.join("rs256-test-public.pem")).unwrap();
    let f = Fixture::new();
    let both = format!("{}\n{rsa_public}", f.public_pem);
    let verifier = Verifier::from_pem(&both, DEFAULT_ISSUER, DEFAULT_AUDIENCE).unwrap();
    let rsa = Minter::from_pem(&rsa_private, DEFAULT_ISSUER, DEFAULT_AUDIENCE).unwrap();
    let token = rsa
        .mint("sw-rsa", TokenRole::TeamLeader, &["0180".into()], 600)
        .unwrap();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let caller = verifier.verify(&token, "review").unwrap();
    assert_eq!(caller.actor.staff_id, "sw-rsa");
    assert_eq!(caller.role, TokenRole::TeamLeader);
    // The Ed25519 key of the same file still verifies its tokens.
    let ed = f.token(TokenRole::Caseworker, &["0180"]);
    assert!(verifier.verify(&ed, "review").is_ok());

    // HS256 with the RSA public key as the secret (the classic key-confusion forgery).
    let claims = serde_json::json!({"iss": DEFAULT_ISSUER, "aud": DEFAULT_AUDIENCE, "sub": "x",
        "role": "caseworker", "municipalities": ["0180"], "iat": 1, "exp": 99_999_999_999_i64});
    let confused = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(rsa_public.as_bytes()).unwrap(),
    )
    .unwrap();
    assert!(matches!(
        verifier.verify(&confused, "review"),
        Err(AuthError::Invalid(_))
    ));
    // A verifier with the Ed25519 key only refuses the RS256 token.
    let ed_only = Verifier::from_pem(&f.public_pem, DEFAULT_ISSUER, DEFAULT_AUDIENCE).unwrap();
    assert!(matches!(
        ed_only.verify(&token, "review"),
        Err(AuthError::Invalid(_))
    ));
    // A changed signature (a character inside it, away from the padding bits) is refused.
    let mut forged: Vec<char> = token.chars().collect();
    let i = forged.len() - 20;
    forged[i] = if forged[i] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    assert!(verifier.verify(&forged, "review").is_err());
}
