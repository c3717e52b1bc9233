//! The caseworker's page: server-rendered HTML (askama templates, escaped by construction),
//! usable without JavaScript. `GET /` is the signed-in caseworker's worklist (deadlines due
//! within 14 days or overdue, by due date, with status colours); `GET /cases/{id}` a case's
//! deadlines and timeline. Signing in posts the token once (`POST /signin`); it is then kept in
//! an `HttpOnly`, `SameSite=Strict` cookie (`Secure` unless turned off for loopback). The same
//! store calls as the API, so the same access rules and the same access log.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State as AxState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use barnvern_case::DeadlineStatus;
use barnvern_store::{Action, EventBody, WorklistQuery};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::State;
use crate::api::{Audience, Ctx, DEFAULT_WITHIN_DAYS};

/// The session cookie's name.
pub const COOKIE: &str = "barnvern_session";

/// The page's routes.
pub fn routes() -> Router<State> {
    Router::new()
        .route("/", get(worklist_page))
        .route("/cases/{id}", get(case_page))
        .route("/signin", post(signin))
        .route("/signout", post(signout))
        .route("/page.css", get(css))
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SigninPage {
    signed_in: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    signed_in: Option<String>,
    title: String,
    message: String,
}

struct Row {
    due: String,
    status: &'static str,
    class: &'static str,
    case_id: String,
    municipality: String,
    kind: &'static str,
    record: String,
}

#[derive(Template)]
#[template(path = "worklist.html")]
struct WorklistPage {
    signed_in: Option<String>,
    municipalities: String,
    as_of: NaiveDate,
    due_by: NaiveDate,
    within: u32,
    overdue: usize,
    soon: usize,
    rows: Vec<Row>,
}

struct DeadlineRow {
    kind: &'static str,
    record: String,
    due: String,
    completed: String,
    status: &'static str,
    class: &'static str,
    rule: String,
}

struct EventRow {
    when: String,
    kind: String,
    staff: String,
    role: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    signed_in: Option<String>,
    case_id: String,
    municipality: String,
    jurisdiction: String,
    opened_on: NaiveDate,
    state: &'static str,
    version: u64,
    as_of: NaiveDate,
    deadlines: Vec<DeadlineRow>,
    events: Vec<EventRow>,
}

fn html(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(body) => {
            let mut res = (status, body).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                ),
            );
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                "x-content-type-options",
                HeaderValue::from_static("nosniff"),
            );
            res
        }
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the page could not be rendered",
        )
            .into_response(),
    }
}

fn session(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// The page for a refusal: the sign-in form for 401, else an error page.
fn refused(res: Response) -> Response {
    let status = res.status();
    if status == StatusCode::UNAUTHORIZED {
        let error = Some("Your session has expired or is not valid: sign in again.".to_owned());
        return html(
            StatusCode::UNAUTHORIZED,
            &SigninPage {
                signed_in: None,
                error,
            },
        );
    }
    let (title, message) = match status {
        StatusCode::NOT_FOUND => (
            "Not found",
            "There is no such case among the cases you may see.",
        ),
        StatusCode::FORBIDDEN => ("Not allowed", "Your role may not see this page."),
        StatusCode::BAD_REQUEST => ("Not understood", "The address or the form is not valid."),
        _ => (
            "Not available",
            "The case store is not available; try again.",
        ),
    };
    html(
        status,
        &ErrorPage {
            signed_in: None,
            title: title.into(),
            message: message.into(),
        },
    )
}

/// The page's query: an optional as-of date.
#[derive(Debug, Deserialize)]
struct PageQuery {
    as_of: Option<NaiveDate>,
}

fn page_query(uri: &axum::http::Uri) -> Option<PageQuery> {
    match uri.query() {
        None => Some(PageQuery { as_of: None }),
        Some(q) => serde_urlencoded_like(q),
    }
}

fn serde_urlencoded_like(q: &str) -> Option<PageQuery> {
    let mut as_of = None;
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == "as_of" && !v.is_empty() {
            as_of = Some(v.parse().ok()?);
        }
    }
    Some(PageQuery { as_of })
}

