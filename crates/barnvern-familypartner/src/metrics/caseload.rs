//! Caseload per Family Partner over time, with breaches of the cap.

use std::collections::BTreeMap;

use barnvern_core::StaffRef;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Ratio;
use crate::trial::TrialData;

/// A span of days in which a partner's caseload did not change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseloadPeriod {
    /// The Family Partner.
    pub partner: StaffRef,
    /// First day.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub from: NaiveDate,
    /// Day the caseload next changed (exclusive); `None` when unchanged up to `as_of`.
    #[serde(default, deserialize_with = "barnvern_core::rfc3339::de::date_opt")]
    pub until: Option<NaiveDate>,
    /// Families in the caseload / the cap.
    pub load: Ratio,
    /// Whether the caseload was over the cap.
    pub breach: bool,
}

/// Each partner's caseload over time up to `as_of`, partners in order, periods in date order.
/// A family counts from its enrolment's start to the day before its end or withdrawal.
pub fn caseload(data: &TrialData, as_of: NaiveDate) -> Vec<CaseloadPeriod> {
    let cap = u64::from(data.programme.caseload_cap);
    let mut changes: BTreeMap<&StaffRef, BTreeMap<NaiveDate, i64>> = BTreeMap::new();
    for f in &data.families {
        let Some(e) = &f.enrolment else { continue };
        if e.started_on > as_of {
            continue;
        }
        let partner = changes.entry(&e.partner).or_default();
        *partner.entry(e.started_on).or_default() += 1;
        if let Some(end) = f.caseload_end().filter(|d| *d <= as_of) {
            *partner.entry(end).or_default() -= 1;
        }
    }
    let mut out = Vec::new();
    for (partner, days) in changes {
        let mut load: i64 = 0;
        let days: Vec<(NaiveDate, i64)> = days.into_iter().filter(|(_, d)| *d != 0).collect();
        for (k, (day, delta)) in days.iter().enumerate() {
            load += delta;
            let families = u64::try_from(load).unwrap_or(0);
            out.push(CaseloadPeriod {
                partner: partner.clone(),
                from: *day,
                until: days.get(k + 1).map(|(d, _)| *d),
                load: Ratio::new(families, cap, "families", "caseload cap"),
                breach: families > cap,
            });
        }
    }
    out
}
