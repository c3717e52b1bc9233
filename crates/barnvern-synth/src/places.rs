//! Where synthetic children live: every municipality of barnvern-core's code lists that is in
//! force on the day the case opens, weighted roughly by population
//! (`data/municipality-weights.csv`), so Stockholm and Oslo have many cases and small
//! municipalities a few. Norway renumbered its municipalities in 2020 and 2024: the list
//! changes with the date.

use std::sync::LazyLock;

use barnvern_core::Jurisdiction;
use barnvern_core::municipality::{MunicipalityVersion, municipalities};
use chrono::NaiveDate;

use crate::rng::Draw;

/// The municipalities in force during one period, with cumulative weights.
struct Era {
    from: NaiveDate,
    rows: Vec<&'static MunicipalityVersion>,
    cumulative: Vec<u64>,
}

/// Every era of one country, in date order.
struct Eras(Vec<Era>);

static SE: LazyLock<Eras> = LazyLock::new(|| eras(Jurisdiction::Se));
static NO: LazyLock<Eras> = LazyLock::new(|| eras(Jurisdiction::No));

const WEIGHTS: &str = include_str!("../data/municipality-weights.csv");

fn weight(jurisdiction: Jurisdiction, name: &str) -> u64 {
    let country = jurisdiction.to_string();
    let mut default = 10;
    for line in WEIGHTS.lines().skip(1) {
        let mut parts = line.split(',');
        let (Some(j), Some(n), Some(w)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if j != country {
            continue;
        }
        let w: u64 = w.trim().parse().unwrap_or(10);
        if n == "*" {
            default = w;
        } else if name == n || name.split(" - ").any(|part| part.trim() == n) {
            return w;
        }
    }
    default
}

fn eras(jurisdiction: Jurisdiction) -> Eras {
    let rows = municipalities(jurisdiction);
    let mut starts: Vec<NaiveDate> = vec![NaiveDate::MIN];
    for r in rows {
        if let Some(f) = r.valid_from {
            starts.push(f);
        }
        if let Some(t) = r.valid_to.and_then(|t| t.succ_opt()) {
            starts.push(t);
        }
    }
    starts.sort_unstable();
    starts.dedup();
    let mut out = Vec::new();
    for from in starts {
        let probe = if from == NaiveDate::MIN {
            // Before the lists begin: the earliest versions.
            rows.iter()
                .filter_map(|r| r.valid_from)
                .min()
                .unwrap_or(NaiveDate::MIN)
        } else {
            from
        };
        let in_force: Vec<&'static MunicipalityVersion> =
            rows.iter().filter(|r| r.is_valid_on(probe)).collect();
        if in_force.is_empty() {
            continue;
        }
        let mut total = 0;
        let cumulative = in_force
            .iter()
            .map(|r| {
                total += weight(jurisdiction, &r.name);
                total
            })
            .collect();
        out.push(Era {
            from,
            rows: in_force,
            cumulative,
        });
    }
    Eras(out)
}

fn table(jurisdiction: Jurisdiction) -> &'static Eras {
    match jurisdiction {
        Jurisdiction::Se => &SE,
        Jurisdiction::No => &NO,
    }
}

/// A municipality of `jurisdiction` in force on `on`, drawn by population.
pub(crate) fn municipality(
    draw: &mut Draw,
    jurisdiction: Jurisdiction,
    on: NaiveDate,
) -> Option<&'static MunicipalityVersion> {
    let eras = &table(jurisdiction).0;
    let i = eras.partition_point(|e| e.from <= on).checked_sub(1)?;
    let era = &eras[i];
    let total = *era.cumulative.last()?;
    let x = draw.below(total);
    let j = era.cumulative.partition_point(|c| *c <= x);
    era.rows.get(j).copied()
}

/// Whether a municipality is one of the Family Partner trial's sites (by name, so the site
/// stays one across Norway's renumbering).
pub(crate) fn is_trial_site(m: &MunicipalityVersion, sites: &[String]) -> bool {
    sites
        .iter()
        .any(|s| m.name == *s || m.name.split(" - ").any(|part| part.trim() == s))
}

/// Checks the lists once.
pub(crate) fn check_data() -> bool {
    !SE.0.is_empty() && !NO.0.is_empty()
}
