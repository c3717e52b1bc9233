//! The JSON routes. Each handler authenticates first, then reads its input, then calls the
//! store on the blocking pool. A refusal the service makes before the store is called (no
//! token, a malformed body, a missing `If-Match`) is logged through
//! [`CaseStore::log_refusal`](barnvern_store::CaseStore::log_refusal), so every request is in
//! the access log.

use axum::body::Body;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use barnvern_case::{Case, CaseEvent, CaseHeader, Deadline};
use barnvern_core::ValidationError;
use barnvern_store::{
    AccessEntry, Action, Actor, EventBody, StoreError, WorklistItem, WorklistQuery,
};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::State;
use crate::auth::{AuthError, Caller, TokenRole};
use crate::problem::{Problem, ProblemFinding, redact};

/// The routes of the JSON API (without state).
pub fn routes() -> Router<State> {
    Router::new()
        .route("/v1/cases", post(open_case))
        .route("/v1/cases/{id}", get(get_case))
        .route("/v1/cases/{id}/events", post(append_events))
        .route("/v1/cases/{id}/history", get(history))
        .route("/v1/cases/{id}/deadlines", get(deadlines))
        .route("/v1/worklist", get(worklist))
        .route("/v1/access-log", get(access_log))
        .route(
            "/v1/intake/fiks-bekymringsmelding",
            post(crate::intake::fiks_bekymringsmelding),
        )
        .route("/v1/openapi.json", get(crate::openapi::serve_openapi))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .fallback(no_route)
}

/// Which token roles a route admits before the store decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Staff routes: caseworkers, team leaders, auditors and data stewards (the store then
    /// allows or refuses by role and municipality); not the intake system.
    Staff,
    /// The intake route: the intake system only.
    Intake,
}

/// The request's `Purpose` header: why the case is opened (recorded in the access log).
pub const PURPOSE_HEADER: &str = "purpose";
/// What the access log records when a request gives no purpose.
pub const NO_PURPOSE: &str = "(no purpose given)";

/// What a handler answers: `Err` holds an answer already made (a logged refusal or a store
/// error as a problem), so a handler goes on with `?` and ends with `Ok(response)`.
pub type Answer = Result<Response, Response>;

/// A request in progress: who, which action, which case; refusals are logged through it.
pub struct Ctx {
    state: State,
    /// The caller, once the token is verified.
    pub caller: Option<Caller>,
    action: Action,
    case_id: Option<String>,
    purpose: String,
}

impl Ctx {
    /// Authenticates the request: a valid token whose role the route admits. A refusal is
    /// logged and returned as the answer.
    pub async fn authenticate(
        state: &State,
        headers: &HeaderMap,
        action: Action,
        case_id: Option<&str>,
        audience: Audience,
    ) -> Result<Ctx, Response> {
        let mut ctx = Ctx {
            state: state.clone(),
            caller: None,
            action,
            case_id: case_id.map(str::to_owned),
            purpose: NO_PURPOSE.to_owned(),
        };
        match purpose(headers) {
            Ok(p) => ctx.purpose = p,
            Err(p) => return Err(ctx.refuse(*p).await),
        }
        let token = match bearer(headers) {
            Some(t) => t,
            None => return Err(ctx.refuse(Problem::from_auth(&AuthError::Missing)).await),
        };
        ctx.authenticate_token(&token, audience).await?;
        Ok(ctx)
    }

    /// A context for a token from elsewhere (the page's session cookie).
    pub async fn authenticate_with(
        state: &State,
        token: Option<&str>,
        action: Action,
        case_id: Option<&str>,
        audience: Audience,
    ) -> Result<Ctx, Response> {
        let mut ctx = Ctx {
            state: state.clone(),
            caller: None,
            action,
            case_id: case_id.map(str::to_owned),
            purpose: NO_PURPOSE.to_owned(),
        };
        let Some(token) = token else {
            return Err(ctx.refuse(Problem::from_auth(&AuthError::Missing)).await);
        };
        ctx.authenticate_token(token, audience).await?;
        Ok(ctx)
    }

