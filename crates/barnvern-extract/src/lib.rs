//! The extract pipeline of barnvern: case bundles (JSON Lines) in, a pseudonymised research
//! dataset (hive-partitioned Parquet, `barnvern-arrow`) out.
//!
//! - [`extract()`](pipeline::extract) reads the inputs in bounded memory on all cores, validates
//!   every line, pseudonymises under the project key, derives deadlines, quarantines each
//!   rejected line with its line number and errors, checks read = accepted + rejected, and
//!   publishes the dataset atomically;
//! - [`validate()`](validate::validate) runs the same checks without writing anything;
//! - the project key is read from a key file or an environment variable and is never written
//!   anywhere; only its fingerprint is.
//!
//! The pipeline is instrumented with `tracing` spans at debug level: `extract` for the run,
//! `read` per input file, and per chunk of lines `validate`, `pseudonymise` and `write`, then
//! `publish`. A program that installs a subscriber sees them (`barnvern` does when `RUST_LOG`
//! is set, e.g. `RUST_LOG=barnvern=debug`); without one they cost next to nothing. No span field
//! holds an identity number: file names are masked, and lines are counted, never shown.
//!
//! ```
//! use barnvern_extract::{ExtractOptions, ProjectKey, extract};
//! use chrono::NaiveDate;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let input = dir.path().join("cases.jsonl");
//! let case: serde_json::Value =
//!     serde_json::from_str(include_str!("../../../examples/se-case.json")).unwrap();
//! std::fs::write(&input, format!("{case}\n{{\"not\": \"a case\"}}\n")).unwrap();
//!
//! let key = ProjectKey::from_bytes(b"an example project key of at least 32 bytes".to_vec(), "example").unwrap();
//! let as_of = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
//! let options = ExtractOptions::new(vec![input], dir.path().join("extract"), as_of);
//! let summary = extract(&options, key, &|_| {}).unwrap();
//! assert_eq!((summary.read, summary.accepted, summary.rejected), (2, 1, 1));
//! assert_eq!(summary.manifest.read, Some(2));
//! assert!(dir.path().join("extract/quarantine.jsonl").exists());
//! ```
//!
//! Pseudonyms alone:
//!
//! ```
//! use barnvern_research::Pseudonymiser;
//! use barnvern_extract::{HmacPseudonymiser, ProjectKey};
//!
//! let key = ProjectKey::from_bytes(b"an example project key of at least 32 bytes".to_vec(), "example").unwrap();
//! let p = HmacPseudonymiser::new(key);
//! let staff = barnvern_core::StaffRef::new("sw-017").unwrap();
//! assert_eq!(p.staff(&staff), p.staff(&staff)); // the same key gives the same pseudonym
//! assert!(p.key_fingerprint().starts_with("sha256:"));
//!
//! // A short key is refused, without repeating it.
//! let err = ProjectKey::from_bytes(b"too short".to_vec(), "BARNVERN_KEY").unwrap_err();
//! assert!(err.to_string().contains("at least 32 bytes"));
//! ```

pub mod check;
pub mod engine;
pub mod error;
pub mod input;
pub mod key;
pub mod pipeline;
pub mod pseudonymise;
pub mod quarantine;
pub mod seen;
pub mod validate;

pub use engine::Progress;
pub use error::{Error, Result};
pub use input::InputOptions;
pub use key::{KEY_ENV, KeyError, MIN_KEY_BYTES, ProjectKey};
pub use pipeline::{ExtractOptions, ExtractSummary, extract};
pub use pseudonymise::HmacPseudonymiser;
pub use quarantine::{QUARANTINE_FILE, QuarantineRecord};
pub use validate::{LineFindings, RuleSet, ValidateSummary, validate};

/// An input path as a span or log field shows it: anything in it shaped like an identity
/// number masked (a file may be named after the person it is about).
pub(crate) fn shown_path(path: &std::path::Path) -> String {
    barnvern_core::identifier::mask_identity_numbers(&path.display().to_string()).into_owned()
}
