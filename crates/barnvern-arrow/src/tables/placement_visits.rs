//! `placement_visits`: supervision and follow-up visits made to a placement (NO tilsyn and
//! oppfølging; SSB Tiltak/Tilsyn/Utfort and Tiltak/Oppfolging/Utfort).

use barnvern_intervention::visits::VisitKind;
use chrono::{Datelike, NaiveDate};

use super::{CaseCol, Ctx, Sink, put_case};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchIntervention, ResearchVisits};
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f};

pub(crate) const NAME: &str = "placement_visits";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "intervention_index",
            T::Int32,
            S::Index,
            "Position of the placement in the case (joins interventions.intervention_index).",
        ),
        code::<VisitKind>(
            "kind",
            "Supervision by an independent party (tilsyn) or follow-up by the service (oppfølging).",
        ),
        f(
            "visit_index",
            T::Int32,
            S::Index,
            "Position of the visit among the placement's visits of its kind (0, 1, ...).",
        ),
        f(
            "visited_on",
            T::Date32,
            S::Date,
            "Date of the visit (SSB Utfort/@UtfortDato; its year is the partition year).",
        ),
    ]);
    TableSpec::new(
        NAME,
        "one row per supervision or follow-up visit of a placement",
        "Visits made to a foster home: supervision by an independent party (NO tilsyn) and follow-up by the service (NO oppfølging). Their frequencies are in placement_visit_frequencies.",
        "visited_on",
        vec!["case_key", "intervention_index", "kind", "visit_index"],
        fields,
    )
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
            for (j, on) in v
                .map(|v| v.visits.as_slice())
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let w = sink.writer(NAME, c.jurisdiction, on.year())?;
                put_case(w, c);
                w.u32("intervention_index", u32::try_from(i).ok())
                    .code("kind", Some(kind))
                    .u32("visit_index", u32::try_from(j).ok())
                    .date("visited_on", Some(*on));
                w.end_row()?;
            }
        }
    }
    Ok(())
}

/// A visit read: case, intervention, kind, position, row, date.
pub(crate) type Visit = (usize, u32, VisitKind, u32, usize, NaiveDate);

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Vec<Visit>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let iv = r.i32("intervention_index")?;
    let kind = r.dict("kind")?;
    let index = r.i32("visit_index")?;
    let on = r.date("visited_on")?;
    for row in 0..r.rows() {
        out.push((
            case.case(ctx, row)?,
            iv.req_index(row)?,
            kind.req_code(row)?,
            index.req_index(row)?,
            row,
            on.req(row)?,
        ));
    }
    Ok(())
}