fn status_class(
    status: DeadlineStatus,
    due: NaiveDate,
    as_of: NaiveDate,
) -> (&'static str, &'static str) {
    match status {
        DeadlineStatus::Overdue => ("overdue", "overdue"),
        DeadlineStatus::Breached => ("breached", "overdue"),
        DeadlineStatus::Met => ("met", "met"),
        DeadlineStatus::MetAfterExtension => ("met after extension", "met"),
        DeadlineStatus::Pending if (due - as_of).num_days() <= 3 => ("due soon", "soon"),
        DeadlineStatus::Pending => ("pending", "pending"),
    }
}

async fn worklist_page(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let token = session(&headers);
    if token.is_none() {
        return html(
            StatusCode::OK,
            &SigninPage {
                signed_in: None,
                error: None,
            },
        );
    }
    let ctx = match Ctx::authenticate_with(
        &state,
        token.as_deref(),
        Action::Worklist,
        None,
        Audience::Staff,
    )
    .await
    {
        Ok(c) => c,
        Err(r) => return refused(r),
    };
    let Some(q) = page_query(&uri) else {
        return refused(
            ctx.refuse(crate::problem::Problem::new(
                StatusCode::BAD_REQUEST,
                "http.query_invalid",
                "as_of is a date",
            ))
            .await,
        );
    };
    let as_of = q.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let within = DEFAULT_WITHIN_DAYS;
    let Some(actor) = ctx.actor().cloned() else {
        return html(
            StatusCode::UNAUTHORIZED,
            &SigninPage {
                signed_in: None,
                error: None,
            },
        );
    };
    let query = WorklistQuery {
        as_of,
        within_days: within,
        municipality: None,
    };
    match ctx.store(move |s, a| s.worklist(a, &query)).await {
        Ok(items) => {
            let rows: Vec<Row> = items
                .into_iter()
                .map(|i| {
                    let due = i.extended_due.unwrap_or(i.due);
                    let (status, class) = status_class(i.status, due, as_of);
                    Row {
                        due: due.to_string(),
                        status,
                        class,
                        case_id: i.case_id,
                        municipality: i.municipality,
                        kind: i.kind.as_str(),
                        record: i.record,
                    }
                })
                .collect();
            html(
                StatusCode::OK,
                &WorklistPage {
                    signed_in: Some(format!("{} ({})", actor.staff_id, actor.role.as_str())),
                    municipalities: actor
                        .municipalities
                        .iter()
                        .map(|m| m.as_str().to_owned())
                        .collect::<Vec<_>>()
                        .join(", "),
                    as_of,
                    due_by: as_of + chrono::Days::new(u64::from(within)),
                    within,
                    overdue: rows.iter().filter(|r| r.class == "overdue").count(),
                    soon: rows.iter().filter(|r| r.class == "soon").count(),
                    rows,
                },
            )
        }
        Err(e) => refused(crate::api::store_problem(&e)),
    }
}

