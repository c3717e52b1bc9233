//! Outcome measures of barnvern: instruments as data, item responses, scoring and costs.
//!
//! - [`instrument`]: definitions as data (items, response weights, reverse keys, scales,
//!   composites, band tables, a version), checked when loaded; a user's own definition (for a
//!   proprietary scale with the user's key) works exactly like a built-in one.
//! - [`builtin`](mod@builtin): `sdq-p-4-17`, `sdq-p-2-4`, `sdq-t-4-17`, `sdq-s-11-17`, `swemwbs`, `wemwbs`,
//!   `aim`, `iam`, `fim`. No item wording of copyrighted instruments is shipped.
//! - [`response`]: responses answered or not done with a reason, from JSON with errors naming
//!   the item.
//! - [`scoring`]: one respondent ([`score`]) or columns of many ([`score_columns`]); scores name
//!   the algorithm and the definition version.
//! - [`columnar`]: the same scoring over integer columns of any width with validity bitmaps
//!   (Arrow's layout), into dense score columns, at memory speed.
//! - [`bands`]: band tables keyed by informant, age range and country, verified or not.
//! - [`qs`]: the long layout of the CDISC SDTM QS domain; derived rows carry each score's short
//!   `qs_testcd` (`SDQEMOT` for `emotional`).
//! - [`costs`]: rate cards, activities and unit costs with named denominators.
//!
//! Scoring a parent SDQ:
//!
//! ```
//! use barnvern_outcomes::{Responses, ScoreOptions, builtin, score};
//!
//! let sdq = builtin("sdq-p-4-17").expect("a built-in instrument");
//! let responses = Responses::from_json(
//!     r#"{"somatic": 2, "worries": 1, "unhappy": 1, "clingy": null, "afraid": 0,
//!         "ebddiff": 0}"#,
//! )?;
//! let options = ScoreOptions { age: Some(9), ..ScoreOptions::default() };
//! let scores = score(sdq, &responses, &options)?;
//!
//! // 4 points over 4 answered emotional items: 4 / 4 x 5 = 5.
//! assert_eq!(scores.value("emotional"), Some(5.0));
//! assert_eq!(scores.band("emotional"), Some("high"));
//! // The other scales have no answers, so the total is missing.
//! assert_eq!(scores.value("total"), None);
//! // "No difficulties": impact is 0.
//! assert_eq!(scores.value("impact"), Some(0.0));
//! assert_eq!(scores.version, sdq.version());
//!
//! // Bad input is an error naming the item.
//! let bad = Responses::from_json(r#"{"obeys": 3}"#)?;
//! let err = score(sdq, &bad, &options).unwrap_err();
//! assert_eq!(err.findings()[0].code, "outcomes.out_of_range");
//! assert_eq!(err.findings()[0].path, "responses.obeys");
//! # Ok::<(), barnvern_core::ValidationError>(())
//! ```

pub mod bands;
pub mod builtin;
pub mod columnar;
pub mod costs;
pub mod instrument;
pub mod qs;
pub mod response;
pub mod scoring;

pub use bands::{Band, BandResult, BandTable, CountryCode};
pub use builtin::{builtin, builtin_ids, builtin_json};
pub use costs::{
    Activity, CostBasis, CostModel, CostSummary, Currency, FamilyKey, NonStaffItem, RateCard,
    Ratio, RoleId, SetupCost, SetupKind,
};
pub use instrument::{
    AgeRange, Composite, Conversion, Gate, Informant, Instrument, InstrumentDef, InstrumentId,
    Item, ItemName, ResponseOption, Rounding, Scale, ScaleMethod, ScoreId, check_qs_testcd,
};
pub use qs::{QsRow, qs_rows};
pub use response::{ItemResponse, Responses};
pub use scoring::{
    BandColumn, ENGINE_VERSION, ImpactMissingPolicy, Score, ScoreColumn, ScoreColumns,
    ScoreOptions, Scores, Summary, score, score_columns, score_columns_from, summarise,
};
