#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Behaviour through the public API: every generated bundle validates, the deadline statuses
//! all occur, output is reproducible, faults are counted and each faulty line is refused.

use std::collections::{BTreeMap, HashSet};

use barnvern_case::{Case, DeadlineStatus};
use barnvern_core::Severity;
use barnvern_synth::{Cohort, FaultKind, SynthOptions, write_jsonl};

fn opts(children: u64, seed: u64) -> SynthOptions {
    SynthOptions {
        children,
        seed,
        ..SynthOptions::default()
    }
}

#[test]
fn every_bundle_validates_across_seeds_and_every_deadline_status_occurs() {
    let mut statuses = HashSet::new();
    let mut findings: BTreeMap<String, u64> = BTreeMap::new();
    let mut randomised = 0;
    for seed in 0..6 {
        let o = opts(800, seed);
        for data in Cohort::new(&o).unwrap() {
            let data = data.unwrap();
            let id = data.case_id.clone();
            if data
                .family_partner
                .as_ref()
                .is_some_and(|f| f.family.allocation.is_some())
            {
                randomised += 1;
            }
            let case = Case::from_data(data)
                .unwrap_or_else(|e| panic!("seed {seed} case {id}: {:#?}", e.findings));
            for d in case.deadlines(o.as_of) {
                statuses.insert((d.kind.as_str(), d.status));
            }
            for i in case.validate().findings {
                assert_ne!(i.severity, Severity::Error);
                *findings.entry(i.code.clone()).or_default() += 1;
            }
        }
    }
    eprintln!("queries and warnings: {findings:?}");
    // Codes are chosen from the lists in force on the day they are recorded.
    assert!(
        !findings.contains_key("codelist.not_in_force"),
        "{findings:?}"
    );
    eprintln!("randomised families: {randomised}");
    for s in [
        DeadlineStatus::Met,
        DeadlineStatus::Breached,
        DeadlineStatus::Overdue,
        DeadlineStatus::MetAfterExtension,
        DeadlineStatus::Pending,
    ] {
        assert!(
            statuses.iter().any(|(_, st)| *st == s),
            "no deadline with status {s:?}: {statuses:?}"
        );
    }
    assert!(
        randomised > 10,
        "the trial randomised {randomised} families"
    );
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_lines_parse_back() {
    let o = opts(300, 42);
    let mut a = Vec::new();
    let mut b = Vec::new();
    let sa = write_jsonl(&o, &mut a, &|_| {}).unwrap();
    let sb = write_jsonl(&o, &mut b, &|_| {}).unwrap();
    assert_eq!(a, b);
    assert_eq!(sa, sb);
    assert_eq!(sa.lines, 300);
    assert_eq!(sa.bytes, a.len() as u64);
    let text = String::from_utf8(a).unwrap();
    for line in text.lines() {
        Case::from_json(line).unwrap();
    }
    let mut c = Vec::new();
    write_jsonl(&opts(300, 43), &mut c, &|_| {}).unwrap();
    assert_ne!(text.as_bytes(), &c[..]);
}

#[test]
fn faulty_lines_are_counted_by_kind_and_each_is_refused() {
    let o = SynthOptions {
        faults: 0.3,
        ..opts(1500, 5)
    };
    let mut out = Vec::new();
    let s = write_jsonl(&o, &mut out, &|_| {}).unwrap();
    assert_eq!(s.lines, 1500);
    assert_eq!(s.valid + s.faulty_total(), s.lines);
    for k in FaultKind::ALL {
        assert!(s.faulty.get(&k).copied().unwrap_or(0) > 0, "no {k} lines");
    }
    let mut seen = HashSet::new();
    let mut refused: BTreeMap<&str, u64> = BTreeMap::new();
    let mut accepted = 0;
    for line in out.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let Ok(text) = std::str::from_utf8(line) else {
            *refused.entry("utf8").or_default() += 1;
            continue;
        };
        match Case::from_json(text) {
            Ok(case) => {
                if seen.insert(case.case_id.clone()) {
                    accepted += 1;
                } else {
                    *refused.entry("duplicate").or_default() += 1;
                }
            }
            Err(_) => *refused.entry("invalid").or_default() += 1,
        }
    }
    assert_eq!(accepted, s.valid, "{refused:?}");
    assert_eq!(refused.values().sum::<u64>(), s.faulty_total());
    assert_eq!(
        refused.get("utf8").copied().unwrap_or(0),
        s.faulty[&FaultKind::InvalidUtf8]
    );
    assert_eq!(
        refused.get("duplicate").copied().unwrap_or(0),
        s.faulty[&FaultKind::DuplicateCaseId]
    );
}

