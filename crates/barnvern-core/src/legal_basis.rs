//! Structured legal basis: which law, chapter, section, paragraph and letter a decision rests on.

use std::fmt;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Finding, Jurisdiction};

/// A law that child-protection decisions rest on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Law {
    /// SE Socialtjänstlagen (2001:453), in force until 30 June 2025.
    SeSol2001,
    /// SE Socialtjänstlagen (2025:400), in force from 1 July 2025.
    SeSol2025,
    /// SE Lagen (1990:52) med särskilda bestämmelser om vård av unga (LVU).
    SeLvu1990,
    /// NO Lov om barneverntjenester (barnevernloven 1992), in force until 31 December 2022
    /// (SSB code `BVL`).
    NoBvl1992,
    /// NO Lov om barnevern (barnevernsloven 2021), in force from 1 January 2023 (SSB code `BVL2021`).
    NoBvl2021,
    /// NO Lov om barn og foreldre (barneloven 1981) (SSB code `BL1981`).
    NoBl1981,
}

/// When a law is in force, as data: a new law is a new row.
struct LawRow {
    law: Law,
    jurisdiction: Jurisdiction,
    short: &'static str,
    ssb_code: Option<&'static str>,
    /// Whether statutory child-protection deadlines follow this law (LVU and the Children Act
    /// sit beside the main act and do not set them).
    main_act: bool,
    in_force_from: (i32, u32, u32),
    in_force_to: Option<(i32, u32, u32)>,
}

const LAWS: &[LawRow] = &[
    LawRow {
        law: Law::SeSol2001,
        jurisdiction: Jurisdiction::Se,
        short: "SoL (2001:453)",
        ssb_code: None,
        main_act: true,
        in_force_from: (2002, 1, 1),
        in_force_to: Some((2025, 6, 30)),
    },
    LawRow {
        law: Law::SeSol2025,
        jurisdiction: Jurisdiction::Se,
        short: "SoL (2025:400)",
        ssb_code: None,
        main_act: true,
        in_force_from: (2025, 7, 1),
        in_force_to: None,
    },
    LawRow {
        law: Law::SeLvu1990,
        jurisdiction: Jurisdiction::Se,
        short: "LVU (1990:52)",
        ssb_code: None,
        main_act: false,
        in_force_from: (1990, 7, 1),
        in_force_to: None,
    },
    LawRow {
        law: Law::NoBvl1992,
        jurisdiction: Jurisdiction::No,
        short: "bvl. (1992)",
        ssb_code: Some("BVL"),
        main_act: true,
        in_force_from: (1993, 1, 1),
        in_force_to: Some((2022, 12, 31)),
    },
    LawRow {
        law: Law::NoBvl2021,
        jurisdiction: Jurisdiction::No,
        short: "bvl. (2021)",
        ssb_code: Some("BVL2021"),
        main_act: true,
        in_force_from: (2023, 1, 1),
        in_force_to: None,
    },
    LawRow {
        law: Law::NoBl1981,
        jurisdiction: Jurisdiction::No,
        short: "bl. (1981)",
        ssb_code: Some("BL1981"),
        main_act: false,
        in_force_from: (1982, 1, 1),
        in_force_to: None,
    },
];

fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    // The table above holds only real dates; a wrong entry is caught by the unit tests.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

impl Law {
    fn row(self) -> &'static LawRow {
        // Every variant has exactly one row (checked by a unit test); the fallback is unreachable.
        LAWS.iter().find(|r| r.law == self).unwrap_or(&LAWS[0])
    }

    /// The country of the law.
    pub fn jurisdiction(self) -> Jurisdiction {
        self.row().jurisdiction
    }

    /// How the law is cited (`"SoL (2001:453)"`, `"bvl. (2021)"`).
    pub fn short_name(self) -> &'static str {
        self.row().short
    }

    /// SSB's code for the law in the Norwegian reporting format (`BVL`, `BVL2021`, `BL1981`).
    pub fn ssb_code(self) -> Option<&'static str> {
        self.row().ssb_code
    }

    /// The law with SSB's code `code`.
    pub fn from_ssb_code(code: &str) -> Option<Law> {
        LAWS.iter()
            .find(|r| r.ssb_code == Some(code))
            .map(|r| r.law)
    }

    /// First day in force.
    pub fn in_force_from(self) -> NaiveDate {
        ymd(self.row().in_force_from)
    }

    /// Last day in force, if repealed.
    pub fn in_force_to(self) -> Option<NaiveDate> {
        self.row().in_force_to.map(ymd)
    }

    /// Whether the law is in force on `date`.
    pub fn in_force_on(self, date: NaiveDate) -> bool {
        self.in_force_from() <= date && self.in_force_to().is_none_or(|to| date <= to)
    }

    /// The main child-protection act of `jurisdiction` in force on `date` (SoL in Sweden,
    /// barnevernloven in Norway), which decides the statutory deadlines.
    pub fn main_act_on(jurisdiction: Jurisdiction, date: NaiveDate) -> Option<Law> {
        LAWS.iter()
            .find(|r| r.main_act && r.jurisdiction == jurisdiction && r.law.in_force_on(date))
            .map(|r| r.law)
    }
}

