//! Who is asking, and what each role may do. Every call of the store takes an [`Actor`]; the
//! rules here are the only place where access is decided.

use barnvern_core::municipality::MunicipalityCode;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// A staff member's role towards the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Caseworker (SE socialsekreterare, NO saksbehandler): reads and changes the cases of the
    /// municipalities served.
    Caseworker,
    /// Team leader (SE enhetschef, NO leder): like a caseworker, for the municipalities served.
    TeamLeader,
    /// Auditor: reads the access log and verifies the chains; reads no case.
    Auditor,
    /// Data steward: runs pseudonymised research extracts; reads no case.
    DataSteward,
    /// The local administrator of a store (the command line without `--actor-file`): every
    /// operation, logged as such.
    LocalAdministrator,
}

impl Role {
    /// The snake_case name, as in JSON and in the access log.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Caseworker => "caseworker",
            Role::TeamLeader => "team_leader",
            Role::Auditor => "auditor",
            Role::DataSteward => "data_steward",
            Role::LocalAdministrator => "local_administrator",
        }
    }
}

/// Who calls the store: staff id, role, the municipalities served and the purpose of the
/// access. There is no way to read or write without one.
///
/// In JSON (`--actor-file`):
/// `{"staff_id": "s-1", "role": "caseworker", "municipalities": ["0301"], "purpose": "case work"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// The staff reference (no personal identity number).
    pub staff_id: String,
    /// The role.
    pub role: Role,
    /// The municipalities served (SE kommunkod, NO kommunenummer); cases elsewhere are "not
    /// found".
    #[serde(default)]
    pub municipalities: Vec<MunicipalityCode>,
    /// Why the access is made, recorded in the access log.
    pub purpose: String,
}

/// What an operation does, as recorded in the access log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Start a stream from an existing bundle.
    Import,
    /// Append events to a stream.
    Append,
    /// Read a case's current bundle.
    Read,
    /// Read a case's event history.
    History,
    /// Look a child up by identity number.
    Lookup,
    /// Query the deadline worklist.
    Worklist,
    /// Read the access log.
    ReadLog,
    /// Recompute every hash chain.
    Verify,
    /// Stream every current bundle out (identifying: administrator only).
    Export,
    /// Stream every current bundle into the pseudonymising research extract.
    Extract,
}

impl Action {
    /// The snake_case name, as in the access log.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Import => "import",
            Action::Append => "append",
            Action::Read => "read",
            Action::History => "history",
            Action::Lookup => "lookup",
            Action::Worklist => "worklist",
            Action::ReadLog => "read_log",
            Action::Verify => "verify",
            Action::Export => "export",
            Action::Extract => "extract",
        }
    }

    /// Whether the action touches one case (and so needs the case's municipality).
    pub(crate) fn is_case_action(self) -> bool {
        matches!(
            self,
            Action::Import | Action::Append | Action::Read | Action::History
        )
    }
}

impl Actor {
    /// The local administrator the command line acts as without `--actor-file`.
    pub fn local_administrator(purpose: impl Into<String>) -> Actor {
        Actor {
            staff_id: "local-administrator".to_owned(),
            role: Role::LocalAdministrator,
            municipalities: Vec::new(),
            purpose: purpose.into(),
        }
    }

    /// Reads an actor from JSON, checking it.
    pub fn from_json(text: &str) -> Result<Actor, StoreError> {
        let actor: Actor = serde_json::from_str(text).map_err(|e| StoreError::Invalid {
            code: "store.actor_invalid",
            message: format!(
                "the actor is not valid JSON of the form {{\"staff_id\", \"role\", \
                 \"municipalities\", \"purpose\"}}: {e}"
            ),
        })?;
        actor.check()?;
        Ok(actor)
    }

    /// Checks the actor: a staff id and a purpose are required; caseworkers and team leaders
    /// serve at least one municipality.
    pub fn check(&self) -> Result<(), StoreError> {
        let invalid = |message: &str| StoreError::Invalid {
            code: "store.actor_invalid",
            message: message.to_owned(),
        };
        if self.staff_id.trim().is_empty() || self.staff_id.len() > 128 {
            return Err(invalid("the actor needs a staff id of 1 to 128 characters"));
        }
        if self.purpose.trim().is_empty() {
            return Err(invalid(
                "the actor needs a purpose: every access is logged with why it was made",
            ));
        }
        if matches!(self.role, Role::Caseworker | Role::TeamLeader)
            && self.municipalities.is_empty()
        {
            return Err(invalid(
                "a caseworker or team leader must serve at least one municipality",
            ));
        }
        Ok(())
    }

    /// Whether the role may do `action` at all (before looking at any case).
    pub fn may(&self, action: Action) -> bool {
        match self.role {
            Role::LocalAdministrator => true,
            Role::Caseworker | Role::TeamLeader => matches!(
                action,
                Action::Import
                    | Action::Append
                    | Action::Read
                    | Action::History
                    | Action::Lookup
                    | Action::Worklist
            ),
            Role::Auditor => matches!(action, Action::ReadLog | Action::Verify),
            Role::DataSteward => matches!(action, Action::Extract),
        }
    }

    /// Whether the actor sees cases of `municipality` (administrators see all).
    pub fn serves(&self, municipality: &str) -> bool {
        self.role == Role::LocalAdministrator
            || self
                .municipalities
                .iter()
                .any(|m| m.as_str() == municipality)
    }
}
