//! The shipped JSON Schemas are derived from the types; this test fails when they drift.
//! Each schema is an insta snapshot (a failure prints the diff; accept a change with
//! `cargo insta review`), and the file users read (`schema/*.schema.json`, compiled into the
//! crate and pointed to by `data/README.md`) must hold the same text: regenerate it with
//! `BARNVERN_BLESS=1 cargo test -p barnvern-outcomes --test schema`.

#![allow(clippy::unwrap_used)]

use barnvern_outcomes::{CostModel, InstrumentDef};

fn check(file: &str, schema: schemars::Schema) {
    let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!(file, text);
    });
    let path = format!("{}/schema/{file}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("BARNVERN_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        shipped == text,
        "schema/{file} is out of date: run BARNVERN_BLESS=1 cargo test -p barnvern-outcomes --test schema"
    );
}

#[test]
fn the_instrument_definition_schema_is_current() {
    check("instrument.schema.json", InstrumentDef::schema());
}

#[test]
fn the_cost_model_schema_is_current() {
    check("cost-model.schema.json", schemars::schema_for!(CostModel));
}
