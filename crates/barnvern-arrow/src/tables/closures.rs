//! `closures`: closures of cases and their reopenings.

use barnvern_case::follow_up::ClosureReason;
use chrono::Datelike;

use super::{
    CaseCol, CodedCols, Ctx, ProvCols, Sink, Staged, coded_names, put_case, put_coded,
    put_provenance,
};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchClosure};
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, coded_fields, f, opt,
    provenance_fields,
};

pub(crate) const NAME: &str = "closures";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "closure_index",
            T::Int32,
            S::Index,
            "Position of the closure in the case (0, 1, ...), in date order.",
        ),
        f(
            "closed_on",
            T::Date32,
            S::Date,
            "Date the case was closed (its year is the partition year).",
        ),
    ]);
    fields.extend(coded_fields::<ClosureReason>(
        "reason",
        "why the case was closed",
        false,
    ));
    fields.push(opt(
        "reopened_on",
        T::Date32,
        S::Date,
        "Date the case was reopened; null if it was not.",
    ));
    fields.extend(provenance_fields());
    TableSpec::new(
        NAME,
        "one row per closure of a case",
        "Closures of cases (SE avslut, NO avslutning), with the reason and any reopening.",
        "closed_on",
        vec!["case_key", "closure_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, cl) in c.closures.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, cl.closed_on.year())?;
        put_case(w, c);
        w.u32("closure_index", u32::try_from(i).ok())
            .date("closed_on", Some(cl.closed_on));
        put_coded(w, coded_names!("reason"), Some(&cl.reason));
        w.date("reopened_on", cl.reopened_on);
        put_provenance(w, &cl.provenance);
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchClosure>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("closure_index")?;
    let closed = r.date("closed_on")?;
    let reason = CodedCols::new(r, coded_names!("reason"))?;
    let reopened = r.date("reopened_on")?;
    let prov = ProvCols::new(r)?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchClosure {
                closed_on: closed.req(row)?,
                reason: reason.req(row)?,
                reopened_on: reopened.get(row)?,
                provenance: prov.get(row)?,
            },
        );
    }
    Ok(())
}
