//! `meetings`: coordination meetings (SE samordningsmöte, NO samarbeidsmøte).

use barnvern_intervention::meeting::MeetingType;
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchCoded, ResearchMeeting, ResearchProvenance};

table! {
    name: "meetings",
    grain: "one row per coordination meeting",
    description: "Coordination meetings: type, who took part and the plan concerned. The agencies present are in meeting_agencies.",
    year: held_on,
    key: [case_key, meeting_index],
    columns: {
        meeting_index: u32 = "Position of the meeting in the case (0, 1, ...).",
        held_on: NaiveDate = "Date of the meeting (its year is the partition year).",
        meeting_type: ResearchCoded<MeetingType> = "the meeting type (SIP, responsibility group, cooperation, network)",
        child_took_part: bool = "Whether the child took part.",
        carers_took_part: bool = "Whether carers took part.",
        plan_index: Option<u32> = "Position of the plan the meeting concerns (joins plans.plan_index).",
        provenance: ResearchProvenance = "",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, m) in c.meetings.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                meeting_index: declare::pos(i),
                held_on: m.held_on,
                meeting_type: &m.meeting_type,
                child_took_part: m.child_took_part,
                carers_took_part: m.carers_took_part,
                plan_index: m.plan_index,
                provenance: &m.provenance,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchMeeting>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let meeting = ResearchMeeting {
            held_on: x.held_on,
            meeting_type: x.meeting_type,
            agencies: Vec::new(),
            child_took_part: x.child_took_part,
            carers_took_part: x.carers_took_part,
            plan_index: x.plan_index,
            provenance: x.provenance,
        };
        out.push(x.case, 0, x.meeting_index, x.row, meeting);
        Ok(())
    })
}
