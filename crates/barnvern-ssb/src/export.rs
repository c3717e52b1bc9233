//! From a case bundle to SSB XML v4: the bundle's records in SSB's form, patched onto the `Sak`
//! the bundle was read from (so what the canonical model has no place for comes back), in
//! the order `Barnevern_v4.xsd` requires.

use barnvern_case::CaseData;
use barnvern_case::decision::{ClaimOutcome, DecisionStatus};
use barnvern_case::follow_up::AftercareOutcome;
use barnvern_case::investigation::InvestigationConclusion;
use barnvern_case::screening::ScreeningOutcome;
use barnvern_core::{Finding, LegalBasis, PersonIdentity, Sex};
use barnvern_intervention::episode::{EndReason, InterventionBasis};
use barnvern_intervention::kind;
use barnvern_intervention::plan;
use barnvern_intervention::visits::FrequencyFrom;
use chrono::{DateTime, FixedOffset, Utc};

use crate::error::Error;
use crate::ids::{derived_uuid, ssb_id};
use crate::import::{ExtractInfo, NOT_RECORDED, SsbExtension, parse_datetime};
use crate::tree::Element;

/// Schema order of child elements, per parent (Barnevern_v4.xsd).
const ORDER: &[(&str, &[&str])] = &[
    ("Barnevern", &["Fagsystem", "Avgiver", "Sak"]),
    (
        "Sak",
        &[
            "Personalia",
            "Melding",
            "Undersokelse",
            "Plan",
            "Tiltak",
            "Vedtak",
            "Ettervern",
            "OversendelseFylkesnemnd",
            "Flytting",
            "Relasjon",
            "Slettet",
        ],
    ),
    ("Melding", &["Melder", "Saksinnhold", "Konklusjon"]),
    (
        "Undersokelse",
        &[
            "Vedtaksgrunnlag",
            "BarnetsMedvirkning",
            "UtvidetFrist",
            "Konklusjon",
        ],
    ),
    ("BarnetsMedvirkning", &["StartDato", "MedvirkningType"]),
    ("Plan", &["Evaluering", "Konklusjon"]),
    (
        "Tiltak",
        &[
            "Lovhjemmel",
            "JmfrLovhjemmel",
            "Kategori",
            "Tiltaksgrunnlag",
            "Tilsyn",
            "Oppfolging",
            "Opphevelse",
            "Konklusjon",
        ],
    ),
    (
        "Lovhjemmel",
        &["Lov", "Kapittel", "Paragraf", "Ledd", "Bokstav", "Punktum"],
    ),
    (
        "JmfrLovhjemmel",
        &["Lov", "Kapittel", "Paragraf", "Ledd", "Bokstav", "Punktum"],
    ),
    ("Tilsyn", &["Ansvarlig", "Hyppighet", "Utfort"]),
    ("Oppfolging", &["Hyppighet", "Utfort"]),
    (
        "Vedtak",
        &[
            "Lovhjemmel",
            "JmfrLovhjemmel",
            "Krav",
            "Status",
            "Konklusjon",
        ],
    ),
    ("OversendelseFylkesnemnd", &["Lovhjemmel", "JmfrLovhjemmel"]),
    ("Flytting", &["ArsakFra", "FlyttingTil"]),
];

/// Position of child `name` under `parent` in the schema's sequence (unknown names last).
pub fn order(parent: &str, name: &str) -> usize {
    ORDER
        .iter()
        .find(|(p, _)| *p == parent)
        .and_then(|(_, names)| names.iter().position(|n| *n == name))
        .unwrap_or(usize::MAX)
}

fn sort_tree(el: &mut Element) {
    let parent = el.name.clone();
    el.children.sort_by_key(|c| order(&parent, &c.name));
    for c in &mut el.children {
        sort_tree(c);
    }
}

/// A case written as SSB XML, with what could not be written.
#[derive(Debug, Clone)]
pub struct Written {
    /// The XML document (v4).
    pub xml: String,
    /// The `Sak`'s id in the file.
    pub sak_id: String,
    /// Records or values left out, each with the reason (a non-NO legal basis, a code with no
    /// SSB counterpart, ...).
    pub findings: Vec<Finding>,
}

/// Writes one case as an SSB v4 document (SSB's v4 has one `Sak` per file).
pub fn write_case(case: &CaseData) -> Result<Written, Error> {
    let (extract, sak, findings) = to_ssb(case);
    let mut xml = String::with_capacity(4096);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let dato = normalised_datetime(&extract.dato_uttrekk);
    let mut root = Element::new("Barnevern")
        .with("Id", extract.id.clone())
        .with("DatoUttrekk", dato);
    if let Some(f) = &extract.forrige_id {
        root.set("ForrigeId", f.clone());
    }
    root.children
        .push(extract.fagsystem.clone().unwrap_or_else(default_fagsystem));
    match extract.avgiver.clone() {
        Some(a) => root.children.push(a),
        None => root.children.push(default_avgiver(case)),
    }
    let sak_id = sak.id().unwrap_or_default().to_owned();
    root.children.push(sak);
    serialise(&root, 0, &mut xml);
    Ok(Written {
        xml,
        sak_id,
        findings,
    })
}

