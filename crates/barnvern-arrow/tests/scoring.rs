//! The Arrow scorer ([`TableScorer`], behind `bv.score_table` and `barnvern score`) reads item
//! columns of any integer width with their validity bitmaps in place; these properties check it
//! against the per-respondent scorer ([`barnvern_outcomes::score`]) for every built-in
//! instrument: the same value and band for every score of every row, whatever the width, the
//! nulls, a slice's offset or the ages, and the same findings for values that are not response
//! options.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeSet;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int8Type;
use arrow_array::{
    Array, ArrayRef, Int8Array, Int16Array, Int32Array, Int64Array, RecordBatch, UInt8Array,
    UInt64Array,
};
use arrow_schema::{Field, Schema};
use barnvern_arrow::scoring::{Columns, TableScorer};
use barnvern_outcomes::scoring::MAX_LISTED_ISSUES;
use barnvern_outcomes::{
    ImpactMissingPolicy, Responses, ScoreOptions, builtin, builtin_ids, score,
};
use proptest::prelude::*;

/// A cell: not done, one of the item's options (by position), or a value that is not an option.
#[derive(Debug, Clone, Copy)]
enum Cell {
    Missing,
    Option(usize),
    Bad(i64),
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        3 => Just(Cell::Missing),
        16 => (0usize..64).prop_map(Cell::Option),
        1 => prop_oneof![Just(-1i64), Just(9), Just(100), Just(127)].prop_map(Cell::Bad),
    ]
}

/// An integer array of type `width` (0..6) holding `values`.
fn array(width: usize, values: &[Option<i64>]) -> ArrayRef {
    let it = values.iter().copied();
    match width {
        0 => Arc::new(it.map(|v| v.map(|v| v as i8)).collect::<Int8Array>()),
        1 => Arc::new(it.map(|v| v.map(|v| v as i16)).collect::<Int16Array>()),
        2 => Arc::new(it.map(|v| v.map(|v| v as i32)).collect::<Int32Array>()),
        3 => Arc::new(it.collect::<Int64Array>()),
        // Unsigned columns hold no negative value: -1 stands for the largest one.
        4 => Arc::new(it.map(|v| v.map(|v| v as u8)).collect::<UInt8Array>()),
        _ => Arc::new(it.map(|v| v.map(|v| v as u64)).collect::<UInt64Array>()),
    }
}

