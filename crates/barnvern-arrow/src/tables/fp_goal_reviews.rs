//! `fp_goal_reviews`: reviews of progress towards each family goal.

use barnvern_familypartner::GoalProgress;
use chrono::Datelike;

use super::fp_enrolments::family_key_field;
use super::{CaseCol, Ctx, Sink, Staged, put_family};
use crate::columns::TableReader;
use crate::error::Result;
use crate::family::ResearchGoalReview;
use crate::research::ResearchCase;
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f};

pub(crate) const NAME: &str = "fp_goal_reviews";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.push(family_key_field());
    fields.extend([
        f(
            "goal_index",
            T::Int32,
            S::Index,
            "Position of the goal (joins fp_goals.goal_index).",
        ),
        f(
            "review_index",
            T::Int32,
            S::Index,
            "Position of the review on the goal (0, 1, ...).",
        ),
        f(
            "reviewed_on",
            T::Date32,
            S::Date,
            "Date of the review (its year is the partition year).",
        ),
        code::<GoalProgress>(
            "progress",
            "Progress towards the goal (not started, some progress, achieved, abandoned).",
        ),
    ]);
    TableSpec::new(
        NAME,
        "one row per review of a family goal",
        "Reviews of the family goals of the Family Partner programme.",
        "reviewed_on",
        vec!["case_key", "goal_index", "review_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, g) in fam.goals.iter().enumerate() {
        for (j, review) in g.reviews.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, review.on.year())?;
            put_family(w, c, fam);
            w.u32("goal_index", u32::try_from(i).ok())
                .u32("review_index", u32::try_from(j).ok())
                .date("reviewed_on", Some(review.on))
                .code("progress", Some(review.progress));
            w.end_row()?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchGoalReview>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let parent = r.i32("goal_index")?;
    let index = r.i32("review_index")?;
    let on = r.date("reviewed_on")?;
    let progress = r.dict("progress")?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            parent.req_index(row)?,
            index.req_index(row)?,
            row,
            ResearchGoalReview {
                on: on.req(row)?,
                progress: progress.req_code(row)?,
            },
        );
    }
    Ok(())
}
