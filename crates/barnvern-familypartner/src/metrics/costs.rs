//! Costs of one family's Family Partner contacts under the programme's rate card
//! ([`crate::ProgrammeCosts`]), by time-driven activity-based costing
//! ([`barnvern_outcomes::costs`]).

use barnvern_core::ValidationError;
use barnvern_outcomes::costs::round_money;
use barnvern_outcomes::{Activity, CostBasis, Currency, FamilyKey};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contact::ContactStatus;
use crate::family::FamilyRecord;
use crate::programme::ProgrammeCosts;

/// One family's costs. Amounts are in `currency` at `price_year` prices, rounded to 2
/// decimals, halves up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyCosts {
    /// Contacts with status `delivered`: the denominator of `cost_per_delivered_contact`.
    pub contacts_delivered: u32,
    /// Minutes of delivered contacts.
    pub minutes: u64,
    /// Minutes travelling, over every contact that records travel (a trip to a family that
    /// did not turn up was still made).
    pub travel_minutes: u64,
    /// Kilometres driven, over every contact that records them.
    pub distance_km: u64,
    /// Staff cost of the contacts' minutes.
    pub staff_cost: f64,
    /// Staff cost of the travel minutes plus mileage.
    pub travel_cost: f64,
    /// Staff cost plus travel cost.
    pub total: f64,
    /// total / contacts_delivered; none without a delivered contact.
    pub cost_per_delivered_contact: Option<f64>,
    /// The currency.
    pub currency: Currency,
    /// The price year.
    pub price_year: i32,
}

/// The costs of `family`'s contacts under `costs`: delivered minutes at the Family Partner's
/// capacity cost rate, travel minutes at the same rate, kilometres at the mileage rate.
/// Coordination activities and goals are not costed (their minutes are not contacts').
pub fn family_costs(
    family: &FamilyRecord,
    costs: &ProgrammeCosts,
) -> Result<FamilyCosts, ValidationError> {
    let mut model = costs.model();
    // One family: the key only groups the activities.
    let key = FamilyKey::new("family").map_err(ValidationError::single)?;
    let (mut minutes, mut travel, mut km, mut delivered) = (0u64, 0u64, 0u64, 0u32);
    for c in &family.contacts {
        let is_delivered = c.status == ContactStatus::Delivered;
        let m = if is_delivered {
            c.minutes.map_or(0, u64::from)
        } else {
            0
        };
        let t = c.travel_minutes.map_or(0, u64::from);
        let k = c.distance_km.map_or(0, u64::from);
        minutes += m;
        travel += t;
        km += k;
        delivered += u32::from(is_delivered);
        if m + t + k > 0 || is_delivered {
            model.activities.push(Activity {
                family: key.clone(),
                role: costs.rate_card.role.clone(),
                kind: "contact".to_owned(),
                minutes: m as f64,
                travel_minutes: t as f64,
                km: k as f64,
                mileage_rate: costs.mileage_per_km,
                contact: is_delivered,
            });
        }
    }
    let summary = model.summary(CostBasis::Recurrent, 0)?;
    let travel_cost = round_money(summary.travel_time + summary.mileage);
    Ok(FamilyCosts {
        contacts_delivered: delivered,
        minutes,
        travel_minutes: travel,
        distance_km: km,
        staff_cost: summary.staff_time,
        travel_cost,
        total: summary.total,
        cost_per_delivered_contact: summary.cost_per_contact.value,
        currency: summary.currency,
        price_year: summary.price_year,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProgrammeDefinition;

    #[test]
    fn costs_follow_the_rate_card() {
        let programme = ProgrammeDefinition::builtin_default().unwrap();
        let costs = programme.costs.as_ref().unwrap();
        let family: FamilyRecord = serde_json::from_str(
            r#"{"family": "f-1", "approached_on": "2024-01-02", "contacts": [
                {"id": "c1", "on": "2024-02-01", "mode": "home", "status": "delivered",
                 "minutes": 60, "travel_minutes": 30, "distance_km": 20},
                {"id": "c2", "on": "2024-02-08", "mode": "home", "status": "no_show",
                 "travel_minutes": 30, "distance_km": 20},
                {"id": "c3", "on": "2024-02-15", "mode": "phone", "status": "delivered",
                 "minutes": 30}]}"#,
        )
        .unwrap();
        let c = family_costs(&family, costs).unwrap();
        let rate = costs.rate_card.cost_per_minute();
        assert_eq!((c.contacts_delivered, c.minutes), (2, 90));
        assert_eq!((c.travel_minutes, c.distance_km), (60, 40));
        assert_eq!(c.staff_cost, round_money(90.0 * rate));
        assert_eq!(c.travel_cost, round_money(60.0 * rate + 40.0 * 3.5));
        assert_eq!(c.total, round_money(150.0 * rate + 140.0));
        assert_eq!(
            c.cost_per_delivered_contact,
            Some(round_money(c.total / 2.0))
        );
        assert_eq!(c.currency.as_str(), "NOK");
    }
}
