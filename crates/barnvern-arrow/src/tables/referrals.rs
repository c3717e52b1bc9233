//! `referrals`: reports of concern (SE orosanmälan, NO bekymringsmelding).

use barnvern_case::reporter::ReporterCategory;
use chrono::{DateTime, Datelike, FixedOffset, Utc};

use super::{
    CaseCol, CodedCols, Ctx, ProvCols, Sink, Staged, coded_names, put_case, put_coded,
    put_provenance,
};
use crate::columns::{Col, TableReader, cell_path};
use crate::error::{Error, Result};
use crate::research::{ResearchCase, ResearchReferral};
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, coded_fields, f, provenance_fields,
};

pub(crate) const NAME: &str = "referrals";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f("referral_index", T::Int32, S::Index, "Position of the referral in the case (0, 1, ...)."),
        f("received_at", T::TimestampUtc, S::Timestamp, "When the report was received (UTC)."),
        f("received_offset_minutes", T::Int32, S::Measure, "The local UTC offset recorded with received_at, in minutes (60 for +01:00): the local date starts the deadlines."),
        f("received_on", T::Date32, S::Date, "Local date of receipt (received_at at its recorded offset), which starts the statutory deadlines; its year is the partition year."),
    ]);
    fields.extend(coded_fields::<ReporterCategory>(
        "reporter",
        "the reporter category (SE anmälare, NO melder)",
        false,
    ));
    fields.push(f(
        "has_free_text",
        T::Bool,
        S::Flag,
        "Whether the report had free text (never exported).",
    ));
    fields.extend(provenance_fields());
    TableSpec::new(
        NAME,
        "one row per report of concern",
        "Reports of concern (SE orosanmälan, NO bekymringsmelding): when, and who reported. Reason codes and violence exposures are in referral_reasons and violence_exposures.",
        "received_on",
        vec!["case_key", "referral_index"],
        fields,
    )
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
        let received_on = r.received_on();
        let w = sink.writer(NAME, c.jurisdiction, received_on.year())?;
        put_case(w, c);
        w.u32("referral_index", u32::try_from(i).ok())
            .ts("received_at", Some(r.received_at.with_timezone(&Utc)))
            .i32(
                "received_offset_minutes",
                Some(offset_minutes(&r.received_at)),
            )
            .date("received_on", Some(received_on));
        put_coded(w, coded_names!("reporter"), Some(&r.reporter));
        w.bool("has_free_text", Some(r.has_free_text));
        put_provenance(w, &r.provenance);
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchReferral>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("referral_index")?;
    let at = r.ts("received_at")?;
    let offset: Col<_> = r.i32("received_offset_minutes")?;
    let reporter = CodedCols::new(r, coded_names!("reporter"))?;
    let text = r.bool("has_free_text")?;
    let prov = ProvCols::new(r)?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchReferral {
                received_at: at_offset(
                    NAME,
                    row,
                    "received_offset_minutes",
                    at.req(row)?,
                    offset.req(row)?,
                )?,
                reporter: reporter.req(row)?,
                reasons: Vec::new(),
                violence: Vec::new(),
                has_free_text: text.req(row)?,
                provenance: prov.get(row)?,
            },
        );
    }
    Ok(())
}