#[test]
fn options_out_of_range_are_refused() {
    assert!(
        write_jsonl(
            &SynthOptions {
                faults: 1.5,
                ..opts(1, 1)
            },
            Vec::new(),
            &|_| {}
        )
        .is_err()
    );
    assert!(
        write_jsonl(
            &SynthOptions {
                se_share: -0.1,
                ..opts(1, 1)
            },
            Vec::new(),
            &|_| {}
        )
        .is_err()
    );
}

#[test]
fn the_trial_size_is_an_option_families_and_sites() {
    let trial_sites = |o: &SynthOptions| {
        let mut sites = std::collections::BTreeSet::new();
        let mut families = 0;
        for data in Cohort::new(o).unwrap() {
            if let Some(fp) = data.unwrap().family_partner {
                families += 1;
                sites.insert(fp.site.unwrap().code.to_string());
            }
        }
        (families, sites)
    };
    let all = trial_sites(&opts(3000, 4));
    assert!(all.0 > 20, "{all:?}");
    assert!(all.1.len() >= 4, "{all:?}");
    // At most 10 families, at the first two sites only.
    let small = SynthOptions {
        trial_families: Some(10),
        ..opts(3000, 4)
    }
    .with_trial_site_count(2)
    .unwrap();
    let (families, sites) = trial_sites(&small);
    assert_eq!(families, 10);
    assert!(
        sites.iter().all(|s| s == "oslo" || s == "bergen"),
        "{sites:?}"
    );
    assert!(opts(1, 1).with_trial_site_count(0).is_err());
    assert!(opts(1, 1).with_trial_site_count(7).is_err());
}

#[test]
fn the_trial_is_randomised_within_site_and_age_band_strata() {
    use barnvern_familypartner::{Trial, TrialData, TrialDesign, WaveDefinition};
    let mut families = Vec::new();
    let mut sites = std::collections::BTreeMap::new();
    for data in Cohort::new(&opts(3000, 4)).unwrap() {
        if let Some(fp) = data.unwrap().family_partner {
            let site = fp.site.unwrap();
            sites.insert(site.code.clone(), site);
            families.push(fp.family);
        }
    }
    let randomised: Vec<_> = families
        .iter()
        .filter_map(|f| f.allocation.as_ref())
        .collect();
    assert!(randomised.len() > 10, "{}", randomised.len());
    // Every allocation names its stratum: the family's site and age band.
    for f in families.iter().filter(|f| f.allocation.is_some()) {
        let a = f.allocation.as_ref().unwrap();
        let age = f.screening.as_ref().unwrap().child_age_years;
        let band = if age < 6 { "0-5" } else { "6-11" };
        let expected = format!("{}/{band}", f.site.as_ref().unwrap());
        assert_eq!(
            a.stratum.as_ref().map(|s| s.as_str()),
            Some(expected.as_str())
        );
    }
    // The families make a valid trial under the synthetic design: strata, blocks and
    // sequences agree with it.
    families.sort_by_key(|f| f.approached_on);
    let data = TrialData {
        schema_version: barnvern_familypartner::SCHEMA_VERSION.to_owned(),
        trial_id: barnvern_familypartner::TrialId::new("fampart-synth").unwrap(),
        programme: barnvern_familypartner::ProgrammeDefinition::builtin_default()
            .unwrap()
            .clone(),
        design: TrialDesign {
            randomisation: barnvern_synth::randomisation_design(),
            waves: WaveDefinition::fampart(),
            primary_wave: 6,
            sites: sites.into_values().collect(),
            usual_care: None,
            instruments: Vec::new(),
        },
        families,
        history: Vec::new(),
    };
    let strata: std::collections::BTreeSet<_> = data
        .families
        .iter()
        .filter_map(|f| f.allocation.as_ref()?.stratum.clone())
        .collect();
    assert!(strata.len() >= 4, "{strata:?}");
    // The qualitative sub-sample: parents invited, some interviewed, others not (yet); and
    // parents rate acceptability as well as staff.
    let statuses: std::collections::BTreeSet<_> = data
        .families
        .iter()
        .flat_map(|f| f.interviews.iter().map(|i| i.status()))
        .collect();
    assert!(
        statuses.contains(&barnvern_familypartner::InterviewStatus::Interviewed)
            && statuses.len() >= 2,
        "{statuses:?}"
    );
    let informants: std::collections::BTreeSet<_> = data
        .families
        .iter()
        .flat_map(|f| f.waves.iter().flat_map(|w| w.questionnaires.iter()))
        .filter(|q| q.instrument.as_str() == "aim")
        .map(|q| q.informant)
        .collect();
    assert_eq!(informants.len(), 2, "{informants:?}");
    // The whole trial validates, strata and sequences included.
    if let Err(e) = Trial::from_data(data) {
        panic!("{e}");
    }
}
