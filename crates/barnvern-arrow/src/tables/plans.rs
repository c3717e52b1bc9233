//! `plans`: plans (NO tiltaksplan, omsorgsplan; SE genomförandeplan, vårdplan, SIP).

use barnvern_intervention::plan::PlanType;
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchCoded, ResearchPlan, ResearchProvenance};

table! {
    name: "plans",
    grain: "one row per plan",
    description: "Plans: type, date, the interventions they cover and when they ended. Scheduled evaluations are in plan_evaluations.",
    year: made_on,
    key: [case_key, plan_index],
    columns: {
        plan_index: u32 = "Position of the plan in the case (0, 1, ...).",
        made_on: NaiveDate = "Date the plan was made (its year is the partition year).",
        plan_type: ResearchCoded<PlanType> = "the plan type (SSB Plan/Plantype as source)",
        intervention_indices: Vec<u32> = "Positions of the interventions it covers (join interventions.intervention_index).",
        ended_on: Option<NaiveDate> = "Date the plan ended; null while in force.",
        provenance: ResearchProvenance = "",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, p) in c.plans.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                plan_index: declare::pos(i),
                made_on: p.made_on,
                plan_type: &p.plan_type,
                intervention_indices: &p.intervention_indices,
                ended_on: p.ended_on,
                provenance: &p.provenance,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchPlan>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let plan = ResearchPlan {
            plan_type: x.plan_type,
            made_on: x.made_on,
            intervention_indices: x.intervention_indices,
            evaluations: Vec::new(),
            ended_on: x.ended_on,
            provenance: x.provenance,
        };
        out.push(x.case, 0, x.plan_index, x.row, plan);
        Ok(())
    })
}
