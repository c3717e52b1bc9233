//! Costs by time-driven activity-based costing: rate cards per staff role, recorded activities,
//! non-staff items and one-off set-up and training, summarised as cost per family, per contact
//! and per completer, each with its denominator named.
//!
//! **Capacity cost rate.** A role's cost per minute of practical capacity is
//!
//! ```text
//! rate per minute = hourly wage × (1 + on-cost %/100) × (1 + overhead %/100)
//!                   / (60 × practical capacity %/100)
//! ```
//!
//! The wage is per paid hour; on-costs (SE arbetsgivaravgifter, NO arbeidsgiveravgift, pension)
//! and overheads (premises, management, IT) are percentages on top; practical capacity is the
//! share of paid time available for work with families (typically 75-85 %), so the rate charges
//! the unavoidable idle time to the work that is done.
//!
//! **An activity** costs (minutes + travel minutes) × its role's rate + km × mileage rate.
//!
//! **Money** is `f64` in major units (kronor/kroner) of one currency and price year per model.
//! Sums are kept unrounded; every amount in a [`CostSummary`] and [`Ratio`] is rounded to 2
//! decimals, halves up (away from zero), only when reported.

use std::collections::{BTreeMap, BTreeSet};

use barnvern_core::macros::check_identifier;
use barnvern_core::{Finding, Findings, ValidationError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

barnvern_core::validated_string! {
    /// A staff role on a rate card, e.g. `family_partner`, `caseworker`.
    pub struct RoleId; validate = check_identifier;
}

barnvern_core::validated_string! {
    /// A family key (a pseudonym or case reference; never an identity number).
    pub struct FamilyKey; validate = check_identifier;
}

/// Checks an ISO 4217 currency code: three upper-case letters.
pub fn check_currency(value: &str) -> Result<(), Finding> {
    if value.len() == 3 && value.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(Finding::error(
            "",
            "outcomes.costs.currency",
            format!(
                "{} is not a currency code: use three upper-case letters, e.g. SEK, NOK",
                barnvern_core::identifier::echo(value)
            ),
        ))
    }
}

barnvern_core::validated_string! {
    /// An ISO 4217 currency code, e.g. `SEK`, `NOK`.
    pub struct Currency; validate = check_currency;
}

/// Rounds an amount of money to 2 decimals, halves away from zero (never banker's rounding).
pub fn round_money(amount: f64) -> f64 {
    // Scaling by 100 can land a hair below a half (2.675 * 100 = 267.49999...); a relative nudge
    // of a few ulps puts such values back on the half they were written as.
    let scaled = amount * 100.0;
    let nudged = scaled + scaled.signum() * scaled.abs() * 4.0 * f64::EPSILON;
    nudged.round() / 100.0
}

/// The cost of one staff role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateCard {
    /// The role.
    pub role: RoleId,
    /// Wage per paid hour.
    pub hourly_wage: f64,
    /// Employer on-costs as a percentage of the wage (e.g. 31.42 for SE arbetsgivaravgifter).
    pub on_cost_pct: f64,
    /// Overheads as a percentage of wage plus on-costs.
    pub overhead_pct: f64,
    /// The share of paid time available for work, in percent (0 < x ≤ 100).
    pub practical_capacity_pct: f64,
    /// The currency.
    pub currency: Currency,
    /// The price year of the wage.
    pub price_year: i32,
}

impl RateCard {
    /// The capacity cost rate per minute (see the module documentation for the formula).
    pub fn cost_per_minute(&self) -> f64 {
        self.hourly_wage * (1.0 + self.on_cost_pct / 100.0) * (1.0 + self.overhead_pct / 100.0)
            / (60.0 * self.practical_capacity_pct / 100.0)
    }

    /// The capacity cost rate per hour.
    pub fn cost_per_hour(&self) -> f64 {
        self.cost_per_minute() * 60.0
    }

    fn check(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (field, value) in [
            ("hourly_wage", self.hourly_wage),
            ("on_cost_pct", self.on_cost_pct),
            ("overhead_pct", self.overhead_pct),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                findings.push(Finding::error(
                    field,
                    "outcomes.costs.negative",
                    format!(
                        "{field} of role {} must be a number of at least 0",
                        self.role
                    ),
                ));
            }
        }
        let cap = self.practical_capacity_pct;
        if !(cap.is_finite() && cap > 0.0 && cap <= 100.0) {
            findings.push(Finding::error(
                "practical_capacity_pct",
                "outcomes.costs.capacity",
                format!(
                    "practical capacity of role {} must be above 0 and at most 100 %",
                    self.role
                ),
            ));
        }
        findings
    }
}

