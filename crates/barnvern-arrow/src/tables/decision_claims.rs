//! `decision_claims`: private parties' claims to the county board under each decision (NO
//! krav; SSB Vedtak/Krav).

use barnvern_case::decision::ClaimOutcome;
use chrono::Datelike;

use super::{CaseCol, CodedCols, Ctx, Sink, Staged, coded_names, put_case, put_coded};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchClaim};
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, coded_fields, f, opt,
};

pub(crate) const NAME: &str = "decision_claims";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "decision_index",
            T::Int32,
            S::Index,
            "Position of the decision in the case (joins decisions.decision_index).",
        ),
        f(
            "claim_index",
            T::Int32,
            S::Index,
            "Position of the claim on the decision (0, 1, ...).",
        ),
        f(
            "received_on",
            T::Date32,
            S::Date,
            "When the claim was received (SSB Krav/@StartDato; its year is the partition year).",
        ),
        opt(
            "concluded_on",
            T::Date32,
            S::Date,
            "When it was concluded (SSB Krav/Konklusjon/@SluttDato).",
        ),
    ]);
    fields.extend(coded_fields::<ClaimOutcome>(
        "outcome",
        "how the claim was concluded (SSB Krav/Konklusjon: 1 sent to the board, 2 lapsed, 9 other)",
        true,
    ));
    TableSpec::new(
        NAME,
        "one row per private party's claim to the county board",
        "Claims by private parties that the county social welfare board decide (NO krav til fylkesnemnda, e.g. parents' claim to end a care order), under the decision they concern.",
        "received_on",
        vec!["case_key", "decision_index", "claim_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, d) in c.decisions.iter().enumerate() {
        for (j, k) in d.claims.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, k.received_on.year())?;
            put_case(w, c);
            w.u32("decision_index", u32::try_from(i).ok())
                .u32("claim_index", u32::try_from(j).ok())
                .date("received_on", Some(k.received_on))
                .date("concluded_on", k.concluded_on);
            put_coded(w, coded_names!("outcome"), k.outcome.as_ref());
            w.end_row()?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchClaim>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let decision = r.i32("decision_index")?;
    let index = r.i32("claim_index")?;
    let received = r.date("received_on")?;
    let concluded = r.date("concluded_on")?;
    let outcome = CodedCols::new(r, coded_names!("outcome"))?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            decision.req_index(row)?,
            index.req_index(row)?,
            row,
            ResearchClaim {
                received_on: received.req(row)?,
                concluded_on: concluded.get(row)?,
                outcome: outcome.get(row)?,
            },
        );
    }
    Ok(())
}
