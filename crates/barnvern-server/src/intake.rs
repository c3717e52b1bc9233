//! `POST /v1/intake/fiks-bekymringsmelding`: one report of concern from Norway's national
//! portal (Fiks bekymringsmelding), its message type in the `Fiks-Message-Type` header.
//!
//! - Who: a token of the role `intake_system` (the Fiks IO integration), serving the
//!   municipalities whose reports it delivers; a report for another municipality is refused
//!   by the store (403 with a `feilet` body). No other role may call it, and the intake system
//!   may call no other route.
//! - What: `barnvern-fiks` validates the body against the published schema's rules and maps
//!   it; for each child, the open case of the same child in the report's municipality (found
//!   through the store's keyed identity index, [`CaseStore::lookup`]) gets the referral, or a
//!   new case is opened with it (an unborn child, or a private report without identity
//!   numbers, always gets a new case). The referral starts the 7-day review deadline, so the
//!   case is on the worklist at once.
//! - Retries: the case ids, referral ids and idempotency keys are derived from a SHA-256 of the
//!   message body, so a message delivered again changes nothing and gets the same answer.
//! - Answer: `200` with `Fiks-Message-Type: no.ks.fiks.bekymringsmelding.mottatt.v1`, an empty
//!   body (the protocol's receipt) and the case ids in `Barnvern-Case-Ids`; or `422` (or the
//!   store's status) with `Fiks-Message-Type: no.ks.fiks.bekymringsmelding.feilet.v1` and
//!   `{"melding": ...}` naming the fields and rules that failed, never a value.
//!
//! [`CaseStore::lookup`]: barnvern_store::CaseStore::lookup

use axum::body::Body;
use axum::extract::State as AxState;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use barnvern_core::ids::{CaseId, ReferralId};
use barnvern_fiks::{MessageType, Reply};
use barnvern_store::{Action, ImportOutcome, ImportSource, StoreError};
use sha2::{Digest, Sha256};

use crate::State;
use crate::api::{Audience, Ctx};
use crate::problem::Problem;

/// The header naming the message type (`no.ks.fiks.bekymringsmelding.offentlig.v2` ...); the
/// answer names the reply's type in the same header.
pub const MESSAGE_TYPE_HEADER: &str = "fiks-message-type";
/// The answer's header listing the case of each child, in the report's order.
pub const CASE_IDS_HEADER: &str = "barnvern-case-ids";

/// A reply as the HTTP answer.
fn reply(status: StatusCode, r: &Reply, case_ids: &[String]) -> Response {
    let mut res = (status, r.body().to_vec()).into_response();
    let h = res.headers_mut();
    h.insert(
        MESSAGE_TYPE_HEADER,
        HeaderValue::from_static(r.message_type()),
    );
    if !r.body().is_empty() {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    if !case_ids.is_empty()
        && let Ok(v) = HeaderValue::from_str(&case_ids.join(", "))
    {
        h.insert(CASE_IDS_HEADER, v);
    }
    res
}

/// A `feilet` answer, the refusal logged in the access log.
async fn failed(ctx: &Ctx, status: StatusCode, code: &str, melding: &str) -> Response {
    // The log records the code; the answer is the protocol's failure message.
    let _ = ctx.refuse(Problem::new(status, code, melding)).await;
    reply(status, &Reply::failed_with(melding), &[])
}

fn digest_id(digest: &[u8]) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    digest
        .iter()
        .take(10)
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect()
}

/// Takes one report of concern; see the module documentation.
#[utoipa::path(post, path = "/v1/intake/fiks-bekymringsmelding", tag = "intake",
    request_body(content = serde_json::Value, description = "The report's JSON body, as Fiks IO delivers it"),
    params(("Fiks-Message-Type" = String, Header,
        description = "no.ks.fiks.bekymringsmelding.offentlig.v1, .offentlig.v2, .privat.v1 or .privat.v2")),
    responses(
        (status = 200, description = "Received (mottatt): empty body; Fiks-Message-Type names the reply, Barnvern-Case-Ids the cases"),
        (status = 401, description = "No, an expired or a forged token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the intake system, or a municipality it does not serve (feilet)"),
        (status = 413, description = "Body over the limit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused (feilet): {\"melding\": ...} naming fields and rules")),
    security(("bearer" = [])))]
