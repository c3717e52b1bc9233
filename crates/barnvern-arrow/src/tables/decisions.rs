//! `decisions`: decisions (SE beslut, NO vedtak) with their legal basis.

use barnvern_case::decision::DecisionKind;
use barnvern_core::{Law, LegalBasis};
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchDecision, ResearchProvenance};
use declare::Dict;

table! {
    name: "decisions",
    grain: "one row per decision",
    description: "Decisions (SE beslut, NO vedtak) with their structured legal basis. Status changes are in decision_status.",
    year: decided_on,
    key: [case_key, decision_index],
    columns: {
        decision_index: u32 = "Position of the decision in the case (0, 1, ...).",
        decided_on: NaiveDate = "Date of the decision (its year is the partition year).",
        kind: DecisionKind = "What the decision is about (measure, care order, emergency, aftercare, other).",
        investigation_index: Option<u32> = "Position of the investigation it follows (joins investigations.investigation_index).",
        law: Law = "The law of the legal basis.",
        chapter: Option<Dict> = "Chapter of the legal basis (SE kapitel, NO kapittel), e.g. 11.",
        section: Option<Dict> = "Section of the legal basis (paragraf), e.g. 1a.",
        paragraph: Option<u8> = "Paragraph of the legal basis (SE stycke, NO ledd), counted from 1.",
        letter: Option<Dict> = "Letter of the legal basis (NO bokstav), e.g. a.",
        provenance: ResearchProvenance = "",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, d) in c.decisions.iter().enumerate() {
        let b = &d.legal_basis;
        put(
            sink,
            Row {
                case: c,
                decision_index: declare::pos(i),
                decided_on: d.decided_on,
                kind: d.kind,
                investigation_index: d.investigation_index,
                law: b.law,
                chapter: b.chapter.as_deref(),
                section: b.section.as_deref(),
                paragraph: b.paragraph,
                letter: b.letter.as_deref(),
                provenance: &d.provenance,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchDecision>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let decision = ResearchDecision {
            decided_on: x.decided_on,
            kind: x.kind,
            investigation_index: x.investigation_index,
            legal_basis: LegalBasis {
                law: x.law,
                chapter: x.chapter.map(|d| d.0),
                section: x.section.map(|d| d.0),
                paragraph: x.paragraph,
                letter: x.letter.map(|d| d.0),
            },
            status_history: Vec::new(),
            ended_on: None,
            claims: Vec::new(),
            provenance: x.provenance,
        };
        out.push(x.case, 0, x.decision_index, x.row, decision);
        Ok(())
    })
}
