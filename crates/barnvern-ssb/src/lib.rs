//! Norway's national child-welfare reporting format: SSB's barnevern XML (schema v1, v3 and
//! v4), read into case bundles, written from them, and checked with SSB's own controls.
//!
//! Every Norwegian municipality's case system reports each child-welfare case to Statistics
//! Norway (SSB, Statistisk sentralbyrå) as XML. This crate reads such files one `Sak` at a time
//! (bounded memory; DTDs and entities refused), maps every record to the canonical case bundle
//! with SSB's codes kept as source codes, writes bundles back as v4 XML that validates against
//! `Barnevern_v4.xsd`, and runs the controls of SSB's Kravspesifikasjon on any bundle.
//!
//! ```
//! use barnvern_ssb::{read_str, write_case, check};
//!
//! let xml = include_str!("../tests/data/test01_file09_total.xml");
//! let cases = read_str(xml, "test01_file09_total.xml");
//! let sak = cases.into_iter().next().unwrap().unwrap();
//! assert!(sak.findings.iter().all(|f| f.severity != barnvern_core::Severity::Error));
//! let case = sak.into_case().unwrap();
//! let written = write_case(&case).unwrap();
//! assert!(written.xml.contains("<Personalia"));
//! // SSB's verdict on the case, whatever its source.
//! for finding in check(&case, None) {
//!     println!("{} {} {}", finding.code, finding.severity, finding.message);
//! }
//! ```

pub mod controls;
pub mod error;
pub mod export;
pub mod ids;
pub mod import;
pub mod merge;
pub mod read;
pub mod tree;

pub use controls::{Control, SsbSeverity, check, check_sak, controls, early_warnings};
pub use error::Error;
pub use export::{Written, write_case};
pub use import::{EXTENSION_KEY, SsbExtension};
pub use merge::{Extracts, ReadCase, read_file, read_str};
pub use read::{Header, SakRecord, SsbReader};
pub use tree::Element;
