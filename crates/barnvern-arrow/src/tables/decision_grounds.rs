//! `decision_grounds`: the grounds for a decision to act that each investigation found (NO
//! vedtaksgrunnlag).

use chrono::Datelike;

use super::{CaseCol, Ctx, Sink, SourceCols, Staged, put_case, put_source};
use crate::columns::TableReader;
use crate::error::{Error, Result};
use crate::research::{ResearchCase, ResearchGround};
use crate::spec::{Codes, ColumnType as T, Sensitivity as S, TableSpec, case_fields, f};

pub(crate) const NAME: &str = "decision_grounds";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "investigation_index",
            T::Int32,
            S::Index,
            "Position of the investigation in the case (joins investigations.investigation_index).",
        ),
        f(
            "ground_index",
            T::Int32,
            S::Index,
            "Position of the ground on the investigation (0, 1, ...).",
        ),
        f(
            "recorded_on",
            T::Date32,
            S::Date,
            "The investigation's conclusion date, or its start while open (its year is the partition year).",
        ),
        f(
            "system",
            T::Dict,
            S::Code,
            "Code system of the ground as recorded (no.ssb.barnevern.saksinnhold).",
        ),
        f(
            "code",
            T::Dict,
            S::Code,
            "The ground exactly as recorded (SSB saksinnhold: legacy codes to 2025, Kunnskapsmodellen codes from 2026).",
        )
        .codes(Codes::SystemInColumn("system".to_owned())),
        f(
            "has_text",
            T::Bool,
            S::Flag,
            "Whether the description the code may require was recorded (SSB Presisering; the text is never exported).",
        ),
    ]);
    TableSpec::new(
        NAME,
        "one row per ground for a decision to act found by an investigation",
        "Grounds for a decision to act (NO vedtaksgrunnlag, SSB Undersokelse/Vedtaksgrunnlag): what an investigation that concludes with measures or an application to the county board found, in SSB's case-content codes.",
        "recorded_on",
        vec!["case_key", "investigation_index", "ground_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, inv) in c.investigations.iter().enumerate() {
        let on = inv.concluded_on.unwrap_or(inv.started_on);
        for (j, g) in inv.decision_grounds.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, on.year())?;
            put_case(w, c);
            w.u32("investigation_index", u32::try_from(i).ok())
                .u32("ground_index", u32::try_from(j).ok())
                .date("recorded_on", Some(on));
            put_source(w, ["system", "code"], Some(&g.code));
            w.bool("has_text", Some(g.has_text));
            w.end_row()?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchGround>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let inv = r.i32("investigation_index")?;
    let index = r.i32("ground_index")?;
    let code = SourceCols::new(r, ["system", "code"])?;
    let code_col = r.dict("code")?;
    let has_text = r.bool("has_text")?;
    for row in 0..r.rows() {
        let Some(value) = code.get(row)? else {
            return Err(code_col
                .req(row)
                .err()
                .unwrap_or_else(|| Error::data("", "research.null", "ground missing")));
        };
        out.push(
            case.case(ctx, row)?,
            inv.req_index(row)?,
            index.req_index(row)?,
            row,
            ResearchGround {
                code: value,
                has_text: has_text.req(row)?,
            },
        );
    }
    Ok(())
}
