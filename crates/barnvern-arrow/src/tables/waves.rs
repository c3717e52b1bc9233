//! `waves`: the trial's assessment waves as each family's data collection recorded them.

use barnvern_familypartner::WaveOutcome;
use chrono::Datelike;

use super::fp_enrolments::family_key_field;
use super::{CaseCol, Ctx, Sink, Staged, put_family};
use crate::columns::TableReader;
use crate::error::Result;
use crate::family::ResearchWave;
use crate::research::ResearchCase;
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f};

pub(crate) const NAME: &str = "waves";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.push(family_key_field());
    fields.extend([
        f("wave_index", T::Int32, S::Index, "Position of the wave record in the family's record (0, 1, ...)."),
        f("wave", T::Int32, S::Measure, "The wave, in months from randomisation (0 = baseline, 3, 6, 12, 18)."),
        f("collected_on", T::Date32, S::Date, "Date of collection, or of the decision that it was missed (its year is the partition year)."),
        code::<WaveOutcome>("outcome", "What the collection achieved (completed, partial, missed)."),
    ]);
    TableSpec::new(
        NAME,
        "one row per wave record of a family",
        "Assessment waves of the Family Partner trial as recorded for each family. The questionnaires answered are in questionnaires.",
        "collected_on",
        vec!["case_key", "wave_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, x) in fam.waves.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, x.on.year())?;
        put_family(w, c, fam);
        w.u32("wave_index", u32::try_from(i).ok())
            .u32("wave", Some(x.wave))
            .date("collected_on", Some(x.on))
            .code("outcome", Some(x.outcome));
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchWave>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("wave_index")?;
    let wave = r.i32("wave")?;
    let on = r.date("collected_on")?;
    let outcome = r.dict("outcome")?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchWave {
                wave: wave.req_index(row)?,
                on: on.req(row)?,
                outcome: outcome.req_code(row)?,
            },
        );
    }
    Ok(())
}
