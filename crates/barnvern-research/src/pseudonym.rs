//! Pseudonyms: the only person, case and staff keys a research table can hold.
//!
//! A [`Pseudonym`] is the lower-case hex of an HMAC-SHA256 (64 characters). Research row types
//! hold `Pseudonym`s and never a [`barnvern_core::PersonId`]: there is no conversion from one
//! to the other, so the privacy rule is a type. The real keyed implementation of
//! [`Pseudonymiser`] lives in the extract pipeline; it must pseudonymise the canonical strings
//! of [`canonical`], so every implementation agrees on what is keyed.

use barnvern_core::ids::CaseId;
use barnvern_core::{Finding, Jurisdiction, PersonIdentity, StaffRef};
use barnvern_familypartner::{FamilyRef, TrialId};

fn check_pseudonym(value: &str) -> Result<(), Finding> {
    if value.len() == 64
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        Ok(())
    } else {
        Err(Finding::error(
            "",
            "pseudonym.format",
            "a pseudonym is 64 lower-case hexadecimal characters (an HMAC-SHA256)",
        ))
    }
}

barnvern_core::validated_string! {
    /// A pseudonymous key: 64 lower-case hex characters, the output of HMAC-SHA256 under the
    /// project key. Stands in for a person, a case or a staff member in research tables.
    pub struct Pseudonym; validate = check_pseudonym;
}

impl Pseudonym {
    /// The pseudonym of a 32-byte digest (an HMAC-SHA256 output), as lower-case hex. Cannot
    /// fail: every digest has a pseudonym.
    pub fn from_digest(digest: [u8; 32]) -> Pseudonym {
        // Into a fixed buffer: `hex::encode` collects a `String` one `char` at a time, which
        // was a tenth of the pseudonymiser's work (callgrind).
        let mut text = [0u8; 64];
        match hex::encode_to_slice(digest, &mut text) {
            Ok(()) => match String::from_utf8(text.to_vec()) {
                Ok(hex) => Pseudonym(hex),
                Err(_) => Pseudonym(hex::encode(digest)),
            },
            // Unreachable: 64 bytes is exactly the room 32 bytes take.
            Err(_) => Pseudonym(hex::encode(digest)),
        }
    }
}

/// Turns identifying keys into pseudonyms under a project key.
///
/// Implementations key the strings of [`canonical`]. The production implementation
/// (HMAC-SHA256 with a key of at least 32 bytes) is in the extract crate;
/// `testing::TestPseudonymiser` (feature `testing`) is an unkeyed stand-in for tests only.
pub trait Pseudonymiser {
    /// The pseudonym of a person (child, carer, household member).
    fn person(&self, id: &PersonIdentity) -> Pseudonym;
    /// The pseudonym of a case of `jurisdiction`.
    fn case(&self, jurisdiction: Jurisdiction, case_id: &CaseId) -> Pseudonym;
    /// The pseudonym of a staff member.
    fn staff(&self, staff: &StaffRef) -> Pseudonym;
    /// A fingerprint of the key (never the key itself), recorded in the dataset manifest.
    fn key_fingerprint(&self) -> String;
    /// The pseudonym of a family of the Family Partner trial (keys [`canonical::family`]).
    fn family(&self, trial: &TrialId, family: &FamilyRef) -> Pseudonym;
}

/// A [`Pseudonymiser`] that keys each staff member once: the same caseworkers record the
/// records of many cases (in the provenance of every record), so a staff member's pseudonym
/// is computed once and cloned after that (staff keys were two thirds of an extract's
/// HMACs). The extract keeps one for each chunk of lines it turns into research cases; the
/// memo holds the staff references it has seen until it is dropped. The other keys pass
/// straight through.
pub struct StaffMemo<'a> {
    inner: &'a dyn Pseudonymiser,
    staff: std::cell::RefCell<std::collections::HashMap<String, Pseudonym>>,
}

impl<'a> StaffMemo<'a> {
    /// A memo in front of `inner`.
    pub fn new(inner: &'a dyn Pseudonymiser) -> Self {
        StaffMemo {
            inner,
            staff: std::cell::RefCell::new(std::collections::HashMap::new()),
        }
    }
}

impl Pseudonymiser for StaffMemo<'_> {
    fn person(&self, id: &PersonIdentity) -> Pseudonym {
        self.inner.person(id)
    }

    fn case(&self, jurisdiction: Jurisdiction, case_id: &CaseId) -> Pseudonym {
        self.inner.case(jurisdiction, case_id)
    }

    fn staff(&self, staff: &StaffRef) -> Pseudonym {
        let mut memo = self.staff.borrow_mut();
        if let Some(p) = memo.get(staff.as_str()) {
            return p.clone();
        }
        let p = self.inner.staff(staff);
        memo.insert(staff.as_str().to_owned(), p.clone());
        p
    }

    fn key_fingerprint(&self) -> String {
        self.inner.key_fingerprint()
    }

    fn family(&self, trial: &TrialId, family: &FamilyRef) -> Pseudonym {
        self.inner.family(trial, family)
    }
}

/// The canonical strings that pseudonyms are computed over. One definition, so two
/// implementations of [`Pseudonymiser`] key the same text. Each string is also given as its
/// pieces (`*_parts`, concatenated in order), so a keyed hash can take them one after the
/// other without the string being built.
pub mod canonical {
    use super::*;

