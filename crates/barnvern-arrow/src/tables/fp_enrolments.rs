//! `fp_enrolments`: one row per family in the Family Partner trial: approach, screening,
//! consent, allocation, enrolment and withdrawals.

use barnvern_core::MunicipalityCode;
use barnvern_familypartner::{
    Arm, EnrolmentEnd, IneligibilityReason, Site, SiteCode, WithdrawalReason, WithdrawalScope,
    WithdrawnBy,
};
use chrono::Datelike;

use super::{CaseCol, CodedCols, Ctx, Sink, coded_names, put_case, put_coded};
use crate::columns::{TableReader, cell_path};
use crate::error::{Error, Result};
use crate::family::{
    ResearchAllocation, ResearchConsent, ResearchEnrolment, ResearchFamily, ResearchFpScreening,
    ResearchWithdrawal,
};
use crate::pseudonym::Pseudonym;
use crate::research::ResearchCase;
use crate::spec::{
    ColumnType as T, FieldSpec, Sensitivity as S, TableSpec, case_fields, coded_fields, f, opt,
    opt_code,
};

pub(crate) const NAME: &str = "fp_enrolments";

/// The family key column that every Family Partner table has after the case columns.
pub(crate) fn family_key_field() -> FieldSpec {
    f(
        "family_key",
        T::Utf8,
        S::Pseudonym,
        "Pseudonym of the family in the Family Partner trial (HMAC-SHA256 of trial and family reference under the project key).",
    )
}

