//! Helpers for tests and examples. **Not for production**: nothing here is keyed or secret.

use std::hash::{DefaultHasher, Hash, Hasher};

use barnvern_core::ids::CaseId;
use barnvern_core::{Jurisdiction, PersonIdentity, StaffRef};
use barnvern_familypartner::{FamilyRef, TrialId};

use crate::pseudonym::{Pseudonym, Pseudonymiser, canonical};

/// A pseudonymiser for tests and documentation examples. **NOT FOR PRODUCTION**: it hashes
/// the canonical strings with std's unkeyed `DefaultHasher` (SipHash with fixed keys), so anyone
/// can recompute a pseudonym from an identity number. Real extracts use the HMAC-SHA256
/// implementation of the extract crate.
#[derive(Debug, Clone, Default)]
pub struct TestPseudonymiser {
    /// Mixed into every hash, so two test "keys" give different pseudonyms.
    pub seed: u64,
}

impl TestPseudonymiser {
    /// A test pseudonymiser with `seed` standing in for a key.
    pub fn new(seed: u64) -> Self {
        TestPseudonymiser { seed }
    }

    fn hash(&self, text: &str) -> Pseudonym {
        let mut hex = String::with_capacity(64);
        for part in 0u64..4 {
            let mut h = DefaultHasher::new();
            (self.seed, part, text).hash(&mut h);
            hex.push_str(&format!("{:016x}", h.finish()));
        }
        // 4 x 16 lower-case hex digits is always a valid pseudonym.
        Pseudonym::new(hex).unwrap_or_else(|_| unreachable!("64 lower-case hex digits"))
    }
}

impl Pseudonymiser for TestPseudonymiser {
    fn person(&self, id: &PersonIdentity) -> Pseudonym {
        self.hash(&canonical::person(id))
    }
    fn case(&self, jurisdiction: Jurisdiction, case_id: &CaseId) -> Pseudonym {
        self.hash(&canonical::case(jurisdiction, case_id))
    }
    fn staff(&self, staff: &StaffRef) -> Pseudonym {
        self.hash(&canonical::staff(staff))
    }
    fn family(&self, trial: &TrialId, family: &FamilyRef) -> Pseudonym {
        self.hash(&canonical::family(trial, family))
    }
    fn key_fingerprint(&self) -> String {
        format!("test-only-not-a-key:{}", self.seed)
    }
}
