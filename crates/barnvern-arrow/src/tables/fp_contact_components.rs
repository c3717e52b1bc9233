//! `fp_contact_components`: the programme components covered in each contact.

use chrono::Datelike;

use super::fp_enrolments::family_key_field;
use super::{CaseCol, Ctx, Sink, Staged, put_family};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::ResearchCase;
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, f};

pub(crate) const NAME: &str = "fp_contact_components";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.push(family_key_field());
    fields.extend([
        f("contact_index", T::Int32, S::Index, "Position of the contact (joins fp_contacts.contact_index)."),
        f("component_index", T::Int32, S::Index, "Position of the component on the contact (0, 1, ...)."),
        f("contact_on", T::Date32, S::Date, "Date of the contact (its year is the partition year)."),
        f("component", T::Dict, S::Code, "The programme component (an id of the programme definition, e.g. parent_guidance, coordination)."),
    ]);
    TableSpec::new(
        NAME,
        "one row per programme component covered in a contact",
        "Which components of the Family Partner programme each contact covered.",
        "contact_on",
        vec!["case_key", "contact_index", "component_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, x) in fam.contacts.iter().enumerate() {
        for (j, component) in x.components.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, x.on.year())?;
            put_family(w, c, fam);
            w.u32("contact_index", u32::try_from(i).ok())
                .u32("component_index", u32::try_from(j).ok())
                .date("contact_on", Some(x.on))
                .dict("component", Some(component));
            w.end_row()?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<String>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let parent = r.i32("contact_index")?;
    let index = r.i32("component_index")?;
    let component = r.dict("component")?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            parent.req_index(row)?,
            index.req_index(row)?,
            row,
            component.req(row)?.to_owned(),
        );
    }
    Ok(())
}
