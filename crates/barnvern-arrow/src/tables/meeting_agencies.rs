//! `meeting_agencies`: the agencies present at each coordination meeting.

use barnvern_intervention::meeting::Agency;
use chrono::Datelike;

use super::{CaseCol, CodedCols, Ctx, Sink, Staged, coded_names, put_case, put_coded};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchCoded};
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, coded_fields, f};

pub(crate) const NAME: &str = "meeting_agencies";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "meeting_index",
            T::Int32,
            S::Index,
            "Position of the meeting in the case (joins meetings.meeting_index).",
        ),
        f(
            "agency_index",
            T::Int32,
            S::Index,
            "Position of the agency on the meeting (0, 1, ...).",
        ),
        f(
            "held_on",
            T::Date32,
            S::Date,
            "Date of the meeting (its year is the partition year).",
        ),
    ]);
    fields.extend(coded_fields::<Agency>(
        "agency",
        "the agency present",
        false,
    ));
    TableSpec::new(
        NAME,
        "one row per agency present at a meeting",
        "Agencies present at coordination meetings (school, child psychiatry, police, welfare agency, ...).",
        "held_on",
        vec!["case_key", "meeting_index", "agency_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, m) in c.meetings.iter().enumerate() {
        for (j, a) in m.agencies.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, m.held_on.year())?;
            put_case(w, c);
            w.u32("meeting_index", u32::try_from(i).ok())
                .u32("agency_index", u32::try_from(j).ok())
                .date("held_on", Some(m.held_on));
            put_coded(w, coded_names!("agency"), Some(a));
            w.end_row()?;
        }
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchCoded<Agency>>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let parent = r.i32("meeting_index")?;
    let index = r.i32("agency_index")?;
    let agency = CodedCols::new(r, coded_names!("agency"))?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            parent.req_index(row)?,
            index.req_index(row)?,
            row,
            agency.req(row)?,
        );
    }
    Ok(())
}
