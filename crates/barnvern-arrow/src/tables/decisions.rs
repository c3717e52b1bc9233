//! `decisions`: decisions (SE beslut, NO vedtak) with their legal basis.

use barnvern_case::decision::DecisionKind;
use barnvern_core::{Law, LegalBasis};
use chrono::Datelike;

use super::{CaseCol, Ctx, ProvCols, Sink, Staged, put_case, put_provenance};
use crate::columns::{TableReader, cell_path};
use crate::error::{Error, Result};
use crate::research::{ResearchCase, ResearchDecision};
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f, opt, provenance_fields,
};

pub(crate) const NAME: &str = "decisions";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "decision_index",
            T::Int32,
            S::Index,
            "Position of the decision in the case (0, 1, ...).",
        ),
        f(
            "decided_on",
            T::Date32,
            S::Date,
            "Date of the decision (its year is the partition year).",
        ),
        code::<DecisionKind>(
            "kind",
            "What the decision is about (measure, care order, emergency, aftercare, other).",
        ),
        opt(
            "investigation_index",
            T::Int32,
            S::Index,
            "Position of the investigation it follows (joins investigations.investigation_index).",
        ),
        code::<Law>("law", "The law of the legal basis."),
        opt(
            "chapter",
            T::Dict,
            S::Code,
            "Chapter of the legal basis (SE kapitel, NO kapittel), e.g. 11.",
        ),
        opt(
            "section",
            T::Dict,
            S::Code,
            "Section of the legal basis (paragraf), e.g. 1a.",
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
            "Letter of the legal basis (NO bokstav), e.g. a.",
        ),
    ]);
    fields.extend(provenance_fields());
    TableSpec::new(
        NAME,
        "one row per decision",
        "Decisions (SE beslut, NO vedtak) with their structured legal basis. Status changes are in decision_status.",
        "decided_on",
        vec!["case_key", "decision_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, d) in c.decisions.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, d.decided_on.year())?;
        put_case(w, c);
        let b = &d.legal_basis;
        w.u32("decision_index", u32::try_from(i).ok())
            .date("decided_on", Some(d.decided_on))
            .code("kind", Some(d.kind))
            .u32("investigation_index", d.investigation_index)
            .code("law", Some(b.law))
            .dict("chapter", b.chapter.as_deref())
            .dict("section", b.section.as_deref())
            .i32("paragraph", b.paragraph.map(i32::from))
            .dict("letter", b.letter.as_deref());
        put_provenance(w, &d.provenance);
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchDecision>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("decision_index")?;
    let decided = r.date("decided_on")?;
    let kind = r.dict("kind")?;
    let inv = r.i32("investigation_index")?;
    let law = r.dict("law")?;
    let chapter = r.dict("chapter")?;
    let section = r.dict("section")?;
    let paragraph = r.i32("paragraph")?;
    let letter = r.dict("letter")?;
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
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchDecision {
                decided_on: decided.req(row)?,
                kind: kind.req_code(row)?,
                investigation_index: inv.index(row)?,
                legal_basis: LegalBasis {
                    law: law.req_code(row)?,
                    chapter: chapter.get(row).map(str::to_owned),
                    section: section.get(row).map(str::to_owned),
                    paragraph,
                    letter: letter.get(row).map(str::to_owned),
                },
                status_history: Vec::new(),
                ended_on: None,
                claims: Vec::new(),
                provenance: prov.get(row)?,
            },
        );
    }
    Ok(())
}
