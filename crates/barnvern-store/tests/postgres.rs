//! The store's suite on a real PostgreSQL server: `scripts/test` (or
//! `scripts/with-postgres cargo test -p barnvern-store`) starts a throwaway cluster and sets
//! BARNVERN_TEST_POSTGRES_URL. Without it these tests fail, saying so.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicU64, Ordering};

use common::Fixture;

struct Postgres;

static N: AtomicU64 = AtomicU64::new(0);

fn server_url() -> String {
    std::env::var("BARNVERN_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "BARNVERN_TEST_POSTGRES_URL is not set: the PostgreSQL tests need a server. Run them \
             with `scripts/with-postgres cargo test -p barnvern-store` (or `scripts/test`), which \
             starts a throwaway cluster, or point the variable at a server where the user may \
             create databases (postgres://USER@HOST:PORT/DB)."
        )
    })
}

impl Fixture for Postgres {
    /// A new database on the test server for each store.
    fn fresh_url(&self) -> String {
        let url = server_url();
        let name = format!(
            "barnvern_test_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut client = postgres::Client::connect(&url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to BARNVERN_TEST_POSTGRES_URL: {e}"));
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        // Replace the database name at the end of the URL.
        let base = match url.rfind('/') {
            Some(i) if url[..i].ends_with(|c: char| c != '/') => &url[..i],
            _ => url.as_str(),
        };
        format!("{base}/{name}")
    }
}

store_suite!(Postgres, "kill_test_child_process");
