//! `questionnaires`: the questionnaires answered at each wave: instrument, informant, date.

use barnvern_outcomes::Informant;
use chrono::NaiveDate;

use super::fp_enrolments::FAMILY_KEY;
use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::ResearchCase;
use barnvern_research::family::ResearchQuestionnaire;
use declare::Dict;

table! {
    name: "questionnaires",
    grain: "one row per questionnaire answered at a wave",
    description: "Questionnaires of the Family Partner trial's waves. Item responses are in item_responses, derived scores in scores.",
    year: completed_on,
    key: [case_key, questionnaire_index],
    columns: {
        family_key: Pseudonym = FAMILY_KEY,
        questionnaire_index: u32 = "Position of the questionnaire in the family's record, over all waves (0, 1, ...).",
        wave_index: u32 = "Position of the wave record it was answered at (joins waves.wave_index).",
        wave: Option<u32> as Measure [from(0, "months from randomisation")] = "The wave, in months from randomisation (as in waves.wave).",
        completed_on: NaiveDate = "Date the questionnaire was completed (its year is the partition year).",
        instrument: Dict = "The instrument id of barnvern-outcomes (sdq-p-4-17, sdq-p-2-4, sdq-t-4-17, sdq-s-11-17, swemwbs, wemwbs, aim, iam, fim) or an id of the trial design's own definitions (user-keyed instruments).",
        instrument_version: Option<Dict> = "The version of the instrument definition shipped with barnvern when the extract was made.",
        informant: Informant = "Who answered it (parent, teacher, self, staff; CDISC QSEVAL).",
    }
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
        put(
            sink,
            Row {
                case: c,
                family_key: &fam.family_key,
                questionnaire_index: declare::pos(i),
                wave_index: q.wave_index,
                wave,
                completed_on: q.completed_on,
                instrument: &q.instrument,
                instrument_version: barnvern_outcomes::builtin(&q.instrument).map(|i| i.version()),
                informant: q.informant,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchQuestionnaire>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        let q = ResearchQuestionnaire {
            wave_index: x.wave_index,
            instrument: x.instrument.0,
            informant: x.informant,
            completed_on: x.completed_on,
            responses: Vec::new(),
        };
        out.push(x.case, 0, x.questionnaire_index, x.row, q);
        Ok(())
    })
}
