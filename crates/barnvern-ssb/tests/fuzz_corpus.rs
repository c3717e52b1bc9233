//! Replays the `ssb_xml` fuzz corpus and every kept crash input (fuzz/corpus/ssb_xml,
//! fuzz/artifacts/ssb_xml) through the fuzz target's own checks, so that what fuzzing found stays
//! fixed without a nightly toolchain. Deterministic; takes seconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

include!("../../../fuzz/checks/ssb_xml.rs");

#[test]
fn the_ssb_xml_corpus_passes_the_fuzz_checks() {
    let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut replayed = 0;
    for dir in ["corpus/ssb_xml", "artifacts/ssb_xml"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            check_ssb_xml(&std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed >= 5, "the corpus is missing: {replayed} inputs");
}
