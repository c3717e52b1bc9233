//! Norwegian fødselsnummer (birth number), D-nummer and H-nummer, and synthetic test numbers
//! (Tenor), all written `DDMMYYIIIKK`.
//!
//! Two control digits: K1 over digits 1-9, K2 over digits 1-10. K2 always follows the classic
//! mod-11 rule; K1 follows either the classic rule or the rule used for numbers issued from
//! 1 January 2032, which lets K1 take any of four values. A number whose K1 is valid only under
//! the 2032 rule no longer encodes century or sex, and neither does a D-number (since November
//! 2021 D-numbers are issued without them, and the number does not say when it was issued).

use chrono::NaiveDate;

use super::{PersonId, PersonIdKind, Sex};
use crate::{Finding, Jurisdiction};

/// Weights for the first control digit (K1) over digits 1-9.
pub(super) const K1_WEIGHTS: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
/// Weights for the second control digit (K2) over digits 1-10.
pub(super) const K2_WEIGHTS: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/// Which rule the first control digit satisfies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum K1Rule {
    /// `K1 = 11 - (sum mod 11)`, the rule since 1964. Such a number may still have been issued
    /// under the 2032 rule (which also allows this value); it is read as classic.
    Classic,
    /// Only `(sum + K1) mod 11` in `0..=3` holds: a number issued under the 2032 rule.
    From2032,
}

/// The weighted sum of `digits` with `weights`.
pub(super) fn weighted_sum(digits: &[u8], weights: &[u32]) -> u32 {
    digits
        .iter()
        .zip(weights)
        .map(|(&d, &w)| u32::from(d) * w)
        .sum()
}

/// The classic control digit for a weighted sum: `11 - (sum mod 11)`, 11 becoming 0; `None`
/// when it would be 10 (no number is issued with that sum).
pub(super) fn classic_control_digit(sum: u32) -> Option<u8> {
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        // Between 1 and 9 here.
        k => Some(k as u8),
    }
}

/// The rule K1 (digit 10) satisfies, if any.
pub(super) fn k1_rule(d: &[u8; 11]) -> Option<K1Rule> {
    let sum = weighted_sum(&d[..9], &K1_WEIGHTS);
    if classic_control_digit(sum) == Some(d[9]) {
        Some(K1Rule::Classic)
    } else if (sum + u32::from(d[9])) % 11 <= 3 {
        Some(K1Rule::From2032)
    } else {
        None
    }
}

/// Whether K2 (digit 11) is right: always the classic rule.
pub(super) fn k2_valid(d: &[u8; 11]) -> bool {
    classic_control_digit(weighted_sum(&d[..10], &K2_WEIGHTS)) == Some(d[10])
}

/// The birth year from the individual number (digits 7-9) and the two-digit year, where the
/// classic allocation ranges say it.
pub(super) fn century_year(individual: u32, yy: u32) -> Option<i32> {
    let yy = yy as i32;
    match (individual, yy) {
        (0..=499, _) => Some(1900 + yy),
        (500..=749, 54..=99) => Some(1800 + yy),
        (500..=999, 0..=39) => Some(2000 + yy),
        (900..=999, 40..=99) => Some(1900 + yy),
        _ => None,
    }
}

fn date_finding(message: &str) -> Finding {
    Finding::error("", "id.no.date", message)
}

