//! `meeting_agencies`: the agencies present at each coordination meeting.

use barnvern_intervention::meeting::Agency;
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchCoded};

table! {
    name: "meeting_agencies",
    grain: "one row per agency present at a meeting",
    description: "Agencies present at coordination meetings (school, child psychiatry, police, welfare agency, ...).",
    year: held_on,
    key: [case_key, meeting_index, agency_index],
    columns: {
        meeting_index: u32 = "Position of the meeting in the case (joins meetings.meeting_index).",
        agency_index: u32 = "Position of the agency on the meeting (0, 1, ...).",
        held_on: NaiveDate = "Date of the meeting (its year is the partition year).",
        agency: ResearchCoded<Agency> = "the agency present",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, m) in c.meetings.iter().enumerate() {
        for (j, a) in m.agencies.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    meeting_index: declare::pos(i),
                    agency_index: declare::pos(j),
                    held_on: m.held_on,
                    agency: a,
                },
            )?;
        }
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchCoded<Agency>>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        out.push(x.case, x.meeting_index, x.agency_index, x.row, x.agency);
        Ok(())
    })
}
