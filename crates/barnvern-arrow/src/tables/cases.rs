//! `cases`: one row per case.

use barnvern_core::municipality::MunicipalityCode;
use chrono::{Datelike, NaiveDate};

use super::{Sink, put_case};
use crate::columns::TableReader;
use crate::error::Result;
use crate::pseudonym::Pseudonym;
use crate::research::ResearchCase;
use crate::spec::{Codes, ColumnType as T, Sensitivity as S, TableSpec, case_fields, f};

pub(crate) const NAME: &str = "cases";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f("municipality", T::Dict, S::Code, "Responsible municipality (SE kommunkod, NO kommunenummer), four digits, valid on opened_on.")
            .codes(Codes::Municipality),
        f("opened_on", T::Date32, S::Date, "Date the case was opened (its year is the partition year)."),
        f("child_key", T::Utf8, S::Pseudonym, "Pseudonym of the child the case belongs to (joins children.child_key)."),
        f("deadlines_as_of", T::Date32, S::Date, "The date the case's statutory deadlines (table deadlines) were computed for."),
    ]);
    TableSpec::new(
        NAME,
        "one row per case",
        "Each child-protection case (SE ärende, NO sak): where and when it was opened, and whose it is.",
        "opened_on",
        vec!["case_key"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let w = sink.writer(NAME, c.jurisdiction, c.opened_on.year())?;
    put_case(w, c);
    w.dict("municipality", Some(c.municipality.as_str()))
        .date("opened_on", Some(c.opened_on))
        .utf8("child_key", Some(c.child.key.as_str()))
        .date("deadlines_as_of", Some(c.deadlines_as_of));
    w.end_row()
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

pub(crate) fn read(r: &TableReader, out: &mut Vec<(usize, CaseRow)>) -> Result<()> {
    let key = r.utf8("case_key")?;
    let jurisdiction = r.dict("jurisdiction")?;
    let municipality = r.dict("municipality")?;
    let opened = r.date("opened_on")?;
    let child = r.utf8("child_key")?;
    let as_of = r.date("deadlines_as_of")?;
    for row in 0..r.rows() {
        out.push((
            row,
            CaseRow {
                case_key: key.req_parse(row, Pseudonym::new)?,
                jurisdiction: jurisdiction.req_code(row)?,
                municipality: municipality.req_parse(row, MunicipalityCode::new)?,
                opened_on: opened.req(row)?,
                child_key: child.req_parse(row, Pseudonym::new)?,
                deadlines_as_of: as_of.req(row)?,
            },
        ));
    }
    Ok(())
}
