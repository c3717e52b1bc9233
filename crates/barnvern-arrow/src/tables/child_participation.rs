//! `child_participation`: how the child took part in each investigation.

use barnvern_case::investigation::ChildParticipation;
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchCoded};

table! {
    name: "child_participation",
    grain: "one row per way the child took part in an investigation",
    description: "Child participation in investigations (NO barnets medvirkning; SSB codes 1.1-2.2).",
    year: started_on,
    key: [case_key, investigation_index, participation_index],
    columns: {
        investigation_index: u32 = "Position of the investigation in the case (joins investigations.investigation_index).",
        participation_index: u32 = "Position of the record on the investigation (0, 1, ...).",
        started_on: NaiveDate = "Start date of the investigation (its year is the partition year).",
        participation: ResearchCoded<ChildParticipation> = "how the child took part (NO barnets medvirkning, SSB MedvirkningType)",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, inv) in c.investigations.iter().enumerate() {
        for (j, p) in inv.child_participation.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    investigation_index: declare::pos(i),
                    participation_index: declare::pos(j),
                    started_on: inv.started_on,
                    participation: p,
                },
            )?;
        }
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchCoded<ChildParticipation>>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        out.push(x.case, x.investigation_index, x.participation_index, x.row, x.participation);
        Ok(())
    })
}