async fn case_page(
    AxState(state): AxState<State>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let token = session(&headers);
    if token.is_none() {
        return html(
            StatusCode::OK,
            &SigninPage {
                signed_in: None,
                error: None,
            },
        );
    }
    let ctx = match Ctx::authenticate_with(
        &state,
        token.as_deref(),
        Action::Read,
        Some(&id),
        Audience::Staff,
    )
    .await
    {
        Ok(c) => c,
        Err(r) => return refused(r),
    };
    let Some(q) = page_query(&uri) else {
        return refused(
            ctx.refuse(crate::problem::Problem::new(
                StatusCode::BAD_REQUEST,
                "http.query_invalid",
                "as_of is a date",
            ))
            .await,
        );
    };
    let as_of = q.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let Some(actor) = ctx.actor().cloned() else {
        return html(
            StatusCode::UNAUTHORIZED,
            &SigninPage {
                signed_in: None,
                error: None,
            },
        );
    };
    let case_id = id.clone();
    let result = ctx
        .store(move |s, a| {
            let read = s.read(a, &case_id)?;
            let history = s.history(a, &case_id)?;
            Ok((read, history))
        })
        .await;
    let (read, history) = match result {
        Ok(v) => v,
        Err(e) => return refused(crate::api::store_problem(&e)),
    };
    let deadlines = read
        .case
        .deadlines(as_of)
        .into_iter()
        .map(|d| {
            let due = d.extended_due.unwrap_or(d.due);
            let (status, class) = status_class(d.status, due, as_of);
            DeadlineRow {
                kind: d.kind.as_str(),
                record: d.record,
                due: due.to_string(),
                completed: d
                    .completed_on
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "–".into()),
                status,
                class,
                rule: d.citation,
            }
        })
        .collect();
    let events = history
        .into_iter()
        .map(|e| {
            let summary = match &e.body {
                EventBody::Imported { source, bundle } => {
                    let last = bundle.referrals.iter().map(|r| r.received_at).max();
                    match last {
                        Some(at) => format!(
                            "from {}: {} report(s) of concern, the last received {}",
                            source.system,
                            bundle.referrals.len(),
                            at.format("%Y-%m-%d %H:%M")
                        ),
                        None => format!("from {}", source.system),
                    }
                }
                EventBody::Workflow(w) => summary(w),
            };
            EventRow {
                when: e
                    .recorded_at
                    .get(..16)
                    .unwrap_or(&e.recorded_at)
                    .replace('T', " "),
                kind: e.body.type_name().replace('_', " "),
                staff: e.actor.staff_id,
                role: e.actor.role.as_str().replace('_', " "),
                summary,
            }
        })
        .collect();
    let case = &read.case;
    html(
        StatusCode::OK,
        &CasePage {
            signed_in: Some(format!("{} ({})", actor.staff_id, actor.role.as_str())),
            case_id: case.case_id.as_str().to_owned(),
            municipality: case.municipality.as_str().to_owned(),
            jurisdiction: case.jurisdiction.to_string(),
            opened_on: case.opened_on,
            state: if case.is_closed() { "closed" } else { "open" },
            version: read.version,
            as_of,
            deadlines,
            events,
        },
    )
}

/// One line about a workflow event, without free text or identity numbers.
fn summary(e: &barnvern_case::CaseEvent) -> String {
    use barnvern_case::CaseEvent as E;
    match e {
        E::ReferralReceived { referral } => format!(
            "report of concern {} received {}",
            referral.id,
            referral.received_at.format("%Y-%m-%d %H:%M")
        ),
        _ => String::new(),
    }
}

#[derive(Debug, Deserialize)]
struct SigninForm {
    token: String,
}

fn cookie(state: &State, value: &str, max_age: Option<u64>) -> Option<HeaderValue> {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict{secure}{age}"
    ))
    .ok()
}

async fn signin(AxState(state): AxState<State>, Form(form): Form<SigninForm>) -> Response {
    let token = form.token.trim().to_owned();
    // A token is three base64url parts: anything else is not stored in a cookie.
    let well_formed = !token.is_empty()
        && token.len() < 4000
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    let checked = if well_formed {
        Ctx::authenticate_with(
            &state,
            Some(&token),
            Action::Worklist,
            None,
            Audience::Staff,
        )
        .await
    } else {
        Ctx::authenticate_with(
            &state,
            Some("malformed"),
            Action::Worklist,
            None,
            Audience::Staff,
        )
        .await
    };
    match checked {
        Ok(_) => {
            let mut res = Redirect::to("/").into_response();
            if let Some(c) = cookie(&state, &token, Some(8 * 3600)) {
                res.headers_mut().insert(header::SET_COOKIE, c);
            }
            *res.status_mut() = StatusCode::SEE_OTHER;
            res
        }
        Err(r) => {
            let message = match r.status() {
                StatusCode::UNAUTHORIZED => {
                    "The token is not valid: it may have expired, or not be signed by a key this service trusts."
                }
                _ => "Your role may not use this page.",
            };
            html(
                r.status(),
                &SigninPage {
                    signed_in: None,
                    error: Some(message.into()),
                },
            )
        }
    }
}

async fn signout(AxState(state): AxState<State>) -> Response {
    let mut res = Redirect::to("/").into_response();
    *res.status_mut() = StatusCode::SEE_OTHER;
    if let Some(c) = cookie(&state, "", Some(0)) {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    res
}

async fn css() -> Response {
    let mut res = include_str!("../templates/page.css").into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    res
}
