//! `plan_evaluations`: the scheduled evaluations of each plan and when they were done.

use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchPlanEvaluation};

table! {
    name: "plan_evaluations",
    grain: "one row per scheduled evaluation of a plan",
    description: "Scheduled evaluations of plans: when due and when done.",
    year: due,
    key: [case_key, plan_index, evaluation_index],
    columns: {
        plan_index: u32 = "Position of the plan in the case (joins plans.plan_index).",
        evaluation_index: u32 = "Position of the evaluation on the plan (0, 1, ...).",
        due: NaiveDate = "Date the evaluation is due (its year is the partition year).",
        done_on: Option<NaiveDate> = "Date it was done; null while not done.",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, p) in c.plans.iter().enumerate() {
        for (j, e) in p.evaluations.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    plan_index: declare::pos(i),
                    evaluation_index: declare::pos(j),
                    due: e.due,
                    done_on: e.done_on,
                },
            )?;
        }
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchPlanEvaluation>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        let evaluation = ResearchPlanEvaluation {
            due: x.due,
            done_on: x.done_on,
        };
        out.push(x.case, x.plan_index, x.evaluation_index, x.row, evaluation);
        Ok(())
    })
}
