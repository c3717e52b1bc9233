//! `risk_assessments`: structured risk assessments of violence made during investigations.

use barnvern_case::risk::{RiskLevel, RiskMethod};
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchCoded, ResearchProvenance, ResearchRiskAssessment};

table! {
    name: "risk_assessments",
    grain: "one row per structured risk assessment made during an investigation",
    description: "Structured risk assessments of violence (SE riskbedömning, NO risikovurdering): method, date, level and who assessed (pseudonymised).",
    year: assessed_on,
    key: [case_key, investigation_index, assessment_index],
    columns: {
        investigation_index: u32 = "Position of the investigation in the case (joins investigations.investigation_index).",
        assessment_index: u32 = "Position of the assessment on the investigation (0, 1, ...).",
        assessed_on: NaiveDate = "Date of the assessment (its year is the partition year).",
        method: ResearchCoded<RiskMethod> = "the method or instrument (FREDA, SARA, PATRIARK, B-SAFER, Signs of Safety, another structured method, clinical judgement, other)",
        level: ResearchCoded<RiskLevel> = "the outcome level (low, moderate, high, acute, not determined)",
        provenance: ResearchProvenance = "",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, inv) in c.investigations.iter().enumerate() {
        for (j, a) in inv.risk_assessments.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    investigation_index: declare::pos(i),
                    assessment_index: declare::pos(j),
                    assessed_on: a.assessed_on,
                    method: &a.method,
                    level: &a.level,
                    provenance: &a.provenance,
                },
            )?;
        }
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchRiskAssessment>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        let assessment = ResearchRiskAssessment {
            assessed_on: x.assessed_on,
            method: x.method,
            level: x.level,
            provenance: x.provenance,
        };
        out.push(x.case, x.investigation_index, x.assessment_index, x.row, assessment);
        Ok(())
    })
}
