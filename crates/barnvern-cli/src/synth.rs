//! `barnvern synth`: a seeded synthetic cohort of case bundles, as JSON Lines.
//!
//! Exit codes: 0 written; 1 the generator refused its own data (a defect; nothing usable was
//! written); 2 options out of range; 3 the output could not be written.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use barnvern_arrow::io::output_dir::AtomicFile;
use barnvern_synth::{Error, SynthOptions, SynthSummary, write_jsonl};
use chrono::NaiveDate;
use clap::Args;

/// Exit code for a generator defect.
const EXIT_DEFECT: u8 = 1;
/// Exit code for options out of range.
const EXIT_USAGE: u8 = 2;
/// Exit code for output that could not be written.
const EXIT_IO: u8 = 3;

/// Options of `barnvern synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Number of children (one case bundle, one line, each).
    #[arg(long, default_value_t = 10_000)]
    children: u64,
    /// The seed: the same seed and options give the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The output file (JSON Lines); `-` writes to standard output. A file is written beside
    /// and renamed at the end, so an interrupted run leaves no half file.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Fraction of lines that are faulty (0 to 1), of every kind: truncated JSON, invalid
    /// UTF-8, wrong JSON type, failing check digit, impossible date order, unknown code,
    /// duplicate case id, missing field, unknown schema version.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    faults: f64,
    /// The as-of date of the data (YYYY-MM-DD): nothing is dated after it.
    #[arg(long, value_name = "DATE")]
    as_of: Option<NaiveDate>,
    /// Fraction of children in Sweden (the rest in Norway).
    #[arg(long, value_name = "FRACTION", default_value_t = 0.5)]
    se_share: f64,
    /// Also write the summary (lines, valid lines, faulty lines by kind, ...) as JSON here.
    #[arg(long, value_name = "FILE")]
    summary_json: Option<PathBuf>,
    /// The Family Partner trial's size: the most families it approaches (default: every
    /// Norwegian family at a trial site that qualifies).
    #[arg(long, value_name = "N")]
    trial_families: Option<u64>,
    /// The Family Partner trial's number of sites, 1 to 6 (Oslo, Bergen, Trondheim, Stavanger,
    /// Kristiansand, Drammen, in that order).
    #[arg(long, value_name = "N", default_value_t = 6)]
    trial_sites: usize,
}

/// Runs `barnvern synth`.
pub fn run(args: &SynthArgs) -> ExitCode {
    let defaults = SynthOptions::default();
    let opts = SynthOptions {
        children: args.children,
        seed: args.seed,
        faults: args.faults,
        as_of: args.as_of.unwrap_or(defaults.as_of),
        se_share: args.se_share,
        trial_families: args.trial_families,
        ..defaults
    };
    let opts = match opts.with_trial_site_count(args.trial_sites) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("barnvern synth: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if let Err(e) = opts.check() {
        eprintln!("barnvern synth: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(opts.children);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} synth [{elapsed_precise}] {wide_bar} {pos}/{len} children ({per_sec}, eta {eta})",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let progress = |done: u64| bar.set_position(done);
    let started = Instant::now();
    let result = if args.out.as_os_str() == "-" {
        let stdout = std::io::stdout();
        write_jsonl(&opts, stdout.lock(), &progress)
    } else {
        write_file(&opts, &args.out, &progress)
    };
    bar.finish_and_clear();
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            eprintln!("barnvern synth: {e}");
            return ExitCode::from(match e {
                Error::Options(_) => EXIT_USAGE,
                Error::Io(_) => EXIT_IO,
                Error::Data(_) => EXIT_DEFECT,
            });
        }
    };
    let secs = started.elapsed().as_secs_f64();
    if let Some(path) = &args.summary_json {
        let text = serde_json::json!({
            "seed": opts.seed,
            "as_of": opts.as_of,
            "faults_rate": opts.faults,
            "summary": summary,
        });
        if let Err(e) = std::fs::write(path, format!("{text:#}\n")) {
            eprintln!("barnvern synth: cannot write {}: {e}", path.display());
            return ExitCode::from(EXIT_IO);
        }
    }
    // The summary goes to stderr when the bundles go to stdout.
    let line = summary_line(&summary, &args.out, secs);
    if args.out.as_os_str() == "-" {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
    ExitCode::SUCCESS
}

/// Writes the cohort to `path` atomically ([`AtomicFile`]): a failed run leaves what was
/// there, and nothing half-written.
fn write_file(
    opts: &SynthOptions,
    path: &Path,
    progress: &dyn Fn(u64),
) -> Result<SynthSummary, Error> {
    let arrow_io = |e: barnvern_arrow::Error| Error::Io(std::io::Error::other(e.to_string()));
    let mut file = AtomicFile::create(path).map_err(arrow_io)?;
    let summary = write_jsonl(opts, &mut file, progress)?;
    file.commit().map_err(arrow_io)?;
    Ok(summary)
}

fn summary_line(s: &SynthSummary, out: &Path, secs: f64) -> String {
    let faulty = if s.faulty.is_empty() {
        String::from("0 faulty")
    } else {
        let kinds: Vec<String> = s.faulty.iter().map(|(k, n)| format!("{k} {n}")).collect();
        format!("{} faulty: {}", s.faulty_total(), kinds.join(", "))
    };
    let rate = if secs > 0.0 {
        s.lines as f64 / secs
    } else {
        0.0
    };
    format!(
        "synth: {} case bundles ({} valid: {} SE, {} NO; {faulty}; {} trial families, {} randomised) \
         to {} ({:.1} MB) in {secs:.1} s ({rate:.0} children/s)",
        s.lines,
        s.valid,
        s.se_cases,
        s.no_cases,
        s.trial_families,
        s.randomised,
        out.display(),
        s.bytes as f64 / 1e6,
    )
}
