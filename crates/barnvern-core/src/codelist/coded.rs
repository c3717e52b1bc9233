//! Coded values that keep the code as the source recorded it.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use crate::Finding;

/// A code exactly as a source system recorded it: the code system (e.g.
/// `no.ssb.barnevern.melder`, or a local case system's name) and the code, both non-empty text
/// kept verbatim. Built only by [`SourceCode::new`]; JSON goes through the same check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceCode {
    #[schemars(length(min = 1))]
    system: String,
    #[schemars(length(min = 1))]
    code: String,
}

impl SourceCode {
    /// A source code. The system must have the shape of a system name and the code be short
    /// text ([`super::check_system_name`], [`super::check_code_text`]): both are copied into
    /// research extracts, so neither may hold anything shaped like an identity number
    /// (`privacy.identity_number`). The code is kept as given (no trimming: `0301` and ` 0301`
    /// are different recordings).
    pub fn new(system: impl Into<String>, code: impl Into<String>) -> Result<Self, Finding> {
        let (system, code) = (system.into(), code.into());
        super::check_system_name(&system).map_err(|e| e.under("system"))?;
        super::check_code_text(&code).map_err(|e| e.under("code"))?;
        Ok(SourceCode { system, code })
    }

    /// The code system as recorded.
    pub fn system(&self) -> &str {
        &self.system
    }

    /// The code as recorded.
    pub fn code(&self) -> &str {
        &self.code
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSourceCode {
    system: String,
    code: String,
}

impl<'de> Deserialize<'de> for SourceCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawSourceCode::deserialize(deserializer)?;
        SourceCode::new(raw.system, raw.code).map_err(crate::json::de_error::<D::Error>)
    }
}

/// A coded value: the canonical value `code` (a domain enum of another crate), the code as the
/// source system recorded it, and the free text the code requires ("Annet (krever
/// presisering)"). Keeping the source next to the canonical value means a mapping loses
/// nothing.
///
/// JSON: `{"code": ..., "source": {"system": ..., "code": ...}, "text": ...}`; `source` and
/// `text` are left out when absent; unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Coded<T> {
    /// The canonical value.
    pub code: T,
    /// The system and code as recorded in the source, when the value came from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceCode>,
    /// Free text, where the code requires it (NO presisering, SE fritext).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl<T> Coded<T> {
    /// A canonical value with no source and no text.
    pub fn new(code: T) -> Self {
        Coded {
            code,
            source: None,
            text: None,
        }
    }

    /// The same value, recorded in the source as `code` of `system`. Fails when either is
    /// empty (`codelist.source_empty`).
    pub fn with_source(
        mut self,
        system: impl Into<String>,
        code: impl Into<String>,
    ) -> Result<Self, Finding> {
        self.source = Some(SourceCode::new(system, code).map_err(|e| e.under("source"))?);
        Ok(self)
    }

    /// The same value with free text.
    #[must_use]
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_code_parts_are_non_empty() {
        assert_eq!(
            SourceCode::new("", "1").unwrap_err().code,
            "codelist.source_empty"
        );
        let err = Coded::new(1).with_source("s", "").unwrap_err();
        assert_eq!(err.path, "source.code");
        let s = SourceCode::new("s", "0301").unwrap();
        assert_eq!((s.system(), s.code()), ("s", "0301"));
    }
}
