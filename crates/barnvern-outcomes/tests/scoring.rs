//! Scoring through the public API, with hand-computed vectors for every rule in DESIGN.md
//! section 7.

// Helpers outside #[test] functions panic on purpose: a failed helper is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use barnvern_outcomes::{
    ImpactMissingPolicy, Informant, Instrument, Responses, ScoreOptions, Scores, builtin,
    builtin_json, qs_rows, score, score_columns, score_columns_from,
};
use proptest::prelude::*;

const SDQ_ITEMS: [&str; 25] = [
    "consid", "restles", "somatic", "shares", "tantrum", "loner", "obeys", "worries", "caring",
    "fidgety", "friend", "fights", "unhappy", "popular", "distrac", "clingy", "kind", "lies",
    "bullied", "helpout", "reflect", "steals", "oldbest", "afraid", "attends",
];
const REVERSED: [&str; 5] = ["obeys", "friend", "popular", "reflect", "attends"];

fn sdq(id: &str) -> &'static Instrument {
    builtin(id).expect("built-in SDQ")
}

fn opts(age: u32) -> ScoreOptions {
    ScoreOptions {
        age: Some(age),
        ..ScoreOptions::default()
    }
}

fn run(id: &str, pairs: &[(&str, i64)]) -> Scores {
    let responses: Responses = pairs.iter().map(|(k, v)| (*k, *v)).collect();
    score(sdq(id), &responses, &opts(10)).expect("valid responses")
}

// --- DESIGN.md section 7: the SDQ rules --------------------------------------------------------

#[test]
fn four_points_over_three_answered_items_is_seven() {
    // emotional: somatic, worries, unhappy, clingy, afraid. 2 + 2 + 0 over 3 items: 4/3 x 5 = 6.67.
    let s = run(
        "sdq-p-4-17",
        &[("somatic", 2), ("worries", 2), ("unhappy", 0)],
    );
    assert_eq!(s.value("emotional"), Some(7.0));
}

#[test]
fn four_items_summing_to_two_round_half_up_to_three() {
    // 2/4 x 5 = 2.5 -> 3 (banker's rounding would give 2).
    let s = run(
        "sdq-p-4-17",
        &[
            ("somatic", 1),
            ("worries", 1),
            ("unhappy", 0),
            ("clingy", 0),
        ],
    );
    assert_eq!(s.value("emotional"), Some(3.0));
}

#[test]
fn all_items_zero_give_total_ten_through_the_reverse_keys() {
    let all: Vec<(&str, i64)> = SDQ_ITEMS.iter().map(|n| (*n, 0)).collect();
    let s = run("sdq-p-4-17", &all);
    // obeys (conduct), reflect + attends (hyperactivity), friend + popular (peer) score 2 - 0.
    assert_eq!(s.value("emotional"), Some(0.0));
    assert_eq!(s.value("conduct"), Some(2.0));
    assert_eq!(s.value("hyperactivity"), Some(4.0));
    assert_eq!(s.value("peer"), Some(4.0));
    assert_eq!(s.value("prosocial"), Some(0.0));
    assert_eq!(s.value("total"), Some(10.0));
    assert_eq!(s.value("externalising"), Some(6.0));
    assert_eq!(s.value("internalising"), Some(4.0));
}

#[test]
fn a_scale_with_three_missing_items_is_missing_and_so_is_the_total() {
    let mut all: Vec<(&str, i64)> = SDQ_ITEMS.iter().map(|n| (*n, 1)).collect();
    all.retain(|(n, _)| !["unhappy", "clingy", "afraid"].contains(n));
    let s = run("sdq-p-4-17", &all);
    assert_eq!(s.value("emotional"), None);
    assert_eq!(s.value("total"), None);
    assert_eq!(s.value("internalising"), None);
    assert_eq!(s.value("externalising"), Some(10.0));
    assert_eq!(s.value("conduct"), Some(5.0));
    // Two missing is still scored: 3 answered of 5.
    let mut two: Vec<(&str, i64)> = SDQ_ITEMS.iter().map(|n| (*n, 1)).collect();
    two.retain(|(n, _)| !["clingy", "afraid"].contains(n));
    assert_eq!(run("sdq-p-4-17", &two).value("emotional"), Some(5.0));
}

