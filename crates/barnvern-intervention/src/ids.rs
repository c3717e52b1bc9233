//! Identifiers of the intervention records. Each is its own type, so a plan id cannot be passed
//! where an intervention id is wanted. Shared ids (`CaseId`, `DecisionId`, `PersonRef`) come
//! from [`barnvern_core::ids`].

use barnvern_core::macros::check_identifier;

barnvern_core::validated_string! {
    /// Identifier of an intervention episode (SE insats, NO tiltak) in the bundle.
    pub struct InterventionId; validate = check_identifier;
}

barnvern_core::validated_string! {
    /// Identifier of a plan (SE plan, NO plan) in the bundle.
    pub struct PlanId; validate = check_identifier;
}

barnvern_core::validated_string! {
    /// Identifier of a coordination meeting (SE samordningsmöte, NO samarbeidsmøte) in the bundle.
    pub struct MeetingId; validate = check_identifier;
}
