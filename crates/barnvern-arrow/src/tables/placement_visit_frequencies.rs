//! `placement_visit_frequencies`: how often supervision and follow-up visits of a placement
//! are due, from each date (SSB Tilsyn/Hyppighet and Oppfolging/Hyppighet), with the
//! municipality responsible for supervision.

use barnvern_intervention::visits::{VisitFrequency, VisitKind};
use chrono::NaiveDate;

use super::{Ctx, Sink, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchCoded};

table! {
    name: "placement_visit_frequencies",
    grain: "one row per visit frequency of a placement",
    description: "How often a foster home is to be visited, by an independent supervisor (NO tilsyn) and by the service (NO oppfølging), from each date. The visits made are in placement_visits.",
    year: valid_from,
    key: [case_key, intervention_index, kind, frequency_index],
    columns: {
        intervention_index: u32 = "Position of the placement in the case (joins interventions.intervention_index).",
        kind: VisitKind = "Supervision by an independent party (tilsyn) or follow-up by the service (oppfølging).",
        frequency_index: u32 = "Position of the frequency among the placement's frequencies of its kind (0, 1, ...).",
        valid_from: NaiveDate = "From when the frequency applies (SSB Hyppighet/@StartDato; its year is the partition year).",
        frequency: ResearchCoded<VisitFrequency> = "visits due a year (SSB Hyppighet: 4 standard, 2 reduced)",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, iv) in c.interventions.iter().enumerate() {
        for (kind, v) in super::placement_visits::of(iv) {
            let frequencies = v.map(|v| v.frequency.as_slice()).unwrap_or_default();
            for (j, (from, freq)) in frequencies.iter().enumerate() {
                put(
                    sink,
                    Row {
                        case: c,
                        intervention_index: declare::pos(i),
                        kind,
                        frequency_index: declare::pos(j),
                        valid_from: *from,
                        frequency: freq,
                    },
                )?;
            }
        }
    }
    Ok(())
}

/// A frequency read: case, intervention, kind, position, row, (from, frequency).
pub(crate) type Frequency = (
    usize,
    u32,
    VisitKind,
    u32,
    usize,
    (NaiveDate, ResearchCoded<VisitFrequency>),
);

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Vec<Frequency>) -> Result<()> {
    read_rows(r, ctx, |x| {
        out.push((
            x.case,
            x.intervention_index,
            x.kind,
            x.frequency_index,
            x.row,
            (x.valid_from, x.frequency),
        ));
        Ok(())
    })
}
