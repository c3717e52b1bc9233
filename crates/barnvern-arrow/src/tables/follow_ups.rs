//! `follow_ups`: follow-ups (SE uppföljning, NO oppfølging).

use barnvern_case::follow_up::FollowUpKind;
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchFollowUp, ResearchProvenance};

table! {
    name: "follow_ups",
    grain: "one row per follow-up",
    description: "Follow-up contacts and reviews (SE uppföljning, NO oppfølging).",
    year: follow_up_on,
    key: [case_key, follow_up_index],
    columns: {
        follow_up_index: u32 = "Position of the follow-up in the case (0, 1, ...).",
        follow_up_on: NaiveDate = "Date of the follow-up (its year is the partition year).",
        kind: FollowUpKind = "What kind of follow-up (after closure, measure review, aftercare, other).",
        provenance: ResearchProvenance = "",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, fu) in c.follow_ups.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                follow_up_index: declare::pos(i),
                follow_up_on: fu.on,
                kind: fu.kind,
                provenance: &fu.provenance,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchFollowUp>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let follow_up = ResearchFollowUp {
            on: x.follow_up_on,
            kind: x.kind,
            // Filled from violence_disclosures and aftercare_conclusions.
            violence: Vec::new(),
            aftercare: None,
            provenance: x.provenance,
        };
        out.push(x.case, 0, x.follow_up_index, x.row, follow_up);
        Ok(())
    })
}
