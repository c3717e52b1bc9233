//! Band tables: cut-offs that put a score in a band (SDQ: close to average, slightly raised, high,
//! very high), keyed by score, informant, age range and country, each marked verified or not.
//!
//! A table applies to a respondent when its informant is the respondent's (or the table has
//! none), the age lies in its range (or no age is given) and its country is the one asked for.
//! Tables for the asked country are preferred; a table without a country applies to every
//! country and is the fallback (the UK SDQ bands are used in Sweden and Norway this way). Band
//! bounds are inclusive; a value that falls in no band gets no band.

use barnvern_core::Finding;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::instrument::{AgeRange, Informant, ScoreId};

/// Checks an ISO 3166-1 alpha-2 country code: two upper-case ASCII letters.
pub fn check_country(value: &str) -> Result<(), Finding> {
    if value.len() == 2 && value.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(Finding::error(
            "",
            "outcomes.country",
            format!(
                "{} is not a country code: use two upper-case letters, e.g. SE, NO, GB",
                barnvern_core::identifier::echo(value)
            ),
        ))
    }
}

barnvern_core::validated_string! {
    /// An ISO 3166-1 alpha-2 country code, e.g. `SE`, `NO`, `GB`.
    pub struct CountryCode; validate = check_country;
}

/// One band: an inclusive range of scores and its label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Lowest score in the band, included.
    pub min: f64,
    /// Highest score in the band, included.
    pub max: f64,
    /// The band's label, e.g. `slightly raised`.
    pub label: String,
}

/// A band table for one score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BandTable {
    /// The scale or composite banded.
    pub score: ScoreId,
    /// The informant the cut-offs are for; none means any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informant: Option<Informant>,
    /// The ages, in whole years, the cut-offs are for.
    pub age: AgeRange,
    /// The country the cut-offs are for; none means any country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    /// True when the cut-offs were checked against their published source.
    pub verified: bool,
    /// Where the cut-offs come from.
    pub source: String,
    /// The bands, from the most typical to the least (the order gives [`BandResult::rank`]).
    pub bands: Vec<Band>,
}

impl BandTable {
    /// Findings about this table (paths relative to it).
    pub fn check(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut push = |path: String, code: &str, message: String| {
            findings.push(Finding::error(
                path,
                format!("outcomes.definition.{code}"),
                message,
            ));
        };
        if self.age.min > self.age.max {
            push(
                "age".into(),
                "age_range",
                format!("the age range {}-{} is empty", self.age.min, self.age.max),
            );
        }
        if self.bands.is_empty() {
            push(
                "bands".into(),
                "empty",
                format!("the band table for {} has no bands", self.score),
            );
        }
        if self.bands.len() > usize::from(u8::MAX) {
            push(
                "bands".into(),
                "too_many",
                "a table has at most 255 bands".into(),
            );
        }
        for (i, band) in self.bands.iter().enumerate() {
            if !(band.min.is_finite() && band.max.is_finite()) || band.min > band.max {
                push(
                    format!("bands[{i}]"),
                    "band_range",
                    format!("band {:?} has an empty or invalid range", band.label),
                );
            }
            if band.label.trim().is_empty() {
                push(
                    format!("bands[{i}].label"),
                    "empty",
                    "a band needs a label".into(),
                );
            }
            for (j, other) in self.bands.iter().enumerate().skip(i + 1) {
                if band.min <= other.max && other.min <= band.max {
                    push(
                        format!("bands[{j}]"),
                        "band_overlap",
                        format!(
                            "bands {:?} ({}-{}) and {:?} ({}-{}) of {} overlap",
                            band.label,
                            band.min,
                            band.max,
                            other.label,
                            other.min,
                            other.max,
                            self.score
                        ),
                    );
                }
            }
        }
        findings
    }

    /// The position of the band holding `value`, if any.
    pub fn band_of(&self, value: f64) -> Option<usize> {
        self.bands
            .iter()
            .position(|b| b.min <= value && value <= b.max)
    }
}

/// The band a score fell in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BandResult {
    /// The band's label, e.g. `high`.
    pub label: String,
    /// Its position in the table, 0 for the most typical band.
    pub rank: u8,
    /// Whether the table's cut-offs are verified.
    pub verified: bool,
    /// The table's source.
    pub source: String,
}

/// The band tables that can apply to one score for one informant and country, in preference
/// order: tables for the country first, then tables for any country.
#[derive(Debug, Clone)]
pub(crate) struct Candidates<'a> {
    pub tables: Vec<&'a BandTable>,
}

impl<'a> Candidates<'a> {
    pub fn new(
        tables: &'a [BandTable],
        score: &str,
        informant: Option<Informant>,
        country: Option<&CountryCode>,
    ) -> Self {
        let fits = |t: &&BandTable| {
            t.score.as_str() == score && (t.informant.is_none() || t.informant == informant)
        };
        let mut chosen: Vec<&BandTable> = match country {
            Some(c) => tables
                .iter()
                .filter(fits)
                .filter(|t| t.country.as_ref() == Some(c))
                .collect(),
            None => Vec::new(),
        };
        chosen.extend(tables.iter().filter(fits).filter(|t| t.country.is_none()));
        Candidates { tables: chosen }
    }

    /// The first table for `age` (any table when the age is not known).
    pub fn select(&self, age: Option<u32>) -> Option<(usize, &'a BandTable)> {
        self.tables
            .iter()
            .enumerate()
            .find(|(_, t)| age.is_none_or(|a| t.age.contains(a)))
            .map(|(i, t)| (i, *t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(country: Option<&str>, min_age: u32, verified: bool) -> BandTable {
        BandTable {
            score: ScoreId::new("s").unwrap(),
            informant: Some(Informant::Parent),
            age: AgeRange {
                min: min_age,
                max: 17,
            },
            country: country.map(|c| CountryCode::new(c).unwrap()),
            verified,
            source: "test".into(),
            bands: vec![
                Band {
                    min: 0.0,
                    max: 3.0,
                    label: "low".into(),
                },
                Band {
                    min: 4.0,
                    max: 10.0,
                    label: "high".into(),
                },
            ],
        }
    }

    #[test]
    fn bands_hold_their_bounds() {
        let t = table(None, 4, true);
        assert_eq!(t.band_of(3.0), Some(0));
        assert_eq!(t.band_of(4.0), Some(1));
        assert_eq!(t.band_of(3.5), None);
        assert!(t.check().is_empty());
    }

    #[test]
    fn overlapping_bands_are_refused() {
        let mut t = table(None, 4, true);
        t.bands[1].min = 3.0;
        let findings = t.check();
        assert_eq!(findings[0].code, "outcomes.definition.band_overlap");
    }

    #[test]
    fn the_country_table_is_preferred_and_any_country_is_the_fallback() {
        let tables = [table(None, 4, true), table(Some("NO"), 4, false)];
        let no = CountryCode::new("NO").unwrap();
        let se = CountryCode::new("SE").unwrap();
        let c = Candidates::new(&tables, "s", Some(Informant::Parent), Some(&no));
        assert!(!c.select(Some(8)).unwrap().1.verified);
        let c = Candidates::new(&tables, "s", Some(Informant::Parent), Some(&se));
        assert!(c.select(Some(8)).unwrap().1.verified);
        assert!(c.select(Some(2)).is_none());
        let c = Candidates::new(&tables, "s", Some(Informant::Teacher), None);
        assert!(c.select(None).is_none());
    }

    #[test]
    fn country_codes_are_two_capitals() {
        assert!(CountryCode::new("se").is_err());
        assert!(CountryCode::new("SE").is_ok());
    }
}
