//! Personal identity numbers: Swedish personnummer and samordningsnummer, Norwegian
//! fødselsnummer, D-numbers and H-numbers, and unregistered persons.
//!
//! Identity numbers are personal data: `Debug` never shows the digits, error messages never
//! repeat them, and research row types cannot hold a [`PersonId`] at all.
//!
//! TODO(helper): implementation in se.rs and no.rs.

use std::fmt;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::macros::check_identifier;
use crate::{Issue, Jurisdiction};

mod no;
mod se;

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
    pub fn parse(
        text: &str,
        jurisdiction: Option<Jurisdiction>,
        reference_date: Option<NaiveDate>,
    ) -> Result<PersonId, Issue> {
        let _ = (text, jurisdiction, reference_date);
        todo!()
    }

    /// The canonical digits.
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

    /// Whether the number is a synthetic test number.
    pub fn is_synthetic(&self) -> bool {
        self.synthetic
    }

    /// The birth date, where every part is known.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.birth_year?, self.birth_month?, self.birth_day?)
    }

    /// The birth year, where known.
    pub fn birth_year(&self) -> Option<i32> {
        self.birth_year
    }

    /// The birth month, where known.
    pub fn birth_month(&self) -> Option<u32> {
        self.birth_month
    }

    /// Sex, where the number still encodes it.
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
