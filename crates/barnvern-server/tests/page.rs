//! The caseworker's page, in-process: sign in, the worklist, a case, refusals as pages. (The
//! browser test, `tests/test_server_browser.py`, drives the same page in headless Chromium.)
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use axum::http::{Method, StatusCode};
use barnvern_server::auth::TokenRole;
use common::{Fixture, NO_CASE, open_case_body};

#[tokio::test]
async fn sign_in_worklist_and_case() {
    let f = Fixture::new();
    let cw = f.token(TokenRole::Caseworker, &["4601"]);
    let opened = f
        .call(
            Method::POST,
            "/v1/cases",
            Some(&cw),
            &[],
            Some(open_case_body("4601")),
        )
        .await;
    let id = opened.json["case_id"].as_str().unwrap().to_owned();

    let form = f.call(Method::GET, "/", None, &[], None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains("<label for=\"token\">Token</label>"));

    let signin = f
        .call(
            Method::POST,
            "/signin",
            None,
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(format!("token={cw}")),
        )
        .await;
    assert_eq!(signin.status, StatusCode::SEE_OTHER, "{}", signin.text);
    let set = signin.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_owned();

    let page = f
        .call(
            Method::GET,
            "/?as_of=2026-11-10",
            None,
            &[("cookie", &cookie)],
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains(&format!("href=\"/cases/{id}\"")),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("class=\"status overdue\""),
        "the review (due 2026-11-09) is overdue"
    );
    assert!(
        page.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );

    let case = f
        .call(
            Method::GET,
            &format!("/cases/{id}?as_of=2026-11-10"),
            None,
            &[("cookie", &cookie)],
            None,
        )
        .await;
    assert_eq!(case.status, StatusCode::OK);
    assert!(case.text.contains("<ol class=\"timeline\""));
    assert!(
        case.text.contains(
            "from barnvern-server: 1 report(s) of concern, the last received 2026-11-02 10:00"
        ),
        "{}",
        case.text
    );

    // Another municipality's case is "not found", and nothing from the path is echoed.
    let other = f
        .call(
            Method::GET,
            &format!("/cases/{NO_CASE}%3Cb%3E"),
            None,
            &[("cookie", &cookie)],
            None,
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(!other.text.contains("<b>"));

    let bad = f
        .call(
            Method::POST,
            "/signin",
            None,
            &[("content-type", "application/x-www-form-urlencoded")],
            Some("token=abc.def.ghi".into()),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.text.contains("role=\"alert\""));
}
