//! Intervention (measure) types as a code list: one canonical set of concepts onto which SSB's
//! measure categories (`Tiltak/Kategori`, groups 1-8), the older KOSTRA grouping (11 guidance,
//! 12 supportive, 13 cooperation, 14 network, 15 out-of-home, 16 control), the named
//! programmes and barnvern's Swedish list map. A recorded value is a
//! [`Coded<InterventionType>`](barnvern_core::Coded), so the source code is never lost.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Code system of SSB's measure categories (shipped in barnvern-core).
pub const SSB_SYSTEM: &str = "no.ssb.barnevern.tiltak-kategori";
/// Code system of the older KOSTRA grouping of help measures (11-16). Only the codes named in
/// the design are shipped; the full KOSTRA list is not verified here.
pub const KOSTRA_SYSTEM: &str = "no.kostra.barnevern.tiltak";
/// Code system of barnvern's Swedish intervention list ([`SE_INTERVENTIONS`]).
pub const SE_SYSTEM: &str = "barnvern.se.insats";

/// The broad group an intervention type belongs to (the KOSTRA grouping, extended with SSB's
/// groups that KOSTRA had no number for).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum InterventionGroup {
    /// Advice, guidance and parenting programmes (KOSTRA 11; SSB group 3).
    Guidance,
    /// Support for the child's development (KOSTRA 12; SSB group 4).
    Supportive,
    /// Cooperation with other services (KOSTRA 13; part of SSB group 6).
    Cooperation,
    /// Network work, family group conference (KOSTRA 14; part of SSB group 6).
    Network,
    /// Out-of-home care: institutions, foster care (KOSTRA 15; SSB groups 1 and 2; SE
    /// placering).
    OutOfHome,
    /// Supervision and control (KOSTRA 16; SSB group 5).
    Control,
    /// Examination and treatment by other services (SSB group 7).
    Treatment,
    /// Housing (SSB group 8).
    Housing,
}

