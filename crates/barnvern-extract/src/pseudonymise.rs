//! HMAC-SHA256 pseudonyms under the project key, over the canonical strings of
//! `barnvern_research::pseudonym::canonical` (`SE|personnummer|YYYYMMDDNNNC`, `SE|case|ID`,
//! `staff|REF`, `family|TRIAL|FAMILY`).

use barnvern_core::ids::CaseId;
use barnvern_core::{Jurisdiction, PersonIdentity, StaffRef};
use barnvern_familypartner::{FamilyRef, TrialId};
use barnvern_research::pseudonym::canonical;
use barnvern_research::{Pseudonym, Pseudonymiser};
use hmac::Mac;

use crate::key::ProjectKey;

/// The production pseudonymiser: HMAC-SHA256 under a project key.
#[derive(Clone)]
pub struct HmacPseudonymiser {
    key: ProjectKey,
}

impl std::fmt::Debug for HmacPseudonymiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HmacPseudonymiser({:?})", self.key)
    }
}

impl HmacPseudonymiser {
    /// A pseudonymiser under `key`.
    pub fn new(key: ProjectKey) -> HmacPseudonymiser {
        HmacPseudonymiser { key }
    }

    /// Whether the key is a one-off demo key.
    pub fn is_demo(&self) -> bool {
        self.key.is_demo()
    }

    /// The pseudonym of `text` (the tests key texts of their own).
    #[cfg(test)]
    fn keyed(&self, text: &str) -> Pseudonym {
        self.keyed_parts([text, "", "", "", ""])
    }

    /// The pseudonym of the concatenation of `parts` (a canonical string in pieces, so it is
    /// never built).
    fn keyed_parts(&self, parts: canonical::Parts<'_>) -> Pseudonym {
        // The key's HMAC state has the key absorbed already: each pseudonym clones it instead
        // of hashing the key's inner and outer blocks again (half the SHA-256 work of a short
        // text).
        let mut mac = self.key.mac().clone();
        for part in parts {
            mac.update(part.as_bytes());
        }
        Pseudonym::from_digest(mac.finalize().into_bytes().into())
    }
}

impl Pseudonymiser for HmacPseudonymiser {
    fn person(&self, id: &PersonIdentity) -> Pseudonym {
        self.keyed_parts(canonical::person_parts(id))
    }

    fn case(&self, jurisdiction: Jurisdiction, case_id: &CaseId) -> Pseudonym {
        self.keyed_parts(canonical::case_parts(jurisdiction, case_id))
    }

    fn staff(&self, staff: &StaffRef) -> Pseudonym {
        self.keyed_parts(canonical::staff_parts(staff))
    }

    fn family(&self, trial: &TrialId, family: &FamilyRef) -> Pseudonym {
        self.keyed_parts(canonical::family_parts(trial, family))
    }

    fn key_fingerprint(&self) -> String {
        self.key.fingerprint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, KeyInit};
    use sha2::Sha256;

    fn key(fill: u8) -> ProjectKey {
        ProjectKey::from_bytes(vec![fill; 32], "test").unwrap()
    }

    #[test]
    fn is_hmac_sha256_rfc_4231_test_case_6() {
        // RFC 4231 section 4.7: a 131-byte key of 0xaa.
        let p = HmacPseudonymiser::new(ProjectKey::from_bytes(vec![0xaa; 131], "rfc").unwrap());
        let got = p.keyed("Test Using Larger Than Block-Size Key - Hash Key First");
        assert_eq!(
            got.as_str(),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn keys_the_canonical_strings() {
        // HMAC-SHA256 of the canonical text, computed independently with the same crates'
        // one-shot API, must equal the pseudonym.
        let p = HmacPseudonymiser::new(key(7));
        let staff = StaffRef::new("sw-1").unwrap();
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&[7u8; 32]).unwrap();
        mac.update(b"staff|sw-1");
        let expected: [u8; 32] = mac.finalize().into_bytes().into();
        assert_eq!(p.staff(&staff), Pseudonym::from_digest(expected));
        // Every key is the HMAC of its whole canonical string (the pieces are hashed one
        // after the other, never joined).
        let one_shot = |text: &str| {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&[7u8; 32]).unwrap();
            mac.update(text.as_bytes());
            Pseudonym::from_digest(mac.finalize().into_bytes().into())
        };
        let pid = barnvern_core::PersonId::parse("189001019802", None, None).unwrap();
        let id = PersonIdentity::NationalId(pid);
        assert_eq!(p.person(&id), one_shot("SE|personnummer|189001019802"));
        let case = CaseId::new("c-1").unwrap();
        assert_eq!(p.case(Jurisdiction::No, &case), one_shot("NO|case|c-1"));
        let (trial, family) = (TrialId::new("t").unwrap(), FamilyRef::new("f").unwrap());
        assert_eq!(p.family(&trial, &family), one_shot("family|t|f"));
    }

    #[test]
    fn keys_and_inputs_both_change_the_pseudonym() {
        let a = HmacPseudonymiser::new(key(1));
        let b = HmacPseudonymiser::new(key(2));
        let pid = barnvern_core::PersonId::parse("189001019802", None, None).unwrap();
        let id = PersonIdentity::NationalId(pid);
        assert_eq!(a.person(&id), a.person(&id));
        assert_ne!(a.person(&id), b.person(&id));
        let case = CaseId::new("189001019802").unwrap();
        // The same digits as a case id and as a person give different pseudonyms.
        assert_ne!(a.case(Jurisdiction::Se, &case), a.person(&id));
        assert!(!a.person(&id).as_str().contains("189001019802"));
    }
}
