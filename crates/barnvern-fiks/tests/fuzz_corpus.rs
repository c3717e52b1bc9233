//! Replays the `fiks_report` fuzz corpus and every kept crash input (fuzz/corpus/fiks_report,
//! fuzz/artifacts/fiks_report) through the fuzz target's own checks, so that what fuzzing found
//! stays fixed without a nightly toolchain. Deterministic; takes seconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

include!("../../../fuzz/checks/fiks_report.rs");

#[test]
fn the_fiks_report_corpus_passes_the_fuzz_checks() {
    let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut replayed = 0;
    for dir in ["corpus/fiks_report", "artifacts/fiks_report"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            check_fiks_report(&std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed >= 12, "the corpus is missing: {replayed} inputs");
}

#[test]
fn the_checks_catch_a_long_digit_run() {
    assert!(std::panic::catch_unwind(|| fiks_assert_no_number("at 28871350045")).is_err());
    assert!(std::panic::catch_unwind(|| fiks_assert_no_number("at ***********")).is_err());
    fiks_assert_no_number("line 12 column 345, kommunenummer 4601");
}

#[test]
fn the_corpus_holds_no_identity_number_that_could_be_real() {
    // The fuzzer mutates digits: a mutated number that passes the check digits and is not a
    // synthetic test number (month + 80) could belong to a living person, so no such input is
    // kept (delete it; the coverage it adds is never about the exact digits).
    use barnvern_core::{Jurisdiction, PersonId};
    let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    for dir in ["corpus/fiks_report", "artifacts/fiks_report"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            for run in text.split(|c: char| !c.is_ascii_digit()) {
                let found = match run.len() {
                    11 => PersonId::parse(run, Some(Jurisdiction::No), None)
                        .is_ok_and(|id| !id.is_synthetic()),
                    12 => PersonId::parse(run, Some(Jurisdiction::Se), None).is_ok(),
                    _ => false,
                };
                assert!(
                    !found,
                    "{} holds a real-looking identity number",
                    path.display()
                );
            }
        }
    }
}
