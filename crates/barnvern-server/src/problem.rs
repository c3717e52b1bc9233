//! Errors as RFC 9457 `application/problem+json`, carrying the same findings (path, code,
//! message) as the store and the validators, and a stable `code`. No body holds an identity
//! number: every message passes [`redact`].

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use barnvern_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthError;

/// One finding: where, which rule, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProblemFinding {
    /// Which event of the request (0-based), where the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<usize>,
    /// Path of the offending value (`referral.received_at`), or empty.
    pub path: String,
    /// Stable code of the rule.
    pub code: String,
    /// Why, in words a caseworker understands.
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`urn:barnvern:problem:CODE`).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong in this request.
    pub detail: String,
    /// The stable code (`store.case_not_found`, `auth.token_expired`, `http.json_invalid`).
    pub code: String,
    /// Every finding, with path, code and message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<ProblemFinding>,
    /// The case's current version, for a stale `If-Match`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u64>,
}

impl Problem {
    /// A problem with a status, code and detail.
    pub fn new(status: StatusCode, code: &str, detail: impl AsRef<str>) -> Problem {
        Problem {
            kind: format!("urn:barnvern:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: redact(detail.as_ref()),
            code: code.to_owned(),
            findings: Vec::new(),
            current_version: None,
        }
    }

    /// Adds a finding.
    pub fn with_finding(mut self, path: &str, code: &str, message: &str) -> Problem {
        self.findings.push(ProblemFinding {
            event: None,
            path: path.to_owned(),
            code: code.to_owned(),
            message: redact(message),
        });
        self
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The problem of a store error.
    pub fn from_store(e: &StoreError) -> Problem {
        let status = match e {
            StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
            StoreError::Forbidden { .. } => StatusCode::FORBIDDEN,
            StoreError::Conflict { .. } => StatusCode::CONFLICT,
            StoreError::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            StoreError::Invalid { code, .. } if *code == "store.idempotency_key_reused" => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            StoreError::Invalid { code, .. } if *code == "store.case_id_unavailable" => {
                StatusCode::CONFLICT
            }
            StoreError::Invalid { .. } => StatusCode::BAD_REQUEST,
            StoreError::Database(_) | StoreError::NoKey => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let detail = match e {
            // The database's own words stay in the server's log, not in the answer.
            StoreError::Database(_) => "the case store is not available; try again".to_owned(),
            StoreError::Corrupt(_) => "stored data could not be read".to_owned(),
            _ => e.to_string(),
        };
        let mut p = Problem::new(status, e.code(), detail);
        match e {
            StoreError::Refused { findings } => {
                p.findings = findings
                    .iter()
                    .map(|f| ProblemFinding {
                        event: f.event,
                        path: f.path.clone(),
                        code: f.code.clone(),
                        message: redact(&f.message),
                    })
                    .collect();
            }
            StoreError::Conflict { current, .. } => p.current_version = Some(*current),
            _ => {}
        }
        p
    }

    /// The problem of a refused token.
    pub fn from_auth(e: &AuthError) -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, e.code(), e.to_string())
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let unauthorised = status == StatusCode::UNAUTHORIZED;
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if unauthorised {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"barnvern\""),
            );
        }
        res
    }
}

/// Replaces every run of six or more digits (allowing the separators of identity numbers
/// between them) with `[number removed]`, so no identity number can pass into an answer or a
/// log line through a message that quotes input. Dates (`2026-01-31`) and versions stay.
pub fn redact(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            // The longest run of digits with single separators inside.
            let mut j = i;
            let mut digits = 0;
            let mut longest_group = 0;
            let mut group = 0;
            let mut end = i;
            while j < chars.len() {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                    group += 1;
                    longest_group = longest_group.max(group);
                    end = j + 1;
                    j += 1;
                } else if matches!(chars[j], '-' | '+')
                    && j + 1 < chars.len()
                    && chars[j + 1].is_ascii_digit()
                {
                    group = 0;
                    j += 1;
                } else {
                    break;
                }
            }
            if longest_group >= 6 || (digits >= 10 && longest_group >= 4) {
                out.push_str("[number removed]");
            } else {
                out.extend(&chars[i..end]);
            }
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn identity_numbers_are_removed_and_dates_kept() {
        assert_eq!(
            redact("invalid type: string \"19121212-1212\", expected"),
            "invalid type: string \"[number removed]\", expected"
        );
        assert_eq!(redact("nr 01010150000 x"), "nr [number removed] x");
        assert_eq!(redact("on 2026-01-31 at line 3"), "on 2026-01-31 at line 3");
        assert_eq!(redact("version 12"), "version 12");
        assert_eq!(redact("121212-1212"), "[number removed]");
        assert_eq!(redact("2026-01-31 2026-02-01"), "2026-01-31 2026-02-01");
    }
}