/// The value an array of type `width` holds for `v` (what the scorer must see).
fn stored(width: usize, v: i64) -> i64 {
    match width {
        0 => i64::from(v as i8),
        1 => i64::from(v as i16),
        2 => i64::from(v as i32),
        4 => i64::from(v as u8),
        5 => i64::try_from(v as u64).unwrap_or(i64::MAX),
        _ => v,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arrow_scoring_equals_scoring_one_by_one(
        which in 0usize..64,
        widths in proptest::collection::vec(0usize..6, 64),
        cells in proptest::collection::vec(proptest::collection::vec(cell(), 40), 1..70),
        ages in proptest::collection::vec(proptest::option::of(2u32..20), 70),
        offset in 0usize..9,
        with_ages in any::<bool>(),
        // Most cases have no bad value, so the scores themselves are compared.
        with_bad in proptest::bool::weighted(0.25),
        lenient in any::<bool>(),
    ) {
        let ids: Vec<&str> = builtin_ids().collect();
        let id = ids[which % ids.len()];
        let instrument = builtin(id).unwrap();
        let options = ScoreOptions {
            impact_missing_policy: if lenient {
                ImpactMissingPolicy::SumAnswered
            } else {
                ImpactMissingPolicy::AllItemsRequired
            },
            ..ScoreOptions::default()
        };
        // `offset` leading rows that the slice drops, so validity bitmaps start mid-byte.
        let rows = cells.len();
        let mut fields = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        // Per row, the responses the scorer must see; and every cell that is not an option.
        let mut expected: Vec<Vec<(String, Option<i64>)>> = vec![Vec::new(); rows];
        let mut bad = BTreeSet::new();
        for (i, item) in instrument.items().iter().enumerate() {
            let name = item.name.as_str();
            let allowed: Vec<i64> = instrument.options(name).unwrap().iter().map(|o| o.value).collect();
            let width = widths[i];
            let mut values = vec![Some(allowed[0]); offset];
            for (row, c) in cells.iter().enumerate() {
                let value = match c[i % 40] {
                    Cell::Missing => None,
                    Cell::Option(k) => Some(allowed[k % allowed.len()]),
                    Cell::Bad(v) if with_bad => Some(v),
                    Cell::Bad(_) => None,
                };
                let seen = value.map(|v| stored(width, v));
                if let Some(v) = seen && !allowed.contains(&v) {
                    bad.insert(format!("columns.{name}[{row}]"));
                }
                expected[row].push((name.to_owned(), seen));
                values.push(value);
            }
            fields.push(Field::new(name, arrays_type(width), true));
            arrays.push(array(width, &values));
        }
        let mut columns = Columns::default();
        if with_ages {
            fields.push(Field::new("age", arrow_schema::DataType::Int16, true));
            let mut column = vec![None; offset];
            column.extend(ages[..rows].iter().map(|a| a.map(|a| a as i16)));
            arrays.push(Arc::new(Int16Array::from(column)));
            columns.age_column = Some("age".into());
        }
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
            .unwrap()
            .slice(offset, rows);
        let scorer = TableScorer::new(instrument, &batch.schema(), &columns, options.clone()).unwrap();
        let result = scorer.score(&batch, 0);
        if !bad.is_empty() {
            let err = result.unwrap_err();
            let mut findings = err.findings().to_vec();
            // Past MAX_LISTED_ISSUES bad values, one more finding counts the rest.
            if bad.len() > MAX_LISTED_ISSUES {
                let more = findings.pop().unwrap();
                prop_assert_eq!(more.code.as_str(), "outcomes.more_issues");
                let rest = format!("{} more", bad.len() - MAX_LISTED_ISSUES);
                prop_assert!(more.message.starts_with(&rest), "{}", more.message);
                prop_assert_eq!(findings.len(), MAX_LISTED_ISSUES);
            }
            prop_assert!(findings.iter().all(|f| f.code == "outcomes.out_of_range"));
            let found: BTreeSet<String> = findings.iter().map(|f| f.path.clone()).collect();
            if bad.len() > MAX_LISTED_ISSUES {
                prop_assert!(found.is_subset(&bad));
            } else {
                prop_assert_eq!(found, bad);
            }
            return Ok(());
        }
        let result = result.unwrap();
        for (row, responses) in expected.iter().enumerate() {
            let responses: Responses =
                responses.iter().map(|(n, v)| (n.as_str(), *v)).collect();
            let age = if with_ages { ages[row] } else { None };
            let one = score(instrument, &responses, &ScoreOptions { age, ..options.clone() }).unwrap();
            for s in &one.scores {
                let values = result.column_by_name(&s.id).unwrap().as_primitive::<arrow_array::types::Float64Type>();
                let value = values.is_valid(row).then(|| values.value(row));
                prop_assert_eq!(s.value, value, "{} {} row {}", id, s.id, row);
                if let Some(bands) = result.column_by_name(&format!("{}_band", s.id)) {
                    let bands = bands.as_dictionary::<Int8Type>();
                    let labels = bands.values().as_string::<i32>();
                    let band = bands.key(row).map(|k| labels.value(k));
                    prop_assert_eq!(s.band.as_ref().map(|b| b.label.as_str()), band, "{} {} row {}", id, s.id, row);
                }
            }
        }
    }
}

fn arrays_type(width: usize) -> arrow_schema::DataType {
    use arrow_schema::DataType::*;
    [Int8, Int16, Int32, Int64, UInt8, UInt64][width.min(5)].clone()
}

/// A batch large enough to be scored on several cores comes back in parts (one per core) that
/// together hold every row once and in order, each with its own id, and with the scores and
/// bands of scoring each respondent alone; `score` gives the same rows as one batch. Items are
/// 8-bit with nulls, the form the column kernel reads fastest, and the slice starts mid-byte.
#[test]
fn a_large_batch_is_scored_in_parts_that_keep_every_row_in_order() {
    let sdq = builtin("sdq-p-4-17").unwrap();
    let (rows, offset) = (150_001usize, 3usize);
    // A fixed linear congruential sequence: answers 0-2 and about one in twelve not done.
    let mut state = 20261207u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as u32
    };
    let mut fields = vec![Field::new(
        "respondent",
        arrow_schema::DataType::Int64,
        false,
    )];
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(Int64Array::from_iter_values(
        (0..(rows + offset) as i64).map(|r| r - offset as i64),
    ))];
    let mut answers: Vec<Vec<Option<i64>>> = Vec::new();
    for item in sdq.items() {
        let column: Vec<Option<i64>> = (0..rows + offset)
            .map(|_| match next() % 36 {
                0..=2 => None,
                n => Some(i64::from(n % 3)),
            })
            .collect();
        fields.push(Field::new(
            item.name.as_str(),
            arrow_schema::DataType::Int8,
            true,
        ));
        arrays.push(array(0, &column));
        answers.push(column[offset..].to_vec());
    }
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .unwrap()
        .slice(offset, rows);
    let columns = Columns {
        id_columns: vec!["respondent".into()],
        ..Columns::default()
    };
    let scorer = TableScorer::new(sdq, &batch.schema(), &columns, ScoreOptions::default()).unwrap();
    let parts = scorer.score_parts(&batch, 0).unwrap();
    if std::thread::available_parallelism().map_or(1, usize::from) > 1 {
        assert!(
            parts.len() > 1,
            "{} part(s) on a machine of several cores",
            parts.len()
        );
    }
    let mut first = 0i64;
    for part in &parts {
        assert_eq!(part.schema(), *scorer.schema());
        let ids = part
            .column(0)
            .as_primitive::<arrow_array::types::Int64Type>();
        assert_eq!(
            ids.value(0),
            first,
            "each part starts where the one before it ended"
        );
        first += part.num_rows() as i64;
    }
    assert_eq!(first, rows as i64);
    let whole = scorer.score(&batch, 0).unwrap();
    assert_eq!(
        whole,
        arrow_select::concat::concat_batches(scorer.schema(), &parts).unwrap()
    );
    let ids = whole
        .column(0)
        .as_primitive::<arrow_array::types::Int64Type>();
    assert!(ids.values().iter().copied().eq(0..rows as i64));
    // Every 7th row, and the rows on either side of each part's end, alone.
    let mut ends: Vec<usize> = parts
        .iter()
        .scan(0, |end, p| {
            *end += p.num_rows();
            Some(*end)
        })
        .flat_map(|end| [end - 1, end.min(rows - 1)])
        .collect();
    ends.extend((0..rows).step_by(7));
    for row in ends {
        let responses: Responses = sdq
            .items()
            .iter()
            .zip(&answers)
            .map(|(item, column)| (item.name.as_str(), column[row]))
            .collect();
        let one = score(sdq, &responses, &ScoreOptions::default()).unwrap();
        for s in &one.scores {
            let values = whole
                .column_by_name(&s.id)
                .unwrap()
                .as_primitive::<arrow_array::types::Float64Type>();
            assert_eq!(
                s.value,
                values.is_valid(row).then(|| values.value(row)),
                "{} row {row}",
                s.id
            );
            if let Some(bands) = whole.column_by_name(&format!("{}_band", s.id)) {
                let bands = bands.as_dictionary::<Int8Type>();
                let labels = bands.values().as_string::<i32>();
                let band = bands.key(row).map(|k| labels.value(k));
                assert_eq!(
                    s.band.as_ref().map(|b| b.label.as_str()),
                    band,
                    "{} row {row}",
                    s.id
                );
            }
        }
    }
}
