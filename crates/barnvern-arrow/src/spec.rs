//! Table specs: each research table described once, as data.
//!
//! A [`TableSpec`] names the table, its grain (what one row is), its fields (name, type,
//! nullability, documentation, code list, sensitivity) and how it is partitioned. Everything
//! else is derived from it: the Arrow schema ([`TableSpec::arrow_schema`]), the Parquet
//! key-value metadata ([`TableSpec::parquet_metadata`]), the data dictionary
//! ([`crate::dictionary`]) and the JSON description ([`TableSpec::to_json`]).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use serde_json::{Value, json};

use crate::codes::CodeEnum;

/// The research schema version this build writes.
pub const SCHEMA_VERSION: &str = "1.3";
/// The research schema versions this build reads. 1.0 files (before the intervention, plan,
/// meeting and Family Partner tables) have the same columns in every table they share with
/// 1.1, so they are read as they are. 1.2 adds the tables of Norway's national reporting
/// (decision_grounds, extension_applications, decision_ends, decision_claims, board_referrals,
/// moves, placement_visit_frequencies, placement_visits, supervision_responsibility,
/// aftercare_conclusions) and of violence found later (violence_disclosures,
/// risk_assessments), which 1.1 datasets read as 1.2 datasets simply lack; and the columns
/// `deadlines.start_basis` and `deadlines.completed_same_day` (Norway's investigation deadlines
/// now count from the end of the report review), which older files get derived as the older
/// version meant them (`migrate.rs`); and the trial's site and stratum columns of
/// `fp_enrolments`, which older files read as null ([`COLUMNS_ADDED`]). 1.3 adds the Family
/// Partner trial's qualitative sub-sample log (`fp_interviews`), which older datasets read as
/// datasets without interviews.
pub const SUPPORTED_SCHEMA_VERSIONS: &[&str] = &["1.0", "1.1", "1.2", "1.3"];

/// Columns added after 1.0: (the version that added it, table, column). Each is nullable, and
/// a file of an earlier version is read with the column all null.
pub const COLUMNS_ADDED: &[(&str, &str, &str)] = &[
    ("1.2", "fp_enrolments", "site"),
    ("1.2", "fp_enrolments", "site_name"),
    ("1.2", "fp_enrolments", "site_jurisdiction"),
    ("1.2", "fp_enrolments", "site_municipality"),
    ("1.2", "fp_enrolments", "site_district"),
    ("1.2", "fp_enrolments", "site_recruitment_opened_on"),
    ("1.2", "fp_enrolments", "site_target_per_month"),
    ("1.2", "fp_enrolments", "allocation_stratum"),
];

/// Whether `column` of `table` is newer than a file of research schema `version`.
pub fn added_after(version: &str, table: &str, column: &str) -> bool {
    COLUMNS_ADDED
        .iter()
        .any(|(v, t, c)| *t == table && *c == column && newer(v, version))
}

/// Whether research schema version `a` is later than `b` (`"1.10"` after `"1.9"`).
pub(crate) fn newer(a: &str, b: &str) -> bool {
    let key = |v: &str| -> Vec<u32> { v.split('.').filter_map(|p| p.parse().ok()).collect() };
    key(a) > key(b)
}

/// Producer written into every file and manifest: `barnvern <version>`.
pub const PRODUCER: &str = concat!("barnvern ", env!("CARGO_PKG_VERSION"));

/// Parquet key-value metadata key of the research schema version.
pub const META_SCHEMA_VERSION: &str = "barnvern.schema_version";
/// Parquet key-value metadata key of the table name.
pub const META_TABLE: &str = "barnvern.table";
/// Parquet key-value metadata key of the table spec (JSON).
pub const META_TABLE_SPEC: &str = "barnvern.table_spec";
/// Parquet key-value metadata key of the producer (`barnvern 0.1.0`).
pub const META_PRODUCER: &str = "barnvern.producer";

/// The partition columns of every table, in directory order: `jurisdiction=SE/year=2024`.
pub const PARTITION_COLUMNS: [&str; 2] = ["jurisdiction", "year"];

/// The column types a research table may use: only types every reader takes (Spark, DuckDB,
/// Polars, pandas, older Parquet readers), so no unsigned integers and no nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// Boolean.
    Bool,
    /// 32-bit signed integer.
    Int32,
    /// 64-bit float: derived scores and amounts of money.
    Float64,
    /// UTF-8 text.
    Utf8,
    /// UTF-8 text, dictionary-encoded with 32-bit signed keys: codes and keys that repeat.
    Dict,
    /// Calendar date (days since 1970-01-01).
    Date32,
    /// Instant, microseconds since 1970-01-01 UTC, time zone `UTC`.
    TimestampUtc,
    /// List of 32-bit signed integers (no null elements).
    ListInt32,
}

