//! Validation findings and the crate's error type.
//!
//! Every rejection in barnvern is a [`Finding`]: a path to the offending value
//! (`referrals[2].received_at`), a stable machine code (`id.se.check_digit`), a [`Severity`] and a
//! message a caseworker understands. The same record is what the row-level error report, the
//! quarantine file and the Python `ValidationError.findings` hold.
//!
//! Messages never repeat an identity number: they may be written to shared files.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The value is wrong and is refused.
    Error,
    /// The value is allowed but should be checked by a person (SSB: "query"/"kontroll").
    Query,
    /// The value is allowed; something about it deserves attention.
    Warning,
}

impl Severity {
    /// The lower-case name used in JSON and Python (`"error"`, `"query"`, `"warning"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Query => "query",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One validation finding: where, which rule, how serious, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// Path to the value inside its record, e.g. `referrals[2].received_at`; empty for the whole
    /// record.
    pub path: String,
    /// Stable machine code of the rule that failed, e.g. `id.se.check_digit`.
    pub code: String,
    /// How serious the finding is.
    pub severity: Severity,
    /// A message a caseworker understands. Never contains an identity number: the
    /// constructors mask anything shaped like one and cap the length at
    /// [`MAX_MESSAGE_CHARS`] (a value a message repeats is capped far shorter, see
    /// [`crate::identifier::echo`]).
    pub message: String,
}

/// The most characters a finding's message keeps.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// A message (or path: a map key in one is input) as a finding keeps it: anything shaped like an
/// identity number masked, at most [`MAX_MESSAGE_CHARS`] characters. The last line of defence; messages are written not to
/// repeat values in the first place.
fn safe_message(message: String) -> String {
    let masked = mask(message);
    if masked.chars().count() <= MAX_MESSAGE_CHARS {
        return masked;
    }
    let mut cut: String = masked.chars().take(MAX_MESSAGE_CHARS - 1).collect();
    cut.push('…');
    // Cutting can end a run of digit groups where no group ended before, which can make
    // digits that were not an identity number's spell one: mask again.
    mask(cut)
}

/// `text` with anything shaped like an identity number masked.
fn mask(text: String) -> String {
    match crate::identifier::mask_identity_numbers(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(m) => m,
    }
}

impl Finding {
    /// A finding of the given severity.
    pub fn new(
        severity: Severity,
        path: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            path: safe_message(path.into()),
            code: code.into(),
            severity,
            message: safe_message(message.into()),
        }
    }

    /// An error: the value is refused.
    pub fn error(
        path: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Error, path, code, message)
    }

    /// A query: allowed, but a person should check it.
    pub fn query(
        path: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Query, path, code, message)
    }

    /// A warning: allowed, worth attention.
    pub fn warning(
        path: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, path, code, message)
    }

    /// The same finding seen from a parent: `prefix` is put in front of the path
    /// (`"received_at"` under `"referrals[2]"` becomes `"referrals[2].received_at"`).
    #[must_use]
    pub fn under(mut self, prefix: &str) -> Self {
        // Each part is masked, but joined by a dot (a separator in a written number) they
        // can spell one (`1890-01` and `01-9802`).
        self.path = mask(join_path(prefix, &self.path));
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{} [{}]: {}", self.severity, self.code, self.message)
        } else {
            write!(
                f,
                "{} at {} [{}]: {}",
                self.severity, self.path, self.code, self.message
            )
        }
    }
}

/// Joins two path segments: `join_path("referrals[2]", "received_at")` is
/// `referrals[2].received_at`; an index segment (`[3]`) is appended without a dot.
pub fn join_path(prefix: &str, rest: &str) -> String {
    match (prefix.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) if rest.starts_with('[') => format!("{prefix}{rest}"),
        (false, false) => format!("{prefix}.{rest}"),
    }
}

/// A list of findings about one record or file. It reads as a slice of [`Finding`] (`len`,
/// `iter`, indexing) and iterates like one, so callers rarely need the field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Findings {
    /// The findings, in the order they were found.
    pub findings: Vec<Finding>,
}

impl std::ops::Deref for Findings {
    type Target = [Finding];

    fn deref(&self) -> &[Finding] {
        &self.findings
    }
}

impl IntoIterator for Findings {
    type Item = Finding;
    type IntoIter = std::vec::IntoIter<Finding>;

    fn into_iter(self) -> Self::IntoIter {
        self.findings.into_iter()
    }
}

impl<'a> IntoIterator for &'a Findings {
    type Item = &'a Finding;
    type IntoIter = std::slice::Iter<'a, Finding>;

    fn into_iter(self) -> Self::IntoIter {
        self.findings.iter()
    }
}

/// The path of an item of a list (`referrals[2]`, or under a parent
/// `investigations[0].extensions[1]`), written out only when a finding needs it: a valid case
/// has dozens of records, and building each one's path as text was most of the text a
/// validation formatted.
#[derive(Clone, Copy)]
pub struct ItemPath<'a> {
    parent: Option<&'a dyn fmt::Display>,
    list: &'static str,
    index: usize,
}

impl<'a> ItemPath<'a> {
    /// Item `index` of the top-level list `list`.
    pub fn new(list: &'static str, index: usize) -> Self {
        ItemPath {
            parent: None,
            list,
            index,
        }
    }

    /// Item `index` of the list `list` of the record at `parent`.
    pub fn under(parent: &'a dyn fmt::Display, list: &'static str, index: usize) -> Self {
        ItemPath {
            parent: Some(parent),
            list,
            index,
        }
    }
}

