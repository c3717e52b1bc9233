//! Instrument definitions as data: items, response options, reverse keys, scales, composites and
//! band tables, with a version.
//!
//! A definition is written as JSON ([`InstrumentDef`], whose JSON Schema is
//! [`InstrumentDef::schema`]) and becomes an [`Instrument`] only through
//! [`Instrument::new`] / [`Instrument::from_json`], which check every rule below and compile the
//! scoring plan. A built-in instrument is such a file shipped with the crate; a user-defined one
//! (for example a proprietary scale with the user's own key) goes through exactly the same path.
//!
//! Rules checked:
//! - names (items, scales, composites) are unique; item positions are unique and start at 1;
//! - every item names a response set that exists; a response set has at least one option and no
//!   value twice; weights lie within ±1,000,000;
//! - reverse keys, scale items and gate items name items; composites name scales;
//! - `min_answered` is between 1 and the number of the scale's items;
//! - a conversion table needs a complete-case sum and covers every possible raw sum;
//! - band tables name a score, have a valid age range and non-overlapping bands.

use std::collections::{BTreeMap, BTreeSet};

use barnvern_core::{Finding, Findings, ValidationError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::bands::BandTable;
use crate::scoring::Plan;

/// Largest absolute response weight accepted, so that sums can never overflow.
pub const MAX_WEIGHT: i64 = 1_000_000;

/// Most items an instrument may have (with [`MAX_WEIGHT`], sums cannot overflow).
pub const MAX_ITEMS: usize = 10_000;

/// Largest number of decimals a [`Rounding::HalfUp`] may ask for.
pub const MAX_DECIMALS: u32 = 6;

/// The rule for names of instruments, items and scores: 1 to 64 ASCII letters, digits, `_`, `.`
/// or `-`, starting with a letter, and nothing shaped like an identity number (a name is
/// written to research tables as it is). Variable names in SPSS, Stata, R and SDTM all fit.
pub fn check_name(value: &str) -> Result<(), Finding> {
    let ok_start = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic());
    let ok_chars = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if value.is_empty()
        || value.len() > 64
        || !ok_start
        || !ok_chars
        || barnvern_core::identifier::looks_like_identity_number(value)
    {
        return Err(Finding::error(
            "",
            "outcomes.invalid_name",
            format!(
                "{} is not a valid name: use 1 to 64 ASCII letters, digits, '_', '.' or '-', \
                 starting with a letter",
                barnvern_core::identifier::echo(value)
            ),
        ));
    }
    Ok(())
}

/// The rule for a QS test code (SDTM QSTESTCD of a derived score): 1 to 8 upper-case ASCII
/// letters, digits or `_`, starting with a letter, so SAS transport files and define.xml take it.
/// Score ids are longer and readable (`hyperactivity`); the code keeps the QS layout short
/// (`SDQHYPR`).
pub fn check_qs_testcd(value: &str) -> Result<(), Finding> {
    let ok_start = value.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    let ok_chars = value
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if value.is_empty() || value.len() > 8 || !ok_start || !ok_chars {
        return Err(Finding::error(
            "",
            "outcomes.definition.qs_testcd",
            format!(
                "{} is not a QS test code: use 1 to 8 upper-case letters, digits or '_', \
                 starting with a letter",
                barnvern_core::identifier::echo(value)
            ),
        ));
    }
    Ok(())
}

barnvern_core::validated_string! {
    /// The id of an instrument definition, e.g. `sdq-p-4-17`.
    pub struct InstrumentId; validate = check_name;
}

barnvern_core::validated_string! {
    /// The variable name of an item, e.g. `obeys` (also its SDTM QSTESTCD).
    pub struct ItemName; validate = check_name;
}

barnvern_core::validated_string! {
    /// The id of a score: a scale or a composite, e.g. `emotional` or `total`.
    pub struct ScoreId; validate = check_name;
}

/// Who answered the questionnaire (SDTM QSEVAL).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Informant {
    /// A parent or carer (SE förälder/vårdnadshavare, NO forelder/omsorgsperson).
    Parent,
    /// A teacher (SE lärare, NO lærer).
    Teacher,
    /// The child or young person about themselves.
    #[serde(rename = "self")]
    SelfReport,
    /// A practitioner or other staff member.
    Staff,
}

