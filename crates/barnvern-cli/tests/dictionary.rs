//! `barnvern dictionary` and `barnvern schema` as a user runs them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use assert_cmd::Command;

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("barnvern")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_dictionary_lists_every_table_in_every_format() {
    let md = run(&["dictionary"]);
    let csv = run(&["dictionary", "--format", "csv"]);
    let html = run(&["dictionary", "--format", "html"]);
    let json: serde_json::Value =
        serde_json::from_str(&run(&["dictionary", "--format", "json"])).unwrap();
    for spec in barnvern_arrow::tables() {
        assert!(md.contains(spec.name), "markdown lacks {}", spec.name);
        assert!(
            csv.lines()
                .any(|l| l.starts_with(&format!("{},", spec.name))),
            "csv lacks {}",
            spec.name
        );
        assert!(html.contains(spec.name), "html lacks {}", spec.name);
        for field in &spec.fields {
            assert!(
                md.contains(&field.name),
                "markdown lacks {}.{}",
                spec.name,
                field.name
            );
        }
    }
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(json.is_object() || json.is_array());
}

#[test]
fn the_schema_is_the_case_bundle_json_schema() {
    let schema: serde_json::Value = serde_json::from_str(&run(&["schema"])).unwrap();
    assert_eq!(schema, barnvern_case::Case::json_schema());
    assert!(schema["properties"]["referrals"].is_object());
}
