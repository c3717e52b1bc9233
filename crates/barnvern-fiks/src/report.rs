//! A parsed report and what it maps to in the case domain.

use barnvern_case::person::Child;
use barnvern_case::referral::Referral;
use barnvern_case::reporter::ReporterCategory;
use barnvern_case::{CaseEvent, CaseHeader};
use barnvern_core::codelist::Coded;
use barnvern_core::identifier::LocalId;
use barnvern_core::ids::{CaseId, ReferralId};
use barnvern_core::provenance::{Recorder, SourceSystem, StaffRole};
use barnvern_core::{
    Finding, Jurisdiction, MunicipalityCode, PersonId, PersonIdentity, Provenance, StaffRef,
    Unregistered,
};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use crate::body::{Adresse, Body};
use crate::message_type::MessageType;

/// The source system and the staff reference of the events this crate makes: the intake of the
/// national portal, recorded by the system itself ([`StaffRole::System`]).
pub const INTAKE_SYSTEM: &str = "fiks-bekymringsmelding";

/// A report of concern (NO bekymringsmelding) received through Fiks, checked against the
/// published schema and resolved: the municipality in force on the sending date, the sending
/// time as an instant, each child's identity. Built only by [`crate::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub(crate) message_type: MessageType,
    pub(crate) body: Body,
    pub(crate) municipality: MunicipalityCode,
    pub(crate) sent_at: DateTime<FixedOffset>,
    pub(crate) children: Vec<ReportedChild>,
    pub(crate) findings: Vec<Finding>,
    pub(crate) reporter: Coded<ReporterCategory>,
    pub(crate) provenance: Provenance,
}

/// One child a report is about. A report may name several (siblings); each becomes a referral
/// in that child's case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedChild {
    pub(crate) index: usize,
    pub(crate) person_id: Option<PersonId>,
    pub(crate) unborn: bool,
    /// Used only if a case id could not serve as the local id (it always can: both follow the
    /// same identifier rule).
    pub(crate) fallback_local_id: LocalId,
}

impl ReportedChild {
    /// The child's identity number (fødselsnummer, D-number), for the store's keyed lookup of an
    /// open case. `None` for an unborn child (`ufoedt`), for a child the public reporter sent
    /// with an empty `fnr`, and for every child of a private report (the private form has no
    /// identity number): such a child always gets a new case, identified by name and address in
    /// the referral's free text.
    pub fn person_id(&self) -> Option<&PersonId> {
        self.person_id.as_ref()
    }

    /// Whether the child is unborn (`ufoedt`; always false in a private report, which does not
    /// ask).
    pub fn unborn(&self) -> bool {
        self.unborn
    }

    /// The child's position in the message (`offentligBarn[i]` or `privatBarn[i]`), from 0.
    pub fn index(&self) -> usize {
        self.index
    }
}

impl Report {
    /// The message type it came as.
    pub fn message_type(&self) -> MessageType {
        self.message_type
    }

    /// The body, field by field, as sent (and as [`Report::to_json`] writes it back).
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// The municipality the report is for (NO kommunenummer), in force on the sending date:
    /// the number sent, or its successor where the number sent had been replaced (see
    /// [`crate::parse`]; a finding `fiks.municipality_renumbered` says so).
    pub fn municipality(&self) -> &MunicipalityCode {
        &self.municipality
    }

    /// The city district number (bydelsnummer) as sent, or `None` for `"00"` (no district).
    pub fn district(&self) -> Option<&str> {
        Some(self.body.bydelsnummer()).filter(|d| *d != "00")
    }

    /// When the report was sent (`sendingstidspunkt`), with the offset of Europe/Oslo at that
    /// instant (see the module `time` in the crate documentation for daylight-saving switches).
    /// It is the referral's receipt time: the portal delivers at once.
    pub fn sent_at(&self) -> DateTime<FixedOffset> {
        self.sent_at
    }

    /// The local date of receipt in Norway, which starts the statutory deadlines (the 7-day
    /// review, BVL 2021 § 2-1) and is a new case's opening date.
    pub fn received_on(&self) -> NaiveDate {
        self.sent_at.date_naive()
    }

    /// The children the report is about, in message order (at least one).
    pub fn children(&self) -> &[ReportedChild] {
        &self.children
    }

