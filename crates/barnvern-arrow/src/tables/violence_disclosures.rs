//! `violence_disclosures`: violence that came to light after the referral, during an
//! investigation or at a follow-up.

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::violence_exposures::{ExposureCols, exposure_fields, put_exposure};
use super::{CaseCol, Ctx, Sink, Staged, put_case};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchDisclosure};
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f};

pub(crate) const NAME: &str = "violence_disclosures";

/// Where violence found after the referral was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureStage {
    /// During an investigation (joins investigations.investigation_index).
    Investigation,
    /// At a follow-up (joins follow_ups.follow_up_index).
    FollowUp,
}

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        code::<DisclosureStage>("stage", "Where the violence came to light: during an investigation or at a follow-up."),
        f("record_index", T::Int32, S::Index, "Position of that investigation (joins investigations.investigation_index) or follow-up (joins follow_ups.follow_up_index) in the case."),
        f("disclosure_index", T::Int32, S::Index, "Position of the disclosure on that record (0, 1, ...)."),
        f("disclosed_on", T::Date32, S::Date, "The date the violence was disclosed or assessed (its year is the partition year)."),
    ]);
    fields.extend(exposure_fields());
    TableSpec::new(
        NAME,
        "one row per violence exposure disclosed during an investigation or at a follow-up",
        "Violence that came to light after the referral (disclosed by the child or another person, or found by the service), with the same columns as violence_exposures.",
        "disclosed_on",
        vec!["case_key", "stage", "record_index", "disclosure_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let by_investigation = c
        .investigations
        .iter()
        .map(|inv| (DisclosureStage::Investigation, &inv.violence));
    let by_follow_up = c
        .follow_ups
        .iter()
        .map(|fu| (DisclosureStage::FollowUp, &fu.violence));
    let mut position = (0u32, 0u32);
    for (stage, list) in by_investigation.chain(by_follow_up) {
        let record = match stage {
            DisclosureStage::Investigation => &mut position.0,
            DisclosureStage::FollowUp => &mut position.1,
        };
        for (j, d) in list.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, d.disclosed_on.year())?;
            put_case(w, c);
            w.code("stage", Some(stage))
                .u32("record_index", Some(*record))
                .u32("disclosure_index", u32::try_from(j).ok())
                .date("disclosed_on", Some(d.disclosed_on));
            put_exposure(w, &d.exposure);
            w.end_row()?;
        }
        *record += 1;
    }
    Ok(())
}

/// Reads the rows into the disclosures of investigations and of follow-ups.
pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    investigations: &mut Staged<ResearchDisclosure>,
    follow_ups: &mut Staged<ResearchDisclosure>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let stage = r.dict("stage")?;
    let record = r.i32("record_index")?;
    let index = r.i32("disclosure_index")?;
    let on = r.date("disclosed_on")?;
    let exposure = ExposureCols::new(r, NAME)?;
    for row in 0..r.rows() {
        let out = match stage.req_code(row)? {
            DisclosureStage::Investigation => &mut *investigations,
            DisclosureStage::FollowUp => &mut *follow_ups,
        };
        out.push(
            case.case(ctx, row)?,
            record.req_index(row)?,
            index.req_index(row)?,
            row,
            ResearchDisclosure {
                disclosed_on: on.req(row)?,
                exposure: exposure.get(row)?,
            },
        );
    }
    Ok(())
}
