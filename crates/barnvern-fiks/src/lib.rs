//! Intake of Norway's digital reports of concern (NO bekymringsmelding) from the national portal
//! (Fiks bekymringsmelding, run by KS with Bufdir), delivered over Fiks IO under the protocol
//! `no.ks.fiks.bekymringsmelding.v1`. No I/O and no HTTP: a service reads the message type and
//! body, calls [`parse`], opens a case or adds a referral to an open one, and sends a [`Reply`].
//!
//! ```
//! use barnvern_case::Case;
//! use barnvern_core::ids::{CaseId, ReferralId};
//! use barnvern_fiks::{MessageType, Reply, parse};
//!
//! let body = include_str!("../data/examples/privatBekymringsmeldingV2.json")
//!     .replace("\"1201\"", "\"4601\""); // Bergen's number since 2020
//! let kind: MessageType = "no.ks.fiks.bekymringsmelding.privat.v2".parse().unwrap();
//! let report = parse(kind, body.as_bytes()).unwrap();
//! assert_eq!(report.municipality().as_str(), "4601");
//! assert_eq!(report.sent_at().to_rfc3339(), "2020-03-17T00:31:56+01:00");
//!
//! for (i, child) in report.children().iter().enumerate() {
//!     // A private report has no identity numbers: each child gets a new case.
//!     assert!(child.person_id().is_none());
//!     let header = report.case_header(child, CaseId::new(format!("case-{i}")).unwrap());
//!     let mut case = Case::new(header).unwrap();
//!     case.apply(report.referral_event(child, ReferralId::new("ref-1").unwrap())).unwrap();
//!     assert_eq!(case.referrals.len(), 1);
//! }
//! let reply = Reply::received();
//! assert_eq!(reply.message_type(), "no.ks.fiks.bekymringsmelding.mottatt.v1");
//!
//! // A refusal names the path and the rule, never the value.
//! let err = parse(kind, br#"{"kommunenummer": 4601}"#).unwrap_err();
//! assert_eq!((err.path(), err.code()), ("kommunenummer", "fiks.type"));
//! let reply = Reply::failed(&err);
//! assert_eq!(reply.message_type(), "no.ks.fiks.bekymringsmelding.feilet.v1");
//! ```
//!
//! For a service taking in a message:
//! 1. `message_type.parse::<MessageType>()` and [`parse`]; on an error, reply
//!    [`Reply::failed`] (its text names paths and rules, never values) and store nothing.
//!    [`FiksError::findings`] is the structured list (path, code, severity, message) for logs and
//!    HTTP responses; [`Report::findings`] are warnings about an accepted report.
//! 2. For each of [`Report::children`]: with [`ReportedChild::person_id`], look for the
//!    child's open case and apply [`Report::referral_event`] to it; otherwise (no open case, or
//!    no number: unborn, or any child of a private report) `Case::new(report.case_header(..))`
//!    and apply the event to the new case. Case and referral ids are the service's to choose.
//! 3. Once stored, reply [`Reply::received`].
//!
//! Decisions (each tested):
//! - Validation: the published schemas' rules (in `data/schema/`, copied unchanged) are written
//!   out in [`mod@read`] rather than run by a general JSON Schema validator, so that every
//!   failure has our path, code and a message that never repeats a value; a test checks the
//!   rules against the schema files. Beyond the schema: `fnr` must be empty or a valid
//!   Norwegian identity number (`fiks.fnr`), an unborn child has none (`fiks.fnr_unborn`), no
//!   child appears twice (`fiks.duplicate_child`), a private report names at least one child
//!   (its schema's `minLength` on an array has no effect), and the municipality must exist.
//! - Municipality: `kommunenummer` must name a municipality in force on the sending date (SSB
//!   Klass 131, as `barnvern-core` has it). A number that had been replaced by then (the
//!   published examples send 1201, Bergen until 2019, on dates in 2020) is mapped to the
//!   number the same municipality had that day (4601) with the warning
//!   `fiks.municipality_renumbered`, rather than refused: the portal's routing reached the
//!   right office, and a refusal would only send the report on paper two working days later.
//!   A number with no unique successor, or no municipality at all, is refused
//!   (`fiks.municipality_not_in_force`, `fiks.municipality_unknown`).
//! - Time: `sendingstidspunkt` is Europe/Oslo local time; daylight-saving switches are
//!   resolved, not refused (see [`mod@time`]).
//! - Reporter: SSB's categories from the public reporter's organisation and role, or other
//!   private person for a private report (see [`reporter`]).

