#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Synthetic Norwegian cohorts through SSB's format: every case written validates against
//! Barnevern_v4.xsd and passes every SSB control of severity ERROR; reading the files back
//! gives every record SSB keeps, typed (import(export(x)) = x on what SSB records), and
//! writing the typed records alone (the verbatim SSB record dropped) gives the same file.

use std::path::Path;
use std::process::Command;

use barnvern_case::{Case, CaseData};
use barnvern_core::{Jurisdiction, Severity};
use barnvern_ssb::ids::ssb_id;
use barnvern_ssb::{EXTENSION_KEY, SsbExtension, check, read_str, write_case};
use barnvern_synth::{Cohort, SynthOptions};

/// What SSB records of a bundle, as the bundle holds it: the records SSB reports, with the
/// fields the format carries (ids, dates, codes as recorded, legal bases, links, and the new
/// typed records: grounds, extension applications, end dates, claims, visits, board
/// referrals, moves, aftercare). Provenance, free text and the canonical concepts of codes
/// SSB does not have are not in the format.
fn ssb_view(c: &CaseData) -> serde_json::Value {
    // SSB's ids are UUIDs: a bundle's other ids are written as UUIDs derived from them.
    let case = c.case_id.as_str();
    let sid = |kind: &str, id: &str| ssb_id(case, kind, id);
    let basis = |b: &barnvern_intervention::InterventionBasis| match b {
        barnvern_intervention::InterventionBasis::Decision {
            decision_id,
            legal_basis,
        } => serde_json::json!([
            decision_id.as_ref().map(|d| sid("Vedtak", d.as_str())),
            legal_basis
        ]),
        other => serde_json::json!(other),
    };
    let inv: Vec<_> = c
        .investigations
        .iter()
        .map(|i| {
            serde_json::json!({
                "id": sid("Undersokelse", i.id.as_str()), "started_on": i.started_on, "concluded_on": i.concluded_on,
                "conclusion": i.conclusion.as_ref().and_then(|k| k.source.clone()),
                "grounds": i.decision_grounds,
                "referrals": i.referral_ids.iter().map(|r| sid("Melding", r.as_str())).collect::<Vec<_>>(),
                "extension": i.extensions.last().map(|e| (e.applied_on.unwrap_or(e.decided_on), e.granted != Some(false))),
            })
        })
        .collect();
    let dec: Vec<_> = c
        .decisions
        .iter()
        .map(|d| {
            serde_json::json!({
                "id": sid("Vedtak", d.id.as_str()), "decided_on": d.decided_on, "legal_basis": d.legal_basis,
                "investigation": d.investigation_id.as_ref().map(|i| sid("Undersokelse", i.as_str())), "ended_on": d.ended_on,
                "status": d.status_history.iter().map(|s| (s.status.code.ssb_code(), s.on)).collect::<Vec<_>>(),
                "claims": d.claims,
            })
        })
        .collect();
    let ivs: Vec<_> = c
        .interventions
        .iter()
        // SSB's StartDato is the start, or the planned start of a measure decided but not yet
        // begun (the export writes it so); a measure with no decision has no Lovhjemmel.
        .filter(|i| i.started_on.or(i.planned_start).is_some() && matches!(i.basis, barnvern_intervention::InterventionBasis::Decision { .. }))
        .map(|i| {
            serde_json::json!({
                "id": sid("Tiltak", i.id.as_str()), "type": i.intervention_type.source, "basis": basis(&i.basis),
                "started_on": i.started_on.or(i.planned_start), "ended_on": i.ended_on,
                "supervision": i.supervision, "follow_up_visits": i.follow_up_visits,
            })
        })
        .collect();
    let plans: Vec<_> = c
        .plans
        .iter()
        .map(|p| serde_json::json!({"id": sid("Plan", p.id.as_str()), "type": p.plan_type.source, "made_on": p.made_on, "ended_on": p.ended_on}))
        .collect();
    let refs: Vec<_> = c
        .referrals
        .iter()
        .map(|r| serde_json::json!({"id": sid("Melding", r.id.as_str()), "reporter": r.reporter.source, "on": r.received_at.date_naive()}))
        .collect();
    let board: Vec<_> = c
        .board_referrals
        .iter()
        .map(|b| serde_json::json!({"id": sid("OversendelseFylkesnemnd", b.id.as_str()), "sent_on": b.sent_on, "decision": b.decision_id.as_ref().map(|d| sid("Vedtak", d.as_str())), "basis": b.legal_basis, "also": b.also_under}))
        .collect();
    let moves: Vec<_> = c
        .moves
        .iter()
        .map(|m| serde_json::json!({"id": sid("Flytting", m.id.as_str()), "on": m.moved_on, "from": m.reason_from, "to": m.moved_to}))
        .collect();
    serde_json::json!({
        "case": sid("Sak", case), "municipality": c.municipality, "opened_on": c.opened_on,
        "closed_on": c.closures.last().filter(|x| x.reopened_on.is_none()).map(|x| x.closed_on),
        "referrals": refs, "investigations": inv, "decisions": dec, "interventions": ivs,
        "plans": plans, "board_referrals": board, "moves": moves,
        "aftercare": c.follow_ups.iter().filter(|f| f.kind == barnvern_case::follow_up::FollowUpKind::Aftercare).map(|f| (f.on, f.aftercare.clone())).collect::<Vec<_>>(),
    })
}