fn withdrawal_fields(scope: &str) -> Vec<FieldSpec> {
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

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.push(family_key_field());
    fields.extend([
        f("trial_id", T::Dict, S::Code, "The trial (e.g. the registry number NCT04957394 or a site's trial id)."),
        f("programme_id", T::Dict, S::Code, "The programme definition the family's records follow (e.g. fampart)."),
        f("approached_on", T::Date32, S::Date, "Date the family was approached about the study (its year is the partition year)."),
        opt("screened_on", T::Date32, S::Date, "Date of the eligibility screening; null when not screened."),
        opt("child_age_years", T::Int32, S::Measure, "The child's age in whole years at screening."),
        opt("receives_child_welfare_services", T::Bool, S::Flag, "Whether the family already received child-welfare services at screening."),
        opt("other_exclusion_recorded", T::Bool, S::Flag, "Whether another exclusion was recorded at screening (its text is never exported)."),
        opt("eligible", T::Bool, S::Flag, "The screening's verdict under the programme's criteria; null when not screened or the programme is not shipped with barnvern."),
        opt_code::<IneligibilityReason>("ineligibility_reason", "The first criterion failed (child too old, no child-welfare services, other); null when eligible."),
        opt("consent_on", T::Date32, S::Date, "Date of the consent decision."),
        opt("consent_given", T::Bool, S::Flag, "Whether consent was given."),
        opt_code::<Arm>("arm", "The arm allocated (intervention or control); null when not randomised."),
        opt("allocated_on", T::Date32, S::Date, "Date of randomisation."),
        opt("allocation_sequence", T::Int32, S::Measure, "Position in the allocation sequence, from 1."),
        opt("allocation_block", T::Int32, S::Measure, "The block, under permuted blocks."),
        opt("partner_key", T::Utf8, S::Pseudonym, "Pseudonym of the Family Partner (intervention arm, once enrolled)."),
        opt("enrolment_started_on", T::Date32, S::Date, "First day of the enrolment with a Family Partner."),
        opt("enrolment_planned_end", T::Date32, S::Date, "Planned last day of the enrolment."),
        opt("enrolment_ended_on", T::Date32, S::Date, "Day the enrolment ended; null while running."),
        opt_code::<EnrolmentEnd>("enrolment_end", "How the enrolment ended (completed, ended early, withdrawn)."),
        opt("over_caseload_cap", T::Bool, S::Flag, "Whether the enrolment was accepted over the caseload cap (with a recorded override)."),
    ]);
    fields.extend(withdrawal_fields("intervention"));
    fields.extend(withdrawal_fields("study"));
    // Added in research schema 1.2 (spec::COLUMNS_ADDED): null in files written before.
    fields.extend([
        opt("site", T::Dict, S::Code, "The trial site that recruited the family: a code from the trial design's own site list (not a municipality code); null in trials without a site list. Every trial metric can be broken down by it."),
        opt("site_name", T::Dict, S::Code, "The site's office (e.g. the child-welfare service of a municipality or district), as the trial design names it."),
        opt_code::<barnvern_core::Jurisdiction>("site_jurisdiction", "The country the site works in."),
        opt("site_municipality", T::Dict, S::Code, "The municipality the site serves (SE kommunkod, NO kommunenummer), four digits, in force on site_recruitment_opened_on."),
        opt("site_district", T::Dict, S::Code, "The district the site serves (NO bydel, SE stadsdel), where the municipality has several offices; null when it serves the whole municipality."),
        opt("site_recruitment_opened_on", T::Date32, S::Date, "The site's first day of recruitment: its recruitment months count from this month (recruitment rate = families randomised / calendar months from this month to the month of the as-of date, both counted whole)."),
        opt("site_target_per_month", T::Int32, S::Measure, "The site's recruitment target: families randomised per calendar month; recruitment against target = families randomised / (target x recruitment months)."),
        opt("allocation_stratum", T::Dict, S::Code, "The randomisation stratum under a stratified design: one level of each factor the design declares (site, child's age band at screening), joined by '/' (e.g. 'no-0301/0-5'); null without strata. Blocks (allocation_block) are numbered within the stratum."),
    ]);
    TableSpec::new(
        NAME,
        "one row per family record of the Family Partner trial",
        "Each family's path through the Family Partner trial (FAMPART, NCT04957394): site, approach, eligibility, consent, allocation (with its stratum), enrolment with a Family Partner, and withdrawal from the intervention or the study. The feasibility proportions are computed from it, each with a 95% Wilson score interval: eligibility = eligible / screened; consent = consent given / eligible; completion = enrolment_end completed / enrolments ended; recruitment rate = families randomised / recruitment months, per site (see site_recruitment_opened_on) and against site_target_per_month. Retention (waves table) = completed / randomised, and for progression criteria completed / families already due at the wave. Harms and maltreatment outcomes per arm come from the family's case tables (referrals, investigations, decisions, interventions) dated after allocated_on: counts, families with the harm, and rates per family-month (days of follow-up / 30.4375, follow-up ending at study_withdrawn_on).",
        "approached_on",
        vec!["case_key"],
        fields,
    )
}

