//! `fp_coordination`: coordination activities of a Family Partner on the family's behalf (SE
//! samordning, NO koordinering).

use barnvern_familypartner::CoordinationKind;
use chrono::Datelike;

use super::fp_enrolments::family_key_field;
use super::{CaseCol, Ctx, Sink, Staged, put_family, small};
use crate::columns::TableReader;
use crate::error::Result;
use crate::family::ResearchCoordination;
use crate::research::ResearchCase;
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f, opt};

pub(crate) const NAME: &str = "fp_coordination";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.push(family_key_field());
    fields.extend([
        f(
            "coordination_index",
            T::Int32,
            S::Index,
            "Position of the activity in the family's record (0, 1, ...).",
        ),
        f(
            "coordination_on",
            T::Date32,
            S::Date,
            "Date of the activity (its year is the partition year).",
        ),
        code::<CoordinationKind>(
            "kind",
            "What kind of coordination (meeting, call, referral, accompanying, other).",
        ),
        opt("minutes", T::Int32, S::Measure, "Minutes spent."),
    ]);
    TableSpec::new(
        NAME,
        "one row per coordination activity",
        "Coordination work of the Family Partner with other services. The agencies involved are in fp_coordination_agencies.",
        "coordination_on",
        vec!["case_key", "coordination_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, a) in fam.coordination.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, a.on.year())?;
        put_family(w, c, fam);
        w.u32("coordination_index", u32::try_from(i).ok())
            .date("coordination_on", Some(a.on))
            .code("kind", Some(a.kind))
            .u32("minutes", a.minutes.map(u32::from));
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchCoordination>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("coordination_index")?;
    let on = r.date("coordination_on")?;
    let kind = r.dict("kind")?;
    let minutes = r.i32("minutes")?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchCoordination {
                on: on.req(row)?,
                kind: kind.req_code(row)?,
                minutes: small(NAME, row, "minutes", minutes.count(row)?)?,
                agencies: Vec::new(),
            },
        );
    }
    Ok(())
}
