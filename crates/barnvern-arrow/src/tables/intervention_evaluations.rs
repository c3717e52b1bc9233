//! `intervention_evaluations`: evaluations of interventions (SE uppföljning av insats, NO
//! evaluering av tiltak).

use barnvern_intervention::episode::EvaluationConclusion;
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchCoded, ResearchEvaluation};

table! {
    name: "intervention_evaluations",
    grain: "one row per evaluation of an intervention",
    description: "Evaluations of interventions and their conclusions (continue, adjust, end, replace).",
    year: evaluated_on,
    key: [case_key, intervention_index, evaluation_index],
    columns: {
        intervention_index: u32 = "Position of the intervention in the case (joins interventions.intervention_index).",
        evaluation_index: u32 = "Position of the evaluation on the intervention (0, 1, ...).",
        evaluated_on: NaiveDate = "Date of the evaluation (its year is the partition year).",
        conclusion: ResearchCoded<EvaluationConclusion> = "the evaluation's conclusion",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, iv) in c.interventions.iter().enumerate() {
        for (j, e) in iv.evaluations.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    intervention_index: declare::pos(i),
                    evaluation_index: declare::pos(j),
                    evaluated_on: e.on,
                    conclusion: &e.conclusion,
                },
            )?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchEvaluation>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let evaluation = ResearchEvaluation {
            on: x.evaluated_on,
            conclusion: x.conclusion,
        };
        out.push(x.case, x.intervention_index, x.evaluation_index, x.row, evaluation);
        Ok(())
    })
}
