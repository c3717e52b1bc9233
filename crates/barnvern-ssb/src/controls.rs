//! SSB's validation controls (Kravspesifikasjon.md) as a rule set: one row per control in force
//! (those marked UTGÅR are left out), with SSB's id as the finding's code, SSB's severity,
//! validity dates and message, and the test that finds it. They run on SSB's form of a case
//! ([`check_sak`]), so they apply to any bundle, whatever its source ([`check`]).
//!
//! Not here: "Validéring av innhold mot filbeskrivelse" (FATAL: the file against the XSD), which
//! needs an XSD validator; the reader's findings and `xmllint --schema` cover it.

use std::collections::HashMap;

use barnvern_case::CaseData;
use barnvern_core::{Finding, Jurisdiction, PersonId, Severity};
use chrono::{Datelike, Days, Months, NaiveDate};

use crate::error::located;
use crate::import::{ExtractInfo, is_incomplete_fnr, parse_date, parse_datetime};
use crate::tree::Element;

/// SSB's own severity of a control (Alvorlighetsgrad).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsbSeverity {
    /// ERROR: the case is refused until corrected.
    Error,
    /// WARNING: the case is accepted; the value should be checked.
    Warning,
    /// INFO: for information.
    Info,
}

impl SsbSeverity {
    /// barnvern's severity: ERROR is an error, WARNING and INFO warnings (INFO has no closer
    /// counterpart; the control table keeps SSB's own).
    pub fn severity(self) -> Severity {
        match self {
            SsbSeverity::Error => Severity::Error,
            SsbSeverity::Warning | SsbSeverity::Info => Severity::Warning,
        }
    }

    /// SSB's name (`ERROR`, `WARNING`, `INFO`).
    pub fn as_str(self) -> &'static str {
        match self {
            SsbSeverity::Error => "ERROR",
            SsbSeverity::Warning => "WARNING",
            SsbSeverity::Info => "INFO",
        }
    }
}

/// What a control's test reports: the record, and the values its message names.
pub struct Hit<'a> {
    /// The record the finding is about.
    pub at: &'a Element,
    /// Which of the control's messages (most have one).
    pub variant: usize,
    /// Values for the message's `{0}`, `{1}`, ...
    pub args: Vec<String>,
    /// SSB's severity when it depends on the case (Undersøkelse Kontroll 21).
    pub severity: Option<SsbSeverity>,
}

/// One SSB control: its id (the finding's code), severity, validity and message(s).
pub struct Control {
    /// SSB's id, e.g. `Melding Kontroll 3`.
    pub id: &'static str,
    /// SSB's severity.
    pub severity: SsbSeverity,
    /// In force from (Gyldig fra); `None` where the specification gives no date.
    pub valid_from: Option<&'static str>,
    /// In force until; `None` while in force.
    pub valid_to: Option<&'static str>,
    /// SSB's message(s), with `{0}`, `{1}` for the values (Norwegian, as SSB writes them).
    pub messages: &'static [&'static str],
    /// The test.
    pub test: for<'a> fn(&'a View<'a>) -> Vec<Hit<'a>>,
}

impl Control {
    /// Whether the control is in force on `date`.
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        let from = self.valid_from.and_then(parse_date);
        let to = self.valid_to.and_then(parse_date);
        from.is_none_or(|f| f <= date) && to.is_none_or(|t| date <= t)
    }
}

/// A `Sak` with what the controls need besides it.
pub struct View<'a> {
    /// The `Sak` (v4 form).
    pub sak: &'a Element,
    /// The extract.
    pub extract: &'a ExtractInfo,
    /// The extract's date (DatoUttrekk), the day the controls are applied for.
    pub uttrekk: NaiveDate,
    /// The child's birth date, from Personalia or the identity number.
    pub birth: Option<NaiveDate>,
}

impl View<'_> {
    fn start(&self) -> Option<NaiveDate> {
        self.sak.attr("StartDato").and_then(parse_date)
    }
    fn end(&self) -> Option<NaiveDate> {
        self.sak.attr("SluttDato").and_then(parse_date)
    }
    fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Element> + 's {
        self.sak.all(name)
    }
    /// The child's age in whole years on the extract date; `None` when unknown or born after it.
    fn age(&self) -> Option<u32> {
        self.birth
            .and_then(|b| barnvern_core::dates::age_in_years(b, self.uttrekk))
    }
    fn has_relation(
        &self,
        fra: &str,
        fra_id: Option<&str>,
        til: &str,
        til_id: Option<&str>,
    ) -> bool {
        self.sak.all("Relasjon").any(|r| {
            r.attr("FraType") == Some(fra)
                && r.attr("TilType") == Some(til)
                && (fra_id.is_none() || r.attr("FraId") == fra_id)
                && (til_id.is_none() || r.attr("TilId") == til_id)
        })
    }
}

fn d(el: &Element, attr: &str) -> Option<NaiveDate> {
    el.attr(attr).and_then(parse_date)
}

fn end_of(el: &Element) -> Option<NaiveDate> {
    el.child("Konklusjon").and_then(|k| d(k, "SluttDato"))
}

fn hit(at: &Element, args: Vec<String>) -> Hit<'_> {
    Hit {
        at,
        variant: 0,
        args,
        severity: None,
    }
}

fn s(date: NaiveDate) -> String {
    date.to_string()
}

/// A record's content without ids, for the duplicate controls (Kontroll 19).
fn content(el: &Element) -> String {
    let mut attrs: Vec<_> = el.attrs.iter().filter(|(k, _)| k != "Id").collect();
    attrs.sort();
    let children: Vec<String> = el.children.iter().map(content).collect();
    format!("{}{:?}{:?}{:?}", el.name, attrs, el.text, children)
}

fn duplicates<'a>(v: &'a View<'a>, name: &'a str, concluded_only: bool) -> Vec<Hit<'a>> {
    let mut seen: HashMap<String, &Element> = HashMap::new();
    let mut out = Vec::new();
    for e in v.all(name) {
        if concluded_only && e.child("Konklusjon").is_none() {
            continue;
        }
        match seen.get(&content(e)) {
            Some(first) if first.id() != e.id() => {
                out.push(hit(e, vec![first.id().unwrap_or_default().to_owned()]));
            }
            Some(_) => {}
            None => {
                seen.insert(content(e), e);
            }
        }
    }
    out
}

/// Start after end (Kontroll 2a) for every record named `name`.
fn start_after_end<'a>(v: &'a View<'a>, name: &'a str, start_attr: &'a str) -> Vec<Hit<'a>> {
    v.all(name)
        .filter_map(|e| {
            let (a, b) = (d(e, start_attr)?, end_of(e)?);
            (a > b).then(|| hit(e, vec![s(a), s(b)]))
        })
        .collect()
}

