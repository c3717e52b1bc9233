//! Reads one table of a dataset and prints its rows and Arrow size, for measuring the memory
//! a lazy read takes (`/usr/bin/time -f %M` around it):
//!
//! ```sh
//! cargo run --release -p barnvern-arrow --example read_table -- DATASET referrals [COLUMN ...]
//! ```
//!
//! With `--stream` the batches are counted and dropped one at a time instead of collected.

use std::process::ExitCode;

use barnvern_arrow::Dataset;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let stream = args.iter().any(|a| a == "--stream");
    args.retain(|a| a != "--stream");
    let [dir, table, columns @ ..] = args.as_slice() else {
        eprintln!("usage: read_table DATASET TABLE [COLUMN ...] [--stream]");
        return ExitCode::from(2);
    };
    match run(dir, table, columns, stream) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: &str, table: &str, columns: &[String], stream: bool) -> barnvern_arrow::Result<()> {
    let ds = Dataset::open(dir)?;
    let mut read = ds.table(table)?;
    if !columns.is_empty() {
        read = read.columns(columns);
    }
    let (rows, bytes, findings) = if stream {
        let mut batches = read.batches()?;
        let (mut rows, mut largest) = (0, 0);
        for b in batches.by_ref() {
            let b = b?;
            rows += b.num_rows();
            largest = largest.max(b.get_array_memory_size());
        }
        (rows, largest, batches.findings().len())
    } else {
        let data = read.read()?;
        (data.rows(), data.memory_size(), data.findings.len())
    };
    let what = if stream { "largest batch" } else { "arrow" };
    println!(
        "{table}: {rows} rows, {what} {:.1} MiB, {findings} findings",
        bytes as f64 / (1 << 20) as f64
    );
    Ok(())
}