impl fmt::Display for ItemPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            write!(f, "{parent}.")?;
        }
        write!(f, "{}[{}]", self.list, self.index)
    }
}

impl Findings {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one finding.
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Adds every finding of `other`, with `prefix` put in front of their paths (the prefix
    /// is written out only when there is a finding).
    pub fn extend_under<P: fmt::Display + ?Sized>(
        &mut self,
        prefix: &P,
        other: impl IntoIterator<Item = Finding>,
    ) {
        let mut other = other.into_iter().peekable();
        if other.peek().is_none() {
            return;
        }
        let prefix = prefix.to_string();
        self.findings.extend(other.map(|i| i.under(&prefix)));
    }

    /// True when any finding is an [`Severity::Error`].
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|i| i.severity == Severity::Error)
    }

    /// True when there are no findings at all.
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// `Ok(self)` when there is no error (queries and warnings are kept), else `Err`.
    pub fn into_result(self) -> Result<Findings, ValidationError> {
        if self.has_errors() {
            Err(ValidationError { findings: self })
        } else {
            Ok(self)
        }
    }
}

impl FromIterator<Finding> for Findings {
    fn from_iter<T: IntoIterator<Item = Finding>>(iter: T) -> Self {
        Findings {
            findings: iter.into_iter().collect(),
        }
    }
}

/// A value was refused: one or more findings, at least one of them an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    /// All findings, errors first as found.
    pub findings: Findings,
}

impl ValidationError {
    /// A validation error holding a single finding.
    pub fn single(finding: Finding) -> Self {
        ValidationError {
            findings: Findings {
                findings: vec![finding],
            },
        }
    }

    /// The findings.
    pub fn findings(&self) -> &[Finding] {
        &self.findings.findings
    }
}

impl From<Finding> for ValidationError {
    fn from(finding: Finding) -> Self {
        ValidationError::single(finding)
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Lead with the first error: that is why the value was refused.
        let findings = &self.findings.findings;
        let first = findings
            .iter()
            .find(|i| i.severity == Severity::Error)
            .or(findings.first());
        match first {
            None => f.write_str("validation failed"),
            Some(first) if findings.len() == 1 => write!(f, "{first}"),
            Some(first) => write!(f, "{first} (and {} more findings)", findings.len() - 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifier::looks_like_identity_number;

    #[test]
    fn item_paths_are_written_as_the_path_of_a_finding() {
        let inv = ItemPath::new("investigations", 0);
        let ext = ItemPath::under(&inv, "extensions", 1);
        assert_eq!(ext.to_string(), "investigations[0].extensions[1]");
        assert_eq!(
            format!("{}", format_args!("{ext}.decided_on")),
            "investigations[0].extensions[1].decided_on"
        );
        let mut r = Findings::default();
        r.extend_under(&ext, Vec::new());
        assert!(r.is_empty());
        r.extend_under(&ext, vec![Finding::error("new_due", "date.order", "later")]);
        assert_eq!(
            r.findings[0].path,
            "investigations[0].extensions[1].new_due"
        );
    }

    /// Found by the `store_append` fuzz target (fuzz/artifacts/store_append/crash-ddbcddb0...
    /// and crash-ec74d9c2...): a path of 574 characters, cut to 500, ended in the middle of a
    /// group of digits, and the groups before it then spelled a personnummer's shape
    /// (`2024.-02024.208`, 12 digits from a year and `0202`) that the whole path did not.
    #[test]
    fn a_message_cut_to_length_never_spells_an_identity_number() {
        let text = format!("{}2024.-02024.2080-2024-0-2024", "p".repeat(484));
        assert!(!looks_like_identity_number(&text));
        let f = Finding::error(text.clone(), "c", text);
        assert_eq!(f.message.chars().count(), MAX_MESSAGE_CHARS);
        assert!(!looks_like_identity_number(&f.message), "{}", f.message);
        assert!(!looks_like_identity_number(&f.path), "{}", f.path);
    }

    /// Two path parts that are harmless apart can spell an identity number joined by a dot
    /// (the public test personnummer 18900101-9802 of shared/testdata, split).
    #[test]
    fn a_path_joined_from_parts_never_spells_an_identity_number() {
        let f = Finding::error("01-9802", "c", "m").under("1890-01");
        assert!(!looks_like_identity_number(&f.path), "{}", f.path);
        assert_eq!(f.path, "****-**.**-****");
    }

    #[test]
    fn paths_join_with_dots_and_indices() {
        assert_eq!(join_path("referrals", "[2]"), "referrals[2]");
        assert_eq!(
            join_path("referrals[2]", "received_at"),
            "referrals[2].received_at"
        );
        assert_eq!(join_path("", "x"), "x");
        assert_eq!(join_path("x", ""), "x");
        let finding =
            Finding::error("received_at", "date.order", "too early").under("referrals[2]");
        assert_eq!(finding.path, "referrals[2].received_at");
    }

    #[test]
    fn report_with_only_warnings_is_ok() {
        let report: Findings = [Finding::warning("a", "w", "m")].into_iter().collect();
        assert!(report.clone().into_result().is_ok());
        let report: Findings = [
            Finding::warning("a", "w", "m"),
            Finding::error("b", "e", "m"),
        ]
        .into_iter()
        .collect();
        let err = report.into_result().unwrap_err();
        assert_eq!(err.to_string(), "error at b [e]: m (and 1 more findings)");
    }
}
