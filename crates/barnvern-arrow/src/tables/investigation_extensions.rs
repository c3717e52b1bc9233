//! `investigation_extensions`: extensions of investigation deadlines, without their reasons.

use chrono::Datelike;

use super::{CaseCol, Ctx, Sink, Staged, put_case};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchExtension};
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, f};

pub(crate) const NAME: &str = "investigation_extensions";

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
            "extension_index",
            T::Int32,
            S::Index,
            "Position of the extension on the investigation (0, 1, ...).",
        ),
        f(
            "decided_on",
            T::Date32,
            S::Date,
            "Date of the extension decision (its year is the partition year).",
        ),
        f(
            "new_due",
            T::Date32,
            S::Date,
            "The new due date. The reason (free text) is never exported.",
        ),
    ]);
    TableSpec::new(
        NAME,
        "one row per extension of an investigation deadline",
        "Extensions of the investigation deadline by decision (SE förlängning, SoL 11:2; NO utvidet frist, bvl. § 2-2).",
        "decided_on",
        vec!["case_key", "investigation_index", "extension_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, inv) in c.investigations.iter().enumerate() {
        for (j, e) in inv.extensions.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, e.decided_on.year())?;
            put_case(w, c);
            w.u32("investigation_index", u32::try_from(i).ok())
                .u32("extension_index", u32::try_from(j).ok())
                .date("decided_on", Some(e.decided_on))
                .date("new_due", Some(e.new_due));
            w.end_row()?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchExtension>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let inv = r.i32("investigation_index")?;
    let index = r.i32("extension_index")?;
    let decided = r.date("decided_on")?;
    let due = r.date("new_due")?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            inv.req_index(row)?,
            index.req_index(row)?,
            row,
            ResearchExtension {
                decided_on: decided.req(row)?,
                new_due: due.req(row)?,
            },
        );
    }
    Ok(())
}
