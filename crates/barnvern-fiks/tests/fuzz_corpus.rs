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