impl ColumnType {
    /// The Arrow data type.
    pub fn arrow_type(self) -> DataType {
        match self {
            ColumnType::Bool => DataType::Boolean,
            ColumnType::Int32 => DataType::Int32,
            ColumnType::Float64 => DataType::Float64,
            ColumnType::Utf8 => DataType::Utf8,
            ColumnType::Dict => {
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
            }
            ColumnType::Date32 => DataType::Date32,
            ColumnType::TimestampUtc => {
                DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("UTC")))
            }
            ColumnType::ListInt32 => {
                DataType::List(Arc::new(Field::new_list_field(DataType::Int32, false)))
            }
        }
    }

    /// The type as a reader sees it (pyarrow's names): `dictionary<int32, string>`,
    /// `timestamp[us, tz=UTC]`, `date32`, `list<int32>`.
    pub fn reader_name(self) -> &'static str {
        match self {
            ColumnType::Bool => "bool",
            ColumnType::Int32 => "int32",
            ColumnType::Float64 => "double",
            ColumnType::Utf8 => "string",
            ColumnType::Dict => "dictionary<int32, string>",
            ColumnType::Date32 => "date32",
            ColumnType::TimestampUtc => "timestamp[us, tz=UTC]",
            ColumnType::ListInt32 => "list<int32>",
        }
    }
}

/// What kind of information a column holds, for disclosure control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sensitivity {
    /// A pseudonym (HMAC-SHA256 under the project key) standing in for a person, case or staff
    /// member.
    Pseudonym,
    /// A personal attribute coarsened on the way in (birth year and month).
    Coarsened,
    /// A code from a closed list.
    Code,
    /// A calendar date.
    Date,
    /// An instant to the microsecond.
    Timestamp,
    /// A yes/no flag.
    Flag,
    /// A position of a record within its case (0, 1, ...), used to join tables.
    Index,
    /// A quantity (minutes of UTC offset, a paragraph number).
    Measure,
}

impl Sensitivity {
    /// The lower-case name used in metadata and the dictionary.
    pub fn as_str(self) -> &'static str {
        match self {
            Sensitivity::Pseudonym => "pseudonym",
            Sensitivity::Coarsened => "coarsened",
            Sensitivity::Code => "code",
            Sensitivity::Date => "date",
            Sensitivity::Timestamp => "timestamp",
            Sensitivity::Flag => "flag",
            Sensitivity::Index => "index",
            Sensitivity::Measure => "measure",
        }
    }
}

/// Which codes a coded column may hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Codes {
    /// barnvern's canonical values (a domain enum, written as its JSON text).
    Canonical {
        /// Code system, e.g. `barnvern.reporter_category`.
        system: &'static str,
        /// Every allowed value.
        values: &'static [String],
    },
    /// A code list shipped with barnvern-core (`barnvern_core::codelist::builtin`).
    List(&'static str),
    /// The municipality list of the row's jurisdiction (`se.scb.kommun`, `no.ssb.kommune`).
    Municipality,
    /// Source codes: the code system is the value of the named column; codes of a system that
    /// barnvern ships are checked against it.
    SystemInColumn(String),
}

impl Codes {
    /// Canonical codes of a domain enum.
    pub fn canonical<T: CodeEnum>() -> Codes {
        Codes::Canonical {
            system: T::SYSTEM,
            values: T::codes(),
        }
    }

    /// Why `code` is not allowed in a column of these codes, or `None` when it is.
    /// `context` is the value the codes depend on: the row's jurisdiction for municipality
    /// codes, the source system for source codes. Reading a file and validating a table
    /// both check codes through here.
    pub fn problem(&self, context: Option<&str>, code: &str) -> Option<String> {
        use barnvern_core::codelist::builtin;
        use barnvern_core::{Jurisdiction, municipality};
        match self {
            Codes::Canonical { system, values } => (!values.iter().any(|v| v == code))
                .then(|| format!("{code:?} is not a code of {system}")),
            Codes::List(system) => builtin(system)?.check(code, None).err().map(|i| i.message),
            Codes::Municipality => {
                let in_list = |j: Jurisdiction| municipality::lookup(j, code, None).is_ok();
                let ok = match context.and_then(|c| c.parse::<Jurisdiction>().ok()) {
                    Some(j) => in_list(j),
                    None => Jurisdiction::ALL.into_iter().any(in_list),
                };
                (!ok).then(|| format!("{code:?} is not a municipality code"))
            }
            Codes::SystemInColumn(_) => builtin(context?)?
                .check(code, None)
                .err()
                .map(|i| i.message),
        }
    }

