//! Replays the `person_id` fuzz corpus and every kept crash input (fuzz/corpus/person_id,
//! fuzz/artifacts/person_id) through the fuzz target's own checks, so that what fuzzing found
//! stays fixed without a nightly toolchain. Deterministic; takes well under a second.
#![allow(clippy::unwrap_used, clippy::expect_used)]

include!("../../../fuzz/checks/person_id.rs");

#[test]
fn the_person_id_corpus_passes_the_fuzz_checks() {
    let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut replayed = 0;
    for dir in ["corpus/person_id", "artifacts/person_id"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            check_person_id(&std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed >= 10, "the corpus is missing: {replayed} inputs");
}
