// The checks of the `extract_line` fuzz target, included (`include!`) by the target and by the
// corpus replay test of barnvern-extract, so that both check the same things.

/// Takes `data` through the extract's whole line pipeline as one input line: the line check
/// (UTF-8, JSON, schema version, every validation rule), pseudonymisation under a fixed project
/// key, the research form and the partitioned Arrow rows the dataset writer receives. An
/// accepted line must become rows (the writer refuses a value shaped like an identity number in
/// any string column, so validation must have refused it first), and the research form must not
/// depend on anything but the line and the key. A rejected line must carry findings that
/// quarantine as JSON, with no message or path shaped like an identity number.
pub fn check_extract_line(data: &[u8]) {
    use barnvern_core::identifier::looks_like_identity_number;
    use barnvern_extract::check::check_line;
    use barnvern_extract::input::LineContent;
    use barnvern_extract::{HmacPseudonymiser, ProjectKey, QuarantineRecord};

    const MAX_LINE: usize = 1 << 20;
    let key = ProjectKey::from_bytes(b"the fuzz target's project key, 32+ bytes".to_vec(), "fuzz")
        .expect("a long enough key");
    let ps = HmacPseudonymiser::new(key);
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date");
    match check_line(&LineContent::Bytes(data.to_vec()), MAX_LINE) {
        Ok(case) => {
            let research = barnvern_research::ResearchCase::from_case(&case, &ps, as_of);
            let again = barnvern_research::ResearchCase::from_case(&case, &ps, as_of);
            assert_eq!(research, again, "the research form is not deterministic");
            let rows = barnvern_arrow::PartitionedRows::from_cases(std::slice::from_ref(&research));
            match rows {
                Ok(rows) => assert_eq!(rows.cases(), 1, "an accepted line lost its case"),
                Err(e) => {
                    let shown = e.to_string();
                    assert!(
                        !looks_like_identity_number(&shown),
                        "an error shows an identity number"
                    );
                    panic!("an accepted line cannot be written: {shown}");
                }
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "a rejected line without findings");
            for finding in &errors {
                assert!(
                    !looks_like_identity_number(&finding.message)
                        && !looks_like_identity_number(&finding.path),
                    "a finding shows an identity number: {finding}"
                );
            }
            let record = QuarantineRecord {
                file: "fuzz.jsonl".into(),
                line: Some(1),
                errors,
            };
            let json = serde_json::to_string(&record).expect("a quarantine record writes");
            assert!(
                !looks_like_identity_number(&json),
                "the quarantine shows an identity number"
            );
        }
    }
}