pub mod body;
pub mod error;
pub mod message_type;
pub mod read;
pub mod reply;
pub mod report;
pub mod reporter;
pub mod time;

use barnvern_case::reporter::ReporterCategory;
use barnvern_core::codelist::Coded;
use barnvern_core::identifier::LocalId;
use barnvern_core::municipality::{self, MunicipalityCode, MunicipalityVersion};
use barnvern_core::{Finding, Jurisdiction};

pub use body::Body;
pub use error::FiksError;
pub use message_type::{FAILED, MessageType, RECEIVED};
pub use reply::Reply;
pub use report::{Report, ReportedChild};

/// Parses and checks one message body of `message_type`, and resolves it for the case domain.
///
/// Refusals ([`FiksError`]): `fiks.json` (not UTF-8 JSON); the schema's rules, every failure
/// with its JSON path: `fiks.type`, `fiks.required`, `fiks.pattern`, `fiks.format`
/// (`sendingstidspunkt`), `fiks.min_items`, `fiks.max_items`; and the intake's rules:
/// `fiks.fnr`, `fiks.fnr_unborn`, `fiks.duplicate_child`, `fiks.municipality_unknown`,
/// `fiks.municipality_not_in_force`. Fields the schema does not name are ignored, as its lack
/// of `additionalProperties` allows. No message repeats a value from the body.
pub fn parse(message_type: MessageType, bytes: &[u8]) -> Result<Report, FiksError> {
    let value = json(bytes)?;
    let mut reader = read::Reader::default();
    let Some(body) = reader.body(message_type, &value) else {
        return Err(FiksError::Invalid(reader.findings));
    };
    let mut findings = Vec::new();
    let failed_at =
        |reader: &read::Reader, path: &str| reader.findings.iter().any(|i| i.path == path);

    let sent = if failed_at(&reader, "sendingstidspunkt") {
        None
    } else {
        match time::sent_at(body.sendingstidspunkt(), "sendingstidspunkt") {
            Ok((at, warning)) => {
                findings.extend(warning);
                Some(at)
            }
            Err(finding) => {
                reader.findings.push(finding);
                None
            }
        }
    };

    let municipality = match sent {
        Some(at) if !failed_at(&reader, "kommunenummer") => {
            match resolve_municipality(body.kommunenummer(), at.date_naive()) {
                Ok((version, warning)) => {
                    findings.extend(warning);
                    if !failed_at(&reader, "kommunenavn") {
                        findings.extend(name_mismatch(body.kommunenavn(), version));
                    }
                    match MunicipalityCode::new(&version.code) {
                        Ok(code) => Some(code),
                        Err(finding) => {
                            reader.findings.push(finding.under("kommunenummer"));
                            None
                        }
                    }
                }
                Err(finding) => {
                    reader.findings.push(finding);
                    None
                }
            }
        }
        _ => None,
    };

    let children = children(&body, &mut reader);
    if !reader.findings.is_empty() {
        return Err(FiksError::Invalid(reader.findings));
    }
    let (Some(sent_at), Some(municipality)) = (sent, municipality) else {
        // Both are known when nothing failed; refuse rather than panic should that change.
        return Err(FiksError::Invalid(vec![Finding::error(
            "",
            "fiks.invalid",
            "the message could not be resolved",
        )]));
    };
    let internal = |finding: Finding| FiksError::Invalid(vec![finding]);
    Ok(Report {
        message_type,
        reporter: reporter_of(&body).map_err(internal)?,
        provenance: report::provenance(sent_at).map_err(internal)?,
        body,
        municipality,
        sent_at,
        children: children.map_err(internal)?,
        findings,
    })
}

fn json(bytes: &[u8]) -> Result<serde_json::Value, FiksError> {
    let fail = |message: String| FiksError::Json(Finding::error("", "fiks.json", message));
    let text = std::str::from_utf8(bytes).map_err(|e| {
        fail(format!(
            "the body is not valid UTF-8 (from byte {})",
            e.valid_up_to()
        ))
    })?;
    serde_json::from_str(text).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "the body ends before its JSON value does",
            _ => "the body is not valid JSON",
        };
        fail(format!("{what} (line {} column {})", e.line(), e.column()))
    })
}