impl Informant {
    /// The JSON name: `parent`, `teacher`, `self` or `staff`.
    pub fn as_str(self) -> &'static str {
        match self {
            Informant::Parent => "parent",
            Informant::Teacher => "teacher",
            Informant::SelfReport => "self",
            Informant::Staff => "staff",
        }
    }
}

impl std::fmt::Display for Informant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An inclusive range of ages in whole years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgeRange {
    /// Youngest age, in whole years, included.
    pub min: u32,
    /// Oldest age, in whole years, included.
    pub max: u32,
}

impl AgeRange {
    /// True when `age` (whole years) lies in the range.
    pub fn contains(&self, age: u32) -> bool {
        self.min <= age && age <= self.max
    }
}

/// One response option of an item: the recorded code and the weight it scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseOption {
    /// The code recorded in the data (SDTM QSORRES as a number), e.g. 0, 1, 2.
    pub value: i64,
    /// The weight the option scores before reverse keying (SDQ impact: 0, 0, 1, 2 for 0..3).
    pub weight: i64,
    /// A short anchor label (e.g. `somewhat true`); never the wording of a copyrighted item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// One item of an instrument. No item wording: the variable name is the item's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// The variable name, e.g. `obeys`.
    pub name: ItemName,
    /// Position on the form, from 1.
    pub position: u32,
    /// The name of the response set in [`InstrumentDef::response_sets`].
    pub responses: String,
}

/// How a scale turns the weights of its answered items into a raw score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScaleMethod {
    /// The sum of the answered items' weights (use `min_answered` = all items for complete
    /// cases).
    Sum,
    /// The mean of the answered items times the number of items (SDQ: mean x 5), so a scale
    /// with a missing item is on the same range as a complete one.
    ProratedSum,
    /// The mean of the answered items (AIM, IAM, FIM).
    Mean,
}

/// How a raw score is rounded. Never banker's rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rounding {
    /// Kept as computed.
    None,
    /// Rounded to `decimals` places, halves upwards (2.5 -> 3, 6.67 -> 7, -2.5 -> -2). Computed
    /// exactly on the rational raw score, so no floating-point error can move a half.
    HalfUp {
        /// Decimal places, 0 to 6.
        #[serde(default)]
        decimals: u32,
    },
}

/// One row of a conversion table: a raw score and the score it converts to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conversion {
    /// The raw sum.
    pub raw: i64,
    /// The converted score (SWEMWBS: the Rasch metric score).
    pub score: f64,
}

/// A rule that fixes a scale's score when a gate item has one of some values. SDQ: the impact
/// score is 0 when `ebddiff` (does the child have difficulties?) is answered 0, "no".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gate {
    /// The gate item.
    pub item: ItemName,
    /// Recorded values of the gate item that fix the score.
    pub values: Vec<i64>,
    /// The score given then.
    pub score: f64,
}

/// A scale: a score computed from items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// The score id, e.g. `emotional`.
    pub id: ScoreId,
    /// A short English label, e.g. `emotional problems`.
    pub label: String,
    /// The short code of the score in the CDISC SDTM QS layout (QSTESTCD), e.g. `SDQEMOT`:
    /// 1 to 8 upper-case letters, digits or `_`, starting with a letter (see [`check_qs_testcd`]).
    pub qs_testcd: String,
    /// The items, by name.
    pub items: Vec<ItemName>,
    /// How the raw score is computed.
    pub method: ScaleMethod,
    /// The fewest answered items for which the scale is scored; fewer gives a missing score.
    pub min_answered: usize,
    /// How the raw score is rounded.
    pub rounding: Rounding,
    /// A table from raw sum to reported score (SWEMWBS Rasch conversion).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion: Option<Vec<Conversion>>,
    /// A gate item that fixes the score (SDQ impact: 0 after "no difficulties").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<Gate>,
    /// True for an SDQ-style impact score, which follows
    /// [`ImpactMissingPolicy`](crate::ImpactMissingPolicy) instead of `min_answered`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub impact: bool,
    /// A benchmark the scale is reported against (AIM/IAM/FIM: 3.5 in one published pilot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmark: Option<f64>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A composite: the sum of scales, missing when any of them is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Composite {
    /// The score id, e.g. `total`.
    pub id: ScoreId,
    /// A short English label, e.g. `total difficulties`.
    pub label: String,
    /// The short code of the score in the CDISC SDTM QS layout (QSTESTCD), e.g. `SDQTOT`; the
    /// rule is [`check_qs_testcd`].
    pub qs_testcd: String,
    /// The scales summed, by id.
    pub scales: Vec<ScoreId>,
}

