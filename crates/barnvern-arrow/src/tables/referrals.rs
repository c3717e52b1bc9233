//! `referrals`: reports of concern (SE orosanmälan, NO bekymringsmelding).

use barnvern_case::reporter::ReporterCategory;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use super::{Ctx, Sink, Staged, declare};
use crate::columns::{TableReader, cell_path};
use crate::error::{Error, Result};
use barnvern_research::case::{ResearchCase, ResearchCoded, ResearchProvenance, ResearchReferral};

table! {
    name: "referrals",
    grain: "one row per report of concern",
    description: "Reports of concern (SE orosanmälan, NO bekymringsmelding): when, and who reported. Reason codes and violence exposures are in referral_reasons and violence_exposures.",
    year: received_on,
    key: [case_key, referral_index],
    columns: {
        referral_index: u32 = "Position of the referral in the case (0, 1, ...).",
        received_at: DateTime<Utc> = "When the report was received (UTC).",
        received_offset_minutes: i32 = "The local UTC offset recorded with received_at, in minutes (60 for +01:00): the local date starts the deadlines.",
        received_on: NaiveDate = "Local date of receipt (received_at at its recorded offset), which starts the statutory deadlines; its year is the partition year.",
        reporter: ResearchCoded<ReporterCategory> = "the reporter category (SE anmälare, NO melder)",
        has_free_text: bool = "Whether the report had free text (never exported).",
        provenance: ResearchProvenance = "",
    }
}

/// The offset of a timestamp in minutes.
pub(crate) fn offset_minutes(t: &DateTime<FixedOffset>) -> i32 {
    t.offset().local_minus_utc() / 60
}

/// A UTC instant at a recorded offset.
pub(crate) fn at_offset(
    table: &str,
    row: usize,
    column: &str,
    utc: DateTime<Utc>,
    minutes: i32,
) -> Result<DateTime<FixedOffset>> {
    let offset = minutes
        .checked_mul(60)
        .and_then(FixedOffset::east_opt)
        .ok_or_else(|| {
            Error::data(
                cell_path(table, row, column),
                "research.range",
                format!("{minutes} minutes is not a UTC offset"),
            )
        })?;
    Ok(utc.with_timezone(&offset))
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, r) in c.referrals.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                referral_index: declare::pos(i),
                received_at: r.received_at.with_timezone(&Utc),
                received_offset_minutes: offset_minutes(&r.received_at),
                received_on: r.received_on(),
                reporter: &r.reporter,
                has_free_text: r.has_free_text,
                provenance: &r.provenance,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchReferral>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let referral = ResearchReferral {
            received_at: at_offset(
                NAME,
                x.row,
                "received_offset_minutes",
                x.received_at,
                x.received_offset_minutes,
            )?,
            reporter: x.reporter,
            reasons: Vec::new(),
            violence: Vec::new(),
            has_free_text: x.has_free_text,
            provenance: x.provenance,
        };
        out.push(x.case, 0, x.referral_index, x.row, referral);
        Ok(())
    })
}
