//! Reading the dates and timestamps of case bundles: the same values, and the same refusals,
//! as chrono's own parsers, with a short path for the form every system writes.
//!
//! chrono reads `2024-03-01` and `2024-03-01T12:06:00+01:00` through its general format
//! interpreter, about 550 instructions each (callgrind), and a case bundle carries dozens of
//! them (a referral's receipt, every record's provenance and dates). Text in the plain form (`YYYY-MM-DD`;
//! `YYYY-MM-DDTHH:MM:SS` with `Z` or `+HH:MM`/`-HH:MM`) is read here digit by digit; any
//! other text (lower-case `t` or `z`, a space, fractions of a second, a leap second, text
//! that is no date) goes to chrono, so what is accepted, and every error message, stays
//! chrono's.
//!
//! ```
//! use barnvern_core::rfc3339::{parse_date, parse_timestamp};
//!
//! let t = parse_timestamp("2024-03-01T12:06:00+01:00").unwrap();
//! assert_eq!(t.to_rfc3339(), "2024-03-01T12:06:00+01:00");
//! assert_eq!(parse_date("2024-02-29").unwrap().to_string(), "2024-02-29");
//! assert!(parse_date("2023-02-29").is_err());
//! ```

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, ParseResult};

/// `text` as chrono's `DateTime<FixedOffset>` reads it (RFC 3339).
pub fn parse_timestamp(text: &str) -> ParseResult<DateTime<FixedOffset>> {
    match plain_timestamp(text.as_bytes()) {
        Some(t) => Ok(t),
        None => text.parse(),
    }
}

/// `text` as chrono's `NaiveDate` reads it (`YYYY-MM-DD`).
pub fn parse_date(text: &str) -> ParseResult<NaiveDate> {
    match plain_date(text.as_bytes()) {
        Some(d) => Ok(d),
        None => text.parse(),
    }
}

/// The digit at `i`, if it is one.
fn digit(b: &[u8], i: usize) -> Option<u32> {
    let d = b.get(i)?.wrapping_sub(b'0');
    (d < 10).then_some(u32::from(d))
}

/// The two-digit number at `i`.
fn two(b: &[u8], i: usize) -> Option<u32> {
    Some(digit(b, i)? * 10 + digit(b, i + 1)?)
}

/// `YYYY-MM-DD` at the start of `b`, a real calendar date; `None` for anything else.
fn date_at_start(b: &[u8]) -> Option<NaiveDate> {
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let year = two(b, 0)? * 100 + two(b, 2)?;
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, two(b, 5)?, two(b, 8)?)
}

/// Exactly `YYYY-MM-DD`.
fn plain_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 {
        return None;
    }
    date_at_start(b)
}

