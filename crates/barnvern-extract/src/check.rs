//! Checking one input line: is it a valid case bundle? Every way a line can fail becomes a list
//! of [`Finding`]s with a path, a stable code and a message that never repeats input values.

use barnvern_case::{Case, Error as CaseError};
use barnvern_core::{Finding, Severity};

use crate::input::LineContent;

/// Codes of the findings this module adds to those of `barnvern-case`.
pub mod codes {
    /// The line is not valid UTF-8.
    pub const UTF8: &str = "input.utf8";
    /// The line is empty or only white space.
    pub const BLANK_LINE: &str = "input.blank_line";
    /// The line is longer than the reader's limit.
    pub const LINE_TOO_LONG: &str = "input.line_too_long";
    /// The file has no lines at all.
    pub const EMPTY_FILE: &str = "input.empty_file";
    /// The bundle's schema version is not one this build reads.
    pub const SCHEMA_VERSION: &str = "case.schema_version";
    /// A case id seen before in the same extract.
    pub const DUPLICATE_CASE: &str = "extract.duplicate_case_id";
    /// A valid case that the dataset writer refuses (text shaped like an identity number in a
    /// column that is not a pseudonym, which validation should have refused first).
    pub const UNWRITABLE: &str = "extract.unwritable";
}

/// Parses and validates one line. `Ok` holds the case and its findings that are not errors
/// (warnings and queries); `Err` holds why the line is rejected.
pub fn check_line(content: &LineContent, max_line_bytes: usize) -> Result<Case, Vec<Finding>> {
    let bytes = match content {
        LineContent::Bytes(b) => b,
        LineContent::TooLong { length } => {
            return Err(vec![Finding::error(
                "",
                codes::LINE_TOO_LONG,
                format!(
                    "the line has {length} bytes, more than the limit of {max_line_bytes} bytes; it was skipped unread"
                ),
            )]);
        }
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        vec![Finding::error(
            "",
            codes::UTF8,
            format!(
                "the line is not valid UTF-8: invalid byte at column {}",
                e.valid_up_to() + 1
            ),
        )]
    })?;
    if text.trim().is_empty() {
        return Err(vec![Finding::error(
            "",
            codes::BLANK_LINE,
            "the line is empty; each line must hold one case bundle",
        )]);
    }
    Case::from_json(text).map_err(|e| match e {
        CaseError::Validation(v) => v
            .findings
            .into_iter()
            .filter(|i| i.severity == Severity::Error)
            .collect(),
        CaseError::SchemaVersion { found, supported } => vec![Finding::error(
            "schema_version",
            codes::SCHEMA_VERSION,
            match found {
                // The version is a short token written by producers, not personal data, but it
                // is input: show it only when it looks like a version number.
                Some(v) if looks_like_version(&v) => {
                    format!("schema_version {v} is not supported: this barnvern reads {supported}")
                }
                Some(_) => format!(
                    "schema_version is not a supported version: this barnvern reads {supported}"
                ),
                None => format!("schema_version is missing: this barnvern reads {supported}"),
            },
        )],
        CaseError::Workflow(w) => vec![Finding::error(w.path, w.code, w.message)],
        CaseError::Serialize(m) => vec![Finding::error("", "case.serialize", m)],
    })
}

/// The finding on a line whose case (jurisdiction and id) was already read on line `first` of
/// `file`.
pub fn duplicate_case(first: u64, file: &str) -> Finding {
    Finding::error(
        "case_id",
        codes::DUPLICATE_CASE,
        format!(
            "the case id was already read on line {first} of {file}; a case appears once in an extract"
        ),
    )
}

/// The finding on an input file with no lines.
pub fn empty_file() -> Finding {
    Finding::error(
        "",
        codes::EMPTY_FILE,
        "the file is empty: it holds no case bundles",
    )
}

/// `1`, `1.2` or `1.2.3`, each part at most three digits: short enough that it cannot be an
/// identity number.
fn looks_like_version(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() <= 3
        && parts
            .iter()
            .all(|p| (1..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn bytes(s: &[u8]) -> LineContent {
        LineContent::Bytes(s.to_vec())
    }

    fn code_of(content: LineContent) -> String {
        check_line(&content, 100).unwrap_err()[0].code.clone()
    }

    #[test]
    fn every_kind_of_bad_line_has_its_code() {
        assert_eq!(code_of(bytes(b"\xff{}")), codes::UTF8);
        assert_eq!(code_of(bytes(b"   ")), codes::BLANK_LINE);
        assert_eq!(
            code_of(LineContent::TooLong { length: 200 }),
            codes::LINE_TOO_LONG
        );
        assert_eq!(code_of(bytes(b"{\"schema_version\": \"1.")), "json.eof");
        assert_eq!(code_of(bytes(b"[1, 2]")), "json.invalid_value");
    }

    #[test]
    fn an_example_bundle_passes() {
        let text = include_str!("../../../examples/se-case.json");
        let compact =
            serde_json::to_string(&serde_json::from_str::<serde_json::Value>(text).unwrap())
                .unwrap();
        let case = check_line(&bytes(compact.as_bytes()), usize::MAX).unwrap();
        assert_eq!(case.jurisdiction.code(), "SE");
    }

    #[test]
    fn an_unknown_schema_version_is_named_only_when_it_looks_like_one() {
        let findings = check_line(
            &bytes(br#"{"schema_version": "9.9", "case_id": "x"}"#),
            1000,
        )
        .unwrap_err();
        assert_eq!(findings[0].code, codes::SCHEMA_VERSION);
        assert!(
            findings[0].message.contains("9.9"),
            "{}",
            findings[0].message
        );
        let findings = check_line(
            &bytes(br#"{"schema_version": "197901012391", "case_id": "x"}"#),
            1000,
        )
        .unwrap_err();
        assert!(
            !findings[0].message.contains("2391"),
            "{}",
            findings[0].message
        );
    }
}