/// The canonical intervention type (SE insats, NO tiltak). Each concept has at most one SSB
/// code ([`InterventionType::ssb_code`]); the Swedish and KOSTRA codes map onto the same
/// concepts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum InterventionType {
    /// Child-welfare institution (SSB 1.1; SE HVB, hem för vård eller boende).
    Institution,
    /// Placement in an institution under another act (SSB 1.2).
    InstitutionOtherAct,
    /// Secure youth home (SE särskilt ungdomshem, SiS; LVU only).
    SecureYouthHome,
    /// Other institutional measure, e.g. TFCO; needs text (SSB 1.99).
    OtherInstitutional,
    /// Foster home in the family or close network (SSB 2.1; SE familjehem i nätverket,
    /// nätverkshem).
    KinshipFosterHome,
    /// Foster home outside the family and network (SSB 2.2; SE familjehem).
    FosterHome,
    /// Specialised foster home (SSB 2.3; SE förstärkt/konsulentstött familjehem).
    SpecialisedFosterHome,
    /// Foster home under bvl. 2021 § 6-3 (formerly bvl. 1992 § 4-27) (SSB 2.4).
    FosterHomeBvl63,
    /// Emergency foster home outside the family and network (SSB 2.5 beredskapshjem; SE
    /// jourhem).
    EmergencyFosterHome,
    /// Temporary home in the family or close network (SSB 2.6 midlertidig hjem).
    TemporaryKinshipHome,
    /// Other foster-care measure; needs text (SSB 2.99).
    OtherFosterCare,
    /// Out-of-home placement, setting not given (KOSTRA 15; SE placering).
    OutOfHomeUnspecified,
    /// Multisystemic therapy (SSB 3.1).
    Mst,
    /// Parent Management Training Oregon (SSB 3.2).
    Pmto,
    /// Functional family therapy (SSB 3.3).
    Fft,
    /// Webster-Stratton, The Incredible Years (SSB 3.4 De utrolige årene).
    IncredibleYears,
    /// International Child Development Programme (SSB 3.5).
    Icdp,
    /// Marte Meo (SSB 3.6).
    MarteMeo,
    /// SafeCare home-visiting programme (no SSB code of its own: reported as 3.7 with text).
    SafeCare,
    /// The Family Partner programme (FAMPART): intensive home-based follow-up, parental guidance
    /// and coordination (no SSB code of its own: reported as 3.7 with text).
    FamilyPartner,
    /// Other home-based method applied systematically; needs text (SSB 3.7).
    OtherHomeBasedMethod,
    /// Centre for parents and children (SSB 3.8 sentre for foreldre og barn).
    ParentChildCentre,
    /// Advice and guidance (SSB 3.9 råd og veiledning; KOSTRA 11; SE råd och stöd).
    AdviceAndGuidance,
    /// Home-based environmental work (SSB 3.10 hjemmekonsulent/miljøarbeider; KOSTRA 12.8).
    HomeBasedEnvironmentalWork,
    /// Parent group (KOSTRA 11.7; SE föräldragrupp, föräldrastödsprogram i grupp).
    ParentGroup,
    /// Family treatment by the social services (SE familjebehandling; no SSB code: 3.99 with
    /// text).
    FamilyTreatment,
    /// Other measure to strengthen parenting, e.g. COS; needs text (SSB 3.99).
    OtherParentingSupport,
    /// Kindergarten place (SSB 4.1; SE förskola).
    Kindergarten,
    /// After-school programme (SSB 4.2 SFO/aktivitetsskole; SE fritidshem).
    AfterSchool,
    /// Leisure activities (SSB 4.3).
    LeisureActivities,
    /// Other financial help (SSB 4.4).
    FinancialHelp,
    /// Visiting home or respite care (SSB 4.5 besøkshjem/avlastning; SE kontaktfamilj).
    RespiteCare,
    /// Support contact (SSB 4.6 støttekontakt; SE kontaktperson).
    SupportContact,
    /// Talking or activity groups for children (SSB 4.7).
    ChildGroups,
    /// Support with education and work (SSB 4.8).
    EducationAndWork,
    /// Aggression Replacement Training (SSB 4.9).
    Art,
    /// Other measure for the child's development; needs text (SSB 4.99).
    OtherChildDevelopment,
    /// Supportive measure, kind not given (KOSTRA 12; SE öppenvårdsinsats).
    SupportiveUnspecified,
    /// Voluntary supervision in the home (SSB 5.1).
    VoluntarySupervision,
    /// Ordered supervision in the home (SSB 5.2).
    OrderedSupervision,
    /// Supervised contact visits (SSB 5.3 tilsyn under samvær).
    SupervisedContact,
    /// Drug testing (SSB 5.4 ruskontroll).
    DrugTesting,
    /// Other supervision or control; needs text (SSB 5.99; KOSTRA 16).
    OtherControl,
    /// Family group conference (SSB 6.1 familieråd; SE familjeråd).
    FamilyGroupConference,
    /// Network meetings (SSB 6.2 nettverksmøter).
    NetworkMeetings,
    /// Individual plan (SSB 6.3 individuell plan; SE SIP as a measure).
    IndividualPlan,
    /// Taking part in a responsibility group (SSB 6.4 ansvarsgruppe; KOSTRA 13.1).
    ResponsibilityGroup,
    /// Meetings with other agencies (KOSTRA 13.2).
    MeetingsWithOtherAgencies,
    /// Other network work or cooperation; needs text (SSB 6.99; KOSTRA 13 and 14).
    OtherNetwork,
    /// Medical examination and treatment (SSB 7.1, bvl. 2021 § 3-7).
    MedicalTreatment,
    /// Treatment of a child with special training needs (SSB 7.2, bvl. 2021 § 3-8).
    SpecialTrainingNeeds,
    /// Mental-health care for children and young people (SSB 7.3; SE BUP).
    MentalHealthCare,
    /// Other examination or treatment by other services; needs text (SSB 7.99).
    OtherTreatment,
    /// Financial help with own housing (SSB 8.1).
    HousingFinancialHelp,
    /// Housing with follow-up (SSB 8.2, until 2025; SE stödboende).
    SupportedHousing,
    /// Housing training course (SSB 8.3).
    HousingTraining,
    /// Municipal housing with round-the-clock staff (SSB 8.4, from 2026).
    StaffedHousing,
    /// Municipal housing without round-the-clock staff (SSB 8.5, from 2026).
    UnstaffedHousing,
    /// Other measure, not a placement; needs text (SSB 8.99).
    OtherNonPlacement,
}

