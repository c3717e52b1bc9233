//! `decision_grounds`: the grounds for a decision to act that each investigation found (NO
//! vedtaksgrunnlag).

use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchGround};
use declare::Dict;

table! {
    name: "decision_grounds",
    grain: "one row per ground for a decision to act found by an investigation",
    description: "Grounds for a decision to act (NO vedtaksgrunnlag, SSB Undersokelse/Vedtaksgrunnlag): what an investigation that concludes with measures or an application to the county board found, in SSB's case-content codes.",
    year: recorded_on,
    key: [case_key, investigation_index, ground_index],
    columns: {
        investigation_index: u32 = "Position of the investigation in the case (joins investigations.investigation_index).",
        ground_index: u32 = "Position of the ground on the investigation (0, 1, ...).",
        recorded_on: NaiveDate = "The investigation's conclusion date, or its start while open (its year is the partition year).",
        system: Dict = "Code system of the ground as recorded (no.ssb.barnevern.saksinnhold).",
        code: Dict {SystemInColumn("system".into())} = "The ground exactly as recorded (SSB saksinnhold: legacy codes to 2025, Kunnskapsmodellen codes from 2026).",
        has_text: bool = "Whether the description the code may require was recorded (SSB Presisering; the text is never exported).",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, inv) in c.investigations.iter().enumerate() {
        let on = inv.concluded_on.unwrap_or(inv.started_on);
        for (j, g) in inv.decision_grounds.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    investigation_index: declare::pos(i),
                    ground_index: declare::pos(j),
                    recorded_on: on,
                    system: g.code.system(),
                    code: g.code.code(),
                    has_text: g.has_text,
                },
            )?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchGround>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let ground = ResearchGround {
            code: declare::source_code(NAME, x.row, "code", &x.system.0, &x.code.0)?,
            has_text: x.has_text,
        };
        out.push(x.case, x.investigation_index, x.ground_index, x.row, ground);
        Ok(())
    })
}
