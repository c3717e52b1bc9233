//! Shared vocabulary of barnvern: identifiers, jurisdictions, municipalities, code lists, legal
//! basis, provenance and validation findings. No I/O.
//!
//! ```
//! use barnvern_core::{Jurisdiction, PersonId};
//!
//! let pid = PersonId::parse("189001019802", None, None).unwrap();
//! assert_eq!(pid.jurisdiction(), Jurisdiction::Se);
//! assert_eq!(pid.to_string(), "189001019802");
//!
//! let err = PersonId::parse("189001019803", None, None).unwrap_err();
//! assert_eq!(err.code, "id.se.check_digit");
//! ```

pub mod codelist;
pub mod dates;
pub mod error;
pub mod identifier;
pub mod ids;
pub mod json;
pub mod jurisdiction;
pub mod legal_basis;
pub mod macros;
pub mod municipality;
pub mod provenance;
pub mod rfc3339;

pub use codelist::{CodeEntry, CodeList, Coded, Labels, SourceCode};
pub use error::{Finding, Findings, ItemPath, Severity, ValidationError};
pub use identifier::{PersonId, PersonIdKind, PersonIdentity, Sex, Unregistered};
pub use jurisdiction::Jurisdiction;
pub use legal_basis::{Law, LegalBasis};
pub use municipality::{MunicipalityCode, MunicipalityVersion};
pub use provenance::{Provenance, StaffRef};

/// Re-exports for the crate's macros; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use schemars;
    pub use serde;
}