/// End after the case's end (Kontroll 2c).
fn end_after_sak_end<'a>(v: &'a View<'a>, name: &'a str) -> Vec<Hit<'a>> {
    let Some(sak_end) = v.end() else {
        return Vec::new();
    };
    v.all(name)
        .filter_map(|e| {
            let b = end_of(e)?;
            (b > sak_end).then(|| hit(e, vec![s(b), s(sak_end)]))
        })
        .collect()
}

/// Start before the case's start (Kontroll 2e).
fn start_before_sak_start<'a>(v: &'a View<'a>, name: &'a str, attr: &'a str) -> Vec<Hit<'a>> {
    let Some(sak_start) = v.start() else {
        return Vec::new();
    };
    v.all(name)
        .filter_map(|e| {
            let a = d(e, attr)?;
            (a < sak_start).then(|| hit(e, vec![s(a), s(sak_start)]))
        })
        .collect()
}

fn lacks_presisering<'a>(
    v: &'a View<'a>,
    parent: &'a str,
    child: &'a str,
    codes: &'a [&'a str],
) -> Vec<Hit<'a>> {
    let mut out = Vec::new();
    for p in v.all(parent) {
        for c in p.all(child) {
            let code = c.attr("Kode").unwrap_or_default();
            if codes.contains(&code) && c.attr("Presisering").is_none_or(|t| t.trim().is_empty()) {
                out.push(hit(p, vec![code.to_owned()]));
            }
        }
    }
    out
}

const PLACEMENT: &[&str] = &[
    "1.1", "1.2", "1.99", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.99", "8.2",
];

/// A measure placing the child outside the home (plasseringstiltak).
pub fn is_placement(t: &Element) -> bool {
    t.child("Kategori")
        .and_then(|k| k.attr("Kode"))
        .is_some_and(|k| PLACEMENT.contains(&k))
}

/// A care order measure (omsorgstiltak / omsorgsovertakelse), by its legal basis.
pub fn is_care_order(t: &Element) -> bool {
    let Some(l) = t.child("Lovhjemmel") else {
        return false;
    };
    let (lov, kap, par) = (
        l.child_text("Lov").unwrap_or_default(),
        l.child_text("Kapittel").unwrap_or_default(),
        l.child_text("Paragraf").unwrap_or_default(),
    );
    let ledd: Vec<&str> = l.all("Ledd").filter_map(|x| x.text.as_deref()).collect();
    match (lov, kap, par) {
        ("BVL", "4", "12") | ("BVL2021", "5", "1") => true,
        ("BVL", "4", "8") => {
            ledd.iter().any(|x| *x == "2" || *x == "3")
                || t.all("JmfrLovhjemmel").any(|j| {
                    j.child_text("Kapittel") == Some("4") && j.child_text("Paragraf") == Some("12")
                })
        }
        _ => false,
    }
}

fn open_sub_elements(v: &View<'_>) -> bool {
    v.sak.children.iter().any(|c| match c.name.as_str() {
        "Melding" | "Undersokelse" | "Plan" | "Tiltak" | "Ettervern" => end_of(c).is_none(),
        _ => false,
    })
}

fn law_by_date<'a>(v: &'a View<'a>, name: &'a str) -> Vec<Hit<'a>> {
    let cutoff = NaiveDate::from_ymd_opt(2023, 1, 1);
    let mut out = Vec::new();
    for e in v.all(name) {
        let (Some(start), Some(cutoff)) = (d(e, "StartDato"), cutoff) else {
            continue;
        };
        let lov = e.child("Lovhjemmel").and_then(|l| l.child_text("Lov"));
        if start < cutoff && lov == Some("BVL2021") {
            out.push(hit(e, vec![]));
        } else if start >= cutoff && lov == Some("BVL") {
            out.push(Hit {
                variant: 1,
                ..hit(e, vec![])
            });
        }
    }
    out
}

const OSLO_BERGEN_TRONDHEIM: &[&str] = &["958935420", "964338531", "942110464"];

/// Every control in force, as data.
pub fn controls() -> &'static [Control] {
    CONTROLS
}

