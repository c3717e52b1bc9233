//! `fp_guidance_sessions`: parent-guidance sessions (SE föräldravägledning, NO
//! foreldreveiledning) held in contacts.

use chrono::Datelike;

use super::fp_enrolments::family_key_field;
use super::{CaseCol, Ctx, Sink, Staged, put_family};
use crate::columns::TableReader;
use crate::error::Result;
use crate::family::ResearchGuidanceSession;
use crate::research::ResearchCase;
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, f, opt};

pub(crate) const NAME: &str = "fp_guidance_sessions";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.push(family_key_field());
    fields.extend([
        f("session_index", T::Int32, S::Index, "Position of the session in the family's record (0, 1, ...)."),
        f("session_on", T::Date32, S::Date, "Date of the contact it was held in, else the date the family was approached (its year is the partition year)."),
        opt("contact_index", T::Int32, S::Index, "Position of the contact it was held in (joins fp_contacts.contact_index)."),
        f("module", T::Dict, S::Code, "The guidance module (an id of the programme definition, e.g. routines)."),
    ]);
    TableSpec::new(
        NAME,
        "one row per parent-guidance session",
        "Parent-guidance sessions of the Family Partner programme and their modules.",
        "session_on",
        vec!["case_key", "session_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, s) in fam.guidance_sessions.iter().enumerate() {
        let on = s
            .contact_index
            .and_then(|k| fam.contacts.get(usize::try_from(k).ok()?))
            .map_or(fam.approached_on, |c| c.on);
        let w = sink.writer(NAME, c.jurisdiction, on.year())?;
        put_family(w, c, fam);
        w.u32("session_index", u32::try_from(i).ok())
            .date("session_on", Some(on))
            .u32("contact_index", s.contact_index)
            .dict("module", Some(&s.module));
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchGuidanceSession>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("session_index")?;
    let contact = r.i32("contact_index")?;
    let module = r.dict("module")?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchGuidanceSession {
                contact_index: contact.index(row)?,
                module: module.req(row)?.to_owned(),
            },
        );
    }
    Ok(())
}
