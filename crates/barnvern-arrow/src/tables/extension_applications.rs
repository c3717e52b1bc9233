//! `extension_applications`: the application behind each extension of an investigation
//! deadline, where recorded (NO SSB `UtvidetFrist`: received on, granted or not).

use chrono::Datelike;

use super::{CaseCol, Ctx, Sink, put_case};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchExtensionApplication};
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, f, opt};

pub(crate) const NAME: &str = "extension_applications";

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
            "Position of the extension on the investigation (joins investigation_extensions.extension_index).",
        ),
        f(
            "decided_on",
            T::Date32,
            S::Date,
            "Date of the extension decision (its year is the partition year).",
        ),
        opt(
            "applied_on",
            T::Date32,
            S::Date,
            "When the application for the extension was received (SSB UtvidetFrist/@StartDato).",
        ),
        opt(
            "granted",
            T::Bool,
            S::Flag,
            "Whether it was granted (SSB UtvidetFrist/@Innvilget 1 yes, 2 no); null when not recorded. A refused application extends nothing.",
        ),
    ]);
    TableSpec::new(
        NAME,
        "one row per extension whose application is recorded",
        "Applications for extending the investigation deadline (NO utvidet frist, bvl. § 2-2): when received, and whether granted.",
        "decided_on",
        vec!["case_key", "investigation_index", "extension_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, inv) in c.investigations.iter().enumerate() {
        for (j, (e, a)) in inv
            .extensions
            .iter()
            .zip(&inv.extension_applications)
            .enumerate()
        {
            let Some(a) = a else {
                continue;
            };
            let w = sink.writer(NAME, c.jurisdiction, e.decided_on.year())?;
            put_case(w, c);
            w.u32("investigation_index", u32::try_from(i).ok())
                .u32("extension_index", u32::try_from(j).ok())
                .date("decided_on", Some(e.decided_on))
                .date("applied_on", a.applied_on)
                .bool("granted", a.granted);
            w.end_row()?;
        }
    }
    Ok(())
}

/// Each application with its case, investigation and extension position.
pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Vec<(usize, u32, u32, usize, ResearchExtensionApplication)>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let inv = r.i32("investigation_index")?;
    let index = r.i32("extension_index")?;
    let applied = r.date("applied_on")?;
    let granted = r.bool("granted")?;
    for row in 0..r.rows() {
        out.push((
            case.case(ctx, row)?,
            inv.req_index(row)?,
            index.req_index(row)?,
            row,
            ResearchExtensionApplication {
                applied_on: applied.get(row)?,
                granted: granted.get(row),
            },
        ));
    }
    Ok(())
}
