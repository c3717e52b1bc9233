//! Research tables of barnvern: one spec per table, and from it the Arrow schema, conversion
//! both ways, Parquet files, hive-partitioned datasets with a manifest, and the data
//! dictionary.
//!
//! A case bundle becomes a [`ResearchCase`] (pseudonymised, coarsened, without free text),
//! research cases become one Arrow batch per table ([`to_batches`], [`from_batches`]), and a
//! [`DatasetWriter`] streams them into `TABLE/jurisdiction=SE/year=2024/part-0.parquet` files
//! that Spark, DuckDB, Polars and pyarrow read as they are.
//!
//! ```
//! use barnvern_arrow::testing::TestPseudonymiser;
//! use barnvern_arrow::{Dataset, DatasetOptions, DatasetWriter, ResearchCase};
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
//! let dataset = Dataset::open(&target).unwrap();
//! assert!(dataset.issues().is_empty());
//! assert_eq!(dataset.cases().unwrap(), vec![research]);
//! ```
//!
//! The privacy rule is a type: research row types hold [`Pseudonym`]s, never a
//! [`barnvern_core::PersonId`], and free text has no field to go into.

pub mod codes;
mod columns;
pub mod convert;
pub mod dataset;
pub mod dictionary;
pub mod error;
pub mod family;
pub mod ints;
pub mod parquet;
pub mod pseudonym;
pub mod research;
pub mod spec;
mod tables;
pub mod testing;

pub use convert::{TableBatch, from_batches, to_batches};
pub use dataset::{Dataset, DatasetOptions, DatasetWriter, Manifest};
pub use error::{Error, Result};
pub use pseudonym::{Pseudonym, Pseudonymiser};
pub use research::ResearchCase;
pub use spec::{SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS, TableSpec, table, tables};
