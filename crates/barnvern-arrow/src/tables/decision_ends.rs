//! `decision_ends`: the date each decision that has ended ended (SSB Vedtak/Konklusjon).

use chrono::Datelike;

use super::{CaseCol, Ctx, Sink, put_case};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::ResearchCase;
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, f};

pub(crate) const NAME: &str = "decision_ends";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "decision_index",
            T::Int32,
            S::Index,
            "Position of the decision in the case (joins decisions.decision_index).",
        ),
        f(
            "ended_on",
            T::Date32,
            S::Date,
            "The date the decision ended (SSB Vedtak/Konklusjon/@SluttDato; its year is the partition year).",
        ),
    ]);
    TableSpec::new(
        NAME,
        "one row per decision that has ended",
        "End dates of decisions: SSB requires one once a decision has lapsed or been refused or ended (status 3 or 4). A decision with no row here has not ended.",
        "ended_on",
        vec!["case_key", "decision_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, d) in c.decisions.iter().enumerate() {
        let Some(end) = d.ended_on else {
            continue;
        };
        let w = sink.writer(NAME, c.jurisdiction, end.year())?;
        put_case(w, c);
        w.u32("decision_index", u32::try_from(i).ok())
            .date("ended_on", Some(end));
        w.end_row()?;
    }
    Ok(())
}

/// Each end date with its case and decision position.
pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Vec<(usize, u32, usize, chrono::NaiveDate)>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let decision = r.i32("decision_index")?;
    let end = r.date("ended_on")?;
    for row in 0..r.rows() {
        out.push((
            case.case(ctx, row)?,
            decision.req_index(row)?,
            row,
            end.req(row)?,
        ));
    }
    Ok(())
}
