//! Replays the `store_append` fuzz corpus and every kept crash input (fuzz/corpus/store_append,
//! fuzz/artifacts/store_append) through the fuzz target's own checks, so that what fuzzing found stays
//! fixed without a nightly toolchain. Deterministic; takes seconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

include!("../../../fuzz/checks/store_append.rs");

#[test]
fn the_store_append_corpus_passes_the_fuzz_checks() {
    let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut replayed = 0;
    for dir in ["corpus/store_append", "artifacts/store_append"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            check_store_append(&std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed >= 5, "the corpus is missing: {replayed} inputs");
}
