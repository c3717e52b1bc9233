//! `barnvern store`: the case store from the command line (init, import, append, export,
//! worklist, log, verify). Every command acts as the actor of `--actor-file`, or as the local
//! administrator, logged as such.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use barnvern_arrow::io::output_dir::AtomicFile;
use barnvern_case::CaseEvent;
use barnvern_core::Finding;
use barnvern_extract::check::check_line;
use barnvern_extract::input::{InputOptions, LineReader};
use barnvern_extract::{QuarantineRecord, quarantine::QuarantineWriter};
use barnvern_store::{
    Actor, CaseStore, ImportOutcome, ImportSource, StoreError, StoreKey, WorklistQuery,
};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};

use crate::{EXIT_INVALID, EXIT_IO, EXIT_USAGE};

/// Exit code for a conflict (the stream moved on, or another bundle is stored under the id).
pub const EXIT_CONFLICT: u8 = 4;

/// The environment variable holding the store key when no --store-key-file is given.
pub const STORE_KEY_ENV: &str = "BARNVERN_STORE_KEY";

/// Bundles imported per transaction (one durable commit each). 2,000 rather than 500: the
/// index pages an import touches at random keys are written to the WAL once per transaction,
/// so larger ones write each page for more cases (callgrind and `time`, 20,000 children:
/// 15 % less CPU), for about 50 MiB more memory per batch held.
const IMPORT_BATCH: usize = 2_000;

/// Options every store command takes.
#[derive(Debug, Args)]
pub struct Common {
    /// The store: sqlite:PATH or postgres://USER@HOST:PORT/DB.
    #[arg(long, value_name = "DB")]
    pub db: String,
    /// The actor as JSON ({"staff_id", "role", "municipalities", "purpose"}); default: the local
    /// administrator.
    #[arg(long, value_name = "FILE")]
    pub actor_file: Option<PathBuf>,
    /// The store key (32 bytes or more) of the identity index; default: the BARNVERN_STORE_KEY
    /// environment variable. Needed to import and append.
    #[arg(long, value_name = "FILE")]
    pub store_key_file: Option<PathBuf>,
}

/// Output formats of the listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// An aligned text table.
    Table,
    /// One JSON array.
    Json,
}

