//! The access matrix: every route x every role x own/other municipality x a valid, no, an
//! expired or a forged token, with the expected status of each cell. Every request must add
//! exactly one entry to the access log. Run with `--nocapture` to print the matrix.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use axum::http::{Method, StatusCode};
use barnvern_server::auth::TokenRole;
use common::{Fixture, SE_CASE, follow_up, open_case_body};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Route {
    GetCase,
    OpenCase,
    AppendEvents,
    History,
    Deadlines,
    Worklist,
    AccessLog,
    Intake,
}

impl Route {
    /// In this order: the cases opened by `OpenCase` (received 2026-11-02, review due in 7
    /// days) are what the worklist as of 2026-11-10 shows.
    const ALL: [Route; 8] = [
        Route::GetCase,
        Route::OpenCase,
        Route::AppendEvents,
        Route::History,
        Route::Deadlines,
        Route::Worklist,
        Route::AccessLog,
        Route::Intake,
    ];

    fn label(self) -> &'static str {
        match self {
            Route::GetCase => "GET  /v1/cases/{id}",
            Route::OpenCase => "POST /v1/cases",
            Route::AppendEvents => "POST /v1/cases/{id}/events",
            Route::History => "GET  /v1/cases/{id}/history",
            Route::Deadlines => "GET  /v1/cases/{id}/deadlines",
            Route::Worklist => "GET  /v1/worklist?municipality=0180",
            Route::AccessLog => "GET  /v1/access-log?case={id}",
            Route::Intake => "POST /v1/intake/fiks-bekymringsmelding",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Token {
    Valid,
    None,
    Expired,
    Forged,
}

const ROLES: [TokenRole; 5] = [
    TokenRole::Caseworker,
    TokenRole::TeamLeader,
    TokenRole::Auditor,
    TokenRole::DataSteward,
    TokenRole::IntakeSystem,
];

/// The rule each cell must follow.
fn expected(route: Route, role: TokenRole, own: bool, token: Token) -> StatusCode {
    if token != Token::Valid {
        return StatusCode::UNAUTHORIZED;
    }
    let staff = matches!(role, TokenRole::Caseworker | TokenRole::TeamLeader);
    match route {
        // Only the intake system, for its own municipality (the report's, 4601).
        Route::Intake if role == TokenRole::IntakeSystem && own => StatusCode::OK,
        Route::Intake => StatusCode::FORBIDDEN,
        _ if role == TokenRole::IntakeSystem => StatusCode::FORBIDDEN,
        Route::AccessLog if role == TokenRole::Auditor => StatusCode::OK,
        Route::AccessLog => StatusCode::FORBIDDEN,
        _ if !staff => StatusCode::FORBIDDEN,
        Route::OpenCase if own => StatusCode::CREATED,
        Route::OpenCase => StatusCode::FORBIDDEN,
        // Another municipality's worklist is empty, not refused.
        Route::Worklist => StatusCode::OK,
        _ if own => StatusCode::OK,
        _ => StatusCode::NOT_FOUND,
    }
}

async fn run(
    f: &Fixture,
    route: Route,
    role: TokenRole,
    own: bool,
    token: Token,
    n: usize,
    version: u64,
) -> (StatusCode, serde_json::Value) {
    let muni: &[&str] = match (route, own) {
        (Route::Intake, true) => &["4601"],
        (_, true) => &["0180"],
        (_, false) => &["0301"],
    };
    let t = match token {
        Token::Valid => Some(f.token(role, muni)),
        Token::None => None,
        Token::Expired => Some(f.expired(role, muni)),
        Token::Forged => Some(f.forged(role, muni)),
    };
    let t = t.as_deref();
    let a = match route {
        Route::GetCase => {
            f.call(Method::GET, &format!("/v1/cases/{SE_CASE}"), t, &[], None)
                .await
        }
        Route::OpenCase => {
            let body = open_case_body("0180").replace("\"NO\"", "\"SE\"");
            f.call(Method::POST, "/v1/cases", t, &[], Some(body)).await
        }
        Route::AppendEvents => {
            let v = version.to_string();
            f.call(
                Method::POST,
                &format!("/v1/cases/{SE_CASE}/events"),
                t,
                &[("if-match", &format!("\"{v}\""))],
                Some(follow_up(&format!("fu-matrix-{n}"))),
            )
            .await
        }
        Route::History => {
            f.call(
                Method::GET,
                &format!("/v1/cases/{SE_CASE}/history"),
                t,
                &[],
                None,
            )
            .await
        }
        Route::Deadlines => {
            f.call(
                Method::GET,
                &format!("/v1/cases/{SE_CASE}/deadlines?as_of=2025-03-01"),
                t,
                &[],
                None,
            )
            .await
        }
        Route::Worklist => {
            f.call(
                Method::GET,
                "/v1/worklist?as_of=2026-11-10&within=14&municipality=0180",
                t,
                &[],
                None,
            )
            .await
        }
        Route::AccessLog => {
            f.call(
                Method::GET,
                &format!("/v1/access-log?case={SE_CASE}"),
                t,
                &[],
                None,
            )
            .await
        }
        Route::Intake => {
            let body = std::fs::read_to_string(
                common::root()
                    .join("crates/barnvern-fiks/data/examples/privatBekymringsmeldingV2.json"),
            )
            .unwrap();
            f.call(
                Method::POST,
                "/v1/intake/fiks-bekymringsmelding",
                t,
                &[(
                    "fiks-message-type",
                    "no.ks.fiks.bekymringsmelding.privat.v2",
                )],
                Some(body),
            )
            .await
        }
    };
    (a.status, a.json)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_role_municipality_and_token() {
    let table = matrix(Fixture::new()).await;
    println!("{table}");
}

/// The same matrix on PostgreSQL (scripts/test starts a throwaway server).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_role_municipality_and_token_on_postgres() {
    matrix(Fixture::postgres()).await;
}

async fn matrix(f: Fixture) -> String {
    let mut failures = Vec::new();
    let mut table = String::new();
    table.push_str(&format!(
        "{:<38} {:<14} {:<6} {:>6} {:>6} {:>8} {:>7}\n",
        "route", "role", "muni", "valid", "none", "expired", "forged"
    ));
    let mut n = 0;
    for route in Route::ALL {
        for role in ROLES {
            for own in [true, false] {
                let mut cells = Vec::new();
                for token in [Token::Valid, Token::None, Token::Expired, Token::Forged] {
                    n += 1;
                    let version = f.version(SE_CASE);
                    let before = f.log_len();
                    let (status, body) = run(&f, route, role, own, token, n, version).await;
                    let after = f.log_len();
                    let want = expected(route, role, own, token);
                    if status != want {
                        failures.push(format!(
                            "{} {} {} {:?}: got {status}, want {want}: {body}",
                            route.label(),
                            role.as_str(),
                            if own { "own" } else { "other" },
                            token
                        ));
                    }
                    // One entry for the request, one for the administrator's count itself.
                    // (An accepted report writes one entry per child.)
                    let accepted_intake = route == Route::Intake && status.is_success();
                    if after != before + 2 && !(accepted_intake && after > before + 2) {
                        failures.push(format!(
                            "{} {} {:?}: the access log grew by {} entries, not 1",
                            route.label(),
                            role.as_str(),
                            token,
                            after - before - 1
                        ));
                    }
                    if !status.is_success() {
                        // A problem document, or the intake protocol's failure message.
                        assert!(
                            body.get("code").is_some() || body.get("melding").is_some(),
                            "{body}"
                        );
                    }
                    // Another municipality's worklist shows nothing.
                    if route == Route::Worklist && status == StatusCode::OK {
                        let items = body["items"].as_array().map_or(0, Vec::len);
                        assert_eq!(items > 0, own, "worklist items for own={own}: {items}");
                    }
                    cells.push(status.as_u16().to_string());
                }
                table.push_str(&format!(
                    "{:<38} {:<14} {:<6} {:>6} {:>6} {:>8} {:>7}\n",
                    route.label(),
                    role.as_str(),
                    if own { "own" } else { "other" },
                    cells[0],
                    cells[1],
                    cells[2],
                    cells[3]
                ));
            }
        }
    }
    // The PostgreSQL client's connections must not be dropped on a runtime worker.
    common::blocking(move || drop(f));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    table
}
