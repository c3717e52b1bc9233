//! `intervention_evaluations`: evaluations of interventions (SE uppföljning av insats, NO
//! evaluering av tiltak).

use barnvern_intervention::episode::EvaluationConclusion;
use chrono::Datelike;

use super::{CaseCol, CodedCols, Ctx, Sink, Staged, coded_names, put_case, put_coded};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchEvaluation};
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, coded_fields, f};

pub(crate) const NAME: &str = "intervention_evaluations";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "intervention_index",
            T::Int32,
            S::Index,
            "Position of the intervention in the case (joins interventions.intervention_index).",
        ),
        f(
            "evaluation_index",
            T::Int32,
            S::Index,
            "Position of the evaluation on the intervention (0, 1, ...).",
        ),
        f(
            "evaluated_on",
            T::Date32,
            S::Date,
            "Date of the evaluation (its year is the partition year).",
        ),
    ]);
    fields.extend(coded_fields::<EvaluationConclusion>(
        "conclusion",
        "the evaluation's conclusion",
        false,
    ));
    TableSpec::new(
        NAME,
        "one row per evaluation of an intervention",
        "Evaluations of interventions and their conclusions (continue, adjust, end, replace).",
        "evaluated_on",
        vec!["case_key", "intervention_index", "evaluation_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, iv) in c.interventions.iter().enumerate() {
        for (j, e) in iv.evaluations.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, e.on.year())?;
            put_case(w, c);
            w.u32("intervention_index", u32::try_from(i).ok())
                .u32("evaluation_index", u32::try_from(j).ok())
                .date("evaluated_on", Some(e.on));
            put_coded(w, coded_names!("conclusion"), Some(&e.conclusion));
            w.end_row()?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchEvaluation>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let parent = r.i32("intervention_index")?;
    let index = r.i32("evaluation_index")?;
    let on = r.date("evaluated_on")?;
    let conclusion = CodedCols::new(r, coded_names!("conclusion"))?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            parent.req_index(row)?,
            index.req_index(row)?,
            row,
            ResearchEvaluation {
                on: on.req(row)?,
                conclusion: conclusion.req(row)?,
            },
        );
    }
    Ok(())
}