/// An instrument definition as written in JSON. Not yet checked: make an [`Instrument`] of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstrumentDef {
    /// The instrument id, e.g. `sdq-p-4-17`.
    pub id: InstrumentId,
    /// The version of this definition; scores name it.
    pub version: String,
    /// The name of the scoring algorithm the definition implements, e.g. `sdq-prorated`.
    pub algorithm: String,
    /// The instrument's English name.
    pub name: String,
    /// Who answers it, when fixed by the form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informant: Option<Informant>,
    /// Ages, in whole years, the form is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_range: Option<AgeRange>,
    /// Copyright, licence and source notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// Named sets of response options, shared by items.
    pub response_sets: BTreeMap<String, Vec<ResponseOption>>,
    /// The items in form order.
    pub items: Vec<Item>,
    /// Items scored in reverse: weight becomes (lowest + highest weight of the set) - weight,
    /// e.g. 2 - x for SDQ.
    #[serde(default)]
    pub reverse_keyed: Vec<ItemName>,
    /// The scales.
    pub scales: Vec<Scale>,
    /// The composites.
    #[serde(default)]
    pub composites: Vec<Composite>,
    /// Band tables keyed by score, informant, age range and country.
    #[serde(default)]
    pub band_tables: Vec<BandTable>,
}

impl InstrumentDef {
    /// The JSON Schema of a definition file.
    pub fn schema() -> schemars::Schema {
        schemars::schema_for!(InstrumentDef)
    }

