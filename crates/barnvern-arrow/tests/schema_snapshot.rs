//! The research schema is versioned: a change to any table spec must come with a new
//! `SCHEMA_VERSION` and a new snapshot, so readers can tell the versions apart.
//! Regenerate the snapshot with `BARNVERN_BLESS=1 cargo test -p barnvern-arrow --test schema_snapshot`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use barnvern_arrow::SCHEMA_VERSION;
use barnvern_arrow::spec::tables_json;

#[test]
fn the_specs_match_the_snapshot_of_their_schema_version() {
    let path = format!(
        "{}/schema/research-tables-{SCHEMA_VERSION}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut current = tables_json();
    // The producer changes with every release; the schema does not.
    current["producer"] = serde_json::Value::Null;
    let text = serde_json::to_string_pretty(&current).unwrap() + "\n";
    if std::env::var_os("BARNVERN_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let snapshot = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        snapshot == text,
        "the research table specs differ from {path}: bump SCHEMA_VERSION (and \
         SUPPORTED_SCHEMA_VERSIONS) for the change, then regenerate the snapshot with \
         BARNVERN_BLESS=1"
    );
}
