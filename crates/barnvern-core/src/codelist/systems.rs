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
    // One pass: the shape, and the digits (fewer than an identity number has, and the
    // detector has nothing to look at). A separator must follow a letter or digit, so none
    // starts or doubles; the name starts with a letter and ends with a letter or digit.
    let bytes = name.as_bytes();
    let mut digits = 0;
    let mut after_part = false;
    let mut shaped = bytes.len() <= MAX_SYSTEM_CHARS && bytes[0].is_ascii_lowercase();
    for &b in bytes {
        if b.is_ascii_lowercase() {
            after_part = true;
        } else if b.is_ascii_digit() {
            digits += 1;
            after_part = true;
        } else if matches!(b, b'.' | b'-' | b'_') && after_part {
            after_part = false;
        } else {
            shaped = false;
        }
    }
    shaped &= after_part;
    if digits >= crate::identifier::IDENTITY_MIN_DIGITS && looks_like_identity_number(name) {
        return Err(identity_finding("a system name"));
    }
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

    /// The rule as it reads in its documentation, one condition at a time.
    fn shaped_as_documented(name: &str) -> bool {
        let b = name.as_bytes();
        let part = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        !b.is_empty()
            && b.len() <= MAX_SYSTEM_CHARS
            && b[0].is_ascii_lowercase()
            && b.iter()
                .all(|&c| part(c) || matches!(c, b'.' | b'-' | b'_'))
            && b.windows(2).all(|w| part(w[0]) || part(w[1]))
            && b.last().is_some_and(|&c| part(c))
    }

    #[test]
    fn the_one_pass_check_accepts_exactly_the_documented_shape() {
        let alphabet = ["a", "z", "0", "9", ".", "-", "_", "A", " ", "é"];
        let mut names = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = names
                .iter()
                .flat_map(|n| alphabet.iter().map(move |c| format!("{n}{c}")))
                .collect();
            names.extend(longer);
        }
        names.sort();
        names.dedup();
        let mut accepted = 0;
        for name in &names {
            let ok = check_system_name(name).is_ok();
            assert_eq!(ok, shaped_as_documented(name), "{name:?}");
            accepted += usize::from(ok);
        }
        assert!(accepted > 100, "{accepted}");
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
