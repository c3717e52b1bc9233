//! Small-cell suppression with secondary suppression.
//!
//! **Primary.** A count from 1 to `threshold - 1` is withheld and shown as `<threshold`
//! (`<5` with the default threshold 5). Zero is shown: it identifies nobody.
//!
//! **Secondary.** Counts are published together with the totals they add up to. Each such
//! relation is a *sum set*: a total and its parts (a row of a table with its row total, a
//! column with its column total, the row totals with the grand total, an arm's families with
//! the statuses they split into). If exactly one member of a sum set is withheld, the others
//! give it back by subtraction (or, for a withheld total, by addition). So while any set has
//! exactly one withheld member, the smallest other member of that set is withheld as well
//! (the smallest non-zero one where there is one: withholding a zero protects little). This is
//! repeated until every set has none or at least two withheld members. Secondary cells are
//! shown as `x`, so a reader does not take them for small counts.
//!
//! **One problem per report part.** Figures that appear in several tables (the CONSORT flow,
//! retention and the progression criteria share counts) are one cell under one key, so the
//! same count is withheld everywhere or nowhere.
//!
//! **Derived figures.** A percentage, a ratio or a mean is withheld when a count it is
//! computed from is withheld ([`Suppressed::fraction`], [`Suppressed::figure`]).
//!
//! **Bounds.** A reader knows that `<5` is 1 to 4 and `x` at least 0, so two withheld small
//! counts whose known sum is 2 are both 1. A sum set whose published members and these
//! bounds pin a withheld member to one value is treated like a set with one withheld member.
//! (A threshold of 2 shows 1 as `<2`, which says 1 by itself: use 3 or more.)
//!
//! **Guarantee and its limit.** After [`Suppressor::solve`], no published total gives back a
//! withheld cell by subtracting published cells from it, nor pins it with the bounds above
//! (tested with random tables). Attacks
//! that combine several equations at once (linear programming over the whole table) are not
//! ruled out in general; small-cell suppression of aggregate tables does not claim that.

use std::collections::HashMap;
use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// The default threshold: counts 1-4 are withheld.
pub const DEFAULT_THRESHOLD: u64 = 5;

/// Why a count is withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The count is from 1 to threshold - 1.
    Small,
    /// Withheld so that a total cannot give back a small count.
    Secondary,
}

impl Reason {
    /// `small` or `secondary`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Small => "small",
            Reason::Secondary => "secondary",
        }
    }
}

/// A published count: its value, or withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Count {
    /// Shown as it is.
    Shown(u64),
    /// Withheld; in JSON `{"suppressed": true, "reason": "small", "below": 5}`.
    Suppressed {
        /// Why.
        reason: Reason,
        /// The threshold in force (a small count is below it).
        threshold: u64,
    },
}

impl Count {
    /// The value, when shown.
    pub fn value(self) -> Option<u64> {
        match self {
            Count::Shown(v) => Some(v),
            Count::Suppressed { .. } => None,
        }
    }

    /// Whether it is withheld.
    pub fn is_suppressed(self) -> bool {
        matches!(self, Count::Suppressed { .. })
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Count::Shown(v) => write!(f, "{v}"),
            Count::Suppressed {
                reason: Reason::Small,
                threshold,
            } => write!(f, "<{threshold}"),
            Count::Suppressed {
                reason: Reason::Secondary,
                ..
            } => f.write_str("x"),
        }
    }
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::Shown(v) => s.serialize_u64(*v),
            Count::Suppressed { reason, threshold } => {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("suppressed", &true)?;
                m.serialize_entry("reason", reason.as_str())?;
                if *reason == Reason::Small {
                    m.serialize_entry("below", threshold)?;
                }
                m.end()
            }
        }
    }
}

/// A published number derived from counts (a proportion, a mean, an amount per family):
/// shown, withheld because a count it comes from is withheld, or not available (no data, a
/// zero denominator).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figure {
    /// Shown.
    Shown(f64),
    /// Withheld; in JSON `{"suppressed": true}`.
    Suppressed,
    /// Nothing to show; in JSON `null`.
    NotAvailable,
}