/// Exactly `YYYY-MM-DDTHH:MM:SS` followed by `Z` or `+HH:MM`/`-HH:MM`, hours 00-23, minutes
/// and seconds 00-59 (a leap second is left to chrono).
fn plain_timestamp(b: &[u8]) -> Option<DateTime<FixedOffset>> {
    if !(b.len() == 20 || b.len() == 25) || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = date_at_start(b)?;
    let (hour, minute, second) = (two(b, 11)?, two(b, 14)?, two(b, 17)?);
    if second > 59 {
        return None;
    }
    let time = NaiveTime::from_hms_opt(hour, minute, second)?;
    let east = match (b.len(), b[19]) {
        (20, b'Z') => 0,
        (25, sign @ (b'+' | b'-')) if b[22] == b':' => {
            let (h, m) = (two(b, 20)?, two(b, 23)?);
            if h > 23 || m > 59 {
                return None;
            }
            let seconds = i32::try_from(h * 3600 + m * 60).ok()?;
            if sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    let offset = FixedOffset::east_opt(east)?;
    date.and_time(time).and_local_timezone(offset).single()
}

/// Deserializers for `#[serde(deserialize_with = ...)]`: each reads a string as chrono's own
/// `Deserialize` does (same values, same errors), through [`parse_timestamp`] and
/// [`parse_date`].
pub mod de {
    use std::fmt;

    use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
    use serde::Deserializer;
    use serde::de::{Error, Visitor};

    struct Timestamp;

    impl Visitor<'_> for Timestamp {
        type Value = DateTime<FixedOffset>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an RFC 3339 formatted date and time string")
        }

        fn visit_str<E: Error>(self, value: &str) -> Result<Self::Value, E> {
            super::parse_timestamp(value).map_err(E::custom)
        }
    }

    struct Date;

    impl Visitor<'_> for Date {
        type Value = NaiveDate;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a formatted date string")
        }

        fn visit_str<E: Error>(self, value: &str) -> Result<Self::Value, E> {
            super::parse_date(value).map_err(E::custom)
        }
    }

    /// A `DateTime<FixedOffset>` (the local offset as recorded).
    pub fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
        d.deserialize_str(Timestamp)
    }

    /// A `DateTime<Utc>`: any offset is accepted and converted to UTC, as chrono does.
    pub fn timestamp_utc<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        d.deserialize_str(Timestamp).map(|t| t.with_timezone(&Utc))
    }

    /// A `NaiveDate`.
    pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        d.deserialize_str(Date)
    }

    struct MaybeDate;

    impl<'de> Visitor<'de> for MaybeDate {
        type Value = Option<NaiveDate>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("option")
        }

        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            date(d).map(Some)
        }
    }

    /// An `Option<NaiveDate>` (`null` is `None`); the field needs `#[serde(default)]` too, so
    /// that a missing field is `None` as it is without `deserialize_with`.
    pub fn date_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        d.deserialize_option(MaybeDate)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::Utc;

    /// Every combination of edge values of each part, in the plain form and in forms left
    /// to chrono.
    fn timestamps() -> Vec<String> {
        let years = ["0000", "1899", "2000", "2024", "2100", "9999", "20x4"];
        let months = ["00", "01", "02", "12", "13"];
        let days = ["00", "01", "28", "29", "30", "31", "32"];
        let hours = ["00", "23", "24"];
        let minutes = ["00", "59", "60"];
        let seconds = ["00", "59", "60", "61", "00.5"];
        let zones = [
            "Z", "z", "+00:00", "-00:00", "+01:00", "-05:30", "+23:59", "+24:00", "+05:60",
            "+0100", "", " +01:00", "+1:00",
        ];
        let mut out = Vec::new();
        for y in years {
            for mo in months {
                for d in days {
                    for h in hours {
                        for mi in minutes {
                            for s in seconds {
                                for z in zones {
                                    out.push(format!("{y}-{mo}-{d}T{h}:{mi}:{s}{z}"));
                                }
                            }
                        }
                    }
                }
            }
        }
        for sep in [" ", "t", "_"] {
            out.push(format!("2024-03-01{sep}12:06:00+01:00"));
        }
        out.extend(
            [
                "",
                "2024-03-01",
                "xxxxxxxxxxxxxxxxxxxx",
                "2024-03-01T12:06:00+01:00x",
            ]
            .map(String::from),
        );
        out
    }

    #[test]
    fn timestamps_read_as_chrono_reads_them() {
        let mut short = 0;
        for text in timestamps() {
            let ours = parse_timestamp(&text);
            let chrono = text.parse::<DateTime<FixedOffset>>();
            assert_eq!(ours, chrono, "{text}");
            if plain_timestamp(text.as_bytes()).is_some() {
                short += 1;
            }
            assert_eq!(
                parse_timestamp(&text).map(|t| t.with_timezone(&Utc)),
                text.parse::<DateTime<Utc>>(),
                "{text}"
            );
        }
        // The short path is taken for the plain form (and so could be wrong, were it not
        // checked above): every real date, hour 00-23, minute and second 00-59, and one of
        // the five zones it reads.
        assert!(short > 1_000, "{short}");
        assert!(plain_timestamp(b"2024-03-01T12:06:00+01:00").is_some());
        assert!(plain_timestamp(b"2024-03-01T12:06:00Z").is_some());
    }

    #[test]
    fn dates_read_as_chrono_reads_them() {
        let mut short = 0;
        for y in [
            "0000", "1900", "2000", "2023", "2024", "9999", "+2024", "2o24", "202",
        ] {
            for m in ["00", "01", "02", "04", "12", "13", "1", "x1"] {
                for d in ["00", "01", "28", "29", "30", "31", "32", "1", " 1", "01 "] {
                    let text = format!("{y}-{m}-{d}");
                    assert_eq!(parse_date(&text), text.parse::<NaiveDate>(), "{text}");
                    short += usize::from(plain_date(text.as_bytes()).is_some());
                }
            }
        }
        for text in ["", "2024/03/01", "2024-03-01T00:00:00Z", "20240301"] {
            assert_eq!(parse_date(text), text.parse::<NaiveDate>(), "{text}");
        }
        assert!(short > 90, "{short}");
    }

    #[test]
    fn deserializers_give_chronos_values_and_messages() {
        #[derive(serde::Deserialize, Debug)]
        struct Row {
            #[serde(deserialize_with = "de::timestamp")]
            at: DateTime<FixedOffset>,
            #[serde(deserialize_with = "de::timestamp_utc")]
            utc: DateTime<Utc>,
            #[serde(deserialize_with = "de::date")]
            on: NaiveDate,
        }
        #[derive(serde::Deserialize, Debug)]
        struct Chrono {
            at: DateTime<FixedOffset>,
            utc: DateTime<Utc>,
            on: NaiveDate,
        }
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Maybe {
            #[serde(default, deserialize_with = "de::date_opt")]
            until: Option<NaiveDate>,
        }
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct ChronoMaybe {
            until: Option<NaiveDate>,
        }
        for text in [r#"{}"#, r#"{"until":null}"#, r#"{"until":"2024-02-29"}"#] {
            let ours = serde_json::from_str::<Maybe>(text).unwrap();
            let theirs = serde_json::from_str::<ChronoMaybe>(text).unwrap();
            assert_eq!(ours.until, theirs.until, "{text}");
        }
        for text in [
            r#"{"until":"2023-02-29"}"#,
            r#"{"until":7}"#,
            r#"{"until":"x"}"#,
        ] {
            let ours = serde_json::from_str::<Maybe>(text).unwrap_err().to_string();
            let theirs = serde_json::from_str::<ChronoMaybe>(text)
                .unwrap_err()
                .to_string();
            assert_eq!(ours, theirs, "{text}");
        }
        let good = r#"{"at":"2024-03-01T12:06:00+01:00","utc":"2024-03-01T12:06:00+01:00","on":"2024-02-29"}"#;
        let (ours, theirs) = (
            serde_json::from_str::<Row>(good).unwrap(),
            serde_json::from_str::<Chrono>(good).unwrap(),
        );
        assert_eq!(
            (ours.at, ours.utc, ours.on),
            (theirs.at, theirs.utc, theirs.on)
        );
        assert_eq!(ours.utc.to_rfc3339(), "2024-03-01T11:06:00+00:00");
        for bad in [
            r#"{"at":"2024-02-30T12:06:00Z","utc":"2024-03-01T12:06:00Z","on":"2024-02-29"}"#,
            r#"{"at":"2024-03-01T12:06:00Z","utc":5,"on":"2024-02-29"}"#,
            r#"{"at":"2024-03-01T12:06:00Z","utc":"2024-03-01T12:06:00Z","on":"2023-02-29"}"#,
            r#"{"at":"2024-03-01T12:06:00Z","utc":"2024-03-01T12:06:00Z","on":[]}"#,
        ] {
            let ours = serde_json::from_str::<Row>(bad).unwrap_err().to_string();
            let theirs = serde_json::from_str::<Chrono>(bad).unwrap_err().to_string();
            assert_eq!(ours, theirs, "{bad}");
        }
    }
}
