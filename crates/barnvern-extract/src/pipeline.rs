//! The extract: case bundles in, a pseudonymised research dataset out.
//!
//! Each line is parsed and validated (`barnvern-case`), turned into its research form
//! (pseudonymised under the project key, coarsened, free text dropped, deadlines derived as of a
//! date) and written to the dataset of `barnvern-arrow`. A line that fails is written to the
//! quarantine file with its line number and every error, and the run goes on. At the end the
//! run checks that every line read was either accepted or rejected, records the counts and the
//! input files' digests in the manifest, and only then publishes the dataset (and the
//! quarantine file) atomically.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use barnvern_arrow::{DatasetOptions, DatasetWriter, Manifest, PartitionedRows};
use barnvern_core::Finding;
use barnvern_research::{ResearchCase, StaffMemo};
use chrono::NaiveDate;

use crate::check::{check_line, duplicate_case, empty_file};
use crate::engine::{self, Progress};
use crate::error::{Error, Result};
use crate::input::{InputLine, InputOptions};
use crate::key::ProjectKey;
use crate::pseudonymise::HmacPseudonymiser;
use crate::quarantine::{QUARANTINE_FILE, QuarantineRecord, QuarantineWriter};
use crate::seen::{CaseKey, CaseKeyer, Limits, ReadAt, SeenCases};
use barnvern_research::Pseudonymiser as _;

/// What to extract and where.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// The input files: JSON Lines of case bundles (a `*.json` file is one bundle).
    pub inputs: Vec<PathBuf>,
    /// The dataset directory to create.
    pub out: PathBuf,
    /// Where rejected lines go; default `OUT/quarantine.jsonl`, published with the dataset.
    pub quarantine: Option<PathBuf>,
    /// Replace an existing dataset at `out`.
    pub overwrite: bool,
    /// The date deadline statuses are computed for.
    pub as_of: NaiveDate,
    /// Limits of the input reader.
    pub input: InputOptions,
    /// Worker threads; 0 = one per core.
    pub threads: usize,
    /// Arrow bytes the dataset writer may hold in rows waiting to be written
    /// ([`DatasetOptions::max_buffered_bytes`]): more gives larger row groups, less a smaller
    /// peak memory.
    pub buffer_bytes: usize,
}

impl ExtractOptions {
    /// Options with the defaults: quarantine inside the dataset, no overwrite, all cores.
    pub fn new(inputs: Vec<PathBuf>, out: impl Into<PathBuf>, as_of: NaiveDate) -> Self {
        ExtractOptions {
            inputs,
            out: out.into(),
            quarantine: None,
            overwrite: false,
            as_of,
            input: InputOptions::default(),
            threads: 0,
            buffer_bytes: DatasetOptions::default().max_buffered_bytes,
        }
    }
}

/// What an extract did.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ExtractSummary {
    /// The dataset directory.
    pub dataset: PathBuf,
    /// The quarantine file.
    pub quarantine: PathBuf,
    /// Lines read from all inputs.
    pub read: u64,
    /// Lines accepted (cases in the dataset).
    pub accepted: u64,
    /// Lines rejected (records in the quarantine file about lines).
    pub rejected: u64,
    /// Input files with no lines at all (each also has a quarantine record with no line).
    pub empty_files: Vec<String>,
    /// Rejected lines by the code of their first error.
    pub rejected_by_code: BTreeMap<String, u64>,
    /// The dataset's manifest.
    pub manifest: Manifest,
}

impl ExtractSummary {
    /// True when nothing was rejected and no input was empty.
    pub fn is_clean(&self) -> bool {
        self.rejected == 0 && self.empty_files.is_empty()
    }
}

/// What a worker made of one chunk of lines: each line's verdict in order, and the rows of
/// the accepted lines already as one Arrow batch per partition (built on the worker, so the
/// thread that owns the dataset writer only buffers them, and its writer threads encode
/// Parquet).
struct Chunk {
    verdicts: Vec<(LineRef, Verdict)>,
    rows: barnvern_arrow::Result<PartitionedRows>,
}