    /// The code system's name as shown in the dictionary.
    pub fn system(&self) -> String {
        match self {
            Codes::Canonical { system, .. } => (*system).to_owned(),
            Codes::List(system) => (*system).to_owned(),
            Codes::Municipality => "se.scb.kommun (SE) / no.ssb.kommune (NO)".to_owned(),
            Codes::SystemInColumn(column) => format!("as named in column {column}"),
        }
    }
}

/// One column of a research table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// Column name (snake_case).
    pub name: String,
    /// Column type.
    pub ty: ColumnType,
    /// Whether the column may hold nulls.
    pub nullable: bool,
    /// What the column holds, for the data dictionary.
    pub doc: String,
    /// What kind of information it is.
    pub sensitivity: Sensitivity,
    /// The codes it may hold, for coded columns.
    pub codes: Option<Codes>,
    /// The values an integer column may hold, where its documentation states a range
    /// (checked by [`crate::validate_table`]; positions and UTC offsets have theirs by rule).
    pub range: Option<Range>,
}

/// The range of an integer column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// Smallest value.
    pub min: i64,
    /// Largest value.
    pub max: i64,
    /// What the value is, for the finding: "a month 1-12".
    pub what: &'static str,
}

impl Range {
    /// From `min` to `max` inclusive.
    pub const fn new(min: i64, max: i64, what: &'static str) -> Range {
        Range { min, max, what }
    }

    /// From `min` to the largest `i32`.
    pub const fn from(min: i64, what: &'static str) -> Range {
        Range::new(min, i32::MAX as i64, what)
    }
}

impl FieldSpec {
    /// The Arrow field, with the documentation, sensitivity and code system as field metadata.
    pub fn arrow_field(&self) -> Field {
        let mut meta = HashMap::from([
            ("description".to_owned(), self.doc.clone()),
            (
                "barnvern.sensitivity".to_owned(),
                self.sensitivity.as_str().to_owned(),
            ),
        ]);
        if let Some(codes) = &self.codes {
            meta.insert("barnvern.code_system".to_owned(), codes.system());
        }
        Field::new(&self.name, self.ty.arrow_type(), self.nullable).with_metadata(meta)
    }

    /// The JSON description of the column.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "name": self.name,
            "type": self.ty.reader_name(),
            "arrow_type": self.ty.arrow_type().to_string(),
            "nullable": self.nullable,
            "sensitivity": self.sensitivity.as_str(),
            "description": self.doc,
        });
        if let Some(codes) = &self.codes {
            v["code_system"] = json!(codes.system());
            if let Codes::Canonical { values, .. } = codes {
                v["codes"] = json!(values);
            }
        }
        v
    }
}

/// Builds the fields of a spec: `f(...)` for a required column, `opt(...)` for a nullable one.
pub(crate) fn f(name: &str, ty: ColumnType, sensitivity: Sensitivity, doc: &str) -> FieldSpec {
    FieldSpec {
        name: name.to_owned(),
        ty,
        nullable: false,
        doc: doc.to_owned(),
        sensitivity,
        codes: None,
        range: None,
    }
}

/// A nullable column.
pub(crate) fn opt(name: &str, ty: ColumnType, sensitivity: Sensitivity, doc: &str) -> FieldSpec {
    FieldSpec {
        nullable: true,
        ..f(name, ty, sensitivity, doc)
    }
}

impl FieldSpec {
    /// The same column with a code list.
    pub(crate) fn codes(mut self, codes: Codes) -> FieldSpec {
        self.codes = Some(codes);
        self
    }
}

/// A required canonical code column of enum `T`.
pub(crate) fn code<T: CodeEnum>(name: &str, doc: &str) -> FieldSpec {
    f(name, ColumnType::Dict, Sensitivity::Code, doc).codes(Codes::canonical::<T>())
}

/// A nullable canonical code column of enum `T`.
pub(crate) fn opt_code<T: CodeEnum>(name: &str, doc: &str) -> FieldSpec {
    opt(name, ColumnType::Dict, Sensitivity::Code, doc).codes(Codes::canonical::<T>())
}

/// The columns of a source code (`{prefix}source_system`, `{prefix}source_code`).
pub(crate) fn source_fields(prefix: &str, what: &str) -> Vec<FieldSpec> {
    let system = format!("{prefix}source_system");
    vec![
        opt(
            &system,
            ColumnType::Dict,
            Sensitivity::Code,
            &format!("Code system of {what} as the source recorded it (null when not recorded)."),
        ),
        opt(
            &format!("{prefix}source_code"),
            ColumnType::Dict,
            Sensitivity::Code,
            &format!("Code of {what} exactly as the source recorded it."),
        )
        .codes(Codes::SystemInColumn(system)),
    ]
}

