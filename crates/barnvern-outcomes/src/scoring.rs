//! The scoring algorithm: from recorded item values to scale, composite and band scores.
//!
//! For each scale, in definition order:
//! 1. if the scale has a gate and the gate item was answered with one of the gate values, the
//!    score is the gate's score (SDQ impact: 0 after "no difficulties");
//! 2. each answered item scores its option's weight, reverse keyed items
//!    `(lowest + highest weight) - weight`;
//! 3. with fewer than `min_answered` answered items the score is missing (an impact scale follows
//!    [`ImpactMissingPolicy`] instead);
//! 4. the raw score is the sum, the mean times the number of items (prorated sum) or the mean,
//!    kept as an exact fraction;
//! 5. it is rounded as the scale says ([`Rounding`]; half up is computed exactly on the
//!    fraction, so 4 points over 3 of 5 items is 20/3 = 6.67 -> 7 and 10/4 = 2.5 -> 3);
//! 6. a conversion table, if any, maps the raw sum to the reported score (SWEMWBS).
//!
//! A composite is the sum of its scales and is missing when any of them is missing. Each score is
//! then put in a band (see [`crate::bands`]).
//!
//! [`score`] scores one respondent; [`score_columns`] scores columns of many respondents with the
//! same plan and no allocation per row, and gives the same numbers.

use barnvern_core::{Finding, Findings, ValidationError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::bands::{BandResult, Candidates, CountryCode};
use crate::columnar::{DenseScores, IntColumn, IntValues, score_int_columns_from};
use crate::instrument::{Informant, Instrument, InstrumentDef, Rounding, ScaleMethod};
use crate::response::{Responses, out_of_range};

/// The version of this crate's scoring engine, reported with every score.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What to do when an item of an impact scale (SDQ impact supplement) is missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImpactMissingPolicy {
    /// The published SDQ syntax: the impact score is missing when any impact item is missing
    /// (unless the gate, "no difficulties", fixes it at 0). The default.
    #[default]
    AllItemsRequired,
    /// Sum the answered impact items; missing only when none is answered.
    SumAnswered,
}

/// How to score: who answered, the child's age and the country for bands, and the impact policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreOptions {
    /// The informant; defaults to the instrument's. Must agree with the instrument's when both
    /// are given.
    #[serde(default)]
    pub informant: Option<Informant>,
    /// The child's age in whole years, to choose the band table; unknown means any table of the
    /// informant and country.
    #[serde(default)]
    pub age: Option<u32>,
    /// The country whose band tables are preferred; tables for any country are the fallback.
    #[serde(default)]
    pub country: Option<CountryCode>,
    /// What to do when an impact item is missing.
    #[serde(default)]
    pub impact_missing_policy: ImpactMissingPolicy,
}

/// One derived score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Score {
    /// The score id, e.g. `emotional`.
    pub id: String,
    /// Its label, e.g. `emotional problems`.
    pub label: String,
    /// The value; missing when too few items were answered.
    pub value: Option<f64>,
    /// The band the value falls in, when a band table applies.
    pub band: Option<BandResult>,
    /// True when the instrument has band tables for this score and informant (the band can
    /// still be missing: no score, or no table for the age).
    #[serde(default)]
    pub banded: bool,
}

/// The scores of one respondent: derived records naming the instrument, its definition version
/// and the algorithm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Scores {
    /// The instrument id.
    pub instrument: String,
    /// The scoring algorithm's name.
    pub algorithm: String,
    /// The version of the instrument definition that was applied.
    pub version: String,
    /// The version of the scoring engine ([`ENGINE_VERSION`]).
    pub engine_version: String,
    /// The informant the bands were chosen for.
    pub informant: Option<Informant>,
    /// Every score, scales first then composites, in definition order.
    pub scores: Vec<Score>,
    /// Warnings that do not stop scoring (no band table for the age, age outside the form's range).
    pub warnings: Vec<Finding>,
}

impl Scores {
    /// The score `id`.
    pub fn get(&self, id: &str) -> Option<&Score> {
        self.scores.iter().find(|s| s.id == id)
    }

