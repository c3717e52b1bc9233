//! `referral_reasons`: the content and reason codes of each referral.

use barnvern_core::codelist::SourceCode;
use chrono::Datelike;

use super::{CaseCol, Ctx, Sink, SourceCols, Staged, put_case, put_source};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::ResearchCase;
use crate::spec::{Codes, ColumnType as T, Sensitivity as S, TableSpec, case_fields, f};

pub(crate) const NAME: &str = "referral_reasons";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "referral_index",
            T::Int32,
            S::Index,
            "Position of the referral in the case (joins referrals.referral_index).",
        ),
        f(
            "reason_index",
            T::Int32,
            S::Index,
            "Position of the code on the referral (0, 1, ...).",
        ),
        f(
            "received_on",
            T::Date32,
            S::Date,
            "Local date the referral was received (its year is the partition year).",
        ),
        f(
            "system",
            T::Dict,
            S::Code,
            "Code system of the reason as recorded (e.g. no.ssb.barnevern.saksinnhold).",
        ),
        f(
            "code",
            T::Dict,
            S::Code,
            "The reason code exactly as recorded (NO saksinnhold, SE skäl för anmälan).",
        )
        .codes(Codes::SystemInColumn("system".to_owned())),
    ]);
    TableSpec::new(
        NAME,
        "one row per content or reason code of a referral",
        "What each report of concern is about, as the source coded it (NO saksinnhold: legacy codes to 2025, Kunnskapsmodellen codes from 2026).",
        "received_on",
        vec!["case_key", "referral_index", "reason_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, r) in c.referrals.iter().enumerate() {
        let received_on = r.received_on();
        for (j, reason) in r.reasons.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, received_on.year())?;
            put_case(w, c);
            w.u32("referral_index", u32::try_from(i).ok())
                .u32("reason_index", u32::try_from(j).ok())
                .date("received_on", Some(received_on));
            put_source(w, ["system", "code"], Some(reason));
            w.end_row()?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<SourceCode>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let referral = r.i32("referral_index")?;
    let index = r.i32("reason_index")?;
    let code = SourceCols::new(r, ["system", "code"])?;
    let code_col = r.dict("code")?;
    for row in 0..r.rows() {
        let value = match code.get(row)? {
            Some(v) => v,
            None => {
                return Err(code_col.req(row).err().unwrap_or_else(|| {
                    crate::error::Error::data("", "research.null", "reason missing")
                }));
            }
        };
        out.push(
            case.case(ctx, row)?,
            referral.req_index(row)?,
            index.req_index(row)?,
            row,
            value,
        );
    }
    Ok(())
}