/// The four columns of a coded value: canonical code, source system, source code, has_text.
pub(crate) fn coded_fields<T: CodeEnum>(name: &str, what: &str, nullable: bool) -> Vec<FieldSpec> {
    let mut out = vec![FieldSpec {
        nullable,
        ..code::<T>(name, &format!("{what}: barnvern's canonical code."))
    }];
    out.extend(source_fields(&format!("{name}_"), what));
    out.push(FieldSpec {
        nullable,
        ..f(
            &format!("{name}_has_text"),
            ColumnType::Bool,
            Sensitivity::Flag,
            &format!("Whether free text was recorded with {what} (the text is never exported)."),
        )
    });
    out
}

/// The columns every table starts with: the case pseudonym and the jurisdiction.
pub(crate) fn case_fields() -> Vec<FieldSpec> {
    vec![
        f(
            "case_key",
            ColumnType::Utf8,
            Sensitivity::Pseudonym,
            "Pseudonym of the case (HMAC-SHA256 of jurisdiction and case id under the project key).",
        ),
        code::<barnvern_core::Jurisdiction>(
            "jurisdiction",
            "Country whose law the case follows (partition column: in the directory name, not in the file).",
        ),
    ]
}

/// The provenance columns: when, by whom (role and pseudonym), from which system.
pub(crate) fn provenance_fields() -> Vec<FieldSpec> {
    vec![
        f(
            "recorded_at",
            ColumnType::TimestampUtc,
            Sensitivity::Timestamp,
            "When the record was recorded in the source system (UTC).",
        ),
        code::<barnvern_core::provenance::StaffRole>(
            "recorded_by_role",
            "Role of the staff member who recorded it.",
        ),
        f(
            "recorded_by_key",
            ColumnType::Utf8,
            Sensitivity::Pseudonym,
            "Pseudonym of the staff member who recorded it.",
        ),
        f(
            "source_system",
            ColumnType::Dict,
            Sensitivity::Code,
            "The case system the record came from.",
        ),
    ]
}

/// One research table, described once.
#[derive(Debug, Clone)]
pub struct TableSpec {
    /// Table name, also its directory in a dataset.
    pub name: &'static str,
    /// What one row is.
    pub grain: &'static str,
    /// What the table holds.
    pub description: &'static str,
    /// The columns, in order.
    pub fields: Vec<FieldSpec>,
    /// The date column whose year is the `year` partition.
    pub year_column: &'static str,
    /// The columns that identify a row.
    pub key: Vec<&'static str>,
    schema: SchemaRef,
    file_schema: SchemaRef,
}

impl TableSpec {
    pub(crate) fn new(
        name: &'static str,
        grain: &'static str,
        description: &'static str,
        year_column: &'static str,
        key: Vec<&'static str>,
        fields: Vec<FieldSpec>,
    ) -> TableSpec {
        let metadata = HashMap::from([
            (META_TABLE.to_owned(), name.to_owned()),
            (META_SCHEMA_VERSION.to_owned(), SCHEMA_VERSION.to_owned()),
            ("barnvern.grain".to_owned(), grain.to_owned()),
        ]);
        let schema = Arc::new(Schema::new_with_metadata(
            fields
                .iter()
                .map(FieldSpec::arrow_field)
                .collect::<Vec<_>>(),
            metadata.clone(),
        ));
        let file_schema = Arc::new(Schema::new_with_metadata(
            fields
                .iter()
                .filter(|f| !PARTITION_COLUMNS.contains(&f.name.as_str()))
                .map(FieldSpec::arrow_field)
                .collect::<Vec<_>>(),
            metadata,
        ));
        TableSpec {
            name,
            grain,
            description,
            fields,
            year_column,
            key,
            schema,
            file_schema,
        }
    }