    /// Checks every rule in the module documentation; all findings, paths from the definition's
    /// root (`scales[2].items[0]`).
    pub fn check(&self) -> Findings {
        let mut report = Findings::new();
        let mut push = |path: String, code: &str, message: String| {
            report.push(Finding::error(
                path,
                format!("outcomes.definition.{code}"),
                message,
            ));
        };
        if self.version.trim().is_empty() {
            push(
                "version".into(),
                "empty",
                "the version cannot be empty".into(),
            );
        }
        if self.algorithm.trim().is_empty() {
            push(
                "algorithm".into(),
                "empty",
                "the algorithm cannot be empty".into(),
            );
        }
        if let Some(r) = &self.age_range
            && r.min > r.max
        {
            push(
                "age_range".into(),
                "age_range",
                format!("the age range {}-{} is empty", r.min, r.max),
            );
        }

        for (name, options) in &self.response_sets {
            let path = format!("response_sets.{name}");
            if options.is_empty() {
                push(
                    path.clone(),
                    "empty",
                    format!("response set {name} has no options"),
                );
            }
            let mut seen = BTreeSet::new();
            for (i, o) in options.iter().enumerate() {
                if !seen.insert(o.value) {
                    push(
                        format!("{path}[{i}].value"),
                        "duplicate",
                        format!("response set {name} has the value {} twice", o.value),
                    );
                }
                if o.weight.abs() > MAX_WEIGHT || o.value.abs() > MAX_WEIGHT {
                    push(
                        format!("{path}[{i}]"),
                        "weight_range",
                        format!("values and weights must lie within ±{MAX_WEIGHT}"),
                    );
                }
            }
        }

        if self.items.is_empty() {
            push(
                "items".into(),
                "empty",
                "an instrument needs at least one item".into(),
            );
        }
        if self.items.len() > MAX_ITEMS {
            push(
                "items".into(),
                "too_many",
                format!("an instrument has at most {MAX_ITEMS} items"),
            );
        }
        let mut items = BTreeSet::new();
        let mut positions = BTreeSet::new();
        for (i, item) in self.items.iter().enumerate() {
            if !items.insert(item.name.as_str()) {
                push(
                    format!("items[{i}].name"),
                    "duplicate",
                    format!("item {} is defined twice", item.name),
                );
            }
            if item.position == 0 || !positions.insert(item.position) {
                push(
                    format!("items[{i}].position"),
                    "position",
                    format!(
                        "item {} has position {}: positions start at 1 and are unique",
                        item.name, item.position
                    ),
                );
            }
            if !self.response_sets.contains_key(&item.responses) {
                push(
                    format!("items[{i}].responses"),
                    "unknown_response_set",
                    format!(
                        "item {} uses response set {:?}, which is not defined",
                        item.name, item.responses
                    ),
                );
            }
        }

        let mut reversed = BTreeSet::new();
        for (i, name) in self.reverse_keyed.iter().enumerate() {
            if !items.contains(name.as_str()) {
                push(
                    format!("reverse_keyed[{i}]"),
                    "unknown_item",
                    format!("reverse key {name} names no item"),
                );
            }
            if !reversed.insert(name.as_str()) {
                push(
                    format!("reverse_keyed[{i}]"),
                    "duplicate",
                    format!("item {name} is reverse keyed twice"),
                );
            }
        }

        let mut scores = BTreeSet::new();
        let mut scale_ids = BTreeSet::new();
        let mut testcds = BTreeSet::new();
        let mut check_testcd =
            |path: String, id: &ScoreId, code: &str, push: &mut dyn FnMut(String, &str, String)| {
                if let Err(finding) = check_qs_testcd(code) {
                    push(path.clone(), "qs_testcd", finding.message);
                }
                if !testcds.insert(code.to_owned()) {
                    push(
                        path,
                        "duplicate",
                        format!("score {id} has QS test code {code}, which another score has"),
                    );
                }
            };
        for (s, scale) in self.scales.iter().enumerate() {
            let path = format!("scales[{s}]");
            if !scores.insert(scale.id.as_str()) {
                push(
                    format!("{path}.id"),
                    "duplicate",
                    format!("score {} is defined twice", scale.id),
                );
            }
            scale_ids.insert(scale.id.as_str());
            check_testcd(
                format!("{path}.qs_testcd"),
                &scale.id,
                &scale.qs_testcd,
                &mut push,
            );
            if scale.items.is_empty() {
                push(
                    format!("{path}.items"),
                    "empty",
                    format!("scale {} has no items", scale.id),
                );
            }
            let mut own = BTreeSet::new();
            for (i, name) in scale.items.iter().enumerate() {
                if !items.contains(name.as_str()) {
                    push(
                        format!("{path}.items[{i}]"),
                        "unknown_item",
                        format!("scale {} names item {name}, which is not defined", scale.id),
                    );
                }
                if !own.insert(name.as_str()) {
                    push(
                        format!("{path}.items[{i}]"),
                        "duplicate",
                        format!("scale {} names item {name} twice", scale.id),
                    );
                }
            }
            if scale.min_answered == 0 || scale.min_answered > scale.items.len() {
                push(
                    format!("{path}.min_answered"),
                    "min_answered",
                    format!(
                        "scale {} has {} items: min_answered must be 1 to {}, not {}",
                        scale.id,
                        scale.items.len(),
                        scale.items.len(),
                        scale.min_answered
                    ),
                );
            }
            if let Rounding::HalfUp { decimals } = scale.rounding
                && decimals > MAX_DECIMALS
            {
                push(
                    format!("{path}.rounding.decimals"),
                    "decimals",
                    format!("at most {MAX_DECIMALS} decimals"),
                );
            }
            if let Some(table) = &scale.conversion {
                self.check_conversion(scale, table, &path, &mut push);
            }
            if let Some(gate) = &scale.gate {
                match self.items.iter().find(|i| i.name == gate.item) {
                    None => push(
                        format!("{path}.gate.item"),
                        "unknown_item",
                        format!(
                            "the gate of scale {} names item {}, which is not defined",
                            scale.id, gate.item
                        ),
                    ),
                    Some(item) => {
                        let allowed = self.response_sets.get(&item.responses);
                        for v in &gate.values {
                            if allowed.is_some_and(|opts| !opts.iter().any(|o| o.value == *v)) {
                                push(
                                    format!("{path}.gate.values"),
                                    "gate_value",
                                    format!(
                                        "the gate of scale {} uses value {v}, which item {} cannot take",
                                        scale.id, gate.item
                                    ),
                                );
                            }
                        }
                    }
                }
                if !gate.score.is_finite() {
                    push(
                        format!("{path}.gate.score"),
                        "not_finite",
                        "the gate score must be a finite number".into(),
                    );
                }
            }
            if scale.benchmark.is_some_and(|b| !b.is_finite()) {
                push(
                    format!("{path}.benchmark"),
                    "not_finite",
                    "the benchmark must be a finite number".into(),
                );
            }
        }

        for (c, composite) in self.composites.iter().enumerate() {
            let path = format!("composites[{c}]");
            if !scores.insert(composite.id.as_str()) {
                push(
                    format!("{path}.id"),
                    "duplicate",
                    format!("score {} is defined twice", composite.id),
                );
            }
            check_testcd(
                format!("{path}.qs_testcd"),
                &composite.id,
                &composite.qs_testcd,
                &mut push,
            );
            if composite.scales.is_empty() {
                push(
                    format!("{path}.scales"),
                    "empty",
                    format!("composite {} sums no scales", composite.id),
                );
            }
            for (i, id) in composite.scales.iter().enumerate() {
                if !scale_ids.contains(id.as_str()) {
                    push(
                        format!("{path}.scales[{i}]"),
                        "unknown_scale",
                        format!(
                            "composite {} names scale {id}, which is not defined",
                            composite.id
                        ),
                    );
                }
            }
        }

        for (t, table) in self.band_tables.iter().enumerate() {
            let path = format!("band_tables[{t}]");
            if !scores.contains(table.score.as_str()) {
                push(
                    format!("{path}.score"),
                    "unknown_score",
                    format!("band table for {} names no scale or composite", table.score),
                );
            }
            for finding in table.check() {
                report_push(&mut push, finding.under(&path));
            }
        }
        report
    }

