//! `scores`: scores derived from each questionnaire with the scoring of barnvern-outcomes
//! (SDQ scales and total, SWEMWBS, AIM/IAM/FIM means), naming algorithm and version.

use chrono::NaiveDate;

use super::fp_enrolments::FAMILY_KEY;
use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::ResearchCase;
use barnvern_research::family::ResearchScore;
use declare::Dict;

table! {
    name: "scores",
    grain: "one row per score of a questionnaire",
    description: "Scores derived at extraction from the item responses with barnvern-outcomes; the child's age (from birth year and month) and the jurisdiction choose the band tables.",
    year: completed_on,
    key: [case_key, score_index],
    columns: {
        family_key: Pseudonym = FAMILY_KEY,
        score_index: u32 = "Position of the score in the family's record (0, 1, ...).",
        questionnaire_index: u32 = "Position of the questionnaire scored (joins questionnaires.questionnaire_index).",
        completed_on: NaiveDate = "Date the questionnaire was completed (its year is the partition year).",
        instrument: Option<Dict> = "The instrument id (as in questionnaires.instrument).",
        score_id: Dict = "The score id (e.g. emotional, conduct, hyperactivity, peer, prosocial, total, externalising, internalising, impact, score).",
        value: Option<f64> = "The score; null when too few items were answered.",
        band: Option<Dict> = "The band the score falls in as the instrument's band table labels it, with spaces (SDQ: close to average, slightly raised, high, very high; prosocial: close to average, slightly lowered, low, very low), when a band table applies. Bands keyed by age use the child's age in whole years on the completion date, from birth year and month (children.birth_year, birth_month): a birthday in the month of completion counts as not yet reached.",
        band_verified: Option<bool> = "Whether the band table's cut-offs were checked against their published source.",
        algorithm: Dict = "The scoring algorithm applied (e.g. sdq-prorated).",
        version: Dict = "The version of the instrument definition applied.",
        engine_version: Dict = "The version of the barnvern-outcomes scoring engine.",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, s) in fam.scores.iter().enumerate() {
        let q = usize::try_from(s.questionnaire_index)
            .ok()
            .and_then(|q| fam.questionnaires.get(q));
        put(
            sink,
            Row {
                case: c,
                family_key: &fam.family_key,
                score_index: declare::pos(i),
                questionnaire_index: s.questionnaire_index,
                completed_on: q.map_or(fam.approached_on, |q| q.completed_on),
                instrument: q.map(|q| q.instrument.as_str()),
                score_id: &s.score_id,
                value: s.value,
                band: s.band.as_deref(),
                band_verified: s.band_verified,
                algorithm: &s.algorithm,
                version: &s.version,
                engine_version: &s.engine_version,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchScore>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let score = ResearchScore {
            questionnaire_index: x.questionnaire_index,
            score_id: x.score_id.0,
            value: x.value,
            band: x.band.map(|b| b.0),
            band_verified: x.band_verified,
            algorithm: x.algorithm.0,
            version: x.version.0,
            engine_version: x.engine_version.0,
        };
        out.push(x.case, 0, x.score_index, x.row, score);
        Ok(())
    })
}
