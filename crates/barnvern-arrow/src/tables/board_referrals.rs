//! `board_referrals`: cases sent to the county social welfare board (NO oversendelse til
//! fylkesnemnda; SSB OversendelseFylkesnemnd).

use barnvern_core::{Law, LegalBasis};
use chrono::Datelike;

use super::{CaseCol, Ctx, ProvCols, Sink, Staged, put_case, put_provenance};
use crate::columns::{TableReader, cell_path};
use crate::error::{Error, Result};
use crate::research::{ResearchBoardReferral, ResearchCase};
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f, opt, provenance_fields,
};

pub(crate) const NAME: &str = "board_referrals";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "board_referral_index",
            T::Int32,
            S::Index,
            "Position of the referral to the board in the case (0, 1, ...).",
        ),
        f(
            "sent_on",
            T::Date32,
            S::Date,
            "When the case was sent to the board (SSB @StartDato; its year is the partition year).",
        ),
        opt(
            "decision_index",
            T::Int32,
            S::Index,
            "Position of the decision it carries (joins decisions.decision_index).",
        ),
        code::<Law>(
            "law",
            "The law of the provision the board is asked to decide under.",
        ),
        opt(
            "chapter",
            T::Dict,
            S::Code,
            "Chapter of the legal basis (NO kapittel).",
        ),
        opt(
            "section",
            T::Dict,
            S::Code,
            "Section of the legal basis (NO paragraf).",
        ),
        opt(
            "paragraph",
            T::Int32,
            S::Measure,
            "Paragraph of the legal basis (NO ledd), counted from 1.",
        ),
        opt(
            "letter",
            T::Dict,
            S::Code,
            "Letter of the legal basis (NO bokstav).",
        ),
    ]);
    fields.extend(provenance_fields());
    TableSpec::new(
        NAME,
        "one row per case sent to the county board",
        "Cases the service sent to the county social welfare board (NO fylkesnemnda for barnevern og sosiale saker) for a decision, with the provision asked for.",
        "sent_on",
        vec!["case_key", "board_referral_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, b) in c.board_referrals.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, b.sent_on.year())?;
        put_case(w, c);
        let l = &b.legal_basis;
        w.u32("board_referral_index", u32::try_from(i).ok())
            .date("sent_on", Some(b.sent_on))
            .u32("decision_index", b.decision_index)
            .code("law", Some(l.law))
            .dict("chapter", l.chapter.as_deref())
            .dict("section", l.section.as_deref())
            .i32("paragraph", l.paragraph.map(i32::from))
            .dict("letter", l.letter.as_deref());
        put_provenance(w, &b.provenance);
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchBoardReferral>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("board_referral_index")?;
    let sent = r.date("sent_on")?;
    let decision = r.i32("decision_index")?;
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
            ResearchBoardReferral {
                sent_on: sent.req(row)?,
                decision_index: decision.index(row)?,
                legal_basis: LegalBasis {
                    law: law.req_code(row)?,
                    chapter: chapter.get(row).map(str::to_owned),
                    section: section.get(row).map(str::to_owned),
                    paragraph,
                    letter: letter.get(row).map(str::to_owned),
                },
                provenance: prov.get(row)?,
            },
        );
    }
    Ok(())
}
