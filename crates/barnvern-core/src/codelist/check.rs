//! Checks of recorded codes against the code lists and the canonical concepts they map to,
//! shared by every domain crate.

use std::fmt;

use chrono::NaiveDate;

use super::{Coded, SourceCode, builtin};
use crate::Finding;

/// Checks a code as recorded against its built-in code list, where barnvern ships one: an
/// unknown code is an error, a code not in force on `on` a warning (data recorded under an
/// older list). A system barnvern does not know at all ([`super::is_known_code_system`]) is a
/// warning (`codelist.unknown_system`); its codes are kept as recorded and not checked.
/// `path` is the path of the [`SourceCode`].
pub fn check_source_code<P: fmt::Display + ?Sized>(
    path: &P,
    source: &SourceCode,
    on: NaiveDate,
) -> Vec<Finding> {
    let Some(list) = builtin(source.system()) else {
        if super::is_known_code_system(source.system()) {
            return Vec::new();
        }
        return vec![Finding::warning(
            format!("{path}.system"),
            "codelist.unknown_system",
            "the code system is not one barnvern knows (a built-in list or a list of the domain crates); its codes are kept as recorded and not checked",
        )];
    };
    match list.check(source.code(), Some(on)) {
        Ok(_) => Vec::new(),
        Err(finding) if finding.code == "codelist.not_in_force" => {
            vec![Finding::warning(
                format!("{path}.code"),
                finding.code,
                finding.message,
            )]
        }
        Err(finding) => vec![Finding::error(
            format!("{path}.code"),
            finding.code,
            finding.message,
        )],
    }
}

/// Checks a coded value: its source code against the built-in list (as
/// [`check_source_code`]), and that the canonical `code` is the concept the source code maps
/// to. `map(system, code)` is `None` for a system with no mapping, `Some(None)` for a code the
/// system does not have, `Some(Some(concept))` otherwise. `path` is the path of the coded value.
pub fn check_coded<T: PartialEq, P: fmt::Display + ?Sized>(
    path: &P,
    coded: &Coded<T>,
    map: impl Fn(&str, &str) -> Option<Option<T>>,
    on: NaiveDate,
) -> Vec<Finding> {
    let Some(source) = &coded.source else {
        return Vec::new();
    };
    let mut out = check_source_code(&format_args!("{path}.source"), source, on);
    let listed_unknown = out.iter().any(|i| i.code == "codelist.unknown_code");
    match map(source.system(), source.code()) {
        Some(None) if !listed_unknown => out.push(Finding::error(
            format!("{path}.source.code"),
            "codelist.unknown_code",
            format!(
                "{} is not a code of {}",
                crate::identifier::echo(source.code()),
                source.system()
            ),
        )),
        Some(Some(mapped)) if mapped != coded.code => out.push(Finding::error(
            format!("{path}.code"),
            "codelist.mapping_mismatch",
            format!(
                "the canonical code does not match what {} code {} maps to",
                source.system(),
                crate::identifier::echo(source.code())
            ),
        )),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn map(system: &str, code: &str) -> Option<Option<u8>> {
        (system == "no.ssb.barnevern.melder").then(|| code.parse().ok())
    }

    #[test]
    fn unknown_codes_mismatches_and_old_codes() {
        let ok = Coded::new(9u8)
            .with_source("no.ssb.barnevern.melder", "9")
            .unwrap();
        assert!(check_coded("r", &ok, map, d(2024, 1, 1)).is_empty());
        let wrong = Coded::new(8u8)
            .with_source("no.ssb.barnevern.melder", "9")
            .unwrap();
        assert_eq!(
            check_coded("r", &wrong, map, d(2024, 1, 1))[0].code,
            "codelist.mapping_mismatch"
        );
        let unknown = Coded::new(99u8)
            .with_source("no.ssb.barnevern.melder", "99")
            .unwrap();
        let found = check_coded("r", &unknown, map, d(2024, 1, 1));
        assert_eq!(
            found.len(),
            1,
            "an unknown code is reported once: {found:?}"
        );
        assert_eq!(
            (found[0].path.as_str(), found[0].code.as_str()),
            ("r.source.code", "codelist.unknown_code")
        );
        let old = Coded::new(15u8)
            .with_source("no.ssb.barnevern.melder", "15")
            .unwrap();
        assert_eq!(
            check_coded("r", &old, map, d(2025, 6, 1))[0].severity,
            crate::Severity::Warning
        );
        let local = SourceCode::new("local.system", "x").unwrap();
        let found = check_source_code("s", &local, d(2025, 6, 1));
        assert_eq!(
            (found[0].code.as_str(), found[0].severity),
            ("codelist.unknown_system", crate::Severity::Warning)
        );
        let known = SourceCode::new("barnvern.se.insats", "x").unwrap();
        assert!(check_source_code("s", &known, d(2025, 6, 1)).is_empty());
    }
}
