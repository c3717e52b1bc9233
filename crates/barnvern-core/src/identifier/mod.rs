//! Personal identity numbers: Swedish personnummer and samordningsnummer, Norwegian
//! fødselsnummer, D-numbers and H-numbers, and unregistered persons.
//!
//! Identity numbers are personal data: `Debug` never shows the digits, error messages never
//! repeat them, and research row types cannot hold a [`PersonId`] at all.

use std::fmt;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::macros::check_identifier;
use crate::{Finding, Jurisdiction};

mod no;
mod se;
mod shape;

pub use shape::{
    ECHO_MAX_CHARS, IDENTITY_MIN_DIGITS, echo, looks_like_identity_number, mask_identity_numbers,
};

/// The kind of an identity number.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PersonIdKind {
    /// SE personnummer.
    Personnummer,
    /// SE samordningsnummer (coordination number; day + 60).
    Samordningsnummer,
    /// NO fødselsnummer.
    Fodselsnummer,
    /// NO D-nummer (day + 40).
    DNumber,
    /// NO H-nummer (month + 40).
    HNumber,
}

impl PersonIdKind {
    /// The snake_case name (`"personnummer"`, `"d_number"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            PersonIdKind::Personnummer => "personnummer",
            PersonIdKind::Samordningsnummer => "samordningsnummer",
            PersonIdKind::Fodselsnummer => "fodselsnummer",
            PersonIdKind::DNumber => "d_number",
            PersonIdKind::HNumber => "h_number",
        }
    }
}

/// Legal sex as encoded in an identity number.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

/// A validated personal identity number, stored in canonical form (12 digits for Sweden,
/// 11 for Norway).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonId {
    canonical: String,
    jurisdiction: Jurisdiction,
    kind: PersonIdKind,
    synthetic: bool,
    birth_year: Option<i32>,
    birth_month: Option<u32>,
    birth_day: Option<u32>,
    sex: Option<Sex>,
}

impl PersonId {
    /// Parses an identity number in any common written form.
    ///
    /// Surrounding white space is ignored; nothing else is. Accepted forms:
    ///
    /// - Sweden (personnummer, samordningsnummer): `YYYYMMDDNNNC`, `YYYYMMDD-NNNC`, and the
    ///   ten-digit `YYMMDD-NNNC`, `YYMMDD+NNNC` (`+`: 100 or older) and `YYMMDDNNNC` (read like
    ///   `-`). The ten-digit forms need `reference_date` to fix the century: the birth year is
    ///   the latest year with those two digits such that the person is born on or before the
    ///   reference date, and `+` moves it 100 years back.
    /// - Norway (fødselsnummer, D-nummer, H-nummer, synthetic test numbers): `DDMMYYIIIKK` or
    ///   `DDMMYY IIIKK`. `reference_date` is not used.
    ///
    /// Without `jurisdiction`, 10 and 12 digits are Swedish and 11 digits Norwegian. With one,
    /// only that country's forms are accepted (`id.jurisdiction_mismatch` otherwise).
    ///
    /// Every rejection is an [`Finding`] whose code names the rule (`id.format`,
    /// `id.se.check_digit`, `id.se.serial_zero`, `id.se.date`, `id.se.needs_reference_date`,
    /// `id.se.plus_with_full_year`, `id.no.check_digit_1`, `id.no.check_digit_2`, `id.no.date`,
    /// `id.jurisdiction_mismatch`) and whose message never repeats the digits.
    ///
    /// ```
    /// use barnvern_core::{Jurisdiction, PersonId, PersonIdKind};
    /// use chrono::NaiveDate;
    ///
    /// // Skatteverket test number, written in the ten-digit form on 1 June 2024.
    /// let on = NaiveDate::from_ymd_opt(2024, 6, 1);
    /// let pid = PersonId::parse("900101+9802", None, on).unwrap();
    /// assert_eq!(pid.canonical(), "189001019802");
    /// assert_eq!(pid.kind(), PersonIdKind::Personnummer);
    ///
    /// let err = PersonId::parse("900101-9802", None, None).unwrap_err();
    /// assert_eq!(err.code, "id.se.needs_reference_date");
    ///
    /// // Skatteetaten's synthetic test number (month + 80).
    /// let pid = PersonId::parse("03851598730", Some(Jurisdiction::No), None).unwrap();
    /// assert!(pid.is_synthetic());
    /// assert_eq!(pid.birth_year(), Some(2015));
    /// ```
    pub fn parse(
        text: &str,
        jurisdiction: Option<Jurisdiction>,
        reference_date: Option<NaiveDate>,
    ) -> Result<PersonId, Finding> {
        let form = Form::of(text.trim()).ok_or_else(|| format_finding(jurisdiction))?;
        match (form, jurisdiction) {
            (Form::SeFull(_, _) | Form::SeShort(_, _), Some(Jurisdiction::No)) => {
                Err(mismatch_finding(
                    "10 or 12 digits is the form of a Swedish personnummer, but jurisdiction NO \
                     was given (a Norwegian number has 11 digits: DDMMYYIIIKK)",
                ))
            }
            (Form::No(_), Some(Jurisdiction::Se)) => Err(mismatch_finding(
                "11 digits is the form of a Norwegian fødselsnummer, but jurisdiction SE was \
                 given (a Swedish number has 12 digits, YYYYMMDDNNNC, or 10, YYMMDD-NNNC)",
            )),
            (Form::SeFull(_, true), _) => Err(Finding::error(
                "",
                "id.se.plus_with_full_year",
                "the separator '+' (100 or older) belongs only to the ten-digit form YYMMDD+NNNC; \
                 the twelve-digit form already states the century (write YYYYMMDDNNNC or \
                 YYYYMMDD-NNNC)",
            )),
            (Form::SeFull(digits, false), _) => se::parse_full(&digits),
            (Form::SeShort(digits, separator), _) => {
                se::parse_short(&digits, separator, reference_date)
            }
            (Form::No(digits), _) => no::parse(&digits),
        }
    }

