//! SHA-256 hash chains and the keyed identity index.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::error::StoreError;

/// The `prev_hash` of the first row of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// The hash of a chain row: SHA-256 over the previous row's hash and each field, every field
/// length-prefixed so that no two different rows give the same bytes.
pub(crate) fn link(prev_hash: &str, fields: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(b"barnvern-store/1\0");
    h.update(prev_hash.as_bytes());
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex(&h.finalize())
}

/// The secret key of a store's identity index (HMAC-SHA256). At least 32 bytes; never stored in
/// the database (only its fingerprint is), never printed.
#[derive(Clone)]
pub struct StoreKey {
    bytes: Vec<u8>,
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoreKey(fingerprint {})", self.fingerprint())
    }
}

impl StoreKey {
    /// A key from its bytes (surrounding white space, such as a newline in a key file, is
    /// ignored); shorter than 32 bytes is refused, and the key is never echoed.
    pub fn new(bytes: &[u8]) -> Result<StoreKey, StoreError> {
        let trimmed = bytes.trim_ascii();
        if trimmed.len() < 32 {
            return Err(StoreError::Invalid {
                code: "store.key_too_short",
                message: format!(
                    "the store key must be at least 32 bytes; this one has {}",
                    trimmed.len()
                ),
            });
        }
        Ok(StoreKey {
            bytes: trimmed.to_vec(),
        })
    }

    /// The key's fingerprint: the first 16 hex digits of SHA-256 over a label and the key.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"barnvern-store-key-fingerprint\0");
        h.update(&self.bytes);
        hex(&h.finalize())[..16].to_owned()
    }

    /// The index digest of an identity: HMAC-SHA256 under the key over `JURISDICTION|canonical`.
    pub(crate) fn identity_digest(&self, id: &barnvern_core::PersonId) -> String {
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.bytes);
        match mac {
            Ok(mut mac) => {
                mac.update(format!("{}|{}", id.jurisdiction(), id.canonical()).as_bytes());
                hex(&mac.finalize().into_bytes())
            }
            // HMAC takes keys of any length; this arm cannot be reached.
            Err(_) => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_is_length_prefixed_and_chained() {
        let a = link(GENESIS, &["ab", "c"]);
        let b = link(GENESIS, &["a", "bc"]);
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(link(&a, &["x"]), link(&b, &["x"]));
        assert_eq!(link(GENESIS, &["ab", "c"]), a);
    }

    #[test]
    fn short_keys_are_refused_without_echo() {
        let err = StoreKey::new(b"secret-short").unwrap_err();
        assert_eq!(err.code(), "store.key_too_short");
        assert!(!err.to_string().contains("secret-short"));
        let key = StoreKey::new(&[7u8; 32]).unwrap();
        assert!(!format!("{key:?}").contains("7, 7"));
    }
}
