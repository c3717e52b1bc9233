//! `investigation_extensions`: extensions of investigation deadlines, without their reasons.

use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchExtension};

table! {
    name: "investigation_extensions",
    grain: "one row per extension of an investigation deadline",
    description: "Extensions of the investigation deadline by decision (SE förlängning, SoL 11:2; NO utvidet frist, bvl. § 2-2).",
    year: decided_on,
    key: [case_key, investigation_index, extension_index],
    columns: {
        investigation_index: u32 = "Position of the investigation in the case (joins investigations.investigation_index).",
        extension_index: u32 = "Position of the extension on the investigation (0, 1, ...).",
        decided_on: NaiveDate = "Date of the extension decision (its year is the partition year).",
        new_due: NaiveDate = "The new due date. The reason (free text) is never exported.",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, inv) in c.investigations.iter().enumerate() {
        for (j, e) in inv.extensions.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    investigation_index: declare::pos(i),
                    extension_index: declare::pos(j),
                    decided_on: e.decided_on,
                    new_due: e.new_due,
                },
            )?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchExtension>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let extension = ResearchExtension {
            decided_on: x.decided_on,
            new_due: x.new_due,
        };
        out.push(x.case, x.investigation_index, x.extension_index, x.row, extension);
        Ok(())
    })
}
