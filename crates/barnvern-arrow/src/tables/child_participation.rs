//! `child_participation`: how the child took part in each investigation.

use barnvern_case::investigation::ChildParticipation;
use chrono::Datelike;

use super::{CaseCol, CodedCols, Ctx, Sink, Staged, coded_names, put_case, put_coded};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchCoded};
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, coded_fields, f};

pub(crate) const NAME: &str = "child_participation";

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
            "participation_index",
            T::Int32,
            S::Index,
            "Position of the record on the investigation (0, 1, ...).",
        ),
        f(
            "started_on",
            T::Date32,
            S::Date,
            "Start date of the investigation (its year is the partition year).",
        ),
    ]);
    fields.extend(coded_fields::<ChildParticipation>(
        "participation",
        "how the child took part (NO barnets medvirkning, SSB MedvirkningType)",
        false,
    ));
    TableSpec::new(
        NAME,
        "one row per way the child took part in an investigation",
        "Child participation in investigations (NO barnets medvirkning; SSB codes 1.1-2.2).",
        "started_on",
        vec!["case_key", "investigation_index", "participation_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, inv) in c.investigations.iter().enumerate() {
        for (j, p) in inv.child_participation.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, inv.started_on.year())?;
            put_case(w, c);
            w.u32("investigation_index", u32::try_from(i).ok())
                .u32("participation_index", u32::try_from(j).ok())
                .date("started_on", Some(inv.started_on));
            put_coded(w, coded_names!("participation"), Some(p));
            w.end_row()?;
        }
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchCoded<ChildParticipation>>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let inv = r.i32("investigation_index")?;
    let index = r.i32("participation_index")?;
    let value = CodedCols::new(r, coded_names!("participation"))?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            inv.req_index(row)?,
            index.req_index(row)?,
            row,
            value.req(row)?,
        );
    }
    Ok(())
}