use InterventionGroup as G;
use InterventionType as T;

/// One concept: group, SSB code (if it has one) and English label. Data, in SSB's order.
const ROWS: &[(InterventionType, InterventionGroup, Option<&str>, &str)] = &[
    (
        T::Institution,
        G::OutOfHome,
        Some("1.1"),
        "Child-welfare institution",
    ),
    (
        T::InstitutionOtherAct,
        G::OutOfHome,
        Some("1.2"),
        "Institution under another act",
    ),
    (T::SecureYouthHome, G::OutOfHome, None, "Secure youth home"),
    (
        T::OtherInstitutional,
        G::OutOfHome,
        Some("1.99"),
        "Other institutional measure",
    ),
    (
        T::KinshipFosterHome,
        G::OutOfHome,
        Some("2.1"),
        "Kinship foster home",
    ),
    (
        T::FosterHome,
        G::OutOfHome,
        Some("2.2"),
        "Foster home outside the network",
    ),
    (
        T::SpecialisedFosterHome,
        G::OutOfHome,
        Some("2.3"),
        "Specialised foster home",
    ),
    (
        T::FosterHomeBvl63,
        G::OutOfHome,
        Some("2.4"),
        "Foster home under bvl. § 6-3",
    ),
    (
        T::EmergencyFosterHome,
        G::OutOfHome,
        Some("2.5"),
        "Emergency foster home",
    ),
    (
        T::TemporaryKinshipHome,
        G::OutOfHome,
        Some("2.6"),
        "Temporary kinship home",
    ),
    (
        T::OtherFosterCare,
        G::OutOfHome,
        Some("2.99"),
        "Other foster care",
    ),
    (
        T::OutOfHomeUnspecified,
        G::OutOfHome,
        None,
        "Out-of-home placement",
    ),
    (T::Mst, G::Guidance, Some("3.1"), "MST"),
    (T::Pmto, G::Guidance, Some("3.2"), "PMTO"),
    (T::Fft, G::Guidance, Some("3.3"), "FFT"),
    (
        T::IncredibleYears,
        G::Guidance,
        Some("3.4"),
        "The Incredible Years",
    ),
    (T::Icdp, G::Guidance, Some("3.5"), "ICDP"),
    (T::MarteMeo, G::Guidance, Some("3.6"), "Marte Meo"),
    (T::SafeCare, G::Guidance, None, "SafeCare"),
    (T::FamilyPartner, G::Guidance, None, "Family Partner"),
    (
        T::OtherHomeBasedMethod,
        G::Guidance,
        Some("3.7"),
        "Other home-based method",
    ),
    (
        T::ParentChildCentre,
        G::Guidance,
        Some("3.8"),
        "Centre for parents and children",
    ),
    (
        T::AdviceAndGuidance,
        G::Guidance,
        Some("3.9"),
        "Advice and guidance",
    ),
    (
        T::HomeBasedEnvironmentalWork,
        G::Guidance,
        Some("3.10"),
        "Home-based environmental work",
    ),
    (T::ParentGroup, G::Guidance, None, "Parent group"),
    (T::FamilyTreatment, G::Guidance, None, "Family treatment"),
    (
        T::OtherParentingSupport,
        G::Guidance,
        Some("3.99"),
        "Other parenting support",
    ),
    (T::Kindergarten, G::Supportive, Some("4.1"), "Kindergarten"),
    (
        T::AfterSchool,
        G::Supportive,
        Some("4.2"),
        "After-school programme",
    ),
    (
        T::LeisureActivities,
        G::Supportive,
        Some("4.3"),
        "Leisure activities",
    ),
    (
        T::FinancialHelp,
        G::Supportive,
        Some("4.4"),
        "Other financial help",
    ),
    (
        T::RespiteCare,
        G::Supportive,
        Some("4.5"),
        "Visiting home or respite care",
    ),
    (
        T::SupportContact,
        G::Supportive,
        Some("4.6"),
        "Support contact",
    ),
    (
        T::ChildGroups,
        G::Supportive,
        Some("4.7"),
        "Talking or activity groups",
    ),
    (
        T::EducationAndWork,
        G::Supportive,
        Some("4.8"),
        "Education and work",
    ),
    (T::Art, G::Supportive, Some("4.9"), "ART"),
    (
        T::OtherChildDevelopment,
        G::Supportive,
        Some("4.99"),
        "Other child development",
    ),
    (
        T::SupportiveUnspecified,
        G::Supportive,
        None,
        "Supportive measure",
    ),
    (
        T::VoluntarySupervision,
        G::Control,
        Some("5.1"),
        "Voluntary supervision",
    ),
    (
        T::OrderedSupervision,
        G::Control,
        Some("5.2"),
        "Ordered supervision",
    ),
    (
        T::SupervisedContact,
        G::Control,
        Some("5.3"),
        "Supervised contact",
    ),
    (T::DrugTesting, G::Control, Some("5.4"), "Drug testing"),
    (
        T::OtherControl,
        G::Control,
        Some("5.99"),
        "Other supervision or control",
    ),
    (
        T::FamilyGroupConference,
        G::Network,
        Some("6.1"),
        "Family group conference",
    ),
    (
        T::NetworkMeetings,
        G::Network,
        Some("6.2"),
        "Network meetings",
    ),
    (
        T::IndividualPlan,
        G::Cooperation,
        Some("6.3"),
        "Individual plan",
    ),
    (
        T::ResponsibilityGroup,
        G::Cooperation,
        Some("6.4"),
        "Responsibility group",
    ),
    (
        T::MeetingsWithOtherAgencies,
        G::Cooperation,
        None,
        "Meetings with other agencies",
    ),
    (
        T::OtherNetwork,
        G::Network,
        Some("6.99"),
        "Other network work or cooperation",
    ),
    (
        T::MedicalTreatment,
        G::Treatment,
        Some("7.1"),
        "Medical examination and treatment",
    ),
    (
        T::SpecialTrainingNeeds,
        G::Treatment,
        Some("7.2"),
        "Special training needs",
    ),
    (
        T::MentalHealthCare,
        G::Treatment,
        Some("7.3"),
        "Mental-health care",
    ),
    (
        T::OtherTreatment,
        G::Treatment,
        Some("7.99"),
        "Other treatment",
    ),
    (
        T::HousingFinancialHelp,
        G::Housing,
        Some("8.1"),
        "Financial help with housing",
    ),
    (
        T::SupportedHousing,
        G::Housing,
        Some("8.2"),
        "Housing with follow-up",
    ),
    (
        T::HousingTraining,
        G::Housing,
        Some("8.3"),
        "Housing training",
    ),
    (
        T::StaffedHousing,
        G::Housing,
        Some("8.4"),
        "Staffed municipal housing",
    ),
    (
        T::UnstaffedHousing,
        G::Housing,
        Some("8.5"),
        "Unstaffed municipal housing",
    ),
    (
        T::OtherNonPlacement,
        G::Housing,
        Some("8.99"),
        "Other measure, not a placement",
    ),
];

