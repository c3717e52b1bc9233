//! Recruitment per calendar month and per site, against the target (CONSORT extension for
//! pilot and feasibility trials, item 14a: the dates defining recruitment, and its rate).

use chrono::{Datelike, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Ratio;
use crate::family::FamilyRecord;
use crate::site::SiteCode;
use crate::trial::TrialData;

/// One site's (or the whole trial's) recruitment in one calendar month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecruitmentMonth {
    /// The site; `None` on the whole trial's rows.
    pub site: Option<SiteCode>,
    /// The calendar month, `YYYY-MM`.
    pub month: String,
    /// Families approached in the month.
    pub approached: u64,
    /// Families screened in the month.
    pub screened: u64,
    /// Families randomised in the month.
    pub randomised: u64,
    /// The target for the month (families randomised); `None` without one.
    pub target: Option<u64>,
}

/// One site's (or the whole trial's) recruitment up to a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteRecruitment {
    /// The site; `None` for the whole trial.
    pub site: Option<SiteCode>,
    /// The first day of recruitment: the site's opening day (without sites, the first
    /// approach).
    #[serde(default, deserialize_with = "barnvern_core::rfc3339::de::date_opt")]
    pub opened_on: Option<NaiveDate>,
    /// Recruitment months: calendar months from the opening month to the month of `as_of`,
    /// both counted whole. For the whole trial, the sum over its sites (site-months).
    pub months: u64,
    /// Families randomised.
    pub randomised: u64,
    /// Families randomised per recruitment month: `randomised / months`.
    pub rate_per_month: Ratio,
    /// Families randomised / the target over the same months (target per month x months,
    /// summed over the sites); `None` when no site has a target.
    pub against_target: Option<Ratio>,
    /// Month by month.
    pub per_month: Vec<RecruitmentMonth>,
}

/// Recruitment as of a date: each site in the design's order, then the whole trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recruitment {
    /// The date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub as_of: NaiveDate,
    /// Per site (empty for a trial without a site list).
    pub sites: Vec<SiteRecruitment>,
    /// The whole trial.
    pub total: SiteRecruitment,
}

fn month_key(d: NaiveDate) -> (i32, u32) {
    (d.year(), d.month())
}

/// Calendar months from `from`'s month to `to`'s month, both counted; 0 when `to` is earlier.
fn months_between(from: NaiveDate, to: NaiveDate) -> u64 {
    let (a, b) = (month_key(from), month_key(to));
    let n = i64::from(b.0 - a.0) * 12 + i64::from(b.1) - i64::from(a.1) + 1;
    u64::try_from(n).unwrap_or(0)
}

fn months_from(from: NaiveDate, count: u64) -> Vec<(i32, u32)> {
    let (mut y, mut m) = month_key(from);
    let mut out = Vec::new();
    for _ in 0..count {
        out.push((y, m));
        if m == 12 {
            y += 1;
            m = 1;
        } else {
            m += 1;
        }
    }
    out
}

fn count_in(
    families: &[&FamilyRecord],
    ym: (i32, u32),
    date: impl Fn(&FamilyRecord) -> Option<NaiveDate>,
) -> u64 {
    families
        .iter()
        .filter(|f| date(f).is_some_and(|d| month_key(d) == ym))
        .count() as u64
}

fn one(
    site: Option<SiteCode>,
    families: &[&FamilyRecord],
    opened_on: Option<NaiveDate>,
    target_per_month: Option<u32>,
    as_of: NaiveDate,
) -> SiteRecruitment {
    let months = opened_on.map_or(0, |o| months_between(o, as_of));
    let randomised = families.iter().filter(|f| f.allocation.is_some()).count() as u64;
    let per_month = opened_on
        .map(|o| months_from(o, months))
        .unwrap_or_default()
        .into_iter()
        .map(|ym| RecruitmentMonth {
            site: site.clone(),
            month: format!("{:04}-{:02}", ym.0, ym.1),
            approached: count_in(families, ym, |f| Some(f.approached_on)),
            screened: count_in(families, ym, |f| f.screening.as_ref().map(|s| s.on)),
            randomised: count_in(families, ym, |f| f.allocation.as_ref().map(|a| a.on)),
            target: target_per_month.map(u64::from),
        })
        .collect();
    SiteRecruitment {
        site,
        opened_on,
        months,
        randomised,
        rate_per_month: Ratio::new(
            randomised,
            months,
            "families randomised",
            "recruitment months",
        ),
        against_target: target_per_month.map(|t| {
            Ratio::new(
                randomised,
                u64::from(t) * months,
                "families randomised",
                "target (families per month x recruitment months)",
            )
        }),
        per_month,
    }
}

/// Recruitment as of `as_of`, per site and for the whole trial. A family counts in the month
/// of its approach, screening or randomisation; families without a site (a trial without a
/// site list) count in the total only, whose months run from the first approach.
pub fn recruitment(data: &TrialData, as_of: NaiveDate) -> Recruitment {
    let view = data.as_of(as_of);
    let all: Vec<&FamilyRecord> = view.families.iter().collect();
    let sites: Vec<SiteRecruitment> = view
        .design
        .sites
        .iter()
        .map(|s| {
            let here: Vec<&FamilyRecord> = all
                .iter()
                .copied()
                .filter(|f| f.site.as_ref() == Some(&s.code))
                .collect();
            let opened = (s.recruitment_opened_on <= as_of).then_some(s.recruitment_opened_on);
            one(
                Some(s.code.clone()),
                &here,
                opened,
                s.target_per_month,
                as_of,
            )
        })
        .collect();
    let first = view
        .design
        .sites
        .iter()
        .map(|s| s.recruitment_opened_on)
        .filter(|d| *d <= as_of)
        .min()
        .or_else(|| all.iter().map(|f| f.approached_on).min());
    let mut total = one(None, &all, first, None, as_of);
    if !sites.is_empty() {
        // The whole trial's months are site-months, and its target the sites' targets summed
        // over each site's own months.
        total.months = sites.iter().map(|s| s.months).sum();
        total.rate_per_month = Ratio::new(
            total.randomised,
            total.months,
            "families randomised",
            "site recruitment months",
        );
        let with_target: Vec<_> = sites
            .iter()
            .filter_map(|s| s.against_target.as_ref())
            .collect();
        total.against_target = (!with_target.is_empty()).then(|| {
            Ratio::new(
                total.randomised,
                with_target.iter().map(|r| r.denominator).sum(),
                "families randomised",
                "target (families per month x recruitment months, summed over sites)",
            )
        });
        for m in &mut total.per_month {
            let targets: Vec<u64> = sites
                .iter()
                .filter_map(|s| s.per_month.iter().find(|x| x.month == m.month))
                .filter_map(|x| x.target)
                .collect();
            m.target = (!targets.is_empty()).then(|| targets.iter().sum());
        }
    }
    Recruitment {
        as_of,
        sites,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_count_both_ends() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(months_between(d(2024, 1, 15), d(2024, 1, 20)), 1);
        assert_eq!(months_between(d(2023, 11, 30), d(2024, 2, 1)), 4);
        assert_eq!(months_between(d(2024, 3, 1), d(2024, 2, 1)), 0);
        assert_eq!(
            months_from(d(2023, 11, 30), 3),
            vec![(2023, 11), (2023, 12), (2024, 1)]
        );
    }
}
