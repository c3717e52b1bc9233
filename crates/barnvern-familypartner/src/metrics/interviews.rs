//! The qualitative sub-sample: invitations to an interview, consent and interviews held, per
//! site and arm, with the reasons invitations were declined or consent withdrawn.
//!
//! Counted over invitations (a family whose parent and child were both invited counts twice)
//! of randomised families, as of a date: consented counts every invitation with consent given
//! by then (also those withdrawn later), interviewed every invitation with an interview held
//! and not withdrawn. Consent and interview shares are of invitations, each with its 95%
//! Wilson interval.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Ratio;
use crate::interview::{InterviewReason, InterviewStatus};
use crate::randomisation::Arm;
use crate::site::SiteCode;
use crate::trial::TrialData;

/// How many invitations ended for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterviewReasonCount {
    /// The reason.
    pub reason: InterviewReason,
    /// Declined invitations for it.
    pub declined: u64,
    /// Withdrawn consents for it.
    pub withdrawn: u64,
}

/// The log's counts for one site (or every site) and arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterviewCounts {
    /// The site; `None` for the whole trial.
    pub site: Option<SiteCode>,
    /// The arm.
    pub arm: Arm,
    /// Families with at least one invitation.
    pub families_invited: u64,
    /// Invitations.
    pub invited: u64,
    /// Invitations with consent given / invitations (95% Wilson interval).
    pub consented: Ratio,
    /// Invitations with an interview held and not withdrawn / invitations (95% Wilson
    /// interval).
    pub interviewed: Ratio,
    /// Invitations declined.
    pub declined: u64,
    /// Consents withdrawn.
    pub withdrawn: u64,
    /// Invitations still open: invited or consented, no interview or end yet.
    pub open: u64,
    /// Declines and withdrawals by reason (reasons with none left out).
    pub reasons: Vec<InterviewReasonCount>,
}

#[derive(Default)]
struct Tally {
    families: u64,
    invited: u64,
    consented: u64,
    interviewed: u64,
    declined: u64,
    withdrawn: u64,
    open: u64,
    reasons: BTreeMap<InterviewReason, (u64, u64)>,
}

fn counts(site: Option<SiteCode>, arm: Arm, t: Tally) -> InterviewCounts {
    InterviewCounts {
        site,
        arm,
        families_invited: t.families,
        invited: t.invited,
        consented: Ratio::proportion(
            t.consented,
            t.invited,
            "invitations consented",
            "invitations",
        ),
        interviewed: Ratio::proportion(
            t.interviewed,
            t.invited,
            "invitations interviewed",
            "invitations",
        ),
        declined: t.declined,
        withdrawn: t.withdrawn,
        open: t.open,
        reasons: t
            .reasons
            .into_iter()
            .map(|(reason, (declined, withdrawn))| InterviewReasonCount {
                reason,
                declined,
                withdrawn,
            })
            .collect(),
    }
}

/// The interview log's counts as of `as_of`: per site of the design (in its order) and arm,
/// then for the whole trial per arm (`site: None`). Without sites, only the whole trial.
pub fn interviews(data: &TrialData, as_of: NaiveDate) -> Vec<InterviewCounts> {
    let view = data.as_of(as_of);
    let mut by: BTreeMap<(Option<usize>, Arm), Tally> = BTreeMap::new();
    for f in &view.families {
        let Some(arm) = f.arm() else { continue };
        if f.interviews.is_empty() {
            continue;
        }
        let site = f
            .site
            .as_ref()
            .and_then(|s| view.design.sites.iter().position(|x| &x.code == s));
        let keys: Vec<_> = if view.design.sites.is_empty() {
            vec![(None, arm)]
        } else {
            vec![
                (site.map(Some).unwrap_or(Some(usize::MAX)), arm),
                (None, arm),
            ]
        };
        for key in keys {
            let t = by.entry(key).or_default();
            t.families += 1;
            for iv in &f.interviews {
                t.invited += 1;
                t.consented += u64::from(iv.consented_on.is_some());
                let status = iv.status();
                let reason = iv.ended.map(|e| e.reason);
                match status {
                    InterviewStatus::Interviewed => t.interviewed += 1,
                    InterviewStatus::Declined => t.declined += 1,
                    InterviewStatus::Withdrawn => t.withdrawn += 1,
                    InterviewStatus::Invited | InterviewStatus::Consented => t.open += 1,
                }
                if let Some(r) = reason {
                    let e = t.reasons.entry(r).or_default();
                    if status == InterviewStatus::Declined {
                        e.0 += 1;
                    } else {
                        e.1 += 1;
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    // Sites in the design's order (a site not in the design, which validation refuses, last),
    // then the whole trial.
    let mut sited: Vec<_> = by
        .iter()
        .filter_map(|((s, a), _)| s.map(|s| (s, *a)))
        .collect();
    sited.sort_unstable();
    for (s, arm) in sited {
        if let Some(t) = by.remove(&(Some(s), arm)) {
            let code = view.design.sites.get(s).map(|x| x.code.clone());
            out.push(counts(code, arm, t));
        }
    }
    for arm in Arm::ALL {
        if let Some(t) = by.remove(&(None, arm)) {
            out.push(counts(None, arm, t));
        }
    }
    out
}
