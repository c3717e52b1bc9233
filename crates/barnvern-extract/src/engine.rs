//! The engine under `extract` and `validate`: one thread reads the input files in order, worker
//! threads (one per core) parse and check chunks of lines in parallel, and the calling thread
//! consumes the results in input order, so the output does not depend on thread timing.
//!
//! Memory is bounded: at most a few chunks per worker are in flight, whatever the input size.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};

use barnvern_arrow::io::dataset::InputDigest;

use crate::error::{Error, Result};
use crate::input::{InputLine, InputOptions, LineReader};

/// Lines per chunk handed to a worker.
const CHUNK_LINES: usize = 1024;

/// How far the reader has got, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Bytes read from all inputs so far.
    pub bytes: u64,
    /// Lines read from all inputs so far.
    pub lines: u64,
}

/// The number of worker threads for `requested` (0 = one per core).
pub fn worker_count(requested: usize) -> usize {
    if requested > 0 {
        return requested;
    }
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

type Chunk = (u64, Vec<InputLine>);

/// Reads `inputs`, applies `work` to every chunk of lines (in input order within the chunk) on
/// `threads` workers and hands the chunks' results to `consume` in input order. Returns each
/// input's digest and line count. Stops at the first error of reading or of `consume`.
pub fn run<T, W, C>(
    inputs: &[PathBuf],
    options: InputOptions,
    threads: usize,
    progress: &(dyn Fn(Progress) + Sync),
    work: &W,
    mut consume: C,
) -> Result<Vec<InputDigest>>
where
    T: Send,
    W: Fn(Vec<InputLine>) -> T + Sync,
    C: FnMut(T) -> Result<()>,
{
    let threads = worker_count(threads);
    let (line_tx, line_rx) = sync_channel::<Chunk>(threads * 2);
    // Shared by the workers only: when the last one stops, the reader's sends fail and it stops.
    let line_rx: Arc<Mutex<Receiver<Chunk>>> = Arc::new(Mutex::new(line_rx));
    let (out_tx, out_rx) = sync_channel::<(u64, T)>(threads * 2);

    std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_all(inputs, options, progress, &line_tx));
        let mut workers = Vec::with_capacity(threads);
        for _ in 0..threads {
            let rx = Arc::clone(&line_rx);
            let tx = out_tx.clone();
            workers.push(scope.spawn(move || {
                loop {
                    let next = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => break,
                    };
                    let Ok((n, lines)) = next else { break };
                    if tx.send((n, work(lines))).is_err() {
                        break;
                    }
                }
            }));
        }
        drop(line_rx);
        drop(out_tx);

        let mut next = 0u64;
        let mut pending: BTreeMap<u64, T> = BTreeMap::new();
        let mut failed: Option<Error> = None;
        'receive: for (n, result) in out_rx.iter() {
            pending.insert(n, result);
            while let Some(result) = pending.remove(&next) {
                next += 1;
                if let Err(e) = consume(result) {
                    failed = Some(e);
                    break 'receive;
                }
            }
        }
        // Dropping the receiver makes the workers' sends fail, so they stop early on an error.
        drop(out_rx);
        let mut panicked = false;
        for w in workers {
            panicked |= w.join().is_err();
        }
        let digests = reader
            .join()
            .map_err(|_| Error::Worker("the input reader panicked".to_owned()))?;
        if let Some(e) = failed {
            return Err(e);
        }
        // A read error outranks a worker that stopped because of it.
        let digests = digests?;
        if panicked {
            return Err(Error::Worker("a validation worker panicked".to_owned()));
        }
        if !pending.is_empty() {
            return Err(Error::Worker("results were left unconsumed".to_owned()));
        }
        Ok(digests)
    })
}

