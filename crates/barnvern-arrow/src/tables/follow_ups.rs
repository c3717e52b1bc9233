//! `follow_ups`: follow-ups (SE uppföljning, NO oppfølging).

use barnvern_case::follow_up::FollowUpKind;
use chrono::Datelike;

use super::{CaseCol, Ctx, ProvCols, Sink, Staged, put_case, put_provenance};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchFollowUp};
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f, provenance_fields,
};

pub(crate) const NAME: &str = "follow_ups";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "follow_up_index",
            T::Int32,
            S::Index,
            "Position of the follow-up in the case (0, 1, ...).",
        ),
        f(
            "follow_up_on",
            T::Date32,
            S::Date,
            "Date of the follow-up (its year is the partition year).",
        ),
        code::<FollowUpKind>(
            "kind",
            "What kind of follow-up (after closure, measure review, aftercare, other).",
        ),
    ]);
    fields.extend(provenance_fields());
    TableSpec::new(
        NAME,
        "one row per follow-up",
        "Follow-up contacts and reviews (SE uppföljning, NO oppfølging).",
        "follow_up_on",
        vec!["case_key", "follow_up_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, fu) in c.follow_ups.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, fu.on.year())?;
        put_case(w, c);
        w.u32("follow_up_index", u32::try_from(i).ok())
            .date("follow_up_on", Some(fu.on))
            .code("kind", Some(fu.kind));
        put_provenance(w, &fu.provenance);
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchFollowUp>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("follow_up_index")?;
    let on = r.date("follow_up_on")?;
    let kind = r.dict("kind")?;
    let prov = ProvCols::new(r)?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchFollowUp {
                on: on.req(row)?,
                kind: kind.req_code(row)?,
                // Filled from violence_disclosures.
                violence: Vec::new(),
                aftercare: None,
                provenance: prov.get(row)?,
            },
        );
    }
    Ok(())
}