/// `DatoUttrekk` in the form v4 requires (with a UTC offset).
pub fn normalised_datetime(s: &str) -> String {
    // v4 requires an offset; a value without one is read as +01:00 and written so.
    match DateTime::parse_from_rfc3339(s) {
        Ok(_) => s.to_owned(),
        Err(_) => parse_datetime(s)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%S%:z").to_string())
            .unwrap_or_else(|| s.to_owned()),
    }
}

fn default_fagsystem() -> Element {
    Element::new("Fagsystem")
        .with("Leverandor", "barnvern")
        .with("Navn", "barnvern")
        .with("Versjon", env!("CARGO_PKG_VERSION"))
}

fn default_avgiver(case: &CaseData) -> Element {
    let name = case
        .municipality
        .lookup(case.jurisdiction, Some(case.opened_on))
        .map(|m| m.name.clone())
        .unwrap_or_else(|_| case.municipality.as_str().to_owned());
    Element::new("Avgiver")
        .with("Organisasjonsnummer", "000000000")
        .with("Kommunenummer", case.municipality.as_str())
        .with("Kommunenavn", name)
}

fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

fn serialise(el: &Element, depth: usize, out: &mut String) {
    for _ in 0..depth {
        out.push_str("  ");
    }
    out.push('<');
    out.push_str(&el.name);
    for (k, v) in &el.attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        out.push_str(&escape(v));
        out.push('"');
    }
    if el.children.is_empty() && el.text.is_none() {
        out.push_str("/>\n");
        return;
    }
    out.push('>');
    if let Some(t) = &el.text {
        out.push_str(&escape(t));
    }
    if !el.children.is_empty() {
        out.push('\n');
        for c in &el.children {
            serialise(c, depth + 1, out);
        }
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
    out.push_str("</");
    out.push_str(&el.name);
    out.push_str(">\n");
}

struct Out<'a> {
    case: &'a str,
    findings: Vec<Finding>,
}

impl Out<'_> {
    fn id(&self, kind: &str, id: &str) -> String {
        ssb_id(self.case, kind, id)
    }
    fn left_out(&mut self, path: String, code: &str, msg: String) {
        self.findings.push(Finding::warning(path, code, msg));
    }
}

/// The stored record of `name` with `id`, or a new one.
fn base(stored: Option<&Element>, name: &str, id: &str) -> Element {
    stored
        .and_then(|s| s.all(name).find(|e| e.id() == Some(id)).cloned())
        .unwrap_or_else(|| Element::new(name).with("Id", id))
}

fn ssb_source<'a>(source: Option<&'a barnvern_core::SourceCode>, system: &str) -> Option<&'a str> {
    source
        .filter(|s| s.system() == system || s.system().starts_with(&format!("{system}-")))
        .map(|s| s.code())
}

/// Replaces the children named `name` by `new`, keeping the stored ones beyond.
fn replace_children(el: &mut Element, name: &str, new: Vec<Element>) {
    let old: Vec<Element> = el.all(name).cloned().collect();
    el.children.retain(|c| c.name != name);
    let mut merged = Vec::new();
    for (i, mut n) in new.into_iter().enumerate() {
        // Keep stored attributes the bundle has no place for (Presisering) when the code is
        // the same.
        if let Some(o) = old.get(i)
            && o.attr("Kode") == n.attr("Kode")
        {
            for (k, v) in &o.attrs {
                if n.attr(k).is_none() {
                    n.set(k, v.clone());
                }
            }
            if n.children.is_empty() {
                n.children = o.children.clone();
            }
        }
        merged.push(n);
    }
    el.children.extend(merged);
}

/// The `Lovhjemmel` (or `JmfrLovhjemmel`) of a legal basis, `None` for a law SSB does not
/// report. Kapittel and Paragraf are required by SSB's schema: one the bundle does not hold is
/// written as 0 (which reads back as not given) and a warning at `path` says so, since SSB's
/// controls refuse 0.
fn lovhjemmel(
    out: &mut Out<'_>,
    path: &str,
    name: &str,
    b: &LegalBasis,
    stored: Option<&Element>,
) -> Option<Element> {
    let law = b.law.ssb_code()?;
    let missing: Vec<&str> = [("Kapittel", &b.chapter), ("Paragraf", &b.section)]
        .into_iter()
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| n)
        .collect();
    if !missing.is_empty() {
        out.left_out(
            format!("{path}.legal_basis"),
            "ssb.write.legal_basis_incomplete",
            format!(
                "the legal basis has no {}: written as 0 in the {name}, which SSB's controls refuse",
                missing.join(" or ")
            ),
        );
    }
    let mut el = Element::new(name).with_child(Element::leaf("Lov", law));
    el.children.push(Element::leaf(
        "Kapittel",
        b.chapter.clone().unwrap_or_else(|| "0".to_owned()),
    ));
    el.children.push(Element::leaf(
        "Paragraf",
        b.section.clone().unwrap_or_else(|| "0".to_owned()),
    ));
    // Further Ledd, Bokstav and Punktum the bundle does not hold come from the stored record.
    let stored_ledd: Vec<&Element> = stored.map(|s| s.all("Ledd").collect()).unwrap_or_default();
    if let Some(p) = b.paragraph {
        el.children.push(Element::leaf("Ledd", p.to_string()));
        for l in stored_ledd.iter().skip(1) {
            el.children.push((*l).clone());
        }
    }
    if let Some(l) = &b.letter {
        el.children.push(Element::leaf("Bokstav", l.clone()));
        if let Some(s) = stored {
            el.children.extend(s.all("Bokstav").skip(1).cloned());
        }
    }
    if let Some(s) = stored {
        el.children.extend(s.all("Punktum").cloned());
    }
    Some(el)
}