    /// The canonical digits: 12 for Sweden (`YYYYMMDDNNNC`), 11 for Norway (`DDMMYYIIIKK`).
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The issuing country.
    pub fn jurisdiction(&self) -> Jurisdiction {
        self.jurisdiction
    }

    /// The kind of number.
    pub fn kind(&self) -> PersonIdKind {
        self.kind
    }

    /// Whether the number is a synthetic test number: Norwegian Tenor numbers (month + 80).
    /// Always false for Swedish numbers, whose test numbers (Skatteverket's testpersonnummer)
    /// are not marked in the number itself.
    pub fn is_synthetic(&self) -> bool {
        self.synthetic
    }

    /// The birth date, where every part is known: year (century included), month and day.
    ///
    /// This is the date written in the number, which is not always the real birth date (SE:
    /// Skatteverket may use a nearby day when a day runs out of serial numbers; NO: likewise for
    /// D-numbers and H-numbers). Never treat it as exact; take the birth date from the
    /// population register (SE folkbokföringen, NO folkeregisteret) where it matters.
    ///
    /// `None` for a samordningsnummer with month 00, day 60 or a day the month lacks, and for a
    /// Norwegian number that does not encode its century (K1 under the 2032 rule, D-numbers).
    pub fn birth_date(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.birth_year?, self.birth_month?, self.birth_day?)
    }

    /// The birth year as written, where known. Always known for Swedish numbers (the canonical
    /// form has four year digits); `None` for Norwegian numbers that do not encode the century.
    pub fn birth_year(&self) -> Option<i32> {
        self.birth_year
    }

    /// The birth month as written (1-12), where known: `None` for a samordningsnummer with
    /// month 00.
    pub fn birth_month(&self) -> Option<u32> {
        self.birth_month
    }

    /// The birth day as written (1-31, offsets removed), where known: `None` for a
    /// samordningsnummer with day 60 (unknown) or with a day its month lacks (31 April).
    pub fn birth_day(&self) -> Option<u32> {
        self.birth_day
    }

    /// Legal sex (SE kön, NO kjønn), where the number still encodes it: the third serial digit
    /// (SE) or the third individual digit (NO), odd for male. `None` for Norwegian numbers
    /// issued under the 2032 rule and for D-numbers.
    pub fn sex(&self) -> Option<Sex> {
        self.sex
    }
}

impl fmt::Display for PersonId {
    /// The canonical digits. Only for records that are allowed to hold the number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

impl fmt::Debug for PersonId {
    /// Never shows the digits, so a `{:?}` in a log line cannot leak a number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PersonId({} {}, redacted)",
            self.jurisdiction,
            self.kind.as_str()
        )
    }
}