impl fmt::Display for Law {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short_name())
    }
}

/// The legal provision a decision or measure rests on: law, chapter, section, paragraph
/// (SE stycke, NO ledd) and letter (NO bokstav). Section numbers of SoL 2025:400 are not
/// verified here, so everything below the law is optional.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalBasis {
    /// The law.
    pub law: Law,
    /// Chapter (SE kapitel, NO kapittel), e.g. `"11"` or `"3"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chapter: Option<String>,
    /// Section (SE paragraf, NO paragraf), e.g. `"1a"` or `"1"` (NO `§ 3-1` is chapter 3,
    /// section 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// Paragraph (SE stycke, NO ledd), counted from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<u8>,
    /// Letter (NO bokstav), e.g. `"a"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub letter: Option<String>,
}

impl LegalBasis {
    /// A legal basis naming only the law.
    pub fn law(law: Law) -> Self {
        LegalBasis {
            law,
            chapter: None,
            section: None,
            paragraph: None,
            letter: None,
        }
    }

    /// Findings about the parts: chapter and section are short alphanumeric labels, a letter is
    /// one to three letters, paragraph counts from 1.
    pub fn validate(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        for (field, value) in [("chapter", &self.chapter), ("section", &self.section)] {
            if let Some(v) = value
                && (v.is_empty() || v.len() > 8 || !v.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                out.push(Finding::error(
                    field,
                    "legal_basis.part",
                    format!("{field} must be 1 to 8 letters or digits, like \"11\" or \"1a\""),
                ));
            }
        }
        if let Some(l) = &self.letter
            && (l.is_empty() || l.len() > 3 || !l.chars().all(|c| c.is_alphabetic()))
        {
            out.push(Finding::error(
                "letter",
                "legal_basis.part",
                "letter must be 1 to 3 letters, like \"a\"",
            ));
        }
        if self.paragraph == Some(0) {
            out.push(Finding::error(
                "paragraph",
                "legal_basis.part",
                "paragraph counts from 1",
            ));
        }
        out
    }
}

impl fmt::Display for LegalBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.law)?;
        match (self.law.jurisdiction(), &self.chapter, &self.section) {
            (Jurisdiction::Se, Some(c), Some(s)) => write!(f, " {c} kap. {s} §")?,
            (Jurisdiction::Se, Some(c), None) => write!(f, " {c} kap.")?,
            (Jurisdiction::No, Some(c), Some(s)) => write!(f, " § {c}-{s}")?,
            (Jurisdiction::No, Some(c), None) => write!(f, " kap. {c}")?,
            (_, None, Some(s)) => write!(f, " {s} §")?,
            (_, None, None) => {}
        }
        if let Some(p) = self.paragraph {
            match self.law.jurisdiction() {
                Jurisdiction::Se => write!(f, " {p} st.")?,
                Jurisdiction::No => write!(f, " {p}. ledd")?,
            }
        }
        if let Some(l) = &self.letter {
            write!(f, " bokstav {l}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_law_has_one_row_with_real_dates() {
        for r in LAWS {
            assert_eq!(LAWS.iter().filter(|o| o.law == r.law).count(), 1);
            assert!(
                NaiveDate::from_ymd_opt(r.in_force_from.0, r.in_force_from.1, r.in_force_from.2)
                    .is_some()
            );
        }
    }

    #[test]
    fn main_act_switches_on_the_day_the_new_law_takes_force() {
        assert_eq!(
            Law::main_act_on(Jurisdiction::Se, d(2025, 6, 30)),
            Some(Law::SeSol2001)
        );
        assert_eq!(
            Law::main_act_on(Jurisdiction::Se, d(2025, 7, 1)),
            Some(Law::SeSol2025)
        );
        assert_eq!(
            Law::main_act_on(Jurisdiction::No, d(2022, 12, 31)),
            Some(Law::NoBvl1992)
        );
        assert_eq!(
            Law::main_act_on(Jurisdiction::No, d(2023, 1, 1)),
            Some(Law::NoBvl2021)
        );
    }

    #[test]
    fn displays_like_a_citation() {
        let b = LegalBasis {
            law: Law::NoBvl2021,
            chapter: Some("3".into()),
            section: Some("1".into()),
            paragraph: Some(2),
            letter: Some("a".into()),
        };
        assert_eq!(b.to_string(), "bvl. (2021) § 3-1 2. ledd bokstav a");
        let b = LegalBasis {
            law: Law::SeSol2001,
            chapter: Some("11".into()),
            section: Some("1a".into()),
            paragraph: None,
            letter: None,
        };
        assert_eq!(b.to_string(), "SoL (2001:453) 11 kap. 1a §");
        assert_eq!(Law::from_ssb_code("BVL2021"), Some(Law::NoBvl2021));
        let bad = LegalBasis {
            chapter: Some("11 kap".into()),
            ..LegalBasis::law(Law::SeSol2001)
        };
        assert_eq!(bad.validate()[0].path, "chapter");
    }
}