/// The bundle with the verbatim SSB records (the `Sak`'s children) dropped from its
/// `source_extensions`.
fn records_dropped(mut data: CaseData) -> CaseData {
    let mut ext = SsbExtension::of(&data).unwrap();
    ext.sak.children.clear();
    data.source_extensions
        .insert(EXTENSION_KEY.to_owned(), serde_json::to_value(ext).unwrap());
    data
}

fn read_back(xml: &str) -> Case {
    let rc = read_str(xml, "x.xml").into_iter().next().unwrap().unwrap();
    rc.into_case().unwrap()
}

#[test]
fn synthetic_norwegian_cases_report_cleanly_and_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut counts = [0usize; 6];
    for seed in [9, 23] {
        let o = SynthOptions {
            children: 300,
            seed,
            ..SynthOptions::default()
        };
        for data in Cohort::new(&o).unwrap() {
            let data = data.unwrap();
            if data.jurisdiction != Jurisdiction::No {
                continue;
            }
            let case = Case::from_data(data).unwrap();
            // SSB would accept it: no finding of severity ERROR.
            let errors: Vec<_> = check(&case, None)
                .into_iter()
                .filter(|i| i.severity == Severity::Error)
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", case.case_id);
            let written = write_case(&case).unwrap();
            let path = dir.path().join(format!("{seed}-{}.xml", written.sak_id));
            std::fs::write(&path, &written.xml).unwrap();
            files.push(path);

            // import(export(x)) = x on what SSB records.
            let back = read_back(&written.xml);
            let (got, want) = (ssb_view(&back), ssb_view(&case));
            for (key, w) in want.as_object().unwrap() {
                assert_eq!(
                    &got[key], w,
                    "{}: {key}, which SSB keeps, changed on the way back",
                    case.case_id
                );
            }
            // The typed records alone write the same file: nothing depends on the verbatim
            // SSB records the import keeps (only the extract's header and the Sak's own
            // attributes, such as Journalnummer, stay).
            let typed = records_dropped(back.into_data());
            let again = write_case(&typed).unwrap();
            assert_eq!(again.xml, written.xml, "{}", case.case_id);

            counts[0] += 1;
            counts[1] += case
                .investigations
                .iter()
                .filter(|i| !i.decision_grounds.is_empty())
                .count();
            counts[2] += case
                .decisions
                .iter()
                .filter(|d| d.ended_on.is_some())
                .count();
            counts[3] += case
                .interventions
                .iter()
                .filter(|i| i.supervision.is_some())
                .count();
            counts[4] += case.board_referrals.len();
            counts[5] += case
                .investigations
                .iter()
                .filter(|i| i.extensions.iter().any(|e| e.granted == Some(true)))
                .count();
        }
    }
    // The cohort exercises every new record it makes.
    assert!(counts[0] > 100, "{counts:?}");
    assert!(counts[1..].iter().all(|n| *n > 0), "{counts:?}");
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/Barnevern_v4.xsd");
    for chunk in files.chunks(200) {
        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&xsd)
            .args(chunk)
            .output()
            .expect("xmllint (Debian's libxml2-utils) is needed; scripts/test installs it");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_typed_records_of_a_sample_are_written_without_the_verbatim_record() {
    let xml = include_str!("data/test01_file09_total.xml");
    let case = read_back(xml);
    let inv = &case.investigations[0];
    assert_eq!(inv.decision_grounds[0].code.code(), "1");
    assert_eq!(
        inv.decision_grounds[0].text.as_deref(),
        Some("~presisering~")
    );
    assert_eq!(inv.extensions[0].granted, Some(false));
    assert_eq!(
        inv.extended_due(),
        None,
        "a refused extension extends nothing"
    );
    let dec = &case.decisions[0];
    assert!(dec.ended_on.is_some());
    assert_eq!(dec.claims.len(), 1);
    assert!(case.interventions[0].supervision.is_some());
    let typed = records_dropped(case.into_data());
    let written = write_case(&typed).unwrap().xml;
    for needle in [
        "<Vedtaksgrunnlag Kode=\"1\" Presisering=\"~presisering~\"/>",
        "<UtvidetFrist StartDato=\"2021-02-08\" Innvilget=\"2\"/>",
        "<Krav ",
        "<Konklusjon SluttDato=\"2021-04-19\" Kode=\"1\"/>",
        "<Ansvarlig ",
        "Kommunenummer=\"3401\"",
        "<Hyppighet ",
    ] {
        assert!(written.contains(needle), "{needle} not in\n{written}");
    }
}
