//! `costs`: each family's costs derived from its contacts and the programme's rate card, by
//! time-driven activity-based costing (barnvern-outcomes).

use barnvern_familypartner::DefinitionStatus;
use chrono::NaiveDate;

use super::fp_enrolments::FAMILY_KEY;
use super::{Ctx, Sink};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::family::ResearchCosts;
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::ResearchCase;
use super::declare::Dict;

table! {
    name: "costs",
    grain: "one row per Family Partner family whose programme has a rate card",
    description: "Costs of the Family Partner's contacts with each family, derived at extraction from fp_contacts and the programme definition's rate card.",
    year: approached_on,
    key: [case_key],
    columns: {
        family_key: Pseudonym = FAMILY_KEY,
        approached_on: NaiveDate = "Date the family was approached (its year is the partition year, as in fp_enrolments).",
        contacts_delivered: u32 as Measure [from(0, "a count")] = "Contacts with status delivered: the denominator of cost_per_delivered_contact.",
        minutes: u32 as Measure [from(0, "minutes")] = "Minutes of delivered contacts.",
        travel_minutes: u32 as Measure [from(0, "minutes")] = "Minutes travelling, over every contact that records travel (a trip to a family that did not turn up was still made).",
        distance_km: u32 as Measure [from(0, "kilometres")] = "Kilometres driven, over every contact that records them.",
        staff_cost: f64 = "Contact minutes at the Family Partner's capacity cost rate per minute (wage, on-costs, overheads, practical capacity); 2 decimals, halves up.",
        travel_cost: f64 = "Travel minutes at the same rate plus kilometres at the mileage rate.",
        total: f64 = "staff_cost + travel_cost (coordination and set-up are not included).",
        cost_per_delivered_contact: Option<f64> = "total / contacts_delivered; null without a delivered contact.",
        currency: Dict = "Currency of every amount (ISO 4217, e.g. NOK).",
        price_year: i32 = "Price year of every amount.",
        rate_card_status: DefinitionStatus = "Whether the rate card is barnvern's default (an ASSUMPTION), a local one, or the programme manual's.",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    let Some(x) = &fam.costs else {
        return Ok(());
    };
    put(
        sink,
        Row {
            case: c,
            family_key: &fam.family_key,
            approached_on: fam.approached_on,
            contacts_delivered: x.contacts_delivered,
            minutes: x.minutes,
            travel_minutes: x.travel_minutes,
            distance_km: x.distance_km,
            staff_cost: x.staff_cost,
            travel_cost: x.travel_cost,
            total: x.total,
            cost_per_delivered_contact: x.cost_per_delivered_contact,
            currency: &x.currency,
            price_year: x.price_year,
            rate_card_status: x.rate_card_status,
        },
    )
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Vec<(usize, usize, ResearchCosts)>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        let costs = ResearchCosts {
            contacts_delivered: x.contacts_delivered,
            minutes: x.minutes,
            travel_minutes: x.travel_minutes,
            distance_km: x.distance_km,
            staff_cost: x.staff_cost,
            travel_cost: x.travel_cost,
            total: x.total,
            cost_per_delivered_contact: x.cost_per_delivered_contact,
            currency: x.currency.0,
            price_year: x.price_year,
            rate_card_status: x.rate_card_status,
        };
        out.push((x.case, x.row, costs));
        Ok(())
    })
}
