//! `fp_interviews`: the qualitative sub-sample log: who was invited to an interview, consented,
//! was interviewed and when, or declined or withdrew, with the reason.

use barnvern_familypartner::{InterviewReason, InterviewStatus};
use barnvern_outcomes::Informant;
use chrono::NaiveDate;

use super::fp_enrolments::FAMILY_KEY;
use super::{Ctx, Sink, Staged, declare};
use crate::columns::TableReader;
use crate::error::{Error, Result};
use barnvern_research::family::ResearchInterview;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::ResearchCase;

table! {
    name: "fp_interviews",
    grain: "one row per invitation to a qualitative interview",
    description: "The Family Partner trial's qualitative sub-sample log: invitations of randomised families' parents or children to an interview, with consent, the interview date, and declines or withdrawals with their reason. Nothing said in an interview is part of the data.",
    year: invited_on,
    key: [case_key, interview_index],
    columns: {
        family_key: Pseudonym = FAMILY_KEY,
        interview_index: u32 = "Position of the invitation in the family's interview log (0, 1, ...).",
        informant: Informant = "Who was invited: the parent (parent) or the child (self).",
        invited_on: NaiveDate = "Date of the invitation to the interview (its year is the partition year); never before randomisation.",
        consented_on: Option<NaiveDate> = "Date consent to the interview was given; null while none.",
        interviewed_on: Option<NaiveDate> = "Date of the interview; null while none was held.",
        ended_on: Option<NaiveDate> = "Date the invitation was declined (without consent) or consent withdrawn (after it); null otherwise.",
        end_reason: Option<InterviewReason> = "Why the invitation was declined or consent withdrawn (not interested, no time, unreachable, too burdensome, other); its text is never exported.",
        status: InterviewStatus = "Where the invitation stands, derived from the dates: declined (ended without consent), withdrawn (ended after consent), interviewed, consented, or invited. The trial metric of the sub-sample (barnvern_familypartner::metrics::interviews, Python Trial.interviews) counts, per site and arm, invitations, those consented (consented_on set, also when withdrawn later) and those interviewed (status interviewed), each as a share of invitations with its 95% Wilson interval.",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    for (i, v) in fam.interviews.iter().enumerate() {
        put(
            sink,
            Row {
                case: c,
                family_key: &fam.family_key,
                interview_index: declare::pos(i),
                informant: v.informant,
                invited_on: v.invited_on,
                consented_on: v.consented_on,
                interviewed_on: v.interviewed_on,
                ended_on: v.ended_on,
                end_reason: v.end_reason,
                status: v.status(),
            },
        )?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchInterview>) -> Result<()> {
    read_rows(r, ctx, |x| {
        let interview = ResearchInterview {
            informant: x.informant,
            invited_on: x.invited_on,
            consented_on: x.consented_on,
            interviewed_on: x.interviewed_on,
            ended_on: x.ended_on,
            end_reason: x.end_reason,
        };
        if interview.ended_on.is_some() != interview.end_reason.is_some() {
            return Err(Error::data(
                crate::columns::cell_path(NAME, x.row, "end_reason"),
                "research.interview_end",
                "an ended invitation has both its date (ended_on) and its reason (end_reason)",
            ));
        }
        out.push(x.case, 0, x.interview_index, x.row, interview);
        Ok(())
    })
}
