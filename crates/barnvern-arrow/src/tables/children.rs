//! `children`: the child of each case, coarsened.

use barnvern_core::Sex;
use chrono::NaiveDate;

use super::{Ctx, Sink};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::{IdentityKind, ResearchCase, ResearchChild};

table! {
    name: "children",
    grain: "one row per case: the child the case belongs to (a child with several cases has several rows with the same child_key)",
    description: "The child of each case, pseudonymised and coarsened to birth year and month.",
    year: opened_on,
    key: [case_key],
    columns: {
        child_key: Pseudonym = "Pseudonym of the child (HMAC-SHA256 of the identity number, or of the local id of an unregistered child).",
        opened_on: NaiveDate = "Date the case was opened (its year is the partition year).",
        identity_kind: IdentityKind = "How the child is identified: the kind of national number, or unregistered (no number yet).",
        birth_year: Option<i32> as Coarsened = "Birth year as the identity number writes it (or of the expected birth date of an unregistered child); null where unknown. The number's date can be a nearby day, not the real birth date.",
        birth_month: Option<u32> as Coarsened [new(1, 12, "a month 1-12")] = "Birth month 1-12, as birth_year; null where unknown (e.g. a samordningsnummer with month 00).",
        sex: Option<Sex> = "Sex as recorded by the case system, else as the identity number encodes it; null where unknown.",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    put(
        sink,
        Row {
            case: c,
            child_key: &c.child.key,
            opened_on: c.opened_on,
            identity_kind: c.child.identity_kind,
            birth_year: c.child.birth_year,
            birth_month: c.child.birth_month,
            sex: c.child.sex,
        },
    )
}

/// Reads each row's child, by case position.
pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Vec<(usize, usize, ResearchChild)>,
) -> Result<()> {
    // A month outside 1-12 fits the type but is no month: refused here, by the declared range.
    let month = super::spec_of(NAME)?
        .field("birth_month")
        .and_then(|f| f.range);
    read_rows(r, ctx, |x| {
        if let Some(range) = month {
            super::declare::in_range(&x.birth_month, range, NAME, x.row, "birth_month")?;
        }
        out.push((
            x.case,
            x.row,
            ResearchChild {
                key: x.child_key,
                identity_kind: x.identity_kind,
                birth_year: x.birth_year,
                birth_month: x.birth_month,
                sex: x.sex,
            },
        ));
        Ok(())
    })
}
