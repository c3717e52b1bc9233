//! `deadlines`: statutory deadlines of each case as of a date, computed by barnvern-case.

use barnvern_case::deadlines::{DeadlineKind, DeadlineStatus, StartBasis};
use barnvern_core::Severity;
use chrono::Datelike;

use super::{CaseCol, Ctx, Sink, Staged, put_case};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchDeadline};
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f, opt};

pub(crate) const NAME: &str = "deadlines";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f("deadline_index", T::Int32, S::Index, "Position of the deadline in the case (0, 1, ...)."),
        code::<DeadlineKind>("kind", "What must be done (protection assessment, screening, investigation, measure evaluation)."),
        f("rule_id", T::Dict, S::Code, "The rule of barnvern's versioned deadline table that applies (e.g. se.sol2001.screening)."),
        f("citation", T::Dict, S::Code, "The legal source of the rule, cited."),
        f("record_table", T::Dict, S::Code, "The table of the record the deadline belongs to (referrals, investigations, interventions)."),
        opt("record_index", T::Int32, S::Index, "The record's position in that table of the case."),
        f("start_on", T::Date32, S::Date, "The date the period starts from, as start_basis says: the local receipt date; the investigation's start (SE); the end of the report review (NO: the date the review concluded, at the latest receipt + 7 days, so a late review or a later recorded start gains no time); the measure's start. Its year is the partition year."),
        code::<StartBasis>("start_basis", "What start_on is: receipt, investigation_start, review_concluded (NO: the review concluded within its 7 days), review_limit (NO: receipt + 7 days, the review concluded later or is not recorded), measure_start."),
        f("due_on", T::Date32, S::Date, "The statutory due date."),
        opt("extended_due_on", T::Date32, S::Date, "The due date after an extension by decision taken in time (no later than the due date it extends); null without one. An extension decided after the due date cures nothing and does not appear here (the case keeps it, with the warning deadline.extension_too_late)."),
        opt("completed_on", T::Date32, S::Date, "The date it was done; null if not yet."),
        opt("completed_same_day", T::Bool, S::Flag, "Whether it was done on start_on itself (SE skyddsbedömning: genast, the same day where possible; the outer due date is the next day); null if not yet done."),
        code::<DeadlineStatus>("status", "Where it stands as of as_of: pending, met, met after extension, breached, overdue."),
        code::<Severity>("severity", "How serious a breach is."),
        f("as_of", T::Date32, S::Date, "The date the status is computed for (cases.deadlines_as_of)."),
    ]);
    TableSpec::new(
        NAME,
        "one row per statutory deadline of a case",
        "Statutory deadlines (computed, never stored in the source) with their status as of a date.",
        "start_on",
        vec!["case_key", "deadline_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, d) in c.deadlines.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, d.start.year())?;
        put_case(w, c);
        w.u32("deadline_index", u32::try_from(i).ok())
            .code("kind", Some(d.kind))
            .dict("rule_id", Some(&d.rule_id))
            .dict("citation", Some(&d.citation))
            .dict("record_table", Some(&d.record_table))
            .u32("record_index", d.record_index)
            .date("start_on", Some(d.start))
            .code("start_basis", Some(d.start_basis))
            .date("due_on", Some(d.due))
            .date("extended_due_on", d.extended_due)
            .date("completed_on", d.completed_on)
            .bool("completed_same_day", d.completed_on.map(|c| c == d.start))
            .code("status", Some(d.status))
            .code("severity", Some(d.severity))
            .date("as_of", Some(c.deadlines_as_of));
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchDeadline>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("deadline_index")?;
    let kind = r.dict("kind")?;
    let rule = r.dict("rule_id")?;
    let citation = r.dict("citation")?;
    let table = r.dict("record_table")?;
    let record = r.i32("record_index")?;
    let start = r.date("start_on")?;
    let basis = r.dict("start_basis")?;
    let due = r.date("due_on")?;
    let extended = r.date("extended_due_on")?;
    let completed = r.date("completed_on")?;
    let status = r.dict("status")?;
    let severity = r.dict("severity")?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchDeadline {
                kind: kind.req_code(row)?,
                rule_id: rule.req(row)?.to_owned(),
                citation: citation.req(row)?.to_owned(),
                record_table: table.req(row)?.to_owned(),
                record_index: record.index(row)?,
                start: start.req(row)?,
                start_basis: basis.req_code(row)?,
                due: due.req(row)?,
                extended_due: extended.get(row)?,
                completed_on: completed.get(row)?,
                status: status.req_code(row)?,
                severity: severity.req_code(row)?,
            },
        );
    }
    Ok(())
}
