//! `people`: carers and other household members of each case.

use barnvern_case::person::{HouseholdRole, Involvement};
use chrono::Datelike;

use super::{CaseCol, Ctx, Sink, Staged, put_case};
use crate::columns::TableReader;
use crate::error::Result;
use crate::pseudonym::Pseudonym;
use crate::research::{ResearchCase, ResearchPerson};
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f, opt};

pub(crate) const NAME: &str = "people";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f("opened_on", T::Date32, S::Date, "Date the case was opened (its year is the partition year)."),
        f("person_index", T::Int32, S::Index, "Position of the person in the case (0, 1, ...); violence_exposures.perpetrator_person_index refers to it."),
        opt("person_key", T::Utf8, S::Pseudonym, "Pseudonym of the person; null when the case records no identity for them."),
        code::<HouseholdRole>("role", "Role for the child (guardian, parent, partner of parent, sibling, other)."),
        code::<Involvement>("has_custody", "Whether the person has custody (SE vårdnad, NO foreldreansvar): yes, no or unknown."),
        code::<Involvement>("perpetrator", "Whether the person is a perpetrator of violence against the child or in the household."),
        code::<Involvement>("protective", "Whether the person is a protective carer (SE skyddande förälder)."),
    ]);
    TableSpec::new(
        NAME,
        "one row per person of a case's household or family (not the child)",
        "Carers and household members with their role and involvement; the child is in children.",
        "opened_on",
        vec!["case_key", "person_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, p) in c.people.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, c.opened_on.year())?;
        put_case(w, c);
        w.date("opened_on", Some(c.opened_on))
            .u32("person_index", u32::try_from(i).ok())
            .utf8("person_key", p.key.as_ref().map(Pseudonym::as_str))
            .code("role", Some(p.role))
            .code("has_custody", Some(p.has_custody))
            .code("perpetrator", Some(p.perpetrator))
            .code("protective", Some(p.protective));
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchPerson>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("person_index")?;
    let key = r.utf8("person_key")?;
    let role = r.dict("role")?;
    let custody = r.dict("has_custody")?;
    let perpetrator = r.dict("perpetrator")?;
    let protective = r.dict("protective")?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchPerson {
                key: key.parse(row, Pseudonym::new)?,
                role: role.req_code(row)?,
                has_custody: custody.req_code(row)?,
                perpetrator: perpetrator.req_code(row)?,
                protective: protective.req_code(row)?,
            },
        );
    }
    Ok(())
}
