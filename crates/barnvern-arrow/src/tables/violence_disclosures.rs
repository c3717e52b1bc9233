//! `violence_disclosures`: violence that came to light after the referral, during an
//! investigation or at a follow-up.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchDisclosure, ResearchViolence};

/// Where violence found after the referral was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureStage {
    /// During an investigation (joins investigations.investigation_index).
    Investigation,
    /// At a follow-up (joins follow_ups.follow_up_index).
    FollowUp,
}

table! {
    name: "violence_disclosures",
    grain: "one row per violence exposure disclosed during an investigation or at a follow-up",
    description: "Violence that came to light after the referral (disclosed by the child or another person, or found by the service), with the same columns as violence_exposures.",
    year: disclosed_on,
    key: [case_key, stage, record_index, disclosure_index],
    columns: {
        stage: DisclosureStage = "Where the violence came to light: during an investigation or at a follow-up.",
        record_index: u32 = "Position of that investigation (joins investigations.investigation_index) or follow-up (joins follow_ups.follow_up_index) in the case.",
        disclosure_index: u32 = "Position of the disclosure on that record (0, 1, ...).",
        disclosed_on: NaiveDate = "The date the violence was disclosed or assessed (its year is the partition year).",
        exposure: ResearchViolence = "",
    }
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
            put(
                sink,
                Row {
                    case: c,
                    stage,
                    record_index: *record,
                    disclosure_index: declare::pos(j),
                    disclosed_on: d.disclosed_on,
                    exposure: &d.exposure,
                },
            )?;
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
    read_rows(r, ctx, |x| {
        let out = match x.stage {
            DisclosureStage::Investigation => &mut *investigations,
            DisclosureStage::FollowUp => &mut *follow_ups,
        };
        let disclosure = ResearchDisclosure {
            disclosed_on: x.disclosed_on,
            exposure: x.exposure,
        };
        out.push(x.case, x.record_index, x.disclosure_index, x.row, disclosure);
        Ok(())
    })
}
