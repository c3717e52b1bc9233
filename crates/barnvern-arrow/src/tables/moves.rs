//! `moves`: moves of a placed child (NO flytting; SSB Flytting), with the coded reason and
//! destination.

use chrono::Datelike;

use super::{
    CaseCol, Ctx, ProvCols, Sink, SourceCols, Staged, put_case, put_provenance, put_source,
};
use crate::columns::TableReader;
use crate::error::{Error, Result};
use crate::research::{ResearchCase, ResearchMove};
use crate::spec::{
    Codes, ColumnType as T, Sensitivity as S, TableSpec, case_fields, f, provenance_fields,
};

pub(crate) const NAME: &str = "moves";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "move_index",
            T::Int32,
            S::Index,
            "Position of the move in the case (0, 1, ...).",
        ),
        f(
            "moved_on",
            T::Date32,
            S::Date,
            "When the child moved (SSB Flytting/@SluttDato; its year is the partition year).",
        ),
        f(
            "reason_from_system",
            T::Dict,
            S::Code,
            "Code system of the reason for the move (no.ssb.barnevern.flytting-arsak-fra).",
        ),
        f(
            "reason_from_code",
            T::Dict,
            S::Code,
            "Why the child moved from the placement, as recorded (SSB ArsakFra, e.g. 1.1.3).",
        )
        .codes(Codes::SystemInColumn("reason_from_system".to_owned())),
        f(
            "reason_from_has_text",
            T::Bool,
            S::Flag,
            "Whether a description was recorded with the reason (never exported).",
        ),
        f(
            "moved_to_system",
            T::Dict,
            S::Code,
            "Code system of the destination (no.ssb.barnevern.flytting-til).",
        ),
        f(
            "moved_to_code",
            T::Dict,
            S::Code,
            "Where the child moved to, as recorded (SSB FlyttingTil, e.g. 3 emergency home).",
        )
        .codes(Codes::SystemInColumn("moved_to_system".to_owned())),
        f(
            "moved_to_has_text",
            T::Bool,
            S::Flag,
            "Whether a description was recorded with the destination (never exported).",
        ),
    ]);
    fields.extend(provenance_fields());
    TableSpec::new(
        NAME,
        "one row per move of a placed child",
        "Moves of a child in care from one placement to another (NO flytting), with SSB's coded reason and destination.",
        "moved_on",
        vec!["case_key", "move_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, m) in c.moves.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, m.moved_on.year())?;
        put_case(w, c);
        w.u32("move_index", u32::try_from(i).ok())
            .date("moved_on", Some(m.moved_on));
        put_source(
            w,
            ["reason_from_system", "reason_from_code"],
            Some(&m.reason_from),
        );
        w.bool("reason_from_has_text", Some(m.reason_from_has_text));
        put_source(w, ["moved_to_system", "moved_to_code"], Some(&m.moved_to));
        w.bool("moved_to_has_text", Some(m.moved_to_has_text));
        put_provenance(w, &m.provenance);
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchMove>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("move_index")?;
    let moved = r.date("moved_on")?;
    let from = SourceCols::new(r, ["reason_from_system", "reason_from_code"])?;
    let from_text = r.bool("reason_from_has_text")?;
    let to = SourceCols::new(r, ["moved_to_system", "moved_to_code"])?;
    let to_text = r.bool("moved_to_has_text")?;
    let prov = ProvCols::new(r)?;
    let missing = || Error::data("", "research.null", "a move's code is missing");
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchMove {
                moved_on: moved.req(row)?,
                reason_from: from.get(row)?.ok_or_else(missing)?,
                reason_from_has_text: from_text.req(row)?,
                moved_to: to.get(row)?.ok_or_else(missing)?,
                moved_to_has_text: to_text.req(row)?,
                provenance: prov.get(row)?,
            },
        );
    }
    Ok(())
}
