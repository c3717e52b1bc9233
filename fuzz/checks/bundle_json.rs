// The checks of the `bundle_json` fuzz target, included (`include!`) by the target and by the
// corpus replay test of barnvern-case, so that both check the same things.

/// Reads `data` as a case bundle. A bundle that parses must write back and parse to the same
/// case; a refusal must carry findings, and no message, path or error text may hold anything
/// shaped like an identity number (the input's or any other).
pub fn check_bundle_json(data: &[u8]) {
    use barnvern_core::identifier::looks_like_identity_number;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match barnvern_case::Case::from_json(text) {
        Ok(case) => {
            let json = case.to_json().expect("a parsed case writes back");
            let again = barnvern_case::Case::from_json(&json).expect("a written case reads back");
            assert_eq!(case, again, "the case changed in a JSON round trip");
        }
        Err(err) => {
            let shown = err.to_string();
            assert!(
                !looks_like_identity_number(&shown),
                "an error shows an identity number: {shown}"
            );
            if let barnvern_case::Error::Validation(v) = &err {
                assert!(!v.findings().is_empty(), "a refusal without findings");
                for finding in v.findings() {
                    assert!(
                        !looks_like_identity_number(&finding.message)
                            && !looks_like_identity_number(&finding.path),
                        "a finding shows an identity number: {finding}"
                    );
                }
            }
        }
    }
}
