//! `moves`: moves of a placed child (NO flytting; SSB Flytting), with the coded reason and
//! destination.

use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchMove, ResearchProvenance};
use declare::Dict;

table! {
    name: "moves",
    grain: "one row per move of a placed child",
    description: "Moves of a child in care from one placement to another (NO flytting), with SSB's coded reason and destination.",
    year: moved_on,
    key: [case_key, move_index],
    columns: {
        move_index: u32 = "Position of the move in the case (0, 1, ...).",
        moved_on: NaiveDate = "When the child moved (SSB Flytting/@SluttDato; its year is the partition year).",
        reason_from_system: Dict = "Code system of the reason for the move (no.ssb.barnevern.flytting-arsak-fra).",
        reason_from_code: Dict {SystemInColumn("reason_from_system".into())} = "Why the child moved from the placement, as recorded (SSB ArsakFra, e.g. 1.1.3).",
        reason_from_has_text: bool = "Whether a description was recorded with the reason (never exported).",
        moved_to_system: Dict = "Code system of the destination (no.ssb.barnevern.flytting-til).",
        moved_to_code: Dict {SystemInColumn("moved_to_system".into())} = "Where the child moved to, as recorded (SSB FlyttingTil, e.g. 3 emergency home).",
        moved_to_has_text: bool = "Whether a description was recorded with the destination (never exported).",
        provenance: ResearchProvenance = "",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, m) in c.moves.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                move_index: declare::pos(i),
                moved_on: m.moved_on,
                reason_from_system: m.reason_from.system(),
                reason_from_code: m.reason_from.code(),
                reason_from_has_text: m.reason_from_has_text,
                moved_to_system: m.moved_to.system(),
                moved_to_code: m.moved_to.code(),
                moved_to_has_text: m.moved_to_has_text,
                provenance: &m.provenance,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchMove>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let code = |column, system: Dict, code: Dict| {
            declare::source_code(NAME, x.row, column, &system.0, &code.0)
        };
        let moved = ResearchMove {
            moved_on: x.moved_on,
            reason_from: code("reason_from_code", x.reason_from_system, x.reason_from_code)?,
            reason_from_has_text: x.reason_from_has_text,
            moved_to: code("moved_to_code", x.moved_to_system, x.moved_to_code)?,
            moved_to_has_text: x.moved_to_has_text,
            provenance: x.provenance,
        };
        out.push(x.case, 0, x.move_index, x.row, moved);
        Ok(())
    })
}
