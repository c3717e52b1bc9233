//! The research tables of barnvern in Arrow: one declaration per table, and from it the Arrow
//! schema, the Parquet metadata, the data dictionary and the value ranges; conversion of
//! research rows to Arrow batches and back; validation of a table from elsewhere; and dataset
//! I/O ([`io`]: Parquet files, hive-partitioned datasets with a manifest, atomic output
//! folders).
//!
//! The rows come from `barnvern-research`: a case bundle becomes a
//! [`ResearchCase`](barnvern_research::ResearchCase) (pseudonymised, coarsened, without free
//! text), research cases become one Arrow batch per table ([`to_batches`], [`from_batches`]),
//! and a [`DatasetWriter`] streams them into `TABLE/jurisdiction=SE/year=2024/part-0.parquet`
//! files that Spark, DuckDB, Polars and pyarrow read as they are.
//!
//! ```
//! use barnvern_arrow::{Dataset, DatasetOptions, DatasetWriter};
//! use barnvern_research::ResearchCase;
//! use barnvern_research::testing::TestPseudonymiser;
//! use barnvern_case::Case;
//! use chrono::NaiveDate;
//!
//! let case = Case::from_json(include_str!("../../../examples/se-case.json")).unwrap();
//! // Tests and examples only: real extracts use the keyed HMAC pseudonymiser.
//! let ps = TestPseudonymiser::new(1);
//! let as_of = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
//! let research = ResearchCase::from_case(&case, &ps, as_of);
//! assert_eq!(research.child.birth_year, Some(2018));
//!
//! let dir = tempfile::tempdir().unwrap();
//! let target = dir.path().join("extract");
//! let mut writer = DatasetWriter::create(&target, DatasetOptions::default()).unwrap();
//! writer.write(&[research.clone()]).unwrap();
//! let manifest = writer.finish().unwrap();
//! assert_eq!(manifest.tables["referrals"].rows, 2);
//! assert!(target.join("referrals/jurisdiction=SE/year=2024/part-0.parquet").exists());
//!
//! // Opening reads the manifest only; a table is read when asked for, here two columns of
//! // the Swedish partitions.
//! let dataset = Dataset::open(&target).unwrap();
//! let referrals = dataset
//!     .table("referrals")
//!     .unwrap()
//!     .columns(["case_key", "received_on"])
//!     .jurisdictions([barnvern_core::Jurisdiction::Se])
//!     .read()
//!     .unwrap();
//! assert_eq!(referrals.rows(), 2);
//! assert_eq!(referrals.schema.fields().len(), 2);
//! assert!(referrals.findings.is_empty());
//! assert!(dataset.validate().unwrap().is_empty());
//! assert_eq!(dataset.cases().unwrap(), vec![research]);
//! ```
//!
//! The privacy rule is a type: research row types hold
//! [`Pseudonym`](barnvern_research::Pseudonym)s, never a [`barnvern_core::PersonId`], and free
//! text has no field to go into.
//!
//! **Tables.** The case process (`children` ... `deadlines`), services (`interventions`,
//! `intervention_evaluations`, `plans`, `plan_evaluations`, `meetings`, `meeting_agencies`)
//! and the Family Partner trial (`fp_enrolments`, `fp_contacts`, `fp_guidance_sessions`,
//! `fp_coordination`, `waves`, `questionnaires`, `item_responses`, and the derived `scores` and
//! `costs`). [`tables`] lists them with their specs; the data dictionary describes every column.
//!
//! **Trial metrics from a dataset.** A case's Family Partner records are its
//! [`ResearchCase::family_partner`](barnvern_research::ResearchCase::family_partner)
//! ([`ResearchFamily`](barnvern_research::family::ResearchFamily)). The metrics of
//! `barnvern-familypartner` (CONSORT flow, retention, dose, adherence, caseload, progression)
//! take a `TrialData`; [`trial_data`](barnvern_research::family::trial_data) builds one from
//! research cases, with pseudonyms as the family and partner references:
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use barnvern_arrow::Dataset;
//! use barnvern_research::family::trial_data;
//! use barnvern_familypartner::{ProgrammeDefinition, RandomisationDesign, TrialDesign, WaveDefinition};
//!
//! let dataset = Dataset::open("extract")?;
//! let cases = dataset.cases()?;
//! let design = TrialDesign {
//!     randomisation: RandomisationDesign::blocks(&[2, 4]),
//!     waves: WaveDefinition::fampart(),
//!     primary_wave: 6,
//!     sites: Vec::new(),
//!     usual_care: None,
//!     instruments: Vec::new(),
//! };
//! let programme = ProgrammeDefinition::builtin_default()?.clone();
//! let trial = trial_data("fampart-bergen", &cases, programme, design)?;
//! let as_of = chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap_or_default();
//! let flow = trial.consort(as_of);
//! let retention = trial.retention(as_of);
//! let dose = trial.dose(as_of);
//! # let _ = (flow, retention, dose);
//! # Ok(())
//! # }
//! ```