/// The verdict on one line.
enum Verdict {
    /// Accepted: the case's duplicate key and its position among the chunk's accepted cases.
    Accepted { key: CaseKey, index: usize },
    /// Rejected, with why.
    Rejected(Vec<Finding>),
}

/// Where a line came from, without its content.
#[derive(Debug, Clone, Copy)]
struct LineRef {
    file: usize,
    line: u64,
}

/// Runs an extract under `key`. `progress` is called from the reading thread as input is read.
pub fn extract(
    options: &ExtractOptions,
    key: ProjectKey,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<ExtractSummary> {
    extract_with(options, key, progress, Limits::default())
}

/// [`extract`] with the sizes of the duplicate case id set given (tests make them tiny).
pub(crate) fn extract_with(
    options: &ExtractOptions,
    key: ProjectKey,
    progress: &(dyn Fn(Progress) + Sync),
    limits: Limits,
) -> Result<ExtractSummary> {
    if options.inputs.is_empty() {
        return Err(Error::NoInputs);
    }
    check_quarantine_path(options)?;
    let _run = tracing::debug_span!(
        "extract",
        inputs = options.inputs.len(),
        threads = engine::worker_count(options.threads)
    )
    .entered();

    let demo = key.is_demo();
    let ps = HmacPseudonymiser::new(key);
    let fingerprint = ps.key_fingerprint();
    let mut writer = DatasetWriter::create(
        &options.out,
        DatasetOptions {
            overwrite: options.overwrite,
            max_buffered_bytes: options.buffer_bytes,
            ..DatasetOptions::default()
        },
    )?;
    // The quarantine file is staged too (an atomic file, removed on every way out but
    // success): inside the dataset's staging folder by default, else beside its own target,
    // committed only once the dataset is published.
    let (quarantine_stage, quarantine_target) = match &options.quarantine {
        None => (
            writer.staging_dir().join(QUARANTINE_FILE),
            options.out.join(QUARANTINE_FILE),
        ),
        Some(path) => {
            if path.file_name().is_none() {
                return Err(Error::BadPath {
                    path: path.clone(),
                    reason: "the quarantine path names no file".to_owned(),
                });
            }
            (path.clone(), path.clone())
        }
    };
    let mut quarantine = QuarantineWriter::create(&quarantine_stage)?;
    // The duplicate check's spill file goes in the staging folder, on the output's disk; it
    // has no name, so nothing of it is published or left behind (see `crate::seen`).
    let mut seen = SeenCases::with_limits(writer.staging_dir(), limits)?;
    let keyer = CaseKeyer::new();
    let names: Vec<String> = options
        .inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect();

    let as_of = options.as_of;
    let max_line = options.input.max_line_bytes;
    let work = |lines: Vec<InputLine>| -> Chunk {
        // Two stages per chunk, each its own span: parse and validate every line, then turn the
        // accepted cases into pseudonymised research rows.
        let mut verdicts = Vec::with_capacity(lines.len());
        let mut valid = Vec::with_capacity(lines.len());
        {
            let _validate = tracing::debug_span!("validate", lines = lines.len()).entered();
            for l in lines {
                let at = LineRef {
                    file: l.file,
                    line: l.line,
                };
                match check_line(&l.content, max_line) {
                    Ok(case) => {
                        let key = keyer.key(&case);
                        verdicts.push((
                            at,
                            Verdict::Accepted {
                                key,
                                index: valid.len(),
                            },
                        ));
                        valid.push(case);
                    }
                    Err(errors) => verdicts.push((at, Verdict::Rejected(errors))),
                }
            }
        }
        let _pseudonymise = tracing::debug_span!("pseudonymise", cases = valid.len()).entered();
        // The chunk's cases share their caseworkers: each one is keyed once a chunk.
        let staff = StaffMemo::new(&ps);
        let cases: Vec<ResearchCase> = valid
            .drain(..)
            .map(|case| ResearchCase::from_case(&case, &staff, as_of))
            .collect();
        // The cases are dropped here, on the worker, once their rows are built.
        let rows = chunk_rows(&mut verdicts, cases);
        Chunk { verdicts, rows }
    };

    let mut accepted = 0u64;
    let mut rejected = 0u64;
    let mut by_code: BTreeMap<String, u64> = BTreeMap::new();
    let mut reject = |q: &mut QuarantineWriter, at: LineRef, errors: Vec<Finding>| {
        rejected += 1;
        let code = errors
            .first()
            .map(|i| i.code.clone())
            .unwrap_or_else(|| "unknown".to_owned());
        *by_code.entry(code).or_default() += 1;
        q.write(&QuarantineRecord {
            file: names[at.file].clone(),
            line: Some(at.line),
            errors,
        })
    };

    let result = engine::run(
        &options.inputs,
        options.input,
        options.threads,
        progress,
        &work,
        |chunk: Chunk| {
            let mut duplicates: Vec<usize> = Vec::new();
            for (at, verdict) in chunk.verdicts {
                match verdict {
                    Verdict::Rejected(errors) => reject(&mut quarantine, at, errors)?,
                    Verdict::Accepted { key, index } => {
                        let here = ReadAt {
                            file: at.file,
                            line: at.line,
                        };
                        if let Some(first) = seen.first_read(&key, here)? {
                            let finding = duplicate_case(first.line, &names[first.file]);
                            duplicates.push(index);
                            reject(&mut quarantine, at, vec![finding])?;
                        } else {
                            accepted += 1;
                        }
                    }
                }
            }
            let rows = chunk.rows?.without_cases(&duplicates)?;
            let _write = tracing::debug_span!("write", duplicates = duplicates.len()).entered();
            writer.write_rows(rows)?;
            Ok(())
        },
    );
    let digests = result?;
    // Its spill file closes (and so vanishes) before the staging folder is moved.
    drop(seen);

    let mut empty_files = Vec::new();
    for d in &digests {
        if d.lines == Some(0) {
            empty_files.push(d.path.clone());
            quarantine.write(&QuarantineRecord {
                file: d.path.clone(),
                line: None,
                errors: vec![empty_file()],
            })?;
        }
    }
    let (_, quarantine) = quarantine.finish_uncommitted()?;
    // In the dataset: written with it. Beside: committed after it.
    let quarantine = match options.quarantine {
        None => {
            quarantine.commit()?;
            None
        }
        Some(_) => Some(quarantine),
    };

    let read: u64 = digests.iter().filter_map(|d| d.lines).sum();
    let written = writer.manifest_mut().cases;
    if read != accepted + rejected || written != accepted {
        return Err(Error::Count {
            read,
            accepted: written,
            rejected,
        });
    }
    {
        let m = writer.manifest_mut();
        m.input_digests = digests;
        m.read = Some(read);
        m.rejected = rejected;
        m.key_fingerprint = Some(fingerprint);
        m.demo_key = demo;
    }
    let manifest = {
        let _publish = tracing::debug_span!("publish", read, accepted, rejected).entered();
        writer.finish()?
    };
    if let Some(quarantine) = quarantine {
        quarantine.commit()?;
    }
    Ok(ExtractSummary {
        dataset: options.out.clone(),
        quarantine: quarantine_target,
        read,
        accepted,
        rejected,
        empty_files,
        rejected_by_code: by_code,
        manifest,
    })
}

/// A quarantine file given by the user must not be inside the dataset (it would be replaced)
/// nor be an input.
fn check_quarantine_path(options: &ExtractOptions) -> Result<()> {
    let Some(q) = &options.quarantine else {
        return Ok(());
    };
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let qa = abs(q);
    if qa.starts_with(abs(&options.out)) {
        return Err(Error::BadPath {
            path: q.clone(),
            reason: "the quarantine file cannot be inside the dataset directory; leave out --quarantine to keep it there".to_owned(),
        });
    }
    if options.inputs.iter().any(|i| abs(i) == qa) {
        return Err(Error::BadPath {
            path: q.clone(),
            reason: "the quarantine file would overwrite an input".to_owned(),
        });
    }
    Ok(())
}

/// The rows of a chunk's accepted cases (`verdicts` index into `cases`). The dataset writer
/// refuses a value that may not be in a research table (its last guard: text shaped like an
/// identity number outside a pseudonym column). Validation refuses such input first; should a
/// rule ever miss one, only that case's line is refused (`extract.unwritable`, quarantined with
/// the table and column, never the value), and the rest of the chunk is written, instead of the
/// whole extract failing without naming a line.
fn chunk_rows(
    verdicts: &mut [(LineRef, Verdict)],
    cases: Vec<ResearchCase>,
) -> barnvern_arrow::Result<PartitionedRows> {
    let all = PartitionedRows::from_cases(&cases);
    if all.is_ok() {
        return all;
    }
    let mut kept = Vec::with_capacity(cases.len());
    let mut moved: Vec<Result<usize, String>> = Vec::with_capacity(cases.len());
    for case in cases {
        match PartitionedRows::from_cases(std::slice::from_ref(&case)) {
            Ok(_) => {
                moved.push(Ok(kept.len()));
                kept.push(case);
            }
            Err(e) => moved.push(Err(e.to_string())),
        }
    }
    for (_, verdict) in verdicts.iter_mut() {
        let Verdict::Accepted { index, .. } = verdict else {
            continue;
        };
        match moved.get(*index) {
            Some(Ok(n)) => *index = *n,
            Some(Err(why)) => {
                *verdict = Verdict::Rejected(vec![Finding::error(
                    "",
                    crate::check::codes::UNWRITABLE,
                    format!("the case cannot be written to the research tables: {why}"),
                )]);
            }
            None => {}
        }
    }
    PartitionedRows::from_cases(&kept)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::HashMap;
    use std::path::Path;

    use barnvern_case::Case;

    use super::*;
    use crate::seen::CaseKey;

    const KEY: &[u8] = b"a key for the duplicate set test, long enough";

    fn key() -> ProjectKey {
        ProjectKey::from_bytes(KEY.to_vec(), "test").unwrap()
    }

    /// Every file of a dataset, relative path and bytes; the manifest without its creation time.
    fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_owned()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                let mut bytes = std::fs::read(&p).unwrap();
                if rel == barnvern_arrow::io::dataset::MANIFEST {
                    let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                    v.as_object_mut().unwrap().remove("created_at");
                    bytes = serde_json::to_vec(&v).unwrap();
                }
                out.push((rel, bytes));
            }
        }
        out.sort();
        out
    }

    #[test]
    fn duplicates_are_found_exactly_whatever_the_size_of_the_set() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        let opts = barnvern_synth::SynthOptions {
            children: 400,
            seed: 11,
            faults: 0.2,
            ..barnvern_synth::SynthOptions::default()
        };
        barnvern_synth::write_jsonl(&opts, std::fs::File::create(&a).unwrap(), &|_| {}).unwrap();
        // The lines of a file (some are not UTF-8: the cohort has faults of every kind).
        let lines = |path: &Path| -> Vec<Vec<u8>> {
            let bytes = std::fs::read(path).unwrap();
            let mut v: Vec<Vec<u8>> = bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
            if v.last().is_some_and(Vec::is_empty) {
                v.pop();
            }
            v
        };
        // A second file repeating every seventh line of the first: duplicates across files.
        let b = dir.path().join("b.jsonl");
        let again: Vec<u8> = lines(&a)
            .into_iter()
            .step_by(7)
            .flat_map(|mut l| {
                l.push(b'\n');
                l
            })
            .collect();
        std::fs::write(&b, again).unwrap();
        let inputs = vec![a.clone(), b.clone()];

        // The expected findings, from a plain map of (jurisdiction, id) to the first line.
        let mut first: HashMap<(String, String), (usize, u64)> = HashMap::new();
        let mut expected: Vec<(String, u64, String)> = Vec::new();
        for (f, path) in inputs.iter().enumerate() {
            for (n, line) in lines(path).iter().enumerate() {
                let Ok(case) = std::str::from_utf8(line)
                    .map_err(|_| ())
                    .and_then(|text| Case::from_json(text).map_err(|_| ()))
                else {
                    continue;
                };
                let id = (
                    case.jurisdiction.code().to_owned(),
                    case.case_id.as_str().to_owned(),
                );
                let here = (f, n as u64 + 1);
                if let Some(&(ff, fl)) = first.get(&id) {
                    let message = duplicate_case(fl, &inputs[ff].display().to_string()).message;
                    expected.push((path.display().to_string(), here.1, message));
                } else {
                    first.insert(id, here);
                }
            }
        }
        assert!(expected.len() > 40, "{} duplicates", expected.len());

        let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let run = |name: &str, limits: Limits| {
            let out = dir.path().join(name);
            let mut options = ExtractOptions::new(inputs.clone(), out.clone(), as_of);
            options.threads = 2;
            extract_with(&options, key(), &|_| {}, limits).unwrap();
            out
        };
        fn same(_: &CaseKey) -> u64 {
            7
        }
        let tiny = |fingerprint: fn(&CaseKey) -> u64| Limits {
            initial_slots: 2,
            buffered_records: 5,
            fingerprint,
        };
        let default = run("default", Limits::default());
        let got: Vec<(String, u64, String)> =
            crate::quarantine::read(&default.join(QUARANTINE_FILE))
                .unwrap()
                .into_iter()
                .filter(|r| r.errors[0].code == crate::check::codes::DUPLICATE_CASE)
                .map(|r| (r.file, r.line.unwrap(), r.errors[0].message.clone()))
                .collect();
        assert_eq!(got, expected);

        // A tiny set, first with every fingerprint the same (each case is compared with every
        // earlier one through the spill file), then with tiny shards that grow many times:
        // the same dataset and quarantine, byte for byte.
        let want = files(&default);
        assert_eq!(files(&run("collide", tiny(same))), want);
        assert_eq!(
            files(&run(
                "tiny",
                tiny(|k| u64::from_le_bytes(k[..8].try_into().unwrap()))
            )),
            want
        );
    }

    #[test]
    fn a_case_the_writer_refuses_is_refused_alone() {
        // Three accepted cases, the second holding a public test personnummer (Skatteverket's
        // list in ../shared/testdata) in a text column: its line is refused, with the table and
        // column, and the other two are written.
        let ps = crate::HmacPseudonymiser::new(key());
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let opts = barnvern_synth::SynthOptions {
            children: 30,
            seed: 5,
            ..barnvern_synth::SynthOptions::default()
        };
        let mut cases: Vec<ResearchCase> = barnvern_synth::Cohort::new(&opts)
            .unwrap()
            .map(|c| Case::from_data(c.unwrap()).unwrap())
            .map(|c| ResearchCase::from_case(&c, &ps, as_of))
            .filter(|r| !r.deadlines.is_empty())
            .take(3)
            .collect();
        assert_eq!(cases.len(), 3);
        cases[1].deadlines[0].citation = "189001019802".to_owned();
        let keyer = CaseKeyer::new();
        let mut verdicts: Vec<(LineRef, Verdict)> = (0..3)
            .map(|i| {
                let at = LineRef {
                    file: 0,
                    line: i as u64 + 1,
                };
                let key = keyer.key_of("NO", &format!("case-{i}"));
                (at, Verdict::Accepted { key, index: i })
            })
            .collect();
        let rows = chunk_rows(&mut verdicts, cases).unwrap();
        assert_eq!(rows.cases(), 2);
        let refused: Vec<&Vec<Finding>> = verdicts
            .iter()
            .filter_map(|(_, v)| match v {
                Verdict::Rejected(f) => Some(f),
                Verdict::Accepted { .. } => None,
            })
            .collect();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0][0].code, "extract.unwritable");
        assert!(
            refused[0][0].message.contains("citation"),
            "{}",
            refused[0][0].message
        );
        assert!(!refused[0][0].message.contains("189001019802"));
        let indices: Vec<(u64, usize)> = verdicts
            .iter()
            .filter_map(|(at, v)| match v {
                Verdict::Accepted { index, .. } => Some((at.line, *index)),
                Verdict::Rejected(_) => None,
            })
            .collect();
        assert_eq!(indices, [(1, 0), (3, 1)]);
    }
}
