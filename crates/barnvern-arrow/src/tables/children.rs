//! `children`: the child of each case, coarsened.

use barnvern_core::Sex;
use chrono::Datelike;

use super::{Ctx, Sink, put_case};
use crate::columns::TableReader;
use crate::error::{Error, Result};
use crate::pseudonym::Pseudonym;
use crate::research::{IdentityKind, ResearchCase, ResearchChild};
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f, opt, opt_code,
};

pub(crate) const NAME: &str = "children";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f("child_key", T::Utf8, S::Pseudonym, "Pseudonym of the child (HMAC-SHA256 of the identity number, or of the local id of an unregistered child)."),
        f("opened_on", T::Date32, S::Date, "Date the case was opened (its year is the partition year)."),
        code::<IdentityKind>("identity_kind", "How the child is identified: the kind of national number, or unregistered (no number yet)."),
        opt("birth_year", T::Int32, S::Coarsened, "Birth year as the identity number writes it (or of the expected birth date of an unregistered child); null where unknown. The number's date can be a nearby day, not the real birth date."),
        opt("birth_month", T::Int32, S::Coarsened, "Birth month 1-12, as birth_year; null where unknown (e.g. a samordningsnummer with month 00)."),
        opt_code::<Sex>("sex", "Sex as recorded by the case system, else as the identity number encodes it; null where unknown."),
    ]);
    TableSpec::new(
        NAME,
        "one row per case: the child the case belongs to (a child with several cases has several rows with the same child_key)",
        "The child of each case, pseudonymised and coarsened to birth year and month.",
        "opened_on",
        vec!["case_key"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let w = sink.writer(NAME, c.jurisdiction, c.opened_on.year())?;
    put_case(w, c);
    w.utf8("child_key", Some(c.child.key.as_str()))
        .date("opened_on", Some(c.opened_on))
        .code("identity_kind", Some(c.child.identity_kind))
        .i32("birth_year", c.child.birth_year)
        .u32("birth_month", c.child.birth_month)
        .code("sex", c.child.sex);
    w.end_row()
}

/// Reads each row's child, by case position.
pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Vec<(usize, usize, ResearchChild)>,
) -> Result<()> {
    let case = super::CaseCol::new(r, NAME)?;
    let key = r.utf8("child_key")?;
    let kind = r.dict("identity_kind")?;
    let year = r.i32("birth_year")?;
    let month = r.i32("birth_month")?;
    let sex = r.dict("sex")?;
    for row in 0..r.rows() {
        let birth_month = month.index(row)?;
        if birth_month.is_some_and(|m| !(1..=12).contains(&m)) {
            return Err(Error::data(
                crate::columns::cell_path(NAME, row, "birth_month"),
                "research.range",
                "a month is 1 to 12",
            ));
        }
        out.push((
            case.case(ctx, row)?,
            row,
            ResearchChild {
                key: key.req_parse(row, Pseudonym::new)?,
                identity_kind: kind.req_code(row)?,
                birth_year: year.get(row),
                birth_month,
                sex: sex.code(row)?,
            },
        ));
    }
    Ok(())
}
