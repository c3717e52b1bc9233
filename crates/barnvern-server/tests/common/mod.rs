//! Shared fixture of the service's tests: a SQLite store with the two example cases (SE 0180,
//! NO 4601), a fresh signing key, and a router called in-process.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use barnvern_case::Case;
use barnvern_server::auth::{
    Claims, DEFAULT_AUDIENCE, DEFAULT_ISSUER, Minter, TokenRole, Verifier, generate_ed25519,
    now_secs,
};
use barnvern_server::{ServerConfig, State, router};
use barnvern_store::{Actor, CaseStore, ImportSource, SqliteStore, StoreKey};
use tower::ServiceExt;

pub const SE_CASE: &str = "SE-0180-2024-001234";
pub const NO_CASE: &str = "NO-4601-2024-000871";

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub store: Arc<dyn CaseStore>,
    pub app: Router,
    pub minter: Minter,
    /// A key the service does not trust: tokens signed with it are forged.
    pub forger: Minter,
    pub public_pem: String,
    pub private_pem: String,
}

pub fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::with_config(ServerConfig {
            secure_cookies: false,
            ..ServerConfig::default()
        })
    }

    pub fn with_config(config: ServerConfig) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::new(b"a store key of at least thirty-two bytes").unwrap();
        let store: Arc<dyn CaseStore> =
            Arc::new(SqliteStore::create(&dir.path().join("cases.db"), Some(key)).unwrap());
        Fixture::with_store(dir, store, config)
    }

    /// The fixture on a fresh database of the PostgreSQL server named by
    /// BARNVERN_TEST_POSTGRES_URL (scripts/test and scripts/with-postgres start one).
    pub fn postgres() -> Fixture {
        blocking(Fixture::postgres_inner)
    }

    fn postgres_inner() -> Fixture {
        let url = std::env::var("BARNVERN_TEST_POSTGRES_URL").unwrap_or_else(|_| {
            panic!(
                "BARNVERN_TEST_POSTGRES_URL is not set: run with `scripts/with-postgres cargo test \
                 -p barnvern-server` (or scripts/test), which starts a throwaway cluster"
            )
        });
        let name = format!("barnvern_server_test_{}", std::process::id());
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let base = &url[..url.rfind('/').unwrap()];
        let key = StoreKey::new(b"a store key of at least thirty-two bytes").unwrap();
        let store: Arc<dyn CaseStore> =
            Arc::from(barnvern_store::open(&format!("{base}/{name}"), Some(key), true).unwrap());
        Fixture::with_store(
            tempfile::tempdir().unwrap(),
            store,
            ServerConfig {
                secure_cookies: false,
                ..ServerConfig::default()
            },
        )
    }

    pub fn with_store(
        dir: tempfile::TempDir,
        store: Arc<dyn CaseStore>,
        config: ServerConfig,
    ) -> Fixture {
        let admin = Actor::local_administrator("test fixture");
        for file in ["examples/se-case.json", "examples/no-case.json"] {
            let case =
                Case::from_json(&std::fs::read_to_string(root().join(file)).unwrap()).unwrap();
            store
                .import(
                    &admin,
                    &case,
                    &ImportSource {
                        system: "test".into(),
                        ..Default::default()
                    },
                )
                .unwrap();
        }
        let (private, public) = generate_ed25519().unwrap();
        let (forged_private, _) = generate_ed25519().unwrap();
        let verifier = Verifier::from_pem(&public, DEFAULT_ISSUER, DEFAULT_AUDIENCE).unwrap();
        let app = router(State::new(store.clone(), verifier, config));
        Fixture {
            dir,
            store,
            app,
            minter: Minter::from_pem(&private, DEFAULT_ISSUER, DEFAULT_AUDIENCE).unwrap(),
            forger: Minter::from_pem(&forged_private, DEFAULT_ISSUER, DEFAULT_AUDIENCE).unwrap(),
            public_pem: public,
            private_pem: private,
        }
    }

    pub fn token(&self, role: TokenRole, municipalities: &[&str]) -> String {
        let m: Vec<String> = municipalities.iter().map(|s| (*s).to_owned()).collect();
        self.minter
            .mint(&format!("{}-1", role.as_str()), role, &m, 3600)
            .unwrap()
    }

    pub fn expired(&self, role: TokenRole, municipalities: &[&str]) -> String {
        let now = now_secs();
        self.minter
            .mint_claims(&Claims {
                iss: DEFAULT_ISSUER.into(),
                aud: DEFAULT_AUDIENCE.into(),
                sub: format!("{}-1", role.as_str()),
                role,
                municipalities: municipalities.iter().map(|s| (*s).to_owned()).collect(),
                iat: now - 7200,
                exp: now - 3600,
            })
            .unwrap()
    }

    pub fn forged(&self, role: TokenRole, municipalities: &[&str]) -> String {
        let m: Vec<String> = municipalities.iter().map(|s| (*s).to_owned()).collect();
        self.forger
            .mint(&format!("{}-1", role.as_str()), role, &m, 3600)
            .unwrap()
    }

    /// The number of entries in the access log (read as the administrator, which itself adds
    /// one entry after reading).
    pub fn log_len(&self) -> usize {
        blocking(|| {
            self.store
                .access_log(&Actor::local_administrator("test"), None)
                .unwrap()
                .len()
        })
    }

    pub fn version(&self, case_id: &str) -> u64 {
        blocking(|| {
            self.store
                .read(&Actor::local_administrator("test"), case_id)
                .unwrap()
                .version
        })
    }

    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b)),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Answer {
            status,
            headers,
            json: serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
            text,
        }
    }
}

/// Runs a blocking store call from a test: on a multi-threaded runtime outside its workers'
/// budget (the PostgreSQL client starts a runtime of its own, which a worker may not).
pub fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: serde_json::Value,
    pub text: String,
}

/// A follow-up event the workflow accepts on an open case, with a unique id.
pub fn follow_up(id: &str) -> String {
    format!(
        r#"{{"type": "follow_up_recorded", "follow_up": {{"id": "{id}", "on": "2025-07-01",
        "kind": "measure_review", "provenance": {{"recorded_at": "2025-07-01T09:00:00Z",
        "recorded_by": {{"role": "caseworker", "staff": "sw-017"}}, "source_system": "test"}}}}}}"#
    )
}

/// A request to open a case in `municipality` (Norway), with a synthetic child identity number
/// from the public test numbers.
pub fn open_case_body(municipality: &str) -> String {
    format!(
        r#"{{"jurisdiction": "NO", "municipality": "{municipality}",
        "child": {{"identity": {{"unregistered": {{"local_id": "ufodt-1", "expected_birth_date": "2026-09-01"}}}}}},
        "referral": {{"id": "m-1", "received_at": "2026-11-02T10:00:00+01:00",
          "reporter": {{"code": "kindergarten", "source": {{"system": "no.ssb.barnevern.melder", "code": "9"}}}},
          "provenance": {{"recorded_at": "2026-11-02T09:30:00Z",
            "recorded_by": {{"role": "caseworker", "staff": "sb-1"}}, "source_system": "test"}}}}}}"#
    )
}
