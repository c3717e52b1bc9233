//! `decision_status`: the status history of each decision.

use barnvern_case::decision::DecisionStatus;
use chrono::Datelike;

use super::{CaseCol, CodedCols, Ctx, Sink, Staged, coded_names, put_case, put_coded};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchStatusChange};
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, coded_fields, f};

pub(crate) const NAME: &str = "decision_status";

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
            "status_index",
            T::Int32,
            S::Index,
            "Position of the change in the decision's history (0, 1, ...).",
        ),
        f(
            "changed_on",
            T::Date32,
            S::Date,
            "Date of the status change (its year is the partition year).",
        ),
    ]);
    fields.extend(coded_fields::<DecisionStatus>(
        "status",
        "the new status (SSB Vedtak/Status)",
        false,
    ));
    TableSpec::new(
        NAME,
        "one row per status change of a decision",
        "Status history of decisions (approved, sent to the board, lapsed, refused or ended).",
        "changed_on",
        vec!["case_key", "decision_index", "status_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, d) in c.decisions.iter().enumerate() {
        for (j, s) in d.status_history.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, s.on.year())?;
            put_case(w, c);
            w.u32("decision_index", u32::try_from(i).ok())
                .u32("status_index", u32::try_from(j).ok())
                .date("changed_on", Some(s.on));
            put_coded(w, coded_names!("status"), Some(&s.status));
            w.end_row()?;
        }
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchStatusChange>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let decision = r.i32("decision_index")?;
    let index = r.i32("status_index")?;
    let on = r.date("changed_on")?;
    let status = CodedCols::new(r, coded_names!("status"))?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            decision.req_index(row)?,
            index.req_index(row)?,
            row,
            ResearchStatusChange {
                status: status.req(row)?,
                on: on.req(row)?,
            },
        );
    }
    Ok(())
}