pub mod codes;
mod columns;
pub mod convert;
mod dict_column;
pub mod dictionary;
pub mod error;
pub mod ints;
pub mod io;
pub mod scoring;
pub mod spec;
mod tables;
pub mod validate_table;

/// Compile checks of the table declarations (`tables::table!`), run as doc tests: a row of a
/// research table with every column compiles; one with a column missing, misspelt or of the
/// wrong type does not. Not an API.
///
/// ```
/// use barnvern_arrow::compile_checks::CasesRow;
/// fn row(c: &barnvern_research::ResearchCase) -> CasesRow<'_> {
///     CasesRow {
///         case: c,
///         municipality: &c.municipality,
///         opened_on: c.opened_on,
///         child_key: &c.child.key,
///         deadlines_as_of: c.deadlines_as_of,
///     }
/// }
/// ```
///
/// A column missing (`deadlines_as_of`):
///
/// ```compile_fail,E0063
/// use barnvern_arrow::compile_checks::CasesRow;
/// fn row(c: &barnvern_research::ResearchCase) -> CasesRow<'_> {
///     CasesRow {
///         case: c,
///         municipality: &c.municipality,
///         opened_on: c.opened_on,
///         child_key: &c.child.key,
///     }
/// }
/// ```
///
/// A column that the table does not have (`opened` for `opened_on`):
///
/// ```compile_fail,E0560
/// use barnvern_arrow::compile_checks::CasesRow;
/// fn row(c: &barnvern_research::ResearchCase) -> CasesRow<'_> {
///     CasesRow {
///         case: c,
///         municipality: &c.municipality,
///         opened: c.opened_on,
///         child_key: &c.child.key,
///         deadlines_as_of: c.deadlines_as_of,
///     }
/// }
/// ```
///
/// A value of the wrong type (a pseudonym in the `opened_on` date column):
///
/// ```compile_fail,E0308
/// use barnvern_arrow::compile_checks::CasesRow;
/// fn row(c: &barnvern_research::ResearchCase) -> CasesRow<'_> {
///     CasesRow {
///         case: c,
///         municipality: &c.municipality,
///         opened_on: c.child.key.clone(),
///         child_key: &c.child.key,
///         deadlines_as_of: c.deadlines_as_of,
///     }
/// }
/// ```
#[doc(hidden)]
pub mod compile_checks {
    pub use crate::tables::cases::Row as CasesRow;
}

pub use convert::{TableBatch, from_batches, to_batches};
pub use error::{Error, Result};
pub use io::dataset::{AllTables, Dataset, DatasetOptions, DatasetWriter, Manifest};
pub use io::partitioned_rows::PartitionedRows;
pub use io::table_read::{TableBatches, TableData, TableRead};
pub use spec::{SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS, TableSpec, table, tables};
