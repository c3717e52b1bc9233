//! `fp_enrolments`: one row per family in the Family Partner trial: approach, screening,
//! consent, allocation, enrolment and withdrawals.

use barnvern_core::MunicipalityCode;
use barnvern_familypartner::{
    Arm, EnrolmentEnd, IneligibilityReason, Site, SiteCode, WithdrawalReason, WithdrawalScope,
    WithdrawnBy,
};
use chrono::NaiveDate;

use super::declare::{Cell, Column, Dict};
use super::{CodedCols, Ctx, Sink, declare};
use crate::columns::{Col, DictCol, TableReader, TableWriter};
use crate::error::Result;
use barnvern_research::family::{
    ResearchAllocation, ResearchConsent, ResearchEnrolment, ResearchFamily, ResearchFpScreening,
    ResearchWithdrawal,
};
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::{ResearchCase, ResearchCoded};
use crate::spec::{
    ColumnType as T, FieldSpec, Range, Sensitivity as S, coded_fields, opt, opt_code,
};

/// The documentation of `family_key`, the column that every Family Partner table has after
/// the case columns.
pub(crate) const FAMILY_KEY: &str = "Pseudonym of the family in the Family Partner trial (HMAC-SHA256 of trial and family reference under the project key).";

table! {
    name: "fp_enrolments",
    grain: "one row per family record of the Family Partner trial",
    description: "Each family's path through the Family Partner trial (FAMPART, NCT04957394): site, approach, eligibility, consent, allocation (with its stratum), enrolment with a Family Partner, and withdrawal from the intervention or the study. The feasibility proportions are computed from it, each with a 95% Wilson score interval: eligibility = eligible / screened; consent = consent given / eligible; completion = enrolment_end completed / enrolments ended; recruitment rate = families randomised / recruitment months, per site (see site_recruitment_opened_on) and against site_target_per_month. Retention (waves table) = completed / randomised, and for progression criteria completed / families already due at the wave. Harms and maltreatment outcomes per arm come from the family's case tables (referrals, investigations, decisions, interventions) dated after allocated_on: counts, families with the harm, and rates per family-month (days of follow-up / 30.4375, follow-up ending at study_withdrawn_on).",
    year: approached_on,
    key: [case_key],
    columns: {
        family_key: Pseudonym = FAMILY_KEY,
        trial_id: Dict = "The trial (e.g. the registry number NCT04957394 or a site's trial id).",
        programme_id: Dict = "The programme definition the family's records follow (e.g. fampart).",
        approached_on: NaiveDate = "Date the family was approached about the study (its year is the partition year).",
        screened_on: Option<NaiveDate> = "Date of the eligibility screening; null when not screened.",
        child_age_years: Option<u8> [new(0, 150, "an age in whole years")] = "The child's age in whole years at screening.",
        receives_child_welfare_services: Option<bool> = "Whether the family already received child-welfare services at screening.",
        other_exclusion_recorded: Option<bool> = "Whether another exclusion was recorded at screening (its text is never exported).",
        eligible: Option<bool> = "The screening's verdict under the programme's criteria; null when not screened or the programme is not shipped with barnvern.",
        ineligibility_reason: Option<IneligibilityReason> = "The first criterion failed (child too old, no child-welfare services, other); null when eligible.",
        consent_on: Option<NaiveDate> = "Date of the consent decision.",
        consent_given: Option<bool> = "Whether consent was given.",
        arm: Option<Arm> = "The arm allocated (intervention or control); null when not randomised.",
        allocated_on: Option<NaiveDate> = "Date of randomisation.",
        allocation_sequence: Option<u32> as Measure [from(1, "a position from 1")] = "Position in the allocation sequence, from 1.",
        allocation_block: Option<u32> as Measure [from(1, "a block from 1")] = "The block, under permuted blocks.",
        partner_key: Option<Pseudonym> = "Pseudonym of the Family Partner (intervention arm, once enrolled).",
        enrolment_started_on: Option<NaiveDate> = "First day of the enrolment with a Family Partner.",
        enrolment_planned_end: Option<NaiveDate> = "Planned last day of the enrolment.",
        enrolment_ended_on: Option<NaiveDate> = "Day the enrolment ended; null while running.",
        enrolment_end: Option<EnrolmentEnd> = "How the enrolment ended (completed, ended early, withdrawn).",
        over_caseload_cap: Option<bool> = "Whether the enrolment was accepted over the caseload cap (with a recorded override).",
        intervention: Withdrawal = "",
        study: Withdrawal = "",
        // Added in research schema 1.2 (spec::COLUMNS_ADDED): null in files written before.
        site: Option<Dict> = "The trial site that recruited the family: a code from the trial design's own site list (not a municipality code); null in trials without a site list. Every trial metric can be broken down by it.",
        site_name: Option<Dict> = "The site's office (e.g. the child-welfare service of a municipality or district), as the trial design names it.",
        site_jurisdiction: Option<barnvern_core::Jurisdiction> = "The country the site works in.",
        site_municipality: Option<Dict> = "The municipality the site serves (SE kommunkod, NO kommunenummer), four digits, in force on site_recruitment_opened_on.",
        site_district: Option<Dict> = "The district the site serves (NO bydel, SE stadsdel), where the municipality has several offices; null when it serves the whole municipality.",
        site_recruitment_opened_on: Option<NaiveDate> = "The site's first day of recruitment: its recruitment months count from this month (recruitment rate = families randomised / calendar months from this month to the month of the as-of date, both counted whole).",
        site_target_per_month: Option<u32> as Measure = "The site's recruitment target: families randomised per calendar month; recruitment against target = families randomised / (target x recruitment months).",
        allocation_stratum: Option<Dict> = "The randomisation stratum under a stratified design: one level of each factor the design declares (site, child's age band at screening), joined by '/' (e.g. 'no-0301/0-5'); null without strata. Blocks (allocation_block) are numbered within the stratum.",
    }
}

