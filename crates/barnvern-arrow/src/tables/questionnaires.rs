//! `questionnaires`: the questionnaires answered at each wave: instrument, informant, date.

use barnvern_outcomes::Informant;
use chrono::Datelike;

use super::fp_enrolments::family_key_field;
use super::{CaseCol, Ctx, Sink, Staged, put_family};
use crate::columns::TableReader;
use crate::error::Result;
use crate::family::ResearchQuestionnaire;
use crate::research::ResearchCase;
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f, opt};

pub(crate) const NAME: &str = "questionnaires";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.push(family_key_field());
    fields.extend([
        f("questionnaire_index", T::Int32, S::Index, "Position of the questionnaire in the family's record, over all waves (0, 1, ...)."),
        f("wave_index", T::Int32, S::Index, "Position of the wave record it was answered at (joins waves.wave_index)."),
        opt("wave", T::Int32, S::Measure, "The wave, in months from randomisation (as in waves.wave)."),
        f("completed_on", T::Date32, S::Date, "Date the questionnaire was completed (its year is the partition year)."),
        f("instrument", T::Dict, S::Code, "The instrument id of barnvern-outcomes (sdq-p-4-17, sdq-p-2-4, sdq-t-4-17, sdq-s-11-17, swemwbs, wemwbs, aim, iam, fim) or an id of the trial design's own definitions (user-keyed instruments)."),
        opt("instrument_version", T::Dict, S::Code, "The version of the instrument definition shipped with barnvern when the extract was made."),
        code::<Informant>("informant", "Who answered it (parent, teacher, self, staff; CDISC QSEVAL)."),
    ]);
    TableSpec::new(
        NAME,
        "one row per questionnaire answered at a wave",
        "Questionnaires of the Family Partner trial's waves. Item responses are in item_responses, derived scores in scores.",
        "completed_on",
        vec!["case_key", "questionnaire_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, q) in fam.questionnaires.iter().enumerate() {
        let wave = usize::try_from(q.wave_index)
            .ok()
            .and_then(|w| fam.waves.get(w))
            .map(|w| w.wave);
        let version = barnvern_outcomes::builtin(&q.instrument).map(|i| i.version());
        let w = sink.writer(NAME, c.jurisdiction, q.completed_on.year())?;
        put_family(w, c, fam);
        w.u32("questionnaire_index", u32::try_from(i).ok())
            .u32("wave_index", Some(q.wave_index))
            .u32("wave", wave)
            .date("completed_on", Some(q.completed_on))
            .dict("instrument", Some(&q.instrument))
            .dict("instrument_version", version)
            .code("informant", Some(q.informant));
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchQuestionnaire>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("questionnaire_index")?;
    let wave = r.i32("wave_index")?;
    let on = r.date("completed_on")?;
    let instrument = r.dict("instrument")?;
    let informant = r.dict("informant")?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchQuestionnaire {
                wave_index: wave.req_index(row)?,
                instrument: instrument.req(row)?.to_owned(),
                informant: informant.req_code(row)?,
                completed_on: on.req(row)?,
                responses: Vec::new(),
            },
        );
    }
    Ok(())
}
