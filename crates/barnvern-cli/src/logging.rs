//! Diagnostics on standard error through `tracing`, for every command but `serve` (which logs
//! JSON lines through `barnvern_server::init_logging`).
//!
//! Nothing is set up unless `RUST_LOG` is set, so the default output of every command stays as
//! it is. `RUST_LOG=barnvern=debug barnvern extract ...` shows the extract's spans (the run,
//! each input file, each stage of each chunk), each as one line when it closes, with the time
//! it was busy.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Installs a human-readable subscriber on stderr when `RUST_LOG` is set; does nothing else.
pub fn init_from_env() {
    let Some(filter) = std::env::var_os(EnvFilter::DEFAULT_ENV).filter(|v| !v.is_empty()) else {
        return;
    };
    let filter = EnvFilter::try_new(filter.to_string_lossy()).unwrap_or_else(|e| {
        eprintln!("barnvern: RUST_LOG is not a valid filter ({e}); showing warnings only");
        EnvFilter::new("warn")
    });
    // A second subscriber (a test harness's) is not an error: ours is simply not installed.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_span_events(FmtSpan::CLOSE)
        .try_init();
}