impl Figure {
    /// The value, when shown.
    pub fn value(self) -> Option<f64> {
        match self {
            Figure::Shown(v) => Some(v),
            _ => None,
        }
    }

    /// Formats a shown value with `decimals`; `x` when withheld, `n/a` when not available.
    pub fn format(self, decimals: usize) -> String {
        match self {
            Figure::Shown(v) => format!("{v:.decimals$}"),
            Figure::Suppressed => "x".to_owned(),
            Figure::NotAvailable => "n/a".to_owned(),
        }
    }

    /// As a percentage with one decimal (`72.5%`).
    pub fn percent(self) -> String {
        match self {
            Figure::Shown(v) => format!("{:.1}%", v * 100.0),
            other => other.format(1),
        }
    }
}

impl Serialize for Figure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Figure::Shown(v) => s.serialize_f64(*v),
            Figure::Suppressed => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("suppressed", &true)?;
                m.end()
            }
            Figure::NotAvailable => s.serialize_none(),
        }
    }
}

/// A proportion with its numerator and denominator, each named.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fraction {
    /// The numerator.
    pub numerator: Count,
    /// What the numerator counts.
    pub numerator_label: String,
    /// The denominator.
    pub denominator: Count,
    /// What the denominator counts.
    pub denominator_label: String,
    /// numerator / denominator.
    pub value: Figure,
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} / {})",
            self.value.percent(),
            self.numerator,
            self.denominator
        )
    }
}

/// A cell of a [`Suppressor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellId(usize);

/// The counts of one report part with the sums they are published with; see the module
/// documentation.
#[derive(Debug, Clone)]
pub struct Suppressor {
    threshold: u64,
    values: Vec<u64>,
    keys: HashMap<String, CellId>,
    sets: Vec<SumSet>,
}

/// A total and its parts, published together.
#[derive(Debug, Clone)]
struct SumSet {
    total: CellId,
    parts: Vec<CellId>,
}

impl SumSet {
    /// Every member with its sign in `total - parts = 0`.
    fn members(&self) -> impl Iterator<Item = (CellId, i128)> + '_ {
        std::iter::once((self.total, 1)).chain(self.parts.iter().map(|p| (*p, -1)))
    }
}

/// What a reader knows of a cell: `(lowest, highest)` value, `None` for no upper bound.
type Bounds = (i128, Option<i128>);

/// A member of a sum set as a term of `total - parts = 0`: the cell, its sign, and the
/// term's lowest and highest value (`None`: unbounded).
type Term = (CellId, i128, Option<i128>, Option<i128>);

impl Suppressor {
    /// An empty problem withholding counts 1 to `threshold - 1` (a threshold of 0 or 1
    /// withholds nothing).
    pub fn new(threshold: u64) -> Suppressor {
        Suppressor {
            threshold,
            values: Vec::new(),
            keys: HashMap::new(),
            sets: Vec::new(),
        }
    }

    /// The threshold.
    pub fn threshold(&self) -> u64 {
        self.threshold
    }

    /// The cell under `key`, added with `value` the first time. A figure published in several
    /// places uses one key, so it is withheld everywhere or nowhere.
    pub fn cell(&mut self, key: impl Into<String>, value: u64) -> CellId {
        let key = key.into();
        if let Some(id) = self.keys.get(&key) {
            return *id;
        }
        let id = CellId(self.values.len());
        self.values.push(value);
        self.keys.insert(key, id);
        id
    }

    /// The cell under `key`, if there is one.
    pub fn keyed(&self, key: &str) -> Option<CellId> {
        self.keys.get(key).copied()
    }

    /// A cell with no key (used once).
    pub fn anonymous(&mut self, value: u64) -> CellId {
        let id = CellId(self.values.len());
        self.values.push(value);
        id
    }

    /// The value of a cell.
    pub fn value(&self, id: CellId) -> u64 {
        self.values.get(id.0).copied().unwrap_or(0)
    }

    /// Declares that `total` = the sum of `parts`, published together.
    pub fn sum(&mut self, total: CellId, parts: &[CellId]) {
        let mut parts: Vec<CellId> = parts.iter().copied().filter(|p| *p != total).collect();
        parts.sort();
        parts.dedup();
        if !parts.is_empty() {
            self.sets.push(SumSet { total, parts });
        }
    }