/// One recorded activity (a home visit, a phone call, supervision, documentation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// The family the activity was for.
    pub family: FamilyKey,
    /// The role that did it (a role on a rate card).
    pub role: RoleId,
    /// The kind of activity, e.g. `home_visit`.
    pub kind: String,
    /// Minutes spent.
    pub minutes: f64,
    /// Minutes travelling.
    #[serde(default)]
    pub travel_minutes: f64,
    /// Kilometres driven.
    #[serde(default)]
    pub km: f64,
    /// Mileage paid per km (SE milersättning, NO kilometergodtgjørelse).
    #[serde(default)]
    pub mileage_rate: f64,
    /// True when the activity is a contact with the family (counts in cost per contact).
    #[serde(default)]
    pub contact: bool,
}

/// A non-staff cost: materials, interpreters, rooms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NonStaffItem {
    /// What it is.
    pub description: String,
    /// The amount.
    pub amount: f64,
    /// The family it was for, if it was for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<FamilyKey>,
}

/// The kind of a one-off cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SetupKind {
    /// Setting up the service.
    SetUp,
    /// Training staff.
    Training,
}

/// A one-off set-up or training cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupCost {
    /// What it is.
    pub description: String,
    /// Set-up or training.
    pub kind: SetupKind,
    /// The amount.
    pub amount: f64,
}

/// Whether one-off costs are in the numerator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CostBasis {
    /// Staff time, travel, mileage and non-staff items.
    #[default]
    Recurrent,
    /// Recurrent costs plus set-up and training.
    IncludingSetup,
}

/// A cost model in one currency and price year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostModel {
    /// The currency of every amount.
    pub currency: Currency,
    /// The price year of every amount.
    pub price_year: i32,
    /// A rate card per role.
    pub rate_cards: Vec<RateCard>,
    /// The activities.
    #[serde(default)]
    pub activities: Vec<Activity>,
    /// Non-staff costs.
    #[serde(default)]
    pub non_staff: Vec<NonStaffItem>,
    /// One-off set-up and training costs.
    #[serde(default)]
    pub setup: Vec<SetupCost>,
}

/// A ratio with its numerator and denominator named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Ratio {
    /// The numerator, rounded to 2 decimals.
    pub numerator: f64,
    /// What the numerator is, e.g. `recurrent cost (staff, travel, mileage, non-staff)`.
    pub numerator_label: String,
    /// The denominator.
    pub denominator: u64,
    /// What the denominator counts, e.g. `families with at least one activity`.
    pub denominator_label: String,
    /// numerator / denominator, rounded to 2 decimals; none when the denominator is 0.
    pub value: Option<f64>,
}

impl Ratio {
    fn new(numerator: f64, numerator_label: &str, denominator: u64, label: &str) -> Ratio {
        Ratio {
            numerator: round_money(numerator),
            numerator_label: numerator_label.to_owned(),
            denominator,
            denominator_label: label.to_owned(),
            value: (denominator > 0).then(|| round_money(numerator / denominator as f64)),
        }
    }
}

/// The costs of a model, with the three unit costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CostSummary {
    /// The currency.
    pub currency: Currency,
    /// The price year.
    pub price_year: i32,
    /// Staff time in activities.
    pub staff_time: f64,
    /// Staff time travelling.
    pub travel_time: f64,
    /// Mileage.
    pub mileage: f64,
    /// Non-staff items.
    pub non_staff: f64,
    /// Set-up and training.
    pub setup: f64,
    /// The numerator used for the unit costs (see `basis`).
    pub total: f64,
    /// Which costs `total` holds.
    pub basis: CostBasis,
    /// Cost per family with at least one activity.
    pub cost_per_family: Ratio,
    /// Cost per contact (activity marked as a contact).
    pub cost_per_contact: Ratio,
    /// Cost per completer (families that completed, as counted by the caller).
    pub cost_per_completer: Ratio,
    /// Staff, travel, mileage and the family's own non-staff items, per family.
    pub per_family: BTreeMap<String, f64>,
}

