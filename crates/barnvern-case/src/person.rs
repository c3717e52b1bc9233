//! The child a case belongs to and the people around the child.

use barnvern_core::{PersonIdentity, Sex};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::PersonRef;

/// The child the case belongs to (SE barnet, NO barnet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Child {
    /// National identity number, or unregistered (unborn, no number yet).
    pub identity: PersonIdentity,
    /// Sex as recorded, where the case system records it (the number may not encode it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
}

/// A person's role in the child's household or family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdRole {
    /// Legal guardian (SE vårdnadshavare, NO den som har foreldreansvar) who is not a parent.
    Guardian,
    /// Parent (SE förälder, NO forelder).
    Parent,
    /// Partner of a parent (step-parent; SE styvförälder, NO steforelder).
    PartnerOfParent,
    /// Sibling or half-sibling (SE syskon, NO søsken).
    Sibling,
    /// Anyone else in the household or family.
    Other,
}

/// Yes, no, or not known (yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Involvement {
    /// Known to be so.
    Yes,
    /// Known not to be so.
    No,
    /// Not known.
    #[default]
    Unknown,
}

impl Involvement {
    fn is_unknown(&self) -> bool {
        *self == Involvement::Unknown
    }
}

/// A carer or other household member, with the role they play for the child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdMember {
    /// This person's reference inside the bundle (used by violence exposures and meetings).
    pub person_ref: PersonRef,
    /// Identity, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<PersonIdentity>,
    /// Role for the child.
    pub role: HouseholdRole,
    /// Whether the person has custody (SE vårdnad, NO foreldreansvar).
    #[serde(default, skip_serializing_if = "Involvement::is_unknown")]
    pub has_custody: Involvement,
    /// Whether the person is a perpetrator of violence against the child or in the household.
    #[serde(default, skip_serializing_if = "Involvement::is_unknown")]
    pub perpetrator: Involvement,
    /// Whether the person is a protective carer (SE skyddande förälder).
    #[serde(default, skip_serializing_if = "Involvement::is_unknown")]
    pub protective: Involvement,
}
