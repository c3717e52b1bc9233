//! `fp_coordination_agencies`: the agencies involved in each coordination activity.

use barnvern_intervention::meeting::Agency;
use chrono::Datelike;

use super::fp_enrolments::family_key_field;
use super::{CaseCol, CodedCols, Ctx, Sink, Staged, coded_names, put_coded, put_family};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchCoded};
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, coded_fields, f};

pub(crate) const NAME: &str = "fp_coordination_agencies";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.push(family_key_field());
    fields.extend([
        f(
            "coordination_index",
            T::Int32,
            S::Index,
            "Position of the activity (joins fp_coordination.coordination_index).",
        ),
        f(
            "agency_index",
            T::Int32,
            S::Index,
            "Position of the agency on the activity (0, 1, ...).",
        ),
        f(
            "coordination_on",
            T::Date32,
            S::Date,
            "Date of the activity (its year is the partition year).",
        ),
    ]);
    fields.extend(coded_fields::<Agency>(
        "agency",
        "the agency involved",
        false,
    ));
    TableSpec::new(
        NAME,
        "one row per agency involved in a coordination activity",
        "Agencies the Family Partner coordinated with (school, child psychiatry, welfare agency, ...).",
        "coordination_on",
        vec!["case_key", "coordination_index", "agency_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, a) in fam.coordination.iter().enumerate() {
        for (j, agency) in a.agencies.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, a.on.year())?;
            put_family(w, c, fam);
            w.u32("coordination_index", u32::try_from(i).ok())
                .u32("agency_index", u32::try_from(j).ok())
                .date("coordination_on", Some(a.on));
            put_coded(w, coded_names!("agency"), Some(agency));
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
    let parent = r.i32("coordination_index")?;
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