fn same_basis(stored: &Element, b: &LegalBasis) -> bool {
    crate::import::legal_basis(stored).as_ref() == Some(b)
}

fn set_konklusjon_date(el: &mut Element, date: Option<chrono::NaiveDate>) {
    match date {
        Some(d) => match el.child_mut("Konklusjon") {
            Some(k) => k.set("SluttDato", d.to_string()),
            None => el
                .children
                .push(Element::new("Konklusjon").with("SluttDato", d.to_string())),
        },
        None => el.children.retain(|c| c.name != "Konklusjon"),
    }
}

/// The case in SSB's form: the extract header and the `Sak` (v4), with findings for what
/// could not be written. SSB's controls run on this form.
pub fn to_ssb(case: &CaseData) -> (ExtractInfo, Element, Vec<Finding>) {
    let ext = SsbExtension::of(case);
    let stored = ext.as_ref().map(|e| &e.sak);
    let unmapped: Vec<String> = ext.as_ref().map(|e| e.unmapped.clone()).unwrap_or_default();
    let mut out = Out {
        case: case.case_id.as_str(),
        findings: Vec::new(),
    };
    let sak_id = out.id("Sak", case.case_id.as_str());
    let mut sak = stored
        .map(|s| Element {
            children: Vec::new(),
            ..s.clone()
        })
        .unwrap_or_else(|| Element::new("Sak").with("Id", sak_id.clone()));
    sak.set("Id", sak_id.clone());
    sak.set("StartDato", case.opened_on.to_string());
    if sak.attr("Journalnummer").is_none() {
        let j: String = case.case_id.as_str().chars().take(36).collect();
        sak.set("Journalnummer", j);
    }
    match case.closures.last() {
        Some(c) if c.reopened_on.is_none() => {
            sak.set("SluttDato", c.closed_on.to_string());
        }
        _ => {
            sak.remove("SluttDato");
            sak.remove("Avsluttet");
        }
    }

    // Personalia: the stored history, with the child's number where it was taken out.
    let mut personalia: Vec<Element> = stored
        .map(|s| s.all("Personalia").cloned().collect())
        .unwrap_or_default();
    if let PersonIdentity::NationalId(pid) = &case.child.identity {
        if personalia.is_empty() {
            let kjonn = match case.child.sex.or(pid.sex()) {
                Some(Sex::Male) => "1",
                Some(Sex::Female) => "2",
                None => "0",
            };
            let mut p = Element::new("Personalia")
                .with("Id", derived_uuid(&[&sak_id, "Personalia"]))
                .with("StartDato", case.opened_on.to_string())
                .with("Fodselsnummer", pid.canonical());
            match pid.birth_date() {
                Some(b) => p.set("Fodseldato", b.to_string()),
                None => out.left_out(
                    "child.identity".to_owned(),
                    "ssb.write.fodseldato",
                    "the identity number gives no full birth date; Fodseldato is required"
                        .to_owned(),
                ),
            }
            p.set("Kjonn", kjonn);
            personalia.push(p);
        } else {
            for p in personalia
                .iter_mut()
                .filter(|p| p.attr("Fodselsnummer").is_none())
            {
                p.set("Fodselsnummer", pid.canonical());
            }
        }
    }
    sak.children.extend(personalia);

    // Melding (referral, with its screening as the conclusion).
    for r in &case.referrals {
        let id = out.id("Melding", r.id.as_str());
        let mut m = base(stored, "Melding", &id);
        m.set("StartDato", r.received_on().to_string());
        let code = ssb_source(
            r.reporter.source.as_ref(),
            barnvern_case::reporter::SSB_SYSTEM,
        )
        .unwrap_or(r.reporter.code.ssb_code());
        let mut melder = Element::new("Melder").with("Kode", code);
        if let Some(t) = &r.reporter.text {
            melder.set("Presisering", t.clone());
        }
        let mut melders = vec![melder];
        if let Some(s) = stored.and_then(|s| s.all("Melding").find(|e| e.id() == Some(&id))) {
            melders.extend(s.all("Melder").skip(1).cloned());
        }
        replace_children(&mut m, "Melder", melders);
        let mut innhold = Vec::new();
        for (j, reason) in r.reasons.iter().enumerate() {
            match ssb_source(Some(reason), crate::import::systems::SAKSINNHOLD) {
                Some(c) => innhold.push(Element::new("Saksinnhold").with("Kode", c)),
                None => out.left_out(
                    format!("referrals[{}].reasons[{j}]", r.id),
                    "ssb.write.not_ssb_code",
                    format!(
                        "reason code of system {:?} has no SSB Saksinnhold code; left out",
                        reason.system()
                    ),
                ),
            }
        }
        replace_children(&mut m, "Saksinnhold", innhold);
        match case.screenings.iter().find(|s| s.referral_id == r.id) {
            Some(s) => {
                let code = ssb_source(
                    s.outcome.source.as_ref(),
                    crate::import::systems::MELDING_KONKLUSJON,
                )
                .unwrap_or(match s.outcome.code {
                    ScreeningOutcome::OpenInvestigation => "2",
                    ScreeningOutcome::NoInvestigation => "1",
                    ScreeningOutcome::ClosedActiveMeasures => "3",
                    ScreeningOutcome::JoinedOngoingInvestigation => "4",
                    ScreeningOutcome::Transferred => "7",
                });
                let k = Element::new("Konklusjon")
                    .with("SluttDato", s.decided_on.to_string())
                    .with("Kode", code);
                m.children.retain(|c| c.name != "Konklusjon");
                m.children.push(k);
            }
            None => m.children.retain(|c| c.name != "Konklusjon"),
        }
        sak.children.push(m);
    }

    // Undersokelse.
    for inv in &case.investigations {
        let id = out.id("Undersokelse", inv.id.as_str());
        let mut u = base(stored, "Undersokelse", &id);
        u.set("StartDato", inv.started_on.to_string());
        if let Some(cp) = inv.child_participation.first() {
            let code = ssb_source(cp.source.as_ref(), crate::import::systems::MEDVIRKNING)
                .unwrap_or(cp.code.ssb_code());
            let start = u
                .child("BarnetsMedvirkning")
                .and_then(|b| b.child_text("StartDato"))
                .map(str::to_owned)
                .unwrap_or_else(|| inv.started_on.to_string());
            u.children.retain(|c| c.name != "BarnetsMedvirkning");
            u.children.push(
                Element::new("BarnetsMedvirkning")
                    .with_child(Element::leaf("StartDato", start))
                    .with_child(Element::leaf("MedvirkningType", code)),
            );
        } else {
            u.children.retain(|c| c.name != "BarnetsMedvirkning");
        }
        let grounds = inv
            .decision_grounds
            .iter()
            .map(|g| {
                let mut el = Element::new("Vedtaksgrunnlag").with("Kode", g.code.code());
                if let Some(t) = &g.text {
                    el.set("Presisering", t.clone());
                }
                el
            })
            .collect();
        replace_children(&mut u, "Vedtaksgrunnlag", grounds);
        u.children.retain(|c| c.name != "UtvidetFrist");
        if let Some(e) = inv.extensions.last() {
            let mut frist = Element::new("UtvidetFrist").with(
                "StartDato",
                e.applied_on.unwrap_or(e.decided_on).to_string(),
            );
            // Innvilget is optional in v4: an extension whose decision is not recorded is
            // written without it, never as granted.
            match e.granted {
                Some(true) => frist.set("Innvilget", "1".to_owned()),
                Some(false) => frist.set("Innvilget", "2".to_owned()),
                None => {}
            }
            u.children.push(frist);
        }
        match (&inv.concluded_on, &inv.conclusion) {
            (Some(d), Some(c)) => {
                let code = ssb_source(
                    c.source.as_ref(),
                    crate::import::systems::UNDERSOKELSE_KONKLUSJON,
                )
                .unwrap_or(match c.code {
                    InvestigationConclusion::Measures => "1",
                    InvestigationConclusion::CountyBoardApplication => "2",
                    InvestigationConclusion::ClosedNoGrounds => "3",
                    InvestigationConclusion::ClosedAtPartyRequest => "4",
                    InvestigationConclusion::ClosedMoved => "5",
                    InvestigationConclusion::ClosedReferredElsewhere => "6",
                });
                let mut k = u
                    .child("Konklusjon")
                    .cloned()
                    .unwrap_or_else(|| Element::new("Konklusjon"));
                if k.attr("Kode") != Some(code) {
                    k.remove("Presisering");
                }
                k.set("SluttDato", d.to_string());
                k.set("Kode", code);
                if let Some(t) = &c.text {
                    k.set("Presisering", t.clone());
                }
                u.children.retain(|c| c.name != "Konklusjon");
                u.children.push(k);
            }
            _ => u.children.retain(|c| c.name != "Konklusjon"),
        }
        sak.children.push(u);
    }

    // Plan.
    for p in &case.plans {
        let code = ssb_source(p.plan_type.source.as_ref(), plan::SSB_SYSTEM)
            .or(p.plan_type.code.ssb_code());
        let Some(code) = code else {
            out.left_out(
                format!("plans[{}]", p.id),
                "ssb.write.not_ssb_code",
                format!(
                    "plan type {:?} is not an SSB Plantype; the plan is left out",
                    p.plan_type.code
                ),
            );
            continue;
        };
        let id = out.id("Plan", p.id.as_str());
        let mut el = base(stored, "Plan", &id);
        el.set("StartDato", p.made_on.to_string());
        el.set("Plantype", code);
        el.children.retain(|c| c.name != "Evaluering");
        for e in &p.evaluations {
            if let Some(d) = e.done_on {
                el.children
                    .push(Element::new("Evaluering").with("UtfortDato", d.to_string()));
            }
        }
        set_konklusjon_date(&mut el, p.ended_on);
        sak.children.push(el);
    }

    // Tiltak.
    for iv in &case.interventions {
        let path = format!("interventions[{}]", iv.id);
        let InterventionBasis::Decision { legal_basis, .. } = &iv.basis else {
            out.left_out(
                path,
                "ssb.write.no_legal_basis",
                "an intervention without a decision has no Lovhjemmel; left out".to_owned(),
            );
            continue;
        };
        let Some(start) = iv.started_on.or(iv.planned_start) else {
            out.left_out(
                path,
                "ssb.write.not_started",
                "an intervention that has not started has no StartDato; left out".to_owned(),
            );
            continue;
        };
        let id = out.id("Tiltak", iv.id.as_str());
        let mut t = base(stored, "Tiltak", &id);
        let stored_lov = t.child("Lovhjemmel").cloned();
        let keep = stored_lov.as_ref().filter(|s| same_basis(s, legal_basis));
        let Some(lov) = lovhjemmel(&mut out, &path, "Lovhjemmel", legal_basis, keep) else {
            out.left_out(
                path,
                "ssb.write.not_ssb_code",
                format!("{} is not a law SSB reports; left out", legal_basis.law),
            );
            continue;
        };
        t.set("StartDato", start.to_string());
        t.children.retain(|c| c.name != "Lovhjemmel");
        t.children.push(keep.cloned().unwrap_or(lov));
        let (code, text) = match ssb_source(iv.intervention_type.source.as_ref(), kind::SSB_SYSTEM)
        {
            Some(c) => (c, iv.intervention_type.text.clone()),
            None => {
                let (c, t) = iv.intervention_type.code.ssb_report();
                (
                    c,
                    iv.intervention_type
                        .text
                        .clone()
                        .or_else(|| t.map(str::to_owned)),
                )
            }
        };
        let mut kat = Element::new("Kategori").with("Kode", code);
        if let Some(t) = text {
            kat.set("Presisering", t);
        }
        t.children.retain(|c| c.name != "Kategori");
        t.children.push(kat);
        t.children.retain(|c| c.name != "Opphevelse");
        if let Some(r) = &iv.end_reason
            && r.text.as_deref() != Some(NOT_RECORDED)
        {
            let code = ssb_source(r.source.as_ref(), EndReason::SSB_SYSTEM).or(match r.code {
                EndReason::ReturnedHome => Some("1"),
                EndReason::CameOfAge => Some("2"),
                EndReason::Adoption => Some("3"),
                EndReason::Other => Some("4"),
                _ => None,
            });
            if let Some(code) = code {
                let mut o = Element::new("Opphevelse").with("Kode", code);
                if let Some(t) = &r.text {
                    o.set("Presisering", t.clone());
                }
                t.children.push(o);
            }
        }
        if iv.ended_on.is_some()
            && t.child("Opphevelse").is_none()
            && crate::controls::is_care_order(&t)
            && crate::controls::is_placement(&t)
            && let Some(r) = &iv.end_reason
        {
            // SSB needs a reason for revoking a care placement (Tiltak Kontroll 12); a reason
            // with no SSB code of its own is "other" (4), described.
            let text = r.text.clone().unwrap_or_else(|| {
                serde_json::to_value(r.code)
                    .ok()
                    .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                    .unwrap_or_else(|| "other".to_owned())
            });
            t.children.push(
                Element::new("Opphevelse")
                    .with("Kode", "4")
                    .with("Presisering", text),
            );
        }
        let old_tilsyn = t.child("Tilsyn").cloned();
        if let Some(sv) = &iv.supervision {
            t.children.retain(|c| c.name != "Tilsyn");
            let mut el = Element::new("Tilsyn");
            for (i, a) in sv.responsible.iter().enumerate() {
                let new = Element::new("Ansvarlig")
                    .with("StartDato", a.from.to_string())
                    .with("Kommunenummer", a.municipality.as_str());
                el.children.push(with_id(old_tilsyn.as_ref(), new, &id, i));
            }
            frequency_children(&mut el, old_tilsyn.as_ref(), &sv.frequency, &sv.visits, &id);
            t.children.push(el);
        }
        if let Some(f) = &iv.follow_up_visits {
            let old = t
                .all("Oppfolging")
                .find(|o| o.child("Hyppighet").is_some())
                .cloned();
            t.children.retain(|c| c.name != "Oppfolging");
            let mut el = Element::new("Oppfolging");
            frequency_children(&mut el, old.as_ref(), &f.frequency, &f.visits, &id);
            t.children.push(el);
        }
        set_konklusjon_date(&mut t, iv.ended_on);
        sak.children.push(t);
    }

    // Vedtak.
    for d in &case.decisions {
        let path = format!("decisions[{}]", d.id);
        let id = out.id("Vedtak", d.id.as_str());
        let mut v = base(stored, "Vedtak", &id);
        let stored_lov = v.child("Lovhjemmel").cloned();
        let keep = stored_lov
            .as_ref()
            .filter(|s| same_basis(s, &d.legal_basis));
        let Some(lov) = lovhjemmel(&mut out, &path, "Lovhjemmel", &d.legal_basis, keep) else {
            out.left_out(
                path,
                "ssb.write.not_ssb_code",
                format!("{} is not a law SSB reports; left out", d.legal_basis.law),
            );
            continue;
        };
        v.set("StartDato", d.decided_on.to_string());
        v.children.retain(|c| c.name != "Lovhjemmel");
        v.children.push(keep.cloned().unwrap_or(lov));
        let old_status: Vec<Element> = v.all("Status").cloned().collect();
        v.children.retain(|c| c.name != "Status");
        let statuses = if d.status_history.is_empty() {
            // Status is required: a decision with no recorded change is approved on its date,
            // and the writer says so (read back, the bundle then holds that status).
            out.findings.push(Finding::warning(
                path.clone(),
                "ssb.write.status_assumed",
                "the decision has no recorded status; SSB requires one, so it is written as \
                 approved (Status 1) on the decision date"
                    .to_owned(),
            ));
            vec![(DecisionStatus::Approved.ssb_code().to_owned(), d.decided_on)]
        } else {
            d.status_history
                .iter()
                .map(|s| {
                    let code = ssb_source(
                        s.status.source.as_ref(),
                        crate::import::systems::VEDTAK_STATUS,
                    )
                    .unwrap_or(s.status.code.ssb_code());
                    (code.to_owned(), s.on)
                })
                .collect()
        };
        for (i, (code, on)) in statuses.into_iter().enumerate() {
            let sid = old_status
                .iter()
                .find(|o| {
                    o.attr("Kode") == Some(code.as_str())
                        && o.attr("EndretDato") == Some(on.to_string().as_str())
                })
                .and_then(|o| o.id().map(str::to_owned))
                .unwrap_or_else(|| derived_uuid(&[&id, "Status", &i.to_string()]));
            v.children.push(
                Element::new("Status")
                    .with("Id", sid)
                    .with("EndretDato", on.to_string())
                    .with("Kode", code),
            );
        }
        let old_krav: Vec<Element> = v.all("Krav").cloned().collect();
        v.children.retain(|c| c.name != "Krav");
        for (i, c) in d.claims.iter().enumerate() {
            let received = c.received_on.to_string();
            let stored_k = old_krav
                .iter()
                .find(|o| o.attr("StartDato") == Some(received.as_str()));
            let mut k = Element::new("Krav").with("StartDato", received.clone());
            if stored_k.is_none() {
                k.set("Id", derived_uuid(&[&id, "Krav", &i.to_string()]));
            }
            if let (Some(on), Some(o)) = (c.concluded_on, &c.outcome) {
                let code = ssb_source(o.source.as_ref(), ClaimOutcome::SSB_SYSTEM)
                    .unwrap_or(o.code.ssb_code());
                let mut kon = Element::new("Konklusjon")
                    .with("SluttDato", on.to_string())
                    .with("Kode", code);
                if let Some(t) = &o.text {
                    kon.set("Presisering", t.clone());
                }
                k.children
                    .push(over(stored_k.and_then(|s| s.child("Konklusjon")), kon));
            }
            v.children.push(over(stored_k, k));
        }
        set_konklusjon_date(&mut v, d.ended_on);
        sak.children.push(v);
    }

    // Ettervern (aftercare offers).
    for f in &case.follow_ups {
        if f.kind != barnvern_case::follow_up::FollowUpKind::Aftercare {
            out.left_out(
                format!("follow_ups[{}]", f.id),
                "ssb.write.not_ssb_record",
                "only aftercare (ettervern) follow-ups are SSB records; left out".to_owned(),
            );
            continue;
        }
        let id = out.id("Ettervern", f.id.as_str());
        let mut e = base(stored, "Ettervern", &id);
        e.set("TilbudSendtDato", f.on.to_string());
        let old_k = e.child("Konklusjon").cloned();
        e.children.retain(|c| c.name != "Konklusjon");
        if let Some(a) = &f.aftercare {
            let code = ssb_source(a.outcome.source.as_ref(), AftercareOutcome::SSB_SYSTEM)
                .unwrap_or(a.outcome.code.ssb_code());
            let new = Element::new("Konklusjon")
                .with("SluttDato", a.concluded_on.to_string())
                .with("Kode", code);
            e.children.push(over(old_k.as_ref(), new));
        }
        sak.children.push(e);
    }

    // OversendelseFylkesnemnd (cases sent to the county board).
    for b in &case.board_referrals {
        let path = format!("board_referrals[{}]", b.id);
        let id = out.id("OversendelseFylkesnemnd", b.id.as_str());
        let mut o = base(stored, "OversendelseFylkesnemnd", &id);
        let stored_lov = o.child("Lovhjemmel").cloned();
        let keep = stored_lov
            .as_ref()
            .filter(|s| same_basis(s, &b.legal_basis));
        let Some(lov) = lovhjemmel(&mut out, &path, "Lovhjemmel", &b.legal_basis, keep) else {
            out.left_out(
                path,
                "ssb.write.not_ssb_code",
                format!("{} is not a law SSB reports; left out", b.legal_basis.law),
            );
            continue;
        };
        o.set("StartDato", b.sent_on.to_string());
        let old_jmfr: Vec<Element> = o.all("JmfrLovhjemmel").cloned().collect();
        o.children
            .retain(|c| c.name != "Lovhjemmel" && c.name != "JmfrLovhjemmel");
        o.children.push(keep.cloned().unwrap_or(lov));
        for l in b.also_under.iter().take(3) {
            let keep = old_jmfr.iter().find(|s| same_basis(s, l));
            if let Some(el) = keep
                .cloned()
                .or_else(|| lovhjemmel(&mut out, &path, "JmfrLovhjemmel", l, None))
            {
                o.children.push(el);
            }
        }
        sak.children.push(o);
    }

    // Flytting (moves).
    for m in &case.moves {
        let id = out.id("Flytting", m.id.as_str());
        let mut f = base(stored, "Flytting", &id);
        f.set("SluttDato", m.moved_on.to_string());
        let old_children = std::mem::take(&mut f.children);
        for (name, r) in [("ArsakFra", &m.reason_from), ("FlyttingTil", &m.moved_to)] {
            let mut el = Element::new(name).with("Kode", r.code.code());
            if let Some(t) = &r.text {
                el.set("Presisering", t.clone());
            }
            f.children
                .push(over(old_children.iter().find(|c| c.name == name), el));
        }
        sak.children.push(f);
    }

    // Records the bundle has no place for, and those kept unmapped, come back as stored.
    if let Some(s) = stored {
        for c in &s.children {
            let verbatim = matches!(c.name.as_str(), "Relasjon" | "Slettet")
                || (matches!(
                    c.name.as_str(),
                    "Melding"
                        | "Undersokelse"
                        | "Plan"
                        | "Tiltak"
                        | "Vedtak"
                        | "Ettervern"
                        | "OversendelseFylkesnemnd"
                        | "Flytting"
                ) && c.id().is_some_and(|id| unmapped.iter().any(|u| u == id))
                    && !sak
                        .children
                        .iter()
                        .any(|e| e.name == c.name && e.id() == c.id()));
            if verbatim && crate::read::KNOWN_ELEMENTS.contains(&c.name.as_str()) {
                sak.children.push(c.clone());
            }
        }
    }
    // v1's Oppfolging (one empty element per visit) has no v4 form: v4 needs its Hyppighet.
    for t in sak.children.iter_mut().filter(|c| c.name == "Tiltak") {
        let before = t.children.len();
        t.children
            .retain(|c| c.name != "Oppfolging" || c.child("Hyppighet").is_some());
        if t.children.len() != before {
            out.left_out(
                t.locator(),
                "ssb.write.v1_oppfolging",
                "Oppfolging in the v1 form (no Hyppighet) has no v4 form; left out of the file \
                 (kept in the bundle)"
                    .to_owned(),
            );
        }
    }
    relations(case, &mut sak, &mut out);
    sak.children
        .retain(|c| crate::read::KNOWN_ELEMENTS.contains(&c.name.as_str()));
    sort_tree(&mut sak);

    let extract = match ext {
        Some(e) => e.extract,
        None => ExtractInfo {
            id: derived_uuid(&[case.case_id.as_str(), "Barnevern"]),
            dato_uttrekk: latest_recorded(case)
                .with_timezone(&FixedOffset::east_opt(0).unwrap_or_else(|| Utc.fix()))
                .format("%Y-%m-%dT%H:%M:%S%:z")
                .to_string(),
            forrige_id: None,
            fagsystem: None,
            avgiver: Some(default_avgiver(case)),
        },
    };
    if extract
        .avgiver
        .as_ref()
        .and_then(|a| a.attr("Organisasjonsnummer"))
        == Some("000000000")
    {
        out.left_out(
            "/Barnevern/Avgiver/@Organisasjonsnummer".to_owned(),
            "ssb.write.organisasjonsnummer",
            "the bundle does not hold the municipality's organisation number: written as \
             000000000"
                .to_owned(),
        );
    }
    (extract, sak, out.findings)
}