    /// Warnings about a report that was accepted: `fiks.municipality_renumbered`,
    /// `fiks.municipality_name_mismatch`, `fiks.sent_at_ambiguous`, `fiks.sent_at_nonexistent`.
    /// Never personal data.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Who reported, as the case domain codes it: the canonical SSB category (from the public
    /// reporter's organisation and role, or "other private person", SSB 4, for a private
    /// report), the source code `no.ks.fiks.bekymringsmelding.melder` `offentlig`/`privat`, and
    /// for a public reporter the role and organisation as free text.
    pub fn reporter(&self) -> &Coded<ReporterCategory> {
        &self.reporter
    }

    /// What a new case for `child` starts with: `case_id` chosen by the caller, the
    /// municipality, opened on [`Report::received_on`], the child identified by number, or
    /// unregistered with `case_id` as its local id (a case belongs to one child). Add
    /// [`Report::referral_event`] to it: `Case::new(header)` then `case.apply(event)`.
    pub fn case_header(&self, child: &ReportedChild, case_id: CaseId) -> CaseHeader {
        let identity = match &child.person_id {
            Some(id) => PersonIdentity::NationalId(id.clone()),
            None => PersonIdentity::Unregistered(Unregistered {
                local_id: LocalId::new(case_id.as_str())
                    .unwrap_or_else(|_| child.fallback_local_id.clone()),
                expected_birth_date: None,
            }),
        };
        CaseHeader {
            case_id,
            jurisdiction: Jurisdiction::No,
            municipality: self.municipality.clone(),
            opened_on: self.received_on(),
            child: Child {
                identity,
                sex: None,
            },
        }
    }

    /// The referral (report of concern) for `child`, `referral_id` chosen by the caller:
    /// received at [`Report::sent_at`], the [`Report::reporter`], the free text
    /// ([`Report::free_text`]), and provenance: recorded by the system
    /// [`INTAKE_SYSTEM`] at the sending time (a service that stores it later may set
    /// `provenance.recorded_at` to its own time; it must not be before `received_at`).
    pub fn referral(&self, child: &ReportedChild, referral_id: ReferralId) -> Referral {
        Referral {
            id: referral_id,
            received_at: self.sent_at,
            reporter: self.reporter.clone(),
            reasons: Vec::new(),
            violence: Vec::new(),
            free_text: Some(self.free_text(child)),
            provenance: self.provenance.clone(),
        }
    }

    /// The event that adds the referral for `child` to a case, new or already open
    /// (`CaseEvent::ReferralReceived`); see [`Report::referral`].
    pub fn referral_event(&self, child: &ReportedChild, referral_id: ReferralId) -> CaseEvent {
        CaseEvent::ReferralReceived {
            referral: self.referral(child, referral_id),
        }
    }

