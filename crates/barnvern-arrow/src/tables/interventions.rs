//! `interventions`: intervention episodes (SE insatser, NO tiltak) with their basis.

use barnvern_core::LegalBasis;
use barnvern_intervention::kind::InterventionType;
use chrono::Datelike;

use super::{
    CaseCol, CodedCols, Ctx, ProvCols, Sink, Staged, coded_names, put_case, put_coded,
    put_provenance,
};
use crate::columns::{TableReader, cell_path};
use crate::error::{Error, Result};
use crate::research::{BasisKind, ResearchBasis, ResearchCase, ResearchIntervention};
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, coded_fields, f, opt,
    opt_code, provenance_fields,
};

pub(crate) const NAME: &str = "interventions";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "intervention_index",
            T::Int32,
            S::Index,
            "Position of the intervention in the case (0, 1, ...).",
        ),
        f(
            "recorded_on",
            T::Date32,
            S::Date,
            "UTC date the intervention was recorded (its year is the partition year; an intervention may be only planned, so it has no other date that is always there).",
        ),
    ]);
    fields.extend(coded_fields::<InterventionType>(
        "intervention_type",
        "the intervention type (SE insats, NO tiltak; SSB, KOSTRA or Swedish list code as source)",
        false,
    ));
    fields.extend([
        code::<BasisKind>(
            "basis",
            "What the intervention rests on: a decision, or (SE, SoL 2025:400) no needs assessment.",
        ),
        opt(
            "decision_index",
            T::Int32,
            S::Index,
            "Position of the decision it rests on (joins decisions.decision_index), when the decision is in the bundle.",
        ),
        opt_code::<barnvern_core::Law>("law", "The law of the decision's legal basis."),
        opt(
            "chapter",
            T::Dict,
            S::Code,
            "Chapter of the legal basis (SE kapitel, NO kapittel).",
        ),
        opt(
            "section",
            T::Dict,
            S::Code,
            "Section of the legal basis (paragraf).",
        ),
        opt(
            "paragraph",
            T::Int32,
            S::Measure,
            "Paragraph of the legal basis (SE stycke, NO ledd), counted from 1.",
        ),
        opt(
            "letter",
            T::Dict,
            S::Code,
            "Letter of the legal basis (NO bokstav).",
        ),
        opt(
            "plan_index",
            T::Int32,
            S::Index,
            "Position of the plan it belongs to (joins plans.plan_index).",
        ),
        opt("planned_start", T::Date32, S::Date, "Planned start."),
        opt("planned_end", T::Date32, S::Date, "Planned end."),
        opt(
            "started_on",
            T::Date32,
            S::Date,
            "Actual start; null while only planned.",
        ),
        opt("ended_on", T::Date32, S::Date, "Actual end; null while running."),
    ]);
    fields.extend(coded_fields::<barnvern_intervention::episode::EndReason>(
        "end_reason",
        "why the intervention ended",
        true,
    ));
    fields.extend(provenance_fields());
    TableSpec::new(
        NAME,
        "one row per intervention",
        "Intervention episodes (SE insatser, NO tiltak): type, basis, plan, planned and actual dates, end reason. Evaluations are in intervention_evaluations; consents are not exported.",
        "recorded_on",
        vec!["case_key", "intervention_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, iv) in c.interventions.iter().enumerate() {
        let recorded_on = iv.provenance.recorded_at.date_naive();
        let w = sink.writer(NAME, c.jurisdiction, recorded_on.year())?;
        put_case(w, c);
        w.u32("intervention_index", u32::try_from(i).ok())
            .date("recorded_on", Some(recorded_on));
        put_coded(
            w,
            coded_names!("intervention_type"),
            Some(&iv.intervention_type),
        );
        let b = iv.basis.legal_basis.as_ref();
        w.code("basis", Some(iv.basis.kind))
            .u32("decision_index", iv.basis.decision_index)
            .code("law", b.map(|b| b.law))
            .dict("chapter", b.and_then(|b| b.chapter.as_deref()))
            .dict("section", b.and_then(|b| b.section.as_deref()))
            .i32("paragraph", b.and_then(|b| b.paragraph.map(i32::from)))
            .dict("letter", b.and_then(|b| b.letter.as_deref()))
            .u32("plan_index", iv.plan_index)
            .date("planned_start", iv.planned_start)
            .date("planned_end", iv.planned_end)
            .date("started_on", iv.started_on)
            .date("ended_on", iv.ended_on);
        put_coded(w, coded_names!("end_reason"), iv.end_reason.as_ref());
        put_provenance(w, &iv.provenance);
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchIntervention>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("intervention_index")?;
    let kind = CodedCols::new(r, coded_names!("intervention_type"))?;
    let basis = r.dict("basis")?;
    let decision = r.i32("decision_index")?;
    let law = r.dict("law")?;
    let chapter = r.dict("chapter")?;
    let section = r.dict("section")?;
    let paragraph = r.i32("paragraph")?;
    let letter = r.dict("letter")?;
    let plan = r.i32("plan_index")?;
    let planned_start = r.date("planned_start")?;
    let planned_end = r.date("planned_end")?;
    let started = r.date("started_on")?;
    let ended = r.date("ended_on")?;
    let end_reason = CodedCols::new(r, coded_names!("end_reason"))?;
    let prov = ProvCols::new(r)?;
    for row in 0..r.rows() {
        let paragraph = paragraph
            .get(row)
            .map(|p| {
                u8::try_from(p).map_err(|_| {
                    Error::data(
                        cell_path(NAME, row, "paragraph"),
                        "research.range",
                        format!("{p} is not a paragraph number"),
                    )
                })
            })
            .transpose()?;
        let legal_basis = law.code(row)?.map(|law| LegalBasis {
            law,
            chapter: chapter.get(row).map(str::to_owned),
            section: section.get(row).map(str::to_owned),
            paragraph,
            letter: letter.get(row).map(str::to_owned),
        });
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchIntervention {
                intervention_type: kind.req(row)?,
                basis: ResearchBasis {
                    kind: basis.req_code(row)?,
                    decision_index: decision.index(row)?,
                    legal_basis,
                },
                plan_index: plan.index(row)?,
                planned_start: planned_start.get(row)?,
                planned_end: planned_end.get(row)?,
                started_on: started.get(row)?,
                ended_on: ended.get(row)?,
                end_reason: end_reason.get(row)?,
                evaluations: Vec::new(),
                supervision: None,
                follow_up_visits: None,
                provenance: prov.get(row)?,
            },
        );
    }
    Ok(())
}
