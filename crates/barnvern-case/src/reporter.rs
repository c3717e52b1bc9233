//! Who reported a concern: SSB's reporter categories, with a Swedish list mapped onto them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The canonical reporter category (SE anmälare, NO melder). The concepts follow SSB's list
/// (`Melder`, Barnevern_v4.xsd); [`ReporterCategory::ssb_code`] gives SSB's code and
/// [`ReporterCategory::from_se_code`] maps barnvern's Swedish list onto the same concepts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReporterCategory {
    /// The child (SSB 1; SE barnet självt).
    Child,
    /// Mother, father or guardian (SSB 2; SE förälder/vårdnadshavare).
    Parent,
    /// Other family (SSB 3; SE annan anhörig).
    OtherFamily,
    /// Other private person (SSB 4; SE privatperson).
    OtherPrivate,
    /// Child welfare service (SSB 5; SE socialtjänsten).
    ChildWelfare,
    /// NAV, welfare and social insurance (SSB 6; SE Försäkringskassan, ekonomiskt bistånd).
    WelfareAgency,
    /// Child welfare out-of-hours service (SSB 7 barnevernsvakt; SE socialjouren).
    ChildWelfareEmergency,
    /// Police (SSB 8; SE polis).
    Police,
    /// Kindergarten (SSB 9; SE förskola).
    Kindergarten,
    /// Child health clinic or school health service (SSB 10; SE BVC, elevhälsa).
    HealthClinic,
    /// School (SSB 11; SE skola).
    School,
    /// Educational-psychological service (SSB 12 PPT).
    EducationalPsychology,
    /// Child and adolescent mental health (SSB 13; SE BUP).
    ChildMentalHealth,
    /// Adult mental health (SSB 14; SE vuxenpsykiatri).
    AdultMentalHealth,
    /// Doctor or hospital (SSB 24, before 2025 part of 15; SE hälso- och sjukvård).
    DoctorHospital,
    /// Dentist (SSB 25, before 2025 part of 15; SE tandvård).
    Dentist,
    /// Family counselling (SSB 16 familievernkontor; SE familjerådgivning).
    FamilyCounselling,
    /// Substance-use services (SSB 17; SE beroendevård).
    SubstanceServices,
    /// Crisis centre (SSB 18 krisesenter; SE kvinnojour).
    CrisisCentre,
    /// Asylum reception or immigration authority (SSB 19; SE Migrationsverket).
    Immigration,
    /// Outreach or youth club (SSB 20; SE fritidsgård, fältverksamhet).
    YouthClub,
    /// Voluntary organisation or sports club (SSB 21; SE ideell organisation).
    VoluntaryOrganisation,
    /// Other public agency; requires free text (SSB 22; SE annan myndighet).
    OtherPublic,
    /// Anonymous (SSB 23; SE anonym).
    Anonymous,
}

/// SSB `Melder` code for each category: one row per concept, as data.
const SSB: &[(ReporterCategory, &str)] = &[
    (ReporterCategory::Child, "1"),
    (ReporterCategory::Parent, "2"),
    (ReporterCategory::OtherFamily, "3"),
    (ReporterCategory::OtherPrivate, "4"),
    (ReporterCategory::ChildWelfare, "5"),
    (ReporterCategory::WelfareAgency, "6"),
    (ReporterCategory::ChildWelfareEmergency, "7"),
    (ReporterCategory::Police, "8"),
    (ReporterCategory::Kindergarten, "9"),
    (ReporterCategory::HealthClinic, "10"),
    (ReporterCategory::School, "11"),
    (ReporterCategory::EducationalPsychology, "12"),
    (ReporterCategory::ChildMentalHealth, "13"),
    (ReporterCategory::AdultMentalHealth, "14"),
    (ReporterCategory::DoctorHospital, "24"),
    (ReporterCategory::Dentist, "25"),
    (ReporterCategory::FamilyCounselling, "16"),
    (ReporterCategory::SubstanceServices, "17"),
    (ReporterCategory::CrisisCentre, "18"),
    (ReporterCategory::Immigration, "19"),
    (ReporterCategory::YouthClub, "20"),
    (ReporterCategory::VoluntaryOrganisation, "21"),
    (ReporterCategory::OtherPublic, "22"),
    (ReporterCategory::Anonymous, "23"),
];

