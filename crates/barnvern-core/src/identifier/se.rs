//! Swedish personnummer and samordningsnummer (coordination number).
//!
//! The check digit is a Luhn digit over `YYMMDDNNN`: the century is not covered by it, which is
//! why a ten-digit number needs a reference date to be placed in time.
//!
//! A samordningsnummer adds 60 to the day. Its date part need not be a calendar date: month
//! `00` means an unknown month, day `60` an unknown day, and Skatteverket's own test numbers
//! include 31 April and 30 February. Those are accepted with the unknown parts left `None`.

use chrono::{Datelike, NaiveDate};

use super::{PersonId, PersonIdKind, Sex};
use crate::{Finding, Jurisdiction};

/// The separator written between date and serial in a ten-digit number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Separator {
    /// No separator: read like `-` (younger than 100).
    None,
    /// `-`: younger than 100 on the reference date.
    Minus,
    /// `+`: 100 or older on the reference date.
    Plus,
}

/// The Luhn check digit over nine digits `YYMMDDNNN` (weights 2,1,2,1,...).
pub(super) fn luhn_check_digit(nine: &[u8; 9]) -> u8 {
    let sum: u32 = nine
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let product = u32::from(d) * if i % 2 == 0 { 2 } else { 1 };
            if product > 9 { product - 9 } else { product }
        })
        .sum();
    // `sum % 10` is below 10, so the result is a single digit.
    ((10 - sum % 10) % 10) as u8
}

/// Parses the twelve-digit form `YYYYMMDDNNNC` (separator already removed).
pub(super) fn parse_full(d: &[u8; 12]) -> Result<PersonId, Finding> {
    let short = short_part(d);
    check_digits(&short)?;
    let year = number(&d[0..4]);
    build(year, &short)
}

/// Parses the ten-digit form `YYMMDDNNNC` with the separator written before the serial.
///
/// The century is that of the latest year ending in `YY` such that the person is born on or
/// before `reference_date`; `+` moves it 100 years further back.
pub(super) fn parse_short(
    d: &[u8; 10],
    separator: Separator,
    reference_date: Option<NaiveDate>,
) -> Result<PersonId, Finding> {
    check_digits(d)?;
    let Some(reference) = reference_date else {
        return Err(Finding::error(
            "",
            "id.se.needs_reference_date",
            "a ten-digit Swedish number (YYMMDD-NNNC) does not state the century: give a \
             reference date, or write the twelve-digit form YYYYMMDDNNNC",
        ));
    };
    let yy = number(&d[0..2]);
    let (month, day) = written_month_day(d);
    let mut year = reference.year() - (reference.year() - yy).rem_euclid(100);
    // Unknown parts (month 00, day 60) compare as 0: the earliest date they could stand for.
    if year == reference.year() && (month, day) > (reference.month(), reference.day()) {
        year -= 100;
    }
    if separator == Separator::Plus {
        year -= 100;
    }
    if !(0..=9999).contains(&year) {
        return Err(date_error());
    }
    build(year, d)
}

/// Digits 3 to 12 of the twelve-digit form: `YYMMDDNNNC`.
fn short_part(d: &[u8; 12]) -> [u8; 10] {
    let mut short = [0u8; 10];
    short.copy_from_slice(&d[2..12]);
    short
}

/// The check digit and the serial number, which do not depend on the century.
fn check_digits(d: &[u8; 10]) -> Result<(), Finding> {
    let mut nine = [0u8; 9];
    nine.copy_from_slice(&d[0..9]);
    if luhn_check_digit(&nine) != d[9] {
        return Err(Finding::error(
            "",
            "id.se.check_digit",
            "the check digit does not match (Luhn over YYMMDDNNN, the ten-digit form without \
             its last digit)",
        ));
    }
    if d[6..9] == [0, 0, 0] {
        return Err(Finding::error(
            "",
            "id.se.serial_zero",
            "the serial number (the three digits after the date) is 000, which is never issued",
        ));
    }
    Ok(())
}

/// Month and day as written, with the samordningsnummer offset removed (unknown parts are 0).
fn written_month_day(d: &[u8; 10]) -> (u32, u32) {
    let month = number(&d[2..4]) as u32;
    let day = number(&d[4..6]) as u32;
    (month, if day >= 60 { day - 60 } else { day })
}

fn date_error() -> Finding {
    Finding::error(
        "",
        "id.se.date",
        "the date part is not valid: a personnummer needs a calendar date (month 01-12, a day \
         the month has); a samordningsnummer needs month 00-12 and day 60-91 (day + 60)",
    )
}

