//! `investigations`: investigations (SE utredning, NO undersøkelse).

use barnvern_case::investigation::InvestigationConclusion;
use chrono::Datelike;

use super::{
    CaseCol, CodedCols, Ctx, ProvCols, Sink, Staged, coded_names, put_case, put_coded,
    put_provenance,
};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchInvestigation};
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, coded_fields, f, opt,
    provenance_fields,
};

pub(crate) const NAME: &str = "investigations";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f("investigation_index", T::Int32, S::Index, "Position of the investigation in the case (0, 1, ...)."),
        opt("screening_index", T::Int32, S::Index, "Position of the screening that opened it (joins screenings.screening_index); null when it started otherwise."),
        f("referral_indices", T::ListInt32, S::Index, "Positions of the referrals it covers (join referrals.referral_index)."),
        f("started_on", T::Date32, S::Date, "Start date, which starts the statutory deadline (its year is the partition year)."),
        opt("plan_made_on", T::Date32, S::Date, "Date of the investigation plan (SE utredningsplan, NO undersøkelsesplan)."),
        opt("concluded_on", T::Date32, S::Date, "Date the investigation was concluded; null while under way."),
    ]);
    fields.extend(coded_fields::<InvestigationConclusion>(
        "conclusion",
        "the conclusion (SSB Undersokelse/Konklusjon)",
        true,
    ));
    fields.extend(provenance_fields());
    TableSpec::new(
        NAME,
        "one row per investigation",
        "Investigations (SE utredning, NO undersøkelse): start, plan, conclusion. Extensions and child participation are in their own tables.",
        "started_on",
        vec!["case_key", "investigation_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, inv) in c.investigations.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, inv.started_on.year())?;
        put_case(w, c);
        w.u32("investigation_index", u32::try_from(i).ok())
            .u32("screening_index", inv.screening_index)
            .list_u32("referral_indices", &inv.referral_indices)
            .date("started_on", Some(inv.started_on))
            .date("plan_made_on", inv.plan_made_on)
            .date("concluded_on", inv.concluded_on);
        put_coded(w, coded_names!("conclusion"), inv.conclusion.as_ref());
        put_provenance(w, &inv.provenance);
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchInvestigation>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("investigation_index")?;
    let screening = r.i32("screening_index")?;
    let referrals = r.list("referral_indices")?;
    let started = r.date("started_on")?;
    let plan = r.date("plan_made_on")?;
    let concluded = r.date("concluded_on")?;
    let conclusion = CodedCols::new(r, coded_names!("conclusion"))?;
    let prov = ProvCols::new(r)?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchInvestigation {
                screening_index: screening.index(row)?,
                referral_indices: referrals.indices(row)?,
                started_on: started.req(row)?,
                plan_made_on: plan.get(row)?,
                extensions: Vec::new(),
                child_participation: Vec::new(),
                concluded_on: concluded.get(row)?,
                conclusion: conclusion.get(row)?,
                violence: Vec::new(),
                risk_assessments: Vec::new(),
                extension_applications: Vec::new(),
                decision_grounds: Vec::new(),
                provenance: prov.get(row)?,
            },
        );
    }
    Ok(())
}