static CONTROLS: &[Control] = &[
    Control {
        id: "Avgiver Kontroll 1",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Bydelsnummer og/eller Bydelsnavn skal være utfylt"],
        test: |v| {
            let Some(a) = v.extract.avgiver.as_ref() else {
                return Vec::new();
            };
            let big = a
                .attr("Organisasjonsnummer")
                .is_some_and(|o| OSLO_BERGEN_TRONDHEIM.contains(&o));
            if big && (a.attr("Bydelsnummer").is_none() || a.attr("Bydelsnavn").is_none()) {
                vec![hit(a, vec![])]
            } else {
                Vec::new()
            }
        },
    },
    Control {
        id: "Sak Kontroll 1",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["{0}: Dato ({1}) må være mellom 01.01.{2} og 31.12.{3}"],
        test: |v| {
            let (min, max) = (v.uttrekk.year() - 26, v.uttrekk.year() + 26);
            let mut out = Vec::new();
            fn walk<'a>(e: &'a Element, min: i32, max: i32, out: &mut Vec<Hit<'a>>) {
                for (k, val) in &e.attrs {
                    if matches!(
                        k.as_str(),
                        "StartDato"
                            | "SluttDato"
                            | "EndretDato"
                            | "UtfortDato"
                            | "TilbudSendtDato"
                            | "Fodseldato"
                    ) && let Some(date) = parse_date(val)
                        && (date.year() < min || date.year() > max)
                    {
                        out.push(hit(
                            e,
                            vec![
                                format!("{}/{k}", e.name),
                                s(date),
                                min.to_string(),
                                max.to_string(),
                            ],
                        ));
                    }
                }
                for c in &e.children {
                    walk(c, min, max, out);
                }
            }
            walk(v.sak, min, max, &mut out);
            out
        },
    },
    Control {
        id: "Sak Kontroll 2a",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Sakens startdato {0} er etter sluttdato {1}"],
        test: |v| match (v.start(), v.end()) {
            (Some(a), Some(b)) if a > b => vec![hit(v.sak, vec![s(a), s(b)])],
            _ => Vec::new(),
        },
    },
    Control {
        id: "Sak Kontroll 7",
        severity: SsbSeverity::Warning,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Klienten er over 25 år og skal avsluttes som klient. Alder: {0} år."],
        test: |v| match v.age() {
            Some(age) if age >= 25 && (v.end().is_none() || open_sub_elements(v)) => {
                vec![hit(v.sak, vec![age.to_string()])]
            }
            _ => Vec::new(),
        },
    },
    Control {
        id: "Sak Kontroll 8",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Klienten er over 18 år og skal dermed ha tiltak. Alder: {0} år."],
        test: |v| match v.age() {
            Some(age)
                if age >= 18
                    && v.all("Tiltak").next().is_none()
                    && (v.end().is_none() || open_sub_elements(v)) =>
            {
                vec![hit(v.sak, vec![age.to_string()])]
            }
            _ => Vec::new(),
        },
    },
    Control {
        id: "Sak Kontroll 21",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &[
            "Klienten har ingen meldinger, undersøkelser, vedtak, tiltak, planer, ettervern eller oversendelse fylkesnemnd. Saken bør avsluttes.",
        ],
        test: |v| {
            let any = v.sak.children.iter().any(|c| {
                matches!(
                    c.name.as_str(),
                    "Melding"
                        | "Undersokelse"
                        | "Vedtak"
                        | "Tiltak"
                        | "Plan"
                        | "Ettervern"
                        | "OversendelseFylkesnemnd"
                )
            });
            if v.end().is_none() && !any {
                vec![hit(v.sak, vec![])]
            } else {
                Vec::new()
            }
        },
    },
    Control {
        id: "Sak Kontroll 22",
        severity: SsbSeverity::Warning,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["SlettetType peker til et ikke-eksisterende element"],
        test: |v| {
            v.all("Slettet")
                .filter(|t| {
                    !v.sak
                        .children
                        .iter()
                        .any(|c| Some(c.name.as_str()) == t.attr("Type") && c.id() == t.attr("Id"))
                })
                .map(|t| hit(t, vec![]))
                .collect()
        },
    },
    Control {
        id: "Sak Kontroll 23",
        severity: SsbSeverity::Info,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Underelement i lukket sak mangler sluttdato"],
        test: |v| {
            if v.end().is_some() && open_sub_elements(v) {
                vec![hit(v.sak, vec![])]
            } else {
                Vec::new()
            }
        },
    },
    Control {
        id: "Personalia Kontroll 2f",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Personalia sin startdato {0} er etter sakens sluttdato {1}"],
        test: |v| {
            let Some(end) = v.end() else {
                return Vec::new();
            };
            v.all("Personalia")
                .filter_map(|p| {
                    let a = d(p, "StartDato")?;
                    (a > end).then(|| hit(p, vec![s(a), s(end)]))
                })
                .collect()
        },
    },
    Control {
        id: "Personalia Kontroll 11",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Klienten mangler personaliainformasjon"],
        test: |v| {
            if v.all("Personalia").next().is_none() {
                vec![hit(v.sak, vec![])]
            } else {
                Vec::new()
            }
        },
    },
    Control {
        id: "Personalia Kontroll 12",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Ugyldig Fødselsnummer"],
        test: |v| {
            v.all("Personalia")
                .filter(|p| {
                    p.attr("Fodselsnummer").is_some_and(|f| {
                        PersonId::parse(f, Some(Jurisdiction::No), None).is_err()
                            && !(is_incomplete_fnr(f) && ddmmyy(f).is_some())
                    })
                })
                .map(|p| hit(p, vec![]))
                .collect()
        },
    },
    Control {
        id: "Personalia Kontroll 13",
        severity: SsbSeverity::Warning,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Fødselsnummer og Fødselsdato viser til forskjellige datoer"],
        test: |v| {
            v.all("Personalia")
                .filter(|p| {
                    let (Some(f), Some(born)) = (p.attr("Fodselsnummer"), d(p, "Fodseldato"))
                    else {
                        return false;
                    };
                    let from_number = PersonId::parse(f, Some(Jurisdiction::No), None)
                        .ok()
                        .and_then(|pid| pid.birth_date())
                        .or_else(|| ddmmyy(f));
                    from_number.is_some_and(|n| {
                        (n.day(), n.month(), n.year() % 100)
                            != (born.day(), born.month(), born.year() % 100)
                    })
                })
                .map(|p| hit(p, vec![]))
                .collect()
        },
    },
    Control {
        id: "Personalia Kontroll 14",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Fødselsnummer og Kjønn viser til forskjellige kjønn"],
        test: |v| {
            v.all("Personalia")
                .filter(|p| {
                    let (Some(f), Some(k)) = (p.attr("Fodselsnummer"), p.attr("Kjonn")) else {
                        return false;
                    };
                    if f.len() != 11 || f.ends_with("99999") {
                        return false;
                    }
                    let Some(digit) = f.as_bytes().get(8).filter(|b| b.is_ascii_digit()) else {
                        return false;
                    };
                    let expected = if (digit - b'0') % 2 == 1 { "1" } else { "2" };
                    k != expected
                })
                .map(|p| hit(p, vec![]))
                .collect()
        },
    },
    Control {
        id: "Personalia Kontroll 15",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Feil i Fødselsnummer for født barn"],
        test: |v| {
            v.all("Personalia")
                .filter(|p| {
                    let born = d(p, "Fodseldato");
                    let start = d(p, "StartDato");
                    p.attr("Fodselsnummer")
                        .is_some_and(|f| f.ends_with("99999"))
                        && matches!((start, born), (Some(a), Some(b)) if a > b)
                })
                .map(|p| hit(p, vec![]))
                .collect()
        },
    },
    Control {
        id: "Personalia Kontroll 16",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &[
            "Personalia sin startdato {0} er mer enn 9 måneder før barnets fødselsdato {1}",
        ],
        test: |v| {
            v.all("Personalia")
                .filter_map(|p| {
                    let (a, b) = (d(p, "StartDato")?, d(p, "Fodseldato")?);
                    (a < b.checked_sub_months(Months::new(9))?).then(|| hit(p, vec![s(a), s(b)]))
                })
                .collect()
        },
    },
    Control {
        id: "Personalia Kontroll 17",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Ugyldig DUF-nummer"],
        test: |v| {
            v.all("Personalia")
                .filter(|p| p.attr("DUFnummer").is_some_and(|n| !valid_duf(n)))
                .map(|p| hit(p, vec![]))
                .collect()
        },
    },
    Control {
        id: "Personalia Kontroll 18",
        severity: SsbSeverity::Info,
        valid_from: None,
        valid_to: None,
        messages: &[
            "Ufullstendig fødselsnummer skal erstattes med fødselsnummer, DUF- eller D-nummer fra folkeregisteret. Gjelder saksnummer: {0}",
            "Om DUF- eller fødselsnummer foreligger i folkeregisteret, skal dette benyttes fremfor D-nummer. Gjelder saksnummer: {0}",
        ],
        test: |v| {
            let j = v.sak.attr("Journalnummer").unwrap_or_default().to_owned();
            let mut out = Vec::new();
            for p in v.all("Personalia") {
                let Some(f) = p.attr("Fodselsnummer") else {
                    continue;
                };
                if is_incomplete_fnr(f) {
                    out.push(hit(p, vec![j.clone()]));
                } else if PersonId::parse(f, Some(Jurisdiction::No), None)
                    .is_ok_and(|pid| pid.kind() == barnvern_core::PersonIdKind::DNumber)
                {
                    out.push(Hit {
                        variant: 1,
                        ..hit(p, vec![j.clone()])
                    });
                }
            }
            out
        },
    },
    Control {
        id: "Melding Kontroll 2a",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Meldingens startdato {0} er etter sluttdato {1}"],
        test: |v| start_after_end(v, "Melding", "StartDato"),
    },
    Control {
        id: "Melding Kontroll 2c",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Meldingens sluttdato {0} er etter Sakens sluttdato {1}"],
        test: |v| end_after_sak_end(v, "Melding"),
    },
    Control {
        id: "Melding Kontroll 2e",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Meldingens startdato {0} er før sakens startdato {1}"],
        test: |v| start_before_sak_start(v, "Melding", "StartDato"),
    },
    Control {
        id: "Melding Kontroll 3",
        severity: SsbSeverity::Warning,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Fristoverskridelse på behandlingstid for melding, ({0} -> {1})"],
        test: |v| {
            v.all("Melding")
                .filter_map(|m| {
                    let (a, b) = (d(m, "StartDato")?, end_of(m)?);
                    (b > a.checked_add_days(Days::new(7))?).then(|| hit(m, vec![s(a), s(b)]))
                })
                .collect()
        },
    },
    Control {
        id: "Melding Kontroll 4",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Konkludert melding mangler melder(e)"],
        test: |v| {
            v.all("Melding")
                .filter(|m| m.child("Konklusjon").is_some() && m.child("Melder").is_none())
                .map(|m| hit(m, vec![]))
                .collect()
        },
    },
    Control {
        id: "Melding Kontroll 5",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Konkludert melding mangler saksinnhold"],
        test: |v| {
            v.all("Melding")
                .filter(|m| m.child("Konklusjon").is_some() && m.child("Saksinnhold").is_none())
                .map(|m| hit(m, vec![]))
                .collect()
        },
    },
    Control {
        id: "Melding Kontroll 19",
        severity: SsbSeverity::Info,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &[
            "Det finnes 2 eller flere meldinger med identisk innhold, men med forskjellige identer",
        ],
        test: |v| duplicates(v, "Melding", true),
    },
    Control {
        id: "Melder Kontroll 2",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Melder med kode ({0}) mangler presisering"],
        test: |v| lacks_presisering(v, "Melding", "Melder", &["22"]),
    },
    Control {
        id: "Saksinnhold Kontroll 2",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Saksinnhold med kode ({0}) mangler presisering"],
        test: |v| lacks_presisering(v, "Melding", "Saksinnhold", &["18", "19"]),
    },
    Control {
        id: "Undersøkelse Kontroll 2a",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Undersøkelsens startdato {0} er etter sluttdato {1}"],
        test: |v| start_after_end(v, "Undersokelse", "StartDato"),
    },
    Control {
        id: "Undersøkelse Kontroll 2c",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Undersøkelsens sluttdato {0} er etter sakens sluttdato {1}"],
        test: |v| end_after_sak_end(v, "Undersokelse"),
    },
    Control {
        id: "Undersøkelse Kontroll 2e",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Undersøkelsens startdato {0} er før sakens startdato {1}"],
        test: |v| start_before_sak_start(v, "Undersokelse", "StartDato"),
    },
    Control {
        id: "Undersøkelse Kontroll 3",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Vedtaksgrunnlag med kode ({0}) mangler presisering"],
        test: |v| lacks_presisering(v, "Undersokelse", "Vedtaksgrunnlag", &["18", "19"]),
    },
    Control {
        id: "Undersøkelse Kontroll 7",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Undersøkelse konkludert med kode {0} mangler vedtaksgrunnlag"],
        test: |v| {
            v.all("Undersokelse")
                .filter_map(|u| {
                    let kode = u.child_attr("Konklusjon", "Kode")?;
                    (matches!(kode, "1" | "2") && u.child("Vedtaksgrunnlag").is_none())
                        .then(|| hit(u, vec![kode.to_owned()]))
                })
                .collect()
        },
    },
    Control {
        id: "Undersøkelse Kontroll 11",
        severity: SsbSeverity::Warning,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &[
            "Undersøkelse skal konkluderes innen 7 + 90 dager etter melding sin startdato",
            "Undersøkelse skal konkluderes innen 7 + 180 dager etter melding sin startdato",
        ],
        test: |v| {
            let mut out = Vec::new();
            for u in v.all("Undersokelse") {
                if end_of(u).is_some() {
                    continue;
                }
                let granted = u.child_attr("UtvidetFrist", "Innvilget") == Some("1");
                let meldinger = v.all("Relasjon").filter(|r| {
                    r.attr("FraType") == Some("Melding")
                        && r.attr("TilType") == Some("Undersokelse")
                        && r.attr("TilId") == u.id()
                });
                let start = meldinger
                    .filter_map(|r| v.all("Melding").find(|m| m.id() == r.attr("FraId")))
                    .filter_map(|m| d(m, "StartDato"))
                    .min();
                let Some(start) = start else {
                    continue;
                };
                let late = |days| {
                    start
                        .checked_add_days(Days::new(days))
                        .is_some_and(|due| v.uttrekk > due)
                };
                if late(7 + 180) {
                    out.push(Hit {
                        variant: 1,
                        ..hit(u, vec![])
                    });
                } else if late(7 + 90) && !granted {
                    out.push(hit(u, vec![]));
                }
            }
            out
        },
    },
    Control {
        id: "Undersøkelse Kontroll 19",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &[
            "Det finnes 2 eller flere Undersøkelser med identisk innhold, men med forskjellige identer",
        ],
        test: |v| duplicates(v, "Undersokelse", false),
    },
    Control {
        id: "Undersøkelse Kontroll 20",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Undersøkelse mangler en relasjon fra melding"],
        test: |v| {
            if v.all("Melding").next().is_none() {
                return Vec::new();
            }
            v.all("Undersokelse")
                .filter(|u| !v.has_relation("Melding", None, "Undersokelse", u.id()))
                .map(|u| hit(u, vec![]))
                .collect()
        },
    },
    Control {
        id: "Undersøkelse Kontroll 21",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Konkludert Undersøkelse mangler en relasjon til vedtak"],
        test: |v| {
            v.all("Undersokelse")
                .filter_map(|u| {
                    let kode = u.child_attr("Konklusjon", "Kode")?;
                    let severity = match kode {
                        "1" => SsbSeverity::Error,
                        "2" => SsbSeverity::Warning,
                        _ => return None,
                    };
                    (!v.has_relation("Undersokelse", u.id(), "Vedtak", None)).then(|| Hit {
                        severity: Some(severity),
                        ..hit(u, vec![])
                    })
                })
                .collect()
        },
    },
    Control {
        id: "Vedtak Kontroll 2a",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Vedtakets startdato {0} er etter sluttdato {1}"],
        test: |v| start_after_end(v, "Vedtak", "StartDato"),
    },
    Control {
        id: "Vedtak Kontroll 2c",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Vedtakets sluttdato {0} er etter Sakens sluttdato {1}"],
        test: |v| end_after_sak_end(v, "Vedtak"),
    },
    Control {
        id: "Vedtak Kontroll 2e",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Vedtakets startdato {0} er før sakens startdato {1}"],
        test: |v| start_before_sak_start(v, "Vedtak", "StartDato"),
    },
    Control {
        id: "Vedtak Kontroll 2f",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Kravets startdato {0} er etter sluttdato {1}"],
        test: |v| {
            let mut out = Vec::new();
            for ve in v.all("Vedtak") {
                for k in ve.all("Krav") {
                    if let (Some(a), Some(b)) = (d(k, "StartDato"), end_of(k))
                        && a > b
                    {
                        out.push(hit(ve, vec![s(a), s(b)]));
                    }
                }
            }
            out
        },
    },
    Control {
        id: "Vedtak Kontroll 2g",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Kravets sluttdato {0} er etter Vedtakets sluttdato {1}"],
        test: |v| {
            let mut out = Vec::new();
            for ve in v.all("Vedtak") {
                let Some(end) = end_of(ve) else { continue };
                for k in ve.all("Krav") {
                    if let Some(b) = end_of(k)
                        && b > end
                    {
                        out.push(hit(ve, vec![s(b), s(end)]));
                    }
                }
            }
            out
        },
    },
    Control {
        id: "Vedtak Kontroll 2h",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Kravets startdato {0} er før vedtakets startdato {1}"],
        test: |v| {
            let mut out = Vec::new();
            for ve in v.all("Vedtak") {
                let Some(start) = d(ve, "StartDato") else {
                    continue;
                };
                for k in ve.all("Krav") {
                    if let Some(a) = d(k, "StartDato")
                        && a < start
                    {
                        out.push(hit(ve, vec![s(a), s(start)]));
                    }
                }
            }
            out
        },
    },
    Control {
        id: "Vedtak Kontroll 2i",
        severity: SsbSeverity::Info,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Status sin endretdato {0} er etter Vedtakets sluttdato {1}"],
        test: |v| {
            let mut out = Vec::new();
            for ve in v.all("Vedtak") {
                let Some(end) = end_of(ve) else { continue };
                for st in ve.all("Status") {
                    if let Some(a) = d(st, "EndretDato")
                        && a > end
                    {
                        out.push(hit(ve, vec![s(a), s(end)]));
                    }
                }
            }
            out
        },
    },
    Control {
        id: "Vedtak Kontroll 2j",
        severity: SsbSeverity::Info,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Status sin endretdato {0} er før vedtakets startdato {1}"],
        test: |v| {
            let mut out = Vec::new();
            for ve in v.all("Vedtak") {
                let Some(start) = d(ve, "StartDato") else {
                    continue;
                };
                for st in ve.all("Status") {
                    if let Some(a) = d(st, "EndretDato")
                        && a < start
                    {
                        out.push(hit(ve, vec![s(a), s(start)]));
                    }
                }
            }
            out
        },
    },
    Control {
        id: "Vedtak Kontroll 3",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &[
            "Vedtak med status 3 = 'Utgår / Bortfalt etter BVL' mangler sluttdato",
            "Vedtak med status 4 = 'Avslått / Avsluttet' mangler sluttdato",
        ],
        test: |v| {
            v.all("Vedtak")
                .filter_map(|ve| {
                    let latest = ve.all("Status").max_by_key(|st| d(st, "EndretDato"))?;
                    let variant = match latest.attr("Kode")? {
                        "3" => 0,
                        "4" => 1,
                        _ => return None,
                    };
                    end_of(ve).is_none().then(|| Hit {
                        variant,
                        ..hit(ve, vec![])
                    })
                })
                .collect()
        },
    },
    Control {
        id: "Vedtak Kontroll 4",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &[
            "Lovhjemlene under vedtak inneholder annen verdi for lov enn BVL, BVL2021 eller BL1981. Lov: {0}.",
        ],
        test: |v| {
            let mut out = Vec::new();
            for ve in v.all("Vedtak") {
                for l in ve.all("Lovhjemmel").chain(ve.all("JmfrLovhjemmel")) {
                    let lov = l.child_text("Lov").unwrap_or_default();
                    if !matches!(lov, "BVL" | "BVL2021" | "BL1981") {
                        out.push(hit(ve, vec![lov.to_owned()]));
                    }
                }
            }
            out
        },
    },
    Control {
        id: "Vedtak Kontroll 5",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &[
            "Lovhjemmel opprettet før 01. januar 2023 krever lov = 'BVL'",
            "Lovhjemmel opprettet på 01. januar 2023 eller senere krever lov = 'BVL2021'",
        ],
        test: |v| law_by_date(v, "Vedtak"),
    },
    Control {
        id: "Vedtak Kontroll 19",
        severity: SsbSeverity::Info,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &[
            "Det finnes 2 eller flere Vedtak med identisk innhold, men med forskjellige identer",
        ],
        test: |v| duplicates(v, "Vedtak", false),
    },
    Control {
        id: "Vedtak Kontroll 20",
        severity: SsbSeverity::Warning,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &[
            "Vedtak med status 2 = 'Begjæring oversendt nemnd' skal ha relasjon til OversendelseFylkesnemnd",
            "OversendelseFylkesnemndVedtak skal finnes for Vedtak med status 2 = 'Begjæring oversendt nemnd'",
        ],
        test: |v| {
            let mut out = Vec::new();
            for ve in v.all("Vedtak") {
                if !ve.all("Status").any(|st| st.attr("Kode") == Some("2")) {
                    continue;
                }
                let related: Vec<&str> = v
                    .all("Relasjon")
                    .filter_map(|r| {
                        if r.attr("FraType") == Some("Vedtak")
                            && r.attr("FraId") == ve.id()
                            && r.attr("TilType") == Some("OversendelseFylkesnemnd")
                        {
                            r.attr("TilId")
                        } else if r.attr("TilType") == Some("Vedtak")
                            && r.attr("TilId") == ve.id()
                            && r.attr("FraType") == Some("OversendelseFylkesnemnd")
                        {
                            r.attr("FraId")
                        } else {
                            None
                        }
                    })
                    .collect();
                if related.is_empty() {
                    out.push(hit(ve, vec![]));
                } else if !related
                    .iter()
                    .any(|id| v.all("OversendelseFylkesnemnd").any(|o| o.id() == Some(id)))
                {
                    out.push(Hit {
                        variant: 1,
                        ..hit(ve, vec![])
                    });
                }
            }
            out
        },
    },
    Control {
        id: "Tiltak Kontroll 2a",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Tiltakets startdato {0} er etter sluttdato {1}"],
        test: |v| start_after_end(v, "Tiltak", "StartDato"),
    },
    Control {
        id: "Tiltak Kontroll 2c",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Tiltakets sluttdato {0} er etter Sakens sluttdato {1}"],
        test: |v| end_after_sak_end(v, "Tiltak"),
    },
    Control {
        id: "Tiltak Kontroll 2e",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Tiltakets startdato {0} er før sakens startdato {1}"],
        test: |v| start_before_sak_start(v, "Tiltak", "StartDato"),
    },
    Control {
        id: "Tiltak Kontroll 5",
        severity: SsbSeverity::Warning,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Barnet er over 7 år og i barnehage. Alder: {0} år."],
        test: |v| category_age(v, "4.1", 7),
    },
    Control {
        id: "Tiltak Kontroll 6",
        severity: SsbSeverity::Warning,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Barnet er over 11 år og i SFO. Alder: {0} år."],
        test: |v| category_age(v, "4.2", 11),
    },
    Control {
        id: "Tiltak Kontroll 7",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Tiltakskategori ({0}) mangler presisering."],
        test: |v| {
            lacks_presisering(
                v,
                "Tiltak",
                "Kategori",
                &[
                    "1.99", "2.99", "3.7", "3.99", "4.99", "5.99", "6.99", "7.99", "8.99",
                ],
            )
        },
    },
    Control {
        id: "Tiltak Kontroll 8",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Opphevelse ({0}) mangler presisering."],
        test: |v| lacks_presisering(v, "Tiltak", "Opphevelse", &["4"]),
    },
    Control {
        id: "Tiltak Kontroll 9",
        severity: SsbSeverity::Warning,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &[
            "Flere plasseringstiltak i samme periode ({0} - {1}). Plasseringstiltak kan ikke overlappe med mer enn 90 dager. Antall dager overlapp: {2} dager. Overlapper med tiltak-id {3}.",
        ],
        test: |v| {
            let placements: Vec<(&Element, NaiveDate, NaiveDate)> = v
                .all("Tiltak")
                .filter(|t| is_placement(t))
                .filter_map(|t| Some((t, d(t, "StartDato")?, end_of(t).unwrap_or(v.uttrekk))))
                .collect();
            let mut out = Vec::new();
            for (i, (a, a0, a1)) in placements.iter().enumerate() {
                for (b, b0, b1) in placements.iter().skip(i + 1) {
                    let (from, to) = ((*a0).max(*b0), (*a1).min(*b1));
                    let days = (to - from).num_days();
                    if days > 90 {
                        out.push(hit(
                            a,
                            vec![
                                s(from),
                                s(to),
                                days.to_string(),
                                b.id().unwrap_or_default().to_owned(),
                            ],
                        ));
                    }
                }
            }
            out
        },
    },
    Control {
        id: "Tiltak Kontroll 12",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Omsorgstiltak med sluttdato krever årsak til opphevelse"],
        test: |v| {
            v.all("Tiltak")
                .filter(|t| {
                    is_care_order(t)
                        && is_placement(t)
                        && end_of(t).is_some()
                        && t.child_attr("Opphevelse", "Kode").is_none()
                })
                .map(|t| hit(t, vec![]))
                .collect()
        },
    },
    Control {
        id: "Tiltak Kontroll 13",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Individet er over 18 år skal dermed ikke ha omsorgstiltak. Alder: {0} år."],
        test: |v| match v.age() {
            Some(age) if age >= 18 => v
                .all("Tiltak")
                .filter(|t| is_care_order(t) && end_of(t).is_none())
                .map(|t| hit(t, vec![age.to_string()]))
                .collect(),
            _ => Vec::new(),
        },
    },
    Control {
        id: "Tiltak Kontroll 14",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &[
            "Ingen Lovhjemmel sin kapittel, paragraf, ledd eller punktum kan være utfylt med 0",
        ],
        test: |v| {
            v.all("Tiltak")
                .filter(|t| {
                    t.all("Lovhjemmel").any(|l| {
                        l.children.iter().any(|c| {
                            matches!(
                                c.name.as_str(),
                                "Kapittel" | "Paragraf" | "Ledd" | "Punktum"
                            ) && c.text.as_deref().map(str::trim) == Some("0")
                        })
                    })
                })
                .map(|t| hit(t, vec![]))
                .collect()
        },
    },
    Control {
        id: "Tiltak Kontroll 19",
        severity: SsbSeverity::Warning,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &[
            "Det finnes 2 eller flere tiltak med identisk innhold, men med forskjellige identer",
        ],
        test: |v| duplicates(v, "Tiltak", false),
    },
    Control {
        id: "Tiltak Kontroll 20",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Tiltak skal ha relasjon fra Vedtak"],
        test: |v| {
            if v.all("Vedtak").next().is_none() {
                return Vec::new();
            }
            v.all("Tiltak")
                .filter(|t| !v.has_relation("Vedtak", None, "Tiltak", t.id()))
                .map(|t| hit(t, vec![]))
                .collect()
        },
    },
    Control {
        id: "Tiltak Kontroll 21",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Tiltak er registrert med annen lovhjemmel enn det som er registrert i vedtak"],
        test: |v| {
            let key = |l: &Element| {
                (
                    l.child_text("Lov").map(str::trim).map(str::to_owned),
                    l.child_text("Kapittel").map(str::trim).map(str::to_owned),
                    l.child_text("Paragraf").map(str::trim).map(str::to_owned),
                )
            };
            let mut out = Vec::new();
            for t in v.all("Tiltak") {
                let Some(tl) = t.child("Lovhjemmel") else {
                    continue;
                };
                for r in v.all("Relasjon").filter(|r| {
                    r.attr("FraType") == Some("Vedtak")
                        && r.attr("TilType") == Some("Tiltak")
                        && r.attr("TilId") == t.id()
                }) {
                    let Some(ve) = v.all("Vedtak").find(|ve| ve.id() == r.attr("FraId")) else {
                        continue;
                    };
                    if let Some(vl) = ve.child("Lovhjemmel")
                        && key(vl) != key(tl)
                    {
                        out.push(hit(t, vec![]));
                        break;
                    }
                }
            }
            out
        },
    },
    Control {
        id: "Tiltak Kontroll 22",
        severity: SsbSeverity::Warning,
        valid_from: Some("2023-01-01"),
        valid_to: None,
        messages: &[
            "Dette er er en advarsel. Kun plasseringstiltak skal ha kode 1.99. Dersom dette ikke er et plasseringstiltak (institusjon) må tiltakskode endres. Er det et administrative vedtak som er gitt kode 1.99 skal tiltaket slettes.",
        ],
        test: |v| category(v, "1.99"),
    },
    Control {
        id: "Tiltak Kontroll 23",
        severity: SsbSeverity::Warning,
        valid_from: Some("2023-01-01"),
        valid_to: None,
        messages: &[
            "Dette er er en advarsel. Kun plasseringstiltak skal ha kode 2.99. Dersom dette ikke er et plasseringstiltak (fosterhjem) må tiltakskode endres. Er det et administrative vedtak som er gitt kode 2.99 skal tiltaket slettes.",
        ],
        test: |v| category(v, "2.99"),
    },
    Control {
        id: "Plan Kontroll 2a",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Planens startdato {0} er etter sluttdato {1}"],
        test: |v| start_after_end(v, "Plan", "StartDato"),
    },
    Control {
        id: "Plan Kontroll 2c",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Planens sluttdato {0} er etter sakens sluttdato {1}"],
        test: |v| end_after_sak_end(v, "Plan"),
    },
    Control {
        id: "Plan Kontroll 2e",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Planens startdato {0} er før sakens startdato {1}"],
        test: |v| start_before_sak_start(v, "Plan", "StartDato"),
    },
    Control {
        id: "Plan Kontroll 2f",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Utført evaluering {0} er etter sakens sluttdato {1}"],
        test: |v| {
            let Some(end) = v.end() else {
                return Vec::new();
            };
            let mut out = Vec::new();
            for p in v.all("Plan").filter(|p| end_of(p).is_some()) {
                for e in p.all("Evaluering") {
                    if let Some(a) = d(e, "UtfortDato")
                        && a > end
                    {
                        out.push(hit(p, vec![s(a), s(end)]));
                    }
                }
            }
            out
        },
    },
    Control {
        id: "Plan Kontroll 2g",
        severity: SsbSeverity::Error,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &["Utført evaluering {0} er før sakens startdato {1}"],
        test: |v| {
            let Some(start) = v.start() else {
                return Vec::new();
            };
            let mut out = Vec::new();
            for p in v.all("Plan") {
                for e in p.all("Evaluering") {
                    if let Some(a) = d(e, "UtfortDato")
                        && a < start
                    {
                        out.push(hit(p, vec![s(a), s(start)]));
                    }
                }
            }
            out
        },
    },
    Control {
        id: "Plan Kontroll 19",
        severity: SsbSeverity::Info,
        valid_from: Some("2013-01-01"),
        valid_to: None,
        messages: &[
            "Det finnes 2 eller flere Planer med identisk innhold, men med forskjellige identer",
        ],
        test: |v| duplicates(v, "Plan", false),
    },
    Control {
        id: "Ettervern Kontroll 2a",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Ettervernets tilbudSendtDato {0} er etter sluttdato {1}"],
        test: |v| start_after_end(v, "Ettervern", "TilbudSendtDato"),
    },
    Control {
        id: "Ettervern Kontroll 2c",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Ettervern sin sluttdato {0} er etter sakens sluttdato {1}"],
        test: |v| end_after_sak_end(v, "Ettervern"),
    },
    Control {
        id: "Ettervern Kontroll 2e",
        severity: SsbSeverity::Error,
        valid_from: None,
        valid_to: None,
        messages: &["Ettervern sin tilbud-sendt-dato {0} er før sakens startdato {1}"],
        test: |v| start_before_sak_start(v, "Ettervern", "TilbudSendtDato"),
    },
    Control {
        id: "Flytting Kontroll 2c",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Flyttingens sluttdato {0} er etter sakens sluttdato {1}"],
        test: |v| {
            let Some(end) = v.end() else {
                return Vec::new();
            };
            v.all("Flytting")
                .filter_map(|f| {
                    let b = d(f, "SluttDato")?;
                    (b > end).then(|| hit(f, vec![s(b), s(end)]))
                })
                .collect()
        },
    },
    Control {
        id: "Flytting Kontroll 2f",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Flyttingens sluttdato {0} er før sakens startdato {1}"],
        test: |v| start_before_sak_start(v, "Flytting", "SluttDato"),
    },
    Control {
        id: "Oversendelse til fylkesnemnd Kontroll 2e",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Oversendelse til fylkesnemndens startdato {0} er før sakens startdato {1}"],
        test: |v| start_before_sak_start(v, "OversendelseFylkesnemnd", "StartDato"),
    },
    Control {
        id: "Oversendelse til fylkesnemnd Kontroll 2f",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &["Oversendelse til fylkesnemndens startdato {0} er etter sakens sluttdato {1}"],
        test: |v| {
            let Some(end) = v.end() else {
                return Vec::new();
            };
            v.all("OversendelseFylkesnemnd")
                .filter_map(|o| {
                    let a = d(o, "StartDato")?;
                    (a > end).then(|| hit(o, vec![s(a), s(end)]))
                })
                .collect()
        },
    },
    Control {
        id: "Oversendelse til fylkesnemnd Kontroll 5",
        severity: SsbSeverity::Error,
        valid_from: Some("2022-01-01"),
        valid_to: None,
        messages: &[
            "Lovhjemmel opprettet før 01. januar 2023 krever lov = 'BVL'",
            "Lovhjemmel opprettet på 01. januar 2023 eller senere krever lov = 'BVL2021'",
        ],
        test: |v| law_by_date(v, "OversendelseFylkesnemnd"),
    },
];

