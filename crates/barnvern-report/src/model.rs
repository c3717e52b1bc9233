//! The report as data: sections of text, tables of published (already suppressed) figures and
//! charts. Every renderer draws from this one value, so Markdown, HTML and JSON cannot
//! disagree, and nothing unsuppressed is in it to leak.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Serialize, Serializer};

use crate::suppress::{Count, Figure, Fraction};

/// A report of a research dataset.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The title.
    pub title: String,
    /// `barnvern <version>`.
    pub producer: String,
    /// What the report was made from.
    pub dataset: DatasetSummary,
    /// The suppression rule applied to every count.
    pub suppression: SuppressionSummary,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

/// What the dataset is, from its manifest.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetSummary {
    /// The research schema version.
    pub schema_version: String,
    /// The program that wrote the dataset.
    pub producer: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// Research cases in the dataset (suppressed like every count).
    pub cases: Count,
    /// True when pseudonyms were made with a one-off demo key.
    pub demo_key: bool,
    /// The date figures are computed for.
    pub as_of: Option<NaiveDate>,
    /// Version of each code list and rule table the data were derived with.
    pub code_lists: BTreeMap<String, String>,
}

/// The suppression rule in force.
#[derive(Debug, Clone, Serialize)]
pub struct SuppressionSummary {
    /// Counts from 1 to `threshold - 1` are withheld.
    pub threshold: u64,
    /// The rule in words.
    pub rule: String,
}

/// One section of a report.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Stable identifier (`deadlines`, `consort`, ...).
    pub id: String,
    /// The heading.
    pub title: String,
    /// Paragraphs: definitions, denominators, sources.
    pub paragraphs: Vec<String>,
    /// Tables.
    pub tables: Vec<Table>,
    /// Charts (drawn in the HTML page; the numbers are in the tables).
    #[serde(skip)]
    pub charts: Vec<Chart>,
}

/// A table of published figures.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// Stable identifier.
    pub id: String,
    /// The caption.
    pub title: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows: one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// Notes under the table.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A column of a [`Table`].
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// Stable identifier (the key in JSON consumers use).
    pub id: String,
    /// The heading.
    pub label: String,
}

impl Column {
    /// A column.
    pub fn new(id: &str, label: &str) -> Column {
        Column {
            id: id.to_owned(),
            label: label.to_owned(),
        }
    }
}

/// A traffic light as published: withheld when a count behind it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LightCell {
    /// Proceed.
    Green,
    /// Proceed with changes.
    Amber,
    /// Do not proceed unless the problem can be fixed.
    Red,
    /// No value (a zero denominator).
    NotAvailable,
    /// Withheld: a count behind it is withheld.
    Suppressed,
}

impl LightCell {
    /// The word shown.
    pub fn as_str(self) -> &'static str {
        match self {
            LightCell::Green => "green",
            LightCell::Amber => "amber",
            LightCell::Red => "red",
            LightCell::NotAvailable => "n/a",
            LightCell::Suppressed => "x",
        }
    }
}

/// A cell of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A label.
    Text(String),
    /// A count.
    Count(Count),
    /// A proportion with numerator and denominator.
    Fraction(Fraction),
    /// A number derived from counts, with the decimals to show.
    Number(Figure, usize),
    /// An amount of money: the figure, with its currency.
    Money(Figure, String),
    /// A traffic light.
    Light(LightCell),
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// The cell as text (`<5` and `x` for withheld counts).
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(c) => c.to_string(),
            Cell::Fraction(f) => f.to_string(),
            Cell::Number(f, d) => f.format(*d),
            Cell::Money(f, currency) => match f {
                Figure::Shown(_) => format!("{} {currency}", f.format(2)),
                other => other.format(2),
            },
            Cell::Light(l) => l.as_str().to_owned(),
        }
    }
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Text(t) => s.serialize_str(t),
            Cell::Count(c) => c.serialize(s),
            Cell::Fraction(f) => f.serialize(s),
            Cell::Number(f, _) | Cell::Money(f, _) => f.serialize(s),
            Cell::Light(l) => l.serialize(s),
        }
    }
}

/// A chart, drawn as inline SVG in the HTML page.
#[derive(Debug, Clone)]
pub enum Chart {
    /// Horizontal bars split into parts (deadline statuses), one bar per row.
    Stacked(StackedBars),
    /// Bars of proportions, grouped (retention per wave per arm).
    Grouped(GroupedBars),
    /// The CONSORT flow diagram.
    Consort(ConsortDiagram),
    /// A table of shaded cells (deadlines on time by year and kind).
    HeatMap(HeatMap),
}

/// A heat map: a table with one row per row label and one column per column label, each cell
/// a proportion shaded by its value, with its percentage and its numerator and denominator
/// printed in the cell, so that it reads without colour too.
#[derive(Debug, Clone)]
pub struct HeatMap {
    /// The caption.
    pub title: String,
    /// What the cells show, in words (under the map).
    pub note: String,
    /// The heading of the row labels' column.
    pub row_header: String,
    /// The column labels.
    pub columns: Vec<String>,
    /// The rows: a label and a cell per column (`None`: nothing counted there).
    pub rows: Vec<(String, Vec<Option<Fraction>>)>,
}

/// One horizontal bar per row, split into the parts' shares of the row's total.
#[derive(Debug, Clone)]
pub struct StackedBars {
    /// The caption.
    pub title: String,
    /// The parts' names, in order.
    pub parts: Vec<String>,
    /// The rows: a label, each part's count (withheld counts stay withheld) and the total.
    pub rows: Vec<(String, Vec<Count>, Count)>,
}

/// Bars of proportions in groups.
#[derive(Debug, Clone)]
pub struct GroupedBars {
    /// The caption.
    pub title: String,
    /// The series' names (one bar per series in each group).
    pub series: Vec<String>,
    /// The groups: a label and a fraction per series.
    pub groups: Vec<(String, Vec<Fraction>)>,
}

/// A box of the CONSORT diagram: its lines of text (the first is the heading).
#[derive(Debug, Clone)]
pub struct ConsortBox {
    /// The lines.
    pub lines: Vec<String>,
}

/// The CONSORT diagram: enrolment boxes, then a column per arm.
#[derive(Debug, Clone)]
pub struct ConsortDiagram {
    /// Assessed for eligibility.
    pub assessed: ConsortBox,
    /// Excluded, with reasons (the side box).
    pub excluded: ConsortBox,
    /// Randomised.
    pub randomised: ConsortBox,
    /// Per arm: allocation, follow-up and analysis boxes, top to bottom.
    pub arms: Vec<Vec<ConsortBox>>,
}
