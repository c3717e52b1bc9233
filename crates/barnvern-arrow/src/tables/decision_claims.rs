//! `decision_claims`: private parties' claims to the county board under each decision (NO
//! krav; SSB Vedtak/Krav).

use barnvern_case::decision::ClaimOutcome;
use chrono::NaiveDate;

use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchClaim, ResearchCoded};

table! {
    name: "decision_claims",
    grain: "one row per private party's claim to the county board",
    description: "Claims by private parties that the county social welfare board decide (NO krav til fylkesnemnda, e.g. parents' claim to end a care order), under the decision they concern.",
    year: received_on,
    key: [case_key, decision_index, claim_index],
    columns: {
        decision_index: u32 = "Position of the decision in the case (joins decisions.decision_index).",
        claim_index: u32 = "Position of the claim on the decision (0, 1, ...).",
        received_on: NaiveDate = "When the claim was received (SSB Krav/@StartDato; its year is the partition year).",
        concluded_on: Option<NaiveDate> = "When it was concluded (SSB Krav/Konklusjon/@SluttDato).",
        outcome: Option<ResearchCoded<ClaimOutcome>> = "how the claim was concluded (SSB Krav/Konklusjon: 1 sent to the board, 2 lapsed, 9 other)",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, d) in c.decisions.iter().enumerate() {
        for (j, k) in d.claims.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    decision_index: declare::pos(i),
                    claim_index: declare::pos(j),
                    received_on: k.received_on,
                    concluded_on: k.concluded_on,
                    outcome: k.outcome.as_ref(),
                },
            )?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchClaim>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let claim = ResearchClaim {
            received_on: x.received_on,
            concluded_on: x.concluded_on,
            outcome: x.outcome,
        };
        out.push(x.case, x.decision_index, x.claim_index, x.row, claim);
        Ok(())
    })
}