impl CostModel {
    /// Reads a model from JSON and checks it.
    pub fn from_json(text: &str) -> Result<CostModel, ValidationError> {
        let model: CostModel = barnvern_core::json::from_str(text)?;
        model.check().into_result()?;
        Ok(model)
    }

    /// Findings: one rate card per role, every activity's role has a card, currencies and price
    /// years agree, and amounts are finite and not negative.
    pub fn check(&self) -> Findings {
        let mut report = Findings::new();
        let mut roles = BTreeSet::new();
        for (i, card) in self.rate_cards.iter().enumerate() {
            let path = format!("rate_cards[{i}]");
            if !roles.insert(card.role.as_str()) {
                report.push(Finding::error(
                    format!("{path}.role"),
                    "outcomes.costs.duplicate_role",
                    format!("role {} has two rate cards", card.role),
                ));
            }
            if card.currency != self.currency || card.price_year != self.price_year {
                report.push(Finding::error(
                    path.clone(),
                    "outcomes.costs.currency",
                    format!(
                        "the rate card of {} is in {} {}, the model in {} {}",
                        card.role, card.currency, card.price_year, self.currency, self.price_year
                    ),
                ));
            }
            report.extend_under(&path, card.check());
        }
        let non_negative = |v: f64| v.is_finite() && v >= 0.0;
        for (i, a) in self.activities.iter().enumerate() {
            let path = format!("activities[{i}]");
            if !roles.contains(a.role.as_str()) {
                report.push(Finding::error(
                    format!("{path}.role"),
                    "outcomes.costs.unknown_role",
                    format!("role {} has no rate card", a.role),
                ));
            }
            for (field, v) in [
                ("minutes", a.minutes),
                ("travel_minutes", a.travel_minutes),
                ("km", a.km),
                ("mileage_rate", a.mileage_rate),
            ] {
                if !non_negative(v) {
                    report.push(Finding::error(
                        format!("{path}.{field}"),
                        "outcomes.costs.negative",
                        format!("{field} must be a number of at least 0"),
                    ));
                }
            }
        }
        for (i, item) in self.non_staff.iter().enumerate() {
            if !non_negative(item.amount) {
                report.push(Finding::error(
                    format!("non_staff[{i}].amount"),
                    "outcomes.costs.negative",
                    "an amount must be a number of at least 0",
                ));
            }
        }
        for (i, item) in self.setup.iter().enumerate() {
            if !non_negative(item.amount) {
                report.push(Finding::error(
                    format!("setup[{i}].amount"),
                    "outcomes.costs.negative",
                    "an amount must be a number of at least 0",
                ));
            }
        }
        report
    }