    async fn authenticate_token(
        &mut self,
        token: &str,
        audience: Audience,
    ) -> Result<(), Response> {
        match self.state.verifier.verify(token, &self.purpose) {
            Ok(caller) => {
                let admitted = match audience {
                    Audience::Staff => caller.role != TokenRole::IntakeSystem,
                    Audience::Intake => caller.role == TokenRole::IntakeSystem,
                };
                let role = caller.role;
                self.caller = Some(caller);
                if !admitted {
                    return Err(self
                        .refuse(Problem::new(
                            StatusCode::FORBIDDEN,
                            "auth.role_not_allowed",
                            format!("the role {} may not use this route", role.as_str()),
                        ))
                        .await);
                }
                Ok(())
            }
            Err(e) => Err(self.refuse(Problem::from_auth(&e)).await),
        }
    }

    /// The actor handed to the store, once the token is verified.
    pub fn actor(&self) -> Option<&Actor> {
        self.caller.as_ref().map(|c| &c.actor)
    }

    /// Logs a refusal the service makes itself and returns it as the answer.
    pub async fn refuse(&self, problem: Problem) -> Response {
        let store = self.state.store.clone();
        let actor = self.caller.as_ref().map(|c| c.actor.clone());
        let action = self.action;
        let case_id = self.case_id.clone();
        let purpose = self.purpose.clone();
        let code = problem.code.clone();
        let logged = tokio::task::spawn_blocking(move || {
            store.log_refusal(actor.as_ref(), action, case_id.as_deref(), &purpose, &code)
        })
        .await;
        match logged {
            Ok(Ok(())) => problem.into_response(),
            Ok(Err(e)) => {
                tracing::error!(code = e.code(), "a refusal could not be logged");
                Problem::from_store(&e).into_response()
            }
            Err(_) => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server.internal",
                "the request could not be completed",
            )
            .into_response(),
        }
    }

    /// Runs a store call on the blocking pool (the store logs it, allowed or refused).
    pub async fn store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn barnvern_store::CaseStore, &Actor) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.state.store.clone();
        // Never reached without a verified token: every handler authenticates first.
        let Some(actor) = self.actor().cloned() else {
            return Err(StoreError::Invalid {
                code: "store.actor_invalid",
                message: "no verified caller".into(),
            });
        };
        match tokio::task::spawn_blocking(move || f(store.as_ref(), &actor)).await {
            Ok(r) => {
                if let Err(e) = &r
                    && !e.is_refusal()
                {
                    tracing::error!(code = e.code(), error = %redact(&e.to_string()), "store failure");
                }
                r
            }
            Err(_) => Err(StoreError::Database(
                "the store call did not complete".into(),
            )),
        }
    }

    /// [`Ctx::store`], with a store error made the answer ([`store_problem`]).
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn barnvern_store::CaseStore, &Actor) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, Response> {
        self.store(f).await.map_err(|e| store_problem(&e))
    }

    /// The value of a header check, or its problem logged as a refusal and made the answer.
    pub async fn check<T>(&self, checked: Result<T, Box<Problem>>) -> Result<T, Response> {
        match checked {
            Ok(v) => Ok(v),
            Err(p) => Err(self.refuse(*p).await),
        }
    }

    /// Reads the request body up to the configured limit: 413 over it.
    pub async fn body(&self, body: Body) -> Result<axum::body::Bytes, Response> {
        match axum::body::to_bytes(body, self.state.config.body_limit).await {
            Ok(b) => Ok(b),
            Err(e) => {
                let too_large = std::error::Error::source(&e)
                    .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
                Err(self
                    .refuse(if too_large {
                        Problem::new(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            "http.body_too_large",
                            format!(
                                "the request body is larger than {} bytes",
                                self.state.config.body_limit
                            ),
                        )
                    } else {
                        Problem::new(
                            StatusCode::BAD_REQUEST,
                            "http.body_unreadable",
                            "the request body could not be read",
                        )
                    })
                    .await)
            }
        }
    }

    /// Parses a JSON body into `T`: 400 with the path of the first error.
    pub async fn json<T: serde::de::DeserializeOwned>(&self, bytes: &[u8]) -> Result<T, Response> {
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(v) => Ok(v),
            Err(e) => {
                let path = json_path(&e.path().to_string());
                let inner = e.into_inner();
                let message = redact(&inner.to_string());
                Err(self
                    .refuse(
                        Problem::new(
                            StatusCode::BAD_REQUEST,
                            "http.json_invalid",
                            format!("the request body is not valid: {path}: {message}"),
                        )
                        .with_finding(&path, "http.json_invalid", &message),
                    )
                    .await)
            }
        }
    }
}

