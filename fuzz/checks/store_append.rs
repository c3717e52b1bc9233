// The checks of the `store_append` fuzz target, included (`include!`) by the target and by the
// corpus replay test of barnvern-store, so that both check the same things.

/// One SQLite store per process (a temporary folder), holding the Swedish example case.
struct AppendFixture {
    _dir: tempfile::TempDir,
    store: barnvern_store::SqliteStore,
    actor: barnvern_store::Actor,
}

/// The case the appends go to unless the input names another.
const APPEND_CASE: &str = "SE-0180-2024-001234";

fn append_fixture() -> AppendFixture {
    use barnvern_store::{Actor, CaseStore, ImportSource, Role, SqliteStore, StoreKey};
    let dir = tempfile::tempdir().expect("a temporary folder");
    let key = StoreKey::new(b"the fuzz target's store key, 32+ bytes").expect("a long key");
    let store = SqliteStore::create(&dir.path().join("cases.db"), Some(key)).expect("a store");
    let actor = Actor {
        staff_id: "fuzz".into(),
        role: Role::Caseworker,
        municipalities: vec!["0180".parse().expect("Stockholm's code")],
        purpose: "fuzzing".into(),
    };
    let case = barnvern_case::Case::from_json(include_str!("../../examples/se-case.json"))
        .expect("the example case");
    let source = ImportSource {
        system: "fuzz".into(),
        ..ImportSource::default()
    };
    store
        .import(&actor, &case, &source)
        .expect("the example imports");
    AppendFixture {
        _dir: dir,
        store,
        actor,
    }
}

/// `data` is a case id on a first line starting with `#` (optional), then one workflow event
/// per line (JSON), appended in one call at the stream's current version. An append the store
/// takes must add exactly those events: the version moves on by their number, the history
/// replays to the stored bundle, and every chain verifies. A refused append must write nothing
/// (same version, same bundle) and say why with a stable code; no error may show anything
/// shaped like an identity number.
pub fn check_store_append(data: &[u8]) {
    use barnvern_core::identifier::looks_like_identity_number;
    use barnvern_store::{Actor, CaseStore, StoreError};
    use std::sync::Mutex;

    static FIXTURE: Mutex<Option<AppendFixture>> = Mutex::new(None);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.lines().peekable();
    let case_id = match lines.peek() {
        Some(first) if first.starts_with('#') => {
            let id = first[1..].to_owned();
            lines.next();
            id
        }
        _ => APPEND_CASE.to_owned(),
    };
    let mut events = Vec::new();
    for line in lines {
        match barnvern_case::CaseEvent::from_json(line) {
            Ok(e) => events.push(e),
            Err(err) => {
                let shown = err.to_string();
                assert!(
                    !looks_like_identity_number(&shown),
                    "a parse error shows an identity number"
                );
                return;
            }
        }
    }
    let mut guard = FIXTURE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // A long history makes every check slower: start again now and then.
    let restart = guard.as_ref().is_none_or(|f| {
        f.store
            .read(&f.actor, APPEND_CASE)
            .map_or(true, |c| c.version > 40)
    });
    if restart {
        *guard = Some(append_fixture());
    }
    let f = guard.as_ref().expect("the fixture was just made");
    let before = f
        .store
        .read(&f.actor, APPEND_CASE)
        .expect("the example case reads");
    let result = f
        .store
        .append(&f.actor, &case_id, before.version, &events, None);
    let after = f
        .store
        .read(&f.actor, APPEND_CASE)
        .expect("the example case reads");
    let admin = Actor::local_administrator("fuzz check");
    match result {
        Ok(done) => {
            assert_eq!(
                case_id, APPEND_CASE,
                "an append to a case that does not exist"
            );
            assert_eq!(done.version, before.version + events.len() as u64);
            assert_eq!(
                after.version, done.version,
                "the stored version is not the one returned"
            );
            let history = f
                .store
                .history(&f.actor, APPEND_CASE)
                .expect("the history reads");
            assert_eq!(
                history.len() as u64,
                after.version,
                "the history lost or gained events"
            );
            let replayed = barnvern_store::replay(&history).expect("the history replays");
            assert_eq!(
                replayed, after.case,
                "the history does not replay to the stored bundle"
            );
            let report = f.store.verify(&admin).expect("verify runs");
            assert!(
                report.is_ok(),
                "a chain breaks after an append: {:?}",
                report.breaks
            );
        }
        Err(err) => {
            assert_eq!(
                after.version, before.version,
                "a refused append moved the version"
            );
            assert_eq!(
                after.case, before.case,
                "a refused append changed the bundle"
            );
            assert!(
                !matches!(err, StoreError::Database(_) | StoreError::Corrupt(_)),
                "the store failed instead of refusing: {}",
                err.code()
            );
            let shown = err.to_string();
            assert!(
                !looks_like_identity_number(&shown),
                "an error shows an identity number: {shown}"
            );
            if let StoreError::Refused { findings } = &err {
                assert!(!findings.is_empty(), "a refusal without findings");
                for finding in findings {
                    assert!(
                        !looks_like_identity_number(&finding.message)
                            && !looks_like_identity_number(&finding.path),
                        "a finding shows an identity number"
                    );
                }
            }
        }
    }
}
