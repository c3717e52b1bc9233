//! Text shaped like an identity number, whatever its check digits say: the one detector that
//! keeps identity numbers out of research columns and out of messages.
//!
//! A Swedish personnummer or samordningsnummer is written with 10 or 12 digits (`YYMMDD-NNNC`,
//! `YYMMDD+NNNC`, `YYYYMMDDNNNC`, ...), a Norwegian fødselsnummer, D- or H-number with 11
//! (`DDMMYYIIIKK`, `DDMMYY IIIKK`), and people type them with spaces, hyphens or dots between
//! the groups. The detector takes each run of ASCII digits whose groups are joined by up to
//! three of `-`, `+`, `.` and space, and looks at each stretch of 10, 11 or 12 digits that
//! starts where a group starts and ends where one ends (or inside its own group): when it begins
//! with a date part as identity numbers do (SE `YYMMDD` or
//! `YYYYMMDD`, day + 60 and month or day 00 allowed; NO `DDMMYY`, day + 40, month + 40 or + 80),
//! the whole run is taken for an identity number. Check digits are ignored on purpose (a
//! mistyped number is personal data all the same); the date part keeps case numbers such as
//! `SE-0180-2024-001234` from being taken for one.
//!
//! ```
//! use barnvern_core::identifier::{looks_like_identity_number, mask_identity_numbers};
//!
//! assert!(looks_like_identity_number("treserva 18900101-9802"));
//! assert!(looks_like_identity_number("200369 14700"));
//! assert!(!looks_like_identity_number("no.ssb.barnevern.melder 2.4.02"));
//! assert_eq!(mask_identity_numbers("id 900101-9802!"), "id ******-****!");
//! ```

use std::borrow::Cow;

/// The fewest digits a run needs to be taken for an identity number (a 10-digit personnummer).
pub const IDENTITY_MIN_DIGITS: usize = 10;

/// Most separator characters accepted between two groups of digits of one number.
const MAX_SEPARATORS: usize = 3;

fn is_separator(b: u8) -> bool {
    matches!(b, b'-' | b'+' | b'.' | b' ')
}

/// Two digits as a number.
fn two(d: &[u8]) -> u32 {
    u32::from(d[0]) * 10 + u32::from(d[1])
}

/// SE month and day (`MMDD`): month 00-12, day 00-31 or 60-91 (samordningsnummer).
fn se_month_day(d: &[u8]) -> bool {
    let (month, day) = (two(d), two(&d[2..]));
    month <= 12 && (day <= 31 || (60..=91).contains(&day))
}

/// Whether `digits` (each 0-9) begin as an identity number of their length does.
fn dated(digits: &[u8]) -> bool {
    match digits.len() {
        10 => se_month_day(&digits[2..6]),
        11 => {
            let (day, month) = (two(digits), two(&digits[2..]));
            ((1..=31).contains(&day) || (41..=71).contains(&day))
                && ((1..=12).contains(&month)
                    || (41..=52).contains(&month)
                    || (81..=92).contains(&month))
        }
        12 => (18..=20).contains(&two(digits)) && se_month_day(&digits[4..8]),
        _ => false,
    }
}

/// The byte ranges of every run of digits (groups joined by separators) that holds something
/// shaped like an identity number.
fn identity_runs(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    // Most texts checked (codes, names, references) hold fewer digits than any identity
    // number has: nothing to look for, and no run's digits to collect.
    if bytes.iter().filter(|b| b.is_ascii_digit()).count() < IDENTITY_MIN_DIGITS {
        return runs;
    }
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // One run: its digits, and where in them each group starts.
        let start = i;
        let mut digits: Vec<u8> = Vec::new();
        let mut group_starts = Vec::new();
        let mut j = i;
        let end = loop {
            group_starts.push(digits.len());
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                digits.push(bytes[j] - b'0');
                j += 1;
            }
            let group_end = j;
            let mut k = j;
            while k < bytes.len() && k - j < MAX_SEPARATORS && is_separator(bytes[k]) {
                k += 1;
            }
            if k > j && k < bytes.len() && bytes[k].is_ascii_digit() {
                j = k;
            } else {
                break group_end;
            }
        };
        // A candidate starts where a group starts and ends where a group ends, or inside the
        // group it started in (a long group of digits typed without separators).
        group_starts.push(digits.len());
        let flagged = digits.len() >= IDENTITY_MIN_DIGITS
            && group_starts.windows(2).any(|w| {
                let (g, group_end) = (w[0], w[1]);
                (10..=12).any(|n| {
                    let e = g + n;
                    e <= digits.len()
                        && (e <= group_end || group_starts.contains(&e))
                        && dated(&digits[g..e])
                })
            });
        if flagged {
            runs.push((start, end));
        }
        i = end.max(i + 1);
    }
    runs
}