    fn check_conversion(
        &self,
        scale: &Scale,
        table: &[Conversion],
        path: &str,
        push: &mut impl FnMut(String, &str, String),
    ) {
        if scale.method != ScaleMethod::Sum
            || scale.min_answered != scale.items.len()
            || scale.rounding != Rounding::None
            || scale.impact
        {
            push(
                format!("{path}.conversion"),
                "conversion_method",
                format!(
                    "scale {}: a conversion table needs method sum, every item answered, \
                     rounding none and no impact policy",
                    scale.id
                ),
            );
            return;
        }
        let (mut lo, mut hi) = (0i64, 0i64);
        for name in &scale.items {
            let Some(opts) = self
                .items
                .iter()
                .find(|i| i.name == *name)
                .and_then(|i| self.response_sets.get(&i.responses))
            else {
                return; // reported as an unknown item or response set
            };
            lo += opts.iter().map(|o| o.weight).min().unwrap_or(0);
            hi += opts.iter().map(|o| o.weight).max().unwrap_or(0);
        }
        let mut seen = BTreeSet::new();
        for (i, row) in table.iter().enumerate() {
            if !seen.insert(row.raw) || !row.score.is_finite() {
                push(
                    format!("{path}.conversion[{i}]"),
                    "conversion_row",
                    format!(
                        "raw score {} is given twice or converts to no number",
                        row.raw
                    ),
                );
            }
        }
        let gaps: Vec<String> = (lo..=hi)
            .filter(|r| !seen.contains(r))
            .map(|r| r.to_string())
            .collect();
        if !gaps.is_empty() {
            push(
                format!("{path}.conversion"),
                "conversion_gap",
                format!(
                    "scale {}: the conversion table lacks raw scores {}",
                    scale.id,
                    gaps.join(", ")
                ),
            );
        }
    }
}

fn report_push(push: &mut impl FnMut(String, &str, String), finding: Finding) {
    let code = finding
        .code
        .strip_prefix("outcomes.definition.")
        .unwrap_or(&finding.code)
        .to_owned();
    push(finding.path, &code, finding.message);
}

/// A checked instrument definition with its compiled scoring plan.
///
/// Built only by [`Instrument::new`] or [`Instrument::from_json`] (and serde, which goes through
/// `new`), so an `Instrument` always satisfies every rule of its definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "InstrumentDef", into = "InstrumentDef")]
pub struct Instrument {
    def: InstrumentDef,
    #[serde(skip)]
    pub(crate) plan: Plan,
}

impl JsonSchema for Instrument {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        InstrumentDef::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        InstrumentDef::json_schema(generator)
    }
}

impl Instrument {
    /// Checks a definition and compiles it; every broken rule is a finding in the error.
    pub fn new(def: InstrumentDef) -> Result<Instrument, ValidationError> {
        def.check().into_result()?;
        let plan = Plan::compile(&def);
        Ok(Instrument { def, plan })
    }

