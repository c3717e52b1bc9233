//! Dose: delivered / expected contacts per phase of the programme, and adherence.

use chrono::{Days, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Ratio;
use crate::contact::ContactStatus;
use crate::ids::FamilyRef;
use crate::trial::TrialData;

/// One family's dose in one phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyDose {
    /// The family.
    pub family: FamilyRef,
    /// First day of the family's time in the phase.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub from: NaiveDate,
    /// Day after the last day of the family's time in the phase so far (the phase's end, the
    /// day after the enrolment ended or the family withdrew, or the day after `as_of`,
    /// whichever is first).
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub until: NaiveDate,
    /// Day after the last **whole** week or month of the phase's rate in `[from, until)`:
    /// both counts cover `[from, counted_until)`.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub counted_until: NaiveDate,
    /// Delivered / expected contacts over the same whole periods.
    pub dose: Ratio,
}

/// Dose in one phase, over every enrolled family that has reached it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseDose {
    /// The phase id.
    pub phase: String,
    /// Delivered / expected contacts, summed over the families.
    pub dose: Ratio,
    /// Each family's part.
    pub families: Vec<FamilyDose>,
}

fn label(r: (u64, u64)) -> Ratio {
    Ratio::new(r.0, r.1, "delivered contacts", "expected contacts")
}

/// Dose per phase as of `as_of`. Expected contacts count **whole** weeks or months of the
/// family's time in the phase ([`crate::programme::Rate::expected`]); delivered contacts are
/// those with status `delivered` dated in those same whole periods (a contact in a period that
/// has not fully elapsed counts once the period has), so a family that has just entered a phase
/// shows 0 / 0, never contacts against 0 expected.
pub fn dose_per_phase(data: &TrialData, as_of: NaiveDate) -> Vec<PhaseDose> {
    let mut out = Vec::new();
    for phase in &data.programme.phases {
        let mut families = Vec::new();
        let (mut num, mut den) = (0, 0);
        for f in &data.families {
            let Some(e) = &f.enrolment else { continue };
            let Some((p0, p1)) = phase.span(e.started_on) else {
                continue;
            };
            let last = f.last_contact_day().map_or(as_of, |d| d.min(as_of));
            let Some(after_last) = last.checked_add_days(Days::new(1)) else {
                continue;
            };
            let until = p1.min(after_last);
            if until <= p0 {
                continue;
            }
            let expected = phase.expected.expected(p0, until);
            let counted_until = phase.expected.whole_periods_end(p0, until);
            let delivered = f
                .contacts
                .iter()
                .filter(|c| {
                    c.status == ContactStatus::Delivered && p0 <= c.on && c.on < counted_until
                })
                .count() as u64;
            num += delivered;
            den += expected;
            families.push(FamilyDose {
                family: f.family.clone(),
                from: p0,
                until,
                counted_until,
                dose: label((delivered, expected)),
            });
        }
        out.push(PhaseDose {
            phase: phase.id.clone(),
            dose: label((num, den)),
            families,
        });
    }
    out
}

/// Adherence as of `as_of`: delivered contacts / contacts that were due to happen (delivered,
/// cancelled by either side, or no-show), over every enrolled family. Planned contacts are
/// left out.
pub fn adherence(data: &TrialData, as_of: NaiveDate) -> Ratio {
    let (mut delivered, mut due) = (0, 0);
    for c in data
        .families
        .iter()
        .flat_map(|f| &f.contacts)
        .filter(|c| c.on <= as_of)
    {
        match c.status {
            ContactStatus::Planned => {}
            ContactStatus::Delivered => {
                delivered += 1;
                due += 1;
            }
            _ => due += 1,
        }
    }
    Ratio::new(
        delivered,
        due,
        "delivered contacts",
        "contacts delivered, cancelled or missed",
    )
}
