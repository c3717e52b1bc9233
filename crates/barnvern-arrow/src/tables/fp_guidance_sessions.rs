//! `fp_guidance_sessions`: parent-guidance sessions (SE föräldravägledning, NO
//! foreldreveiledning) held in contacts.

use chrono::NaiveDate;

use super::fp_enrolments::FAMILY_KEY;
use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::ResearchCase;
use barnvern_research::family::ResearchGuidanceSession;
use declare::Dict;

table! {
    name: "fp_guidance_sessions",
    grain: "one row per parent-guidance session",
    description: "Parent-guidance sessions of the Family Partner programme and their modules.",
    year: session_on,
    key: [case_key, session_index],
    columns: {
        family_key: Pseudonym = FAMILY_KEY,
        session_index: u32 = "Position of the session in the family's record (0, 1, ...).",
        session_on: NaiveDate = "Date of the contact it was held in, else the date the family was approached (its year is the partition year).",
        contact_index: Option<u32> = "Position of the contact it was held in (joins fp_contacts.contact_index).",
        module: Dict = "The guidance module (an id of the programme definition, e.g. routines).",
    }
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
        put(
            sink,
            Row {
                case: c,
                family_key: &fam.family_key,
                session_index: declare::pos(i),
                session_on: on,
                contact_index: s.contact_index,
                module: &s.module,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchGuidanceSession>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        let session = ResearchGuidanceSession {
            contact_index: x.contact_index,
            module: x.module.0,
        };
        out.push(x.case, 0, x.session_index, x.row, session);
        Ok(())
    })
}