fn put_withdrawal(
    w: &mut crate::columns::TableWriter,
    scope: &str,
    x: Option<&ResearchWithdrawal>,
) {
    w.date(&format!("{scope}_withdrawn_on"), x.map(|x| x.on))
        .code(&format!("{scope}_withdrawn_by"), x.map(|x| x.by));
    let names = [
        format!("{scope}_withdrawal_reason"),
        format!("{scope}_withdrawal_reason_source_system"),
        format!("{scope}_withdrawal_reason_source_code"),
        format!("{scope}_withdrawal_reason_has_text"),
    ];
    put_coded(
        w,
        names.each_ref().map(String::as_str),
        x.map(|x| &x.reason),
    );
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    let Some(fam) = &c.family_partner else {
        return Ok(());
    };
    let w = sink.writer(NAME, c.jurisdiction, fam.approached_on.year())?;
    put_case(w, c);
    let s = fam.screening.as_ref();
    let a = fam.allocation.as_ref();
    let e = fam.enrolment.as_ref();
    w.utf8("family_key", Some(fam.family_key.as_str()))
        .dict("trial_id", Some(&fam.trial_id))
        .dict("programme_id", Some(&fam.programme_id))
        .date("approached_on", Some(fam.approached_on))
        .date("screened_on", s.map(|s| s.on))
        .i32("child_age_years", s.map(|s| i32::from(s.child_age_years)))
        .bool(
            "receives_child_welfare_services",
            s.map(|s| s.receives_child_welfare_services),
        )
        .bool(
            "other_exclusion_recorded",
            s.map(|s| s.other_exclusion_recorded),
        )
        .bool("eligible", s.and_then(|s| s.eligible))
        .code(
            "ineligibility_reason",
            s.and_then(|s| s.ineligibility_reason),
        )
        .date("consent_on", fam.consent.map(|c| c.on))
        .bool("consent_given", fam.consent.map(|c| c.given))
        .code("arm", a.map(|a| a.arm))
        .date("allocated_on", a.map(|a| a.on))
        .u32("allocation_sequence", a.map(|a| a.sequence))
        .u32("allocation_block", a.and_then(|a| a.block))
        .utf8("partner_key", e.map(|e| e.partner.as_str()))
        .date("enrolment_started_on", e.map(|e| e.started_on))
        .date("enrolment_planned_end", e.map(|e| e.planned_end))
        .date("enrolment_ended_on", e.and_then(|e| e.ended_on))
        .code("enrolment_end", e.and_then(|e| e.end))
        .bool("over_caseload_cap", e.map(|e| e.over_caseload_cap));
    let of = |scope| fam.withdrawals.iter().find(|w| w.scope == scope);
    put_withdrawal(w, "intervention", of(WithdrawalScope::Intervention));
    put_withdrawal(w, "study", of(WithdrawalScope::Study));
    let site = fam.site.as_ref();
    w.dict("site", site.map(|s| s.code.as_str()))
        .dict("site_name", site.map(|s| s.name.as_str()))
        .code("site_jurisdiction", site.map(|s| s.jurisdiction))
        .dict("site_municipality", site.map(|s| s.municipality.as_str()))
        .dict("site_district", site.and_then(|s| s.district.as_deref()))
        .date(
            "site_recruitment_opened_on",
            site.map(|s| s.recruitment_opened_on),
        )
        .u32(
            "site_target_per_month",
            site.and_then(|s| s.target_per_month),
        )
        .dict("allocation_stratum", a.and_then(|a| a.stratum.as_deref()));
    w.end_row()
}

