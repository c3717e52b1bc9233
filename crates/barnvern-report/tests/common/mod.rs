//! Small datasets for the report tests: the example cases and varied copies of them.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::{Path, PathBuf};

use barnvern_arrow::{DatasetOptions, DatasetWriter};
use barnvern_case::Case;
use barnvern_research::ResearchCase;
use barnvern_research::testing::TestPseudonymiser;
use chrono::NaiveDate;
use serde_json::{Value, json};

/// The date deadlines are computed for.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 10, 1).unwrap()
}

pub fn example(name: &str) -> Value {
    let path = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Copy `i` of the Swedish example in municipality `municipality`.
pub fn se_copy(i: usize, municipality: &str) -> Value {
    let mut v = example("se-case.json");
    v["case_id"] = json!(format!("SE-{municipality}-2024-{:06}", 500 + i));
    v["municipality"] = json!(municipality);
    v
}

/// Family `i` of the trial: a copy of the Norwegian example. Even families are in the Family
/// Partner arm (enrolled, contacts as in the example), odd ones in ordinary services (no
/// enrolment, contacts, guidance or goals). Families with `twelve` have a completed 12-month
/// wave with a parent SDQ whose total is `twelve_total_drop` lower than at baseline (13).
pub fn trial_family(i: usize, twelve: bool, twelve_total_drop: bool) -> Value {
    let mut v = example("no-case.json");
    v["case_id"] = json!(format!("NO-4601-2024-{:06}", 100 + i));
    let fp = &mut v["family_partner"]["family"];
    fp["family"] = json!(format!("fam-t-{i:03}"));
    fp["allocation"]["sequence"] = json!(i + 1);
    if i % 2 == 1 {
        fp["allocation"]["arm"] = json!("control");
        let obj = fp.as_object_mut().unwrap();
        for k in [
            "enrolment",
            "contacts",
            "guidance_sessions",
            "goals",
            "coordination",
        ] {
            obj.remove(k);
        }
    }
    if twelve {
        let mut wave = fp["waves"][0].clone();
        wave["wave"] = json!(12);
        wave["on"] = json!("2025-07-28");
        let q = &mut wave["questionnaires"][0];
        q["completed_on"] = json!("2025-07-28");
        if twelve_total_drop {
            // tantrum 2 -> 0: conduct 4 -> 2, total 13 -> 11.
            q["responses"]["tantrum"] = json!(0);
        }
        fp["waves"].as_array_mut().unwrap().push(wave);
    }
    v
}

/// The research form of bundles (checked as cases first).
pub fn research(bundles: &[Value]) -> Vec<ResearchCase> {
    let ps = TestPseudonymiser::new(11);
    bundles
        .iter()
        .map(|b| {
            let case = Case::from_json(&b.to_string()).unwrap();
            ResearchCase::from_case(&case, &ps, as_of())
        })
        .collect()
}

/// Writes a dataset of `cases` at `root/name`.
pub fn write(root: &Path, name: &str, cases: &[ResearchCase]) -> PathBuf {
    let target = root.join(name);
    let mut writer = DatasetWriter::create(&target, DatasetOptions::default()).unwrap();
    writer.write(cases).unwrap();
    writer.finish().unwrap();
    target
}

/// The trial of the tests: 12 families, 6 per arm; every family has waves 0, 3 (completed)
/// and 6 (partial); at 12 months intervention families 0, 2, 4, 6, 8 completed with a total
/// 2 points lower (family 10 has none: lost), control families 1..11 all completed with an
/// unchanged total. Plus SE cases in three municipalities.
pub fn trial_bundles() -> Vec<Value> {
    let mut out: Vec<Value> = (0..12)
        .map(|i| trial_family(i, i != 10, i % 2 == 0))
        .collect();
    for (i, m) in ["0180", "0180", "1480", "1480", "1480", "1280"]
        .iter()
        .enumerate()
    {
        out.push(se_copy(i, m));
    }
    out
}
