//! The case system's replies to a report: received, or failed with a reason.

use crate::error::FiksError;
use crate::message_type::{FAILED, RECEIVED};

/// The most failures one `feilet` reply lists.
const MAX_LISTED: usize = 20;

/// A reply to a report message: its Fiks IO message type and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    message_type: &'static str,
    body: Vec<u8>,
}

impl Reply {
    /// `no.ks.fiks.bekymringsmelding.mottatt.v1` with an empty body: send it once the report is
    /// stored (a report not acknowledged within two working days goes to the office on paper).
    pub fn received() -> Reply {
        Reply {
            message_type: RECEIVED,
            body: Vec::new(),
        }
    }

    /// `no.ks.fiks.bekymringsmelding.feilet.v1` with `{"melding": "..."}` (schema
    /// `feilmelding.json`): why the report was refused, every failure with its path and code.
    /// The text holds no personal data: the failures name fields and rules, never values.
    pub fn failed(error: &FiksError) -> Reply {
        let findings = error.findings();
        let mut parts: Vec<String> = findings
            .iter()
            .take(MAX_LISTED)
            .map(|i| {
                if i.path.is_empty() {
                    format!("[{}] {}", i.code, i.message)
                } else {
                    format!("{} [{}] {}", i.path, i.code, i.message)
                }
            })
            .collect();
        if findings.len() > MAX_LISTED {
            parts.push(format!("and {} more", findings.len() - MAX_LISTED));
        }
        let melding = format!(
            "Bekymringsmeldingen ble avvist (the report of concern was refused): {}",
            parts.join("; ")
        );
        Reply::failed_with(&melding)
    }

    /// A `feilet` reply with the caller's own text, for failures after parsing (the report
    /// could not be stored). The caller keeps personal data out of `melding`.
    pub fn failed_with(melding: &str) -> Reply {
        let body = serde_json::json!({ "melding": melding });
        Reply {
            message_type: FAILED,
            // A JSON object of one string always serialises.
            body: serde_json::to_vec(&body).unwrap_or_default(),
        }
    }

    /// The Fiks IO message type of the reply.
    pub fn message_type(&self) -> &'static str {
        self.message_type
    }

    /// The reply's body: empty for `mottatt`, JSON for `feilet`.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}
