//! Calendar arithmetic used by statutory deadlines.

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
}
