//! `plan_evaluations`: the scheduled evaluations of each plan and when they were done.

use chrono::Datelike;

use super::{CaseCol, Ctx, Sink, Staged, put_case};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchPlanEvaluation};
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, f, opt};

pub(crate) const NAME: &str = "plan_evaluations";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "plan_index",
            T::Int32,
            S::Index,
            "Position of the plan in the case (joins plans.plan_index).",
        ),
        f(
            "evaluation_index",
            T::Int32,
            S::Index,
            "Position of the evaluation on the plan (0, 1, ...).",
        ),
        f(
            "due",
            T::Date32,
            S::Date,
            "Date the evaluation is due (its year is the partition year).",
        ),
        opt(
            "done_on",
            T::Date32,
            S::Date,
            "Date it was done; null while not done.",
        ),
    ]);
    TableSpec::new(
        NAME,
        "one row per scheduled evaluation of a plan",
        "Scheduled evaluations of plans: when due and when done.",
        "due",
        vec!["case_key", "plan_index", "evaluation_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, p) in c.plans.iter().enumerate() {
        for (j, e) in p.evaluations.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, e.due.year())?;
            put_case(w, c);
            w.u32("plan_index", u32::try_from(i).ok())
                .u32("evaluation_index", u32::try_from(j).ok())
                .date("due", Some(e.due))
                .date("done_on", e.done_on);
            w.end_row()?;
        }
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchPlanEvaluation>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let parent = r.i32("plan_index")?;
    let index = r.i32("evaluation_index")?;
    let due = r.date("due")?;
    let done = r.date("done_on")?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            parent.req_index(row)?,
            index.req_index(row)?,
            row,
            ResearchPlanEvaluation {
                due: due.req(row)?,
                done_on: done.get(row)?,
            },
        );
    }
    Ok(())
}
