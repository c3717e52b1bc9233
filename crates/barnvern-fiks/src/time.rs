//! `sendingstidspunkt`: Norwegian local time, normally without an offset.
//!
//! The protocol sends local time in Norway without an offset (`2021-11-08T09:24:45`); it is read
//! in the time zone Europe/Oslo with the daylight-saving rules of the IANA database (chrono-tz),
//! giving +01:00 in winter and +02:00 in summer. Accepted form: `YYYY-MM-DDTHH:MM:SS`, optional
//! fractional seconds, and optionally an offset (`Z` or `+HH:MM`), as in RFC 3339: a time with
//! an offset is the instant it says (the schema's `format: date-time` is RFC 3339, which
//! requires one, while the protocol's examples have none, so both are accepted). Either way the
//! result is written in Oslo's offset at that instant, so that its date is the Norwegian
//! receipt date.
//!
//! At the two switches a year the local clock is not a one-to-one map, and a message is not
//! refused for it (the receipt date, which starts the deadlines, is the same either way):
//! - ambiguous (the hour 02:00-02:59 on the last Sunday of October happens twice): the earlier
//!   instant, summer time +02:00, so the receipt is never later than the sender meant; a
//!   warning `fiks.sent_at_ambiguous` says so.
//! - nonexistent (02:00-02:59 on the last Sunday of March is skipped): read with the offset in
//!   force just before the switch, +01:00, as a clock not yet put forward would mean it; the
//!   instant is written in the offset in force then (02:30 becomes 03:30+02:00). A warning
//!   `fiks.sent_at_nonexistent` says so.

use barnvern_core::Finding;
use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Europe::Oslo;

/// The sending time resolved to an instant with its Oslo offset, and a warning where the local
/// time was ambiguous or did not exist.
pub(crate) fn sent_at(
    text: &str,
    path: &str,
) -> Result<(DateTime<FixedOffset>, Option<Finding>), Finding> {
    let invalid = || {
        Finding::error(
            path,
            "fiks.format",
            "is not a date and time of the form YYYY-MM-DDTHH:MM:SS (Norwegian local time; \
             fractional seconds and an offset such as +01:00 or Z are allowed)",
        )
    };
    let (local, offset) = split_offset(text).ok_or_else(invalid)?;
    if !shaped(local) {
        return Err(invalid());
    }
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(local, "%Y-%m-%dt%H:%M:%S%.f"))
        .map_err(|_| invalid())?;
    if let Some(offset) = offset {
        // The instant as given, written in Oslo's offset: the receipt date is Norway's.
        return offset
            .from_local_datetime(&naive)
            .single()
            .map(|t| (t.with_timezone(&Oslo).fixed_offset(), None))
            .ok_or_else(invalid);
    }
    match Oslo.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok((t.fixed_offset(), None)),
        LocalResult::Ambiguous(earlier, _) => Ok((
            earlier.fixed_offset(),
            Some(Finding::warning(
                path,
                "fiks.sent_at_ambiguous",
                "the local time happened twice (the hour when summer time ends): read as the \
                 earlier one, summer time +02:00",
            )),
        )),
        LocalResult::None => {
            // The offset in force a day earlier is the one before the switch.
            let before = naive
                .checked_sub_signed(chrono::TimeDelta::days(1))
                .map(|d| Oslo.offset_from_utc_datetime(&d).fix())
                .ok_or_else(invalid)?;
            let instant = before
                .from_local_datetime(&naive)
                .single()
                .ok_or_else(invalid)?;
            let utc = instant.naive_utc();
            let in_oslo = Oslo.from_utc_datetime(&utc).fixed_offset();
            Ok((
                in_oslo,
                Some(Finding::warning(
                    path,
                    "fiks.sent_at_nonexistent",
                    "the local time does not exist (the hour skipped when summer time starts): \
                     read with the offset in force before the switch, +01:00",
                )),
            ))
        }
    }
}

