//! Identifiers of a case and of the records in it, shared by every domain crate. Each is its own type, so a referral id cannot
//! be passed where an investigation id is wanted.

use crate::macros::check_identifier;

crate::validated_string! {
    /// The case (SE ärende, NO sak) identifier in the source system. Pseudonymised in extracts.
    pub struct CaseId; validate = check_identifier;
}

crate::validated_string! {
    /// A person's reference inside one case bundle (`"mother"`, `"p2"`): not an identity number.
    pub struct PersonRef; validate = check_identifier;
}

crate::validated_string! {
    /// Identifier of a report of concern (SE orosanmälan, NO bekymringsmelding).
    pub struct ReferralId; validate = check_identifier;
}

crate::validated_string! {
    /// Identifier of a protection assessment (SE skyddsbedömning).
    pub struct AssessmentId; validate = check_identifier;
}

crate::validated_string! {
    /// Identifier of a screening (SE förhandsbedömning, NO gjennomgang av melding).
    pub struct ScreeningId; validate = check_identifier;
}

crate::validated_string! {
    /// Identifier of an investigation (SE utredning, NO undersøkelse).
    pub struct InvestigationId; validate = check_identifier;
}

crate::validated_string! {
    /// Identifier of a decision (SE beslut, NO vedtak).
    pub struct DecisionId; validate = check_identifier;
}

crate::validated_string! {
    /// Identifier of a follow-up (SE uppföljning, NO oppfølging).
    pub struct FollowUpId; validate = check_identifier;
}

crate::validated_string! {
    /// Identifier of a case sent to the county social welfare board (NO oversendelse til
    /// fylkesnemnda).
    pub struct BoardReferralId; validate = check_identifier;
}

crate::validated_string! {
    /// Identifier of a move of a placed child (NO flytting).
    pub struct MoveId; validate = check_identifier;
}
