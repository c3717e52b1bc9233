//! `screenings`: screenings of referrals (SE förhandsbedömning, NO gjennomgang av melding).

use barnvern_case::screening::ScreeningOutcome;
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchCoded, ResearchProvenance, ResearchScreening};

table! {
    name: "screenings",
    grain: "one row per screening decision",
    description: "Screenings (SE förhandsbedömning, NO gjennomgang av melding): whether a referral opened an investigation.",
    year: decided_on,
    key: [case_key, screening_index],
    columns: {
        screening_index: u32 = "Position of the screening in the case (0, 1, ...).",
        referral_index: Option<u32> = "Position of the referral screened (joins referrals.referral_index).",
        decided_on: NaiveDate = "Date of the screening decision (its year is the partition year).",
        outcome: ResearchCoded<ScreeningOutcome> = "the screening outcome (SSB Melding/Konklusjon)",
        extraordinary_reasons_recorded: bool = "SE: whether extraordinary reasons were recorded for exceeding 14 days (SoL 11 kap. 1 a §); the text is never exported. The screening deadline depends on it.",
        provenance: ResearchProvenance = "",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, s) in c.screenings.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                screening_index: declare::pos(i),
                referral_index: s.referral_index,
                decided_on: s.decided_on,
                outcome: &s.outcome,
                extraordinary_reasons_recorded: s.extraordinary_reasons_recorded,
                provenance: &s.provenance,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchScreening>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let screening = ResearchScreening {
            referral_index: x.referral_index,
            decided_on: x.decided_on,
            outcome: x.outcome,
            extraordinary_reasons_recorded: x.extraordinary_reasons_recorded,
            provenance: x.provenance,
        };
        out.push(x.case, 0, x.screening_index, x.row, screening);
        Ok(())
    })
}
