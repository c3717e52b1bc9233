//! Identity numbers that cannot belong to a living person: Swedish ones only from Skatteverket's
//! test list (`data/se-test-personnummer.json`), Norwegian ones generated as synthetic
//! fødselsnummer (month + 80, valid control digits).

use std::sync::LazyLock;

use barnvern_core::{Jurisdiction, PersonId};
use chrono::{Datelike, NaiveDate};

use crate::Error;
use crate::rng::Draw;

/// Skatteverket's test personnummer with a calendar birth date, sorted by that date.
struct SwedishPool {
    people: Vec<(NaiveDate, PersonId)>,
    /// The birth dates alone, for searching (small enough to stay in cache).
    dates: Vec<NaiveDate>,
}

static SE_POOL: LazyLock<Result<SwedishPool, String>> = LazyLock::new(|| {
    let numbers: Vec<String> =
        serde_json::from_str(include_str!("../data/se-test-personnummer.json"))
            .map_err(|e| format!("the Swedish test-number list does not parse: {e}"))?;
    let mut people = Vec::with_capacity(numbers.len());
    for n in &numbers {
        // Every number on the list is valid; one that were not would simply not be used.
        if let Ok(pid) = PersonId::parse(n, Some(Jurisdiction::Se), None)
            && let Some(born) = pid.birth_date()
        {
            people.push((born, pid));
        }
    }
    people.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let dates = people.iter().map(|p| p.0).collect();
    Ok(SwedishPool { people, dates })
});

fn se_pool() -> Result<&'static SwedishPool, Error> {
    SE_POOL.as_ref().map_err(|e| Error::Data(e.clone()))
}

/// Checks the embedded data once, so a broken build fails before any line is written.
pub(crate) fn check_data() -> Result<(), Error> {
    let pool = se_pool()?;
    if pool.people.len() < 1000 {
        return Err(Error::Data(
            "the Swedish test-number list has too few numbers".into(),
        ));
    }
    Ok(())
}

/// A Swedish test number whose birth date falls in `from..=to`, or the nearest one to that
/// range when none does (the list thins out before 1976 and ends in 2023).
pub(crate) fn se_person(
    draw: &mut Draw,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(NaiveDate, PersonId), Error> {
    let pool = se_pool()?;
    let people = &pool.people;
    let lo = pool.dates.partition_point(|d| *d < from);
    let hi = pool.dates.partition_point(|d| *d <= to);
    let range = if hi > lo {
        lo..hi
    } else if lo >= people.len() {
        people.len().saturating_sub(50)..people.len()
    } else {
        lo..(lo + 50).min(people.len())
    };
    let n = u64::try_from(range.len()).unwrap_or(1);
    let i = range.start + usize::try_from(draw.below(n)).unwrap_or(0);
    people
        .get(i)
        .cloned()
        .ok_or_else(|| Error::Data("the Swedish test-number list is empty".into()))
}

/// A synthetic Norwegian fødselsnummer for someone born on `born`: month + 80 (the mark of
/// Skatteetaten's synthetic test numbers), an individual number in the range that encodes the
/// century, the sex in the third individual digit (odd = male), and control digits by the
/// classic rule. No real number has a month above 12.
pub(crate) fn no_synthetic(
    draw: &mut Draw,
    born: NaiveDate,
    male: bool,
) -> Result<PersonId, Error> {
    let year = born.year();
    let (lo, hi) = match year {
        1900..=1999 => (0u64, 499u64),
        2000..=2039 => (500, 999),
        _ => {
            return Err(Error::Data(format!(
                "no Norwegian individual numbers for {year}"
            )));
        }
    };
    let yy = u64::try_from(year.rem_euclid(100)).unwrap_or(0);
    let (d, m) = (u64::from(born.day()), u64::from(born.month()) + 80);
    for _ in 0..64 {
        let mut iii = draw.between(lo, hi);
        if (iii % 2 == 1) != male {
            iii = if iii == hi { iii - 1 } else { iii + 1 };
        }
        let digits = [
            d / 10,
            d % 10,
            m / 10,
            m % 10,
            yy / 10,
            yy % 10,
            iii / 100,
            (iii / 10) % 10,
            iii % 10,
        ];
        let k1 = control(&digits, &[3, 7, 6, 1, 8, 9, 4, 5, 2]);
        let Some(k1) = k1 else { continue };
        let mut ten = [0u64; 10];
        ten[..9].copy_from_slice(&digits);
        ten[9] = k1;
        let Some(k2) = control(&ten, &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) else {
            continue;
        };
        let mut text = String::with_capacity(11);
        for digit in ten.iter().chain(std::iter::once(&k2)) {
            text.push(char::from(b'0' + u8::try_from(*digit).unwrap_or(0)));
        }
        return PersonId::parse(&text, Some(Jurisdiction::No), None)
            .map_err(|e| Error::Data(format!("a generated synthetic number is refused: {e}")));
    }
    Err(Error::Data("no synthetic number found in 64 tries".into()))
}

/// The classic mod-11 control digit, `None` when it would be 10 (no such number).
fn control(digits: &[u64], weights: &[u64]) -> Option<u64> {
    let sum: u64 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        k => Some(k),
    }
}

/// `date` moved back `years` whole years (29 February becomes 28 February).
pub(crate) fn years_before(date: NaiveDate, years: u32) -> NaiveDate {
    let year = date.year() - i32::try_from(years).unwrap_or(0);
    NaiveDate::from_ymd_opt(year, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, date.month(), 28))
        .unwrap_or(date)
}

/// Whole years from `born` to `on` ([`barnvern_core::dates::age_in_years`]); 0 before birth.
pub(crate) fn age_on(born: NaiveDate, on: NaiveDate) -> u32 {
    barnvern_core::dates::age_in_years(born, on).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn synthetic_norwegian_numbers_parse_and_keep_their_date_and_sex() {
        let mut draw = Draw::new(7, 0, 0);
        for (y, m, d) in [(2015, 3, 1), (1985, 12, 31), (2000, 2, 29), (1999, 1, 1)] {
            let born = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            for male in [true, false] {
                let pid = no_synthetic(&mut draw, born, male).unwrap();
                assert!(pid.is_synthetic());
                assert_eq!(pid.birth_date(), Some(born));
                assert_eq!(pid.sex() == Some(barnvern_core::Sex::Male), male);
            }
        }
    }

    #[test]
    fn swedish_numbers_come_from_the_list_in_the_range_asked() {
        check_data().unwrap();
        let mut draw = Draw::new(7, 0, 0);
        let from = NaiveDate::from_ymd_opt(2010, 1, 1).unwrap();
        let to = NaiveDate::from_ymd_opt(2012, 1, 1).unwrap();
        let list = include_str!("../data/se-test-personnummer.json");
        for _ in 0..100 {
            let (born, pid) = se_person(&mut draw, from, to).unwrap();
            assert!(born >= from && born <= to);
            assert!(list.contains(&format!("\"{}\"", pid.canonical())));
        }
    }
}
