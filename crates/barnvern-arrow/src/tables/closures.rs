//! `closures`: closures of cases and their reopenings.

use barnvern_case::follow_up::ClosureReason;
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchClosure, ResearchCoded, ResearchProvenance};

table! {
    name: "closures",
    grain: "one row per closure of a case",
    description: "Closures of cases (SE avslut, NO avslutning), with the reason and any reopening.",
    year: closed_on,
    key: [case_key, closure_index],
    columns: {
        closure_index: u32 = "Position of the closure in the case (0, 1, ...), in date order.",
        closed_on: NaiveDate = "Date the case was closed (its year is the partition year).",
        reason: ResearchCoded<ClosureReason> = "why the case was closed",
        reopened_on: Option<NaiveDate> = "Date the case was reopened; null if it was not.",
        provenance: ResearchProvenance = "",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, cl) in c.closures.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                closure_index: declare::pos(i),
                closed_on: cl.closed_on,
                reason: &cl.reason,
                reopened_on: cl.reopened_on,
                provenance: &cl.provenance,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchClosure>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let closure = ResearchClosure {
            closed_on: x.closed_on,
            reason: x.reason,
            reopened_on: x.reopened_on,
            provenance: x.provenance,
        };
        out.push(x.case, 0, x.closure_index, x.row, closure);
        Ok(())
    })
}