#[test]
fn not_done_counts_as_missing() {
    let mut r = Responses::new();
    r.answer("somatic", 2).answer("worries", 2);
    r.not_done("unhappy", Some("refused".into()));
    let s = score(sdq("sdq-p-4-17"), &r, &opts(10)).unwrap();
    assert_eq!(s.value("emotional"), None);
}

const PARENT_IMPACT: [(&str, i64); 5] = [
    ("distres", 3), // a great deal: 2
    ("imphome", 2), // quite a lot: 1
    ("impfrie", 1), // only a little: 0
    ("impclas", 0), // not at all: 0
    ("impleis", 3), // 2
];

#[test]
fn impact_items_score_0_0_1_2_and_sum_by_informant() {
    let mut pairs = PARENT_IMPACT.to_vec();
    pairs.push(("ebddiff", 2));
    assert_eq!(run("sdq-p-4-17", &pairs).value("impact"), Some(5.0));
    assert_eq!(run("sdq-s-11-17", &pairs).value("impact"), Some(5.0));
    // Teacher: distres + impfrie + impclas.
    let teacher = [
        ("ebddiff", 1),
        ("distres", 3),
        ("impfrie", 2),
        ("impclas", 3),
    ];
    assert_eq!(run("sdq-t-4-17", &teacher).value("impact"), Some(5.0));
}

#[test]
fn impact_is_forced_to_zero_after_no_difficulties() {
    let mut pairs = PARENT_IMPACT.to_vec();
    pairs.push(("ebddiff", 0));
    assert_eq!(run("sdq-p-4-17", &pairs).value("impact"), Some(0.0));
    // Usually the impact items are skipped after "no": still 0, not missing.
    assert_eq!(
        run("sdq-p-4-17", &[("ebddiff", 0)]).value("impact"),
        Some(0.0)
    );
    assert_eq!(
        run("sdq-t-4-17", &[("ebddiff", 0)]).value("impact"),
        Some(0.0)
    );
    // Without the difficulties question and without items the impact is missing.
    assert_eq!(run("sdq-p-4-17", &[]).value("impact"), None);
}

#[test]
fn a_missing_impact_item_follows_the_named_policy() {
    let pairs = [
        ("ebddiff", 1),
        ("distres", 3),
        ("imphome", 2),
        ("impfrie", 1),
        ("impclas", 0),
    ];
    let responses: Responses = pairs.iter().map(|(k, v)| (*k, *v)).collect();
    let default = score(sdq("sdq-p-4-17"), &responses, &opts(10)).unwrap();
    assert_eq!(default.value("impact"), None, "published syntax: missing");
    let lenient = ScoreOptions {
        impact_missing_policy: ImpactMissingPolicy::SumAnswered,
        ..opts(10)
    };
    let s = score(sdq("sdq-p-4-17"), &responses, &lenient).unwrap();
    assert_eq!(s.value("impact"), Some(3.0));
    // The policy touches only the impact scale.
    assert_eq!(s.value("emotional"), None);
}

// --- Bands: each boundary, the value on it and one either side ---------------------------------

