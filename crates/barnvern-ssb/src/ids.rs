//! SSB's record ids: UUIDs (schema `Id`). Ids of records that did not come from SSB are
//! derived from the case and record id, so the same bundle always gets the same file.

use sha2::{Digest, Sha256};

/// Whether `s` is an id of the form SSB's schema requires (a version 1-5 UUID).
pub fn is_ssb_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 36 {
        return false;
    }
    for (i, c) in b.iter().enumerate() {
        let ok = match i {
            8 | 13 | 18 | 23 => *c == b'-',
            14 => (b'1'..=b'5').contains(c),
            19 => matches!(c, b'8' | b'9' | b'a' | b'b' | b'A' | b'B'),
            _ => c.is_ascii_hexdigit(),
        };
        if !ok {
            return false;
        }
    }
    true
}

/// A name-based UUID (version 5 layout, SHA-256 based) for `parts`.
pub fn derived_uuid(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The SSB id of a record: its own id when it is a UUID, otherwise one derived from the case
/// and the record.
pub fn ssb_id(case_id: &str, kind: &str, id: &str) -> String {
    if is_ssb_uuid(id) {
        id.to_owned()
    } else {
        derived_uuid(&[case_id, kind, id])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_uuids() {
        let id = derived_uuid(&["a", "b"]);
        assert!(is_ssb_uuid(&id), "{id}");
        assert_eq!(id, derived_uuid(&["a", "b"]));
        assert!(is_ssb_uuid("7317a453-2d65-465a-9589-519311d66579"));
        assert!(!is_ssb_uuid("m-1"));
    }
}
