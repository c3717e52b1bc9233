//! Names of code systems and source systems: the pattern every name must match and the registry
//! of the systems barnvern knows. The names are copied into research extracts as they are, so a
//! name is refused unless it has the shape of a system name, and never holds anything shaped
//! like an identity number ([`crate::identifier::looks_like_identity_number`]).

use super::builtin;
use crate::Finding;
use crate::identifier::looks_like_identity_number;

/// The longest system name accepted, in characters.
pub const MAX_SYSTEM_CHARS: usize = 64;
/// The longest source code accepted, in characters.
pub const MAX_CODE_CHARS: usize = 32;

/// Code systems barnvern knows beside its built-in lists ([`builtin`]): the lists of the domain
/// crates (Swedish reporter categories and interventions) and KOSTRA's measures.
pub const KNOWN_CODE_SYSTEMS: &[&str] = &[
    "barnvern.se.anmalare",
    "barnvern.se.insats",
    "no.kostra.barnevern.tiltak",
];

/// Whether barnvern knows the code system `system` (a built-in list or
/// [`KNOWN_CODE_SYSTEMS`]).
pub fn is_known_code_system(system: &str) -> bool {
    builtin(system).is_some() || KNOWN_CODE_SYSTEMS.contains(&system)
}

/// Checks the shape of a system name (a code system such as `no.ssb.barnevern.melder`, or a
/// source system such as `modulus-barn`): lower-case ASCII letters and digits in parts joined
/// by `.`, `-` or `_`, starting with a letter, at most [`MAX_SYSTEM_CHARS`] characters, and
/// nothing shaped like an identity number. The message never repeats the name.
pub fn check_system_name(name: &str) -> Result<(), Finding> {
    if name.is_empty() {
        return Err(Finding::error(
            "",
            "codelist.source_empty",
            "the system name cannot be empty",
        ));
    }
    if looks_like_identity_number(name) {
        return Err(identity_finding("a system name"));
    }
    let bytes = name.as_bytes();
    let part = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let shaped = bytes.len() <= MAX_SYSTEM_CHARS
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|&b| part(b) || matches!(b, b'.' | b'-' | b'_'))
        && bytes.windows(2).all(|w| part(w[0]) || part(w[1]))
        && bytes.last().is_some_and(|&b| part(b));
    if !shaped {
        return Err(Finding::error(
            "",
            "codelist.system_pattern",
            format!(
                "a system name is lower-case letters and digits in parts joined by '.', '-' or '_', starting with a letter, at most {MAX_SYSTEM_CHARS} characters (like no.ssb.barnevern.melder)"
            ),
        ));
    }
    Ok(())
}

/// Checks a source code as recorded: at most [`MAX_CODE_CHARS`] characters, no control
/// characters, nothing shaped like an identity number. The message never repeats the code.
pub fn check_code_text(code: &str) -> Result<(), Finding> {
    if code.is_empty() {
        return Err(Finding::error(
            "",
            "codelist.source_empty",
            "the source code cannot be empty",
        ));
    }
    if looks_like_identity_number(code) {
        return Err(identity_finding("a source code"));
    }
    if code.chars().count() > MAX_CODE_CHARS || code.chars().any(char::is_control) {
        return Err(Finding::error(
            "",
            "codelist.code_pattern",
            format!(
                "a source code has at most {MAX_CODE_CHARS} characters and no control characters"
            ),
        ));
    }
    Ok(())
}

/// The finding for text shaped like an identity number where none may be.
pub fn identity_finding(what: &str) -> Finding {
    Finding::error(
        "",
        "privacy.identity_number",
        format!(
            "{what} cannot hold anything shaped like an identity number (it would be copied into research extracts)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_names_have_one_shape() {
        for ok in [
            "no.ssb.barnevern.melder",
            "modulus-barn",
            "s",
            "ssb-xml",
            "a_b.c2",
        ] {
            assert!(check_system_name(ok).is_ok(), "{ok}");
        }
        for (bad, code) in [
            ("", "codelist.source_empty"),
            ("Treserva", "codelist.system_pattern"),
            ("my system", "codelist.system_pattern"),
            ("a..b", "codelist.system_pattern"),
            ("a.", "codelist.system_pattern"),
            ("1a", "codelist.system_pattern"),
            ("x189001019802", "privacy.identity_number"),
            ("sys-900101-9802", "privacy.identity_number"),
        ] {
            let err = check_system_name(bad).unwrap_err();
            assert_eq!(err.code, code, "{bad}");
            assert!(bad.is_empty() || !err.message.contains(bad));
        }
        assert!(check_system_name(&"a".repeat(65)).is_err());
    }

    #[test]
    fn codes_are_short_and_hold_no_identity_number() {
        assert!(check_code_text("3.7").is_ok());
        assert!(check_code_text(" 0301").is_ok());
        assert_eq!(
            check_code_text("200369 14700").unwrap_err().code,
            "privacy.identity_number"
        );
        assert!(check_code_text(&"1".repeat(9).repeat(4)).is_err());
        assert!(check_code_text("a\nb").is_err());
    }

    #[test]
    fn the_registry_knows_the_built_in_and_domain_systems() {
        assert!(is_known_code_system("no.ssb.barnevern.melder"));
        assert!(is_known_code_system("barnvern.se.insats"));
        assert!(!is_known_code_system("my.local.system"));
        for system in KNOWN_CODE_SYSTEMS {
            assert!(check_system_name(system).is_ok());
        }
        for system in super::super::builtin_systems() {
            assert!(check_system_name(system).is_ok(), "{system}");
        }
    }
}
