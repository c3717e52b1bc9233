//! `barnvern demo`: the main job on the built-in synthetic cohort, with no setup. Synthesises a
//! seeded cohort (with a few faulty lines), extracts it under a one-off random key (said so in
//! the manifest), checks that exactly the faulty lines were rejected, and writes the report.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use barnvern_arrow::io::output_dir::{OutputKind, prepare_in_place};
use barnvern_extract::{ExtractOptions, ProjectKey};
use barnvern_report::ReportOptions;
use barnvern_synth::SynthOptions;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::extract::{print_extract_summary, run_extract_with};
use crate::{EXIT_INVALID, EXIT_IO, EXIT_USAGE};

/// A demo folder: `cohort.jsonl`, `dataset/`, `report/`, marked by `.barnvern-demo`; the next
/// demo with the same `--out` replaces it, and nothing else is replaced.
const DEMO: OutputKind = OutputKind {
    what: "barnvern demo folder",
    marker: ".barnvern-demo",
    marker_text: Some(
        "Written by `barnvern demo`; the next demo with this --out replaces this directory.\n",
    ),
    is_marker: |bytes| bytes.starts_with(b"Written by `barnvern demo`"),
    owns: |name| matches!(name, "cohort.jsonl" | "dataset" | "report"),
};

/// Arguments of `barnvern demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the demo writes (cohort.jsonl, dataset/, report/). A directory from an earlier
    /// demo is replaced; any other existing directory is refused.
    #[arg(long, default_value = "barnvern-demo", value_name = "DIR")]
    pub out: PathBuf,
    /// Children in the synthetic cohort.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub children: u64,
    /// The cohort's seed.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Fraction of synthetic lines made faulty, to show the quarantine at work.
    #[arg(long, default_value_t = 0.005, value_name = "RATE")]
    pub faults: f64,
    /// Counts from 1 to N-1 are suppressed in the report.
    #[arg(long, default_value_t = barnvern_report::DEFAULT_THRESHOLD, value_name = "N")]
    pub min_cell: u64,
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> ExitCode {
    eprintln!("barnvern: {}: {e}", path.display());
    ExitCode::from(EXIT_IO)
}

/// Makes `out` an empty demo directory, replacing an earlier demo's.
fn prepare(out: &Path) -> Result<(), ExitCode> {
    prepare_in_place(out, &DEMO).map_err(|e| {
        eprintln!("barnvern: {e}");
        crate::report::output_exit(&e)
    })
}

fn lines_bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

/// `barnvern demo`.
pub fn run(args: &DemoArgs) -> ExitCode {
    match demo(args) {
        Ok(code) => code,
        Err(code) => code,
    }
}

fn demo(args: &DemoArgs) -> Result<ExitCode, ExitCode> {
    if !(0.0..=1.0).contains(&args.faults) {
        eprintln!("barnvern: --faults must be between 0 and 1");
        return Err(ExitCode::from(EXIT_USAGE));
    }
    prepare(&args.out)?;
    let started = Instant::now();

    // 1. Synthesise.
    let cohort = args.out.join("cohort.jsonl");
    let opts = SynthOptions {
        children: args.children,
        seed: args.seed,
        faults: args.faults,
        ..SynthOptions::default()
    };
    let file = fs::File::create(&cohort).map_err(|e| io_error(&cohort, e))?;
    let bar = lines_bar(args.children, "synthesising");
    let synth = barnvern_synth::write_jsonl(&opts, file, &|n| bar.set_position(n));
    bar.finish_and_clear();
    let synth = synth.map_err(|e| io_error(&cohort, e))?;
    let faulty: u64 = synth.faulty.values().sum();
    println!(
        "synth:   {} children ({} SE, {} NO; {} in the Family Partner trial, {} randomised), {} faulty lines, seed {} -> {}",
        synth.lines,
        synth.se_cases,
        synth.no_cases,
        synth.trial_families,
        synth.randomised,
        faulty,
        args.seed,
        cohort.display()
    );

    // 2. Extract under a one-off key.
    let dataset = args.out.join("dataset");
    let mut options = ExtractOptions::new(vec![cohort.clone()], dataset.clone(), opts.as_of);
    options.overwrite = true;
    let key = ProjectKey::random_demo().map_err(|e| {
        eprintln!("barnvern demo: {e}");
        ExitCode::from(EXIT_IO)
    })?;
    let summary = run_extract_with(&options, key)?;
    print_extract_summary(&summary);
    println!(
        "         the key was a one-off random key (manifest: demo_key = true); pseudonyms cannot be linked to any other extract"
    );

    // 3. Report.
    let report_dir = args.out.join("report");
    fs::create_dir_all(&report_dir).map_err(|e| io_error(&report_dir, e))?;
    let report = barnvern_report::build(
        &dataset,
        &ReportOptions {
            min_cell: args.min_cell,
            title: Some(format!(
                "barnvern demo: synthetic cohort of {} children (seed {})",
                args.children, args.seed
            )),
            ..ReportOptions::default()
        },
    )
    .map_err(|e| io_error(&dataset, e))?;
    let json = barnvern_report::to_json(&report).map_err(|e| io_error(&report_dir, e))?;
    let html = barnvern_report::to_html(&report).map_err(|e| io_error(&report_dir, e))?;
    let outputs = [
        ("report.md", barnvern_report::to_markdown(&report)),
        ("report.html", html),
        ("report.json", json),
    ];
    for (name, text) in &outputs {
        let path = report_dir.join(name);
        fs::write(&path, text).map_err(|e| io_error(&path, e))?;
    }

    println!(
        "report:  {} (also report.md, report.json), counts under {} suppressed",
        report_dir.join("report.html").display(),
        args.min_cell
    );
    println!("outputs:");
    println!("  cohort     {}", cohort.display());
    println!(
        "  dataset    {}/  (manifest.json, dictionary.md, one folder per table)",
        dataset.display()
    );
    println!("  quarantine {}", summary.quarantine.display());
    println!("  report     {}/", report_dir.display());
    println!("done in {:.1} s", started.elapsed().as_secs_f64());

    // The demo checks itself: exactly the lines made faulty were rejected.
    if summary.rejected != faulty || summary.accepted != synth.valid {
        eprintln!(
            "barnvern: the extract rejected {} lines and accepted {}, but the cohort had {} faulty and {} valid lines",
            summary.rejected, summary.accepted, faulty, synth.valid
        );
        return Ok(ExitCode::from(EXIT_INVALID));
    }
    Ok(ExitCode::SUCCESS)
}