/// Builds the value once the century is known and the check digit is right.
fn build(year: i32, d: &[u8; 10]) -> Result<PersonId, Finding> {
    let month = number(&d[2..4]) as u32;
    let day = number(&d[4..6]) as u32;
    let (kind, birth_month, birth_day) = if (60..=91).contains(&day) {
        // Samordningsnummer: month 00 and day 60 are unknown parts; a day the month lacks
        // (31 April, 30 February) is accepted but is no birth day.
        if month > 12 {
            return Err(date_error());
        }
        let day = day - 60;
        let birth_month = (month != 0).then_some(month);
        let birth_day = match (day, birth_month) {
            (0, _) => None,
            (day, Some(month)) => NaiveDate::from_ymd_opt(year, month, day).map(|_| day),
            (day, None) => Some(day),
        };
        (PersonIdKind::Samordningsnummer, birth_month, birth_day)
    } else {
        if NaiveDate::from_ymd_opt(year, month, day).is_none() {
            return Err(date_error());
        }
        (PersonIdKind::Personnummer, Some(month), Some(day))
    };
    // Four year digits, then MMDDNNNC.
    let mut canonical = format!("{year:04}");
    canonical.extend(d[2..].iter().map(|&digit| char::from(b'0' + digit)));
    Ok(PersonId {
        canonical,
        jurisdiction: Jurisdiction::Se,
        kind,
        // Skatteverket's test numbers look exactly like real ones.
        synthetic: false,
        birth_year: Some(year),
        birth_month,
        birth_day,
        sex: Some(if d[8] % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }),
    })
}

/// The decimal value of a few digits.
fn number(digits: &[u8]) -> i32 {
    digits
        .iter()
        .fold(0, |acc, &digit| acc * 10 + i32::from(digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits<const N: usize>(text: &str) -> [u8; N] {
        let mut out = [0u8; N];
        for (slot, c) in out.iter_mut().zip(text.bytes()) {
            *slot = c - b'0';
        }
        out
    }

    #[test]
    fn luhn_matches_worked_examples() {
        // Skatteverket's test number 1890-01-01 980-2 and the classic textbook example
        // 811218-987(6).
        assert_eq!(luhn_check_digit(&digits("900101980")), 2);
        assert_eq!(luhn_check_digit(&digits("811218987")), 6);
        // Products above 9 lose 9: 9*2 = 18 -> 9.
        assert_eq!(luhn_check_digit(&digits("900000000")), 1);
        assert_eq!(luhn_check_digit(&digits("000000000")), 0);
    }

    #[test]
    fn every_single_digit_error_changes_the_check_digit() {
        let base = digits::<9>("900101980");
        let check = luhn_check_digit(&base);
        for position in 0..9 {
            for digit in 0..10 {
                if digit == base[position] {
                    continue;
                }
                let mut changed = base;
                changed[position] = digit;
                assert_ne!(luhn_check_digit(&changed), check);
            }
        }
    }

    #[test]
    fn century_follows_the_reference_date() {
        let d = digits::<10>("9001019802");
        let on = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        let year = |sep, reference| {
            parse_short(&d, sep, reference)
                .ok()
                .and_then(|p| p.birth_year)
        };
        assert_eq!(year(Separator::Minus, on(2024, 1, 1)), Some(1990));
        assert_eq!(year(Separator::Plus, on(2024, 1, 1)), Some(1890));
        assert_eq!(year(Separator::None, on(1990, 1, 1)), Some(1990));
        assert_eq!(year(Separator::None, on(1989, 12, 31)), Some(1890));
        assert_eq!(year(Separator::Plus, on(1990, 1, 1)), Some(1890));
        // Only the reference year itself compares month and day.
        assert_eq!(year(Separator::Minus, on(2023, 1, 1)), Some(1990));
        let mut d = digits::<10>("9006160010");
        d[9] = luhn_check_digit(&digits("900616001"));
        let year = |reference| {
            parse_short(&d, Separator::Minus, reference)
                .ok()?
                .birth_year
        };
        assert_eq!(year(on(2034, 6, 15)), Some(1990));
        assert_eq!(year(on(2090, 6, 15)), Some(1990));
        assert_eq!(year(on(2090, 6, 16)), Some(2090));
    }

    #[test]
    fn samordningsnummer_unknown_parts() {
        // Built here only: month 00, day 60, check digit computed.
        let mut nine = digits::<9>("900060980");
        let c = luhn_check_digit(&nine);
        let mut ten = [0u8; 10];
        ten[..9].copy_from_slice(&nine);
        ten[9] = c;
        let p = build(1990, &ten).unwrap();
        assert_eq!(p.kind, PersonIdKind::Samordningsnummer);
        assert_eq!(
            (p.birth_year, p.birth_month, p.birth_day),
            (Some(1990), None, None)
        );
        nine[2..6].copy_from_slice(&[0, 4, 9, 1]);
        ten[..9].copy_from_slice(&nine);
        let p = build(1990, &ten).unwrap();
        assert_eq!((p.birth_month, p.birth_day), (Some(4), None));
    }
}