/// Parses the eleven digits `DDMMYYIIIKK`.
pub(super) fn parse(d: &[u8; 11]) -> Result<PersonId, Finding> {
    let Some(rule) = k1_rule(d) else {
        return Err(Finding::error(
            "",
            "id.no.check_digit_1",
            "the first control digit (K1, digit 10) does not match: weights 3,7,6,1,8,9,4,5,2 \
             over digits 1-9, under neither the classic rule nor the rule from 2032",
        ));
    };
    if !k2_valid(d) {
        return Err(Finding::error(
            "",
            "id.no.check_digit_2",
            "the second control digit (K2, digit 11) does not match: weights \
             5,4,3,2,7,6,5,4,3,2 over digits 1-10, K2 = 11 - (sum mod 11)",
        ));
    }
    let two = |i: usize| u32::from(d[i]) * 10 + u32::from(d[i + 1]);
    let (written_day, written_month, yy) = (two(0), two(2), two(4));
    let individual = u32::from(d[6]) * 100 + two(7);

    let d_number = (40..=79).contains(&written_day);
    let day = if d_number {
        written_day - 40
    } else {
        written_day
    };
    let (h_number, synthetic, month) = match written_month {
        1..=12 => (false, false, written_month),
        41..=52 => (true, false, written_month - 40),
        81..=92 => (false, true, written_month - 80),
        _ => {
            return Err(date_finding(
                "the month is not valid: 01-12, or + 40 (H-number), or + 80 (synthetic test \
                 number)",
            ));
        }
    };
    if !(1..=31).contains(&day) {
        return Err(date_finding(
            "the day is not valid: 01-31, or + 40 (D-number)",
        ));
    }
    if d_number && h_number {
        return Err(date_finding(
            "a number cannot be both a D-number (day + 40) and an H-number (month + 40)",
        ));
    }

    let encodes_century_and_sex = rule == K1Rule::Classic && !d_number;
    let year = if encodes_century_and_sex {
        century_year(individual, yy)
    } else {
        None
    };
    let is_date = |year: i32| NaiveDate::from_ymd_opt(year, month, day).is_some();
    let calendar_ok = match year {
        Some(year) => is_date(year),
        // Century unknown: accept a day that exists in some century (29 February when the two
        // digits make a leap year in the 1900s or the 2000s).
        None => is_date(1900 + yy as i32) || is_date(2000 + yy as i32),
    };
    if !calendar_ok {
        return Err(date_finding(
            "the date part is not a calendar date (for example 29 February in a year that is \
             not a leap year)",
        ));
    }

    let kind = if d_number {
        PersonIdKind::DNumber
    } else if h_number {
        PersonIdKind::HNumber
    } else {
        PersonIdKind::Fodselsnummer
    };
    Ok(PersonId {
        canonical: d.iter().map(|&digit| char::from(b'0' + digit)).collect(),
        jurisdiction: Jurisdiction::No,
        kind,
        synthetic,
        birth_year: year,
        birth_month: Some(month),
        birth_day: Some(day),
        sex: encodes_century_and_sex.then_some(if d[8] % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(text: &str) -> [u8; 11] {
        let mut out = [0u8; 11];
        for (slot, c) in out.iter_mut().zip(text.bytes()) {
            *slot = c - b'0';
        }
        out
    }

    #[test]
    fn classic_control_digits_of_skatteetaten_examples() {
        // 20036914700: K1 = 0, K2 = 0 (Skatteetaten's "reelt 1964-nummer").
        let d = digits("20036914700");
        assert_eq!(
            classic_control_digit(weighted_sum(&d[..9], &K1_WEIGHTS)),
            Some(0)
        );
        assert_eq!(
            classic_control_digit(weighted_sum(&d[..10], &K2_WEIGHTS)),
            Some(0)
        );
        assert_eq!(k1_rule(&d), Some(K1Rule::Classic));
        assert!(k2_valid(&d));
        assert!(!k2_valid(&digits("20036914712")));
    }

    #[test]
    fn rule_2032_accepts_four_remainders() {
        // 30108299939: K1 sum 196, 196 mod 11 = 9, classic K1 would be 2; K1 = 3 gives
        // (196 + 3) mod 11 = 1.
        let d = digits("30108299939");
        assert_eq!(weighted_sum(&d[..9], &K1_WEIGHTS), 196);
        assert_eq!(k1_rule(&d), Some(K1Rule::From2032));
        // Exactly four K1 values (counting 10, which is no digit) satisfy the 2032 rule.
        for sum in 0..200u32 {
            let accepted = (0..=10u32).filter(|k| (sum + k) % 11 <= 3).count();
            assert_eq!(accepted, 4);
            if let Some(k) = classic_control_digit(sum) {
                assert_eq!((sum + u32::from(k)) % 11, 0);
            }
        }
    }

    #[test]
    fn classic_remainder_one_is_never_issued() {
        // sum mod 11 == 1 would need K = 10.
        assert_eq!(classic_control_digit(1), None);
        assert_eq!(classic_control_digit(12), None);
        assert_eq!(classic_control_digit(0), Some(0));
        assert_eq!(classic_control_digit(2), Some(9));
    }

    #[test]
    fn centuries_from_individual_numbers() {
        assert_eq!(century_year(0, 99), Some(1999));
        assert_eq!(century_year(499, 0), Some(1900));
        assert_eq!(century_year(500, 54), Some(1854));
        assert_eq!(century_year(749, 99), Some(1899));
        assert_eq!(century_year(500, 39), Some(2039));
        assert_eq!(century_year(999, 0), Some(2000));
        assert_eq!(century_year(900, 40), Some(1940));
        assert_eq!(century_year(500, 40), None);
        assert_eq!(century_year(750, 53), None);
        assert_eq!(century_year(899, 99), None);
    }
}