/// `serde_path_to_error` writes `.` for the root.
fn json_path(p: &str) -> String {
    if p == "." {
        String::new()
    } else {
        p.to_owned()
    }
}

/// The bearer token of the `Authorization` header.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The `Purpose` header: up to 200 printable characters, no identity number.
fn purpose(headers: &HeaderMap) -> Result<String, Box<Problem>> {
    let Some(v) = headers.get(PURPOSE_HEADER) else {
        return Ok(NO_PURPOSE.to_owned());
    };
    let bad = |why: &str| {
        Box::new(
            Problem::new(
                StatusCode::BAD_REQUEST,
                "http.purpose_invalid",
                format!("the Purpose header {why}"),
            )
            .with_finding("Purpose", "http.purpose_invalid", why),
        )
    };
    let s = v
        .to_str()
        .map_err(|_| bad("must be printable text"))?
        .trim();
    if s.is_empty() {
        return Ok(NO_PURPOSE.to_owned());
    }
    if s.chars().count() > 200 {
        return Err(bad("is longer than 200 characters"));
    }
    if redact(s) != s {
        return Err(bad("must not hold an identity number"));
    }
    Ok(s.to_owned())
}

/// A JSON answer with a status and an optional ETag.
fn json_response(status: StatusCode, body: String, etag: Option<u64>) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(v) = etag
        && let Ok(h) = HeaderValue::from_str(&format!("\"{v}\""))
    {
        res.headers_mut().insert(header::ETAG, h);
    }
    res
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

/// The store's error as an answer.
pub fn store_problem(e: &StoreError) -> Response {
    Problem::from_store(e).into_response()
}

/// Findings of a validation error.
pub fn validation_findings(
    e: &ValidationError,
    event: Option<usize>,
    prefix: &str,
) -> Vec<ProblemFinding> {
    e.findings
        .iter()
        .filter(|i| i.severity == barnvern_core::Severity::Error)
        .map(|i| ProblemFinding {
            event,
            path: join_path(prefix, &i.path),
            code: i.code.clone(),
            message: redact(&i.message),
        })
        .collect()
}

fn join_path(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) if path.starts_with('[') => format!("{prefix}{path}"),
        (false, false) => format!("{prefix}.{path}"),
    }
}

// --- GET /v1/cases/{id} ------------------------------------------------------------------------

/// The current bundle of a case; `ETag` is its version.
#[utoipa::path(get, path = "/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "The case id"), PurposeHeader),
    responses(
        (status = 200, description = "The current bundle", body = crate::openapi::CaseBundleRef,
         headers(("ETag" = String, description = "The case's version, quoted"))),
        (status = 401, description = "No, an expired or a forged token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not read cases", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case among those the caller may see", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_case(
    AxState(state): AxState<State>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let ctx = Ctx::authenticate(&state, &headers, Action::Read, Some(&id), Audience::Staff).await?;
    // The stored bundle is the canonical JSON of a case validated when it was written: sent
    // as it is, with neither a parse nor a second serialisation (verify checks the store).
    let read = ctx.call(move |s, a| s.read_json(a, &id)).await?;
    Ok(json_response(StatusCode::OK, read.json, Some(read.version)))
}

// --- POST /v1/cases ----------------------------------------------------------------------------

/// A new case: its header and the first report of concern.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCase {
    /// `SE` or `NO`.
    #[schema(value_type = String, example = "NO")]
    pub jurisdiction: barnvern_core::Jurisdiction,
    /// The responsible municipality (four digits).
    #[schema(value_type = String, example = "0301")]
    pub municipality: barnvern_core::municipality::MunicipalityCode,
    /// The date the case is opened; default: the local date the referral was received.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub opened_on: Option<NaiveDate>,
    /// The child.
    #[schema(schema_with = crate::openapi::child_ref)]
    pub child: barnvern_case::person::Child,
    /// The first report of concern.
    #[schema(schema_with = crate::openapi::referral_ref)]
    pub referral: barnvern_case::referral::Referral,
}

