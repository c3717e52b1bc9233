//! Benchmarks of the case store, printing figures (never failing on time). Run on a store
//! filled by `barnvern store import` (see docs/services.md, "Performance"):
//!
//! ```text
//! cargo run --release -p barnvern-store --example store_bench -- appends DB WRITERS APPENDS EVENTS_PER_APPEND
//! cargo run --release -p barnvern-store --example store_bench -- reads DB READS [durable|default] [THREADS] [json|typed]
//! cargo run --release -p barnvern-store --example store_bench -- worklist DB [MUNICIPALITY|all]
//! cargo run --release -p barnvern-store --example store_bench -- import DB BUNDLES.jsonl
//! cargo run --release -p barnvern-store --example store_bench -- fsync DIR [N]
//! cargo run --release -p barnvern-store --example store_bench -- commits DIR [N]
//! ```
//!
//! Appends and reads run BENCH_RUNS times (default 3) and print each run and the median. The
//! store key comes from BARNVERN_STORE_KEY, as for the command line. The allocator is mimalloc,
//! as in the `barnvern` command (which runs `barnvern serve`) and the Python package, so the
//! figures are those of the programs that use the store.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use barnvern_case::{Case, CaseEvent};
use barnvern_store::{Actor, CaseStore, Location, StoreKey, WorklistQuery};
use chrono::NaiveDate;

/// Exits with the store's message (which ends with its stable code) instead of panicking on
/// what a user gets wrong: a store never initialised, a bad URL, a short key.
fn or_exit<T>(r: Result<T, barnvern_store::StoreError>) -> T {
    r.unwrap_or_else(|e| {
        eprintln!("store_bench: {e}");
        std::process::exit(2)
    })
}

fn open(url: &str, durable_reads: bool) -> Arc<dyn CaseStore> {
    let key = std::env::var("BARNVERN_STORE_KEY")
        .ok()
        .map(|k| or_exit(StoreKey::new(k.as_bytes())));
    match or_exit(Location::parse(url)) {
        Location::Sqlite(p) => {
            let mut s = or_exit(barnvern_store::SqliteStore::open(&p, key));
            if durable_reads {
                s.set_durable_reads(true);
            }
            Arc::new(s)
        }
        Location::Postgres(u) => {
            let mut s = or_exit(barnvern_store::PostgresStore::open(&u, key));
            if durable_reads {
                s.set_durable_reads(true);
            }
            Arc::new(s)
        }
    }
}

fn admin() -> Actor {
    Actor::local_administrator("benchmark")
}

/// Every case: id, municipality, and whether it is open.
fn cases(store: &dyn CaseStore) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    store
        .export(&admin(), &mut |b| {
            let v: serde_json::Value = serde_json::from_str(b).unwrap();
            let open = v["closures"]
                .as_array()
                .and_then(|c| c.last())
                .is_none_or(|c| c.get("reopened_on").is_some());
            out.push((
                v["case_id"].as_str().unwrap().to_owned(),
                v["municipality"].as_str().unwrap().to_owned(),
                open,
            ));
            Ok(())
        })
        .unwrap();
    out
}

