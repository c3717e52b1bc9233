//! `risk_assessments`: structured risk assessments of violence made during investigations.

use barnvern_case::risk::{RiskLevel, RiskMethod};
use chrono::Datelike;

use super::{
    CaseCol, CodedCols, Ctx, ProvCols, Sink, Staged, coded_names, put_case, put_coded,
    put_provenance,
};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchRiskAssessment};
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, coded_fields, f, provenance_fields,
};

pub(crate) const NAME: &str = "risk_assessments";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "investigation_index",
            T::Int32,
            S::Index,
            "Position of the investigation in the case (joins investigations.investigation_index).",
        ),
        f(
            "assessment_index",
            T::Int32,
            S::Index,
            "Position of the assessment on the investigation (0, 1, ...).",
        ),
        f(
            "assessed_on",
            T::Date32,
            S::Date,
            "Date of the assessment (its year is the partition year).",
        ),
    ]);
    fields.extend(coded_fields::<RiskMethod>(
        "method",
        "the method or instrument (FREDA, SARA, PATRIARK, B-SAFER, Signs of Safety, another structured method, clinical judgement, other)",
        false,
    ));
    fields.extend(coded_fields::<RiskLevel>(
        "level",
        "the outcome level (low, moderate, high, acute, not determined)",
        false,
    ));
    fields.extend(provenance_fields());
    TableSpec::new(
        NAME,
        "one row per structured risk assessment made during an investigation",
        "Structured risk assessments of violence (SE riskbedömning, NO risikovurdering): method, date, level and who assessed (pseudonymised).",
        "assessed_on",
        vec!["case_key", "investigation_index", "assessment_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, inv) in c.investigations.iter().enumerate() {
        for (j, a) in inv.risk_assessments.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, a.assessed_on.year())?;
            put_case(w, c);
            w.u32("investigation_index", u32::try_from(i).ok())
                .u32("assessment_index", u32::try_from(j).ok())
                .date("assessed_on", Some(a.assessed_on));
            put_coded(w, coded_names!("method"), Some(&a.method));
            put_coded(w, coded_names!("level"), Some(&a.level));
            put_provenance(w, &a.provenance);
            w.end_row()?;
        }
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchRiskAssessment>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let inv = r.i32("investigation_index")?;
    let index = r.i32("assessment_index")?;
    let on = r.date("assessed_on")?;
    let method = CodedCols::new(r, coded_names!("method"))?;
    let level = CodedCols::new(r, coded_names!("level"))?;
    let prov = ProvCols::new(r)?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            inv.req_index(row)?,
            index.req_index(row)?,
            row,
            ResearchRiskAssessment {
                assessed_on: on.req(row)?,
                method: method.req(row)?,
                level: level.req(row)?,
                provenance: prov.get(row)?,
            },
        );
    }
    Ok(())
}