    /// A new cell holding the sum of `parts`, declared as their total.
    pub fn total(&mut self, key: impl Into<String>, parts: &[CellId]) -> CellId {
        let value = parts.iter().map(|p| self.value(*p)).sum();
        let id = self.cell(key, value);
        self.sum(id, parts);
        id
    }

    /// Whether each sum set holds: a check for tests and callers.
    pub fn consistent(&self) -> bool {
        self.sets.iter().all(|set| {
            set.parts.iter().map(|c| self.value(*c)).sum::<u64>() == self.value(set.total)
        })
    }

    /// What a reader knows of cell `c`: its value when shown, 1 to threshold - 1 when
    /// withheld as small, at least 0 when withheld as secondary.
    fn bounds(&self, reason: &[Option<Reason>], c: CellId) -> Bounds {
        let v = i128::from(self.values[c.0]);
        match reason[c.0] {
            None => (v, Some(v)),
            Some(Reason::Small) => (1, Some(i128::from(self.threshold) - 1)),
            Some(Reason::Secondary) => (0, None),
        }
    }

    /// Whether the published members of `set` and what a reader knows of its withheld members
    /// pin a withheld member to one value (one withheld member is always pinned; two withheld
    /// small counts whose known sum is 2 are both 1).
    fn pins(&self, set: &SumSet, reason: &[Option<Reason>]) -> bool {
        // Each member's term sign * x: its lowest and highest value (None: unbounded).
        let terms: Vec<Term> = set
            .members()
            .map(|(c, sign)| {
                let (lo, hi) = self.bounds(reason, c);
                if sign > 0 {
                    (c, sign, Some(lo), hi)
                } else {
                    (c, sign, hi.map(|h| -h), Some(-lo))
                }
            })
            .collect();
        let sum = |pick: fn(&Term) -> Option<i128>, skip: CellId| {
            terms
                .iter()
                .filter(|t| t.0 != skip)
                .try_fold(0i128, |acc, t| pick(t).map(|v| acc + v))
        };
        terms.iter().any(|&(c, sign, _, _)| {
            if reason[c.0].is_none() {
                return false;
            }
            // sign * x = -(sum of the other terms).
            let (rest_lo, rest_hi) = (sum(|t| t.2, c), sum(|t| t.3, c));
            let (mut lo, mut hi) = if sign > 0 {
                (rest_hi.map(|h| -h), rest_lo.map(|l| -l))
            } else {
                (rest_lo, rest_hi)
            };
            let (own_lo, own_hi) = self.bounds(reason, c);
            if own_hi == Some(own_lo) {
                // "<2" says 1 by itself: the threshold's doing, not the table's.
                return false;
            }
            lo = Some(lo.map_or(own_lo, |l| l.max(own_lo)));
            hi = match (hi, own_hi) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            matches!((lo, hi), (Some(l), Some(h)) if l >= h)
        })
    }

