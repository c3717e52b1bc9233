//! No fuzz corpus or kept crash input may hold an identity number that could belong to a living
//! person. Fuzzers mutate digits, so a mutated number can pass the check digits: only the
//! published test numbers (`testdata/`, copied from shared/testdata: Skatteverket's and Skatteetaten's lists) and
//! synthetic numbers (Tenor, month + 80) may be kept. An offending input is deleted (the
//! coverage it adds is never about the exact digits).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::path::Path;

use barnvern_core::{Jurisdiction, PersonId};

fn published_test_numbers() -> HashSet<String> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut out = HashSet::new();
    for file in [
        "se-test-personnummer.json",
        "se-test-samordningsnummer.json",
    ] {
        let text =
            std::fs::read_to_string(shared.join(file)).expect("the copied test numbers are there");
        let list: Vec<String> = serde_json::from_str(&text).expect("a JSON list of numbers");
        out.extend(list);
    }
    let no = std::fs::read_to_string(shared.join("no-skatteetaten-foedselsnummer.csv"))
        .expect("the copied test numbers are there");
    out.extend(
        no.lines()
            .skip(1)
            .filter_map(|l| l.split(',').next())
            .map(str::to_owned),
    );
    // SSB's published sample files (barnvern-ssb's test data, with their provenance) carry
    // SSB's own test numbers; the ssb_xml corpus starts from them.
    let ssb = Path::new(env!("CARGO_MANIFEST_DIR")).join("../barnvern-ssb/tests/data");
    for entry in std::fs::read_dir(ssb).expect("barnvern-ssb's samples are there") {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        out.extend(
            text.split(|c: char| !c.is_ascii_digit())
                .filter(|run| run.len() == 11)
                .map(str::to_owned),
        );
    }
    out
}

/// The identity numbers in `text` that could be real: every run of 10-12 digits (with an
/// optional `-` or `+` after the sixth or eighth digit) that parses, is not synthetic and is
/// not a published test number.
fn real_looking(text: &str, published: &HashSet<String>) -> std::collections::BTreeSet<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = std::collections::BTreeSet::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || matches!(chars[i], '-' | '+')) {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        for candidate in run
            .split(|c: char| !c.is_ascii_digit())
            .chain([run.as_str()])
        {
            let digits: String = candidate.chars().filter(char::is_ascii_digit).collect();
            if !(10..=12).contains(&digits.len()) {
                continue;
            }
            for j in [None, Some(Jurisdiction::Se), Some(Jurisdiction::No)] {
                let reference = chrono::NaiveDate::from_ymd_opt(2026, 12, 1);
                if let Ok(id) = PersonId::parse(candidate, j, reference)
                    && !id.is_synthetic()
                    && !published.contains(id.canonical())
                    && !published.contains(&digits)
                {
                    found.insert(id.canonical().to_owned());
                }
            }
        }
    }
    found
}

#[test]
fn no_fuzz_input_holds_an_identity_number_that_could_be_real() {
    let published = published_test_numbers();
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut offenders = Vec::new();
    let mut checked = 0;
    for kind in ["corpus", "artifacts"] {
        let Ok(targets) = std::fs::read_dir(fuzz.join(kind)) else {
            continue;
        };
        for target in targets {
            for entry in std::fs::read_dir(target.unwrap().path()).unwrap() {
                let path = entry.unwrap().path();
                let bytes = std::fs::read(&path).unwrap();
                if !real_looking(&String::from_utf8_lossy(&bytes), &published).is_empty() {
                    offenders.push(path.display().to_string());
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "the corpora are missing: {checked} inputs");
    assert!(
        offenders.is_empty(),
        "{} fuzz inputs hold an identity number that could belong to a living person; delete \
         them:\n{}",
        offenders.len(),
        offenders.join("\n")
    );
}

#[test]
fn the_check_finds_a_valid_number_and_spares_test_numbers() {
    let published = published_test_numbers();
    // A published test number and a synthetic one are kept ...
    assert!(real_looking("x 189001019802 y", &published).is_empty());
    assert!(real_looking("16881650049", &published).is_empty());
    // ... a valid number not on the lists is not (built here from a published one by changing
    // its serial and recomputing the Luhn digit, so no real number is written in this file).
    let base = "9001019";
    let digits: Vec<u32> = format!("{base}81")
        .chars()
        .map(|c| c.to_digit(10).unwrap())
        .collect();
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(k, d)| {
            let p = d * if k % 2 == 0 { 2 } else { 1 };
            if p > 9 { p - 9 } else { p }
        })
        .sum();
    let number = format!("18{base}81{}", (10 - sum % 10) % 10);
    assert!(!published.contains(&number));
    assert_eq!(real_looking(&format!("id {number}"), &published).len(), 1);
}