type Table = [(u32, u32, &'static str); 4];
const D: [&str; 4] = ["close to average", "slightly raised", "high", "very high"];
const P: [&str; 4] = ["close to average", "slightly lowered", "low", "very low"];

/// DESIGN.md section 7, written out independently of the data files.
fn expected(informant: Informant) -> Vec<(&'static str, u32, Table)> {
    let t = |r: [(u32, u32); 4], l: [&'static str; 4]| -> Table {
        [
            (r[0].0, r[0].1, l[0]),
            (r[1].0, r[1].1, l[1]),
            (r[2].0, r[2].1, l[2]),
            (r[3].0, r[3].1, l[3]),
        ]
    };
    match informant {
        Informant::Parent => vec![
            ("total", 40, t([(0, 13), (14, 16), (17, 19), (20, 40)], D)),
            ("emotional", 10, t([(0, 3), (4, 4), (5, 6), (7, 10)], D)),
            ("conduct", 10, t([(0, 2), (3, 3), (4, 5), (6, 10)], D)),
            ("hyperactivity", 10, t([(0, 5), (6, 7), (8, 8), (9, 10)], D)),
            ("peer", 10, t([(0, 2), (3, 3), (4, 4), (5, 10)], D)),
            ("prosocial", 10, t([(8, 10), (7, 7), (6, 6), (0, 5)], P)),
        ],
        _ => vec![
            ("total", 40, t([(0, 11), (12, 15), (16, 18), (19, 40)], D)),
            ("emotional", 10, t([(0, 3), (4, 4), (5, 5), (6, 10)], D)),
            ("conduct", 10, t([(0, 2), (3, 3), (4, 4), (5, 10)], D)),
            ("hyperactivity", 10, t([(0, 5), (6, 7), (8, 8), (9, 10)], D)),
            ("peer", 10, t([(0, 2), (3, 4), (5, 5), (6, 10)], D)),
            ("prosocial", 10, t([(6, 10), (5, 5), (4, 4), (0, 3)], P)),
        ],
    }
}

const SCALE_ITEMS: [(&str, [&str; 5]); 5] = [
    (
        "emotional",
        ["somatic", "worries", "unhappy", "clingy", "afraid"],
    ),
    ("conduct", ["tantrum", "obeys", "fights", "lies", "steals"]),
    (
        "hyperactivity",
        ["restles", "fidgety", "distrac", "reflect", "attends"],
    ),
    ("peer", ["loner", "friend", "bullied", "popular", "oldbest"]),
    (
        "prosocial",
        ["consid", "shares", "caring", "kind", "helpout"],
    ),
];

/// Responses giving scale `scale` the score `value` (0-10) with every item answered.
fn answers_for(scale: &str, value: u32, out: &mut Vec<(&'static str, i64)>) {
    let items = SCALE_ITEMS.iter().find(|(s, _)| *s == scale).unwrap().1;
    let mut left = i64::from(value);
    for item in items {
        let weight = left.min(2);
        left -= weight;
        let recorded = if REVERSED.contains(&item) {
            2 - weight
        } else {
            weight
        };
        out.push((item, recorded));
    }
    assert_eq!(left, 0);
}

/// Responses giving the score `id` the value `value`.
fn responses_for(id: &str, value: u32) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    if id == "total" {
        let mut left = value;
        for scale in ["emotional", "conduct", "hyperactivity", "peer"] {
            let v = left.min(10);
            left -= v;
            answers_for(scale, v, &mut out);
        }
    } else {
        answers_for(id, value, &mut out);
    }
    out
}

fn check_boundaries(instrument: &str, informant: Informant) {
    let mut checked = 0;
    for (id, max, table) in expected(informant) {
        for &(lo, hi, _) in &table {
            for bound in [lo, hi] {
                for v in [bound.saturating_sub(1), bound, (bound + 1).min(max)] {
                    let s = run(instrument, &responses_for(id, v));
                    assert_eq!(s.value(id), Some(f64::from(v)), "{instrument} {id} {v}");
                    let want = table.iter().find(|(a, b, _)| *a <= v && v <= *b).unwrap().2;
                    assert_eq!(s.band(id), Some(want), "{instrument} {id} = {v}");
                    let band = s.get(id).unwrap().band.as_ref().unwrap();
                    assert!(band.verified, "{instrument} {id}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 6 * 8 * 3);
}

#[test]
fn parent_band_boundaries() {
    check_boundaries("sdq-p-4-17", Informant::Parent);
}

#[test]
fn teacher_band_boundaries() {
    check_boundaries("sdq-t-4-17", Informant::Teacher);
}

#[test]
fn self_report_and_impact_bands_are_marked_unverified() {
    let responses: Responses = responses_for("emotional", 5).into_iter().collect();
    let s = score(sdq("sdq-s-11-17"), &responses, &opts(14)).unwrap();
    let band = s.get("emotional").unwrap().band.as_ref().unwrap();
    assert!(!band.verified);
    let s = run("sdq-p-4-17", &[("ebddiff", 0)]);
    let band = s.get("impact").unwrap().band.as_ref().unwrap();
    assert_eq!(band.label, "close to average");
    assert!(!band.verified);
}

#[test]
fn bands_follow_age_and_warn_outside_it() {
    let responses: Responses = responses_for("emotional", 5).into_iter().collect();
    let s = score(sdq("sdq-p-4-17"), &responses, &opts(19)).unwrap();
    assert_eq!(s.value("emotional"), Some(5.0));
    assert_eq!(s.band("emotional"), None);
    let codes: Vec<&str> = s.warnings.iter().map(|w| w.code.as_str()).collect();
    assert!(codes.contains(&"outcomes.age_outside_range"), "{codes:?}");
    assert!(codes.contains(&"outcomes.no_band_table"), "{codes:?}");
    // No age given: the table for the informant is used.
    let s = score(sdq("sdq-p-4-17"), &responses, &ScoreOptions::default()).unwrap();
    assert_eq!(s.band("emotional"), Some("high"));
}

#[test]
fn the_informant_must_match_the_form() {
    let options = ScoreOptions {
        informant: Some(Informant::Teacher),
        ..opts(10)
    };
    let err = score(sdq("sdq-p-4-17"), &Responses::new(), &options).unwrap_err();
    assert_eq!(err.findings()[0].code, "outcomes.informant_mismatch");
}

#[test]
fn scores_name_the_algorithm_and_version() {
    let s = run("sdq-p-4-17", &[]);
    assert_eq!(s.instrument, "sdq-p-4-17");
    assert_eq!(s.algorithm, "sdq-prorated-half-up");
    assert_eq!(s.version, sdq("sdq-p-4-17").version());
    assert_eq!(s.engine_version, barnvern_outcomes::ENGINE_VERSION);
    assert_eq!(s.informant, Some(Informant::Parent));
}

// --- SWEMWBS, WEMWBS, AIM/IAM/FIM --------------------------------------------------------------

fn items_score(id: &str, values: &[Option<i64>]) -> Scores {
    let instrument = builtin(id).unwrap();
    let responses: Responses = instrument
        .items()
        .iter()
        .zip(values)
        .map(|(item, v)| (item.name.to_string(), *v))
        .collect();
    score(instrument, &responses, &ScoreOptions::default()).unwrap()
}

#[test]
fn swemwbs_converts_by_the_rasch_table() {
    let s = items_score("swemwbs", &[Some(1); 7]);
    assert_eq!(s.value("swemraw"), Some(7.0));
    assert_eq!(s.value("swemwbs"), Some(7.00));
    let s = items_score("swemwbs", &[Some(5); 7]);
    assert_eq!(s.value("swemwbs"), Some(35.00));
    let twenty = [5, 5, 5, 2, 1, 1, 1].map(Some);
    let s = items_score("swemwbs", &twenty);
    assert_eq!(s.value("swemraw"), Some(20.0));
    assert_eq!(s.value("swemwbs"), Some(18.59));
    // Complete cases only.
    let mut six = [Some(3); 7];
    six[6] = None;
    assert_eq!(items_score("swemwbs", &six).value("swemwbs"), None);
}

#[test]
fn wemwbs_is_the_sum_of_fourteen_items() {
    assert_eq!(
        items_score("wemwbs", &[Some(1); 14]).value("wemwbs"),
        Some(14.0)
    );
    assert_eq!(
        items_score("wemwbs", &[Some(5); 14]).value("wemwbs"),
        Some(70.0)
    );
    let mut missing = [Some(3); 14];
    missing[0] = None;
    assert_eq!(items_score("wemwbs", &missing).value("wemwbs"), None);
}

#[test]
fn aim_iam_fim_are_the_mean_of_four() {
    let s = items_score("aim", &[4, 4, 5, 4].map(Some));
    assert_eq!(s.value("aim"), Some(4.25));
    assert_eq!(
        items_score("iam", &[1, 2, 3, 4].map(Some)).value("iam"),
        Some(2.5)
    );
    assert_eq!(
        items_score("fim", &[5; 4].map(Some)).value("fim"),
        Some(5.0)
    );
    assert_eq!(
        items_score("aim", &[Some(4), Some(4), Some(5), None]).value("aim"),
        None
    );
    let benchmark = builtin("aim").unwrap().def().scales[0].benchmark;
    let summary = barnvern_outcomes::summarise(&[Some(4.25), Some(3.0), Some(3.5)], benchmark);
    assert_eq!(summary.median, Some(3.5));
    assert_eq!(summary.median_meets_benchmark, Some(true));
}

// --- Bad input is an error naming the item -----------------------------------------------------

#[test]
fn a_response_out_of_range_names_the_item_and_the_allowed_values() {
    let responses: Responses = [("obeys", 3i64)].into_iter().collect();
    let err = score(sdq("sdq-p-4-17"), &responses, &opts(10)).unwrap_err();
    let finding = &err.findings()[0];
    assert_eq!(finding.code, "outcomes.out_of_range");
    assert_eq!(finding.path, "responses.obeys");
    assert!(finding.message.contains("obeys"), "{finding}");
    assert!(finding.message.contains("0, 1, 2"), "{finding}");
}

#[test]
fn an_unknown_item_is_an_error_not_ignored() {
    let responses: Responses = [("obeyz", 1i64), ("obeys", 1)].into_iter().collect();
    let err = score(sdq("sdq-p-4-17"), &responses, &opts(10)).unwrap_err();
    let finding = &err.findings()[0];
    assert_eq!(finding.code, "outcomes.unknown_item");
    assert_eq!(finding.path, "responses.obeyz");
    assert!(finding.message.contains("obeyz"), "{finding}");
}

#[test]
fn a_wrong_type_is_an_error_naming_the_item() {
    let err = Responses::from_json(r#"{"obeys": 1, "lies": "2"}"#).unwrap_err();
    let finding = &err.findings()[0];
    assert_eq!(finding.code, "outcomes.wrong_type");
    assert_eq!(finding.path, "responses.lies");
    assert!(finding.message.contains("lies"), "{finding}");
}

#[test]
fn every_bad_value_is_reported_at_once() {
    let responses: Responses = [("obeys", 3i64), ("lies", -1), ("nope", 0)]
        .into_iter()
        .collect();
    let err = score(sdq("sdq-p-4-17"), &responses, &opts(10)).unwrap_err();
    assert_eq!(err.findings().len(), 3);
}

// --- A user-defined instrument works exactly like a built-in one -------------------------------

#[test]
fn a_user_copy_of_a_builtin_scores_identically() {
    let mut def: serde_json::Value =
        serde_json::from_str(builtin_json("sdq-p-4-17").unwrap()).unwrap();
    def["id"] = "my-sdq".into();
    let mine = Instrument::from_json(&def.to_string()).unwrap();
    let pairs: Vec<(&str, i64)> = SDQ_ITEMS
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, (i % 3) as i64))
        .chain([
            ("ebddiff", 1),
            ("distres", 2),
            ("imphome", 1),
            ("impfrie", 3),
            ("impclas", 0),
            ("impleis", 2),
        ])
        .collect();
    let responses: Responses = pairs.into_iter().collect();
    let a = score(sdq("sdq-p-4-17"), &responses, &opts(8)).unwrap();
    let b = score(&mine, &responses, &opts(8)).unwrap();
    assert_eq!(b.instrument, "my-sdq");
    assert_eq!(a.scores, b.scores);
}

#[test]
fn a_proprietary_scale_with_the_users_own_key() {
    // A PSI-SF-like key: 36 items 1-5, three subscales of 12 summed, a total; two items reversed.
    // The key is invented for the test; no real item or key is shipped.
    let items: Vec<String> = (1..=36).map(|i| format!("psi{i:02}")).collect();
    let def = serde_json::json!({
        "id": "psi-sf-local", "version": "site-2026", "algorithm": "user-key-sum",
        "name": "Parenting stress (user's key)", "informant": "parent",
        "response_sets": {"five": (1..=5).map(|v| serde_json::json!({"value": v, "weight": v})).collect::<Vec<_>>()},
        "items": items.iter().enumerate().map(|(i, n)| serde_json::json!({"name": n, "position": i + 1, "responses": "five"})).collect::<Vec<_>>(),
        "reverse_keyed": ["psi01", "psi13"],
        "scales": [
            {"id": "pd", "label": "parental distress", "qs_testcd": "PSIPD", "items": &items[0..12], "method": "sum", "min_answered": 12, "rounding": {"mode": "none"}},
            {"id": "pcdi", "label": "interaction", "qs_testcd": "PSIPCDI", "items": &items[12..24], "method": "sum", "min_answered": 12, "rounding": {"mode": "none"}},
            {"id": "dc", "label": "difficult child", "qs_testcd": "PSIDC", "items": &items[24..36], "method": "sum", "min_answered": 12, "rounding": {"mode": "none"}}
        ],
        "composites": [{"id": "total", "label": "total stress", "qs_testcd": "PSITOT", "scales": ["pd", "pcdi", "dc"]}],
        "band_tables": [{"score": "total", "age": {"min": 0, "max": 12}, "verified": false, "source": "site key",
                          "bands": [{"min": 36, "max": 89, "label": "normal"}, {"min": 90, "max": 180, "label": "clinical"}]}]
    });
    let psi = Instrument::from_json(&def.to_string()).unwrap();
    let mut r = Responses::new();
    for (i, name) in items.iter().enumerate() {
        r.answer(name.as_str(), if i == 0 { 5 } else { 3 });
    }
    let s = score(&psi, &r, &opts(4)).unwrap();
    assert_eq!(s.value("pd"), Some(34.0)); // psi01 reversed: 6 - 5 = 1, plus 11 x 3
    assert_eq!(s.value("pcdi"), Some(36.0)); // psi13 reversed: 6 - 3 = 3
    assert_eq!(s.value("total"), Some(106.0));
    assert_eq!(s.band("total"), Some("clinical"));
    let bulk = score_columns(
        &psi,
        &items
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    n.as_str(),
                    if i == 0 {
                        &[Some(5)][..]
                    } else {
                        &[Some(3)][..]
                    },
                )
            })
            .collect::<Vec<_>>(),
        None,
        &opts(4),
    )
    .unwrap();
    assert_eq!(bulk.column("total").unwrap().values, [Some(106.0)]);
}

// --- The bulk scorer ---------------------------------------------------------------------------

#[test]
fn bulk_errors_name_the_item_and_the_row() {
    let inst = sdq("sdq-p-4-17");
    let obeys = [Some(1), Some(7)];
    let err = score_columns(inst, &[("obeys", &obeys[..])], None, &opts(9)).unwrap_err();
    assert_eq!(err.findings()[0].path, "columns.obeys[1]");
    assert_eq!(err.findings()[0].code, "outcomes.out_of_range");
    let short = [Some(1)];
    let err = score_columns(
        inst,
        &[("obeys", &obeys[..]), ("lies", &short[..])],
        None,
        &opts(9),
    )
    .unwrap_err();
    assert_eq!(err.findings()[0].code, "outcomes.column_length");
    let err = score_columns(inst, &[("obeyz", &short[..])], None, &opts(9)).unwrap_err();
    assert_eq!(err.findings()[0].code, "outcomes.unknown_item");
}

#[test]
fn a_block_of_a_longer_table_names_the_row_in_the_whole_table() {
    let obeys = [Some(1), Some(7)];
    let err = score_columns_from(
        sdq("sdq-p-4-17"),
        &[("obeys", &obeys[..])],
        None,
        &opts(9),
        1000,
    )
    .unwrap_err();
    assert_eq!(err.findings()[0].path, "columns.obeys[1001]");
}

#[test]
fn sdq_score_ids_are_the_contract_names_and_qs_codes_stay_short() {
    for id in ["sdq-p-4-17", "sdq-t-4-17", "sdq-s-11-17"] {
        let inst = sdq(id);
        let ids: Vec<&str> = inst.score_ids().collect();
        assert_eq!(
            ids,
            [
                "emotional",
                "conduct",
                "hyperactivity",
                "peer",
                "prosocial",
                "impact",
                "total",
                "externalising",
                "internalising"
            ]
        );
        assert!(ids.iter().all(|s| inst.whole_number_score(s)), "{id}");
        let scores = run(id, &[("somatic", 2)]);
        let rows = qs_rows(inst, "P1", &Responses::new(), &scores);
        let codes: Vec<&str> = rows
            .iter()
            .filter(|r| r.qsdrvfl)
            .map(|r| r.qstestcd.as_str())
            .collect();
        assert_eq!(
            codes,
            [
                "SDQEMOT", "SDQCOND", "SDQHYPR", "SDQPEER", "SDQPROS", "SDQIMPCT", "SDQTOT",
                "SDQEXT", "SDQINT"
            ]
        );
    }
    assert!(!builtin("aim").unwrap().whole_number_score("aim"));
    assert!(!builtin("swemwbs").unwrap().whole_number_score("swemwbs"));
    assert!(builtin("swemwbs").unwrap().whole_number_score("swemraw"));
}

#[test]
fn bulk_lists_the_first_hundred_bad_values_and_counts_the_rest() {
    let lies = vec![Some(9); 150];
    let err = score_columns(sdq("sdq-p-4-17"), &[("lies", &lies[..])], None, &opts(9)).unwrap_err();
    assert_eq!(err.findings().len(), 101);
    assert_eq!(err.findings()[99].path, "columns.lies[99]");
    let last = &err.findings()[100];
    assert_eq!(last.code, "outcomes.more_issues");
    assert!(last.message.starts_with("50 more"), "{last}");
}

fn row_strategy(items: usize) -> impl Strategy<Value = Vec<Option<i64>>> {
    proptest::collection::vec(proptest::option::of(0i64..=2), items)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn bulk_scoring_equals_scoring_one_by_one(
        which in 0usize..3,
        lenient in any::<bool>(),
        rows in proptest::collection::vec(
            (row_strategy(25), proptest::collection::vec(proptest::option::of(0i64..=3), 6),
             proptest::option::of(2u32..20)),
            0..40,
        ),
    ) {
        let id = ["sdq-p-4-17", "sdq-t-4-17", "sdq-s-11-17"][which];
        let instrument = sdq(id);
        let names: Vec<&str> = instrument.items().iter().map(|i| i.name.as_str()).collect();
        let options = ScoreOptions {
            impact_missing_policy: if lenient { ImpactMissingPolicy::SumAnswered } else { ImpactMissingPolicy::AllItemsRequired },
            country: Some("SE".parse().unwrap()),
            ..ScoreOptions::default()
        };
        // Row values in item order: 25 SDQ items, then ebddiff and the impact items (3 or 5).
        let full: Vec<Vec<Option<i64>>> = rows
            .iter()
            .map(|(sdq, extra, _)| sdq.iter().chain(extra).take(names.len()).copied().collect())
            .collect();
        let columns: Vec<Vec<Option<i64>>> = (0..names.len())
            .map(|i| full.iter().map(|r| r[i]).collect())
            .collect();
        let ages: Vec<Option<u32>> = rows.iter().map(|r| r.2).collect();
        let pairs: Vec<(&str, &[Option<i64>])> =
            names.iter().zip(&columns).map(|(n, c)| (*n, c.as_slice())).collect();
        let bulk = score_columns(instrument, &pairs, Some(&ages), &options).unwrap();
        prop_assert_eq!(bulk.rows, rows.len());
        for (row, values) in full.iter().enumerate() {
            let responses: Responses = names.iter().zip(values).map(|(n, v)| (*n, *v)).collect();
            let one = score(instrument, &responses, &ScoreOptions { age: ages[row], ..options.clone() }).unwrap();
            for (s, column) in one.scores.iter().zip(&bulk.columns) {
                prop_assert_eq!(&s.id, &column.id);
                prop_assert_eq!(s.value, column.values[row]);
                let bulk_band = column.bands.as_ref().and_then(|b| {
                    b.codes[row].map(|c| b.labels[usize::from(c)].as_str())
                });
                prop_assert_eq!(s.band.as_ref().map(|b| b.label.as_str()), bulk_band);
            }
        }
    }
}