/// The families read, each with its case position and row.
pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Vec<(usize, usize, ResearchFamily)>,
) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let key = r.utf8("family_key")?;
    let trial = r.dict("trial_id")?;
    let programme = r.dict("programme_id")?;
    let approached = r.date("approached_on")?;
    let screened = r.date("screened_on")?;
    let age = r.i32("child_age_years")?;
    let services = r.bool("receives_child_welfare_services")?;
    let other = r.bool("other_exclusion_recorded")?;
    let eligible = r.bool("eligible")?;
    let reason = r.dict("ineligibility_reason")?;
    let consent_on = r.date("consent_on")?;
    let consent_given = r.bool("consent_given")?;
    let arm = r.dict("arm")?;
    let allocated = r.date("allocated_on")?;
    let sequence = r.i32("allocation_sequence")?;
    let block = r.i32("allocation_block")?;
    let partner = r.utf8("partner_key")?;
    let started = r.date("enrolment_started_on")?;
    let planned_end = r.date("enrolment_planned_end")?;
    let ended = r.date("enrolment_ended_on")?;
    let end = r.dict("enrolment_end")?;
    let over_cap = r.bool("over_caseload_cap")?;
    let site = r.dict("site")?;
    let site_name = r.dict("site_name")?;
    let site_jurisdiction = r.dict("site_jurisdiction")?;
    let site_municipality = r.dict("site_municipality")?;
    let site_district = r.dict("site_district")?;
    let site_opened = r.date("site_recruitment_opened_on")?;
    let site_target = r.i32("site_target_per_month")?;
    let stratum = r.dict("allocation_stratum")?;
    let withdrawals = [
        (
            WithdrawalScope::Intervention,
            r.date("intervention_withdrawn_on")?,
            r.dict("intervention_withdrawn_by")?,
            CodedCols::new(r, coded_names!("intervention_withdrawal_reason"))?,
        ),
        (
            WithdrawalScope::Study,
            r.date("study_withdrawn_on")?,
            r.dict("study_withdrawn_by")?,
            CodedCols::new(r, coded_names!("study_withdrawal_reason"))?,
        ),
    ];
    for row in 0..r.rows() {
        let screening = match screened.get(row)? {
            None => None,
            Some(on) => {
                let years = age.req(row)?;
                Some(ResearchFpScreening {
                    on,
                    child_age_years: u8::try_from(years).map_err(|_| {
                        Error::data(
                            cell_path(NAME, row, "child_age_years"),
                            "research.range",
                            format!("{years} is not an age in years"),
                        )
                    })?,
                    receives_child_welfare_services: services.req(row)?,
                    other_exclusion_recorded: other.req(row)?,
                    eligible: eligible.get(row),
                    ineligibility_reason: reason.code(row)?,
                })
            }
        };
        let consent = match consent_on.get(row)? {
            None => None,
            Some(on) => Some(ResearchConsent {
                on,
                given: consent_given.req(row)?,
            }),
        };
        let allocation = match arm.code::<Arm>(row)? {
            None => None,
            Some(a) => Some(ResearchAllocation {
                arm: a,
                sequence: sequence.req_index(row)?,
                block: block.index(row)?,
                stratum: stratum.get(row).map(str::to_owned),
                on: allocated.req(row)?,
            }),
        };
        let enrolment = match started.get(row)? {
            None => None,
            Some(started_on) => Some(ResearchEnrolment {
                partner: partner.req_parse(row, Pseudonym::new)?,
                started_on,
                planned_end: planned_end.req(row)?,
                ended_on: ended.get(row)?,
                end: end.code(row)?,
                over_caseload_cap: over_cap.req(row)?,
            }),
        };
        let mut taken = Vec::new();
        for (scope, on, by, why) in &withdrawals {
            if let Some(on) = on.get(row)? {
                taken.push(ResearchWithdrawal {
                    on,
                    by: by.req_code(row)?,
                    scope: *scope,
                    reason: why.req::<WithdrawalReason>(row)?,
                });
            }
        }
        let site = match site.get(row) {
            None => None,
            Some(code) => {
                let bad = |column: &str, e: barnvern_core::Issue| {
                    Error::data(cell_path(NAME, row, column), &e.code, e.message)
                };
                Some(Site {
                    code: SiteCode::new(code).map_err(|e| bad("site", e))?,
                    name: site_name.req(row)?.to_owned(),
                    jurisdiction: site_jurisdiction.req_code(row)?,
                    municipality: MunicipalityCode::new(site_municipality.req(row)?)
                        .map_err(|e| bad("site_municipality", e))?,
                    district: site_district.get(row).map(str::to_owned),
                    recruitment_opened_on: site_opened.req(row)?,
                    target_per_month: site_target.count(row)?,
                })
            }
        };
        out.push((
            case.case(ctx, row)?,
            row,
            ResearchFamily {
                family_key: key.req_parse(row, Pseudonym::new)?,
                trial_id: trial.req(row)?.to_owned(),
                programme_id: programme.req(row)?.to_owned(),
                approached_on: approached.req(row)?,
                site,
                screening,
                consent,
                allocation,
                enrolment,
                contacts: Vec::new(),
                guidance_sessions: Vec::new(),
                coordination: Vec::new(),
                goals: Vec::new(),
                withdrawals: taken,
                waves: Vec::new(),
                questionnaires: Vec::new(),
                scores: Vec::new(),
                costs: None,
                interviews: Vec::new(),
            },
        ));
    }
    Ok(())
}
