//! `fp_contact_components`: the programme components covered in each contact.

use chrono::NaiveDate;

use super::fp_enrolments::FAMILY_KEY;
use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::ResearchCase;
use declare::Dict;

table! {
    name: "fp_contact_components",
    grain: "one row per programme component covered in a contact",
    description: "Which components of the Family Partner programme each contact covered.",
    year: contact_on,
    key: [case_key, contact_index, component_index],
    columns: {
        family_key: Pseudonym = FAMILY_KEY,
        contact_index: u32 = "Position of the contact (joins fp_contacts.contact_index).",
        component_index: u32 = "Position of the component on the contact (0, 1, ...).",
        contact_on: NaiveDate = "Date of the contact (its year is the partition year).",
        component: Dict = "The programme component (an id of the programme definition, e.g. parent_guidance, coordination).",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, x) in fam.contacts.iter().enumerate() {
        for (j, component) in x.components.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    family_key: &fam.family_key,
                    contact_index: declare::pos(i),
                    component_index: declare::pos(j),
                    contact_on: x.on,
                    component,
                },
            )?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<String>) -> Result<()> {
    read_rows(r, ctx, |x| {
        out.push(x.case, x.contact_index, x.component_index, x.row, x.component.0);
        Ok(())
    })
}
