//! `people`: carers and other household members of each case.

use barnvern_case::person::{HouseholdRole, Involvement};
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::{ResearchCase, ResearchPerson};

table! {
    name: "people",
    grain: "one row per person of a case's household or family (not the child)",
    description: "Carers and household members with their role and involvement; the child is in children.",
    year: opened_on,
    key: [case_key, person_index],
    columns: {
        opened_on: NaiveDate = "Date the case was opened (its year is the partition year).",
        person_index: u32 = "Position of the person in the case (0, 1, ...); violence_exposures.perpetrator_person_index refers to it.",
        person_key: Option<Pseudonym> = "Pseudonym of the person; null when the case records no identity for them.",
        role: HouseholdRole = "Role for the child (guardian, parent, partner of parent, sibling, other).",
        has_custody: Involvement = "Whether the person has custody (SE vårdnad, NO foreldreansvar): yes, no or unknown.",
        perpetrator: Involvement = "Whether the person is a perpetrator of violence against the child or in the household.",
        protective: Involvement = "Whether the person is a protective carer (SE skyddande förälder).",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, p) in c.people.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                opened_on: c.opened_on,
                person_index: declare::pos(i),
                person_key: p.key.as_ref(),
                role: p.role,
                has_custody: p.has_custody,
                perpetrator: p.perpetrator,
                protective: p.protective,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchPerson>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let person = ResearchPerson {
            key: x.person_key,
            role: x.role,
            has_custody: x.has_custody,
            perpetrator: x.perpetrator,
            protective: x.protective,
        };
        out.push(x.case, 0, x.person_index, x.row, person);
        Ok(())
    })
}
