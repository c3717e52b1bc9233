//! `aftercare_conclusions`: how each aftercare offer ended (NO ettervern; SSB
//! Ettervern/Konklusjon).

use barnvern_case::follow_up::AftercareOutcome;
use chrono::NaiveDate;

use super::{Ctx, Sink, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchAftercare, ResearchCase, ResearchCoded};

table! {
    name: "aftercare_conclusions",
    grain: "one row per concluded aftercare offer",
    description: "How aftercare offers to young adults ended (NO ettervern, bvl. 2021 § 8-3).",
    year: concluded_on,
    key: [case_key, follow_up_index],
    columns: {
        follow_up_index: u32 = "Position of the aftercare follow-up in the case (joins follow_ups.follow_up_index).",
        concluded_on: NaiveDate = "When the offer was concluded (SSB Konklusjon/@SluttDato; its year is the partition year).",
        outcome: ResearchCoded<AftercareOutcome> = "what the young adult did with the offer (SSB Ettervern/Konklusjon: 1 accepted, 2 declined wanting another measure, 3 no more measures wanted)",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, f) in c.follow_ups.iter().enumerate() {
        if let Some(a) = &f.aftercare {
            put(
                sink,
                Row {
                    case: c,
                    follow_up_index: declare::pos(i),
                    concluded_on: a.concluded_on,
                    outcome: &a.outcome,
                },
            )?;
        }
    }
    Ok(())
}

/// A conclusion read: case, follow-up position, row, conclusion.
pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Vec<(usize, u32, usize, ResearchAftercare)>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        let conclusion = ResearchAftercare {
            concluded_on: x.concluded_on,
            outcome: x.outcome,
        };
        out.push((x.case, x.follow_up_index, x.row, conclusion));
        Ok(())
    })
}
