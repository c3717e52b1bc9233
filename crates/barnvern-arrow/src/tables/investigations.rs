//! `investigations`: investigations (SE utredning, NO undersøkelse).

use barnvern_case::investigation::InvestigationConclusion;
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchCoded, ResearchInvestigation, ResearchProvenance};

table! {
    name: "investigations",
    grain: "one row per investigation",
    description: "Investigations (SE utredning, NO undersøkelse): start, plan, conclusion. Extensions and child participation are in their own tables.",
    year: started_on,
    key: [case_key, investigation_index],
    columns: {
        investigation_index: u32 = "Position of the investigation in the case (0, 1, ...).",
        screening_index: Option<u32> = "Position of the screening that opened it (joins screenings.screening_index); null when it started otherwise.",
        referral_indices: Vec<u32> = "Positions of the referrals it covers (join referrals.referral_index).",
        started_on: NaiveDate = "Start date, which starts the statutory deadline (its year is the partition year).",
        plan_made_on: Option<NaiveDate> = "Date of the investigation plan (SE utredningsplan, NO undersøkelsesplan).",
        concluded_on: Option<NaiveDate> = "Date the investigation was concluded; null while under way.",
        conclusion: Option<ResearchCoded<InvestigationConclusion>> = "the conclusion (SSB Undersokelse/Konklusjon)",
        provenance: ResearchProvenance = "",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, inv) in c.investigations.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                investigation_index: declare::pos(i),
                screening_index: inv.screening_index,
                referral_indices: &inv.referral_indices,
                started_on: inv.started_on,
                plan_made_on: inv.plan_made_on,
                concluded_on: inv.concluded_on,
                conclusion: inv.conclusion.as_ref(),
                provenance: &inv.provenance,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Staged<ResearchInvestigation>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        let investigation = ResearchInvestigation {
            screening_index: x.screening_index,
            referral_indices: x.referral_indices,
            started_on: x.started_on,
            plan_made_on: x.plan_made_on,
            extensions: Vec::new(),
            child_participation: Vec::new(),
            concluded_on: x.concluded_on,
            conclusion: x.conclusion,
            violence: Vec::new(),
            risk_assessments: Vec::new(),
            extension_applications: Vec::new(),
            decision_grounds: Vec::new(),
            provenance: x.provenance,
        };
        out.push(x.case, 0, x.investigation_index, x.row, investigation);
        Ok(())
    })
}