/// A case opened.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Opened {
    /// The new case's id (`NO-0301-2026-7KQ2M9XD4T`: jurisdiction, municipality, year and a
    /// random part; never an identity number).
    pub case_id: String,
    /// Its version (1).
    pub version: u64,
    /// True when the request's `Idempotency-Key` had opened this case before: the first
    /// answer again, nothing written.
    pub repeated: bool,
}

/// A new case id: jurisdiction, municipality, year and ten random Crockford base-32
/// characters (50 bits). It holds no identity number and reveals nothing about the child.
pub fn new_case_id(jurisdiction: &str, municipality: &str, year: i32) -> String {
    case_id_from(jurisdiction, municipality, year, &rand::random())
}

/// The case id of a request to open a case with an `Idempotency-Key`: the same caller, key and
/// municipality give the same id, so a retried request finds the case the first one opened
/// instead of opening a second. Ten base-32 characters of a SHA-256 of the three (no identity
/// number goes in; two callers using the same key get different cases).
pub fn idempotent_case_id(
    jurisdiction: &str,
    municipality: &str,
    year: i32,
    staff_id: &str,
    key: &str,
) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"barnvern/open-case/v1\0")
        .chain_update(staff_id.as_bytes())
        .chain_update(b"\0")
        .chain_update(municipality.as_bytes())
        .chain_update(b"\0")
        .chain_update(key.as_bytes())
        .finalize();
    let mut bytes = [0u8; 10];
    bytes.copy_from_slice(&digest[..10]);
    case_id_from(jurisdiction, municipality, year, &bytes)
}

fn case_id_from(jurisdiction: &str, municipality: &str, year: i32, bytes: &[u8; 10]) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let random: String = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect();
    format!("{jurisdiction}-{municipality}-{year}-{random}")
}

/// The request's `Idempotency-Key`, if any (printable text of 1 to 200 characters).
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Box<Problem>> {
    match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => Ok(None),
        Some(Ok(k)) if !k.is_empty() && k.len() <= 200 => Ok(Some(k.to_owned())),
        Some(_) => Err(Box::new(Problem::new(
            StatusCode::BAD_REQUEST,
            "store.idempotency_key_invalid",
            "the Idempotency-Key must be printable text of 1 to 200 characters",
        ))),
    }
}

/// Builds a new case with the id `case_id` from a header and its first referral, as the
/// workflow takes them.
pub fn build_case(
    case_id: String,
    jurisdiction: barnvern_core::Jurisdiction,
    municipality: barnvern_core::municipality::MunicipalityCode,
    opened_on: NaiveDate,
    child: barnvern_case::person::Child,
    referral: barnvern_case::referral::Referral,
) -> Result<Case, Vec<ProblemFinding>> {
    let case_id = barnvern_core::ids::CaseId::new(case_id).map_err(|i| {
        vec![ProblemFinding {
            event: None,
            path: "case_id".into(),
            code: i.code,
            message: redact(&i.message),
        }]
    })?;
    let mut case = Case::new(CaseHeader {
        case_id,
        jurisdiction,
        municipality,
        opened_on,
        child,
    })
    .map_err(|e| validation_findings(&e, None, ""))?;
    case.apply(CaseEvent::ReferralReceived { referral })
        .map_err(|e| {
            vec![ProblemFinding {
                event: None,
                path: join_path("referral", &e.path),
                code: e.code.clone(),
                message: redact(&e.message),
            }]
        })?;
    Ok(case)
}

