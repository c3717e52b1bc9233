//! Provenance: who recorded a record, when, and in which system.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::macros::check_identifier;

crate::validated_string! {
    /// A reference to a staff member in the source system (never a name or an identity number).
    /// Pseudonymised in research extracts.
    pub struct StaffRef; validate = check_identifier;
}

crate::validated_string! {
    /// The system a record came from, e.g. `"procapita"`, `"modulus-barn"`, `"ssb-xml"`: the
    /// shape of a system name ([`crate::codelist::check_system_name`]), since it is copied
    /// into research extracts.
    pub struct SourceSystem; validate = crate::codelist::check_system_name;
}

/// The role of the person who recorded something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Caseworker (SE socialsekreterare, NO saksbehandler).
    Caseworker,
    /// Team leader or unit manager (SE enhetschef, NO leder).
    TeamLeader,
    /// Family Partner in the FAMPART programme.
    FamilyPartner,
    /// Researcher or research assistant.
    Researcher,
    /// Administrative staff.
    Administrator,
    /// An automated system (import, migration).
    System,
    /// Another role.
    Other,
}

/// Who recorded a record: role and staff reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recorder {
    /// The recorder's role.
    pub role: StaffRole,
    /// The recorder's staff reference.
    pub staff: StaffRef,
}

/// Provenance carried by every record and event: when, by whom, from which system.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// When it was recorded (UTC).
    #[serde(deserialize_with = "crate::rfc3339::de::timestamp_utc")]
    pub recorded_at: DateTime<Utc>,
    /// Who recorded it.
    pub recorded_by: Recorder,
    /// The system it was recorded in.
    pub source_system: SourceSystem,
}
