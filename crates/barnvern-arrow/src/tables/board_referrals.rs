//! `board_referrals`: cases sent to the county social welfare board (NO oversendelse til
//! fylkesnemnda; SSB OversendelseFylkesnemnd).

use barnvern_core::{Law, LegalBasis};
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchBoardReferral, ResearchCase, ResearchProvenance};
use declare::Dict;

table! {
    name: "board_referrals",
    grain: "one row per case sent to the county board",
    description: "Cases the service sent to the county social welfare board (NO fylkesnemnda for barnevern og sosiale saker) for a decision, with the provision asked for.",
    year: sent_on,
    key: [case_key, board_referral_index],
    columns: {
        board_referral_index: u32 = "Position of the referral to the board in the case (0, 1, ...).",
        sent_on: NaiveDate = "When the case was sent to the board (SSB @StartDato; its year is the partition year).",
        decision_index: Option<u32> = "Position of the decision it carries (joins decisions.decision_index).",
        law: Law = "The law of the provision the board is asked to decide under.",
        chapter: Option<Dict> = "Chapter of the legal basis (NO kapittel).",
        section: Option<Dict> = "Section of the legal basis (NO paragraf).",
        paragraph: Option<u8> = "Paragraph of the legal basis (NO ledd), counted from 1.",
        letter: Option<Dict> = "Letter of the legal basis (NO bokstav).",
        provenance: ResearchProvenance = "",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, b) in c.board_referrals.iter().enumerate() {
        let l = &b.legal_basis;
        put(
            sink,
            Row {
                case: c,
                board_referral_index: declare::pos(i),
                sent_on: b.sent_on,
                decision_index: b.decision_index,
                law: l.law,
                chapter: l.chapter.as_deref(),
                section: l.section.as_deref(),
                paragraph: l.paragraph,
                letter: l.letter.as_deref(),
                provenance: &b.provenance,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchBoardReferral>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        let referral = ResearchBoardReferral {
            sent_on: x.sent_on,
            decision_index: x.decision_index,
            legal_basis: LegalBasis {
                law: x.law,
                chapter: x.chapter.map(|d| d.0),
                section: x.section.map(|d| d.0),
                paragraph: x.paragraph,
                letter: x.letter.map(|d| d.0),
            },
            provenance: x.provenance,
        };
        out.push(x.case, 0, x.board_referral_index, x.row, referral);
        Ok(())
    })
}