    /// The report as text for the caseworker, kept as the referral's free text (never exported
    /// to research extracts): the concern and its background, the child (name, address, phone,
    /// whether told; never the identity number, which the case holds), the guardians, the
    /// reporter and how to reach them, interpreter needs and other agencies, with Norwegian
    /// labels as on the portal's form.
    pub fn free_text(&self, child: &ReportedChild) -> String {
        let mut out = Vec::new();
        let mut line = |label: &str, text: &str| {
            if !text.trim().is_empty() {
                out.push(format!("{label}: {text}"));
            }
        };
        let yes_no = |b: bool| if b { "ja" } else { "nei" };
        let count = match &self.body {
            Body::Offentlig(b) => b.offentlig_barn.len(),
            Body::Privat(b) => b.privat_barn.len(),
        };
        line(
            "Bekymringsmelding",
            &format!(
                "{} ({}), sendt {} via {}",
                if self.message_type.is_public() {
                    "fra offentlig melder"
                } else {
                    "fra privatperson"
                },
                self.message_type.as_str(),
                self.body.sendingstidspunkt(),
                match &self.body {
                    Body::Offentlig(b) => &b.leveringskanal,
                    Body::Privat(b) => &b.leveringskanal,
                }
            ),
        );
        match &self.body {
            Body::Offentlig(b) => {
                line("Melding", &b.melding.melding);
                line("Historie", &b.melding.historie);
                line(
                    "Andre synspunkter",
                    b.melding.andre_synspunkter.as_deref().unwrap_or(""),
                );
                if let Some(c) = b.offentlig_barn.get(child.index) {
                    let mut about = vec![c.personnavn.clone(), address(&c.adresse)];
                    if c.ufoedt {
                        about.push("ufødt".to_owned());
                    }
                    if let Some(phone) = c.telefonnummer.as_deref().filter(|t| !t.is_empty()) {
                        about.push(format!("telefon {phone}"));
                    }
                    about.push(format!("orientert: {}", yes_no(c.orientert)));
                    if let Some(why) = c.orientert_grunn.as_deref().filter(|t| !t.is_empty()) {
                        about.push(format!("grunn: {why}"));
                    }
                    line("Barn", &join(about));
                }
                for f in &b.foresatte {
                    let mut about = vec![f.personnavn.clone()];
                    if let Some(phone) = f.telefonnummer.as_deref().filter(|t| !t.is_empty()) {
                        about.push(format!("telefon {phone}"));
                    }
                    about.push(format!("orientert: {}", yes_no(f.orientert)));
                    if let Some(why) = f.orientert_grunn.as_deref().filter(|t| !t.is_empty()) {
                        about.push(format!("grunn: {why}"));
                    }
                    line("Foresatt", &join(about));
                }
                let m = &b.offentlig_melder;
                let mut org = m.virksomhet.navn.clone();
                if let Some(orgnr) = m.virksomhet.orgnr.as_deref().filter(|t| !t.is_empty()) {
                    org.push_str(&format!(" (orgnr {orgnr})"));
                }
                line(
                    "Melder",
                    &join(vec![
                        m.personnavn.clone(),
                        m.rolle.clone(),
                        org,
                        address(&m.virksomhet.adresse),
                        format!("telefon {}", m.telefonnummer),
                        format!("e-post {}", m.epost),
                    ]),
                );
                line("Behov for tolk", b.behov_for_tolk.as_deref().unwrap_or(""));
                line(
                    "Andre hjelpeinstanser",
                    b.andre_hjelpeinstanser.as_deref().unwrap_or(""),
                );
            }
            Body::Privat(b) => {
                line("Melding", &b.melding);
                if let Some(c) = b.privat_barn.get(child.index) {
                    let mut about = vec![c.personnavn.clone(), address(&c.adresse)];
                    if let Some(age) = c.antatt_alder.as_deref().filter(|t| !t.is_empty()) {
                        about.push(format!("antatt alder {age}"));
                    }
                    if let Some(rel) = c.relasjon.as_deref().filter(|t| !t.is_empty()) {
                        about.push(format!("melders relasjon: {rel}"));
                    }
                    line("Barn", &join(about));
                }
                let m = &b.privat_melder;
                let mut about = vec![m.personnavn.clone()];
                if let Some(a) = &m.adresse {
                    about.push(address(a));
                }
                if let Some(phone) = m.telefonnummer.as_deref().filter(|t| !t.is_empty()) {
                    about.push(format!("telefon {phone}"));
                }
                line("Melder", &join(about));
            }
        }
        if count > 1 {
            line(
                "Meldingen gjelder",
                &format!("{count} barn; dette er barn nr. {}", child.index + 1),
            );
        }
        out.join("\n")
    }

    /// The body as JSON, in the schema's form: parsing it again (with the same message type)
    /// gives an equal report. Fields the schema does not name are not kept.
    pub fn to_json(&self) -> String {
        // Serialising plain structs of strings, booleans and lists cannot fail.
        serde_json::to_string(&self.body).unwrap_or_default()
    }
}

fn address(a: &Adresse) -> String {
    let place = [a.postnummer.as_deref(), a.poststed.as_deref()]
        .into_iter()
        .flatten()
        .filter(|t| !t.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    join(
        [
            Some(a.adresselinje1.as_str()),
            a.adresselinje2.as_deref(),
            a.adresselinje3.as_deref(),
            Some(place.as_str()),
        ]
        .into_iter()
        .flatten()
        .map(str::to_owned)
        .collect(),
    )
}

fn join(parts: Vec<String>) -> String {
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The provenance of everything made from a report: the system, at the sending time.
pub(crate) fn provenance(sent_at: DateTime<FixedOffset>) -> Result<Provenance, Finding> {
    Ok(Provenance {
        recorded_at: sent_at.with_timezone(&Utc),
        recorded_by: Recorder {
            role: StaffRole::System,
            staff: StaffRef::new(INTAKE_SYSTEM)?,
        },
        source_system: SourceSystem::new(INTAKE_SYSTEM)?,
    })
}
