//! `supervision_responsibility`: the municipality responsible for supervising a placement,
//! from each date (SSB Tilsyn/Ansvarlig).

use barnvern_core::municipality::MunicipalityCode;
use chrono::NaiveDate;

use super::{Ctx, Sink, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::ResearchCase;
use declare::Dict;

table! {
    name: "supervision_responsibility",
    grain: "one row per municipality responsible for supervising a placement",
    description: "Which municipality is responsible for the supervision (NO tilsyn) of a foster home, from each date.",
    year: valid_from,
    key: [case_key, intervention_index, responsibility_index],
    columns: {
        intervention_index: u32 = "Position of the placement in the case (joins interventions.intervention_index).",
        responsibility_index: u32 = "Position of the responsibility on the placement (0, 1, ...).",
        valid_from: NaiveDate = "From when the municipality is responsible (SSB Ansvarlig/@StartDato; its year is the partition year).",
        municipality: Dict = "The responsible municipality (NO kommunenummer), as valid on valid_from.",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, iv) in c.interventions.iter().enumerate() {
        let Some(s) = &iv.supervision else {
            continue;
        };
        for (j, (from, m)) in s.responsible.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    intervention_index: declare::pos(i),
                    responsibility_index: declare::pos(j),
                    valid_from: *from,
                    municipality: m.as_str(),
                },
            )?;
        }
    }
    Ok(())
}

/// A responsibility read: case, intervention, position, row, (from, municipality).
pub(crate) type Responsibility = (usize, u32, u32, usize, (NaiveDate, MunicipalityCode));

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Vec<Responsibility>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let municipality = MunicipalityCode::new(x.municipality.0);
        let municipality = declare::parsed(NAME, x.row, "municipality", municipality)?;
        out.push((
            x.case,
            x.intervention_index,
            x.responsibility_index,
            x.row,
            (x.valid_from, municipality),
        ));
        Ok(())
    })
}
