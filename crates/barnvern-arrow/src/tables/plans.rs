//! `plans`: plans (NO tiltaksplan, omsorgsplan; SE genomförandeplan, vårdplan, SIP).

use barnvern_intervention::plan::PlanType;
use chrono::Datelike;

use super::{
    CaseCol, CodedCols, Ctx, ProvCols, Sink, Staged, coded_names, put_case, put_coded,
    put_provenance,
};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchPlan};
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, coded_fields, f, opt,
    provenance_fields,
};

pub(crate) const NAME: &str = "plans";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "plan_index",
            T::Int32,
            S::Index,
            "Position of the plan in the case (0, 1, ...).",
        ),
        f(
            "made_on",
            T::Date32,
            S::Date,
            "Date the plan was made (its year is the partition year).",
        ),
    ]);
    fields.extend(coded_fields::<PlanType>(
        "plan_type",
        "the plan type (SSB Plan/Plantype as source)",
        false,
    ));
    fields.extend([
        f(
            "intervention_indices",
            T::ListInt32,
            S::Index,
            "Positions of the interventions it covers (join interventions.intervention_index).",
        ),
        opt(
            "ended_on",
            T::Date32,
            S::Date,
            "Date the plan ended; null while in force.",
        ),
    ]);
    fields.extend(provenance_fields());
    TableSpec::new(
        NAME,
        "one row per plan",
        "Plans: type, date, the interventions they cover and when they ended. Scheduled evaluations are in plan_evaluations.",
        "made_on",
        vec!["case_key", "plan_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, p) in c.plans.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, p.made_on.year())?;
        put_case(w, c);
        w.u32("plan_index", u32::try_from(i).ok())
            .date("made_on", Some(p.made_on));
        put_coded(w, coded_names!("plan_type"), Some(&p.plan_type));
        w.list_u32("intervention_indices", &p.intervention_indices)
            .date("ended_on", p.ended_on);
        put_provenance(w, &p.provenance);
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchPlan>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("plan_index")?;
    let made = r.date("made_on")?;
    let kind = CodedCols::new(r, coded_names!("plan_type"))?;
    let interventions = r.list("intervention_indices")?;
    let ended = r.date("ended_on")?;
    let prov = ProvCols::new(r)?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchPlan {
                plan_type: kind.req(row)?,
                made_on: made.req(row)?,
                intervention_indices: interventions.indices(row)?,
                evaluations: Vec::new(),
                ended_on: ended.get(row)?,
                provenance: prov.get(row)?,
            },
        );
    }
    Ok(())
}