pub async fn fiks_bekymringsmelding(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let ctx =
        match Ctx::authenticate(&state, &headers, Action::Import, None, Audience::Intake).await {
            Ok(c) => c,
            Err(r) => return r,
        };
    let kind = headers
        .get(MESSAGE_TYPE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::parse::<MessageType>);
    let kind = match kind {
        Some(Ok(k)) => k,
        Some(Err(e)) => {
            let r = Reply::failed(&e);
            let _ = ctx
                .refuse(Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    e.code(),
                    e.message(),
                ))
                .await;
            return reply(StatusCode::UNPROCESSABLE_ENTITY, &r, &[]);
        }
        None => {
            return failed(
                &ctx,
                StatusCode::BAD_REQUEST,
                "fiks.message_type",
                "Fiks-Message-Type mangler (the message type header is missing)",
            )
            .await;
        }
    };
    let bytes = match ctx.body(body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let report = match barnvern_fiks::parse(kind, &bytes) {
        Ok(r) => r,
        Err(e) => {
            let r = Reply::failed(&e);
            let _ = ctx
                .refuse(Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    e.code(),
                    e.message(),
                ))
                .await;
            return reply(StatusCode::UNPROCESSABLE_ENTITY, &r, &[]);
        }
    };
    // The integration delivers the reports of the municipalities in its token only.
    if !ctx
        .actor()
        .is_some_and(|a| a.serves(report.municipality().as_str()))
    {
        return failed(
            &ctx,
            StatusCode::FORBIDDEN,
            "store.forbidden",
            "kommunen betjenes ikke av denne integrasjonen (the report's municipality is not \
             served by this integration)",
        )
        .await;
    }
    let digest = Sha256::new()
        .chain_update(kind.as_str().as_bytes())
        .chain_update(b"\n")
        .chain_update(&bytes)
        .finalize();
    let tag = digest_id(&digest);
    let report = std::sync::Arc::new(report);
    let mut case_ids = Vec::new();
    for (i, child) in report.children().iter().enumerate() {
        let referral_id = match ReferralId::new(format!("fiks-{tag}-{i}")) {
            Ok(r) => r,
            Err(_) => {
                return failed(
                    &ctx,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server.internal",
                    "intern feil",
                )
                .await;
            }
        };
        let municipality = report.municipality().as_str().to_owned();
        let year = chrono::Datelike::year(&report.received_on());
        let new_id = format!("NO-{municipality}-{year}-F{}{i}", &tag[..9]);
        let idem = format!("fiks-{tag}-{i}");
        let report2 = report.clone();
        let child = child.clone();
        let outcome = ctx
            .store(move |s, actor| -> Result<String, StoreError> {
                let event = report2.referral_event(&child, referral_id.clone());
                // The open case of the same child in this municipality, if any.
                if let Some(pid) = child.person_id() {
                    for _attempt in 0..3 {
                        let mut target = None;
                        for id in s.lookup(actor, pid)? {
                            let read = s.read(actor, &id)?;
                            // This message was delivered before: its referral is there.
                            if read.case.referrals.iter().any(|r| r.id == referral_id) {
                                return Ok(id);
                            }
                            if target.is_none()
                                && read.case.municipality.as_str() == municipality
                                && !read.case.is_closed()
                            {
                                target = Some((id, read.version));
                            }
                        }
                        let Some((id, version)) = target else { break };
                        match s.append(
                            actor,
                            &id,
                            version,
                            std::slice::from_ref(&event),
                            Some(&idem),
                        ) {
                            Ok(_) => return Ok(id),
                            // Someone appended meanwhile: read again and retry.
                            Err(StoreError::Conflict { .. }) => continue,
                            Err(e) => return Err(e),
                        }
                    }
                }
                let case_id = CaseId::new(new_id.clone()).map_err(|i| StoreError::Invalid {
                    code: "store.case_id_unavailable",
                    message: i.message,
                })?;
                let mut case = barnvern_case::Case::new(report2.case_header(&child, case_id))
                    .map_err(|e| StoreError::Refused {
                        findings: e
                            .findings
                            .iter()
                            .map(|i| barnvern_store::Finding {
                                event: None,
                                path: i.path.clone(),
                                code: i.code.clone(),
                                message: i.message.clone(),
                            })
                            .collect(),
                    })?;
                case.apply(event).map_err(|e| StoreError::Refused {
                    findings: vec![barnvern_store::Finding {
                        event: Some(0),
                        path: e.path.clone(),
                        code: e.code.clone(),
                        message: e.message.clone(),
                    }],
                })?;
                let source = ImportSource {
                    system: barnvern_fiks::report::INTAKE_SYSTEM.into(),
                    ..ImportSource::default()
                };
                match s.import(actor, &case, &source) {
                    Ok(ImportOutcome::Imported | ImportOutcome::Unchanged { .. }) => Ok(new_id),
                    // The case this very message opened before (its id is the message's
                    // digest), changed since: the message was delivered again.
                    Err(StoreError::Conflict { expected: 0, .. }) => Ok(new_id),
                    Err(e) => Err(e),
                }
            })
            .await;
        match outcome {
            Ok(id) => case_ids.push(id),
            Err(e) => {
                let p = Problem::from_store(&e);
                let status = if p.status() == StatusCode::NOT_FOUND {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    p.status()
                };
                let melding = format!(
                    "Bekymringsmeldingen kunne ikke lagres (the report could not be stored): barn {i}: [{}] {}",
                    e.code(),
                    match &e {
                        StoreError::Forbidden { .. } => "kommunen betjenes ikke av denne integrasjonen (the municipality is not served by this integration)".to_owned(),
                        StoreError::Refused { findings } => findings
                            .iter()
                            .map(|f| format!("{} [{}]", f.path, f.code))
                            .collect::<Vec<_>>()
                            .join("; "),
                        _ => "prøv igjen senere (try again later)".to_owned(),
                    }
                );
                return reply(
                    status,
                    &Reply::failed_with(&crate::problem::redact(&melding)),
                    &case_ids,
                );
            }
        }
    }
    tracing::info!(
        target: "barnvern_server::intake",
        message_type = kind.as_str(),
        children = case_ids.len(),
        warnings = report.findings().len(),
        "report of concern received"
    );
    reply(StatusCode::OK, &Reply::received(), &case_ids)
}
