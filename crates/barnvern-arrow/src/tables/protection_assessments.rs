//! `protection_assessments`: protection assessments (SE skyddsbedömning).

use chrono::{Datelike, Utc};

use super::referrals::{at_offset, offset_minutes};
use super::{CaseCol, Ctx, ProvCols, Sink, Staged, put_case, put_provenance};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchAssessment, ResearchCase};
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, f, opt, provenance_fields,
};

pub(crate) const NAME: &str = "protection_assessments";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "assessment_index",
            T::Int32,
            S::Index,
            "Position of the assessment in the case (0, 1, ...).",
        ),
        opt(
            "referral_index",
            T::Int32,
            S::Index,
            "Position of the referral assessed (joins referrals.referral_index).",
        ),
        f(
            "assessed_at",
            T::TimestampUtc,
            S::Timestamp,
            "When the assessment was made (UTC).",
        ),
        f(
            "assessed_offset_minutes",
            T::Int32,
            S::Measure,
            "The local UTC offset recorded with assessed_at, in minutes.",
        ),
        f(
            "assessed_on",
            T::Date32,
            S::Date,
            "Local date of the assessment (its year is the partition year).",
        ),
        f(
            "immediate_protection_needed",
            T::Bool,
            S::Flag,
            "Whether the child was judged to need immediate protection.",
        ),
    ]);
    fields.extend(provenance_fields());
    TableSpec::new(
        NAME,
        "one row per protection assessment",
        "Protection assessments (SE skyddsbedömning): was the child in need of immediate protection?",
        "assessed_on",
        vec!["case_key", "assessment_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, a) in c.protection_assessments.iter().enumerate() {
        let on = a.assessed_at.date_naive();
        let w = sink.writer(NAME, c.jurisdiction, on.year())?;
        put_case(w, c);
        w.u32("assessment_index", u32::try_from(i).ok())
            .u32("referral_index", a.referral_index)
            .ts("assessed_at", Some(a.assessed_at.with_timezone(&Utc)))
            .i32(
                "assessed_offset_minutes",
                Some(offset_minutes(&a.assessed_at)),
            )
            .date("assessed_on", Some(on))
            .bool(
                "immediate_protection_needed",
                Some(a.immediate_protection_needed),
            );
        put_provenance(w, &a.provenance);
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchAssessment>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("assessment_index")?;
    let referral = r.i32("referral_index")?;
    let at = r.ts("assessed_at")?;
    let offset = r.i32("assessed_offset_minutes")?;
    let needed = r.bool("immediate_protection_needed")?;
    let prov = ProvCols::new(r)?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchAssessment {
                referral_index: referral.index(row)?,
                assessed_at: at_offset(
                    NAME,
                    row,
                    "assessed_offset_minutes",
                    at.req(row)?,
                    offset.req(row)?,
                )?,
                immediate_protection_needed: needed.req(row)?,
                provenance: prov.get(row)?,
            },
        );
    }
    Ok(())
}