fn toggle(case: &Case, n: u64) -> CaseEvent {
    let base = case
        .closures
        .last()
        .map(|c| c.reopened_on.unwrap_or(c.closed_on))
        .unwrap_or(case.opened_on)
        .max(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
    let day = base + chrono::Days::new(n + 1);
    let prov = format!(
        r#"{{"recorded_at": "{day}T10:00:00Z", "recorded_by": {{"role": "caseworker", "staff": "bench"}}, "source_system": "bench"}}"#
    );
    let json = if case.is_closed() {
        format!(r#"{{"type": "case_reopened", "reopened_on": "{day}", "provenance": {prov}}}"#)
    } else {
        format!(
            r#"{{"type": "case_closed", "closed_on": "{day}", "reason": {{"code": "no_further_need"}}, "provenance": {prov}}}"#
        )
    };
    CaseEvent::from_json(&json).unwrap()
}

/// The number of runs of appends and reads (BENCH_RUNS, default 3).
fn runs() -> usize {
    std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|r| *r > 0)
        .unwrap_or(3)
}

/// Runs `f` (which prints its figure and returns it) `runs()` times and prints the median.
fn median_of(what: &str, unit: &str, mut f: impl FnMut() -> f64) {
    let mut figures: Vec<f64> = (0..runs()).map(|_| f()).collect();
    figures.sort_by(f64::total_cmp);
    println!(
        "  median of {} runs, {what}: {:.0} {unit} (min {:.0}, max {:.0})",
        figures.len(),
        figures[figures.len() / 2],
        figures[0],
        figures[figures.len() - 1]
    );
}

/// The disk's flush latency: `n` appends of 4 KiB to a file in `dir`, each followed by
/// `fdatasync` (what a durable WAL commit costs at the least).
fn fsync(dir: &str, n: usize) {
    use std::io::Write;
    let path = std::path::Path::new(dir).join("fsync-probe");
    let mut file = std::fs::File::create(&path).unwrap();
    let block = [0x5a_u8; 4096];
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t0 = Instant::now();
        file.write_all(&block).unwrap();
        file.sync_data().unwrap();
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    drop(file);
    let _ = std::fs::remove_file(&path);
    report_latencies(
        &format!("fsync: {n} appends of 4 KiB, each followed by fdatasync, in {dir}"),
        &mut times,
    );
}

/// Prints the median, p90, max and mean of `times` (milliseconds), and the rate one writer
/// waiting for each in turn reaches: the mean is what a run of them averages, not the median
/// (a few slow flushes under other processes' writes weigh more than many fast ones).
fn report_latencies(what: &str, times: &mut [f64]) {
    let n = times.len();
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / n as f64;
    println!(
        "{what}: median {:.3} ms, p90 {:.3} ms, max {:.3} ms, mean {mean:.3} ms: one durable \
         writer is bounded by about {:.0} commits/s (1 / mean; {:.0} at the median)",
        times[n / 2],
        times[n * 9 / 10],
        times[n - 1],
        1000.0 / mean,
        1000.0 / times[n / 2]
    );
}

/// The ceiling of one durable SQLite writer: `n` tiny commits (one 16-byte row each) to a
/// scratch database in `dir` in the store's own mode (WAL, `synchronous = FULL`): what a
/// commit costs with no case work at all.
fn commits(dir: &str, n: usize) {
    let path = std::path::Path::new(dir).join("commit-probe.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch("CREATE TABLE probe (id INTEGER PRIMARY KEY, v BLOB NOT NULL)")
        .unwrap();
    let mut insert = conn.prepare("INSERT INTO probe (v) VALUES (?1)").unwrap();
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t0 = Instant::now();
        insert.execute([[0x5a_u8; 16].as_slice()]).unwrap();
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    drop(insert);
    drop(conn);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    report_latencies(
        &format!("commits: {n} SQLite commits of one tiny row (WAL, synchronous = FULL) in {dir}"),
        &mut times,
    );
}

fn appends(url: &str, writers: usize, appends: usize, per: usize) -> f64 {
    let store = open(url, false);
    let open_ids: Vec<String> = cases(store.as_ref())
        .into_iter()
        .filter(|c| c.2)
        .map(|c| c.0)
        .collect();
    let start = Instant::now();
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let store = Arc::clone(&store);
            let mine: Vec<String> = open_ids
                .iter()
                .skip(w)
                .step_by(writers)
                .take(appends)
                .cloned()
                .collect();
            std::thread::spawn(move || {
                let mut state: Vec<(String, Case, u64)> = mine
                    .into_iter()
                    .map(|id| {
                        let r = store.read(&admin(), &id).unwrap();
                        (id, r.case, r.version)
                    })
                    .collect();
                let t0 = Instant::now();
                let mut events = 0;
                for i in 0..appends {
                    let n = state.len();
                    let (id, case, version) = &mut state[i % n];
                    let mut batch = Vec::with_capacity(per);
                    let mut next = case.clone();
                    for j in 0..per {
                        let e = toggle(&next, *version + j as u64);
                        next.apply(e.clone()).unwrap();
                        batch.push(e);
                    }
                    let done = store.append(&admin(), id, *version, &batch, None).unwrap();
                    *version = done.version;
                    *case = next;
                    events += per;
                }
                (events, t0.elapsed())
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let total: usize = results.iter().map(|r| r.0).sum();
    let slowest = results.iter().map(|r| r.1).max().unwrap_or_default();
    let _ = start;
    let rate = total as f64 / slowest.as_secs_f64();
    println!(
        "appends: {writers} writer(s) x {appends} appends of {per} event(s), durable commits: \
         {total} events in {:.2} s = {rate:.0} events/s ({:.0} appends/s)",
        slowest.as_secs_f64(),
        (writers * appends) as f64 / slowest.as_secs_f64()
    );
    rate
}

/// `n` random case reads from `threads` threads, each with its access-log entry; `json`: the
/// stored bundle as it is (`read_json`, what the HTTP service sends), else the typed, validated
/// case (`read`).
fn reads(url: &str, n: usize, durable: bool, threads: usize, json: bool) -> f64 {
    let store = open(url, durable);
    let ids: Arc<Vec<String>> = Arc::new(cases(store.as_ref()).into_iter().map(|c| c.0).collect());
    let per = n / threads.max(1);
    let t0 = Instant::now();
    let handles: Vec<_> = (0..threads.max(1))
        .map(|t| {
            let (store, ids) = (Arc::clone(&store), Arc::clone(&ids));
            std::thread::spawn(move || {
                let mut x = 0x2545_f491_4f6c_dd1d_u64 ^ (t as u64 + 1).wrapping_mul(0x9e37_79b9);
                for _ in 0..per {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let id = &ids[(x % ids.len() as u64) as usize];
                    if json {
                        store.read_json(&admin(), id).unwrap();
                    } else {
                        store.read(&admin(), id).unwrap();
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let secs = t0.elapsed().as_secs_f64();
    let total = per * threads.max(1);
    println!(
        "reads: {total} random case reads ({}; {threads} thread(s), each read with its \
         access-log entry, {} commit) in {secs:.2} s = {:.0} reads/s",
        if json { "read_json" } else { "read, typed" },
        if durable {
            "durable"
        } else {
            "the backend's default"
        },
        total as f64 / secs
    );
    total as f64 / secs
}

fn worklist(url: &str, municipality: Option<String>) {
    let store = open(url, false);
    let all = cases(store.as_ref());
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for c in &all {
        *by.entry(c.1.clone()).or_default() += 1;
    }
    if municipality.as_deref() == Some("all") {
        // Every municipality at once (the administrator's view): all 100,000 cases' deadlines.
        let q = WorklistQuery {
            as_of: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
            within_days: 7,
            municipality: None,
        };
        let mut times = Vec::new();
        let mut items = 0;
        for _ in 0..11 {
            let t0 = Instant::now();
            items = store.worklist(&admin(), &q).unwrap().len();
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "worklist: every municipality ({} cases), due within 7 days or overdue as of \
             2026-06-30: {items} items; median {:.2} ms, max {:.2} ms over 11 queries",
            all.len(),
            times[5],
            times[10]
        );
        return;
    }
    let muni = municipality.unwrap_or_else(|| {
        by.iter()
            .max_by_key(|(_, n)| **n)
            .map(|(m, _)| m.clone())
            .unwrap()
    });
    let who = Actor {
        staff_id: "bench".into(),
        role: barnvern_store::Role::TeamLeader,
        municipalities: vec![muni.parse().unwrap()],
        purpose: "benchmark".into(),
    };
    let q = WorklistQuery {
        as_of: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        within_days: 7,
        municipality: Some(muni.clone()),
    };
    let mut times = Vec::new();
    let mut items = 0;
    for _ in 0..21 {
        let t0 = Instant::now();
        items = store.worklist(&who, &q).unwrap().len();
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "worklist: municipality {muni} ({} of {} cases in the store), due within 7 days or \
         overdue as of 2026-06-30: {items} items; median {:.2} ms, max {:.2} ms over 21 queries \
         (access-log entry included)",
        by.get(&muni).copied().unwrap_or(0),
        all.len(),
        times[10],
        times[20]
    );
}

/// Imports a JSON Lines file, 500 bundles a transaction as `barnvern store import` does (or
/// BENCH_IMPORT_BATCH).
fn import(url: &str, file: &str) {
    use std::io::BufRead;
    let per: usize = std::env::var("BENCH_IMPORT_BATCH")
        .ok()
        .and_then(|b| b.parse().ok())
        .filter(|b| *b > 0)
        .unwrap_or(500);
    let store = open(url, false);
    let reader = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(file).unwrap());
    let t0 = Instant::now();
    let mut batch = Vec::with_capacity(per);
    let mut n = 0u64;
    let flush = |batch: &mut Vec<(Case, barnvern_store::ImportSource)>| {
        for r in store.import_batch(&admin(), batch).unwrap() {
            r.unwrap();
        }
        batch.clear();
    };
    for (i, line) in reader.lines().enumerate() {
        let case = Case::from_json(&line.unwrap()).unwrap();
        let source = barnvern_store::ImportSource {
            system: "jsonl".into(),
            file: Some(file.to_owned()),
            line: Some(i as u64 + 1),
        };
        batch.push((case, source));
        n += 1;
        if batch.len() == per {
            flush(&mut batch);
        }
    }
    flush(&mut batch);
    let secs = t0.elapsed().as_secs_f64();
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_owned())
        })
        .unwrap_or_default();
    println!(
        "import: {n} bundles in {secs:.1} s = {:.0} cases/s, {per} a transaction; peak RSS {rss} KiB",
        n as f64 / secs
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let num = |i: usize, d: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(d);
    match arg(0).as_str() {
        "appends" => median_of("appends", "events/s", || {
            appends(&arg(1), num(2, 1), num(3, 1000), num(4, 1))
        }),
        "reads" => median_of("reads", "reads/s", || {
            reads(
                &arg(1),
                num(2, 20_000),
                arg(3) == "durable",
                num(4, 1),
                arg(5) == "json",
            )
        }),
        "fsync" => fsync(&arg(1), num(2, 500)),
        "commits" => commits(&arg(1), num(2, 1000)),
        "worklist" => worklist(&arg(1), args.get(2).cloned()),
        "import" => import(&arg(1), &arg(2)),
        _ => eprintln!("usage: store_bench appends|reads|worklist DB ... (see the source)"),
    }
}
