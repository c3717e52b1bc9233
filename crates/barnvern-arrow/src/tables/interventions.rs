//! `interventions`: intervention episodes (SE insatser, NO tiltak) with their basis.

use barnvern_core::LegalBasis;
use barnvern_intervention::kind::InterventionType;
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{
    BasisKind, ResearchBasis, ResearchCase, ResearchCoded, ResearchIntervention,
    ResearchProvenance,
};
use declare::Dict;

table! {
    name: "interventions",
    grain: "one row per intervention",
    description: "Intervention episodes (SE insatser, NO tiltak): type, basis, plan, planned and actual dates, end reason. Evaluations are in intervention_evaluations; consents are not exported.",
    year: recorded_on,
    key: [case_key, intervention_index],
    columns: {
        intervention_index: u32 = "Position of the intervention in the case (0, 1, ...).",
        recorded_on: NaiveDate = "UTC date the intervention was recorded (its year is the partition year; an intervention may be only planned, so it has no other date that is always there).",
        intervention_type: ResearchCoded<InterventionType> = "the intervention type (SE insats, NO tiltak; SSB, KOSTRA or Swedish list code as source)",
        basis: BasisKind = "What the intervention rests on: a decision, or (SE, SoL 2025:400) no needs assessment.",
        decision_index: Option<u32> = "Position of the decision it rests on (joins decisions.decision_index), when the decision is in the bundle.",
        law: Option<barnvern_core::Law> = "The law of the decision's legal basis.",
        chapter: Option<Dict> = "Chapter of the legal basis (SE kapitel, NO kapittel).",
        section: Option<Dict> = "Section of the legal basis (paragraf).",
        paragraph: Option<u8> = "Paragraph of the legal basis (SE stycke, NO ledd), counted from 1.",
        letter: Option<Dict> = "Letter of the legal basis (NO bokstav).",
        plan_index: Option<u32> = "Position of the plan it belongs to (joins plans.plan_index).",
        planned_start: Option<NaiveDate> = "Planned start.",
        planned_end: Option<NaiveDate> = "Planned end.",
        started_on: Option<NaiveDate> = "Actual start; null while only planned.",
        ended_on: Option<NaiveDate> = "Actual end; null while running.",
        end_reason: Option<ResearchCoded<barnvern_intervention::episode::EndReason>> = "why the intervention ended",
        provenance: ResearchProvenance = "",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, iv) in c.interventions.iter().enumerate() {
        let b = iv.basis.legal_basis.as_ref();
        put(
            sink,
            Row {
                case: c,
                intervention_index: declare::pos(i),
                recorded_on: iv.provenance.recorded_at.date_naive(),
                intervention_type: &iv.intervention_type,
                basis: iv.basis.kind,
                decision_index: iv.basis.decision_index,
                law: b.map(|b| b.law),
                chapter: b.and_then(|b| b.chapter.as_deref()),
                section: b.and_then(|b| b.section.as_deref()),
                paragraph: b.and_then(|b| b.paragraph),
                letter: b.and_then(|b| b.letter.as_deref()),
                plan_index: iv.plan_index,
                planned_start: iv.planned_start,
                planned_end: iv.planned_end,
                started_on: iv.started_on,
                ended_on: iv.ended_on,
                end_reason: iv.end_reason.as_ref(),
                provenance: &iv.provenance,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchIntervention>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        let legal_basis = x.law.map(|law| LegalBasis {
            law,
            chapter: x.chapter.map(|d| d.0),
            section: x.section.map(|d| d.0),
            paragraph: x.paragraph,
            letter: x.letter.map(|d| d.0),
        });
        let intervention = ResearchIntervention {
            intervention_type: x.intervention_type,
            basis: ResearchBasis {
                kind: x.basis,
                decision_index: x.decision_index,
                legal_basis,
            },
            plan_index: x.plan_index,
            planned_start: x.planned_start,
            planned_end: x.planned_end,
            started_on: x.started_on,
            ended_on: x.ended_on,
            end_reason: x.end_reason,
            evaluations: Vec::new(),
            supervision: None,
            follow_up_visits: None,
            provenance: x.provenance,
        };
        out.push(x.case, 0, x.intervention_index, x.row, intervention);
        Ok(())
    })
}