fn read_all(
    inputs: &[PathBuf],
    options: InputOptions,
    progress: &(dyn Fn(Progress) + Sync),
    tx: &std::sync::mpsc::SyncSender<Chunk>,
) -> Result<Vec<InputDigest>> {
    let mut digests = Vec::with_capacity(inputs.len());
    let mut chunk_no = 0u64;
    let mut done = Progress::default();
    let mut chunk: Vec<InputLine> = Vec::with_capacity(CHUNK_LINES);
    for (i, path) in inputs.iter().enumerate() {
        // One span per input file (`RUST_LOG=barnvern=debug`); the name is masked, as a file
        // may be named after a person.
        let _file =
            tracing::debug_span!("read", file = %crate::shown_path(path), input = i).entered();
        let mut reader = LineReader::open(path, i, options)?;
        loop {
            let line = reader.next_line().map_err(|e| Error::io(path, e))?;
            let end = line.is_none();
            if let Some(line) = line {
                chunk.push(line);
            }
            if chunk.len() >= CHUNK_LINES || (end && !chunk.is_empty()) {
                let lines = chunk.len() as u64;
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_LINES));
                if tx.send((chunk_no, full)).is_err() {
                    // The consumer stopped; its error is the one reported.
                    return Ok(digests);
                }
                chunk_no += 1;
                progress(Progress {
                    bytes: done.bytes + reader.bytes_read(),
                    lines: done.lines + lines,
                });
                done.lines += lines;
            }
            if end {
                break;
            }
        }
        done.bytes += reader.bytes_read();
        tracing::debug!(
            lines = reader.lines_read(),
            bytes = reader.bytes_read(),
            "input read"
        );
        digests.push(InputDigest {
            path: path.display().to_string(),
            sha256: reader.digest(),
            lines: Some(reader.lines_read()),
        });
    }
    progress(done);
    Ok(digests)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::input::LineContent;

    #[test]
    fn results_come_back_in_input_order_whatever_the_threads() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        let b = dir.path().join("b.jsonl");
        let text_a: String = (0..1000).map(|i| format!("{i}\n")).collect();
        std::fs::write(&a, &text_a).unwrap();
        std::fs::write(&b, "x\ny").unwrap();
        for threads in [1, 2, 4] {
            let mut got = Vec::new();
            let digests = run(
                &[a.clone(), b.clone()],
                InputOptions::default(),
                threads,
                &|_| {},
                &|lines: Vec<InputLine>| {
                    lines
                        .into_iter()
                        .map(|l| match l.content {
                            LineContent::Bytes(b) => {
                                (l.file, l.line, String::from_utf8(b).unwrap())
                            }
                            LineContent::TooLong { .. } => unreachable!(),
                        })
                        .collect::<Vec<_>>()
                },
                |t| {
                    got.extend(t);
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(got.len(), 1002);
            assert_eq!(got[999], (0, 1000, "999".to_owned()));
            assert_eq!(got[1001], (1, 2, "y".to_owned()));
            assert_eq!(digests[0].lines, Some(1000));
            assert_eq!(digests[1].lines, Some(2));
        }
    }

    #[test]
    fn a_consumer_error_stops_the_run_without_hanging() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        let text: String = (0..100_000).map(|i| format!("{i}\n")).collect();
        std::fs::write(&a, text).unwrap();
        let mut seen = 0;
        let err = run(
            &[a],
            InputOptions::default(),
            2,
            &|_| {},
            &|lines: Vec<InputLine>| lines.len(),
            |_| {
                seen += 1;
                if seen == 10 {
                    Err(Error::NoInputs)
                } else {
                    Ok(())
                }
            },
        )
        .unwrap_err();
        assert!(matches!(err, Error::NoInputs));
    }

    #[test]
    fn a_missing_file_is_an_io_error_naming_it() {
        let err = run(
            &[PathBuf::from("/nonexistent/cases.jsonl")],
            InputOptions::default(),
            2,
            &|_| {},
            &|lines: Vec<InputLine>| lines.len(),
            |_| Ok(()),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent/cases.jsonl"),
            "{err}"
        );
    }
}
