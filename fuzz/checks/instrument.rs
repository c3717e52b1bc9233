// The checks of the `instrument` fuzz target, included (`include!`) by the target and by the
// corpus replay test of barnvern-outcomes, so that both check the same things.

/// `data` is an instrument definition (JSON) and a respondent's answers (JSON), separated by
/// the first NUL byte; an empty or unreadable definition picks a built-in instrument by the
/// first byte instead, so the answers are fuzzed against the real SDQ, SWEMWBS, AIM, ... too.
///
/// A definition that loads must write back and load to the same instrument. Scoring one
/// respondent ([`barnvern_outcomes::score`]) and scoring the same answers as a one-row column
/// table ([`barnvern_outcomes::score_columns`]) must agree exactly: same refusal, or the same
/// value and band for every score. No finding may show anything shaped like an identity number.
pub fn check_instrument(data: &[u8]) {
    use barnvern_core::identifier::looks_like_identity_number;
    use barnvern_outcomes::{Instrument, Responses, ScoreOptions, builtin, builtin_ids};

    let clean = |err: &barnvern_core::ValidationError| {
        assert!(!err.findings().is_empty(), "a refusal without findings");
        for finding in err.findings() {
            assert!(
                !looks_like_identity_number(&finding.message)
                    && !looks_like_identity_number(&finding.path),
                "a finding shows an identity number: {finding}"
            );
        }
    };
    let (def, answers) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &data[data.len()..]),
    };
    let loaded = match std::str::from_utf8(def).map(Instrument::from_json) {
        Ok(Ok(instrument)) => {
            let again =
                Instrument::from_json(&instrument.to_json()).expect("a written definition loads");
            assert_eq!(
                instrument, again,
                "the definition changed in a JSON round trip"
            );
            Some(instrument)
        }
        Ok(Err(err)) => {
            clean(&err);
            None
        }
        Err(_) => None,
    };
    let instrument = match &loaded {
        Some(i) => i,
        None => {
            let ids: Vec<&str> = builtin_ids().collect();
            let pick = data.first().map_or(0, |&b| usize::from(b) % ids.len());
            builtin(ids[pick]).expect("a built-in instrument")
        }
    };
    let Ok(text) = std::str::from_utf8(answers) else {
        return;
    };
    let responses = match Responses::from_json(text) {
        Ok(r) => r,
        Err(err) => {
            clean(&err);
            return;
        }
    };
    let options = ScoreOptions::default();
    let one = barnvern_outcomes::score(instrument, &responses, &options);
    let values: Vec<(String, [Option<i64>; 1])> = responses
        .iter()
        .map(|(name, r)| (name.to_owned(), [r.value()]))
        .collect();
    let columns: Vec<(&str, &[Option<i64>])> =
        values.iter().map(|(n, v)| (n.as_str(), &v[..])).collect();
    let many = barnvern_outcomes::score_columns(instrument, &columns, None, &options);
    if columns.is_empty() {
        // Without a column the table has no rows (documented: callers with a row count of
        // their own, as `barnvern_arrow::scoring` has, pad the result).
        if let Ok(many) = many {
            assert_eq!(many.rows, 0, "a table without columns has rows");
        }
        return;
    }
    match (one, many) {
        (Ok(one), Ok(many)) => {
            assert_eq!(many.rows, 1);
            for s in &one.scores {
                let column = many.column(&s.id).expect("every score has a column");
                let value = column.values[0];
                assert!(
                    value == s.value
                        || value
                            .zip(s.value)
                            .is_some_and(|(a, b)| a.is_nan() && b.is_nan()),
                    "score {}: one respondent gives {:?}, the column gives {value:?}",
                    s.id,
                    s.value
                );
                let band = column
                    .bands
                    .as_ref()
                    .and_then(|b| b.codes[0].map(|c| b.labels[usize::from(c)].clone()));
                assert_eq!(
                    band,
                    s.band.as_ref().map(|b| b.label.clone()),
                    "score {}: the bands differ",
                    s.id
                );
            }
        }
        (Err(a), Err(b)) => {
            clean(&a);
            clean(&b);
        }
        (one, many) => panic!(
            "one respondent and the column table disagree on refusing: {:?} vs {:?}",
            one.as_ref().err().map(|e| e.findings().to_vec()),
            many.as_ref().err().map(|e| e.findings().to_vec())
        ),
    }
}