/// barnvern's Swedish reporter list (code system [`SE_SYSTEM`]): Sweden has no national coded
/// list of reporters, so this list is ours; codes, Swedish labels and the concept each maps to.
pub const SE_REPORTERS: &[(&str, &str, ReporterCategory)] = &[
    ("barnet", "Barnet självt", ReporterCategory::Child),
    (
        "forelder",
        "Förälder/vårdnadshavare",
        ReporterCategory::Parent,
    ),
    ("anhorig", "Annan anhörig", ReporterCategory::OtherFamily),
    (
        "privatperson",
        "Privatperson",
        ReporterCategory::OtherPrivate,
    ),
    ("anonym", "Anonym", ReporterCategory::Anonymous),
    (
        "socialtjansten",
        "Socialtjänsten",
        ReporterCategory::ChildWelfare,
    ),
    (
        "socialjouren",
        "Socialjouren",
        ReporterCategory::ChildWelfareEmergency,
    ),
    (
        "forsakringskassan",
        "Försäkringskassan",
        ReporterCategory::WelfareAgency,
    ),
    ("polis", "Polisen", ReporterCategory::Police),
    ("forskola", "Förskola", ReporterCategory::Kindergarten),
    ("skola", "Skola", ReporterCategory::School),
    ("elevhalsa", "Elevhälsa", ReporterCategory::HealthClinic),
    (
        "bvc",
        "Barnavårdscentral (BVC)",
        ReporterCategory::HealthClinic,
    ),
    (
        "halso_sjukvard",
        "Hälso- och sjukvård",
        ReporterCategory::DoctorHospital,
    ),
    ("tandvard", "Tandvård", ReporterCategory::Dentist),
    (
        "bup",
        "Barn- och ungdomspsykiatri (BUP)",
        ReporterCategory::ChildMentalHealth,
    ),
    (
        "vuxenpsykiatri",
        "Vuxenpsykiatri",
        ReporterCategory::AdultMentalHealth,
    ),
    (
        "beroendevard",
        "Beroendevård",
        ReporterCategory::SubstanceServices,
    ),
    (
        "kvinnojour",
        "Kvinno- eller tjejjour",
        ReporterCategory::CrisisCentre,
    ),
    (
        "familjeradgivning",
        "Familjerådgivning",
        ReporterCategory::FamilyCounselling,
    ),
    (
        "migrationsverket",
        "Migrationsverket",
        ReporterCategory::Immigration,
    ),
    (
        "fritid",
        "Fritidsgård/fältverksamhet",
        ReporterCategory::YouthClub,
    ),
    (
        "ideell_organisation",
        "Ideell organisation",
        ReporterCategory::VoluntaryOrganisation,
    ),
    (
        "annan_myndighet",
        "Annan myndighet",
        ReporterCategory::OtherPublic,
    ),
];

/// Code system of SSB's reporter list.
pub const SSB_SYSTEM: &str = "no.ssb.barnevern.melder";
/// Code system of barnvern's Swedish reporter list.
pub const SE_SYSTEM: &str = "barnvern.se.anmalare";

impl ReporterCategory {
    /// SSB's `Melder` code (doctor/hospital is 24, the code in force since 2025).
    pub fn ssb_code(self) -> &'static str {
        SSB.iter()
            .find(|(c, _)| *c == self)
            .map_or("22", |(_, code)| code)
    }

    /// The concept of SSB's `Melder` code; the legacy code 15 (doctor, hospital or dentist,
    /// until 2024) maps to [`ReporterCategory::DoctorHospital`] (keep the source code).
    pub fn from_ssb_code(code: &str) -> Option<ReporterCategory> {
        if code == "15" {
            return Some(ReporterCategory::DoctorHospital);
        }
        SSB.iter().find(|(_, c)| *c == code).map(|(cat, _)| *cat)
    }

    /// The concept of a code of barnvern's Swedish list ([`SE_REPORTERS`]).
    pub fn from_se_code(code: &str) -> Option<ReporterCategory> {
        SE_REPORTERS
            .iter()
            .find(|(c, _, _)| *c == code)
            .map(|(_, _, cat)| *cat)
    }

    /// Whether the category needs free text saying which agency (SSB: "krever presisering").
    pub fn requires_text(self) -> bool {
        self == ReporterCategory::OtherPublic
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ssb_code_in_the_code_list_maps_and_back() {
        let list = barnvern_core::codelist::builtin(SSB_SYSTEM).expect("melder list");
        for entry in &list.entries {
            let cat = ReporterCategory::from_ssb_code(&entry.code)
                .unwrap_or_else(|| panic!("SSB melder {} unmapped", entry.code));
            if entry.code != "15" {
                assert_eq!(cat.ssb_code(), entry.code);
            }
        }
    }

    #[test]
    fn swedish_codes_are_unique_and_map() {
        for (code, _, cat) in SE_REPORTERS {
            assert_eq!(SE_REPORTERS.iter().filter(|(c, _, _)| c == code).count(), 1);
            assert_eq!(ReporterCategory::from_se_code(code), Some(*cat));
        }
    }
}
