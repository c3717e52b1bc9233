//! Who reported: the public reporter's organisation and role mapped onto SSB's reporter list
//! (`Melder`, [`ReporterCategory`]), or "other private person" for a private report.
//!
//! The portal records no reporter code, only free text: the organisation's name
//! (`virksomhet.navn`) and the reporter's role (`rolle`). The mapping is a table of word stems
//! ([`STEMS`]), tried on the organisation's name first (SSB's categories are kinds of agency:
//! school, kindergarten, police) and then on the role (`Lærer` at "Bergen kommune"). Text that
//! matches nothing is "other public agency" (SSB 22), whose required text is the role and the
//! organisation. The stems are data: a missing one is a new row.
//!
//! What the portal did record is kept as the source code: system [`SOURCE_SYSTEM`], code
//! `offentlig` or `privat`. The free text (role, organisation) goes into the coded value's
//! `text`, never into the source code, because source codes are copied into research extracts
//! and free text is not.

use barnvern_case::reporter::ReporterCategory;

/// Code system of the reporter kind as the portal records it: `offentlig` (a public employee)
/// or `privat` (a private person).
pub const SOURCE_SYSTEM: &str = "no.ks.fiks.bekymringsmelding.melder";

/// Word stems (lower case) and the category they indicate, tried in order: more specific stems
/// first (`barnevernvakt` before `barnevern`, `tannlege` before `lege`, `helsesykepleier` and
/// `skolehelse` before `skole`).
pub const STEMS: &[(&str, ReporterCategory)] = &[
    ("barnevernvakt", ReporterCategory::ChildWelfareEmergency),
    ("barnevern", ReporterCategory::ChildWelfare),
    ("tannhelse", ReporterCategory::Dentist),
    ("tannlege", ReporterCategory::Dentist),
    ("tannpleier", ReporterCategory::Dentist),
    ("helsestasjon", ReporterCategory::HealthClinic),
    ("helsesykepleier", ReporterCategory::HealthClinic),
    ("helsesøster", ReporterCategory::HealthClinic),
    ("skolehelse", ReporterCategory::HealthClinic),
    ("bup", ReporterCategory::ChildMentalHealth),
    (
        "barne- og ungdomspsykiatri",
        ReporterCategory::ChildMentalHealth,
    ),
    (
        "barne- og ungdomspsykiatrisk",
        ReporterCategory::ChildMentalHealth,
    ),
    ("dps", ReporterCategory::AdultMentalHealth),
    ("distriktspsykiatrisk", ReporterCategory::AdultMentalHealth),
    ("voksenpsykiatri", ReporterCategory::AdultMentalHealth),
    ("ppt", ReporterCategory::EducationalPsychology),
    (
        "pedagogisk-psykologisk",
        ReporterCategory::EducationalPsychology,
    ),
    ("pp-tjeneste", ReporterCategory::EducationalPsychology),
    ("familievern", ReporterCategory::FamilyCounselling),
    ("krisesenter", ReporterCategory::CrisisCentre),
    // "politisk" (political) is not the police.
    ("politisk", ReporterCategory::OtherPublic),
    ("politi", ReporterCategory::Police),
    ("lensmann", ReporterCategory::Police),
    ("nav", ReporterCategory::WelfareAgency),
    ("asylmottak", ReporterCategory::Immigration),
    ("udi", ReporterCategory::Immigration),
    ("rusomsorg", ReporterCategory::SubstanceServices),
    ("rustjeneste", ReporterCategory::SubstanceServices),
    ("ruspoliklinikk", ReporterCategory::SubstanceServices),
    ("fritidsklubb", ReporterCategory::YouthClub),
    ("ungdomsklubb", ReporterCategory::YouthClub),
    ("utekontakt", ReporterCategory::YouthClub),
    ("idrettslag", ReporterCategory::VoluntaryOrganisation),
    ("barnehage", ReporterCategory::Kindergarten),
    ("skole", ReporterCategory::School),
    ("lærer", ReporterCategory::School),
    ("rektor", ReporterCategory::School),
    ("sykehus", ReporterCategory::DoctorHospital),
    ("legevakt", ReporterCategory::DoctorHospital),
    ("legekontor", ReporterCategory::DoctorHospital),
    ("fastlege", ReporterCategory::DoctorHospital),
    ("lege", ReporterCategory::DoctorHospital),
    ("helseforetak", ReporterCategory::DoctorHospital),
];

