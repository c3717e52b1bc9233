//! `placement_visit_frequencies`: how often supervision and follow-up visits of a placement
//! are due, from each date (SSB Tilsyn/Hyppighet and Oppfolging/Hyppighet), with the
//! municipality responsible for supervision.

use barnvern_intervention::visits::{VisitFrequency, VisitKind};
use chrono::{Datelike, NaiveDate};

use super::{CaseCol, CodedCols, Ctx, Sink, coded_names, put_case, put_coded};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchCoded};
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, coded_fields, f,
};

pub(crate) const NAME: &str = "placement_visit_frequencies";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "intervention_index",
            T::Int32,
            S::Index,
            "Position of the placement in the case (joins interventions.intervention_index).",
        ),
        code::<VisitKind>(
            "kind",
            "Supervision by an independent party (tilsyn) or follow-up by the service (oppfølging).",
        ),
        f(
            "frequency_index",
            T::Int32,
            S::Index,
            "Position of the frequency among the placement's frequencies of its kind (0, 1, ...).",
        ),
        f(
            "valid_from",
            T::Date32,
            S::Date,
            "From when the frequency applies (SSB Hyppighet/@StartDato; its year is the partition year).",
        ),
    ]);
    fields.extend(coded_fields::<VisitFrequency>(
        "frequency",
        "visits due a year (SSB Hyppighet: 4 standard, 2 reduced)",
        false,
    ));
    TableSpec::new(
        NAME,
        "one row per visit frequency of a placement",
        "How often a foster home is to be visited, by an independent supervisor (NO tilsyn) and by the service (NO oppfølging), from each date. The visits made are in placement_visits.",
        "valid_from",
        vec!["case_key", "intervention_index", "kind", "frequency_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, iv) in c.interventions.iter().enumerate() {
        for (kind, v) in super::placement_visits::of(iv) {
            for (j, (from, freq)) in v
                .map(|v| v.frequency.as_slice())
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let w = sink.writer(NAME, c.jurisdiction, from.year())?;
                put_case(w, c);
                w.u32("intervention_index", u32::try_from(i).ok())
                    .code("kind", Some(kind))
                    .u32("frequency_index", u32::try_from(j).ok())
                    .date("valid_from", Some(*from));
                put_coded(w, coded_names!("frequency"), Some(freq));
                w.end_row()?;
            }
        }
    }
    Ok(())
}

/// A frequency read: case, intervention, kind, position, row, (from, frequency).
pub(crate) type Frequency = (
    usize,
    u32,
    VisitKind,
    u32,
    usize,
    (NaiveDate, ResearchCoded<VisitFrequency>),
);

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Vec<Frequency>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let iv = r.i32("intervention_index")?;
    let kind = r.dict("kind")?;
    let index = r.i32("frequency_index")?;
    let from = r.date("valid_from")?;
    let freq = CodedCols::new(r, coded_names!("frequency"))?;
    for row in 0..r.rows() {
        out.push((
            case.case(ctx, row)?,
            iv.req_index(row)?,
            kind.req_code(row)?,
            index.req_index(row)?,
            row,
            (from.req(row)?, freq.req(row)?),
        ));
    }
    Ok(())
}
