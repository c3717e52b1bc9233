//! `item_responses`: one row per item of each questionnaire, in the long layout of the CDISC
//! SDTM QS domain (QSTESTCD, QSORRES, QSSTAT; the reason not done, QSREASND, is free text and
//! only whether one was given is kept).

use chrono::NaiveDate;

use super::fp_enrolments::FAMILY_KEY;
use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::ResearchCase;
use barnvern_research::family::{ItemStatus, ResearchItem};
use declare::Dict;

table! {
    name: "item_responses",
    grain: "one row per item response of a questionnaire",
    description: "Item-level responses of the wave questionnaires, one row per item recorded (answered or not done).",
    year: completed_on,
    key: [case_key, questionnaire_index, item_index],
    columns: {
        family_key: Pseudonym = FAMILY_KEY,
        questionnaire_index: u32 = "Position of the questionnaire (joins questionnaires.questionnaire_index).",
        item_index: u32 = "Position of the response in the questionnaire, in the form's item order (0, 1, ...).",
        completed_on: NaiveDate = "Date the questionnaire was completed (its year is the partition year).",
        instrument: Dict = "The instrument id (as in questionnaires.instrument).",
        item: Dict = "The item's variable name (QSTESTCD-like, e.g. consid); no item wording is exported.",
        position: Option<u32> as Measure [from(1, "a position on the form from 1")] = "The item's position on the form, from 1.",
        status: ItemStatus = "Answered, or not done (QSSTAT NOT DONE).",
        value: Option<i32> = "The response code as recorded (QSORRES); null when not done.",
        reason_given: bool = "Whether a reason was recorded for an item not done (QSREASND; the reason is free text and never exported).",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, q) in fam.questionnaires.iter().enumerate() {
        for (j, item) in q.responses.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    family_key: &fam.family_key,
                    questionnaire_index: declare::pos(i),
                    item_index: declare::pos(j),
                    completed_on: q.completed_on,
                    instrument: &q.instrument,
                    item: &item.item,
                    position: item.position,
                    status: item.status,
                    value: item.value,
                    reason_given: item.reason_given,
                },
            )?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchItem>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let item = ResearchItem {
            item: x.item.0,
            position: x.position,
            status: x.status,
            value: x.value,
            reason_given: x.reason_given,
        };
        out.push(x.case, x.questionnaire_index, x.item_index, x.row, item);
        Ok(())
    })
}