/// Opens a case with its first report of concern; 201 with `Location`.
#[utoipa::path(post, path = "/v1/cases", tag = "cases", request_body = OpenCase,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request harmless: the same key from the same caller opens one case"),
        PurposeHeader),
    responses(
        (status = 201, description = "Opened", body = Opened,
         headers(("Location" = String, description = "/v1/cases/{id}"), ("ETag" = String, description = "\"1\""))),
        (status = 400, description = "Malformed JSON (with the path)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, an expired or a forged token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not open cases, or not in that municipality", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the limit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The case or referral is not valid, or the Idempotency-Key opened a different case", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn open_case(AxState(state): AxState<State>, headers: HeaderMap, body: Body) -> Answer {
    let ctx = Ctx::authenticate(&state, &headers, Action::Import, None, Audience::Staff).await?;
    let key = ctx.check(idempotency_key(&headers)).await?;
    let bytes = ctx.body(body).await?;
    let req: OpenCase = ctx.json(&bytes).await?;
    let opened_on = req.opened_on.unwrap_or_else(|| req.referral.received_on());
    let jurisdiction = req.jurisdiction.to_string();
    let year = chrono::Datelike::year(&opened_on);
    let staff_id = ctx
        .caller
        .as_ref()
        .map(|c| c.actor.staff_id.clone())
        .unwrap_or_default();
    let case_id = match &key {
        Some(k) => idempotent_case_id(&jurisdiction, req.municipality.as_str(), year, &staff_id, k),
        None => new_case_id(&jurisdiction, req.municipality.as_str(), year),
    };
    let case = match build_case(
        case_id,
        req.jurisdiction,
        req.municipality,
        opened_on,
        req.child,
        req.referral,
    ) {
        Ok(c) => c,
        Err(findings) => {
            let mut p = Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "case.invalid",
                "the case or its referral is not valid",
            );
            p.findings = findings;
            return Err(ctx.refuse(p).await);
        }
    };
    let case_id = case.case_id.as_str().to_owned();
    let source = barnvern_store::ImportSource {
        system: "barnvern-server".into(),
        ..Default::default()
    };
    let keyed = key.is_some();
    let opened = ctx
        .store(move |s, a| -> Result<bool, StoreError> {
            match s.import(a, &case, &source) {
                Ok(barnvern_store::ImportOutcome::Imported) => Ok(false),
                Ok(barnvern_store::ImportOutcome::Unchanged { .. }) => Ok(true),
                // The key's case exists and has moved on since it was opened: the same request
                // again when the case's first event holds the bundle this request builds.
                Err(StoreError::Conflict { expected: 0, .. }) if keyed => {
                    let events = s.history(a, case.case_id.as_str())?;
                    match events.first().map(|e| &e.body) {
                        Some(EventBody::Imported { bundle, .. }) if **bundle == *case => Ok(true),
                        _ => Err(StoreError::Invalid {
                            code: "store.idempotency_key_reused",
                            message: "this idempotency key was used to open a different case"
                                .into(),
                        }),
                    }
                }
                Err(e) => Err(e),
            }
        })
        .await;
    let repeated = opened.map_err(|e| store_problem(&e))?;
    let mut res = json_response(
        StatusCode::CREATED,
        to_json(&Opened {
            case_id: case_id.clone(),
            version: 1,
            repeated,
        }),
        Some(1),
    );
    if let Ok(h) = HeaderValue::from_str(&format!("/v1/cases/{case_id}")) {
        res.headers_mut().insert(header::LOCATION, h);
    }
    Ok(res)
}

// --- POST /v1/cases/{id}/events ----------------------------------------------------------------

/// What an append did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppendedBody {
    /// The case.
    pub case_id: String,
    /// The version of the first event appended.
    pub first_version: u64,
    /// The case's version after the append.
    pub version: u64,
    /// True when the idempotency key had been seen: the first result, nothing written.
    pub repeated: bool,
}

/// The expected version from `If-Match` (`"3"`, `3` or `W/"3"`).
fn if_match(headers: &HeaderMap) -> Result<Option<u64>, Box<Problem>> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let bad = || {
        Box::new(
            Problem::new(
                StatusCode::BAD_REQUEST,
                "http.if_match_invalid",
                "If-Match must name one version, as the ETag gave it (\"3\")",
            )
            .with_finding("If-Match", "http.if_match_invalid", "not a version"),
        )
    };
    let s = v.to_str().map_err(|_| bad())?.trim();
    let s = s.strip_prefix("W/").unwrap_or(s);
    let s = s.trim_matches('"');
    s.parse::<u64>().map(Some).map_err(|_| bad())
}