    /// Reads a definition from JSON and checks it. Errors carry the JSON path
    /// (`scales[1].items[3]`) and a code (`json.*` or `outcomes.definition.*`).
    pub fn from_json(text: &str) -> Result<Instrument, ValidationError> {
        Instrument::new(barnvern_core::json::from_str::<InstrumentDef>(text)?)
    }

    /// The definition as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.def).unwrap_or_default()
    }

    /// The definition.
    pub fn def(&self) -> &InstrumentDef {
        &self.def
    }

    /// The instrument id.
    pub fn id(&self) -> &str {
        self.def.id.as_str()
    }

    /// The version of the definition.
    pub fn version(&self) -> &str {
        &self.def.version
    }

    /// The scoring algorithm's name.
    pub fn algorithm(&self) -> &str {
        &self.def.algorithm
    }

    /// The items in form order.
    pub fn items(&self) -> &[Item] {
        &self.def.items
    }

    /// The item called `name`.
    pub fn item(&self, name: &str) -> Option<&Item> {
        self.def.items.iter().find(|i| i.name.as_str() == name)
    }

    /// The response options of item `name`.
    pub fn options(&self, name: &str) -> Option<&[ResponseOption]> {
        let item = self.item(name)?;
        self.def
            .response_sets
            .get(&item.responses)
            .map(Vec::as_slice)
    }

    /// The ids of every score, scales first then composites, in definition order.
    pub fn score_ids(&self) -> impl Iterator<Item = &str> {
        self.def
            .scales
            .iter()
            .map(|s| s.id.as_str())
            .chain(self.def.composites.iter().map(|c| c.id.as_str()))
    }

    /// The QS test code (QSTESTCD) of score `id`, e.g. `SDQEMOT` for `emotional`.
    pub fn qs_testcd(&self, id: &str) -> Option<&str> {
        self.def
            .scales
            .iter()
            .find(|s| s.id.as_str() == id)
            .map(|s| s.qs_testcd.as_str())
            .or_else(|| {
                self.def
                    .composites
                    .iter()
                    .find(|c| c.id.as_str() == id)
                    .map(|c| c.qs_testcd.as_str())
            })
    }

    /// True when score `id` can only take whole numbers: a scale rounded half up to 0 decimals,
    /// or a plain sum without a conversion table (weights are whole numbers), with a whole gate
    /// score if it has a gate; a composite of such scales. Every SDQ score is whole; AIM/IAM/FIM
    /// means and the SWEMWBS metric score are not. Bindings use it to give whole scores as
    /// integers.
    pub fn whole_number_score(&self, id: &str) -> bool {
        let scale_whole = |scale: &Scale| {
            let method = match scale.rounding {
                Rounding::HalfUp { decimals } => decimals == 0,
                Rounding::None => scale.method == ScaleMethod::Sum,
            };
            method
                && scale.conversion.is_none()
                && scale.gate.as_ref().is_none_or(|g| g.score.fract() == 0.0)
        };
        if let Some(scale) = self.def.scales.iter().find(|s| s.id.as_str() == id) {
            return scale_whole(scale);
        }
        self.def
            .composites
            .iter()
            .find(|c| c.id.as_str() == id)
            .is_some_and(|c| {
                c.scales.iter().all(|part| {
                    self.def
                        .scales
                        .iter()
                        .find(|s| s.id == *part)
                        .is_some_and(scale_whole)
                })
            })
    }

    /// The label of score `id`.
    pub fn score_label(&self, id: &str) -> Option<&str> {
        self.def
            .scales
            .iter()
            .find(|s| s.id.as_str() == id)
            .map(|s| s.label.as_str())
            .or_else(|| {
                self.def
                    .composites
                    .iter()
                    .find(|c| c.id.as_str() == id)
                    .map(|c| c.label.as_str())
            })
    }
}

impl TryFrom<InstrumentDef> for Instrument {
    type Error = ValidationError;
    fn try_from(def: InstrumentDef) -> Result<Self, Self::Error> {
        Instrument::new(def)
    }
}