use chrono::Offset;

fn latest_recorded(case: &CaseData) -> DateTime<Utc> {
    let mut all = Vec::new();
    all.extend(case.referrals.iter().map(|r| r.provenance.recorded_at));
    all.extend(case.investigations.iter().map(|r| r.provenance.recorded_at));
    all.extend(case.decisions.iter().map(|r| r.provenance.recorded_at));
    all.extend(case.interventions.iter().map(|r| r.provenance.recorded_at));
    all.extend(case.plans.iter().map(|r| r.provenance.recorded_at));
    all.extend(case.closures.iter().map(|r| r.provenance.recorded_at));
    all.into_iter().max().unwrap_or_else(|| {
        case.opened_on
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc())
            .unwrap_or_default()
    })
}

/// Relasjon for every link the bundle holds that no stored Relasjon states.
fn relations(case: &CaseData, sak: &mut Element, out: &mut Out<'_>) {
    let mut links: Vec<(&str, String, &str, String)> = Vec::new();
    for inv in &case.investigations {
        for r in &inv.referral_ids {
            links.push((
                "Melding",
                out.id("Melding", r.as_str()),
                "Undersokelse",
                out.id("Undersokelse", inv.id.as_str()),
            ));
        }
    }
    for d in &case.decisions {
        if let Some(i) = &d.investigation_id {
            links.push((
                "Undersokelse",
                out.id("Undersokelse", i.as_str()),
                "Vedtak",
                out.id("Vedtak", d.id.as_str()),
            ));
        }
    }
    for iv in &case.interventions {
        if let InterventionBasis::Decision {
            decision_id: Some(d),
            ..
        } = &iv.basis
        {
            links.push((
                "Vedtak",
                out.id("Vedtak", d.as_str()),
                "Tiltak",
                out.id("Tiltak", iv.id.as_str()),
            ));
        }
    }
    for b in &case.board_referrals {
        if let Some(d) = &b.decision_id {
            links.push((
                "Vedtak",
                out.id("Vedtak", d.as_str()),
                "OversendelseFylkesnemnd",
                out.id("OversendelseFylkesnemnd", b.id.as_str()),
            ));
        }
    }
    for p in &case.plans {
        for t in &p.intervention_ids {
            links.push((
                "Plan",
                out.id("Plan", p.id.as_str()),
                "Tiltak",
                out.id("Tiltak", t.as_str()),
            ));
        }
    }
    for (ft, fi, tt, ti) in links {
        let present = sak.all("Relasjon").any(|r| {
            (r.attr("FraType") == Some(ft)
                && r.attr("FraId") == Some(fi.as_str())
                && r.attr("TilType") == Some(tt)
                && r.attr("TilId") == Some(ti.as_str()))
                || (tt == "OversendelseFylkesnemnd"
                    && r.attr("FraType") == Some(tt)
                    && r.attr("FraId") == Some(ti.as_str())
                    && r.attr("TilType") == Some(ft)
                    && r.attr("TilId") == Some(fi.as_str()))
        });
        let target_written = sak
            .children
            .iter()
            .any(|c| c.name == tt && c.id() == Some(ti.as_str()))
            && sak
                .children
                .iter()
                .any(|c| c.name == ft && c.id() == Some(fi.as_str()));
        if !present && target_written {
            sak.children.push(
                Element::new("Relasjon")
                    .with("Id", derived_uuid(&[&fi, &ti, "Relasjon"]))
                    .with("FraId", fi.clone())
                    .with("FraType", ft)
                    .with("TilId", ti.clone())
                    .with("TilType", tt),
            );
        }
    }
}

