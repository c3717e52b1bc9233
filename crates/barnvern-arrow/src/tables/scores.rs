//! `scores`: scores derived from each questionnaire with the scoring of barnvern-outcomes
//! (SDQ scales and total, SWEMWBS, AIM/IAM/FIM means), naming algorithm and version.

use chrono::Datelike;

use super::fp_enrolments::family_key_field;
use super::{CaseCol, Ctx, Sink, Staged, put_family};
use crate::columns::TableReader;
use crate::error::Result;
use crate::family::ResearchScore;
use crate::research::ResearchCase;
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, f, opt};

pub(crate) const NAME: &str = "scores";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.push(family_key_field());
    fields.extend([
        f("score_index", T::Int32, S::Index, "Position of the score in the family's record (0, 1, ...)."),
        f("questionnaire_index", T::Int32, S::Index, "Position of the questionnaire scored (joins questionnaires.questionnaire_index)."),
        f("completed_on", T::Date32, S::Date, "Date the questionnaire was completed (its year is the partition year)."),
        opt("instrument", T::Dict, S::Code, "The instrument id (as in questionnaires.instrument)."),
        f("score_id", T::Dict, S::Code, "The score id (e.g. emotional, conduct, hyperactivity, peer, prosocial, total, externalising, internalising, impact, score)."),
        opt("value", T::Float64, S::Measure, "The score; null when too few items were answered."),
        opt("band", T::Dict, S::Code, "The band the score falls in as the instrument's band table labels it, with spaces (SDQ: close to average, slightly raised, high, very high; prosocial: close to average, slightly lowered, low, very low), when a band table applies. Bands keyed by age use the child's age in whole years on the completion date, from birth year and month (children.birth_year, birth_month): a birthday in the month of completion counts as not yet reached."),
        opt("band_verified", T::Bool, S::Flag, "Whether the band table's cut-offs were checked against their published source."),
        f("algorithm", T::Dict, S::Code, "The scoring algorithm applied (e.g. sdq-prorated)."),
        f("version", T::Dict, S::Code, "The version of the instrument definition applied."),
        f("engine_version", T::Dict, S::Code, "The version of the barnvern-outcomes scoring engine."),
    ]);
    TableSpec::new(
        NAME,
        "one row per score of a questionnaire",
        "Scores derived at extraction from the item responses with barnvern-outcomes; the child's age (from birth year and month) and the jurisdiction choose the band tables.",
        "completed_on",
        vec!["case_key", "score_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, s) in fam.scores.iter().enumerate() {
        let q = usize::try_from(s.questionnaire_index)
            .ok()
            .and_then(|q| fam.questionnaires.get(q));
        let on = q.map_or(fam.approached_on, |q| q.completed_on);
        let w = sink.writer(NAME, c.jurisdiction, on.year())?;
        put_family(w, c, fam);
        w.u32("score_index", u32::try_from(i).ok())
            .u32("questionnaire_index", Some(s.questionnaire_index))
            .date("completed_on", Some(on))
            .dict("instrument", q.map(|q| q.instrument.as_str()))
            .dict("score_id", Some(&s.score_id))
            .f64("value", s.value)
            .dict("band", s.band.as_deref())
            .bool("band_verified", s.band_verified)
            .dict("algorithm", Some(&s.algorithm))
            .dict("version", Some(&s.version))
            .dict("engine_version", Some(&s.engine_version));
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchScore>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("score_index")?;
    let questionnaire = r.i32("questionnaire_index")?;
    let id = r.dict("score_id")?;
    let value = r.f64("value")?;
    let band = r.dict("band")?;
    let verified = r.bool("band_verified")?;
    let algorithm = r.dict("algorithm")?;
    let version = r.dict("version")?;
    let engine = r.dict("engine_version")?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchScore {
                questionnaire_index: questionnaire.req_index(row)?,
                score_id: id.req(row)?.to_owned(),
                value: value.get(row),
                band: band.get(row).map(str::to_owned),
                band_verified: verified.get(row),
                algorithm: algorithm.req(row)?.to_owned(),
                version: version.req(row)?.to_owned(),
                engine_version: engine.req(row)?.to_owned(),
            },
        );
    }
    Ok(())
}
