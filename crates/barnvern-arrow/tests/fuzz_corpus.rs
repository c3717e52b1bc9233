//! Replays the `score_csv` fuzz corpus and every kept crash input (fuzz/corpus/score_csv,
//! fuzz/artifacts/score_csv) through the fuzz target's own checks, so that what fuzzing found stays
//! fixed without a nightly toolchain. Deterministic; takes seconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

include!("../../../fuzz/checks/score_csv.rs");

#[test]
fn the_score_csv_corpus_passes_the_fuzz_checks() {
    let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut replayed = 0;
    for dir in ["corpus/score_csv", "artifacts/score_csv"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            check_score_csv(&std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed >= 5, "the corpus is missing: {replayed} inputs");
}
