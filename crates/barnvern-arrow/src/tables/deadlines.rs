//! `deadlines`: statutory deadlines of each case as of a date, computed by barnvern-case.

use barnvern_case::deadlines::{DeadlineKind, DeadlineStatus, StartBasis};
use barnvern_core::Severity;
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchDeadline};
use declare::Dict;

table! {
    name: "deadlines",
    grain: "one row per statutory deadline of a case",
    description: "Statutory deadlines (computed, never stored in the source) with their status as of a date.",
    year: start_on,
    key: [case_key, deadline_index],
    columns: {
        deadline_index: u32 = "Position of the deadline in the case (0, 1, ...).",
        kind: DeadlineKind = "What must be done (protection assessment, screening, investigation, measure evaluation).",
        rule_id: Dict = "The rule of barnvern's versioned deadline table that applies (e.g. se.sol2001.screening).",
        citation: Dict = "The legal source of the rule, cited.",
        record_table: Dict = "The table of the record the deadline belongs to (referrals, investigations, interventions).",
        record_index: Option<u32> = "The record's position in that table of the case.",
        start_on: NaiveDate = "The date the period starts from, as start_basis says: the local receipt date; the investigation's start (SE); the end of the report review (NO: the date the review concluded, at the latest receipt + 7 days, so a late review or a later recorded start gains no time); the measure's start. Its year is the partition year.",
        start_basis: StartBasis = "What start_on is: receipt, investigation_start, review_concluded (NO: the review concluded within its 7 days), review_limit (NO: receipt + 7 days, the review concluded later or is not recorded), measure_start.",
        due_on: NaiveDate = "The statutory due date.",
        extended_due_on: Option<NaiveDate> = "The due date after an extension by decision taken in time (no later than the due date it extends); null without one. An extension decided after the due date cures nothing and does not appear here (the case keeps it, with the warning deadline.extension_too_late).",
        completed_on: Option<NaiveDate> = "The date it was done; null if not yet.",
        completed_same_day: Option<bool> = "Whether it was done on start_on itself (SE skyddsbedömning: genast, the same day where possible; the outer due date is the next day); null if not yet done.",
        status: DeadlineStatus = "Where it stands as of as_of: pending, met, met after extension, breached, overdue.",
        severity: Severity = "How serious a breach is.",
        as_of: NaiveDate = "The date the status is computed for (cases.deadlines_as_of).",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, d) in c.deadlines.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                deadline_index: declare::pos(i),
                kind: d.kind,
                rule_id: &d.rule_id,
                citation: &d.citation,
                record_table: &d.record_table,
                record_index: d.record_index,
                start_on: d.start,
                start_basis: d.start_basis,
                due_on: d.due,
                extended_due_on: d.extended_due,
                completed_on: d.completed_on,
                completed_same_day: d.completed_on.map(|c| c == d.start),
                status: d.status,
                severity: d.severity,
                as_of: c.deadlines_as_of,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchDeadline>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let deadline = ResearchDeadline {
            kind: x.kind,
            rule_id: x.rule_id.0,
            citation: x.citation.0,
            record_table: x.record_table.0,
            record_index: x.record_index,
            start: x.start_on,
            start_basis: x.start_basis,
            due: x.due_on,
            extended_due: x.extended_due_on,
            completed_on: x.completed_on,
            status: x.status,
            severity: x.severity,
        };
        out.push(x.case, 0, x.deadline_index, x.row, deadline);
        Ok(())
    })
}
