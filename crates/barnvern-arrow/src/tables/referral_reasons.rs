//! `referral_reasons`: the content and reason codes of each referral.

use barnvern_core::codelist::SourceCode;
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::ResearchCase;
use declare::Dict;

table! {
    name: "referral_reasons",
    grain: "one row per content or reason code of a referral",
    description: "What each report of concern is about, as the source coded it (NO saksinnhold: legacy codes to 2025, Kunnskapsmodellen codes from 2026).",
    year: received_on,
    key: [case_key, referral_index, reason_index],
    columns: {
        referral_index: u32 = "Position of the referral in the case (joins referrals.referral_index).",
        reason_index: u32 = "Position of the code on the referral (0, 1, ...).",
        received_on: NaiveDate = "Local date the referral was received (its year is the partition year).",
        system: Dict = "Code system of the reason as recorded (e.g. no.ssb.barnevern.saksinnhold).",
        code: Dict {SystemInColumn("system".into())} = "The reason code exactly as recorded (NO saksinnhold, SE skäl för anmälan).",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, r) in c.referrals.iter().enumerate() {
        let received_on = r.received_on();
        for (j, reason) in r.reasons.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    referral_index: declare::pos(i),
                    reason_index: declare::pos(j),
                    received_on,
                    system: reason.system(),
                    code: reason.code(),
                },
            )?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<SourceCode>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let code = declare::source_code(NAME, x.row, "code", &x.system.0, &x.code.0)?;
        out.push(x.case, x.referral_index, x.reason_index, x.row, code);
        Ok(())
    })
}
