//! Faulty lines for testing pipelines: each kind is one thing a real export gets wrong, and each
//! must be rejected (quarantined) by a reader that validates.
//!
//! | kind | what the line holds | what a validating reader reports |
//! |---|---|---|
//! | `truncated_json` | the bundle cut off part-way (at a character boundary) | JSON syntax error (unexpected end) |
//! | `invalid_utf8` | the bundle with bytes that are not UTF-8 inside `case_id` | the line is not UTF-8 |
//! | `wrong_type` | `opened_on` as the number 20240131 instead of a date string | wrong JSON type at `opened_on` |
//! | `bad_check_digit` | the child's identity number with its last (check) digit changed | `id.se.check_digit` / `id.no.check_digit_2` at `child.identity` |
//! | `date_order` | a screening decided ten days before its referral was received (or, with no screening, a referral recorded the day before it was received) | `date.order` / `date.after_recorded` |
//! | `unknown_code` | the first referral's reporter source code replaced by one not in its code list | `codelist.unknown_code` |
//! | `duplicate_case_id` | a valid bundle that reuses the case id of an earlier valid line of the same jurisdiction | duplicate case id (a check across lines) |
//! | `missing_field` | the required `opened_on` removed | missing field `opened_on` |
//! | `unknown_schema_version` | `schema_version` `"9.9"` | unsupported schema version |
//!
//! A faulty line replaces the valid bundle of its child, so the file has one line per child
//! either way. Which lines are faulty and of which kind follows from the seed alone.

use std::fmt;

use barnvern_case::CaseData;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;
use crate::rng::{Draw, sub_days};

/// A kind of faulty line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The line is cut off part-way.
    TruncatedJson,
    /// The line holds bytes that are not UTF-8.
    InvalidUtf8,
    /// A field has the wrong JSON type (`opened_on` is a number).
    WrongType,
    /// The child's identity number fails its check digit.
    BadCheckDigit,
    /// Dates in an impossible order (a screening before its referral).
    DateOrder,
    /// A code that is not in its code list.
    UnknownCode,
    /// The case id of an earlier valid line of the same jurisdiction again.
    DuplicateCaseId,
    /// A required field is missing (`opened_on`).
    MissingField,
    /// A schema version this barnvern does not read.
    UnknownSchemaVersion,
}

impl FaultKind {
    /// Every kind, in a fixed order (the order the seed's draws index).
    pub const ALL: [FaultKind; 9] = [
        FaultKind::TruncatedJson,
        FaultKind::InvalidUtf8,
        FaultKind::WrongType,
        FaultKind::BadCheckDigit,
        FaultKind::DateOrder,
        FaultKind::UnknownCode,
        FaultKind::DuplicateCaseId,
        FaultKind::MissingField,
        FaultKind::UnknownSchemaVersion,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::TruncatedJson => "truncated_json",
            FaultKind::InvalidUtf8 => "invalid_utf8",
            FaultKind::WrongType => "wrong_type",
            FaultKind::BadCheckDigit => "bad_check_digit",
            FaultKind::DateOrder => "date_order",
            FaultKind::UnknownCode => "unknown_code",
            FaultKind::DuplicateCaseId => "duplicate_case_id",
            FaultKind::MissingField => "missing_field",
            FaultKind::UnknownSchemaVersion => "unknown_schema_version",
        }
    }

    /// The position in [`FaultKind::ALL`].
    pub fn index(self) -> usize {
        FaultKind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn to_line(value: &Value, out: &mut Vec<u8>) -> Result<(), Error> {
    out.clear();
    serde_json::to_writer(&mut *out, value).map_err(|e| Error::Data(e.to_string()))
}

/// Replaces `line` (the valid bundle of `case`, compact JSON without the newline) with a faulty
/// line of `kind`; returns the kind actually written (a duplicate id needs an earlier valid
/// line, and without one the line gets a missing field instead).
pub(crate) fn corrupt(
    kind: FaultKind,
    case: &CaseData,
    line: &mut Vec<u8>,
    draw: &mut Draw,
    earlier_id: Option<&str>,
) -> Result<FaultKind, Error> {
    match kind {
        FaultKind::TruncatedJson => {
            let len = u64::try_from(line.len()).unwrap_or(2);
            let mut cut =
                usize::try_from(draw.between(1, len.saturating_sub(2).max(1))).unwrap_or(1);
            // Cut at a character boundary, so the line is valid UTF-8 and only truncated.
            while cut > 1 && line.get(cut).is_some_and(|b| (b & 0xC0) == 0x80) {
                cut -= 1;
            }
            line.truncate(cut);
            Ok(kind)
        }
        FaultKind::InvalidUtf8 => {
            let key = b"\"case_id\":\"";
            let at = line
                .windows(key.len())
                .position(|w| w == key)
                .map_or(1, |p| p + key.len());
            // 0xC3 0x28 is a two-byte lead followed by a non-continuation byte; 0xFF never
            // occurs in UTF-8.
            line.splice(at..at, [0xC3, 0x28, 0xFF]);
            Ok(kind)
        }
        _ => {
            let mut v = serde_json::to_value(case).map_err(|e| Error::Data(e.to_string()))?;
            let kind = edit(kind, case, &mut v, draw, earlier_id);
            to_line(&v, line)?;
            Ok(kind)
        }
    }
}

fn edit(
    kind: FaultKind,
    case: &CaseData,
    v: &mut Value,
    draw: &mut Draw,
    earlier_id: Option<&str>,
) -> FaultKind {
    match kind {
        FaultKind::WrongType => {
            let n = case.opened_on.format("%Y%m%d").to_string();
            v["opened_on"] = Value::from(n.parse::<u64>().unwrap_or(20240131));
            kind
        }
        FaultKind::BadCheckDigit => {
            if let Some(Value::String(id)) = v.pointer_mut("/child/identity/national_id") {
                let last = id.pop().and_then(|c| c.to_digit(10)).unwrap_or(0);
                let step = 1 + u32::try_from(draw.below(9)).unwrap_or(0);
                id.push(char::from_digit((last + step) % 10, 10).unwrap_or('0'));
            }
            kind
        }
        FaultKind::DateOrder => {
            let screened = case.screenings.first().and_then(|s| {
                case.referrals
                    .iter()
                    .find(|r| r.id == s.referral_id)
                    .map(|r| r.received_on())
            });
            match screened {
                Some(received) => {
                    v["screenings"][0]["decided_on"] =
                        Value::from(sub_days(received, 10).to_string());
                }
                None => {
                    if let Some(r) = case.referrals.first() {
                        let before = r.received_at.to_utc() - chrono::Duration::days(1);
                        v["referrals"][0]["provenance"]["recorded_at"] =
                            Value::from(before.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
                    }
                }
            }
            kind
        }
        FaultKind::UnknownCode => {
            let code = match case.jurisdiction {
                barnvern_core::Jurisdiction::Se => "spakvinna",
                barnvern_core::Jurisdiction::No => "99",
            };
            v["referrals"][0]["reporter"]["source"]["code"] = Value::from(code);
            kind
        }
        FaultKind::DuplicateCaseId => match earlier_id {
            Some(id) => {
                v["case_id"] = Value::from(id);
                kind
            }
            None => edit(FaultKind::MissingField, case, v, draw, None),
        },
        FaultKind::MissingField => {
            if let Value::Object(map) = v {
                map.remove("opened_on");
            }
            FaultKind::MissingField
        }
        FaultKind::UnknownSchemaVersion => {
            v["schema_version"] = Value::from("9.9");
            kind
        }
        FaultKind::TruncatedJson | FaultKind::InvalidUtf8 => kind,
    }
}
