//! Fidelity: the programme's components delivered to each family, against the programme
//! definition, phase by phase (not only how many contacts, but what they covered).

use chrono::{Days, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Ratio;
use crate::contact::ContactStatus;
use crate::ids::FamilyRef;
use crate::trial::TrialData;

/// One family's components in one phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyFidelity {
    /// The family.
    pub family: FamilyRef,
    /// The components the programme definition lists for the phase.
    pub expected: Vec<String>,
    /// Those covered in at least one delivered contact in the family's time in the phase.
    pub covered: Vec<String>,
    /// Those not covered (yet).
    pub missing: Vec<String>,
    /// Components covered / components expected.
    pub fidelity: Ratio,
}

/// Fidelity in one phase, over every enrolled family that has reached it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseFidelity {
    /// The phase id.
    pub phase: String,
    /// Components covered / components expected, summed over the families.
    pub fidelity: Ratio,
    /// Each family's part.
    pub families: Vec<FamilyFidelity>,
}

/// Fidelity per phase as of `as_of`: for each enrolled family that has reached a phase, the
/// phase's components (programme definition) covered in at least one **delivered** contact
/// dated in the family's time in the phase (from the phase's start to its end, the enrolment's
/// end or withdrawal, or `as_of`, whichever is first). Components a contact records that the
/// phase does not list are not counted.
pub fn fidelity_per_phase(data: &TrialData, as_of: NaiveDate) -> Vec<PhaseFidelity> {
    let label = |n, d| Ratio::new(n, d, "components covered", "components expected");
    let mut out = Vec::new();
    for phase in &data.programme.phases {
        let mut families = Vec::new();
        let (mut num, mut den) = (0, 0);
        for f in &data.families {
            let Some(e) = &f.enrolment else { continue };
            if e.started_on > as_of {
                continue;
            }
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
            let delivered: Vec<&String> = f
                .contacts
                .iter()
                .filter(|c| c.status == ContactStatus::Delivered && p0 <= c.on && c.on < until)
                .flat_map(|c| &c.components)
                .collect();
            let (covered, missing): (Vec<String>, Vec<String>) = phase
                .components
                .iter()
                .cloned()
                .partition(|c| delivered.contains(&c));
            let (n, d) = (covered.len() as u64, phase.components.len() as u64);
            num += n;
            den += d;
            families.push(FamilyFidelity {
                family: f.family.clone(),
                expected: phase.components.clone(),
                covered,
                missing,
                fidelity: label(n, d),
            });
        }
        out.push(PhaseFidelity {
            phase: phase.id.clone(),
            fidelity: label(num, den),
            families,
        });
    }
    out
}
