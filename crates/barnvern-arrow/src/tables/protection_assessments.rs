//! `protection_assessments`: protection assessments (SE skyddsbedömning).

use chrono::{DateTime, NaiveDate, Utc};

use super::referrals::{at_offset, offset_minutes};
use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchAssessment, ResearchCase, ResearchProvenance};

table! {
    name: "protection_assessments",
    grain: "one row per protection assessment",
    description: "Protection assessments (SE skyddsbedömning): was the child in need of immediate protection?",
    year: assessed_on,
    key: [case_key, assessment_index],
    columns: {
        assessment_index: u32 = "Position of the assessment in the case (0, 1, ...).",
        referral_index: Option<u32> = "Position of the referral assessed (joins referrals.referral_index).",
        assessed_at: DateTime<Utc> = "When the assessment was made (UTC).",
        assessed_offset_minutes: i32 = "The local UTC offset recorded with assessed_at, in minutes.",
        assessed_on: NaiveDate = "Local date of the assessment (its year is the partition year).",
        immediate_protection_needed: bool = "Whether the child was judged to need immediate protection.",
        provenance: ResearchProvenance = "",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, a) in c.protection_assessments.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                assessment_index: declare::pos(i),
                referral_index: a.referral_index,
                assessed_at: a.assessed_at.with_timezone(&Utc),
                assessed_offset_minutes: offset_minutes(&a.assessed_at),
                assessed_on: a.assessed_at.date_naive(),
                immediate_protection_needed: a.immediate_protection_needed,
                provenance: &a.provenance,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchAssessment>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let assessment = ResearchAssessment {
            referral_index: x.referral_index,
            assessed_at: at_offset(
                NAME,
                x.row,
                "assessed_offset_minutes",
                x.assessed_at,
                x.assessed_offset_minutes,
            )?,
            immediate_protection_needed: x.immediate_protection_needed,
            provenance: x.provenance,
        };
        out.push(x.case, 0, x.assessment_index, x.row, assessment);
        Ok(())
    })
}
