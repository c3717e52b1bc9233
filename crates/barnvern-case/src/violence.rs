//! Violence exposure: what the child was exposed to, how, and by whom.

use barnvern_core::Finding;
use barnvern_core::codelist::SourceCode;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::PersonRef;

/// Form of violence (SE våldsform, NO voldsform).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ViolenceForm {
    /// Physical violence (SE fysiskt våld, NO fysisk vold).
    Physical,
    /// Psychological violence (SE psykiskt våld, NO psykisk vold).
    Psychological,
    /// Sexual violence or abuse (SE sexuellt våld, NO seksuelle overgrep).
    Sexual,
    /// Neglect (SE försummelse, NO omsorgssvikt).
    Neglect,
    /// Material or economic violence (SE materiellt/ekonomiskt våld).
    MaterialEconomic,
    /// Honour-related violence and oppression (SE hedersrelaterat våld, NO æresrelatert vold).
    HonourRelated,
    /// Other; requires free text.
    Other,
}

/// Whether the child was the victim or witnessed violence against someone else.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ExposureMode {
    /// Violence directed at the child.
    Direct,
    /// The child witnessed or experienced violence against another person (SE bevittnat våld,
    /// NO vitne til vold).
    Witnessed,
}

/// How a perpetrator or a witnessed victim is related to the child.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Mother.
    Mother,
    /// Father.
    Father,
    /// A parent, not specified which.
    Parent,
    /// Partner of a parent.
    PartnerOfParent,
    /// Sibling.
    Sibling,
    /// Other family.
    OtherFamily,
    /// A known person outside the family (peer, acquaintance).
    KnownNonFamily,
    /// A stranger.
    Stranger,
    /// Not known.
    Unknown,
}

/// One exposure of the child to violence, as recorded on a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ViolenceExposure {
    /// Form of violence.
    pub form: ViolenceForm,
    /// Directly exposed or witnessed.
    pub mode: ExposureMode,
    /// How the perpetrator is related to the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perpetrator_relation: Option<Relation>,
    /// The perpetrator, where they are among the case's people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perpetrator: Option<PersonRef>,
    /// Who the violence was directed at, when the child witnessed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub victim: Option<Relation>,
    /// The code as recorded in the source system (e.g. SSB saksinnhold `9`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceCode>,
    /// Free text, required for [`ViolenceForm::Other`]. Never exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// The SSB saksinnhold codes a violence exposure corresponds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SsbViolenceCodes {
    /// The flat list in use until 2025 (7 violence at home/witnessed, 9 physical, 10
    /// psychological, 11 sexual, 8 neglect, 32 negative social control); `None` where no code
    /// fits.
    pub legacy: Option<&'static str>,
    /// The hierarchical list from 2026 (2.4.02 protection against witnessing violence in the
    /// family, 2.4.05 protection against violence, 2.4.07 sexual abuse, 2.4.01 honour-related
    /// violence, 2.1.02 basic care).
    pub kunnskapsmodellen: &'static str,
}

impl ViolenceExposure {
    /// The SSB codes this exposure maps to.
    pub fn ssb_codes(&self) -> SsbViolenceCodes {
        use ViolenceForm::*;
        match (self.mode, self.form) {
            (ExposureMode::Witnessed, _) => SsbViolenceCodes {
                legacy: Some("7"),
                kunnskapsmodellen: "2.4.02",
            },
            (ExposureMode::Direct, Physical) => SsbViolenceCodes {
                legacy: Some("9"),
                kunnskapsmodellen: "2.4.05",
            },
            (ExposureMode::Direct, Psychological) => SsbViolenceCodes {
                legacy: Some("10"),
                kunnskapsmodellen: "2.4.05",
            },
            (ExposureMode::Direct, Sexual) => SsbViolenceCodes {
                legacy: Some("11"),
                kunnskapsmodellen: "2.4.07",
            },
            (ExposureMode::Direct, Neglect) => SsbViolenceCodes {
                legacy: Some("8"),
                kunnskapsmodellen: "2.1.02",
            },
            (ExposureMode::Direct, HonourRelated) => SsbViolenceCodes {
                legacy: Some("32"),
                kunnskapsmodellen: "2.4.01",
            },
            (ExposureMode::Direct, MaterialEconomic | Other) => SsbViolenceCodes {
                legacy: None,
                kunnskapsmodellen: "2.4.05",
            },
        }
    }

    /// Findings about this exposure on its own (references are checked by the case).
    pub fn validate(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        if self.mode == ExposureMode::Direct && self.victim.is_some() {
            out.push(Finding::error(
                "victim",
                "violence.victim_when_direct",
                "a victim other than the child is recorded only when the child witnessed the violence",
            ));
        }
        if self.mode == ExposureMode::Witnessed && self.victim.is_none() {
            out.push(Finding::warning(
                "victim",
                "violence.victim_missing",
                "witnessed violence should say who it was directed at",
            ));
        }
        if self.form == ViolenceForm::Other
            && self.text.as_deref().is_none_or(|t| t.trim().is_empty())
        {
            out.push(Finding::error(
                "text",
                "violence.other_needs_text",
                "violence of form \"other\" needs a free-text description",
            ));
        }
        out
    }
}

/// Violence disclosed or assessed after the referral: during an investigation or at a
/// follow-up (SE våld som framkommer under utredningen, NO vold avdekket under undersøkelsen).
/// The exposure has the same shape as on a referral; the date says when it came to light.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ViolenceDisclosure {
    /// The date the violence was disclosed or assessed.
    pub disclosed_on: chrono::NaiveDate,
    /// What the child was exposed to.
    pub exposure: ViolenceExposure,
}