fn category<'a>(v: &'a View<'a>, code: &'a str) -> Vec<Hit<'a>> {
    v.all("Tiltak")
        .filter(|t| t.child_attr("Kategori", "Kode") == Some(code))
        .map(|t| hit(t, vec![]))
        .collect()
}

fn category_age<'a>(v: &'a View<'a>, code: &'a str, limit: u32) -> Vec<Hit<'a>> {
    match v.age() {
        Some(age) if age > limit => v
            .all("Tiltak")
            .filter(|t| t.child_attr("Kategori", "Kode") == Some(code))
            .map(|t| hit(t, vec![age.to_string()]))
            .collect(),
        _ => Vec::new(),
    }
}

/// The date of the first six digits (DDMMYY) of a number, century guessed as the latest
/// not in the future of 2099 (for SSB's incomplete numbers).
fn ddmmyy(f: &str) -> Option<NaiveDate> {
    let dd: u32 = f.get(0..2)?.parse().ok()?;
    let mm: u32 = f.get(2..4)?.parse().ok()?;
    let yy: i32 = f.get(4..6)?.parse().ok()?;
    NaiveDate::from_ymd_opt(2000 + yy, mm, dd)
        .or_else(|| NaiveDate::from_ymd_opt(1900 + yy, mm, dd))
}