/// Appends events (one object or an array, all or nothing) at the version named by `If-Match`.
#[utoipa::path(post, path = "/v1/cases/{id}/events", tag = "cases",
    request_body(content = crate::openapi::EventsRef, description = "One workflow event, or an array of them"),
    params(("id" = String, Path, description = "The case id"),
        ("If-Match" = String, Header, description = "The version read (the ETag)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request harmless"),
        PurposeHeader),
    responses(
        (status = 200, description = "Appended (or repeated)", body = AppendedBody, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed JSON or event (with the path)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, an expired or a forged token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not append", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case among those the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case has moved on (current_version)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the limit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The workflow refused an event (findings)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn append_events(
    AxState(state): AxState<State>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Answer {
    let ctx =
        Ctx::authenticate(&state, &headers, Action::Append, Some(&id), Audience::Staff).await?;
    let expected = match if_match(&headers) {
        Ok(Some(v)) => v,
        Ok(None) => {
            return Err(ctx
                .refuse(Problem::new(
                    StatusCode::PRECONDITION_REQUIRED,
                    "http.if_match_required",
                    "an append must name the version it read in If-Match (the case's ETag)",
                ))
                .await);
        }
        Err(p) => return Err(ctx.refuse(*p).await),
    };
    let key = ctx.check(idempotency_key(&headers)).await?;
    let bytes = ctx.body(body).await?;
    let value: serde_json::Value = ctx.json(&bytes).await?;
    let (items, array) = match value {
        serde_json::Value::Array(a) => (a, true),
        v => (vec![v], false),
    };
    let mut events = Vec::with_capacity(items.len());
    let mut findings = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let prefix = if array {
            format!("[{i}]")
        } else {
            String::new()
        };
        match CaseEvent::from_json(&item.to_string()) {
            Ok(e) => events.push(e),
            Err(e) => findings.extend(validation_findings(&e, Some(i), &prefix)),
        }
    }
    if !findings.is_empty() {
        let mut p = Problem::new(
            StatusCode::BAD_REQUEST,
            "event.invalid",
            "an event of the request is not valid",
        );
        p.findings = findings;
        return Err(ctx.refuse(p).await);
    }
    let case_id = id.clone();
    let done = ctx
        .store(move |s, a| s.append(a, &case_id, expected, &events, key.as_deref()))
        .await
        .map_err(|e| match e {
            // A stale If-Match: 412, the store's conflict with the current version.
            StoreError::Conflict { .. } => {
                let mut p = Problem::from_store(&e);
                p.status = StatusCode::PRECONDITION_FAILED.as_u16();
                p.title = "Precondition Failed".into();
                p.into_response()
            }
            e => store_problem(&e),
        })?;
    Ok(json_response(
        StatusCode::OK,
        to_json(&AppendedBody {
            case_id: done.case_id,
            first_version: done.first_version,
            version: done.version,
            repeated: done.repeated,
        }),
        Some(done.version),
    ))
}

// --- GET /v1/cases/{id}/history ----------------------------------------------------------------

/// Who recorded an event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventActor {
    /// Staff reference.
    pub staff_id: String,
    /// Role.
    pub role: String,
    /// Purpose given.
    pub purpose: String,
}

/// One event of a case's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEvent {
    /// The version this event made.
    pub version: u64,
    /// When the store recorded it (RFC 3339, UTC).
    pub recorded_at: String,
    /// Who.
    pub actor: EventActor,
    /// `imported` or the workflow event's type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The workflow event, or for `imported` `{"bundle", "source"}`.
    #[schema(value_type = Object)]
    pub event: serde_json::Value,
    /// The row's chain hash.
    pub hash: String,
}

/// The events of a case, in order.
#[utoipa::path(get, path = "/v1/cases/{id}/history", tag = "cases",
    params(("id" = String, Path, description = "The case id"), PurposeHeader),
    responses(
        (status = 200, description = "The events", body = Vec<HistoryEvent>),
        (status = 401, description = "No, an expired or a forged token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not read cases", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case among those the caller may see", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn history(
    AxState(state): AxState<State>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let ctx = Ctx::authenticate(
        &state,
        &headers,
        Action::History,
        Some(&id),
        Audience::Staff,
    )
    .await?;
    let events = ctx.call(move |s, a| s.history(a, &id)).await?;
    let out: Vec<HistoryEvent> = events.into_iter().map(history_event).collect();
    Ok(json_response(StatusCode::OK, to_json(&out), None))
}

/// A stored event as the history shows it.
pub fn history_event(e: barnvern_store::StoredEvent) -> HistoryEvent {
    let kind = e.body.type_name().to_owned();
    let event = match &e.body {
        EventBody::Imported { bundle, source } => serde_json::json!({
            "bundle": serde_json::to_value(bundle).unwrap_or_default(),
            "source": serde_json::to_value(source).unwrap_or_default(),
        }),
        EventBody::Workflow(w) => serde_json::to_value(w).unwrap_or_default(),
    };
    HistoryEvent {
        version: e.version,
        recorded_at: e.recorded_at,
        actor: EventActor {
            staff_id: e.actor.staff_id,
            role: e.actor.role.as_str().to_owned(),
            purpose: e.actor.purpose,
        },
        kind,
        event,
        hash: e.hash,
    }
}

// --- GET /v1/cases/{id}/deadlines --------------------------------------------------------------

/// The `as_of` query.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// The date the status is computed for (YYYY-MM-DD); default: today (UTC).
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
}