impl From<Instrument> for InstrumentDef {
    fn from(instrument: Instrument) -> Self {
        instrument.def
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn tiny() -> serde_json::Value {
        serde_json::json!({
            "id": "tiny", "version": "1", "algorithm": "sum", "name": "Tiny",
            "response_sets": {"r": [{"value": 0, "weight": 0}, {"value": 1, "weight": 1}]},
            "items": [
                {"name": "a", "position": 1, "responses": "r"},
                {"name": "b", "position": 2, "responses": "r"}
            ],
            "scales": [{"id": "s", "label": "S", "qs_testcd": "TINYS", "items": ["a", "b"], "method": "sum",
                        "min_answered": 2, "rounding": {"mode": "none"}}]
        })
    }

    fn codes(err: &ValidationError) -> Vec<&str> {
        err.findings().iter().map(|i| i.code.as_str()).collect()
    }

    #[test]
    fn a_valid_definition_loads_and_round_trips() {
        let inst = Instrument::from_json(&tiny().to_string()).unwrap();
        assert_eq!(inst.id(), "tiny");
        let again = Instrument::from_json(&inst.to_json()).unwrap();
        assert_eq!(again, inst);
    }

    #[test]
    fn duplicate_positions_and_unknown_names_are_refused() {
        let mut v = tiny();
        v["items"][1]["position"] = 1.into();
        v["reverse_keyed"] = serde_json::json!(["zz"]);
        v["scales"][0]["items"] = serde_json::json!(["a", "q"]);
        v["composites"] =
            serde_json::json!([{"id": "c", "label": "C", "qs_testcd": "C", "scales": ["nope"]}]);
        let err = Instrument::from_json(&v.to_string()).unwrap_err();
        let c = codes(&err);
        assert!(c.contains(&"outcomes.definition.position"), "{c:?}");
        assert!(c.contains(&"outcomes.definition.unknown_item"), "{c:?}");
        assert!(c.contains(&"outcomes.definition.unknown_scale"), "{c:?}");
        let paths: Vec<&str> = err.findings().iter().map(|i| i.path.as_str()).collect();
        assert!(paths.contains(&"scales[0].items[1]"), "{paths:?}");
        assert!(paths.contains(&"reverse_keyed[0]"), "{paths:?}");
    }

    #[test]
    fn min_answered_must_fit_the_scale() {
        let mut v = tiny();
        v["scales"][0]["min_answered"] = 3.into();
        let err = Instrument::from_json(&v.to_string()).unwrap_err();
        assert_eq!(codes(&err), ["outcomes.definition.min_answered"]);
    }

    #[test]
    fn a_conversion_table_must_cover_every_raw_sum() {
        let mut v = tiny();
        v["scales"][0]["conversion"] =
            serde_json::json!([{"raw": 0, "score": 0.0}, {"raw": 2, "score": 5.0}]);
        let err = Instrument::from_json(&v.to_string()).unwrap_err();
        assert_eq!(codes(&err), ["outcomes.definition.conversion_gap"]);
        assert!(err.findings()[0].message.contains("lacks raw scores 1"));
    }

    #[test]
    fn bad_names_are_refused_with_their_path() {
        let mut v = tiny();
        v["items"][0]["name"] = "1a".into();
        let err = Instrument::from_json(&v.to_string()).unwrap_err();
        assert_eq!(err.findings()[0].path, "items[0].name");
        assert_eq!(err.findings()[0].code, "outcomes.invalid_name");
    }

    #[test]
    fn qs_test_codes_are_short_and_unique() {
        let mut v = tiny();
        v["scales"][0]["qs_testcd"] = "TOOLONGCODE".into();
        let err = Instrument::from_json(&v.to_string()).unwrap_err();
        assert_eq!(codes(&err), ["outcomes.definition.qs_testcd"]);
        assert_eq!(err.findings()[0].path, "scales[0].qs_testcd");
        let mut v = tiny();
        v["composites"] =
            serde_json::json!([{"id": "c", "label": "C", "qs_testcd": "TINYS", "scales": ["s"]}]);
        let err = Instrument::from_json(&v.to_string()).unwrap_err();
        assert_eq!(codes(&err), ["outcomes.definition.duplicate"]);
        assert_eq!(err.findings()[0].path, "composites[0].qs_testcd");
    }

    #[test]
    fn whole_number_scores() {
        let inst = Instrument::from_json(&tiny().to_string()).unwrap();
        assert!(inst.whole_number_score("s"));
        assert!(!inst.whole_number_score("nope"));
    }

    #[test]
    fn serde_goes_through_the_checks() {
        let mut v = tiny();
        v["items"][1]["name"] = "a".into();
        assert!(serde_json::from_value::<Instrument>(v).is_err());
    }
}