    /// The value of score `id` (`None` when missing or unknown).
    pub fn value(&self, id: &str) -> Option<f64> {
        self.get(id).and_then(|s| s.value)
    }

    /// The band label of score `id`.
    pub fn band(&self, id: &str) -> Option<&str> {
        self.get(id)
            .and_then(|s| s.band.as_ref())
            .map(|b| b.label.as_str())
    }
}

/// The compiled form of a definition: indexes instead of names, reverse keys applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Plan {
    pub(crate) items: Vec<ItemPlan>,
    pub(crate) scales: Vec<ScalePlan>,
    pub(crate) composites: Vec<Vec<usize>>,
}

/// One item's options: (recorded value, scored weight after reverse keying), and for a compact
/// range of values a table indexed by `value - min` (holding [`NO_OPTION`] for gaps) so the hot
/// loop looks a weight up without searching.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ItemPlan {
    pub(crate) options: Vec<(i64, i64)>,
    pub(crate) min: i64,
    pub(crate) dense: Vec<i64>,
}

/// Marks a value that is not an option in [`ItemPlan::dense`]; weights are bounded by
/// [`MAX_WEIGHT`](crate::instrument::MAX_WEIGHT), so it cannot be a weight.
pub(crate) const NO_OPTION: i64 = i64::MIN;

/// The widest range of values given a dense lookup table.
const MAX_DENSE: i64 = 1024;

impl ItemPlan {
    fn new(options: Vec<(i64, i64)>) -> ItemPlan {
        let min = options.iter().map(|o| o.0).min().unwrap_or(0);
        let max = options.iter().map(|o| o.0).max().unwrap_or(0);
        let mut dense = Vec::new();
        if max.saturating_sub(min) < MAX_DENSE {
            dense = vec![NO_OPTION; usize::try_from(max - min + 1).unwrap_or(0)];
            for &(v, w) in &options {
                if let Some(slot) = usize::try_from(v.saturating_sub(min))
                    .ok()
                    .and_then(|i| dense.get_mut(i))
                {
                    *slot = w;
                }
            }
        }
        ItemPlan {
            options,
            min,
            dense,
        }
    }

