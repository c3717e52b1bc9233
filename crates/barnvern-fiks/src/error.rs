//! The crate's error type: why a message was refused.
//!
//! Every refusal carries the JSON path of the offending value (`offentligBarn[1].fnr`; empty for
//! the whole message), a stable code (`fiks.*`) and a message that names the field and the rule
//! but never repeats a value from the message: no name, no text and no identity number. Findings
//! are [`Finding`]s, whose constructors also mask anything shaped like an identity number as a last
//! line of defence.

use barnvern_core::Finding;

/// Why a Fiks bekymringsmelding was refused.
///
/// [`FiksError::code`], [`FiksError::path`] and [`FiksError::message`] describe the first
/// failure; [`FiksError::findings`] lists every failure found (a body is checked in full, so one
/// reply can name all of its faults).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FiksError {
    /// The Fiks IO message type is not one of the four report types
    /// (`no.ks.fiks.bekymringsmelding.{offentlig,privat}.{v1,v2}`). Code `fiks.message_type`.
    #[error("{0}")]
    MessageType(Finding),
    /// The body is not JSON (or not UTF-8). Code `fiks.json`.
    #[error("{0}")]
    Json(Finding),
    /// The body is JSON but breaks the published schema's rules (required fields, types,
    /// patterns, formats, array lengths) or the intake's own (a valid identity number, a
    /// municipality in force on the sending date, distinct children). One finding per failure,
    /// in document order.
    #[error("{}{}", first(.0), more(.0))]
    Invalid(Vec<Finding>),
}

fn first(findings: &[Finding]) -> String {
    findings
        .first()
        .map_or_else(|| "the message is invalid".to_owned(), Finding::to_string)
}

fn more(findings: &[Finding]) -> String {
    match findings.len() {
        0 | 1 => String::new(),
        2 => " (and 1 more failure)".to_owned(),
        n => format!(" (and {} more failures)", n - 1),
    }
}

impl FiksError {
    /// Every failure found, first one first.
    pub fn findings(&self) -> &[Finding] {
        match self {
            FiksError::MessageType(finding) | FiksError::Json(finding) => {
                std::slice::from_ref(finding)
            }
            FiksError::Invalid(findings) => findings,
        }
    }

    fn first(&self) -> Option<&Finding> {
        self.findings().first()
    }

    /// The stable code of the first failure (`fiks.required`, `fiks.fnr`, ...).
    pub fn code(&self) -> &str {
        self.first().map_or("fiks.invalid", |i| i.code.as_str())
    }

    /// The JSON path of the first failure (`offentligBarn[0].fnr`); empty for the whole message.
    pub fn path(&self) -> &str {
        self.first().map_or("", |i| i.path.as_str())
    }

    /// The message of the first failure: the field and the rule, never a value.
    pub fn message(&self) -> &str {
        self.first()
            .map_or("the message is invalid", |i| i.message.as_str())
    }
}