/// `barnvern store ...`.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Create a store (or bring an existing one to the latest schema).
    Init {
        /// The store: sqlite:PATH or postgres://USER@HOST:PORT/DB.
        db: String,
        /// The store key file (recorded by fingerprint; default: BARNVERN_STORE_KEY if set).
        #[arg(long, value_name = "FILE")]
        store_key_file: Option<PathBuf>,
    },
    /// Import case bundles (JSON Lines, or `*.json` of one bundle), each starting a stream with
    /// an `imported` event. An identical bundle already stored is a no-op; a different one under
    /// the same id is a conflict (exit 4).
    Import {
        /// The bundle files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
        /// Where rejected lines go (JSON Lines: file, line, errors); default: printed to stderr.
        #[arg(long, value_name = "FILE")]
        quarantine: Option<PathBuf>,
    },
    /// Append workflow events (a JSON file of one event or an array of events) to a case, all or
    /// nothing, if the case is at the expected version (else exit 4).
    Append {
        #[command(flatten)]
        common: Common,
        /// The case id.
        #[arg(long = "case", value_name = "ID")]
        case_id: String,
        /// The version the events follow (as read).
        #[arg(long, value_name = "N")]
        expected_version: u64,
        /// The events file.
        #[arg(value_name = "EVENTS.json")]
        events: PathBuf,
        /// Makes a retried append harmless: the same key again returns the first result.
        #[arg(long, value_name = "KEY")]
        idempotency_key: Option<String>,
    },
    /// Write every current bundle as JSON Lines, in import order.
    Export {
        #[command(flatten)]
        common: Common,
        /// The output file (written beside and renamed into place).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        overwrite: bool,
    },
    /// The deadline worklist: open deadlines due within DAYS of DATE, or overdue.
    Worklist {
        #[command(flatten)]
        common: Common,
        /// The date the status is computed for (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        as_of: NaiveDate,
        /// How many days ahead to list.
        #[arg(long, default_value_t = 7, value_name = "DAYS")]
        within: u32,
        /// One municipality (default: every one the actor serves; all for the administrator).
        #[arg(long, value_name = "CODE")]
        municipality: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// The access log (auditors and the administrator).
    Log {
        #[command(flatten)]
        common: Common,
        /// Only the entries naming this case.
        #[arg(long = "case", value_name = "ID")]
        case_id: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Recompute every hash chain and replay every stream; exit 1 naming the case and version
    /// (or log entry) where a chain breaks.
    Verify {
        #[command(flatten)]
        common: Common,
    },
}

/// Prints the error and gives its exit code.
fn fail(e: &StoreError) -> ExitCode {
    eprintln!("barnvern: {e}");
    ExitCode::from(exit_code(e))
}

/// The exit code of a store error.
fn exit_code(e: &StoreError) -> u8 {
    match e {
        StoreError::Conflict { .. } => EXIT_CONFLICT,
        StoreError::NoKey
        | StoreError::KeyMismatch { .. }
        | StoreError::BadUrl(_)
        | StoreError::NotInitialised
        | StoreError::SchemaVersion { .. }
        | StoreError::Forbidden { .. } => EXIT_USAGE,
        StoreError::Invalid { code, .. }
            if code.starts_with("store.actor") || code.starts_with("store.key") =>
        {
            EXIT_USAGE
        }
        StoreError::Database(_) => EXIT_IO,
        _ => EXIT_INVALID,
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, ExitCode> {
    std::fs::read(path).map_err(|e| {
        eprintln!("barnvern: cannot read {}: {e}", path.display());
        ExitCode::from(EXIT_IO)
    })
}

pub(crate) fn store_key(file: Option<&Path>) -> Result<Option<StoreKey>, ExitCode> {
    let bytes = match file {
        Some(f) => read_file(f)?,
        None => match std::env::var(STORE_KEY_ENV) {
            Ok(v) => v.into_bytes(),
            Err(_) => return Ok(None),
        },
    };
    StoreKey::new(&bytes).map(Some).map_err(|e| fail(&e))
}

fn actor(common: &Common, purpose: &str) -> Result<Actor, ExitCode> {
    match &common.actor_file {
        None => Ok(Actor::local_administrator(purpose)),
        Some(f) => {
            let text = String::from_utf8(read_file(f)?).map_err(|_| {
                eprintln!("barnvern: {} is not UTF-8 text", f.display());
                ExitCode::from(EXIT_USAGE)
            })?;
            Actor::from_json(&text).map_err(|e| fail(&e))
        }
    }
}

fn open(common: &Common) -> Result<Box<dyn CaseStore>, ExitCode> {
    let key = store_key(common.store_key_file.as_deref())?;
    barnvern_store::open(&common.db, key, false).map_err(|e| fail(&e))
}

/// `barnvern store ...`.
pub fn run(cmd: &StoreCommand) -> ExitCode {
    let result = match cmd {
        StoreCommand::Init { db, store_key_file } => init(db, store_key_file.as_deref()),
        StoreCommand::Import {
            files,
            common,
            quarantine,
        } => import(files, common, quarantine.as_deref()),
        StoreCommand::Append {
            common,
            case_id,
            expected_version,
            events,
            idempotency_key,
        } => append(
            common,
            case_id,
            *expected_version,
            events,
            idempotency_key.as_deref(),
        ),
        StoreCommand::Export {
            common,
            out,
            overwrite,
        } => export(common, out, *overwrite),
        StoreCommand::Worklist {
            common,
            as_of,
            within,
            municipality,
            format,
        } => worklist(common, *as_of, *within, municipality.clone(), *format),
        StoreCommand::Log {
            common,
            case_id,
            format,
        } => log(common, case_id.as_deref(), *format),
        StoreCommand::Verify { common } => verify(common),
    };
    result.unwrap_or_else(|code| code)
}

fn init(db: &str, key_file: Option<&Path>) -> Result<ExitCode, ExitCode> {
    let key = store_key(key_file)?;
    let with_key = key.as_ref().map(StoreKey::fingerprint);
    barnvern_store::open(db, key, true).map_err(|e| fail(&e))?;
    match with_key {
        Some(fp) => println!(
            "store ready: {db} (schema version {}, store key {fp})",
            barnvern_store::SCHEMA_VERSION
        ),
        None => println!(
            "store ready: {db} (schema version {}; no store key yet: the first import records it)",
            barnvern_store::SCHEMA_VERSION
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Where rejected lines go.
enum Rejects {
    File(QuarantineWriter),
    Stderr,
}

impl Rejects {
    fn write(&mut self, record: QuarantineRecord) -> Result<(), ExitCode> {
        match self {
            Rejects::File(w) => w.write(&record).map_err(|e| {
                eprintln!("barnvern: {e}");
                ExitCode::from(EXIT_IO)
            }),
            Rejects::Stderr => {
                for finding in &record.errors {
                    match record.line {
                        Some(l) => eprintln!("{}:{l}: {finding}", record.file),
                        None => eprintln!("{}: {finding}", record.file),
                    }
                }
                Ok(())
            }
        }
    }
}

#[derive(Default)]
struct ImportCounts {
    read: u64,
    imported: u64,
    unchanged: u64,
    rejected: u64,
    conflicts: u64,
}

/// A line of an import, parsed and checked: a bundle to store, or a rejection.
enum Parsed {
    Case(Box<barnvern_case::Case>, ImportSource),
    Reject(QuarantineRecord),
}

/// Reads and checks the lines of `files` and sends them in batches of [`IMPORT_BATCH`] lines;
/// stops at the first unreadable file (sending the exit code) or when the receiver is gone.
fn parse_files(files: &[PathBuf], tx: &std::sync::mpsc::SyncSender<Result<Vec<Parsed>, ExitCode>>) {
    let options = InputOptions::default();
    let mut batch = Vec::with_capacity(IMPORT_BATCH);
    for (i, path) in files.iter().enumerate() {
        let name = path.display().to_string();
        let mut reader = match LineReader::open(path, i, options) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("barnvern: {e}");
                let _ = tx.send(Err(ExitCode::from(EXIT_IO)));
                return;
            }
        };
        loop {
            let line = match reader.next_line() {
                Ok(Some(l)) => l,
                Ok(None) => break,
                Err(e) => {
                    eprintln!("barnvern: cannot read {name}: {e}");
                    let _ = tx.send(Err(ExitCode::from(EXIT_IO)));
                    return;
                }
            };
            batch.push(match check_line(&line.content, options.max_line_bytes) {
                Ok(case) => Parsed::Case(
                    Box::new(case),
                    ImportSource {
                        system: "jsonl".into(),
                        file: Some(name.clone()),
                        line: Some(line.line),
                    },
                ),
                Err(errors) => Parsed::Reject(QuarantineRecord {
                    file: name.clone(),
                    line: Some(line.line),
                    errors,
                }),
            });
            if batch.len() >= IMPORT_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(IMPORT_BATCH));
                if tx.send(Ok(full)).is_err() {
                    return;
                }
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(Ok(batch));
    }
}

fn import(
    files: &[PathBuf],
    common: &Common,
    quarantine: Option<&Path>,
) -> Result<ExitCode, ExitCode> {
    let actor = actor(common, "import")?;
    let store = open(common)?;
    let mut rejects = match quarantine {
        Some(q) => Rejects::File(QuarantineWriter::create(q).map_err(|e| {
            eprintln!("barnvern: {e}");
            ExitCode::from(EXIT_IO)
        })?),
        None => Rejects::Stderr,
    };
    let mut counts = ImportCounts::default();
    // Parsing and checking the lines (the larger part of an import's work) runs on its own
    // thread, a batch ahead of the store's transactions, so two cores share the work. At most
    // one batch waits between them (besides the one being parsed and the one being stored):
    // memory stays flat in the input size. Rejections and the store's answers are written in
    // line order.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<Parsed>, ExitCode>>(1);
    std::thread::scope(|scope| -> Result<(), ExitCode> {
        scope.spawn(move || parse_files(files, &tx));
        // Returning early drops `rx`, which stops the parser at its next batch.
        for batch in rx {
            let batch = batch?;
            counts.read += batch.len() as u64;
            let mut cases = Vec::with_capacity(batch.len());
            // Per line: its rejection, or `None` for the next of `cases`.
            let mut order = Vec::with_capacity(batch.len());
            for parsed in batch {
                match parsed {
                    Parsed::Case(case, source) => {
                        cases.push((*case, source));
                        order.push(None);
                    }
                    Parsed::Reject(record) => order.push(Some(record)),
                }
            }
            let results = if cases.is_empty() {
                Vec::new()
            } else {
                store.import_batch(&actor, &cases).map_err(|e| fail(&e))?
            };
            let mut answers = cases.iter().zip(results);
            for slot in order {
                if let Some(record) = slot {
                    counts.rejected += 1;
                    rejects.write(record)?;
                    continue;
                }
                let Some(((_, source), r)) = answers.next() else {
                    break;
                };
                match r {
                    Ok(ImportOutcome::Imported) => counts.imported += 1,
                    Ok(ImportOutcome::Unchanged { .. }) => counts.unchanged += 1,
                    Err(e) => {
                        counts.rejected += 1;
                        if matches!(e, StoreError::Conflict { .. }) {
                            counts.conflicts += 1;
                        }
                        if matches!(e, StoreError::NoKey | StoreError::Forbidden { .. }) {
                            return Err(fail(&e));
                        }
                        rejects.write(QuarantineRecord {
                            file: source.file.clone().unwrap_or_default(),
                            line: source.line,
                            errors: vec![Finding::error("", e.code(), e.to_string())],
                        })?;
                    }
                }
            }
        }
        Ok(())
    })?;
    if let Rejects::File(w) = rejects {
        w.finish().map_err(|e| {
            eprintln!("barnvern: {e}");
            ExitCode::from(EXIT_IO)
        })?;
    }
    let c = counts;
    // read = imported + unchanged + rejected, checked as extract checks its count.
    if c.read != c.imported + c.unchanged + c.rejected {
        eprintln!(
            "barnvern: internal count mismatch: read {} lines but accounted for {}",
            c.read,
            c.imported + c.unchanged + c.rejected
        );
        return Err(ExitCode::from(EXIT_IO));
    }
    println!(
        "store import: read {} lines: imported {}, unchanged {}, rejected {} ({} conflicts)",
        c.read, c.imported, c.unchanged, c.rejected, c.conflicts
    );
    Ok(if c.conflicts > 0 {
        ExitCode::from(EXIT_CONFLICT)
    } else if c.rejected > 0 {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    })
}

fn parse_events(path: &Path) -> Result<Vec<CaseEvent>, ExitCode> {
    let text = String::from_utf8(read_file(path)?).map_err(|_| {
        eprintln!("barnvern: {} is not UTF-8 text", path.display());
        ExitCode::from(EXIT_INVALID)
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        eprintln!(
            "barnvern: {}: not JSON (line {}, column {}) (json.syntax)",
            path.display(),
            e.line(),
            e.column()
        );
        ExitCode::from(EXIT_INVALID)
    })?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    };
    let mut events = Vec::with_capacity(items.len());
    let mut bad = false;
    for (i, item) in items.iter().enumerate() {
        match CaseEvent::from_json(&item.to_string()) {
            Ok(e) => events.push(e),
            Err(err) => {
                bad = true;
                for finding in &err.findings {
                    eprintln!("{} event {i}: {finding}", path.display());
                }
            }
        }
    }
    if bad {
        return Err(ExitCode::from(EXIT_INVALID));
    }
    Ok(events)
}

fn append(
    common: &Common,
    case_id: &str,
    expected: u64,
    events: &Path,
    key: Option<&str>,
) -> Result<ExitCode, ExitCode> {
    let actor = actor(common, "append")?;
    let events = parse_events(events)?;
    let store = open(common)?;
    match store.append(&actor, case_id, expected, &events, key) {
        Ok(done) if done.repeated => {
            println!(
                "case {case_id}: already appended under this idempotency key (versions {} to {}); nothing written",
                done.first_version, done.version
            );
            Ok(ExitCode::SUCCESS)
        }
        Ok(done) => {
            println!(
                "case {case_id}: appended {} event(s), versions {} to {}",
                events.len(),
                done.first_version,
                done.version
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::Refused { findings }) => {
            for f in &findings {
                eprintln!("barnvern: case {case_id}: {f}");
            }
            eprintln!("barnvern: refused; nothing was written (store.refused)");
            Ok(ExitCode::from(EXIT_INVALID))
        }
        Err(e) => Err(fail(&e)),
    }
}

fn export(common: &Common, out: &Path, overwrite: bool) -> Result<ExitCode, ExitCode> {
    let actor = actor(common, "export")?;
    if out.exists() && !overwrite {
        eprintln!(
            "barnvern: {} exists; give --overwrite to replace it",
            out.display()
        );
        return Err(ExitCode::from(EXIT_USAGE));
    }
    let store = open(common)?;
    let io_err = |e: &dyn std::fmt::Display| {
        eprintln!("barnvern: cannot write {}: {e}", out.display());
        ExitCode::from(EXIT_IO)
    };
    // Written beside and committed at the end: a failed export leaves what was at `out`.
    let file = AtomicFile::create(out).map_err(|e| io_err(&e))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let n = store
        .export(&actor, &mut |bundle| {
            w.write_all(bundle.as_bytes())
                .and_then(|()| w.write_all(b"\n"))
                .map_err(|e| StoreError::Database(format!("cannot write the export: {e}")))
        })
        .map_err(|e| fail(&e))?;
    let file = w.into_inner().map_err(|e| io_err(e.error()))?;
    file.commit().map_err(|e| io_err(&e))?;
    println!("store export: {n} bundles -> {}", out.display());
    Ok(ExitCode::SUCCESS)
}

fn worklist(
    common: &Common,
    as_of: NaiveDate,
    within: u32,
    municipality: Option<String>,
    format: ListFormat,
) -> Result<ExitCode, ExitCode> {
    let actor = actor(common, "worklist")?;
    let store = open(common)?;
    let items = store
        .worklist(
            &actor,
            &WorklistQuery {
                as_of,
                within_days: within,
                municipality,
            },
        )
        .map_err(|e| fail(&e))?;
    match format {
        ListFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&items).unwrap_or_default()
        ),
        ListFormat::Table => {
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|w| {
                    vec![
                        w.due.to_string(),
                        w.extended_due.map(|d| d.to_string()).unwrap_or_default(),
                        w.status.as_str().to_owned(),
                        w.kind.as_str().to_owned(),
                        w.municipality.clone(),
                        w.case_id.clone(),
                        w.record.clone(),
                    ]
                })
                .collect();
            println!(
                "{}",
                crate::table::render(
                    &[
                        "due",
                        "extended",
                        "status",
                        "deadline",
                        "municipality",
                        "case",
                        "record"
                    ],
                    &rows
                )
            );
            println!(
                "{} open deadline(s) due by {as_of} + {within} days or overdue",
                items.len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn log(common: &Common, case_id: Option<&str>, format: ListFormat) -> Result<ExitCode, ExitCode> {
    let actor = actor(common, "audit")?;
    let store = open(common)?;
    let entries = store.access_log(&actor, case_id).map_err(|e| fail(&e))?;
    match format {
        ListFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&entries).unwrap_or_default()
        ),
        ListFormat::Table => {
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e.at.clone(),
                        e.staff_id.clone(),
                        e.role.clone(),
                        e.action.clone(),
                        e.case_id.clone().unwrap_or_default(),
                        format!("{:?}", e.outcome).to_lowercase(),
                        e.detail.clone(),
                        e.purpose.clone(),
                    ]
                })
                .collect();
            println!(
                "{}",
                crate::table::render(
                    &[
                        "at", "staff", "role", "action", "case", "outcome", "detail", "purpose"
                    ],
                    &rows
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(common: &Common) -> Result<ExitCode, ExitCode> {
    let actor = actor(common, "verify")?;
    let store = open(common)?;
    let report = store.verify(&actor).map_err(|e| fail(&e))?;
    println!(
        "store verify: {} cases, {} events, {} access log entries",
        report.cases, report.events, report.log_entries
    );
    if report.is_ok() {
        println!("every chain holds; every stream replays to its stored bundle");
        Ok(ExitCode::SUCCESS)
    } else {
        for b in &report.breaks {
            println!("BROKEN: {b}");
        }
        eprintln!(
            "barnvern: {} chain break(s) found (store.chain_broken)",
            report.breaks.len()
        );
        Ok(ExitCode::from(EXIT_INVALID))
    }
}

/// `barnvern extract --from DB`: the store's current bundles, streamed through a named pipe
/// into the very pipeline `extract FILE...` runs, so the dataset is the one extracting the
/// same bundles from JSON Lines gives, table by table and row by row. The pipe lives in a
/// private temporary directory and holds no data at rest.
pub fn extract_from(args: &crate::extract::ExtractArgs, db: &str) -> ExitCode {
    match extract_from_inner(args, db) {
        Ok(code) | Err(code) => code,
    }
}

fn extract_from_inner(args: &crate::extract::ExtractArgs, db: &str) -> Result<ExitCode, ExitCode> {
    use rustix::fs::{CWD, FileType, Mode, mknodat};

    let common = Common {
        db: db.to_owned(),
        actor_file: args.actor_file.clone(),
        store_key_file: None,
    };
    let actor = actor(&common, "research extract")?;
    // Refuse before anything is written: the project key, the store, the actor's rights.
    let key = crate::extract::project_key(args.key_file.as_deref())?;
    if !actor.may(barnvern_store::Action::Extract) {
        return Err(fail(&StoreError::Forbidden {
            role: actor.role.as_str(),
            action: barnvern_store::Action::Extract.as_str(),
        }));
    }
    let store = open(&common)?;
    // The dataset is written into a staging folder and published only when every bundle came
    // through: a store that fails midway must leave no dataset of the part it streamed, and
    // must not replace an earlier one. The same rules as extract decide what may be replaced.
    let staged = barnvern_arrow::io::output_dir::StagedDir::create(
        &args.out,
        &barnvern_arrow::io::output_dir::DATASET,
        args.overwrite,
    )
    .map_err(|e| {
        eprintln!("barnvern: {e}");
        crate::report::output_exit(&e)
    })?;
    let dir = std::env::temp_dir().join(format!("barnvern-extract-from-{}", std::process::id()));
    let io = |what: &str, e: std::io::Error| {
        eprintln!("barnvern: cannot {what}: {e}");
        ExitCode::from(EXIT_IO)
    };
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir(&dir).map_err(|e| io("create a temporary directory", e))?;
    let fifo = dir.join("store.jsonl");
    let made = mknodat(CWD, &fifo, FileType::Fifo, Mode::RUSR | Mode::WUSR, 0)
        .map_err(|e| io("create a named pipe", e.into()));
    if let Err(code) = made {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(code);
    }
    let writer_path = fifo.clone();
    let writer_actor = actor.clone();
    let feeder = std::thread::spawn(move || -> Result<u64, StoreError> {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&writer_path)
            .map_err(|e| StoreError::Database(format!("cannot open the pipe: {e}")))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        let n = store.extract_bundles(&writer_actor, &mut |bundle| {
            w.write_all(bundle.as_bytes())
                .and_then(|()| w.write_all(b"\n"))
                .map_err(|e| StoreError::Database(format!("the extract stopped reading: {e}")))
        })?;
        w.flush()
            .map_err(|e| StoreError::Database(format!("the extract stopped reading: {e}")))?;
        Ok(n)
    });
    let mut inner = args.clone();
    inner.files = vec![fifo.clone()];
    inner.from = None;
    inner.actor_file = None;
    // The staging folder is empty and ours.
    inner.out = staged.path().to_owned();
    inner.overwrite = true;
    let code = crate::extract::run_extract_keyed(&inner, key);
    // If the extract stopped before opening the pipe, open it once so the feeder's open
    // returns and its writes fail instead of blocking.
    if !feeder.is_finished() {
        let _unblock = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags_nonblocking()
            .open(&fifo);
    }
    let fed = feeder.join();
    let _ = std::fs::remove_dir_all(&dir);
    let written = staged
        .path()
        .join(barnvern_arrow::io::dataset::MANIFEST)
        .is_file();
    match fed {
        Ok(Ok(n)) => {
            eprintln!("barnvern: streamed {n} bundles from {db}");
            if written {
                staged.publish().map_err(|e| {
                    eprintln!("barnvern: {e}");
                    crate::report::output_exit(&e)
                })?;
                eprintln!("barnvern: dataset at {}", args.out.display());
            }
            Ok(code)
        }
        Ok(Err(e)) if code == ExitCode::SUCCESS => Err(fail(&e)),
        Ok(Err(_)) => Ok(code),
        Err(_) => Err(ExitCode::from(EXIT_IO)),
    }
}

/// Opening a pipe for reading without blocking.
trait NonBlocking {
    fn custom_flags_nonblocking(&mut self) -> &mut Self;
}

impl NonBlocking for std::fs::OpenOptions {
    fn custom_flags_nonblocking(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.custom_flags(libc_o_nonblock())
    }
}

/// O_NONBLOCK on Linux.
fn libc_o_nonblock() -> i32 {
    rustix::fs::OFlags::NONBLOCK.bits() as i32
}