/// Splits a trailing `Z`/`z` or `+HH:MM`/`-HH:MM` off `text`: `None` when the offset is
/// malformed.
fn split_offset(text: &str) -> Option<(&str, Option<FixedOffset>)> {
    if let Some(local) = text.strip_suffix(['Z', 'z']) {
        return Some((local, FixedOffset::east_opt(0)));
    }
    // A local time ends in a digit; an offset is the last six characters `+HH:MM`.
    let bytes = text.as_bytes();
    if bytes.len() > 6 {
        let tail = &bytes[bytes.len() - 6..];
        if matches!(tail[0], b'+' | b'-') {
            let digits = |a: u8, b: u8| -> Option<i32> {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i32::from(a - b'0') * 10 + i32::from(b - b'0'))
            };
            let (h, m) = (digits(tail[1], tail[2])?, digits(tail[4], tail[5])?);
            if tail[3] != b':' || h > 23 || m > 59 {
                return None;
            }
            let seconds = (h * 60 + m) * 60 * if tail[0] == b'-' { -1 } else { 1 };
            return Some((
                &text[..text.len() - 6],
                Some(FixedOffset::east_opt(seconds)?),
            ));
        }
    }
    Some((text, None))
}

/// `YYYY-MM-DDTHH:MM:SS` with optional `.fraction`, digits ASCII: chrono's parser alone also
/// takes signs, longer years and one-digit fields.
fn shaped(local: &str) -> bool {
    let b = local.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    b.len() >= 19
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
            .iter()
            .all(|&i| digit(i))
        && b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't')
        && b[13] == b':'
        && b[16] == b':'
        && (b.len() == 19
            || (b[19] == b'.' && b.len() > 20 && b[20..].iter().all(u8::is_ascii_digit)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> (String, Option<String>) {
        let (t, warning) = sent_at(text, "sendingstidspunkt").unwrap();
        (t.to_rfc3339(), warning.map(|w| w.code))
    }

    #[test]
    fn winter_and_summer_offsets() {
        assert_eq!(at("2020-03-16T13:29:33").0, "2020-03-16T13:29:33+01:00");
        assert_eq!(at("2021-07-01T09:00:00").0, "2021-07-01T09:00:00+02:00");
        assert_eq!(
            at("2021-11-08T09:24:45.5").0,
            "2021-11-08T09:24:45.500+01:00"
        );
    }

    #[test]
    fn an_explicit_offset_is_the_instant_it_says_in_oslo_time() {
        assert_eq!(at("2021-07-01T07:00:00Z").0, "2021-07-01T09:00:00+02:00");
        assert_eq!(
            at("2021-07-01T09:00:00+02:00").0,
            "2021-07-01T09:00:00+02:00"
        );
        assert_eq!(
            at("2021-01-01T09:00:00-01:30").0,
            "2021-01-01T11:30:00+01:00"
        );
        // Late evening in UTC is the next day in Norway: the receipt date is Norway's.
        assert_eq!(at("2021-07-01T23:30:00z").0, "2021-07-02T01:30:00+02:00");
    }

    #[test]
    fn summer_time_ends_the_earlier_instant_is_taken() {
        // 2023-10-29: 03:00 summer time became 02:00 winter time.
        let (t, w) = at("2023-10-29T02:30:00");
        assert_eq!(t, "2023-10-29T02:30:00+02:00");
        assert_eq!(w.as_deref(), Some("fiks.sent_at_ambiguous"));
        assert_eq!(
            at("2023-10-29T03:30:00"),
            ("2023-10-29T03:30:00+01:00".into(), None)
        );
    }

    #[test]
    fn summer_time_starts_the_skipped_hour_is_read_as_winter_time() {
        // 2024-03-31: 02:00 winter time became 03:00 summer time.
        let (t, w) = at("2024-03-31T02:30:00");
        assert_eq!(t, "2024-03-31T03:30:00+02:00");
        assert_eq!(w.as_deref(), Some("fiks.sent_at_nonexistent"));
        assert_eq!(at("2024-03-31T01:59:59").0, "2024-03-31T01:59:59+01:00");
        assert_eq!(at("2024-03-31T03:00:00").0, "2024-03-31T03:00:00+02:00");
    }

    #[test]
    fn malformed_times_are_refused() {
        for bad in [
            "",
            "2020-03-16",
            "2020-03-16 13:29:33",
            "2020-3-16T13:29:33",
            "+2020-03-16T13:29:33",
            "20200-03-16T13:29:33",
            "2020-02-30T13:29:33",
            "2020-03-16T24:00:00",
            "2020-03-16T13:29:33.",
            "2020-03-16T13:29:33+1:00",
            "2020-03-16T13:29:33+24:00",
            "2020-03-16T13:29:33+01:60",
            "2020-03-16T13:29:33 ",
            "٢٠٢٠-03-16T13:29:33",
        ] {
            let err = sent_at(bad, "sendingstidspunkt").unwrap_err();
            assert_eq!(err.code, "fiks.format", "{bad:?}");
            assert_eq!(err.path, "sendingstidspunkt");
        }
    }
}
