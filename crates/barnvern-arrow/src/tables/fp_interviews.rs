//! `fp_interviews`: the qualitative sub-sample log: who was invited to an interview, consented,
//! was interviewed and when, or declined or withdrew, with the reason.

use barnvern_familypartner::{InterviewReason, InterviewStatus};
use barnvern_outcomes::Informant;
use chrono::Datelike;

use super::fp_enrolments::family_key_field;
use super::{CaseCol, Ctx, Sink, Staged, put_family};
use crate::columns::TableReader;
use crate::error::{Error, Result};
use crate::family::ResearchInterview;
use crate::research::ResearchCase;
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f, opt, opt_code,
};

pub(crate) const NAME: &str = "fp_interviews";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.push(family_key_field());
    fields.extend([
        f("interview_index", T::Int32, S::Index, "Position of the invitation in the family's interview log (0, 1, ...)."),
        code::<Informant>("informant", "Who was invited: the parent (parent) or the child (self)."),
        f("invited_on", T::Date32, S::Date, "Date of the invitation to the interview (its year is the partition year); never before randomisation."),
        opt("consented_on", T::Date32, S::Date, "Date consent to the interview was given; null while none."),
        opt("interviewed_on", T::Date32, S::Date, "Date of the interview; null while none was held."),
        opt("ended_on", T::Date32, S::Date, "Date the invitation was declined (without consent) or consent withdrawn (after it); null otherwise."),
        opt_code::<InterviewReason>("end_reason", "Why the invitation was declined or consent withdrawn (not interested, no time, unreachable, too burdensome, other); its text is never exported."),
        code::<InterviewStatus>("status", "Where the invitation stands, derived from the dates: declined (ended without consent), withdrawn (ended after consent), interviewed, consented, or invited. The trial metric of the sub-sample (barnvern_familypartner::metrics::interviews, Python Trial.interviews) counts, per site and arm, invitations, those consented (consented_on set, also when withdrawn later) and those interviewed (status interviewed), each as a share of invitations with its 95% Wilson interval."),
    ]);
    TableSpec::new(
        NAME,
        "one row per invitation to a qualitative interview",
        "The Family Partner trial's qualitative sub-sample log: invitations of randomised families' parents or children to an interview, with consent, the interview date, and declines or withdrawals with their reason. Nothing said in an interview is part of the data.",
        "invited_on",
        vec!["case_key", "interview_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, v) in fam.interviews.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, v.invited_on.year())?;
        put_family(w, c, fam);
        w.u32("interview_index", u32::try_from(i).ok())
            .code("informant", Some(v.informant))
            .date("invited_on", Some(v.invited_on))
            .date("consented_on", v.consented_on)
            .date("interviewed_on", v.interviewed_on)
            .date("ended_on", v.ended_on)
            .code("end_reason", v.end_reason)
            .code("status", Some(v.status()));
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchInterview>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("interview_index")?;
    let informant = r.dict("informant")?;
    let invited = r.date("invited_on")?;
    let consented = r.date("consented_on")?;
    let interviewed = r.date("interviewed_on")?;
    let ended = r.date("ended_on")?;
    let reason = r.dict("end_reason")?;
    for row in 0..r.rows() {
        let interview = ResearchInterview {
            informant: informant.req_code(row)?,
            invited_on: invited.req(row)?,
            consented_on: consented.get(row)?,
            interviewed_on: interviewed.get(row)?,
            ended_on: ended.get(row)?,
            end_reason: reason.code::<InterviewReason>(row)?,
        };
        if interview.ended_on.is_some() != interview.end_reason.is_some() {
            return Err(Error::data(
                crate::columns::cell_path(NAME, row, "end_reason"),
                "research.interview_end",
                "an ended invitation has both its date (ended_on) and its reason (end_reason)",
            ));
        }
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            interview,
        );
    }
    Ok(())
}
