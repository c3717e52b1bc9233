//! `decision_status`: the status history of each decision.

use barnvern_case::decision::DecisionStatus;
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchCoded, ResearchStatusChange};

table! {
    name: "decision_status",
    grain: "one row per status change of a decision",
    description: "Status history of decisions (approved, sent to the board, lapsed, refused or ended).",
    year: changed_on,
    key: [case_key, decision_index, status_index],
    columns: {
        decision_index: u32 = "Position of the decision in the case (joins decisions.decision_index).",
        status_index: u32 = "Position of the change in the decision's history (0, 1, ...).",
        changed_on: NaiveDate = "Date of the status change (its year is the partition year).",
        status: ResearchCoded<DecisionStatus> = "the new status (SSB Vedtak/Status)",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, d) in c.decisions.iter().enumerate() {
        for (j, s) in d.status_history.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    decision_index: declare::pos(i),
                    status_index: declare::pos(j),
                    changed_on: s.on,
                    status: &s.status,
                },
            )?;
        }
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchStatusChange>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        let change = ResearchStatusChange {
            status: x.status,
            on: x.changed_on,
        };
        out.push(x.case, x.decision_index, x.status_index, x.row, change);
        Ok(())
    })
}
