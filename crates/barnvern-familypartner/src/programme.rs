//! The programme definition as versioned data: phases with their expected dose and
//! components, the caseload cap, the duration and the eligibility criteria.
//!
//! The FAMPART manual's dose schedule is not published. The shipped definition
//! ([`ProgrammeDefinition::builtin_default`], `data/programme-default.json`) is a **default**
//! that makes the metrics computable; it is not the manual. A site loads its own with
//! [`ProgrammeDefinition::from_json`]. The published facts are the caseload cap (5 families per
//! Family Partner), the duration (6-18 months) and the eligibility (a child under 12, already
//! receiving child-welfare services).

use std::sync::LazyLock;

use barnvern_core::{Finding, Findings, ValidationError, dates};
use barnvern_outcomes::{CostModel, RateCard};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a definition is: the manual's own schedule, a configured local one, or the shipped
/// default (an assumption).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DefinitionStatus {
    /// barnvern's default: a documented assumption, not the manual.
    Default,
    /// Configured by a site or a study.
    Local,
    /// Taken from the programme manual.
    Manual,
}

/// The unit a dose is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    /// Per week (7 days).
    Week,
    /// Per calendar month.
    Month,
}

/// Expected contacts per week or per month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    /// Number of contacts.
    pub contacts: u32,
    /// Per what.
    pub per: Per,
}

impl Rate {
    /// Expected contacts from `from` to `to` (exclusive): `contacts` times the number of
    /// **whole** weeks or calendar months in the span. A period counts once it has fully
    /// elapsed, so a family is never expected to have had a contact it still has time for.
    pub fn expected(self, from: NaiveDate, to: NaiveDate) -> u64 {
        self.whole_periods(from, to) * u64::from(self.contacts)
    }

    /// The number of whole weeks or calendar months from `from` to `to` (exclusive).
    pub fn whole_periods(self, from: NaiveDate, to: NaiveDate) -> u64 {
        if to <= from {
            return 0;
        }
        match self.per {
            Per::Week => u64::try_from((to - from).num_days() / 7).unwrap_or(0),
            Per::Month => {
                let mut n = 0u32;
                while dates::add_months(from, n + 1).is_some_and(|d| d <= to) {
                    n += 1;
                }
                u64::from(n)
            }
        }
    }

    /// The day after the last whole period from `from` within `to` (exclusive): dose counts
    /// delivered contacts in `[from, this day)`, the same span the expected contacts cover.
    pub fn whole_periods_end(self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let n = self.whole_periods(from, to);
        let end = match self.per {
            Per::Week => from.checked_add_days(chrono::Days::new(n * 7)),
            Per::Month => u32::try_from(n)
                .ok()
                .and_then(|n| dates::add_months(from, n)),
        };
        end.unwrap_or(from)
    }
}

/// A component of the programme (a kind of work done in contacts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Stable identifier (`parent_guidance`).
    pub id: String,
    /// Name.
    pub name: String,
}

/// A phase of the programme, in months from the start of the enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Stable identifier (`establishing`).
    pub id: String,
    /// Name.
    pub name: String,
    /// First month (0 = the enrolment's start date).
    pub from_month: u32,
    /// Month the phase ends (exclusive).
    pub to_month: u32,
    /// Expected contacts.
    pub expected: Rate,
    /// The components worked on in the phase.
    pub components: Vec<String>,
}

impl Phase {
    /// The phase's dates for an enrolment starting on `start`: `[from, to)`.
    pub fn span(&self, start: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        Some((
            dates::add_months(start, self.from_month)?,
            dates::add_months(start, self.to_month)?,
        ))
    }
}

/// A parent-guidance module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuidanceModule {
    /// Stable identifier.
    pub id: String,
    /// Name.
    pub name: String,
}

/// The programme's duration, in months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Duration {
    /// Shortest planned enrolment.
    pub min_months: u32,
    /// Longest planned enrolment.
    pub max_months: u32,
}