/// The category a text indicates: the first stem of [`STEMS`] found in it. Short stems that are
/// abbreviations (`bup`, `dps`, `ppt`, `nav`, `udi`) must stand as a whole word (`NAV Bergenhus`,
/// not `Navnesen`); the others may start a word or sit inside a compound (`Lærerskolen`,
/// `Haukeland universitetssykehus`).
pub fn category_of(text: &str) -> Option<ReporterCategory> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    STEMS.iter().find_map(|(stem, category)| {
        let found = if stem.len() <= 3 {
            words.iter().any(|w| w == stem)
        } else if stem.contains(' ') {
            lower.contains(stem)
        } else {
            words.iter().any(|w| w.contains(stem))
        };
        found.then_some(*category)
    })
}

/// The category of a public reporter: from the organisation's name, else from the role, else
/// other public agency.
pub fn public_reporter(organisation: &str, role: &str) -> ReporterCategory {
    category_of(organisation)
        .or_else(|| category_of(role))
        .unwrap_or(ReporterCategory::OtherPublic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReporterCategory as R;

    #[test]
    fn organisation_first_then_role() {
        assert_eq!(public_reporter("Lærerskolen", "Lærer"), R::School);
        assert_eq!(public_reporter("Bergen kommune", "Lærer"), R::School);
        assert_eq!(public_reporter("Bergen kommune", "Rektor"), R::School);
        assert_eq!(
            public_reporter("Solsikken barnehage", "Pedagogisk leder"),
            R::Kindergarten
        );
        assert_eq!(
            public_reporter("Årstad helsestasjon", "Helsesykepleier"),
            R::HealthClinic
        );
        assert_eq!(
            public_reporter("Bergen kommune", "Skolehelsetjenesten"),
            R::HealthClinic
        );
        assert_eq!(
            public_reporter("Haukeland universitetssykehus", "Sykepleier"),
            R::DoctorHospital
        );
        assert_eq!(
            public_reporter("Tannhelsetjenesten Vestland", "Tannlege"),
            R::Dentist
        );
        assert_eq!(
            public_reporter("Bergen legevakt", "Lege"),
            R::DoctorHospital
        );
        assert_eq!(
            public_reporter("Vest politidistrikt", "Politibetjent"),
            R::Police
        );
        assert_eq!(
            public_reporter("NAV Bergenhus", "Veileder"),
            R::WelfareAgency
        );
        assert_eq!(public_reporter("BUP Øst", "Psykolog"), R::ChildMentalHealth);
        assert_eq!(
            public_reporter("Barnevernvakten i Bergen", "Konsulent"),
            R::ChildWelfareEmergency
        );
        assert_eq!(
            public_reporter("Krisesenteret i Bergen", "Ansatt"),
            R::CrisisCentre
        );
        assert_eq!(
            public_reporter("PPT Bergen", "Rådgiver"),
            R::EducationalPsychology
        );
    }

    #[test]
    fn abbreviations_stand_alone_and_unknown_text_is_other_public() {
        // "Navnesen" holds "nav", "Bupsen" holds "bup": neither is an agency.
        assert_eq!(public_reporter("Navnesen AS", "Bupsen"), R::OtherPublic);
        assert_eq!(
            public_reporter("Statens vegvesen", "Saksbehandler"),
            R::OtherPublic
        );
        assert_eq!(public_reporter("", ""), R::OtherPublic);
        assert_eq!(
            public_reporter("Bergen kommune", "Politisk rådgiver"),
            R::OtherPublic
        );
    }

    #[test]
    fn every_stem_is_lower_case_and_reachable() {
        for (stem, category) in STEMS {
            assert_eq!(stem.to_lowercase(), *stem);
            assert_eq!(category_of(stem), Some(*category), "{stem}");
        }
    }
}
