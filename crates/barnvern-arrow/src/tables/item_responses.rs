//! `item_responses`: one row per item of each questionnaire, in the long layout of the CDISC
//! SDTM QS domain (QSTESTCD, QSORRES, QSSTAT; the reason not done, QSREASND, is free text and
//! only whether one was given is kept).

use chrono::Datelike;

use super::fp_enrolments::family_key_field;
use super::{CaseCol, Ctx, Sink, Staged, put_family};
use crate::columns::TableReader;
use crate::error::Result;
use crate::family::{ItemStatus, ResearchItem};
use crate::research::ResearchCase;
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f, opt};

pub(crate) const NAME: &str = "item_responses";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.push(family_key_field());
    fields.extend([
        f("questionnaire_index", T::Int32, S::Index, "Position of the questionnaire (joins questionnaires.questionnaire_index)."),
        f("item_index", T::Int32, S::Index, "Position of the response in the questionnaire, in the form's item order (0, 1, ...)."),
        f("completed_on", T::Date32, S::Date, "Date the questionnaire was completed (its year is the partition year)."),
        f("instrument", T::Dict, S::Code, "The instrument id (as in questionnaires.instrument)."),
        f("item", T::Dict, S::Code, "The item's variable name (QSTESTCD-like, e.g. consid); no item wording is exported."),
        opt("position", T::Int32, S::Measure, "The item's position on the form, from 1."),
        code::<ItemStatus>("status", "Answered, or not done (QSSTAT NOT DONE)."),
        opt("value", T::Int32, S::Measure, "The response code as recorded (QSORRES); null when not done."),
        f("reason_given", T::Bool, S::Flag, "Whether a reason was recorded for an item not done (QSREASND; the reason is free text and never exported)."),
    ]);
    TableSpec::new(
        NAME,
        "one row per item response of a questionnaire",
        "Item-level responses of the wave questionnaires, one row per item recorded (answered or not done).",
        "completed_on",
        vec!["case_key", "questionnaire_index", "item_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, q) in fam.questionnaires.iter().enumerate() {
        for (j, item) in q.responses.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, q.completed_on.year())?;
            put_family(w, c, fam);
            w.u32("questionnaire_index", u32::try_from(i).ok())
                .u32("item_index", u32::try_from(j).ok())
                .date("completed_on", Some(q.completed_on))
                .dict("instrument", Some(&q.instrument))
                .dict("item", Some(&item.item))
                .u32("position", item.position)
                .code("status", Some(item.status))
                .i32("value", item.value)
                .bool("reason_given", Some(item.reason_given));
            w.end_row()?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchItem>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let parent = r.i32("questionnaire_index")?;
    let index = r.i32("item_index")?;
    let item = r.dict("item")?;
    let position = r.i32("position")?;
    let status = r.dict("status")?;
    let value = r.i32("value")?;
    let reason = r.bool("reason_given")?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            parent.req_index(row)?,
            index.req_index(row)?,
            row,
            ResearchItem {
                item: item.req(row)?.to_owned(),
                position: position.index(row)?,
                status: status.req_code(row)?,
                value: value.get(row),
                reason_given: reason.req(row)?,
            },
        );
    }
    Ok(())
}
