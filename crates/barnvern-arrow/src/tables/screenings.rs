//! `screenings`: screenings of referrals (SE förhandsbedömning, NO gjennomgang av melding).

use barnvern_case::screening::ScreeningOutcome;
use chrono::Datelike;

use super::{
    CaseCol, CodedCols, Ctx, ProvCols, Sink, Staged, coded_names, put_case, put_coded,
    put_provenance,
};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchScreening};
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, coded_fields, f, opt,
    provenance_fields,
};

pub(crate) const NAME: &str = "screenings";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "screening_index",
            T::Int32,
            S::Index,
            "Position of the screening in the case (0, 1, ...).",
        ),
        opt(
            "referral_index",
            T::Int32,
            S::Index,
            "Position of the referral screened (joins referrals.referral_index).",
        ),
        f(
            "decided_on",
            T::Date32,
            S::Date,
            "Date of the screening decision (its year is the partition year).",
        ),
    ]);
    fields.extend(coded_fields::<ScreeningOutcome>(
        "outcome",
        "the screening outcome (SSB Melding/Konklusjon)",
        false,
    ));
    fields.push(f("extraordinary_reasons_recorded", T::Bool, S::Flag, "SE: whether extraordinary reasons were recorded for exceeding 14 days (SoL 11 kap. 1 a §); the text is never exported. The screening deadline depends on it."));
    fields.extend(provenance_fields());
    TableSpec::new(
        NAME,
        "one row per screening decision",
        "Screenings (SE förhandsbedömning, NO gjennomgang av melding): whether a referral opened an investigation.",
        "decided_on",
        vec!["case_key", "screening_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, s) in c.screenings.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, s.decided_on.year())?;
        put_case(w, c);
        w.u32("screening_index", u32::try_from(i).ok())
            .u32("referral_index", s.referral_index)
            .date("decided_on", Some(s.decided_on));
        put_coded(w, coded_names!("outcome"), Some(&s.outcome));
        w.bool(
            "extraordinary_reasons_recorded",
            Some(s.extraordinary_reasons_recorded),
        );
        put_provenance(w, &s.provenance);
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchScreening>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("screening_index")?;
    let referral = r.i32("referral_index")?;
    let decided = r.date("decided_on")?;
    let outcome = CodedCols::new(r, coded_names!("outcome"))?;
    let reasons = r.bool("extraordinary_reasons_recorded")?;
    let prov = ProvCols::new(r)?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchScreening {
                referral_index: referral.index(row)?,
                decided_on: decided.req(row)?,
                outcome: outcome.req(row)?,
                extraordinary_reasons_recorded: reasons.req(row)?,
                provenance: prov.get(row)?,
            },
        );
    }
    Ok(())
}
