//! `cases`: one row per case.

use barnvern_core::municipality::MunicipalityCode;
use chrono::NaiveDate;

use super::Sink;
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::ResearchCase;

table! {
    name: "cases",
    grain: "one row per case",
    description: "Each child-protection case (SE ärende, NO sak): where and when it was opened, and whose it is.",
    year: opened_on,
    key: [case_key],
    columns: {
        municipality: MunicipalityCode = "Responsible municipality (SE kommunkod, NO kommunenummer), four digits, valid on opened_on.",
        opened_on: NaiveDate = "Date the case was opened (its year is the partition year).",
        child_key: Pseudonym = "Pseudonym of the child the case belongs to (joins children.child_key).",
        deadlines_as_of: NaiveDate = "The date the case's statutory deadlines (table deadlines) were computed for.",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    put(
        sink,
        Row {
            case: c,
            municipality: &c.municipality,
            opened_on: c.opened_on,
            child_key: &c.child.key,
            deadlines_as_of: c.deadlines_as_of,
        },
    )
}

/// One row of `cases`.
pub(crate) struct CaseRow {
    pub(crate) case_key: Pseudonym,
    pub(crate) jurisdiction: barnvern_core::Jurisdiction,
    pub(crate) municipality: MunicipalityCode,
    pub(crate) opened_on: NaiveDate,
    pub(crate) child_key: Pseudonym,
    pub(crate) deadlines_as_of: NaiveDate,
}

/// Reads each row's case (its key and jurisdiction are read here: no case is known yet).
pub(crate) fn read(r: &TableReader, out: &mut Vec<(usize, CaseRow)>) -> Result<()> {
    let key = r.utf8("case_key")?;
    let jurisdiction = r.dict("jurisdiction")?;
    read_with(r, Ok, |x| {
        out.push((
            x.row,
            CaseRow {
                case_key: key.req_parse(x.row, Pseudonym::new)?,
                jurisdiction: jurisdiction.req_code(x.row)?,
                municipality: x.municipality,
                opened_on: x.opened_on,
                child_key: x.child_key,
                deadlines_as_of: x.deadlines_as_of,
            },
        ));
        Ok(())
    })
}