/// The older KOSTRA grouping, as far as the design names it: code and concept.
pub const KOSTRA_CODES: &[(&str, InterventionType)] = &[
    ("11", T::AdviceAndGuidance),
    ("11.7", T::ParentGroup),
    ("12", T::SupportiveUnspecified),
    ("12.8", T::HomeBasedEnvironmentalWork),
    ("13", T::OtherNetwork),
    ("13.1", T::ResponsibilityGroup),
    ("13.2", T::MeetingsWithOtherAgencies),
    ("14", T::OtherNetwork),
    ("15", T::OutOfHomeUnspecified),
    ("16", T::OtherControl),
];

/// One row of barnvern's Swedish intervention list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeIntervention {
    /// The code (system [`SE_SYSTEM`]).
    pub code: &'static str,
    /// The Swedish label.
    pub label_sv: &'static str,
    /// The concept it maps to.
    pub concept: InterventionType,
    /// Whether SoL (2025:400) lets the service give it without a needs assessment (utan
    /// föregående behovsprövning), so with no decision behind it. (unverified: which services
    /// a municipality offers this way is its own choice; this is the usual set.)
    pub without_needs_assessment: bool,
}

/// barnvern's Swedish intervention list: Sweden has no national coded list of interventions,
/// so this list is ours. A placement's law (SoL or LVU) is its legal basis, not its code.
pub const SE_INTERVENTIONS: &[SeIntervention] = &[
    se(
        "oppenvardsinsats",
        "Öppenvårdsinsats",
        T::SupportiveUnspecified,
        false,
    ),
    se(
        "rad_och_stod",
        "Råd och stöd, samtalsstöd",
        T::AdviceAndGuidance,
        true,
    ),
    se(
        "foraldragrupp",
        "Föräldrastöd i grupp",
        T::ParentGroup,
        true,
    ),
    se(
        "familjebehandling",
        "Familjebehandling",
        T::FamilyTreatment,
        true,
    ),
    se("kontaktfamilj", "Kontaktfamilj", T::RespiteCare, false),
    se("kontaktperson", "Kontaktperson", T::SupportContact, true),
    se("barngrupp", "Stödgrupp för barn", T::ChildGroups, true),
    se("familjerad", "Familjeråd", T::FamilyGroupConference, false),
    se("mst", "MST, multisystemisk terapi", T::Mst, false),
    se("fft", "FFT, funktionell familjeterapi", T::Fft, false),
    se(
        "de_otroliga_aren",
        "De otroliga åren",
        T::IncredibleYears,
        true,
    ),
    se("icdp", "ICDP, Vägledande samspel", T::Icdp, true),
    se("marte_meo", "Marte Meo", T::MarteMeo, true),
    se("family_partner", "Family Partner", T::FamilyPartner, false),
    se(
        "placering",
        "Placering (boendeform ej angiven)",
        T::OutOfHomeUnspecified,
        false,
    ),
    se("familjehem", "Familjehem", T::FosterHome, false),
    se(
        "natverkshem",
        "Familjehem i nätverket",
        T::KinshipFosterHome,
        false,
    ),
    se(
        "forstarkt_familjehem",
        "Förstärkt familjehem",
        T::SpecialisedFosterHome,
        false,
    ),
    se("jourhem", "Jourhem", T::EmergencyFosterHome, false),
    se(
        "hvb",
        "Hem för vård eller boende (HVB)",
        T::Institution,
        false,
    ),
    se(
        "sarskilt_ungdomshem",
        "Särskilt ungdomshem (SiS)",
        T::SecureYouthHome,
        false,
    ),
    se("stodboende", "Stödboende", T::SupportedHousing, false),
];

