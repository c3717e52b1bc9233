// The checks of the `person_id` fuzz target, included (`include!`) by the target and by the
// corpus replay test of barnvern-core, so that both check the same things.

/// Parses `data` as an identity number, under each jurisdiction hint and with and without a
/// reference date. A number that parses must parse again from its canonical form to the same
/// value; a refusal's message and path hold nothing shaped like an identity number.
pub fn check_person_id(data: &[u8]) {
    use barnvern_core::identifier::looks_like_identity_number;
    use barnvern_core::{Jurisdiction, PersonId};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let reference = chrono::NaiveDate::from_ymd_opt(2026, 11, 26);
    for jurisdiction in [None, Some(Jurisdiction::Se), Some(Jurisdiction::No)] {
        for date in [None, reference] {
            match PersonId::parse(text, jurisdiction, date) {
                Ok(id) => {
                    let again = PersonId::parse(id.canonical(), Some(id.jurisdiction()), date)
                        .expect("a canonical number parses");
                    assert_eq!(id, again, "the canonical form parses to another number");
                    assert!(
                        !format!("{id:?}").contains(id.canonical()),
                        "Debug shows the digits"
                    );
                }
                Err(finding) => assert!(
                    !looks_like_identity_number(&finding.message)
                        && !looks_like_identity_number(&finding.path),
                    "a refusal shows an identity number: {finding}"
                ),
            }
        }
    }
}
