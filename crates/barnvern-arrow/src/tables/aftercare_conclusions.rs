//! `aftercare_conclusions`: how each aftercare offer ended (NO ettervern; SSB
//! Ettervern/Konklusjon).

use barnvern_case::follow_up::AftercareOutcome;
use chrono::Datelike;

use super::{CaseCol, CodedCols, Ctx, Sink, coded_names, put_case, put_coded};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchAftercare, ResearchCase};
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, coded_fields, f};

pub(crate) const NAME: &str = "aftercare_conclusions";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "follow_up_index",
            T::Int32,
            S::Index,
            "Position of the aftercare follow-up in the case (joins follow_ups.follow_up_index).",
        ),
        f(
            "concluded_on",
            T::Date32,
            S::Date,
            "When the offer was concluded (SSB Konklusjon/@SluttDato; its year is the partition year).",
        ),
    ]);
    fields.extend(coded_fields::<AftercareOutcome>(
        "outcome",
        "what the young adult did with the offer (SSB Ettervern/Konklusjon: 1 accepted, 2 declined wanting another measure, 3 no more measures wanted)",
        false,
    ));
    TableSpec::new(
        NAME,
        "one row per concluded aftercare offer",
        "How aftercare offers to young adults ended (NO ettervern, bvl. 2021 § 8-3).",
        "concluded_on",
        vec!["case_key", "follow_up_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, f) in c.follow_ups.iter().enumerate() {
        let Some(a) = &f.aftercare else {
            continue;
        };
        let w = sink.writer(NAME, c.jurisdiction, a.concluded_on.year())?;
        put_case(w, c);
        w.u32("follow_up_index", u32::try_from(i).ok())
            .date("concluded_on", Some(a.concluded_on));
        put_coded(w, coded_names!("outcome"), Some(&a.outcome));
        w.end_row()?;
    }
    Ok(())
}

/// A conclusion read: case, follow-up position, row, conclusion.
pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Vec<(usize, u32, usize, ResearchAftercare)>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("follow_up_index")?;
    let on = r.date("concluded_on")?;
    let outcome = CodedCols::new(r, coded_names!("outcome"))?;
    for row in 0..r.rows() {
        out.push((
            case.case(ctx, row)?,
            index.req_index(row)?,
            row,
            ResearchAftercare {
                concluded_on: on.req(row)?,
                outcome: outcome.req(row)?,
            },
        ));
    }
    Ok(())
}
