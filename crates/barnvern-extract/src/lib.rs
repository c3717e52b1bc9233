//! The extract pipeline of barnvern. This first part is the pseudonymisation every research
//! extract goes through: person, case and staff keys become HMAC-SHA256 pseudonyms under a
//! project key that is read from a key file or an environment variable and is never written
//! anywhere; only its fingerprint is.
//!
//! ```
//! use barnvern_arrow::Pseudonymiser;
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

pub mod key;
pub mod pseudonymise;

pub use key::{KEY_ENV, KeyError, MIN_KEY_BYTES, ProjectKey};
pub use pseudonymise::HmacPseudonymiser;