/// Who is eligible, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityCriteria {
    /// The child must be younger than this many years (FAMPART: 12, "under 12").
    pub child_age_below_years: u8,
    /// The family must already receive child-welfare services (SE insatser från
    /// socialtjänsten, NO hjelpetiltak fra barnevernstjenesten).
    pub requires_child_welfare_services: bool,
}

/// The programme definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeDefinition {
    /// Stable identifier (`fampart`).
    pub id: String,
    /// The definition's version.
    pub version: String,
    /// Default, local or manual.
    pub status: DefinitionStatus,
    /// What the definition is and where its numbers come from.
    pub description: String,
    /// Most families one Family Partner may have at a time.
    pub caseload_cap: u32,
    /// Planned duration of an enrolment.
    pub duration: Duration,
    /// Eligibility.
    pub eligibility: EligibilityCriteria,
    /// Components.
    pub components: Vec<Component>,
    /// Phases, in order, without gaps.
    pub phases: Vec<Phase>,
    /// Parent-guidance modules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guidance_modules: Vec<GuidanceModule>,
    /// What Family Partner time and travel cost, to derive costs from contacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub costs: Option<ProgrammeCosts>,
}

/// What Family Partner time and travel cost: the role's rate card
/// ([`barnvern_outcomes::RateCard`], capacity cost rate per minute) and the mileage rate (SE
/// milersättning, NO kilometergodtgjørelse). Costs of a family follow from its contacts
/// ([`crate::metrics::family_costs`]).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeCosts {
    /// Default (an assumption), local or manual.
    pub status: DefinitionStatus,
    /// Where the figures come from.
    pub source: String,
    /// The Family Partner's rate card; its currency and price year are those of every cost.
    pub rate_card: RateCard,
    /// Mileage paid per kilometre, in the rate card's currency and price year.
    pub mileage_per_km: f64,
}

// Money is f64; equality is bitwise so that it is an equivalence (NaN is refused when a
// definition is checked anyway) and the programme keeps `Eq`.
impl PartialEq for ProgrammeCosts {
    fn eq(&self, other: &Self) -> bool {
        let money = |c: &ProgrammeCosts| {
            [
                c.rate_card.hourly_wage,
                c.rate_card.on_cost_pct,
                c.rate_card.overhead_pct,
                c.rate_card.practical_capacity_pct,
                c.mileage_per_km,
            ]
            .map(f64::to_bits)
        };
        self.status == other.status
            && self.source == other.source
            && self.rate_card.role == other.rate_card.role
            && self.rate_card.currency == other.rate_card.currency
            && self.rate_card.price_year == other.rate_card.price_year
            && money(self) == money(other)
    }
}

impl Eq for ProgrammeCosts {}

impl ProgrammeCosts {
    /// The cost model of one family's activities under this rate card (no activities yet).
    pub fn model(&self) -> CostModel {
        CostModel {
            currency: self.rate_card.currency.clone(),
            price_year: self.rate_card.price_year,
            rate_cards: vec![self.rate_card.clone()],
            activities: Vec::new(),
            non_staff: Vec::new(),
            setup: Vec::new(),
        }
    }

    fn check(&self) -> Findings {
        let mut r = Findings::new();
        for mut finding in self.model().check().findings {
            // The model holds the one card as rate_cards[0]; say where it is written here.
            if let Some(rest) = finding.path.strip_prefix("rate_cards[0]") {
                finding.path = format!("rate_card{rest}");
            }
            r.push(finding);
        }
        if !(self.mileage_per_km.is_finite() && self.mileage_per_km >= 0.0) {
            r.push(Finding::error(
                "mileage_per_km",
                "outcomes.costs.negative",
                "the mileage rate must be a number of at least 0",
            ));
        }
        r
    }
}

static DEFAULT: LazyLock<Result<ProgrammeDefinition, ValidationError>> = LazyLock::new(|| {
    ProgrammeDefinition::from_json(include_str!("../data/programme-default.json"))
});