const fn se(
    code: &'static str,
    label_sv: &'static str,
    concept: InterventionType,
    without_needs_assessment: bool,
) -> SeIntervention {
    SeIntervention {
        code,
        label_sv,
        concept,
        without_needs_assessment,
    }
}

impl InterventionType {
    /// Every concept, in SSB's order.
    pub fn all() -> impl Iterator<Item = InterventionType> {
        ROWS.iter().map(|r| r.0)
    }

    fn row(
        self,
    ) -> &'static (
        InterventionType,
        InterventionGroup,
        Option<&'static str>,
        &'static str,
    ) {
        // Every variant has exactly one row (checked by a unit test).
        ROWS.iter().find(|r| r.0 == self).unwrap_or(&ROWS[0])
    }

    /// The group the concept belongs to.
    pub fn group(self) -> InterventionGroup {
        self.row().1
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        self.row().3
    }

    /// SSB's own code for the concept, where it has one.
    pub fn ssb_code(self) -> Option<&'static str> {
        self.row().2
    }

    /// The SSB code to report the concept under, with the text SSB requires: the concept's own
    /// code, or for a programme without one "3.7" (other home-based method) with its name,
    /// and for other concepts the "other" code of their group with the English label.
    pub fn ssb_report(self) -> (&'static str, Option<&'static str>) {
        if let Some(code) = self.ssb_code() {
            return (code, None);
        }
        let code = match self {
            T::SafeCare | T::FamilyPartner => "3.7",
            T::ParentGroup | T::FamilyTreatment => "3.99",
            T::SecureYouthHome => "1.99",
            T::OutOfHomeUnspecified => "2.99",
            T::SupportiveUnspecified => "4.99",
            _ => "6.99",
        };
        (code, Some(self.label_en()))
    }

    /// The concept of SSB's measure category `code`.
    pub fn from_ssb_code(code: &str) -> Option<InterventionType> {
        ROWS.iter().find(|r| r.2 == Some(code)).map(|r| r.0)
    }

    /// The concept of a code of the older KOSTRA grouping ([`KOSTRA_CODES`]).
    pub fn from_kostra_code(code: &str) -> Option<InterventionType> {
        KOSTRA_CODES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, t)| *t)
    }

    /// The concept of a code of barnvern's Swedish list ([`SE_INTERVENTIONS`]).
    pub fn from_se_code(code: &str) -> Option<InterventionType> {
        se_intervention(code).map(|r| r.concept)
    }

    /// The concept of `code` in `system` (SSB, KOSTRA or the Swedish list); `None` for a
    /// system barnvern does not know, `Some(None)` for an unknown code of a known system.
    pub fn from_source(system: &str, code: &str) -> Option<Option<InterventionType>> {
        match system {
            SSB_SYSTEM => Some(Self::from_ssb_code(code)),
            KOSTRA_SYSTEM => Some(Self::from_kostra_code(code)),
            SE_SYSTEM => Some(Self::from_se_code(code)),
            _ => None,
        }
    }

    /// Whether a recorded value of this concept needs free text (SSB "krever presisering").
    pub fn requires_text(self) -> bool {
        matches!(
            self,
            T::OtherInstitutional
                | T::OtherFosterCare
                | T::OtherHomeBasedMethod
                | T::OtherParentingSupport
                | T::OtherChildDevelopment
                | T::OtherControl
                | T::OtherNetwork
                | T::OtherTreatment
                | T::OtherNonPlacement
        )
    }

    /// Whether the concept is a named, manualised programme.
    pub fn is_programme(self) -> bool {
        matches!(
            self,
            T::Mst
                | T::Pmto
                | T::Fft
                | T::IncredibleYears
                | T::Icdp
                | T::MarteMeo
                | T::SafeCare
                | T::FamilyPartner
                | T::Art
        )
    }

    /// Whether the concept is care outside the home (SE placering, NO plassering).
    pub fn is_out_of_home(self) -> bool {
        self.group() == G::OutOfHome
    }
}

