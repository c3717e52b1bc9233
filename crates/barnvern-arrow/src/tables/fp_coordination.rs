//! `fp_coordination`: coordination activities of a Family Partner on the family's behalf (SE
//! samordning, NO koordinering).

use barnvern_familypartner::CoordinationKind;
use chrono::NaiveDate;

use super::fp_enrolments::FAMILY_KEY;
use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::ResearchCase;
use barnvern_research::family::ResearchCoordination;

table! {
    name: "fp_coordination",
    grain: "one row per coordination activity",
    description: "Coordination work of the Family Partner with other services. The agencies involved are in fp_coordination_agencies.",
    year: coordination_on,
    key: [case_key, coordination_index],
    columns: {
        family_key: Pseudonym = FAMILY_KEY,
        coordination_index: u32 = "Position of the activity in the family's record (0, 1, ...).",
        coordination_on: NaiveDate = "Date of the activity (its year is the partition year).",
        kind: CoordinationKind = "What kind of coordination (meeting, call, referral, accompanying, other).",
        minutes: Option<u16> [from(0, "minutes")] = "Minutes spent.",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, a) in fam.coordination.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                family_key: &fam.family_key,
                coordination_index: declare::pos(i),
                coordination_on: a.on,
                kind: a.kind,
                minutes: a.minutes,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchCoordination>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        let activity = ResearchCoordination {
            on: x.coordination_on,
            kind: x.kind,
            minutes: x.minutes,
            agencies: Vec::new(),
        };
        out.push(x.case, 0, x.coordination_index, x.row, activity);
        Ok(())
    })
}
