//! The trial's sites: the child-welfare offices (SE socialkontor, NO barneverntjeneste) that
//! recruit families, each with the municipality and district it serves. The list is declared in
//! the trial design, so a site is a code from a code list of the trial's own, never free text.

use barnvern_core::macros::check_identifier;
use barnvern_core::{Finding, Jurisdiction, MunicipalityCode};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

barnvern_core::validated_string! {
    /// A site's code in the trial's site list (`"oslo-alna"`): not a municipality code.
    pub struct SiteCode; validate = check_identifier;
}

/// One site of the trial.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// The site's code, unique in the trial.
    pub code: SiteCode,
    /// The office's name (`"Barneverntjenesten i bydel Alna"`).
    pub name: String,
    /// The country the site works in.
    pub jurisdiction: Jurisdiction,
    /// The municipality it serves (SE kommunkod, NO kommunenummer): a code of the
    /// jurisdiction's list, current or former (a trial outlives Norway's renumberings, so the
    /// code a site was declared with may have changed since).
    pub municipality: MunicipalityCode,
    /// The district it serves (NO bydel, SE stadsdel), where the municipality has several
    /// offices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// The first day the site could recruit: its recruitment months count from this month.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub recruitment_opened_on: NaiveDate,
    /// The recruitment target: families randomised per calendar month at this site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_per_month: Option<u32>,
}

/// Findings about a trial's site list: codes unique, names not blank, municipality codes on
/// the jurisdiction's list.
pub fn validate_sites(sites: &[Site]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, s) in sites.iter().enumerate() {
        if !seen.insert(&s.code) {
            out.push(Finding::error(
                format!("sites[{i}].code"),
                "fp.duplicate_site",
                format!("two sites have the code {}", s.code),
            ));
        }
        if s.name.trim().is_empty() {
            out.push(Finding::error(
                format!("sites[{i}].name"),
                "fp.site_name",
                "a site needs a name",
            ));
        }
        if let Err(mut e) = s.municipality.lookup(s.jurisdiction, None) {
            e.path = format!("sites[{i}].municipality");
            out.push(e);
        }
    }
    out
}