    /// The Arrow schema of the table in memory (every field, with field metadata).
    pub fn arrow_schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// The Arrow schema of one file of a partitioned dataset: the fields without the partition
    /// columns, which are in the directory names.
    pub fn file_schema(&self) -> SchemaRef {
        self.file_schema.clone()
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The JSON description of the table (also stored in each Parquet file).
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "grain": self.grain,
            "description": self.description,
            "schema_version": SCHEMA_VERSION,
            "key": self.key,
            "partitioning": {
                "columns": PARTITION_COLUMNS,
                "jurisdiction": "the jurisdiction column",
                "year": format!("year of {}", self.year_column),
            },
            "fields": self.fields.iter().map(FieldSpec::to_json).collect::<Vec<_>>(),
        })
    }

    /// The key-value metadata written into each Parquet file of the table: schema version,
    /// table name, table spec (JSON) and producer.
    pub fn parquet_metadata(&self) -> Vec<(String, String)> {
        vec![
            (META_SCHEMA_VERSION.to_owned(), SCHEMA_VERSION.to_owned()),
            (META_TABLE.to_owned(), self.name.to_owned()),
            (META_TABLE_SPEC.to_owned(), self.to_json().to_string()),
            (META_PRODUCER.to_owned(), PRODUCER.to_owned()),
        ]
    }
}

static TABLES: LazyLock<Vec<TableSpec>> = LazyLock::new(crate::tables::specs);

/// Every research table, in dataset order.
pub fn tables() -> &'static [TableSpec] {
    &TABLES
}

/// The table named `name`.
pub fn table(name: &str) -> Option<&'static TableSpec> {
    TABLES.iter().find(|t| t.name == name)
}

/// The JSON description of every table.
pub fn tables_json() -> Value {
    json!({
        "schema_version": SCHEMA_VERSION,
        "producer": PRODUCER,
        "tables": tables().iter().map(TableSpec::to_json).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_described_consistently() {
        let names: Vec<&str> = tables().iter().map(|t| t.name).collect();
        assert_eq!(
            names,
            [
                "children",
                "cases",
                "people",
                "referrals",
                "referral_reasons",
                "violence_exposures",
                "protection_assessments",
                "screenings",
                "investigations",
                "investigation_extensions",
                "child_participation",
                "risk_assessments",
                "decisions",
                "decision_status",
                "follow_ups",
                "violence_disclosures",
                "closures",
                "deadlines",
                "interventions",
                "intervention_evaluations",
                "plans",
                "plan_evaluations",
                "meetings",
                "meeting_agencies",
                "fp_enrolments",
                "fp_contacts",
                "fp_contact_components",
                "fp_guidance_sessions",
                "fp_coordination",
                "fp_coordination_agencies",
                "fp_goals",
                "fp_goal_reviews",
                "fp_interviews",
                "waves",
                "questionnaires",
                "item_responses",
                "scores",
                "costs",
                "decision_grounds",
                "extension_applications",
                "decision_ends",
                "decision_claims",
                "board_referrals",
                "moves",
                "placement_visit_frequencies",
                "placement_visits",
                "supervision_responsibility",
                "aftercare_conclusions",
            ]
        );
        for t in tables() {
            let fields: Vec<&str> = t.fields.iter().map(|f| f.name.as_str()).collect();
            assert_eq!(&fields[..2], ["case_key", "jurisdiction"], "{}", t.name);
            for (i, f) in fields.iter().enumerate() {
                assert!(!fields[..i].contains(f), "{}: {f} twice", t.name);
                assert!(!f.is_empty() && f.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            }
            let year = t.field(t.year_column).expect("year column");
            assert_eq!(year.ty, ColumnType::Date32, "{}", t.name);
            assert!(!year.nullable, "{}", t.name);
            for k in &t.key {
                assert!(!t.field(k).expect("key column").nullable, "{}.{k}", t.name);
            }
            for f in &t.fields {
                if let Some(Codes::SystemInColumn(c)) = &f.codes {
                    assert!(t.field(c).is_some(), "{}.{}", t.name, f.name);
                }
                assert!(!f.doc.is_empty());
                if f.sensitivity == Sensitivity::Pseudonym {
                    assert_eq!(f.ty, ColumnType::Utf8, "join keys are plain strings");
                }
            }
            assert_eq!(
                t.file_schema().fields().len() + 1,
                t.arrow_schema().fields().len()
            );
        }
    }

    #[test]
    fn only_types_every_reader_takes() {
        for t in tables() {
            for field in t.arrow_schema().fields() {
                let ty = field.data_type();
                let bad = matches!(
                    ty,
                    DataType::UInt8
                        | DataType::UInt16
                        | DataType::UInt32
                        | DataType::UInt64
                        | DataType::Timestamp(TimeUnit::Nanosecond, _)
                        | DataType::Date64
                        | DataType::LargeUtf8
                        | DataType::Utf8View
                );
                assert!(!bad, "{}.{}: {ty}", t.name, field.name());
                assert!(field.metadata().contains_key("description"));
                assert!(field.metadata().contains_key("barnvern.sensitivity"));
            }
        }
    }
}