/// DUF number (UDI): twelve digits, the first four a year. The check digits are not verified
/// (UDI does not publish the algorithm).
fn valid_duf(n: &str) -> bool {
    n.len() == 12
        && n.bytes().all(|b| b.is_ascii_digit())
        && n.get(0..4)
            .and_then(|y| y.parse::<i32>().ok())
            .is_some_and(|y| (1900..=2100).contains(&y))
}

fn fill(template: &str, args: &[String]) -> String {
    let mut out = template.to_owned();
    for (i, a) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), a);
    }
    out
}

/// The child's birth date: the latest Personalia's Fodseldato, or the identity number's.
fn birth_date(sak: &Element) -> Option<NaiveDate> {
    let p = sak
        .all("Personalia")
        .max_by_key(|p| p.attr("StartDato").and_then(parse_date))?;
    d(p, "Fodseldato").or_else(|| {
        PersonId::parse(p.attr("Fodselsnummer")?, Some(Jurisdiction::No), None)
            .ok()?
            .birth_date()
    })
}

/// Runs every control in force on the extract's date (or `as_of`) on a `Sak` in v4 form.
/// Findings: code = SSB's control id, severity = SSB's (ERROR as error, WARNING and INFO as
/// warning; WARNING instead of ERROR for records with a MigrertId, as SSB does for data
/// migrated from KOSTRA), path = the record (with `file:line:` when `file` is given), message
/// = SSB's. Messages never hold an identity number.
pub fn check_sak(
    sak: &Element,
    extract: &ExtractInfo,
    file: &str,
    as_of: Option<NaiveDate>,
) -> Vec<Finding> {
    let uttrekk = as_of
        .or_else(|| parse_datetime(&extract.dato_uttrekk).map(|d| d.date_naive()))
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let view = View {
        sak,
        extract,
        uttrekk,
        birth: birth_date(sak),
    };
    let migrated_sak = sak.attr("MigrertId").is_some();
    let mut out = Vec::new();
    for c in CONTROLS.iter().filter(|c| c.in_force_on(uttrekk)) {
        for h in (c.test)(&view) {
            let ssb = h.severity.unwrap_or(c.severity);
            let mut severity = ssb.severity();
            if severity == Severity::Error && (migrated_sak || h.at.attr("MigrertId").is_some()) {
                severity = Severity::Warning;
            }
            let template = c
                .messages
                .get(h.variant)
                .or(c.messages.first())
                .copied()
                .unwrap_or_default();
            let path = if h.at.name == "Avgiver" {
                "/Barnevern/Avgiver".to_owned()
            } else if h.at.name == "Sak" {
                match sak.id() {
                    // An id is input: anything in it shaped like an identity number is masked.
                    Some(id) => format!(
                        "/Barnevern/Sak[@Id='{}']",
                        barnvern_core::identifier::mask_identity_numbers(id)
                    ),
                    None => "/Barnevern/Sak".to_owned(),
                }
            } else {
                h.at.locator()
            };
            out.push(Finding::new(
                severity,
                located(file, h.at.line, &path),
                c.id,
                fill(template, &h.args),
            ));
        }
    }
    out
}

