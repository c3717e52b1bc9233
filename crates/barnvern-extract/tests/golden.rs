#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Golden extract: a fixed synthetic cohort (seed 20, 400 children, both countries, the trial's
//! families included) and two cases from SSB's sample extracts, so that every research table
//! has rows, extracted under a fixed key must
//! give the same bytes as the files this build committed the digests of, file by file: every
//! Parquet file, the data dictionary, and the manifest without its time of creation.
//!
//! The digests are in `tests/golden/extract.sha256` (`sha256sum` format). When the research
//! output is meant to change (a new schema version, a new column, a new producer version),
//! regenerate them deliberately and commit the diff with the change that explains it:
//!
//! ```text
//! BARNVERN_GOLDEN_UPDATE=1 cargo test -p barnvern-extract --test golden
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use barnvern_extract::{ExtractOptions, ProjectKey, extract};
use barnvern_synth::SynthOptions;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

const KEY: &[u8] = b"the golden extract's key, fixed and not secret";
const DIGESTS: &str = "tests/golden/extract.sha256";
const UPDATE: &str = "BARNVERN_GOLDEN_UPDATE";

/// Every file under `dir`, by path relative to it (with `/`), sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The manifest without what differs from run to run: the time it was written, and the
/// temporary folder in the inputs' paths (their file names and digests stay).
fn timeless_manifest(bytes: &[u8]) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let obj = v.as_object_mut().unwrap();
    assert!(
        obj.remove("created_at").is_some(),
        "the manifest has no created_at"
    );
    for input in obj["input_digests"].as_array_mut().unwrap() {
        let path = input["path"].as_str().unwrap();
        let name = Path::new(path).file_name().unwrap().to_string_lossy();
        input["path"] = serde_json::Value::from(name.into_owned());
    }
    serde_json::to_vec_pretty(&v).unwrap()
}

#[test]
fn the_extract_of_a_fixed_cohort_is_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cohort.jsonl");
    let opts = SynthOptions {
        children: 400,
        seed: 20,
        ..SynthOptions::default()
    };
    barnvern_synth::write_jsonl(&opts, std::fs::File::create(&input).unwrap(), &|_| {}).unwrap();
    let out = dir.path().join("extract");
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    // The synthetic cohort has no claims, moves or aftercare: two cases imported from SSB's
    // published sample extracts (`barnvern import ssb-xml full_v4.xml test01_file09_total.xml`,
    // see crates/barnvern-ssb/tests/data/PROVENANCE.md) bring them.
    let ssb = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/ssb-records.jsonl");
    let mut options = ExtractOptions::new(vec![input, ssb], out.clone(), as_of);
    options.threads = 2;
    let key = ProjectKey::from_bytes(KEY.to_vec(), "golden").unwrap();
    let summary = extract(&options, key, &|_| {}).unwrap();
    assert_eq!(summary.rejected, 0);

    // The cohort must exercise every table, or a table could change unseen.
    let empty: Vec<&str> = barnvern_arrow::tables()
        .iter()
        .map(|t| t.name)
        .filter(|t| summary.manifest.tables.get(*t).is_none_or(|m| m.rows == 0))
        .collect();
    assert!(
        empty.is_empty(),
        "tables with no rows in the golden cohort: {empty:?}"
    );
    for j in ["SE", "NO"] {
        let part = format!("jurisdiction={j}");
        assert!(
            files(&out)
                .iter()
                .any(|p| p.to_string_lossy().contains(&part)),
            "no {j} partition"
        );
    }

    let mut got = BTreeMap::new();
    for path in files(&out) {
        let rel = path
            .strip_prefix(&out)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(&path).unwrap();
        let bytes = if rel == "manifest.json" {
            timeless_manifest(&bytes)
        } else {
            bytes
        };
        got.insert(rel, hex::encode(Sha256::digest(&bytes)));
    }
    assert!(got.keys().any(|p| p.ends_with(".parquet")));
    let text: String = got.iter().map(|(p, d)| format!("{d}  {p}\n")).collect();

    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIGESTS);
    if std::env::var_os(UPDATE).is_some() {
        std::fs::write(&golden, &text).unwrap();
        eprintln!("wrote {} ({} files)", golden.display(), got.len());
        return;
    }
    let want = std::fs::read_to_string(&golden).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; write it with {UPDATE}=1",
            golden.display()
        )
    });
    let want: BTreeMap<String, String> = want
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(d, p)| (p.to_owned(), d.to_owned()))
        .collect();
    let differ: Vec<String> = want
        .keys()
        .chain(got.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|p| want.get(*p) != got.get(*p))
        .map(|p| match (want.get(p), got.get(p)) {
            (Some(_), Some(_)) => format!("{p}: other bytes"),
            (Some(_), None) => format!("{p}: not written"),
            _ => format!("{p}: new file"),
        })
        .collect();
    assert!(
        differ.is_empty(),
        "the extract differs from the golden digests in {} file(s):\n{}\n\
         If the research output is meant to change (schema version, columns, producer), \
         regenerate with {UPDATE}=1 cargo test -p barnvern-extract --test golden and commit \
         {DIGESTS} with the change.",
        differ.len(),
        differ.join("\n")
    );
}