/// A case's statutory deadlines as of a date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseDeadlines {
    /// The case.
    pub case_id: String,
    /// Its version.
    pub version: u64,
    /// The date the status is computed for.
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    /// Every deadline, with due date, completion and status.
    #[schema(value_type = Vec<Object>)]
    pub deadlines: Vec<Deadline>,
}

/// Parses a query string into `T`; 400 with the parameter's name.
async fn query<T: serde::de::DeserializeOwned>(
    ctx: &Ctx,
    raw: Option<&str>,
) -> Result<T, Response> {
    let raw = raw.unwrap_or("");
    match serde_urlencoded_parse::<T>(raw) {
        Ok(v) => Ok(v),
        Err(message) => Err(ctx
            .refuse(
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "http.query_invalid",
                    format!("the query is not valid: {message}"),
                )
                .with_finding("query", "http.query_invalid", &message),
            )
            .await),
    }
}

fn serde_urlencoded_parse<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T, String> {
    let uri = format!("http://x/?{raw}");
    let uri: axum::http::Uri = uri
        .parse()
        .map_err(|_| "the query is malformed".to_owned())?;
    Query::<T>::try_from_uri(&uri)
        .map(|q| q.0)
        .map_err(|e| redact(&e.body_text()))
}

/// Today's date (UTC).
fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Every statutory deadline of a case, with its status as of a date.
#[utoipa::path(get, path = "/v1/cases/{id}/deadlines", tag = "cases",
    params(("id" = String, Path, description = "The case id"), AsOf, PurposeHeader),
    responses(
        (status = 200, description = "The deadlines", body = CaseDeadlines),
        (status = 400, description = "A malformed date", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, an expired or a forged token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not read cases", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case among those the caller may see", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn deadlines(
    AxState(state): AxState<State>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Answer {
    let ctx = Ctx::authenticate(&state, &headers, Action::Read, Some(&id), Audience::Staff).await?;
    let q: AsOf = query(&ctx, uri.query()).await?;
    let as_of = q.as_of.unwrap_or_else(today);
    let read = ctx.call(move |s, a| s.read(a, &id)).await?;
    Ok(json_response(
        StatusCode::OK,
        to_json(&CaseDeadlines {
            case_id: read.case.case_id.as_str().to_owned(),
            version: read.version,
            as_of,
            deadlines: read.case.deadlines(as_of),
        }),
        Some(read.version),
    ))
}

// --- GET /v1/worklist --------------------------------------------------------------------------

/// The worklist query.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorklistParams {
    /// The date the status is computed for; default: today (UTC).
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
    /// Deadlines due within this many days are listed (overdue ones always); default 14, at
    /// most 366.
    pub within: Option<u32>,
    /// One municipality the caller serves; default: all of them.
    pub municipality: Option<String>,
}

/// The worklist.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Worklist {
    /// The date the status is computed for.
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    /// The window in days.
    pub within: u32,
    /// The open deadlines due within the window or overdue, by due date.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<WorklistItem>,
}

/// The default worklist window, in days.
pub const DEFAULT_WITHIN_DAYS: u32 = 14;

/// Open deadlines due within the window or overdue, across the caller's cases.
#[utoipa::path(get, path = "/v1/worklist", tag = "worklist",
    params(WorklistParams, PurposeHeader),
    responses(
        (status = 200, description = "The worklist", body = Worklist),
        (status = 400, description = "A malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, an expired or a forged token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role has no worklist", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn worklist(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Answer {
    let ctx = Ctx::authenticate(&state, &headers, Action::Worklist, None, Audience::Staff).await?;
    let q: WorklistParams = query(&ctx, uri.query()).await?;
    let within = q.within.unwrap_or(DEFAULT_WITHIN_DAYS);
    if within > 366 {
        return Err(ctx
            .refuse(
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "http.query_invalid",
                    "within is at most 366 days",
                )
                .with_finding("within", "http.query_invalid", "at most 366"),
            )
            .await);
    }
    if let Some(m) = &q.municipality
        && (m.len() != 4 || !m.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(ctx
            .refuse(
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "http.query_invalid",
                    "municipality is a four-digit code",
                )
                .with_finding("municipality", "http.query_invalid", "four digits"),
            )
            .await);
    }
    let as_of = q.as_of.unwrap_or_else(today);
    let wq = WorklistQuery {
        as_of,
        within_days: within,
        municipality: q.municipality,
    };
    let items = ctx.call(move |s, a| s.worklist(a, &wq)).await?;
    Ok(json_response(
        StatusCode::OK,
        to_json(&Worklist {
            as_of,
            within,
            items,
        }),
        None,
    ))
}

// --- GET /v1/access-log ------------------------------------------------------------------------

/// The access-log query.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessLogParams {
    /// Only the entries naming this case.
    pub case: Option<String>,
    /// Only entries at or after this time (RFC 3339) or date (YYYY-MM-DD, from midnight UTC).
    pub since: Option<String>,
}

/// Entries of the access log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessLog {
    /// The entries, in order.
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<AccessEntry>,
}

