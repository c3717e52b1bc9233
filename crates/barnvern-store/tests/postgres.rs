//! The store's suite on a real PostgreSQL server: `scripts/test` (or
//! `scripts/with-postgres cargo test -p barnvern-store`) starts a throwaway cluster and sets
//! BARNVERN_TEST_POSTGRES_URL. Without it these tests fail, saying so.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicU64, Ordering};

use common::{Db, Fixture};

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
    /// A new database on the test server for each store, dropped when the test drops the
    /// `Db`.
    fn fresh(&self) -> Db {
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
        let db_url = format!("{base}/{name}");
        Db::new(db_url, DropDatabase { server: url, name })
    }
}

/// Drops a test database (closing the connections still open to it).
struct DropDatabase {
    server: String,
    name: String,
}

impl Drop for DropDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

store_suite!(Postgres, "kill_test_child_process");

#[test]
fn bundles_are_compressed_with_lz4_where_the_server_has_it() {
    // Schema 4: every append writes the case's whole bundle, and lz4 compresses it several
    // times faster than PostgreSQL's default pglz. A server without lz4 keeps pglz.
    let db = Postgres.fresh();
    let store = common::open(&db.url);
    let cases = common::cohort(20, 5);
    common::import_all(store.as_ref(), &cases);
    let mut client = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    let has_lz4 = client
        .batch_execute("SET default_toast_compression = 'lz4'")
        .is_ok();
    let expected = if has_lz4 { "lz4" } else { "pglz" };
    for (table, column) in [("cases", "bundle"), ("events", "body")] {
        let sql = format!(
            "SELECT DISTINCT pg_column_compression({column}) FROM {table} \
             WHERE pg_column_compression({column}) IS NOT NULL"
        );
        let methods: Vec<String> = client
            .query(sql.as_str(), &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(methods, [expected], "{table}.{column}");
    }
    let version: i64 = client
        .query_one("SELECT max(version) FROM schema_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, barnvern_store::SCHEMA_VERSION);
}
