//! `costs`: each family's costs derived from its contacts and the programme's rate card, by
//! time-driven activity-based costing (barnvern-outcomes).

use barnvern_familypartner::DefinitionStatus;
use chrono::Datelike;

use super::fp_enrolments::family_key_field;
use super::{CaseCol, Ctx, Sink, put_family};
use crate::columns::TableReader;
use crate::error::Result;
use crate::family::ResearchCosts;
use crate::research::ResearchCase;
use crate::spec::{ColumnType as T, Sensitivity as S, TableSpec, case_fields, code, f, opt};

pub(crate) const NAME: &str = "costs";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.push(family_key_field());
    fields.extend([
        f("approached_on", T::Date32, S::Date, "Date the family was approached (its year is the partition year, as in fp_enrolments)."),
        f("contacts_delivered", T::Int32, S::Measure, "Contacts with status delivered: the denominator of cost_per_delivered_contact."),
        f("minutes", T::Int32, S::Measure, "Minutes of delivered contacts."),
        f("travel_minutes", T::Int32, S::Measure, "Minutes travelling, over every contact that records travel (a trip to a family that did not turn up was still made)."),
        f("distance_km", T::Int32, S::Measure, "Kilometres driven, over every contact that records them."),
        f("staff_cost", T::Float64, S::Measure, "Contact minutes at the Family Partner's capacity cost rate per minute (wage, on-costs, overheads, practical capacity); 2 decimals, halves up."),
        f("travel_cost", T::Float64, S::Measure, "Travel minutes at the same rate plus kilometres at the mileage rate."),
        f("total", T::Float64, S::Measure, "staff_cost + travel_cost (coordination and set-up are not included)."),
        opt("cost_per_delivered_contact", T::Float64, S::Measure, "total / contacts_delivered; null without a delivered contact."),
        f("currency", T::Dict, S::Code, "Currency of every amount (ISO 4217, e.g. NOK)."),
        f("price_year", T::Int32, S::Measure, "Price year of every amount."),
        code::<DefinitionStatus>("rate_card_status", "Whether the rate card is barnvern's default (an ASSUMPTION), a local one, or the programme manual's."),
    ]);
    TableSpec::new(
        NAME,
        "one row per Family Partner family whose programme has a rate card",
        "Costs of the Family Partner's contacts with each family, derived at extraction from fp_contacts and the programme definition's rate card.",
        "approached_on",
        vec!["case_key"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    let Some(x) = &fam.costs else {
        return Ok(());
    };
    let w = sink.writer(NAME, c.jurisdiction, fam.approached_on.year())?;
    put_family(w, c, fam);
    w.date("approached_on", Some(fam.approached_on))
        .u32("contacts_delivered", Some(x.contacts_delivered))
        .u32("minutes", Some(x.minutes))
        .u32("travel_minutes", Some(x.travel_minutes))
        .u32("distance_km", Some(x.distance_km))
        .f64("staff_cost", Some(x.staff_cost))
        .f64("travel_cost", Some(x.travel_cost))
        .f64("total", Some(x.total))
        .f64("cost_per_delivered_contact", x.cost_per_delivered_contact)
        .dict("currency", Some(&x.currency))
        .i32("price_year", Some(x.price_year))
        .code("rate_card_status", Some(x.rate_card_status));
    w.end_row()
}

pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Vec<(usize, usize, ResearchCosts)>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let delivered = r.i32("contacts_delivered")?;
    let minutes = r.i32("minutes")?;
    let travel = r.i32("travel_minutes")?;
    let km = r.i32("distance_km")?;
    let staff = r.f64("staff_cost")?;
    let travel_cost = r.f64("travel_cost")?;
    let total = r.f64("total")?;
    let per_contact = r.f64("cost_per_delivered_contact")?;
    let currency = r.dict("currency")?;
    let year = r.i32("price_year")?;
    let status = r.dict("rate_card_status")?;
    for row in 0..r.rows() {
        out.push((
            case.case(ctx, row)?,
            row,
            ResearchCosts {
                contacts_delivered: delivered.req_index(row)?,
                minutes: minutes.req_index(row)?,
                travel_minutes: travel.req_index(row)?,
                distance_km: km.req_index(row)?,
                staff_cost: staff.req(row)?,
                travel_cost: travel_cost.req(row)?,
                total: total.req(row)?,
                cost_per_delivered_contact: per_contact.get(row),
                currency: currency.req(row)?.to_owned(),
                price_year: year.req(row)?,
                rate_card_status: status.req_code(row)?,
            },
        ));
    }
    Ok(())
}
