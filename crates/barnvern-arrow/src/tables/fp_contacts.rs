//! `fp_contacts`: contacts between a Family Partner and a family.

use barnvern_familypartner::{ContactMode, ContactStatus};
use chrono::NaiveDate;

use super::fp_enrolments::FAMILY_KEY;
use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::ResearchCase;
use barnvern_research::family::ResearchContact;

table! {
    name: "fp_contacts",
    grain: "one row per contact",
    description: "Contacts of the Family Partner with the family, with their length and travel (components covered are in fp_contact_components). Dose (delivered / expected contacts per programme phase) and costs are computed from this table: expected contacts are the phase rate times the whole weeks or calendar months of the family's time in the phase (to the enrolment's end, the withdrawal or the as-of date), and delivered contacts (status delivered) are counted over the same whole periods, so a period still running counts in neither.",
    year: contact_on,
    key: [case_key, contact_index],
    columns: {
        family_key: Pseudonym = FAMILY_KEY,
        contact_index: u32 = "Position of the contact in the family's record (0, 1, ...).",
        contact_on: NaiveDate = "Date of the contact (its year is the partition year).",
        mode: ContactMode = "How the contact took place (home, office, phone, video, other).",
        status: ContactStatus = "What became of it (planned, delivered, cancelled by the family or the partner, no-show).",
        minutes: Option<u16> [from(0, "minutes")] = "Length in minutes, when delivered.",
        travel_minutes: Option<u32> as Measure [from(0, "minutes")] = "Minutes the Family Partner travelled for it (both ways), when recorded.",
        distance_km: Option<u32> as Measure [from(0, "kilometres")] = "Kilometres driven for it (both ways), when recorded.",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, x) in fam.contacts.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                family_key: &fam.family_key,
                contact_index: declare::pos(i),
                contact_on: x.on,
                mode: x.mode,
                status: x.status,
                minutes: x.minutes,
                travel_minutes: x.travel_minutes,
                distance_km: x.distance_km,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchContact>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let contact = ResearchContact {
            on: x.contact_on,
            mode: x.mode,
            status: x.status,
            minutes: x.minutes,
            travel_minutes: x.travel_minutes,
            distance_km: x.distance_km,
            components: Vec::new(),
        };
        out.push(x.case, 0, x.contact_index, x.row, contact);
        Ok(())
    })
}