    #[inline]
    fn weight(&self, value: i64) -> Option<i64> {
        if self.dense.is_empty() {
            return self
                .options
                .iter()
                .find(|(v, _)| *v == value)
                .map(|(_, w)| *w);
        }
        let at = usize::try_from(value.checked_sub(self.min)?).ok()?;
        self.dense.get(at).copied().filter(|w| *w != NO_OPTION)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ScalePlan {
    pub(crate) items: Vec<usize>,
    method: ScaleMethod,
    min_answered: usize,
    rounding: Rounding,
    /// Lowest raw sum and the converted score of each raw sum from there.
    conversion: Option<(i64, Vec<f64>)>,
    pub(crate) gate: Option<(usize, Vec<i64>, f64)>,
    impact: bool,
}

impl Plan {
    /// Compiles a definition that passed [`InstrumentDef::check`]; names that do not resolve
    /// (impossible after the check) are left out rather than panicking.
    pub(crate) fn compile(def: &InstrumentDef) -> Plan {
        let index_of = |name: &str| def.items.iter().position(|i| i.name.as_str() == name);
        let items = def
            .items
            .iter()
            .map(|item| {
                let options = def
                    .response_sets
                    .get(&item.responses)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let reversed = def.reverse_keyed.contains(&item.name);
                let lo = options.iter().map(|o| o.weight).min().unwrap_or(0);
                let hi = options.iter().map(|o| o.weight).max().unwrap_or(0);
                ItemPlan::new(
                    options
                        .iter()
                        .map(|o| {
                            let weight = if reversed {
                                lo + hi - o.weight
                            } else {
                                o.weight
                            };
                            (o.value, weight)
                        })
                        .collect(),
                )
            })
            .collect();
        let scales = def
            .scales
            .iter()
            .map(|s| ScalePlan {
                items: s
                    .items
                    .iter()
                    .filter_map(|n| index_of(n.as_str()))
                    .collect(),
                method: s.method,
                min_answered: s.min_answered,
                rounding: s.rounding,
                conversion: s.conversion.as_ref().map(|rows| {
                    let lo = rows.iter().map(|r| r.raw).min().unwrap_or(0);
                    let mut sorted = rows.clone();
                    sorted.sort_by_key(|r| r.raw);
                    (lo, sorted.iter().map(|r| r.score).collect())
                }),
                gate: s.gate.as_ref().and_then(|g| {
                    index_of(g.item.as_str()).map(|i| (i, g.values.clone(), g.score))
                }),
                impact: s.impact,
            })
            .collect();
        let composites = def
            .composites
            .iter()
            .map(|c| {
                c.scales
                    .iter()
                    .filter_map(|id| def.scales.iter().position(|s| s.id == *id))
                    .collect()
            })
            .collect();
        Plan {
            items,
            scales,
            composites,
        }
    }

    /// The number of scores (scales then composites).
    pub(crate) fn score_count(&self) -> usize {
        self.scales.len() + self.composites.len()
    }

    /// The scored weight of `value` for item `index`, or `None` when it is not an option.
    #[inline]
    pub(crate) fn weight(&self, index: usize, value: i64) -> Option<i64> {
        self.items.get(index)?.weight(value)
    }

    /// The allowed values of item `index`, for messages.
    pub(crate) fn allowed(&self, index: usize) -> String {
        self.items
            .get(index)
            .map(|item| {
                item.options
                    .iter()
                    .map(|(v, _)| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    }

    /// Scores one row of checked item values (in item order) into `out` (scales then
    /// composites). Allocates nothing.
    pub(crate) fn score_row(
        &self,
        values: &[Option<i64>],
        policy: ImpactMissingPolicy,
        out: &mut [Option<f64>],
    ) {
        for (s, scale) in self.scales.iter().enumerate() {
            let value = self.score_scale(scale, values, policy);
            if let Some(slot) = out.get_mut(s) {
                *slot = value;
            }
        }
        let n = self.scales.len();
        for (c, parts) in self.composites.iter().enumerate() {
            let mut total = Some(0.0);
            for &p in parts {
                total = match (total, out.get(p).copied().flatten()) {
                    (Some(t), Some(v)) => Some(t + v),
                    _ => None,
                };
            }
            if let Some(slot) = out.get_mut(n + c) {
                *slot = total;
            }
        }
    }

    #[inline]
    fn score_scale(
        &self,
        scale: &ScalePlan,
        values: &[Option<i64>],
        policy: ImpactMissingPolicy,
    ) -> Option<f64> {
        if let Some((gate, gate_values, gate_score)) = &scale.gate
            && let Some(Some(v)) = values.get(*gate)
            && gate_values.contains(v)
        {
            return Some(*gate_score);
        }
        let (mut sum, mut answered) = (0i64, 0i64);
        for &i in &scale.items {
            if let Some(Some(v)) = values.get(i)
                && let Some(w) = self.weight(i, *v)
            {
                sum += w;
                answered += 1;
            }
        }
        finish_scale(scale, sum, answered, policy)
    }
}

/// Steps 3 to 6 of the algorithm for one scale: the score of `answered` items summing to `sum`.
#[inline]
pub(crate) fn finish_scale(
    scale: &ScalePlan,
    sum: i64,
    answered: i64,
    policy: ImpactMissingPolicy,
) -> Option<f64> {
    let min = match (scale.impact, policy) {
        (true, ImpactMissingPolicy::SumAnswered) => 1,
        _ => scale.min_answered,
    };
    if answered == 0 || (answered as usize) < min {
        return None;
    }
    let n = scale.items.len() as i64;
    let (p, q) = match scale.method {
        ScaleMethod::Sum => (sum, 1),
        ScaleMethod::ProratedSum => (sum * n, answered),
        ScaleMethod::Mean => (sum, answered),
    };
    if let Some((lo, table)) = &scale.conversion {
        // A conversion table is only allowed on complete-case sums, so q is 1.
        let at = usize::try_from(p.checked_sub(*lo)?).ok()?;
        return table.get(at).copied();
    }
    Some(round(p, q, scale.rounding))
}

/// Rounds the fraction `p / q` (q > 0). Half up is exact: floor((2·p·10^d + q) / (2·q)) / 10^d.
pub(crate) fn round(p: i64, q: i64, rounding: Rounding) -> f64 {
    match rounding {
        Rounding::None => p as f64 / q as f64,
        Rounding::HalfUp { decimals: 0 } if p.unsigned_abs() < 1 << 60 && q < 1 << 60 => {
            // The common case in i64 (i128 division is a slow library call).
            (2 * p + q).div_euclid(2 * q) as f64
        }
        Rounding::HalfUp { decimals } => {
            let scale = 10i128.pow(decimals);
            let (p, q) = (i128::from(p) * scale, i128::from(q));
            let n = (2 * p + q).div_euclid(2 * q);
            n as f64 / scale as f64
        }
    }
}

pub(crate) fn informant(
    instrument: &Instrument,
    options: &ScoreOptions,
) -> Result<Option<Informant>, ValidationError> {
    match (instrument.def().informant, options.informant) {
        (Some(fixed), Some(asked)) if fixed != asked => Err(Finding::error(
            "options.informant",
            "outcomes.informant_mismatch",
            format!(
                "{} is answered by the {fixed} informant, not {asked}",
                instrument.id()
            ),
        )
        .into()),
        (fixed, asked) => Ok(asked.or(fixed)),
    }
}

/// Scores one respondent.
///
/// The responses are first checked against the instrument: an unknown item
/// (`outcomes.unknown_item`) or an answer that is not a response option (`outcomes.out_of_range`)
/// is an error naming the item, at `responses.<item>`; every such finding is reported at once.
pub fn score(
    instrument: &Instrument,
    responses: &Responses,
    options: &ScoreOptions,
) -> Result<Scores, ValidationError> {
    let values = responses.check(instrument)?;
    let informant = informant(instrument, options)?;
    let plan = &instrument.plan;
    let mut out = vec![None; plan.score_count()];
    plan.score_row(&values, options.impact_missing_policy, &mut out);

    let def = instrument.def();
    let mut warnings = Vec::new();
    if let (Some(age), Some(range)) = (options.age, def.age_range)
        && !range.contains(age)
    {
        warnings.push(Finding::warning(
            "options.age",
            "outcomes.age_outside_range",
            format!(
                "{} is for ages {}-{}, the child is {age}",
                instrument.id(),
                range.min,
                range.max
            ),
        ));
    }
    let scores = instrument
        .score_ids()
        .zip(out)
        .map(|(id, value)| {
            let candidates =
                Candidates::new(&def.band_tables, id, informant, options.country.as_ref());
            let band = if candidates.tables.is_empty() {
                None
            } else {
                match candidates.select(options.age) {
                    None => {
                        warnings.push(Finding::warning(
                            format!("scores.{id}"),
                            "outcomes.no_band_table",
                            format!("no band table for {id} at age {:?}", options.age),
                        ));
                        None
                    }
                    Some((_, table)) => value.and_then(|v| {
                        let rank = table.band_of(v)?;
                        Some(BandResult {
                            label: table.bands[rank].label.clone(),
                            rank: u8::try_from(rank).unwrap_or(u8::MAX),
                            verified: table.verified,
                            source: table.source.clone(),
                        })
                    }),
                }
            };
            Score {
                id: id.to_owned(),
                label: instrument.score_label(id).unwrap_or_default().to_owned(),
                value,
                band,
                banded: !candidates.tables.is_empty(),
            }
        })
        .collect();
    Ok(Scores {
        instrument: instrument.id().to_owned(),
        algorithm: instrument.algorithm().to_owned(),
        version: instrument.version().to_owned(),
        engine_version: ENGINE_VERSION.to_owned(),
        informant,
        scores,
        warnings,
    })
}

/// The bands of one score column, dictionary encoded: `codes[row]` indexes `labels`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BandColumn {
    /// The band labels of every table that can apply, without repeats.
    pub labels: Vec<String>,
    /// Per row, the index of the band label, or none (missing score, no table for the age).
    pub codes: Vec<Option<u8>>,
    /// True when every table that can apply is verified.
    pub verified: bool,
}

/// One score over many respondents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScoreColumn {
    /// The score id, e.g. `total`.
    pub id: String,
    /// Per row, the value.
    pub values: Vec<Option<f64>>,
    /// Per row, the band, when the instrument has band tables for this score.
    pub bands: Option<BandColumn>,
}

/// The scores of many respondents, a column per score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScoreColumns {
    /// The instrument id.
    pub instrument: String,
    /// The scoring algorithm's name.
    pub algorithm: String,
    /// The version of the instrument definition that was applied.
    pub version: String,
    /// The version of the scoring engine ([`ENGINE_VERSION`]).
    pub engine_version: String,
    /// The number of rows.
    pub rows: usize,
    /// A column per score, scales first then composites.
    pub columns: Vec<ScoreColumn>,
}

impl ScoreColumns {
    /// The column of score `id`.
    pub fn column(&self, id: &str) -> Option<&ScoreColumn> {
        self.columns.iter().find(|c| c.id == id)
    }
}

/// Rows per block in [`score_columns`]: the row-major block buffer (16 bytes per item and row,
/// 30 KB for the 31 items of the SDQ with impact) then stays in the L1 cache while it is filled
/// column by column and read row by row; 256 rows measured 45% slower on a million SDQs.
const BLOCK_ROWS: usize = 64;

/// At most this many findings about bad values are listed before a bulk call gives up listing.
pub const MAX_LISTED_ISSUES: usize = 100;

/// Scores many respondents given as columns: `columns` pairs an item name with its values, one
/// per row, all of the same length (`None` = not done). An item without a column counts as not
/// done in every row. `ages`, when given, is the age per row and overrides `options.age`.
///
/// Every value is checked first: an unknown column name (`outcomes.unknown_item`), a value that
/// is not a response option (`outcomes.out_of_range`, path `columns.<item>[<row>]`) or columns of
/// different lengths (`outcomes.column_length`) refuse the whole call, listing up to
/// [`MAX_LISTED_ISSUES`] findings. The results equal [`score`] row by row.
///
/// ```
/// use barnvern_outcomes::{ScoreOptions, builtin, score_columns};
///
/// let aim = builtin("aim").expect("a built-in instrument");
/// let (a1, a2, a3, a4) = ([Some(4), Some(5)], [Some(4), None], [Some(5), Some(5)], [Some(4), Some(5)]);
/// let columns = [("aim1", &a1[..]), ("aim2", &a2[..]), ("aim3", &a3[..]), ("aim4", &a4[..])];
/// let scores = score_columns(aim, &columns, None, &ScoreOptions::default())?;
/// assert_eq!(scores.column("aim").map(|c| c.values.clone()), Some(vec![Some(4.25), None]));
/// # Ok::<(), barnvern_core::ValidationError>(())
/// ```
pub fn score_columns(
    instrument: &Instrument,
    columns: &[(&str, &[Option<i64>])],
    ages: Option<&[Option<u32>]>,
    options: &ScoreOptions,
) -> Result<ScoreColumns, ValidationError> {
    score_columns_from(instrument, columns, ages, options, 0)
}

/// [`score_columns`] for a block of a larger table whose first row is row `first_row` of the
/// whole: the same scores, and findings name the row in the whole table
/// (`columns.<item>[<first_row + row>]`). Callers that stream a long table in blocks (Arrow
/// record batches, CSV chunks) use it so an error still points at the right row.
pub fn score_columns_from(
    instrument: &Instrument,
    columns: &[(&str, &[Option<i64>])],
    ages: Option<&[Option<u32>]>,
    options: &ScoreOptions,
    first_row: usize,
) -> Result<ScoreColumns, ValidationError> {
    let columns: Vec<(&str, IntColumn<'_>)> = columns
        .iter()
        .map(|(name, values)| (*name, IntColumn::new(IntValues::Optional(values), None)))
        .collect();
    score_int_columns_from(instrument, &columns, ages, options, first_row)
        .map(DenseScores::into_score_columns)
}

/// The score columns and band columns of a row-wise pass.
type RowScores = (Vec<Vec<Option<f64>>>, Vec<Option<BandColumn>>);

/// The row-wise scorer behind [`score_columns_from`] for what the column-wise kernel
/// ([`crate::columnar`]) does not take: every value is checked (findings name
/// `columns.<item>[<first_row + row>]`, up to [`MAX_LISTED_ISSUES`]), then each row is scored
/// with [`Plan::score_row`]. `by_item` holds a column per item of the instrument (none when not
/// given), each of `rows` rows.
pub(crate) fn score_rows(
    instrument: &Instrument,
    by_item: &[Option<&[Option<i64>]>],
    ages: Option<&[Option<u32>]>,
    options: &ScoreOptions,
    candidates: &[Candidates<'_>],
    first_row: usize,
    rows: usize,
) -> Result<RowScores, ValidationError> {
    let plan = &instrument.plan;
    let mut report = Findings::new();
    let n_scores = plan.score_count();
    let mut values: Vec<Vec<Option<f64>>> =
        (0..n_scores).map(|_| Vec::with_capacity(rows)).collect();
    let mut bands: Vec<Option<ColumnBands<'_>>> = candidates
        .iter()
        .map(|c| ColumnBands::new(c.clone(), rows))
        .collect();
    // Rows are scored in blocks: each block of every item column is checked and copied into a
    // small row-major buffer, so the columns are read once and sequentially.
    let width = by_item.len().max(1);
    let mut block = vec![None; BLOCK_ROWS * width];
    let mut out = vec![None; n_scores];
    let mut bad = 0usize;
    let mut start = 0;
    while start < rows {
        let len = (rows - start).min(BLOCK_ROWS);
        for (i, column) in by_item.iter().enumerate() {
            let slice = column.and_then(|c| c.get(start..start + len));
            for (r, slot) in block
                .iter_mut()
                .skip(i)
                .step_by(width)
                .take(len)
                .enumerate()
            {
                let value = slice.and_then(|s| s.get(r).copied().flatten());
                *slot = value;
                if let Some(v) = value
                    && plan.weight(i, v).is_none()
                {
                    bad += 1;
                    if bad <= MAX_LISTED_ISSUES {
                        let name = &instrument.items()[i].name;
                        let path = format!("columns.{name}[{}]", first_row + start + r);
                        report.push(out_of_range(instrument, i, v, &path));
                    }
                }
            }
        }
        if bad > 0 {
            // Keep checking to count every bad value; the scores will not be returned.
            start += len;
            continue;
        }
        for (r, row_values) in block.chunks_exact(width).take(len).enumerate() {
            plan.score_row(row_values, options.impact_missing_policy, &mut out);
            let age = ages
                .and_then(|a| a.get(start + r).copied().flatten())
                .or(options.age);
            for ((value, column), band) in out.iter().zip(&mut values).zip(&mut bands) {
                column.push(*value);
                if let Some(band) = band {
                    band.push(*value, age);
                }
            }
        }
        start += len;
    }
    if bad > MAX_LISTED_ISSUES {
        report.push(Finding::error(
            "columns",
            "outcomes.more_issues",
            format!(
                "{} more values are not response options",
                bad - MAX_LISTED_ISSUES
            ),
        ));
    }
    report.into_result()?;
    Ok((
        values,
        bands
            .into_iter()
            .map(|b| b.map(ColumnBands::finish))
            .collect(),
    ))
}

/// The bands of one score column while it is built: the tables that can apply and, per table,
/// the label code of each band.
struct ColumnBands<'a> {
    candidates: Candidates<'a>,
    table_codes: Vec<Vec<u8>>,
    labels: Vec<String>,
    codes: Vec<Option<u8>>,
}

impl<'a> ColumnBands<'a> {
    fn new(candidates: Candidates<'a>, rows: usize) -> Option<Self> {
        if candidates.tables.is_empty() {
            return None;
        }
        let mut labels: Vec<String> = Vec::new();
        let mut code_of = |label: &str| {
            let at = labels.iter().position(|l| l == label).unwrap_or_else(|| {
                labels.push(label.to_owned());
                labels.len() - 1
            });
            u8::try_from(at).unwrap_or(u8::MAX)
        };
        let table_codes = candidates
            .tables
            .iter()
            .map(|t| t.bands.iter().map(|b| code_of(&b.label)).collect())
            .collect();
        Some(ColumnBands {
            candidates,
            table_codes,
            labels,
            codes: Vec::with_capacity(rows),
        })
    }

    #[inline]
    fn push(&mut self, value: Option<f64>, age: Option<u32>) {
        let code = self.candidates.select(age).and_then(|(t, table)| {
            let band = table.band_of(value?)?;
            self.table_codes.get(t)?.get(band).copied()
        });
        self.codes.push(code);
    }

    fn finish(self) -> BandColumn {
        BandColumn {
            verified: self.candidates.tables.iter().all(|t| t.verified),
            labels: self.labels,
            codes: self.codes,
        }
    }
}

/// A group's summary of one score: the median against a benchmark (AIM/IAM/FIM).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Respondents with a score.
    pub n: usize,
    /// Respondents without one.
    pub missing: usize,
    /// The median of the scores (mean of the middle two when n is even).
    pub median: Option<f64>,
    /// The benchmark compared against.
    pub benchmark: Option<f64>,
    /// Whether the median reaches the benchmark.
    pub median_meets_benchmark: Option<bool>,
}

/// Summarises one score over a group: median, and whether it reaches `benchmark` (for AIM, IAM
/// and FIM the scale's [`benchmark`](crate::instrument::Scale::benchmark)).
pub fn summarise(values: &[Option<f64>], benchmark: Option<f64>) -> Summary {
    let mut present: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    present.sort_by(f64::total_cmp);
    let n = present.len();
    let median = match n {
        0 => None,
        _ if n % 2 == 1 => Some(present[n / 2]),
        _ => Some((present[n / 2 - 1] + present[n / 2]) / 2.0),
    };
    Summary {
        n,
        missing: values.len() - n,
        median,
        benchmark,
        median_meets_benchmark: median.zip(benchmark).map(|(m, b)| m >= b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_up_is_exact_and_never_bankers() {
        let h = Rounding::HalfUp { decimals: 0 };
        assert_eq!(round(20, 3, h), 7.0);
        assert_eq!(round(10, 4, h), 3.0);
        assert_eq!(round(5, 2, h), 3.0); // banker's would give 2
        assert_eq!(round(7, 2, h), 4.0);
        assert_eq!(round(-5, 2, h), -2.0);
        assert_eq!(round(2675, 1000, Rounding::HalfUp { decimals: 2 }), 2.68);
        assert_eq!(round(1, 3, Rounding::None), 1.0 / 3.0);
    }

    #[test]
    fn sparse_and_dense_option_tables_agree() {
        let dense = ItemPlan::new(vec![(1, 10), (3, 30)]);
        assert_eq!(dense.weight(1), Some(10));
        assert_eq!(dense.weight(2), None);
        assert_eq!(dense.weight(4), None);
        assert_eq!(dense.weight(i64::MIN), None);
        let sparse = ItemPlan::new(vec![(0, 0), (5000, 1)]);
        assert!(sparse.dense.is_empty());
        assert_eq!(sparse.weight(5000), Some(1));
        assert_eq!(sparse.weight(1), None);
    }

    #[test]
    fn a_bad_value_in_a_later_chunk_names_its_row() {
        let sdq = crate::builtin::builtin("sdq-p-4-17").unwrap();
        use crate::columnar::CHUNK_ROWS;
        let mut lies = vec![Some(1); 3 * CHUNK_ROWS];
        lies[CHUNK_ROWS + 5] = Some(7);
        let err = score_columns_from(
            sdq,
            &[("lies", &lies[..])],
            None,
            &ScoreOptions::default(),
            10,
        )
        .unwrap_err();
        assert_eq!(err.findings().len(), 1);
        assert_eq!(
            err.findings()[0].path,
            format!("columns.lies[{}]", CHUNK_ROWS + 15)
        );
    }

    #[test]
    fn medians() {
        let s = summarise(
            &[Some(4.0), None, Some(3.0), Some(3.25), Some(5.0)],
            Some(3.5),
        );
        assert_eq!(s.n, 4);
        assert_eq!(s.missing, 1);
        assert_eq!(s.median, Some(3.625));
        assert_eq!(s.median_meets_benchmark, Some(true));
        assert_eq!(summarise(&[], None).median, None);
    }
}
