//! `fp_contacts`: contacts between a Family Partner and a family.

use barnvern_familypartner::{ContactMode, ContactStatus};
use chrono::Datelike;

use super::fp_enrolments::family_key_field;
use super::{CaseCol, Ctx, Sink, Staged, put_family, small};
use crate::columns::TableReader;
use crate::error::Result;
use crate::family::ResearchContact;
use crate::research::ResearchCase;
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f, opt};

pub(crate) const NAME: &str = "fp_contacts";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.push(family_key_field());
    fields.extend([
        f("contact_index", T::Int32, S::Index, "Position of the contact in the family's record (0, 1, ...)."),
        f("contact_on", T::Date32, S::Date, "Date of the contact (its year is the partition year)."),
        code::<ContactMode>("mode", "How the contact took place (home, office, phone, video, other)."),
        code::<ContactStatus>("status", "What became of it (planned, delivered, cancelled by the family or the partner, no-show)."),
        opt("minutes", T::Int32, S::Measure, "Length in minutes, when delivered."),
        opt("travel_minutes", T::Int32, S::Measure, "Minutes the Family Partner travelled for it (both ways), when recorded."),
        opt("distance_km", T::Int32, S::Measure, "Kilometres driven for it (both ways), when recorded."),
    ]);
    TableSpec::new(
        NAME,
        "one row per contact",
        "Contacts of the Family Partner with the family, with their length and travel (components covered are in fp_contact_components). Dose (delivered / expected contacts per programme phase) and costs are computed from this table: expected contacts are the phase rate times the whole weeks or calendar months of the family's time in the phase (to the enrolment's end, the withdrawal or the as-of date), and delivered contacts (status delivered) are counted over the same whole periods, so a period still running counts in neither.",
        "contact_on",
        vec!["case_key", "contact_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, x) in fam.contacts.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, x.on.year())?;
        put_family(w, c, fam);
        w.u32("contact_index", u32::try_from(i).ok())
            .date("contact_on", Some(x.on))
            .code("mode", Some(x.mode))
            .code("status", Some(x.status))
            .u32("minutes", x.minutes.map(u32::from))
            .u32("travel_minutes", x.travel_minutes)
            .u32("distance_km", x.distance_km);
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchContact>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("contact_index")?;
    let on = r.date("contact_on")?;
    let mode = r.dict("mode")?;
    let status = r.dict("status")?;
    let minutes = r.i32("minutes")?;
    let travel = r.i32("travel_minutes")?;
    let km = r.i32("distance_km")?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchContact {
                on: on.req(row)?,
                mode: mode.req_code(row)?,
                status: status.req_code(row)?,
                minutes: small(NAME, row, "minutes", minutes.count(row)?)?,
                travel_minutes: travel.count(row)?,
                distance_km: km.count(row)?,
                components: Vec::new(),
            },
        );
    }
    Ok(())
}
