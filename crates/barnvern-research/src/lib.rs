//! The research model of barnvern: what a case bundle becomes before it goes into a research
//! table, and the pseudonyms that stand in for people, cases, staff and families there. No
//! Arrow: the tables, Parquet and datasets built from these rows are in `barnvern-arrow`.
//!
//! [`ResearchCase::from_case`] is the one way in from a [`barnvern_case::Case`]: keys become
//! [`Pseudonym`]s, birth dates become year and month, free text and the source system's record
//! identifiers are dropped, and the statutory deadlines are computed as of a given date.
//!
//! ```
//! use barnvern_case::Case;
//! use barnvern_research::ResearchCase;
//! // Tests and examples only (feature `testing`): real extracts use the keyed HMAC
//! // pseudonymiser of barnvern-extract.
//! use barnvern_research::testing::TestPseudonymiser;
//! use chrono::NaiveDate;
//!
//! let case = Case::from_json(include_str!("../../../examples/se-case.json")).unwrap();
//! let as_of = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
//! let research = ResearchCase::from_case(&case, &TestPseudonymiser::new(1), as_of);
//! assert_eq!(research.child.birth_year, Some(2018));
//! assert_eq!(research.referrals.len(), 2);
//! ```
//!
//! The privacy rule is a type: research row types hold [`Pseudonym`]s, never a
//! [`barnvern_core::PersonId`], and free text has no field to go into.
//!
//! - [`case`]: the research form of a case ([`ResearchCase`] and its records);
//! - [`family`]: the research form of a family's Family Partner trial records
//!   ([`family::ResearchFamily`]) and [`family::trial_data`], which runs the trial metrics of
//!   `barnvern-familypartner` on research cases;
//! - [`pseudonym`]: [`Pseudonym`], the [`Pseudonymiser`] trait and the canonical strings every
//!   implementation keys;
//! - `testing` (feature `testing`, for tests and examples only): `TestPseudonymiser`, an
//!   unkeyed pseudonymiser.

pub mod case;
pub mod family;
pub mod pseudonym;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use case::ResearchCase;
pub use pseudonym::{Pseudonym, Pseudonymiser, StaffMemo};