/// `new` written over `stored` (a record read from SSB keeps its attribute order and the
/// attributes the bundle does not hold, such as `Presisering` of an unchanged code).
fn over(stored: Option<&Element>, new: Element) -> Element {
    let Some(s) = stored else {
        return new;
    };
    let mut el = s.clone();
    if el.attr("Kode") != new.attr("Kode") {
        el.remove("Presisering");
    }
    for (k, v) in new.attrs {
        el.set(&k, v);
    }
    el.children = new.children;
    el
}

/// `new` with the `Id` of the stored child of the same name and attributes (so a record read
/// from SSB keeps its ids), or one derived from the parent's id and the position.
fn with_id(old: Option<&Element>, mut new: Element, parent: &str, i: usize) -> Element {
    let name = new.name.clone();
    let stored = old.and_then(|o| {
        o.all(&name)
            .find(|c| new.attrs.iter().all(|(k, v)| c.attr(k) == Some(v.as_str())))
    });
    match stored {
        Some(s) => over(Some(s), new),
        None => {
            let id = derived_uuid(&[parent, &new.name, &i.to_string()]);
            new.attrs.insert(0, ("Id".to_owned(), id));
            new
        }
    }
}

/// `Hyppighet` and `Utfort` children of supervision or follow-up visits.
fn frequency_children(
    el: &mut Element,
    old: Option<&Element>,
    frequency: &[FrequencyFrom],
    visits: &[chrono::NaiveDate],
    parent: &str,
) {
    for (i, f) in frequency.iter().enumerate() {
        let code = f
            .frequency
            .source
            .as_ref()
            .map(|s| s.code().to_owned())
            .unwrap_or_else(|| f.frequency.code.ssb_code().to_owned());
        let new = Element::new("Hyppighet")
            .with("StartDato", f.from.to_string())
            .with("Kode", code);
        el.children.push(with_id(old, new, parent, i));
    }
    for (i, v) in visits.iter().enumerate() {
        let new = Element::new("Utfort").with("UtfortDato", v.to_string());
        el.children.push(with_id(old, new, parent, 1000 + i));
    }
}