/// SSB's controls on any case bundle: the bundle in SSB's form ([`crate::export::to_ssb`]),
/// then [`check_sak`]. `as_of` is the day to judge deadlines and ages on (default: the
/// extract's date for a bundle read from SSB, otherwise the latest record).
pub fn check(case: &CaseData, as_of: Option<NaiveDate>) -> Vec<Finding> {
    let (extract, sak, _) = crate::export::to_ssb(case);
    check_sak(&sak, &extract, "", as_of)
}

/// SSB's controls as early warnings on a Norwegian bundle, for barnvern's own rule set: every
/// finding SSB would give as an ERROR (so SSB would refuse the case), as a warning whose code
/// is SSB's control id, at the bundle record it is about (`investigations[2]`), so a case
/// system sees it when the data is entered rather than at year end. The controls are those of
/// [`check`]; none is re-implemented here. Other jurisdictions: none.
pub fn early_warnings(case: &CaseData) -> Vec<Finding> {
    if case.jurisdiction != Jurisdiction::No {
        return Vec::new();
    }
    let records = record_paths(case);
    check(case, None)
        .into_iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| {
            Finding::warning(
                bundle_path(&i.path, &records),
                i.code,
                format!("SSB would refuse the case: {}", i.message),
            )
        })
        .collect()
}