fn parse_since(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::<FixedOffset>::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    s.parse::<NaiveDate>()
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// The access log (auditors only), of one case and from a time when asked.
#[utoipa::path(get, path = "/v1/access-log", tag = "audit",
    params(AccessLogParams, PurposeHeader),
    responses(
        (status = 200, description = "The entries", body = AccessLog),
        (status = 400, description = "A malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, an expired or a forged token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an auditor", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn access_log(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Answer {
    let ctx = Ctx::authenticate(&state, &headers, Action::ReadLog, None, Audience::Staff).await?;
    let q: AccessLogParams = query(&ctx, uri.query()).await?;
    let since = match q.since.as_deref().map(|s| (s, parse_since(s))) {
        None => None,
        Some((_, Some(t))) => Some(t),
        Some((_, None)) => {
            return Err(ctx
                .refuse(
                    Problem::new(
                        StatusCode::BAD_REQUEST,
                        "http.query_invalid",
                        "since is a time (RFC 3339) or a date (YYYY-MM-DD)",
                    )
                    .with_finding(
                        "since",
                        "http.query_invalid",
                        "not a time or date",
                    ),
                )
                .await);
        }
    };
    let case = q.case.clone();
    let entries = ctx
        .call(move |s, a| s.access_log(a, case.as_deref()))
        .await?
        .into_iter()
        .filter(|e| match since {
            None => true,
            Some(t) => parse_since(&e.at).is_some_and(|at| at >= t),
        })
        .collect();
    Ok(json_response(
        StatusCode::OK,
        to_json(&AccessLog { entries }),
        None,
    ))
}

// --- health ------------------------------------------------------------------------------------

/// The health answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable`.
    pub status: String,
}

/// Liveness: the process answers (no token, not logged).
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

/// Readiness: the store answers (no token, not logged; writes nothing).
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn readyz(AxState(state): AxState<State>) -> Response {
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || store.ping()).await {
        Ok(Ok(())) => Json(Health {
            status: "ok".into(),
        })
        .into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "unavailable".into(),
            }),
        )
            .into_response(),
    }
}

async fn no_route() -> Response {
    Problem::new(StatusCode::NOT_FOUND, "http.no_route", "no such route").into_response()
}

/// The `Purpose` header, for the OpenAPI document.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct PurposeHeader {
    /// Why the case is opened: recorded in the access log (at most 200 characters, no
    /// identity number).
    #[serde(rename = "Purpose")]
    #[param(rename = "Purpose")]
    pub purpose: Option<String>,
}
