//! `supervision_responsibility`: the municipality responsible for supervising a placement,
//! from each date (SSB Tilsyn/Ansvarlig).

use barnvern_core::municipality::MunicipalityCode;
use chrono::{Datelike, NaiveDate};

use super::{CaseCol, Ctx, Sink, put_case};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::ResearchCase;
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, f};

pub(crate) const NAME: &str = "supervision_responsibility";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "intervention_index",
            T::Int32,
            S::Index,
            "Position of the placement in the case (joins interventions.intervention_index).",
        ),
        f(
            "responsibility_index",
            T::Int32,
            S::Index,
            "Position of the responsibility on the placement (0, 1, ...).",
        ),
        f(
            "valid_from",
            T::Date32,
            S::Date,
            "From when the municipality is responsible (SSB Ansvarlig/@StartDato; its year is the partition year).",
        ),
        f(
            "municipality",
            T::Dict,
            S::Code,
            "The responsible municipality (NO kommunenummer), as valid on valid_from.",
        ),
    ]);
    TableSpec::new(
        NAME,
        "one row per municipality responsible for supervising a placement",
        "Which municipality is responsible for the supervision (NO tilsyn) of a foster home, from each date.",
        "valid_from",
        vec!["case_key", "intervention_index", "responsibility_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, iv) in c.interventions.iter().enumerate() {
        let Some(s) = &iv.supervision else {
            continue;
        };
        for (j, (from, m)) in s.responsible.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, from.year())?;
            put_case(w, c);
            w.u32("intervention_index", u32::try_from(i).ok())
                .u32("responsibility_index", u32::try_from(j).ok())
                .date("valid_from", Some(*from))
                .dict("municipality", Some(m.as_str()));
            w.end_row()?;
        }
    }
    Ok(())
}

/// A responsibility read: case, intervention, position, row, (from, municipality).
pub(crate) type Responsibility = (usize, u32, u32, usize, (NaiveDate, MunicipalityCode));

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Vec<Responsibility>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let iv = r.i32("intervention_index")?;
    let index = r.i32("responsibility_index")?;
    let from = r.date("valid_from")?;
    let municipality = r.dict("municipality")?;
    for row in 0..r.rows() {
        out.push((
            case.case(ctx, row)?,
            iv.req_index(row)?,
            index.req_index(row)?,
            row,
            (
                from.req(row)?,
                municipality.req_parse(row, MunicipalityCode::new)?,
            ),
        ));
    }
    Ok(())
}