/// SSB's record kind and id of each bundle record, with its path in the bundle.
fn record_paths(case: &CaseData) -> HashMap<(&'static str, String), String> {
    let c = case.case_id.as_str();
    let mut out = HashMap::new();
    let mut add = |kind: &'static str, id: &str, path: String| {
        out.insert((kind, crate::ids::ssb_id(c, kind, id)), path);
    };
    for (i, r) in case.referrals.iter().enumerate() {
        add("Melding", r.id.as_str(), format!("referrals[{i}]"));
    }
    for (i, r) in case.investigations.iter().enumerate() {
        add(
            "Undersokelse",
            r.id.as_str(),
            format!("investigations[{i}]"),
        );
    }
    for (i, r) in case.decisions.iter().enumerate() {
        add("Vedtak", r.id.as_str(), format!("decisions[{i}]"));
    }
    for (i, r) in case.interventions.iter().enumerate() {
        add("Tiltak", r.id.as_str(), format!("interventions[{i}]"));
    }
    for (i, r) in case.plans.iter().enumerate() {
        add("Plan", r.id.as_str(), format!("plans[{i}]"));
    }
    for (i, r) in case.follow_ups.iter().enumerate() {
        add("Ettervern", r.id.as_str(), format!("follow_ups[{i}]"));
    }
    for (i, r) in case.board_referrals.iter().enumerate() {
        add(
            "OversendelseFylkesnemnd",
            r.id.as_str(),
            format!("board_referrals[{i}]"),
        );
    }
    for (i, r) in case.moves.iter().enumerate() {
        add("Flytting", r.id.as_str(), format!("moves[{i}]"));
    }
    out
}

/// The bundle path of a finding at `/Barnevern/Sak/KIND[@Id='ID']`; the SSB path (prefixed
/// `ssb:`) where the record is not one of the bundle's (the case itself, the child's
/// Personalia, a sub-record).
fn bundle_path(ssb_path: &str, records: &HashMap<(&'static str, String), String>) -> String {
    let Some(at) = ssb_path.find("/Barnevern") else {
        return ssb_path.to_owned();
    };
    let xpath = &ssb_path[at..];
    let found = xpath
        .strip_prefix("/Barnevern/Sak/")
        .and_then(|rest| rest.split_once("[@Id='"))
        .and_then(|(kind, rest)| {
            let id = rest.strip_suffix("']")?;
            records
                .iter()
                .find(|((k, i), _)| *k == kind && i == id)
                .map(|(_, p)| p.clone())
        });
    found.unwrap_or_else(|| format!("ssb:{xpath}"))
}
