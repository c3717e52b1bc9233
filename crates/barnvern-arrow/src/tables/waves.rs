//! `waves`: the trial's assessment waves as each family's data collection recorded them.

use barnvern_familypartner::WaveOutcome;
use chrono::NaiveDate;

use super::fp_enrolments::FAMILY_KEY;
use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::family::ResearchWave;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::ResearchCase;

table! {
    name: "waves",
    grain: "one row per wave record of a family",
    description: "Assessment waves of the Family Partner trial as recorded for each family. The questionnaires answered are in questionnaires.",
    year: collected_on,
    key: [case_key, wave_index],
    columns: {
        family_key: Pseudonym = FAMILY_KEY,
        wave_index: u32 = "Position of the wave record in the family's record (0, 1, ...).",
        wave: u32 as Measure [from(0, "months from randomisation")] = "The wave, in months from randomisation (0 = baseline, 3, 6, 12, 18).",
        collected_on: NaiveDate = "Date of collection, or of the decision that it was missed (its year is the partition year).",
        outcome: WaveOutcome = "What the collection achieved (completed, partial, missed).",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, x) in fam.waves.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                family_key: &fam.family_key,
                wave_index: declare::pos(i),
                wave: x.wave,
                collected_on: x.on,
                outcome: x.outcome,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchWave>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let wave = ResearchWave {
            wave: x.wave,
            on: x.collected_on,
            outcome: x.outcome,
        };
        out.push(x.case, 0, x.wave_index, x.row, wave);
        Ok(())
    })
}