/// Whether `text` holds anything shaped like a Swedish or Norwegian identity number (see the
/// module documentation).
pub fn looks_like_identity_number(text: &str) -> bool {
    !identity_runs(text).is_empty()
}

/// `text` with the digits of everything shaped like an identity number replaced by `*`
/// (separators kept, so the shape still shows); borrowed when there is nothing to mask.
pub fn mask_identity_numbers(text: &str) -> Cow<'_, str> {
    let runs = identity_runs(text);
    if runs.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end) in runs {
        out.push_str(&text[last..start]);
        out.extend(
            text[start..end]
                .chars()
                .map(|c| if c.is_ascii_digit() { '*' } else { c }),
        );
        last = end;
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// The most characters of a value a message shows.
pub const ECHO_MAX_CHARS: usize = 24;

/// A value as a message may show it, quoted: only when it is short (at most
/// [`ECHO_MAX_CHARS`] characters), printable and shaped like a code (letters, digits and
/// `. _ - : /`, no identity number); otherwise a description that shows none of it (`a value
/// of 40 characters`). Use it for anything read from input that a message would repeat: a
/// code not in its list, a version, a name. References (ids) are never echoed at all.
pub fn echo(value: &str) -> String {
    let chars = value.chars().count();
    let code_like = value
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '/'));
    if chars == 0 {
        "an empty value".to_owned()
    } else if chars <= ECHO_MAX_CHARS && code_like && !looks_like_identity_number(value) {
        format!("{value:?}")
    } else if looks_like_identity_number(value) {
        "a value shaped like an identity number".to_owned()
    } else {
        format!(
            "a value of {chars} character{}",
            if chars == 1 { "" } else { "s" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every written form of public test numbers (shared/testdata): Skatteverket's test
    /// personnummer 189001019802 and Skatteetaten's 20036914700.
    #[test]
    fn every_written_form_is_caught() {
        for text in [
            "189001019802",
            "18900101-9802",
            "900101-9802",
            "900101+9802",
            "9001019802",
            "900101 9802",
            "18 90 01 01 9802",
            "20036914700",
            "200369 14700",
            "20.03.69 147 00",
            "system-189001019802",
            "x900101-9802y",
            "189001019802-1",
            "1890010198021",
        ] {
            assert!(looks_like_identity_number(text), "{text}");
            let masked = mask_identity_numbers(text);
            assert!(!looks_like_identity_number(&masked), "{text} -> {masked}");
            assert_eq!(masked.chars().count(), text.chars().count());
        }
    }

    #[test]
    fn codes_dates_and_short_numbers_pass() {
        for text in [
            "no.ssb.barnevern.melder",
            "2.4.02",
            "0301",
            "2024-06-01",
            "2024-06-01T10:00:00Z",
            "NCT04957394",
            "123456789",
            "12345-6789",
            "SE-0180-2024-001234",
            "NO-4601-2024-000871",
            "2024-01-01 10:00:00",
            "SoL 2001:453 11 kap. 1 a §",
            "",
        ] {
            assert!(!looks_like_identity_number(text), "{text}");
            assert_eq!(mask_identity_numbers(text), text);
        }
    }

    #[test]
    fn echo_shows_only_short_codes() {
        assert_eq!(echo("99"), "\"99\"");
        assert_eq!(echo("2.4.02"), "\"2.4.02\"");
        assert_eq!(
            echo("189001019802"),
            "a value shaped like an identity number"
        );
        assert_eq!(
            echo(&"x".repeat(1_000_000)),
            "a value of 1000000 characters"
        );
        assert_eq!(echo("Anna Svensson"), "a value of 13 characters");
        assert_eq!(echo(""), "an empty value");
    }
}