    /// Summarises the model. `completers` is the number of families that completed the
    /// programme, as defined by the caller (for the Family Partner trial, by its dose rule).
    pub fn summary(
        &self,
        basis: CostBasis,
        completers: u64,
    ) -> Result<CostSummary, ValidationError> {
        self.check().into_result()?;
        let rates: BTreeMap<&str, f64> = self
            .rate_cards
            .iter()
            .map(|c| (c.role.as_str(), c.cost_per_minute()))
            .collect();
        let (mut staff_time, mut travel_time, mut mileage) = (0.0, 0.0, 0.0);
        let mut per_family: BTreeMap<String, f64> = BTreeMap::new();
        let mut contacts = 0u64;
        for a in &self.activities {
            let rate = rates.get(a.role.as_str()).copied().unwrap_or(0.0);
            let (staff, travel, miles) = (
                a.minutes * rate,
                a.travel_minutes * rate,
                a.km * a.mileage_rate,
            );
            staff_time += staff;
            travel_time += travel;
            mileage += miles;
            *per_family.entry(a.family.to_string()).or_default() += staff + travel + miles;
            contacts += u64::from(a.contact);
        }
        let families = per_family.len() as u64;
        let mut non_staff = 0.0;
        for item in &self.non_staff {
            non_staff += item.amount;
            if let Some(f) = &item.family {
                *per_family.entry(f.to_string()).or_default() += item.amount;
            }
        }
        let setup: f64 = self.setup.iter().map(|s| s.amount).sum();
        let recurrent = staff_time + travel_time + mileage + non_staff;
        let (total, label) = match basis {
            CostBasis::Recurrent => (
                recurrent,
                "recurrent cost (staff time, travel, mileage, non-staff)",
            ),
            CostBasis::IncludingSetup => (
                recurrent + setup,
                "total cost (staff time, travel, mileage, non-staff, set-up and training)",
            ),
        };
        Ok(CostSummary {
            currency: self.currency.clone(),
            price_year: self.price_year,
            staff_time: round_money(staff_time),
            travel_time: round_money(travel_time),
            mileage: round_money(mileage),
            non_staff: round_money(non_staff),
            setup: round_money(setup),
            total: round_money(total),
            basis,
            cost_per_family: Ratio::new(
                total,
                label,
                families,
                "families with at least one activity",
            ),
            cost_per_contact: Ratio::new(total, label, contacts, "activities recorded as contacts"),
            cost_per_completer: Ratio::new(total, label, completers, "families that completed"),
            per_family: per_family
                .into_iter()
                .map(|(k, v)| (k, round_money(v)))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> CostModel {
        CostModel::from_json(
            r#"{
              "currency": "SEK", "price_year": 2026,
              "rate_cards": [{"role": "family_partner", "hourly_wage": 240, "on_cost_pct": 50,
                              "overhead_pct": 25, "practical_capacity_pct": 75,
                              "currency": "SEK", "price_year": 2026}],
              "activities": [
                {"family": "F1", "role": "family_partner", "kind": "home_visit", "minutes": 60,
                 "travel_minutes": 30, "km": 20, "mileage_rate": 2.5, "contact": true},
                {"family": "F2", "role": "family_partner", "kind": "home_visit", "minutes": 45,
                 "contact": true},
                {"family": "F2", "role": "family_partner", "kind": "documentation", "minutes": 15}
              ],
              "non_staff": [{"description": "interpreter", "amount": 500, "family": "F2"}],
              "setup": [{"description": "training", "kind": "training", "amount": 10000}]
            }"#,
        )
        .unwrap()
    }

    #[test]
    fn capacity_cost_rate_follows_the_formula() {
        // 240 × 1.5 × 1.25 = 450 per paid hour; / 0.75 = 600 per practical hour = 10 per minute.
        let card = &model().rate_cards[0];
        assert!((card.cost_per_minute() - 10.0).abs() < 1e-12);
        assert!((card.cost_per_hour() - 600.0).abs() < 1e-9);
    }

    #[test]
    fn unit_costs_name_their_denominators() {
        let s = model().summary(CostBasis::Recurrent, 1).unwrap();
        // staff 120 min × 10 = 1200; travel 30 × 10 = 300; mileage 50; non-staff 500.
        assert_eq!(s.staff_time, 1200.0);
        assert_eq!(s.travel_time, 300.0);
        assert_eq!(s.mileage, 50.0);
        assert_eq!(s.total, 2050.0);
        assert_eq!(s.cost_per_family.denominator, 2);
        assert_eq!(s.cost_per_family.value, Some(1025.0));
        assert_eq!(
            s.cost_per_family.denominator_label,
            "families with at least one activity"
        );
        assert_eq!(s.cost_per_contact.denominator, 2);
        assert_eq!(s.cost_per_completer.value, Some(2050.0));
        assert_eq!(s.per_family["F1"], 950.0); // 600 + 300 + 50
        assert_eq!(s.per_family["F2"], 1100.0);
        let s = model().summary(CostBasis::IncludingSetup, 0).unwrap();
        assert_eq!(s.total, 12050.0);
        assert_eq!(s.cost_per_completer.value, None);
    }

    #[test]
    fn an_activity_without_a_rate_card_is_refused() {
        let mut m = model();
        m.activities[0].role = RoleId::new("psychologist").unwrap();
        let err = m.summary(CostBasis::Recurrent, 1).unwrap_err();
        assert_eq!(err.findings()[0].code, "outcomes.costs.unknown_role");
        assert_eq!(err.findings()[0].path, "activities[0].role");
    }

    #[test]
    fn capacity_must_be_a_share() {
        let mut m = model();
        m.rate_cards[0].practical_capacity_pct = 0.0;
        let err = m.summary(CostBasis::Recurrent, 1).unwrap_err();
        assert_eq!(
            err.findings()[0].path,
            "rate_cards[0].practical_capacity_pct"
        );
    }

    #[test]
    fn money_rounds_half_up() {
        assert_eq!(round_money(2.675), 2.68);
        assert_eq!(round_money(1.005), 1.01);
        assert_eq!(round_money(0.125), 0.13);
        assert_eq!(round_money(-0.125), -0.13);
        assert_eq!(round_money(10.0 / 3.0), 3.33);
    }
}