/// The row of a Swedish code.
pub fn se_intervention(code: &str) -> Option<&'static SeIntervention> {
    SE_INTERVENTIONS.iter().find(|r| r.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ssb_code_maps_and_back() {
        let list = barnvern_core::codelist::builtin(SSB_SYSTEM).expect("tiltak list");
        for entry in &list.entries {
            let t = InterventionType::from_ssb_code(&entry.code)
                .unwrap_or_else(|| panic!("SSB tiltak {} unmapped", entry.code));
            assert_eq!(t.ssb_code(), Some(entry.code.as_str()));
            assert_eq!(t.requires_text(), entry.requires_text, "{}", entry.code);
        }
        for t in InterventionType::all() {
            assert_eq!(ROWS.iter().filter(|r| r.0 == t).count(), 1);
            let (code, text) = t.ssb_report();
            assert!(list.get(code).is_some(), "{t:?} reports as {code}");
            assert_eq!(text.is_some(), t.ssb_code().is_none());
        }
    }

    #[test]
    fn swedish_and_kostra_codes_are_unique() {
        for r in SE_INTERVENTIONS {
            assert_eq!(
                SE_INTERVENTIONS.iter().filter(|o| o.code == r.code).count(),
                1
            );
        }
        assert_eq!(
            InterventionType::from_kostra_code("12.8"),
            Some(T::HomeBasedEnvironmentalWork)
        );
        assert_eq!(
            InterventionType::from_source(SE_SYSTEM, "kontaktfamilj"),
            Some(Some(T::RespiteCare))
        );
        assert_eq!(InterventionType::from_source("x", "1"), None);
    }
}
