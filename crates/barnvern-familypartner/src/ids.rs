//! Identifiers of the Family Partner records. A family is known by a pseudonymous reference,
//! never by an identity number; Family Partners are staff references
//! ([`barnvern_core::StaffRef`]).

use barnvern_core::macros::check_identifier;

barnvern_core::validated_string! {
    /// A family's pseudonymous reference in the trial (`"fam-07"`): not an identity number.
    pub struct FamilyRef; validate = check_identifier;
}

barnvern_core::validated_string! {
    /// Identifier of the trial (e.g. `"FAMPART-pilot"`; the registry number NCT04957394 may be used).
    pub struct TrialId; validate = check_identifier;
}

barnvern_core::validated_string! {
    /// Identifier of a contact between a Family Partner and a family.
    pub struct ContactId; validate = check_identifier;
}

barnvern_core::validated_string! {
    /// Identifier of a family goal.
    pub struct GoalId; validate = check_identifier;
}
