//! `placement_visits`: supervision and follow-up visits made to a placement (NO tilsyn and
//! oppfølging; SSB Tiltak/Tilsyn/Utfort and Tiltak/Oppfolging/Utfort).

use barnvern_intervention::visits::VisitKind;
use chrono::NaiveDate;

use super::{Ctx, Sink, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchIntervention, ResearchVisits};

table! {
    name: "placement_visits",
    grain: "one row per supervision or follow-up visit of a placement",
    description: "Visits made to a foster home: supervision by an independent party (NO tilsyn) and follow-up by the service (NO oppfølging). Their frequencies are in placement_visit_frequencies.",
    year: visited_on,
    key: [case_key, intervention_index, kind, visit_index],
    columns: {
        intervention_index: u32 = "Position of the placement in the case (joins interventions.intervention_index).",
        kind: VisitKind = "Supervision by an independent party (tilsyn) or follow-up by the service (oppfølging).",
        visit_index: u32 = "Position of the visit among the placement's visits of its kind (0, 1, ...).",
        visited_on: NaiveDate = "Date of the visit (SSB Utfort/@UtfortDato; its year is the partition year).",
    }
}

/// The visits of each kind of an intervention.
pub(crate) fn of(iv: &ResearchIntervention) -> [(VisitKind, Option<&ResearchVisits>); 2] {
    [
        (VisitKind::Supervision, iv.supervision.as_ref()),
        (VisitKind::FollowUp, iv.follow_up_visits.as_ref()),
    ]
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, iv) in c.interventions.iter().enumerate() {
        for (kind, v) in of(iv) {
            let visits = v.map(|v| v.visits.as_slice()).unwrap_or_default();
            for (j, on) in visits.iter().enumerate() {
                put(
                    sink,
                    Row {
                        case: c,
                        intervention_index: declare::pos(i),
                        kind,
                        visit_index: declare::pos(j),
                        visited_on: *on,
                    },
                )?;
            }
        }
    }
    Ok(())
}

/// A visit read: case, intervention, kind, position, row, date.
pub(crate) type Visit = (usize, u32, VisitKind, u32, usize, NaiveDate);

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Vec<Visit>) -> Result<()> {
    read_rows(r, ctx, |x| {
        out.push((x.case, x.intervention_index, x.kind, x.visit_index, x.row, x.visited_on));
        Ok(())
    })
}