impl ProgrammeDefinition {
    /// barnvern's default definition of Family Partner (`data/programme-default.json`). Its
    /// dose schedule is an assumption, marked `"status": "default"`; the cap, duration and
    /// eligibility are the published ones. Fails only if the shipped file is broken (a unit
    /// test guards it).
    pub fn builtin_default() -> Result<&'static ProgrammeDefinition, ValidationError> {
        DEFAULT.as_ref().map_err(Clone::clone)
    }

    /// Reads and checks a definition.
    pub fn from_json(text: &str) -> Result<ProgrammeDefinition, ValidationError> {
        let def: ProgrammeDefinition = barnvern_core::json::from_str(text)?;
        def.validate().into_result()?;
        Ok(def)
    }

    /// Findings: phases in order without gaps or overlaps, within the maximum duration;
    /// components known; a positive cap; min <= max duration.
    pub fn validate(&self) -> Findings {
        let mut r = Findings::new();
        if self.caseload_cap == 0 {
            r.push(Finding::error(
                "caseload_cap",
                "programme.cap",
                "the caseload cap must be at least 1",
            ));
        }
        if self.duration.min_months > self.duration.max_months {
            r.push(Finding::error(
                "duration",
                "programme.duration",
                "the shortest duration is longer than the longest",
            ));
        }
        let mut previous_end = 0;
        for (i, p) in self.phases.iter().enumerate() {
            let path = format!("phases[{i}]");
            if p.from_month != previous_end || p.to_month <= p.from_month {
                r.push(Finding::error(
                    format!("{path}.from_month"),
                    "programme.phases",
                    "phases follow each other without gaps or overlaps, each at least a month long",
                ));
            }
            previous_end = p.to_month;
            for (j, c) in p.components.iter().enumerate() {
                if self.component(c).is_none() {
                    r.push(Finding::error(
                        format!("{path}.components[{j}]"),
                        "programme.unknown_component",
                        format!("component {c:?} is not defined"),
                    ));
                }
            }
            if self.phases[..i].iter().any(|o| o.id == p.id) {
                r.push(Finding::error(
                    format!("{path}.id"),
                    "programme.duplicate_id",
                    format!("two phases have the id {:?}", p.id),
                ));
            }
        }
        if let Some(costs) = &self.costs {
            r.extend_under("costs", costs.check().findings);
        }
        if previous_end < self.duration.max_months {
            r.push(Finding::error(
                "phases",
                "programme.phases",
                "the phases must cover the longest duration",
            ));
        }
        r
    }

    /// The component with id `id`.
    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }

    /// The phase with id `id`.
    pub fn phase(&self, id: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn default_parses_and_is_marked_default() {
        let def = ProgrammeDefinition::builtin_default().unwrap();
        assert_eq!(def.status, DefinitionStatus::Default);
        assert_eq!(def.caseload_cap, 5);
        assert_eq!((def.duration.min_months, def.duration.max_months), (6, 18));
        assert_eq!(def.eligibility.child_age_below_years, 12);
        let costs = def.costs.as_ref().unwrap();
        assert_eq!(costs.status, DefinitionStatus::Default);
        assert_eq!(costs.rate_card.currency.as_str(), "NOK");
        assert!(costs.rate_card.cost_per_minute() > 0.0);
    }

    #[test]
    fn whole_periods_only() {
        let week = Rate {
            contacts: 2,
            per: Per::Week,
        };
        assert_eq!(week.expected(d(2024, 1, 1), d(2024, 1, 14)), 2);
        assert_eq!(week.expected(d(2024, 1, 1), d(2024, 1, 15)), 4);
        let month = Rate {
            contacts: 3,
            per: Per::Month,
        };
        assert_eq!(month.expected(d(2024, 1, 31), d(2024, 2, 29)), 3);
        assert_eq!(month.expected(d(2024, 1, 31), d(2024, 2, 28)), 0);
        assert_eq!(month.expected(d(2024, 1, 1), d(2024, 4, 1)), 9);
        assert_eq!(month.expected(d(2024, 4, 1), d(2024, 1, 1)), 0);
    }
}