    /// The pieces of a canonical string, in order; unused pieces are empty.
    pub type Parts<'a> = [&'a str; 5];

    /// The pieces of [`person`].
    pub fn person_parts(id: &PersonIdentity) -> Parts<'_> {
        match id {
            PersonIdentity::NationalId(pid) => [
                pid.jurisdiction().code(),
                "|",
                pid.kind().as_str(),
                "|",
                pid.canonical(),
            ],
            PersonIdentity::Unregistered(u) => ["local|", u.local_id.as_str(), "", "", ""],
        }
    }

    /// `SE|personnummer|YYYYMMDDNNNC`, `NO|d_number|DDMMYYIIIKK`, or for a person without a
    /// national number `local|LOCAL_ID` (the case system's local identifier).
    pub fn person(id: &PersonIdentity) -> String {
        person_parts(id).concat()
    }

    /// The pieces of [`case`].
    pub fn case_parts(jurisdiction: Jurisdiction, case_id: &CaseId) -> Parts<'_> {
        [jurisdiction.code(), "|case|", case_id.as_str(), "", ""]
    }

    /// `SE|case|CASE_ID`.
    pub fn case(jurisdiction: Jurisdiction, case_id: &CaseId) -> String {
        case_parts(jurisdiction, case_id).concat()
    }

    /// The pieces of [`family`].
    pub fn family_parts<'a>(trial: &'a TrialId, family: &'a FamilyRef) -> Parts<'a> {
        ["family|", trial.as_str(), "|", family.as_str(), ""]
    }

    /// `family|TRIAL_ID|FAMILY_REF`.
    pub fn family(trial: &TrialId, family: &FamilyRef) -> String {
        family_parts(trial, family).concat()
    }

    /// The pieces of [`staff`].
    pub fn staff_parts(staff: &StaffRef) -> Parts<'_> {
        ["staff|", staff.as_str(), "", "", ""]
    }

    /// `staff|STAFF_REF`.
    pub fn staff(staff: &StaffRef) -> String {
        staff_parts(staff).concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_64_lower_hex_is_a_pseudonym() {
        assert!(Pseudonym::new("a".repeat(64)).is_ok());
        assert_eq!(
            Pseudonym::new("A".repeat(64)).unwrap_err().code,
            "pseudonym.format"
        );
        assert!(Pseudonym::new("a".repeat(63)).is_err());
        assert!(Pseudonym::new("g".repeat(64)).is_err());
        let json = serde_json::to_string(&Pseudonym::new("0".repeat(64)).unwrap()).unwrap();
        assert!(serde_json::from_str::<Pseudonym>(&json).is_ok());
        assert!(serde_json::from_str::<Pseudonym>("\"201801012392\"").is_err());
    }

    #[test]
    fn a_digest_is_its_lower_case_hex() {
        let mut digest = [0u8; 32];
        for (i, b) in digest.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37).wrapping_add(0x0f);
        }
        let p = Pseudonym::from_digest(digest);
        assert_eq!(p.as_str(), hex::encode(digest));
        assert!(Pseudonym::new(p.as_str()).is_ok());
        assert!(p.as_str().starts_with("0f34"), "{}", p.as_str());
    }

    /// Counts the staff keyed, each pseudonym a digest of its text.
    struct Counting(std::cell::Cell<usize>);

    impl Pseudonymiser for Counting {
        fn person(&self, _: &PersonIdentity) -> Pseudonym {
            Pseudonym::from_digest([1; 32])
        }
        fn case(&self, _: Jurisdiction, _: &CaseId) -> Pseudonym {
            Pseudonym::from_digest([2; 32])
        }
        fn staff(&self, staff: &StaffRef) -> Pseudonym {
            self.0.set(self.0.get() + 1);
            let mut d = [0u8; 32];
            for (x, b) in d.iter_mut().zip(staff.as_str().bytes()) {
                *x = b;
            }
            Pseudonym::from_digest(d)
        }
        fn key_fingerprint(&self) -> String {
            "fp".to_owned()
        }
        fn family(&self, _: &TrialId, _: &FamilyRef) -> Pseudonym {
            Pseudonym::from_digest([3; 32])
        }
    }

    #[test]
    fn the_staff_memo_keys_each_staff_member_once_and_gives_the_same_pseudonyms() {
        let inner = Counting(std::cell::Cell::new(0));
        let memo = StaffMemo::new(&inner);
        let (a, b) = (
            StaffRef::new("sw-1").unwrap(),
            StaffRef::new("sw-2").unwrap(),
        );
        let direct = (inner.staff(&a), inner.staff(&b));
        inner.0.set(0);
        for _ in 0..3 {
            assert_eq!(memo.staff(&a), direct.0);
            assert_eq!(memo.staff(&b), direct.1);
        }
        assert_ne!(direct.0, direct.1);
        assert_eq!(inner.0.get(), 2, "each staff member keyed once");
        assert_eq!(memo.key_fingerprint(), "fp");
    }

    #[test]
    fn canonical_strings() {
        let pid = barnvern_core::PersonId::parse("201801012392", None, None).unwrap();
        assert_eq!(
            canonical::person(&PersonIdentity::NationalId(pid)),
            "SE|personnummer|201801012392"
        );
        let case = CaseId::new("c-1").unwrap();
        assert_eq!(canonical::case(Jurisdiction::No, &case), "NO|case|c-1");
        let staff = StaffRef::new("sw-1").unwrap();
        assert_eq!(canonical::staff(&staff), "staff|sw-1");
        let trial = TrialId::new("fampart").unwrap();
        let family = FamilyRef::new("f-7").unwrap();
        assert_eq!(canonical::family(&trial, &family), "family|fampart|f-7");
        let local = barnvern_core::Unregistered {
            local_id: barnvern_core::identifier::LocalId::new("unborn-1").unwrap(),
            expected_birth_date: None,
        };
        assert_eq!(
            canonical::person(&PersonIdentity::Unregistered(local)),
            "local|unborn-1"
        );
    }
}