/// The municipality in force on `on`: the code sent, or the same municipality's number that
/// day, with a warning.
fn resolve_municipality(
    code: &str,
    on: chrono::NaiveDate,
) -> Result<(&'static MunicipalityVersion, Option<Finding>), Finding> {
    let path = "kommunenummer";
    match municipality::lookup(Jurisdiction::No, code, Some(on)) {
        Ok(version) => Ok((version, None)),
        Err(finding) if finding.code == "municipality.not_in_force" => {
            match municipality::successor(Jurisdiction::No, code, on) {
                Some(now) => Ok((
                    now,
                    Some(Finding::warning(
                        path,
                        "fiks.municipality_renumbered",
                        format!(
                            "kommunenummer {code} was not in force on {on} (the sending date); \
                             the report is taken as for {} {}, the same municipality's number \
                             that day",
                            now.code, now.name
                        ),
                    )),
                )),
                None => Err(Finding::error(
                    path,
                    "fiks.municipality_not_in_force",
                    finding.message,
                )),
            }
        }
        Err(finding) => Err(Finding::error(
            path,
            "fiks.municipality_unknown",
            finding.message,
        )),
    }
}

/// A warning when `kommunenavn` is not the name SSB gives the municipality (compared without
/// case, and matching any of SSB's parallel names, `Kárášjohka - Karasjok`, or the name
/// without a county in brackets, `Våler (Innlandet)`): the portal's number and name disagree,
/// which a person should look at. The message does not repeat the name sent.
fn name_mismatch(sent: &str, version: &MunicipalityVersion) -> Option<Finding> {
    let sent = sent.trim().to_lowercase();
    let official = version.name.to_lowercase();
    let matches = official == sent
        || official.split(" - ").any(|part| {
            let part = part.trim();
            part == sent || part.split(" (").next().is_some_and(|p| p == sent)
        });
    (!matches).then(|| {
        Finding::warning(
            "kommunenavn",
            "fiks.municipality_name_mismatch",
            format!(
                "kommunenavn is not the name of kommunenummer {} ({}) on the sending date",
                version.code, version.name
            ),
        )
    })
}

/// The children of a body, with the intake's checks across them.
fn children(body: &Body, reader: &mut read::Reader) -> Result<Vec<ReportedChild>, Finding> {
    let fallback = LocalId::new(report::INTAKE_SYSTEM)?;
    let child = |index, person_id, unborn| ReportedChild {
        index,
        person_id,
        unborn,
        fallback_local_id: fallback.clone(),
    };
    Ok(match body {
        Body::Offentlig(b) => {
            for (j, later) in b.offentlig_barn.iter().enumerate() {
                let Some(id) = &later.fnr else { continue };
                if b.offentlig_barn[..j]
                    .iter()
                    .any(|c| c.fnr.as_ref() == Some(id))
                {
                    reader.fail(
                        &format!("offentligBarn[{j}].fnr"),
                        "fiks.duplicate_child",
                        "the same identity number is given for an earlier child in this message"
                            .to_owned(),
                    );
                }
            }
            b.offentlig_barn
                .iter()
                .enumerate()
                .map(|(i, c)| child(i, c.fnr.clone(), c.ufoedt))
                .collect()
        }
        Body::Privat(b) => (0..b.privat_barn.len())
            .map(|i| child(i, None, false))
            .collect(),
    })
}

/// The reporter as the case domain codes it (see [`reporter`]).
fn reporter_of(body: &Body) -> Result<Coded<ReporterCategory>, Finding> {
    match body {
        Body::Offentlig(b) => {
            let m = &b.offentlig_melder;
            let category = reporter::public_reporter(&m.virksomhet.navn, &m.rolle);
            let text = [m.rolle.trim(), m.virksomhet.navn.trim()]
                .into_iter()
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            // "Other public agency" requires a text; the schema lets both fields be empty.
            let text = if text.is_empty() {
                "offentlig melder (rolle og virksomhet ikke oppgitt)".to_owned()
            } else {
                text
            };
            Ok(Coded::new(category)
                .with_source(reporter::SOURCE_SYSTEM, "offentlig")?
                .with_text(text))
        }
        Body::Privat(_) => Coded::new(ReporterCategory::OtherPrivate)
            .with_source(reporter::SOURCE_SYSTEM, "privat"),
    }
}