    /// Withholds the small counts, then secondary ones until no sum set pins a withheld
    /// member (see the module documentation).
    pub fn solve(&self) -> Suppressed {
        let n = self.values.len();
        let mut reason: Vec<Option<Reason>> = self
            .values
            .iter()
            .map(|&v| (v >= 1 && v < self.threshold).then_some(Reason::Small))
            .collect();
        loop {
            let mut changed = false;
            for set in &self.sets {
                let withheld = set.members().filter(|(c, _)| reason[c.0].is_some()).count();
                if withheld == 0 || (withheld > 1 && !self.pins(set, &reason)) {
                    continue;
                }
                // The smallest published member, non-zero ones first, then by position.
                let pick = set
                    .members()
                    .map(|(c, _)| c)
                    .filter(|c| reason[c.0].is_none())
                    .min_by_key(|c| (self.values[c.0] == 0, self.values[c.0], c.0));
                if let Some(c) = pick {
                    reason[c.0] = Some(Reason::Secondary);
                    changed = true;
                } else {
                    // Everything is withheld and the "<5" bounds still pin a member (a tiny
                    // table of ones): show those small counts as "x", which bounds nothing.
                    for (c, _) in set.members() {
                        if reason[c.0] == Some(Reason::Small) {
                            reason[c.0] = Some(Reason::Secondary);
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let counts = (0..n)
            .map(|i| match reason[i] {
                None => Count::Shown(self.values[i]),
                Some(r) => Count::Suppressed {
                    reason: r,
                    threshold: self.threshold,
                },
            })
            .collect();
        Suppressed { counts }
    }
}

/// The published form of every cell of a [`Suppressor`].
#[derive(Debug, Clone)]
pub struct Suppressed {
    counts: Vec<Count>,
}

impl Suppressed {
    /// The published count of a cell.
    pub fn count(&self, id: CellId) -> Count {
        self.counts.get(id.0).copied().unwrap_or(Count::Shown(0))
    }

    /// How many cells are withheld.
    pub fn withheld(&self) -> usize {
        self.counts.iter().filter(|c| c.is_suppressed()).count()
    }

    /// numerator / denominator with labels; withheld when either count is.
    pub fn fraction(
        &self,
        source: &Suppressor,
        numerator: CellId,
        numerator_label: impl Into<String>,
        denominator: CellId,
        denominator_label: impl Into<String>,
    ) -> Fraction {
        let (n, d) = (self.count(numerator), self.count(denominator));
        let value = match (n, d) {
            (Count::Shown(_), Count::Shown(0)) => Figure::NotAvailable,
            (Count::Shown(_), Count::Shown(_)) => Figure::Shown(ratio(
                source.value(numerator) as f64,
                source.value(denominator),
            )),
            _ => Figure::Suppressed,
        };
        Fraction {
            numerator: n,
            numerator_label: numerator_label.into(),
            denominator: d,
            denominator_label: denominator_label.into(),
            value,
        }
    }

    /// A figure computed over the `n` of cell `n` (a mean, an amount per family): withheld
    /// when that count is, not available when it is 0 or `value` is `None`.
    pub fn figure(&self, n: CellId, value: Option<f64>) -> Figure {
        match (self.count(n), value) {
            (Count::Suppressed { .. }, _) => Figure::Suppressed,
            (Count::Shown(0), _) | (_, None) => Figure::NotAvailable,
            (Count::Shown(_), Some(v)) => Figure::Shown(v),
        }
    }
}

/// `numerator / denominator` (0 when the denominator is 0).
pub(crate) fn ratio(numerator: f64, denominator: u64) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        // Counts far below 2^53: exact.
        #[allow(clippy::cast_precision_loss)]
        let d = denominator as f64;
        numerator / d
    }
}

/// A table of counts with row totals, column totals and a grand total, added to a
/// [`Suppressor`]: every row with its total, every column with its total, and the totals with
/// the grand total are sum sets.
#[derive(Debug, Clone)]
pub struct Grid {
    /// The cells, by row and column.
    pub cells: Vec<Vec<CellId>>,
    /// Each row's total.
    pub row_totals: Vec<CellId>,
    /// Each column's total.
    pub column_totals: Vec<CellId>,
    /// The grand total.
    pub total: CellId,
}

impl Grid {
    /// Adds the table `values` (rows of equal length) under `key` (which keeps its cells
    /// apart from other tables' cells).
    pub fn add(s: &mut Suppressor, key: &str, values: &[Vec<u64>]) -> Grid {
        let columns = values.iter().map(Vec::len).max().unwrap_or(0);
        let cells: Vec<Vec<CellId>> = values
            .iter()
            .enumerate()
            .map(|(i, row)| {
                (0..columns)
                    .map(|j| s.cell(format!("{key}[{i}][{j}]"), row.get(j).copied().unwrap_or(0)))
                    .collect()
            })
            .collect();
        let row_totals: Vec<CellId> = cells
            .iter()
            .enumerate()
            .map(|(i, row)| s.total(format!("{key}[{i}][total]"), row))
            .collect();
        let column_totals: Vec<CellId> = (0..columns)
            .map(|j| {
                let column: Vec<CellId> = cells.iter().map(|r| r[j]).collect();
                s.total(format!("{key}[total][{j}]"), &column)
            })
            .collect();
        let total = s.total(format!("{key}[total][total]"), &row_totals);
        s.sum(total, &column_totals);
        Grid {
            cells,
            row_totals,
            column_totals,
            total,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn shown(p: &Suppressed, id: CellId) -> Option<u64> {
        p.count(id).value()
    }

    #[test]
    fn primary_withholds_one_to_four_and_shows_zero_and_five() {
        let mut s = Suppressor::new(5);
        let ids: Vec<CellId> = (0..=6).map(|v| s.anonymous(v)).collect();
        let p = s.solve();
        let text: Vec<String> = ids.iter().map(|i| p.count(*i).to_string()).collect();
        assert_eq!(text, ["0", "<5", "<5", "<5", "<5", "5", "6"]);
    }

    #[test]
    fn threshold_is_configurable_and_one_disables() {
        let mut s = Suppressor::new(10);
        let a = s.anonymous(9);
        let b = s.anonymous(10);
        let p = s.solve();
        assert_eq!(p.count(a).to_string(), "<10");
        assert_eq!(p.count(b).to_string(), "10");
        let mut s = Suppressor::new(1);
        let a = s.anonymous(1);
        assert_eq!(s.solve().count(a), Count::Shown(1));
    }

    #[test]
    fn one_small_cell_in_a_row_takes_the_next_smallest_with_it() {
        // 3 | 7 | 20 -> total 30: 3 is small; 7 is the next smallest and goes too.
        let mut s = Suppressor::new(5);
        let row: Vec<CellId> = [3, 7, 20].iter().map(|v| s.anonymous(*v)).collect();
        let total = s.total("t", &row);
        let p = s.solve();
        assert_eq!(p.count(row[0]).to_string(), "<5");
        assert_eq!(p.count(row[1]).to_string(), "x");
        assert_eq!(shown(&p, row[2]), Some(20));
        assert_eq!(shown(&p, total), Some(30));
    }

    #[test]
    fn two_small_cells_need_no_secondary() {
        let mut s = Suppressor::new(5);
        let row: Vec<CellId> = [3, 2, 20].iter().map(|v| s.anonymous(*v)).collect();
        let total = s.total("t", &row);
        let p = s.solve();
        assert_eq!(p.withheld(), 2);
        assert_eq!(shown(&p, total), Some(25));
    }

    #[test]
    fn a_small_total_is_withheld_with_a_part() {
        // 0 | 3 -> total 3: the part 3 and the total 3 are both small.
        let mut s = Suppressor::new(5);
        let row: Vec<CellId> = [0, 3].iter().map(|v| s.anonymous(*v)).collect();
        let total = s.total("t", &row);
        let p = s.solve();
        assert!(p.count(total).is_suppressed());
        assert!(p.count(row[1]).is_suppressed());
        assert_eq!(shown(&p, row[0]), Some(0));
    }

    #[test]
    fn zeros_are_the_last_choice_for_secondary() {
        let mut s = Suppressor::new(5);
        let row: Vec<CellId> = [0, 2, 9].iter().map(|v| s.anonymous(*v)).collect();
        s.total("t", &row);
        let p = s.solve();
        assert_eq!(shown(&p, row[0]), Some(0));
        assert!(p.count(row[2]).is_suppressed());
    }

    #[test]
    fn secondary_spreads_through_rows_and_columns() {
        //  1 10 | 11
        // 20 30 | 50
        // ------+---
        // 21 40 | 61
        let mut s = Suppressor::new(5);
        let g = Grid::add(&mut s, "g", &[vec![1, 10], vec![20, 30]]);
        let p = s.solve();
        // The row of 1 takes 10, the column of 1 takes 20, and then the column of 10 and the
        // row of 20 take 30 (a 2x2 block: no sum set has exactly one withheld member).
        for c in [g.cells[0][0], g.cells[0][1], g.cells[1][0], g.cells[1][1]] {
            assert!(p.count(c).is_suppressed());
        }
        assert_eq!(shown(&p, g.total), Some(61));
        assert_eq!(shown(&p, g.row_totals[0]), Some(11));
        assert_eq!(shown(&p, g.column_totals[1]), Some(40));
        assert_no_single_withheld(&s, &p);
    }

    #[test]
    fn shared_keys_are_one_cell() {
        let mut s = Suppressor::new(5);
        let a = s.cell("consort.completed", 3);
        let b = s.cell("consort.completed", 3);
        assert_eq!(a, b);
    }

    #[test]
    fn derived_figures_follow_their_counts() {
        let mut s = Suppressor::new(5);
        let n = s.anonymous(3);
        let d = s.anonymous(10);
        let z = s.anonymous(0);
        let p = s.solve();
        let f = p.fraction(&s, n, "met", d, "due");
        assert_eq!(f.value, Figure::Suppressed);
        assert_eq!(f.to_string(), "x (<5 / 10)");
        let f = p.fraction(&s, d, "met", d, "due");
        assert_eq!(f.value, Figure::Shown(1.0));
        assert_eq!(p.fraction(&s, z, "a", z, "b").value, Figure::NotAvailable);
        assert_eq!(p.figure(n, Some(2.5)), Figure::Suppressed);
        assert_eq!(p.figure(d, Some(2.5)), Figure::Shown(2.5));
        assert_eq!(p.figure(z, Some(2.5)), Figure::NotAvailable);
    }

    #[test]
    fn json_holds_the_suppressed_form() {
        let mut s = Suppressor::new(5);
        let row: Vec<CellId> = [3, 7, 20].iter().map(|v| s.anonymous(*v)).collect();
        let p = s.solve();
        let json: Vec<serde_json::Value> = row
            .iter()
            .map(|c| serde_json::to_value(p.count(*c)).unwrap())
            .collect();
        assert_eq!(
            json[0],
            serde_json::json!({"suppressed": true, "reason": "small", "below": 5})
        );
        assert_eq!(json[1], serde_json::json!(7));
        assert_eq!(
            serde_json::to_value(Figure::Suppressed).unwrap(),
            serde_json::json!({"suppressed": true})
        );
    }

    /// Every sum set has none or at least two withheld members: no published total gives a
    /// withheld cell back by subtraction.
    fn assert_no_single_withheld(s: &Suppressor, p: &Suppressed) {
        for set in &s.sets {
            let withheld = set
                .members()
                .filter(|(c, _)| p.count(*c).is_suppressed())
                .count();
            assert_ne!(withheld, 1, "set {set:?} gives back its one withheld cell");
            assert_eq!(pinned_by(set.total, &set.parts, p, s.threshold), None);
        }
    }

    /// Written apart from the solver: the withheld member of `total = parts` that a reader
    /// can work out exactly from the published members, knowing that `<t` is 1 to t - 1 and
    /// `x` at least 0.
    fn pinned_by(total: CellId, parts: &[CellId], p: &Suppressed, t: u64) -> Option<CellId> {
        let known = |c: CellId| -> (u64, Option<u64>) {
            match p.count(c) {
                Count::Shown(v) => (v, Some(v)),
                Count::Suppressed {
                    reason: Reason::Small,
                    ..
                } => (1, Some(t - 1)),
                Count::Suppressed { .. } => (0, None),
            }
        };
        // A member whose own display pins it ("<2" is 1) is the threshold's doing.
        let withheld = |c: &CellId| p.count(*c).is_suppressed() && known(*c).1 != Some(known(*c).0);
        if withheld(&total) {
            let lo: u64 = parts.iter().map(|c| known(*c).0).sum();
            let hi: Option<u64> = parts.iter().map(|c| known(*c).1).sum();
            let (own_lo, own_hi) = known(total);
            let lo = lo.max(own_lo);
            let hi = match (hi, own_hi) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if hi.is_some_and(|h| h <= lo) {
                return Some(total);
            }
        }
        let (t_lo, t_hi) = known(total);
        for m in parts.iter().filter(|c| withheld(c)) {
            let others = parts.iter().filter(|c| *c != m);
            let others_lo: u64 = others.clone().map(|c| known(*c).0).sum();
            let others_hi: Option<u64> = others.map(|c| known(*c).1).sum();
            // m = total - others.
            let lo = others_hi.map_or(0, |h| t_lo.saturating_sub(h));
            let hi = t_hi.map(|h| h.saturating_sub(others_lo));
            let (own_lo, own_hi) = known(*m);
            let lo = lo.max(own_lo);
            let hi = match (hi, own_hi) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if hi.is_some_and(|h| h <= lo) {
                return Some(*m);
            }
        }
        None
    }

    #[test]
    fn small_counts_whose_sum_pins_them_take_another_with_them() {
        // 1 | 1 | 20 -> 22: both 1s are withheld, but 22 - 20 = 2 = 1 + 1 pins them.
        let mut s = Suppressor::new(5);
        let row: Vec<CellId> = [1, 1, 20].iter().map(|v| s.anonymous(*v)).collect();
        let total = s.total("t", &row);
        let p = s.solve();
        assert!(p.count(row[2]).is_suppressed());
        assert_eq!(p.count(total), Count::Shown(22));
        assert_no_single_withheld(&s, &p);
        // 4 | 4 | 20 -> 28: 8 = 4 + 4 pins them at the top.
        let mut s = Suppressor::new(5);
        let row: Vec<CellId> = [4, 4, 20].iter().map(|v| s.anonymous(*v)).collect();
        s.total("t", &row);
        let p = s.solve();
        assert!(p.count(row[2]).is_suppressed());
        // 1 | 3 | 20 -> 24: 4 = a + b with a, b in 1..4 leaves 1..3 each: not pinned.
        let mut s = Suppressor::new(5);
        let row: Vec<CellId> = [1, 3, 20].iter().map(|v| s.anonymous(*v)).collect();
        s.total("t", &row);
        let p = s.solve();
        assert_eq!(p.count(row[2]), Count::Shown(20));
    }

    fn small_biased() -> impl Strategy<Value = u64> {
        prop_oneof![3 => 0u64..8, 2 => 0u64..200]
    }

    proptest! {
        #[test]
        fn no_withheld_cell_comes_back_from_a_total(
            // Not 2: "<2" is 1 by itself, whatever the table does.
            threshold in prop_oneof![0u64..2, 3u64..9],
            table in (1usize..7, 1usize..7).prop_flat_map(|(r, c)| {
                proptest::collection::vec(proptest::collection::vec(small_biased(), c), r)
            }),
        ) {
            let mut s = Suppressor::new(threshold);
            let g = Grid::add(&mut s, "t", &table);
            prop_assert!(s.consistent());
            let p = s.solve();
            // Every small count is withheld; every shown count is its true value.
            for (i, row) in g.cells.iter().enumerate() {
                for (j, c) in row.iter().enumerate() {
                    let v = table[i][j];
                    if v >= 1 && v < threshold {
                        prop_assert!(p.count(*c).is_suppressed());
                    }
                    if let Some(shown) = p.count(*c).value() {
                        prop_assert_eq!(shown, v);
                    }
                }
            }
            // No total (row, column, grand) minus its published parts leaves exactly one
            // withheld cell, and no withheld total is the sum of published parts.
            let mut sets: Vec<(CellId, Vec<CellId>)> = Vec::new();
            for (i, row) in g.cells.iter().enumerate() {
                sets.push((g.row_totals[i], row.clone()));
            }
            for (j, t) in g.column_totals.iter().enumerate() {
                sets.push((*t, g.cells.iter().map(|r| r[j]).collect()));
            }
            sets.push((g.total, g.row_totals.clone()));
            sets.push((g.total, g.column_totals.clone()));
            for (total, parts) in &sets {
                let unknown_parts = parts.iter().filter(|c| p.count(**c).is_suppressed()).count();
                let total_unknown = p.count(*total).is_suppressed();
                prop_assert!(
                    total_unknown || unknown_parts != 1,
                    "a published total gives back its one withheld part"
                );
                prop_assert!(
                    !(total_unknown && unknown_parts == 0),
                    "published parts give back a withheld total"
                );
                prop_assert_eq!(pinned_by(*total, parts, &p, threshold.max(1)), None);
            }
        }
    }
}
