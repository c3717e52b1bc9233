//! `fp_goal_reviews`: reviews of progress towards each family goal.

use barnvern_familypartner::GoalProgress;
use chrono::NaiveDate;

use super::fp_enrolments::FAMILY_KEY;
use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::ResearchCase;
use barnvern_research::family::ResearchGoalReview;

table! {
    name: "fp_goal_reviews",
    grain: "one row per review of a family goal",
    description: "Reviews of the family goals of the Family Partner programme.",
    year: reviewed_on,
    key: [case_key, goal_index, review_index],
    columns: {
        family_key: Pseudonym = FAMILY_KEY,
        goal_index: u32 = "Position of the goal (joins fp_goals.goal_index).",
        review_index: u32 = "Position of the review on the goal (0, 1, ...).",
        reviewed_on: NaiveDate = "Date of the review (its year is the partition year).",
        progress: GoalProgress = "Progress towards the goal (not started, some progress, achieved, abandoned).",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, g) in fam.goals.iter().enumerate() {
        for (j, review) in g.reviews.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    family_key: &fam.family_key,
                    goal_index: declare::pos(i),
                    review_index: declare::pos(j),
                    reviewed_on: review.on,
                    progress: review.progress,
                },
            )?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchGoalReview>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let review = ResearchGoalReview {
            on: x.reviewed_on,
            progress: x.progress,
        };
        out.push(x.case, x.goal_index, x.review_index, x.row, review);
        Ok(())
    })
}
