//! `fp_coordination_agencies`: the agencies involved in each coordination activity.

use barnvern_intervention::meeting::Agency;
use chrono::NaiveDate;

use super::fp_enrolments::FAMILY_KEY;
use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::ResearchCase;
use barnvern_research::case::ResearchCoded;

table! {
    name: "fp_coordination_agencies",
    grain: "one row per agency involved in a coordination activity",
    description: "Agencies the Family Partner coordinated with (school, child psychiatry, welfare agency, ...).",
    year: coordination_on,
    key: [case_key, coordination_index, agency_index],
    columns: {
        family_key: Pseudonym = FAMILY_KEY,
        coordination_index: u32 = "Position of the activity (joins fp_coordination.coordination_index).",
        agency_index: u32 = "Position of the agency on the activity (0, 1, ...).",
        coordination_on: NaiveDate = "Date of the activity (its year is the partition year).",
        agency: ResearchCoded<Agency> = "the agency involved",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, a) in fam.coordination.iter().enumerate() {
        for (j, agency) in a.agencies.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    family_key: &fam.family_key,
                    coordination_index: declare::pos(i),
                    agency_index: declare::pos(j),
                    coordination_on: a.on,
                    agency,
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
        out.push(x.case, x.coordination_index, x.agency_index, x.row, x.agency);
        Ok(())
    })
}