/// The written shape of an identity number, before any rule about its digits.
enum Form {
    /// `YYYYMMDDNNNC` or `YYYYMMDD-NNNC`; `true` when written with `+`.
    SeFull([u8; 12], bool),
    /// `YYMMDDNNNC`, `YYMMDD-NNNC` or `YYMMDD+NNNC`.
    SeShort([u8; 10], se::Separator),
    /// `DDMMYYIIIKK` or `DDMMYY IIIKK`.
    No([u8; 11]),
}

impl Form {
    /// The shape of `text` (already trimmed), or `None` for anything else.
    fn of(text: &str) -> Option<Form> {
        let bytes = text.as_bytes();
        let separator_at = bytes.iter().position(|b| !b.is_ascii_digit());
        let (digits, separator) = match separator_at {
            None => (digits_of(bytes)?, None),
            Some(at) => {
                let separator = bytes[at];
                let mut joined = bytes[..at].to_vec();
                joined.extend_from_slice(&bytes[at + 1..]);
                (digits_of(&joined)?, Some((at, separator)))
            }
        };
        match (digits.len(), separator) {
            (12, None) => Some(Form::SeFull(array(&digits)?, false)),
            (12, Some((8, b'-'))) => Some(Form::SeFull(array(&digits)?, false)),
            (12, Some((8, b'+'))) => Some(Form::SeFull(array(&digits)?, true)),
            (10, None) => Some(Form::SeShort(array(&digits)?, se::Separator::None)),
            (10, Some((6, b'-'))) => Some(Form::SeShort(array(&digits)?, se::Separator::Minus)),
            (10, Some((6, b'+'))) => Some(Form::SeShort(array(&digits)?, se::Separator::Plus)),
            (11, None) | (11, Some((6, b' '))) => Some(Form::No(array(&digits)?)),
            _ => None,
        }
    }
}

/// The values of `bytes` when all are ASCII digits.
fn digits_of(bytes: &[u8]) -> Option<Vec<u8>> {
    bytes
        .iter()
        .map(|b| b.is_ascii_digit().then(|| b - b'0'))
        .collect()
}

fn array<const N: usize>(digits: &[u8]) -> Option<[u8; N]> {
    digits.try_into().ok()
}

fn format_finding(jurisdiction: Option<Jurisdiction>) -> Finding {
    const SE: &str = "a Swedish personnummer or samordningsnummer (YYYYMMDDNNNC, YYYYMMDD-NNNC, \
                      YYMMDD-NNNC, YYMMDD+NNNC or YYMMDDNNNC)";
    const NO: &str = "a Norwegian fødselsnummer, D-number or H-number (DDMMYYIIIKK or \
                      DDMMYY IIIKK)";
    let expected = match jurisdiction {
        Some(Jurisdiction::Se) => SE.to_owned(),
        Some(Jurisdiction::No) => NO.to_owned(),
        None => format!("{SE} or {NO}"),
    };
    Finding::error(
        "",
        "id.format",
        format!(
            "not an identity number: expected {expected}; digits only, apart from the separator"
        ),
    )
}

fn mismatch_finding(message: &str) -> Finding {
    Finding::error("", "id.jurisdiction_mismatch", message)
}

impl Serialize for PersonId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.canonical)
    }
}

impl<'de> Deserialize<'de> for PersonId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PersonId::parse(&text, None, None).map_err(crate::json::de_error::<D::Error>)
    }
}

impl JsonSchema for PersonId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PersonId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Identity number in canonical form: 12 digits (SE personnummer or samordningsnummer, YYYYMMDDNNNC) or 11 digits (NO fødselsnummer, D- or H-number, DDMMYYIIIKK).",
            "pattern": "^([0-9]{12}|[0-9]{11})$"
        })
    }
}

crate::validated_string! {
    /// A local identifier for a person with no national identity number yet.
    pub struct LocalId; validate = check_identifier;
}

/// A person with no national identity number (yet): an unborn child, a newborn, a new arrival.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unregistered {
    /// The local identifier the case system uses.
    pub local_id: LocalId,
    /// The expected (or known) birth date, if any.
    #[serde(
        deserialize_with = "crate::rfc3339::de::date_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub expected_birth_date: Option<NaiveDate>,
}

/// How a person is identified: a national identity number, or unregistered.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PersonIdentity {
    /// A national identity number.
    NationalId(PersonId),
    /// No national identity number (yet).
    Unregistered(Unregistered),
}
