// The checks of the `score_csv` fuzz target, included (`include!`) by the target and by the
// corpus replay test of barnvern-arrow, so that both check the same things.

/// Scores `data` as a CSV file of respondents with the parent SDQ (an `id` column passed
/// through, an `age` column, missing item columns allowed so that scoring is reached), through
/// the same reader `barnvern score` uses. A file that scores must give one result row per data
/// row the CSV parser sees (no row dropped or invented), in the result schema; a refused file
/// must say why, and no finding may show anything shaped like an identity number.
pub fn check_score_csv(data: &[u8]) {
    use barnvern_arrow::scoring::{Columns, CsvScorer, ScoreFileError};
    use barnvern_core::identifier::looks_like_identity_number;
    use barnvern_outcomes::{ScoreOptions, builtin};

    let sdq = builtin("sdq-p-4-17").expect("a built-in instrument");
    let columns = Columns {
        id_columns: vec!["id".into()],
        age_column: Some("age".into()),
        allow_missing_items: true,
    };
    let run = || -> Result<usize, ScoreFileError> {
        let mut scorer = CsvScorer::new(data, sdq, &columns, ScoreOptions::default())?;
        let schema = std::sync::Arc::clone(scorer.schema());
        let mut rows = 0;
        while let Some(batch) = scorer.next_batch()? {
            assert_eq!(batch.schema(), schema, "a batch not in the result schema");
            rows += batch.num_rows();
        }
        Ok(rows)
    };
    match run() {
        Ok(rows) => {
            let mut reader = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .from_reader(data);
            let records = reader.records().count();
            assert_eq!(
                rows, records,
                "scored rows differ from the rows of the file"
            );
        }
        Err(ScoreFileError::Io(e)) => panic!("reading memory cannot fail: {e}"),
        Err(err) => {
            assert!(!err.findings().is_empty(), "a refusal without findings");
            for finding in err.findings() {
                assert!(
                    !looks_like_identity_number(&finding.message)
                        && !looks_like_identity_number(&finding.path),
                    "a finding shows an identity number: {finding}"
                );
            }
        }
    }
}
