//! `fp_goals`: goals a family set with its Family Partner (their words are never exported).

use chrono::Datelike;

use super::fp_enrolments::family_key_field;
use super::{CaseCol, Ctx, Sink, Staged, put_family};
use crate::columns::TableReader;
use crate::error::Result;
use crate::family::ResearchGoal;
use crate::research::ResearchCase;
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, f};

pub(crate) const NAME: &str = "fp_goals";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.push(family_key_field());
    fields.extend([
        f(
            "goal_index",
            T::Int32,
            S::Index,
            "Position of the goal in the family's record (0, 1, ...).",
        ),
        f(
            "set_on",
            T::Date32,
            S::Date,
            "Date the goal was set (its year is the partition year).",
        ),
        f(
            "has_text",
            T::Bool,
            S::Flag,
            "Whether the goal's wording was recorded (the family's words are never exported).",
        ),
    ]);
    TableSpec::new(
        NAME,
        "one row per family goal",
        "Goals set by the family with its Family Partner. Reviews of progress are in fp_goal_reviews.",
        "set_on",
        vec!["case_key", "goal_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, g) in fam.goals.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, g.set_on.year())?;
        put_family(w, c, fam);
        w.u32("goal_index", u32::try_from(i).ok())
            .date("set_on", Some(g.set_on))
            .bool("has_text", Some(g.has_text));
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchGoal>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("goal_index")?;
    let set_on = r.date("set_on")?;
    let has_text = r.bool("has_text")?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchGoal {
                set_on: set_on.req(row)?,
                has_text: has_text.req(row)?,
                reviews: Vec::new(),
            },
        );
    }
    Ok(())
}
