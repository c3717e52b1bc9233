//! The research schema is versioned: a change to any table spec must come with a new
//! `SCHEMA_VERSION`, so readers can tell the versions apart. The specs of the current version
//! are an insta snapshot named after it (`tests/snapshots/schema_snapshot__research-tables-<version>.snap`):
//! a change without a new version fails with a diff; a new version starts a new snapshot
//! (accept it with `cargo insta review` or `INSTA_UPDATE=always cargo test -p barnvern-arrow
//! --test schema_snapshot`). The specs of earlier versions, as they were published, stay in
//! `schema/research-tables-<version>.json`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use barnvern_arrow::SCHEMA_VERSION;
use barnvern_arrow::spec::tables_json;

#[test]
fn the_specs_match_the_snapshot_of_their_schema_version() {
    let mut current = tables_json();
    // The producer changes with every release; the schema does not.
    current["producer"] = serde_json::Value::Null;
    let text = serde_json::to_string_pretty(&current).unwrap() + "\n";
    insta::with_settings!({
        description => "the research table specs: a change needs a new SCHEMA_VERSION (and SUPPORTED_SCHEMA_VERSIONS)",
        omit_expression => true,
    }, {
        insta::assert_snapshot!(format!("research-tables-{SCHEMA_VERSION}"), text);
    });
}
