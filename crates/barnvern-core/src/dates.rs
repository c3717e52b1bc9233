//! Calendar arithmetic used by statutory deadlines, and age in whole years (the one rule the
//! research tables, the synthetic cohorts and SSB's controls all count ages by).

use chrono::{Days, Months, NaiveDate};

/// `date` plus `months` calendar months, clamped to the month's last day
/// (31 January + 1 month = 28 or 29 February). `None` only past the year 262143.
pub fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(months))
}

/// `date` plus `days` days. `None` only past the year 262143.
pub fn add_days(date: NaiveDate, days: u64) -> Option<NaiveDate> {
    date.checked_add_days(Days::new(days))
}

/// Age in whole years on `on` of someone born on `born`; `None` when `on` is before `born`.
///
/// The age goes up on the birthday; someone born on 29 February turns a year older on
/// 1 March in a common year (the day after 28 February), as Norwegian and Swedish registers
/// count it.
pub fn age_in_years(born: NaiveDate, on: NaiveDate) -> Option<u32> {
    on.years_since(born)
}

/// Age in whole years on `on` of someone born in `month` (1-12) of `year`, the birth date
/// coarsened to year and month as research tables hold it; `None` when the month is not 1-12
/// or `on` is not after the birth month.
///
/// The day is unknown, so a birthday in the month of `on` counts as not yet reached: the age
/// is never overstated (an age band chosen by it is never one a child has not reached). That
/// is the age of someone born on the last day of the month, one day later: whole years since
/// the first day of the next month.
pub fn age_in_years_from_month(year: i32, month: u32, on: NaiveDate) -> Option<u32> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    age_in_years(first.checked_add_months(Months::new(1))?, on)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn month_ends_clamp() {
        assert_eq!(add_months(d(2023, 1, 31), 1), Some(d(2023, 2, 28)));
        assert_eq!(add_months(d(2024, 1, 31), 1), Some(d(2024, 2, 29)));
        assert_eq!(add_months(d(2024, 10, 31), 4), Some(d(2025, 2, 28)));
        assert_eq!(add_days(d(2024, 2, 28), 1), Some(d(2024, 2, 29)));
    }

    #[test]
    fn age_goes_up_on_the_birthday() {
        let born = d(2010, 6, 15);
        assert_eq!(age_in_years(born, d(2010, 6, 15)), Some(0));
        assert_eq!(age_in_years(born, d(2028, 6, 14)), Some(17));
        assert_eq!(age_in_years(born, d(2028, 6, 15)), Some(18));
        assert_eq!(age_in_years(born, d(2010, 6, 14)), None);
    }

    #[test]
    fn born_on_29_february_ages_on_1_march_in_a_common_year() {
        let born = d(2012, 2, 29);
        assert_eq!(age_in_years(born, d(2013, 2, 28)), Some(0));
        assert_eq!(age_in_years(born, d(2013, 3, 1)), Some(1));
        assert_eq!(age_in_years(born, d(2016, 2, 28)), Some(3));
        assert_eq!(age_in_years(born, d(2016, 2, 29)), Some(4));
        assert_eq!(age_in_years(born, d(2030, 2, 28)), Some(17));
        assert_eq!(age_in_years(born, d(2030, 3, 1)), Some(18));
    }

    #[test]
    fn age_from_year_and_month_counts_the_birth_month_as_not_yet_reached() {
        assert_eq!(age_in_years_from_month(2015, 6, d(2024, 7, 1)), Some(9));
        assert_eq!(age_in_years_from_month(2015, 6, d(2024, 6, 30)), Some(8));
        assert_eq!(age_in_years_from_month(2015, 6, d(2024, 5, 31)), Some(8));
        // December: the next month is in the next year.
        assert_eq!(age_in_years_from_month(2015, 12, d(2024, 12, 31)), Some(8));
        assert_eq!(age_in_years_from_month(2015, 12, d(2025, 1, 1)), Some(9));
        // February of a leap year: no day of it is assumed.
        assert_eq!(age_in_years_from_month(2012, 2, d(2030, 2, 28)), Some(17));
        assert_eq!(age_in_years_from_month(2012, 2, d(2030, 3, 1)), Some(18));
        // In or before the birth month: no age yet.
        assert_eq!(age_in_years_from_month(2015, 6, d(2015, 6, 30)), None);
        assert_eq!(age_in_years_from_month(2015, 6, d(2015, 7, 1)), Some(0));
        assert_eq!(age_in_years_from_month(2015, 13, d(2024, 7, 1)), None);
        assert_eq!(age_in_years_from_month(2015, 0, d(2024, 7, 1)), None);
    }
}
