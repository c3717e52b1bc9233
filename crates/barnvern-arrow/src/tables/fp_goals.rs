//! `fp_goals`: goals a family set with its Family Partner (their words are never exported).

use chrono::NaiveDate;

use super::fp_enrolments::FAMILY_KEY;
use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::ResearchCase;
use barnvern_research::family::ResearchGoal;

table! {
    name: "fp_goals",
    grain: "one row per family goal",
    description: "Goals set by the family with its Family Partner. Reviews of progress are in fp_goal_reviews.",
    year: set_on,
    key: [case_key, goal_index],
    columns: {
        family_key: Pseudonym = FAMILY_KEY,
        goal_index: u32 = "Position of the goal in the family's record (0, 1, ...).",
        set_on: NaiveDate = "Date the goal was set (its year is the partition year).",
        has_text: bool = "Whether the goal's wording was recorded (the family's words are never exported).",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, g) in fam.goals.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                family_key: &fam.family_key,
                goal_index: declare::pos(i),
                set_on: g.set_on,
                has_text: g.has_text,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchGoal>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let goal = ResearchGoal {
            set_on: x.set_on,
            has_text: x.has_text,
            reviews: Vec::new(),
        };
        out.push(x.case, 0, x.goal_index, x.row, goal);
        Ok(())
    })
}