/// A withdrawal from the intervention or the study, as read: date, by whom, why. Its
/// columns are named after the scope: `{scope}_withdrawn_on`, `{scope}_withdrawn_by`, and
/// the coded `{scope}_withdrawal_reason`.
pub(crate) struct Withdrawal(Option<(NaiveDate, WithdrawnBy, ResearchCoded<WithdrawalReason>)>);

/// The columns of a [`Withdrawal`].
pub(crate) struct WithdrawalCols<'a> {
    on: Col<'a, arrow_array::Date32Array>,
    by: DictCol<'a>,
    reason: CodedCols<'a>,
}

impl Column for Withdrawal {
    type In<'a> = Option<&'a ResearchWithdrawal>;
    type Reader<'a> = WithdrawalCols<'a>;
    fn fields(scope: &str, _: &str, _: Option<S>, _: Option<Range>) -> Vec<FieldSpec> {
        let mut out = vec![
            opt(
                &format!("{scope}_withdrawn_on"),
                T::Date32,
                S::Date,
                &format!("Date the family withdrew from the {scope}; null when it did not."),
            ),
            opt_code::<WithdrawnBy>(
                &format!("{scope}_withdrawn_by"),
                &format!("Who withdrew the family from the {scope}."),
            ),
        ];
        out.extend(coded_fields::<WithdrawalReason>(
            &format!("{scope}_withdrawal_reason"),
            &format!("why the family withdrew from the {scope}"),
            true,
        ));
        out
    }
    fn put(w: &mut TableWriter, x: Option<&ResearchWithdrawal>) {
        <Option<NaiveDate> as Column>::put(w, x.map(|x| x.on));
        <Option<WithdrawnBy> as Column>::put(w, x.map(|x| x.by));
        <Option<ResearchCoded<WithdrawalReason>> as Column>::put(w, x.map(|x| &x.reason));
    }
    fn reader<'a>(r: &TableReader<'a>, scope: &'static str) -> Result<WithdrawalCols<'a>> {
        Ok(WithdrawalCols {
            on: r.date(&format!("{scope}_withdrawn_on"))?,
            by: r.dict(&format!("{scope}_withdrawn_by"))?,
            reason: CodedCols::named(r, &format!("{scope}_withdrawal_reason"))?,
        })
    }
    fn get(r: &WithdrawalCols<'_>, row: usize) -> Result<Withdrawal> {
        let Some(on) = r.on.get(row)? else {
            return Ok(Withdrawal(None));
        };
        let by = <WithdrawnBy as Cell>::get(&r.by, row)?.ok_or_else(|| r.by.null(row))?;
        Ok(Withdrawal(Some((on, by, r.reason.req(row)?))))
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    let s = fam.screening.as_ref();
    let a = fam.allocation.as_ref();
    let e = fam.enrolment.as_ref();
    let site = fam.site.as_ref();
    let of = |scope| fam.withdrawals.iter().find(|w| w.scope == scope);
    put(
        sink,
        Row {
            case: c,
            family_key: &fam.family_key,
            trial_id: &fam.trial_id,
            programme_id: &fam.programme_id,
            approached_on: fam.approached_on,
            screened_on: s.map(|s| s.on),
            child_age_years: s.map(|s| s.child_age_years),
            receives_child_welfare_services: s.map(|s| s.receives_child_welfare_services),
            other_exclusion_recorded: s.map(|s| s.other_exclusion_recorded),
            eligible: s.and_then(|s| s.eligible),
            ineligibility_reason: s.and_then(|s| s.ineligibility_reason),
            consent_on: fam.consent.map(|c| c.on),
            consent_given: fam.consent.map(|c| c.given),
            arm: a.map(|a| a.arm),
            allocated_on: a.map(|a| a.on),
            allocation_sequence: a.map(|a| a.sequence),
            allocation_block: a.and_then(|a| a.block),
            partner_key: e.map(|e| &e.partner),
            enrolment_started_on: e.map(|e| e.started_on),
            enrolment_planned_end: e.map(|e| e.planned_end),
            enrolment_ended_on: e.and_then(|e| e.ended_on),
            enrolment_end: e.and_then(|e| e.end),
            over_caseload_cap: e.map(|e| e.over_caseload_cap),
            intervention: of(WithdrawalScope::Intervention),
            study: of(WithdrawalScope::Study),
            site: site.map(|s| s.code.as_str()),
            site_name: site.map(|s| s.name.as_str()),
            site_jurisdiction: site.map(|s| s.jurisdiction),
            site_municipality: site.map(|s| s.municipality.as_str()),
            site_district: site.and_then(|s| s.district.as_deref()),
            site_recruitment_opened_on: site.map(|s| s.recruitment_opened_on),
            site_target_per_month: site.and_then(|s| s.target_per_month),
            allocation_stratum: a.and_then(|a| a.stratum.as_deref()),
        },
    )
}

/// The families read, each with its case position and row.
pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Vec<(usize, usize, ResearchFamily)>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        let row = x.row;
        // A value the row's other columns make required.
        let screening = match x.screened_on {
            None => None,
            Some(on) => Some(ResearchFpScreening {
                on,
                child_age_years: declare::required(x.child_age_years, NAME, row, "child_age_years")?,
                receives_child_welfare_services: declare::required(x.receives_child_welfare_services, NAME, row, "receives_child_welfare_services")?,
                other_exclusion_recorded: declare::required(x.other_exclusion_recorded, NAME, row, "other_exclusion_recorded")?,
                eligible: x.eligible,
                ineligibility_reason: x.ineligibility_reason,
            }),
        };
        let consent = match x.consent_on {
            None => None,
            Some(on) => Some(ResearchConsent {
                on,
                given: declare::required(x.consent_given, NAME, row, "consent_given")?,
            }),
        };
        let allocation = match x.arm {
            None => None,
            Some(arm) => Some(ResearchAllocation {
                arm,
                sequence: declare::required(x.allocation_sequence, NAME, row, "allocation_sequence")?,
                block: x.allocation_block,
                stratum: x.allocation_stratum.map(|s| s.0),
                on: declare::required(x.allocated_on, NAME, row, "allocated_on")?,
            }),
        };
        let enrolment = match x.enrolment_started_on {
            None => None,
            Some(started_on) => Some(ResearchEnrolment {
                partner: declare::required(x.partner_key, NAME, row, "partner_key")?,
                started_on,
                planned_end: declare::required(x.enrolment_planned_end, NAME, row, "enrolment_planned_end")?,
                ended_on: x.enrolment_ended_on,
                end: x.enrolment_end,
                over_caseload_cap: declare::required(x.over_caseload_cap, NAME, row, "over_caseload_cap")?,
            }),
        };
        let scoped = [
            (WithdrawalScope::Intervention, x.intervention),
            (WithdrawalScope::Study, x.study),
        ];
        let withdrawals = scoped
            .into_iter()
            .filter_map(|(scope, w)| {
                w.0.map(|(on, by, reason)| ResearchWithdrawal {
                    on,
                    by,
                    scope,
                    reason,
                })
            })
            .collect();
        let site = match x.site {
            None => None,
            Some(code) => Some(Site {
                code: declare::parsed(NAME, row, "site", SiteCode::new(code.0))?,
                name: declare::required(x.site_name, NAME, row, "site_name")?.0,
                jurisdiction: declare::required(x.site_jurisdiction, NAME, row, "site_jurisdiction")?,
                municipality: declare::parsed(
                    NAME,
                    row,
                    "site_municipality",
                    MunicipalityCode::new(declare::required(x.site_municipality, NAME, row, "site_municipality")?.0),
                )?,
                district: x.site_district.map(|d| d.0),
                recruitment_opened_on: declare::required(x.site_recruitment_opened_on, NAME, row, "site_recruitment_opened_on")?,
                target_per_month: x.site_target_per_month,
            }),
        };
        let family = ResearchFamily {
            family_key: x.family_key,
            trial_id: x.trial_id.0,
            programme_id: x.programme_id.0,
            approached_on: x.approached_on,
            site,
            screening,
            consent,
            allocation,
            enrolment,
            contacts: Vec::new(),
            guidance_sessions: Vec::new(),
            coordination: Vec::new(),
            goals: Vec::new(),
            withdrawals,
            waves: Vec::new(),
            questionnaires: Vec::new(),
            scores: Vec::new(),
            costs: None,
            interviews: Vec::new(),
        };
        out.push((x.case, row, family));
        Ok(())
    })
}
