//! The message body as the published schemas describe it, field by field, in the schemas'
//! Norwegian names. Built only by [`crate::parse`], which checks every rule first; serialised
//! back to the same JSON form (fields the schema does not name are not kept).
//!
//! Optional fields are `None` when absent and `Some("")` when sent empty, so the body
//! re-serialises as it came. `fnr` is held as a [`PersonId`], whose `Debug` never shows the
//! digits; it is written back in canonical form (11 digits), or `""` when the message had none.

use barnvern_core::PersonId;
use serde::{Serialize, Serializer};

/// An address (schema `adresse.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Adresse {
    /// First address line (required).
    pub adresselinje1: String,
    /// Second address line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adresselinje2: Option<String>,
    /// Third address line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adresselinje3: Option<String>,
    /// Postcode (postnummer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postnummer: Option<String>,
    /// Post town (poststed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poststed: Option<String>,
}

/// The reporter's organisation (virksomhet) in a public report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Virksomhet {
    /// Name of the organisation (a school, kindergarten, health clinic, police district...).
    pub navn: String,
    /// Organisation number (organisasjonsnummer), as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orgnr: Option<String>,
    /// Address.
    pub adresse: Adresse,
}

/// The reporter of a public report (offentlig melder): a public employee.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OffentligMelder {
    /// Name.
    pub personnavn: String,
    /// Role, free text (`Lærer`, `Helsesykepleier`).
    pub rolle: String,
    /// Telephone number.
    pub telefonnummer: String,
    /// E-mail address.
    pub epost: String,
    /// The organisation the reporter works for.
    pub virksomhet: Virksomhet,
}

/// A child in a public report (offentlig barn).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OffentligBarn {
    /// Identity number (fødselsnummer, D-number); `None` when sent empty (an unborn child, or a
    /// child whose number the reporter does not know).
    #[serde(serialize_with = "fnr_out")]
    pub fnr: Option<PersonId>,
    /// Whether the child is unborn (ufødt).
    pub ufoedt: bool,
    /// Name.
    pub personnavn: String,
    /// Telephone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub telefonnummer: Option<String>,
    /// Address.
    pub adresse: Adresse,
    /// Whether the child has been told about the report (orientert).
    pub orientert: bool,
    /// Why not, where the child has not been told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orientert_grunn: Option<String>,
}

fn fnr_out<S: Serializer>(fnr: &Option<PersonId>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(fnr.as_ref().map_or("", PersonId::canonical))
}

/// A guardian in a public report (foresatt).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Foresatt {
    /// Name.
    pub personnavn: String,
    /// Telephone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub telefonnummer: Option<String>,
    /// Whether the guardian has been told about the report.
    pub orientert: bool,
    /// Why not, where the guardian has not been told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orientert_grunn: Option<String>,
}

/// The text of a public report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OffentligTekst {
    /// The concern (melding).
    pub melding: String,
    /// The background (historie).
    pub historie: String,
    /// Other views (andre synspunkter); v2 only, `None` in v1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub andre_synspunkter: Option<String>,
}

/// A public report (schemas `offentlig.bekymringsmelding.v1.json` and `.v2.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Offentlig {
    /// Municipality number (kommunenummer), four digits, as sent.
    pub kommunenummer: String,
    /// Municipality name, as sent.
    pub kommunenavn: String,
    /// City district number (bydelsnummer), two digits; `"00"` where there is none.
    pub bydelsnummer: String,
    /// City district name.
    pub bydelsnavn: String,
    /// The reporter.
    pub offentlig_melder: OffentligMelder,
    /// The children (at least one).
    pub offentlig_barn: Vec<OffentligBarn>,
    /// The guardians (one or two).
    pub foresatte: Vec<Foresatt>,
    /// Whether an interpreter is needed, free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub behov_for_tolk: Option<String>,
    /// Other agencies involved, free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub andre_hjelpeinstanser: Option<String>,
    /// The report's text.
    pub melding: OffentligTekst,
    /// Sending time as sent: Norwegian local time, normally without an offset.
    pub sendingstidspunkt: String,
    /// Delivery channel (leveringskanal).
    pub leveringskanal: String,
}

/// The reporter of a private report (privat melder).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivatMelder {
    /// Name.
    pub personnavn: String,
    /// Telephone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub telefonnummer: Option<String>,
    /// Address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adresse: Option<Adresse>,
}

/// A child in a private report (privat barn): no identity number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivatBarn {
    /// Name.
    pub personnavn: String,
    /// Assumed age (antatt alder), free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub antatt_alder: Option<String>,
    /// The reporter's relation to the child, free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relasjon: Option<String>,
    /// Address.
    pub adresse: Adresse,
}

/// A private report (schemas `privat.bekymringsmelding.v1.json` and `.v2.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Privat {
    /// Municipality number (kommunenummer), four digits, as sent.
    pub kommunenummer: String,
    /// Municipality name, as sent.
    pub kommunenavn: String,
    /// City district number (bydelsnummer), two digits; `"00"` where there is none.
    pub bydelsnummer: String,
    /// City district name.
    pub bydelsnavn: String,
    /// The reporter.
    pub privat_melder: PrivatMelder,
    /// The children (at least one: see [`crate::parse`]).
    pub privat_barn: Vec<PrivatBarn>,
    /// The report's text.
    pub melding: String,
    /// Sending time as sent: Norwegian local time, normally without an offset.
    pub sendingstidspunkt: String,
    /// Delivery channel (leveringskanal).
    pub leveringskanal: String,
}

/// A message body: a public or a private report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Body {
    /// From a public employee.
    Offentlig(Box<Offentlig>),
    /// From a private person.
    Privat(Box<Privat>),
}

impl Body {
    /// Municipality number as sent.
    pub fn kommunenummer(&self) -> &str {
        match self {
            Body::Offentlig(b) => &b.kommunenummer,
            Body::Privat(b) => &b.kommunenummer,
        }
    }

    /// City district number as sent.
    pub fn bydelsnummer(&self) -> &str {
        match self {
            Body::Offentlig(b) => &b.bydelsnummer,
            Body::Privat(b) => &b.bydelsnummer,
        }
    }

    /// Sending time as sent.
    pub fn sendingstidspunkt(&self) -> &str {
        match self {
            Body::Offentlig(b) => &b.sendingstidspunkt,
            Body::Privat(b) => &b.sendingstidspunkt,
        }
    }
}
