//! `decision_ends`: the date each decision that has ended ended (SSB Vedtak/Konklusjon).

use chrono::NaiveDate;

use super::{Ctx, Sink, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::ResearchCase;

table! {
    name: "decision_ends",
    grain: "one row per decision that has ended",
    description: "End dates of decisions: SSB requires one once a decision has lapsed or been refused or ended (status 3 or 4). A decision with no row here has not ended.",
    year: ended_on,
    key: [case_key, decision_index],
    columns: {
        decision_index: u32 = "Position of the decision in the case (joins decisions.decision_index).",
        ended_on: NaiveDate = "The date the decision ended (SSB Vedtak/Konklusjon/@SluttDato; its year is the partition year).",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, d) in c.decisions.iter().enumerate() {
        if let Some(end) = d.ended_on {
            put(
                sink,
                Row {
                    case: c,
                    decision_index: declare::pos(i),
                    ended_on: end,
                },
            )?;
        }
    }
    Ok(())
}

/// Each end date with its case and decision position.
pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Vec<(usize, u32, usize, NaiveDate)>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        out.push((x.case, x.decision_index, x.row, x.ended_on));
        Ok(())
    })
}
