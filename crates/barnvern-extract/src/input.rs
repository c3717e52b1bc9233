//! Reading input files line by line, in bounded memory, with each file's SHA-256 digest.
//!
//! A JSON Lines file (any name but `*.json`) is one case bundle per line; a `*.json` file is one
//! bundle, which may span lines (as `examples/se-case.json` does). A line longer than
//! [`InputOptions::max_line_bytes`] is never held in memory: it is skipped to its end and
//! reported as too long, so one runaway line cannot exhaust memory or hide the lines after it.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Limits of the input reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputOptions {
    /// The longest line (or `*.json` file) accepted, in bytes; longer ones are rejected with
    /// `input.line_too_long`. Default 8 MiB: a case bundle of a long-running case is tens of
    /// kilobytes.
    pub max_line_bytes: usize,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            max_line_bytes: 8 << 20,
        }
    }
}

/// The content of one input line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineContent {
    /// The bytes of the line, without its line end.
    Bytes(Vec<u8>),
    /// The line was longer than the limit; its bytes were skipped.
    TooLong {
        /// The line's length in bytes.
        length: u64,
    },
}

/// One line read from an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLine {
    /// Position of the file among the inputs.
    pub file: usize,
    /// Line number in the file, from 1 (for a `*.json` file: 1).
    pub line: u64,
    /// What the line holds.
    pub content: LineContent,
}

/// How an input file is split into bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// One bundle per line.
    JsonLines,
    /// The whole file is one bundle.
    Json,
}

impl InputFormat {
    /// `*.json` is one bundle; anything else (`*.jsonl`, `*.ndjson`, no extension) is JSON Lines.
    pub fn of(path: &Path) -> InputFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => InputFormat::Json,
            _ => InputFormat::JsonLines,
        }
    }
}

/// Reads one input file's lines, hashing every byte on the way.
pub struct LineReader<R> {
    reader: R,
    file: usize,
    line: u64,
    bytes: u64,
    hasher: Sha256,
    format: InputFormat,
    options: InputOptions,
    done: bool,
}

impl LineReader<BufReader<File>> {
    /// Opens `path` (the `file`-th input).
    pub fn open(path: &Path, file: usize, options: InputOptions) -> Result<Self> {
        let handle = File::open(path).map_err(|e| Error::io(path, e))?;
        Ok(LineReader::new(
            BufReader::with_capacity(1 << 16, handle),
            file,
            InputFormat::of(path),
            options,
        ))
    }
}

impl<R: BufRead> LineReader<R> {
    /// Reads from any buffered reader.
    pub fn new(reader: R, file: usize, format: InputFormat, options: InputOptions) -> Self {
        LineReader {
            reader,
            file,
            line: 0,
            bytes: 0,
            hasher: Sha256::new(),
            format,
            options,
            done: false,
        }
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// Lines read so far.
    pub fn lines_read(&self) -> u64 {
        self.line
    }

    /// The SHA-256 of everything read, lower-case hex. Meaningful once [`Self::next_line`] has
    /// returned `None`.
    pub fn digest(&self) -> String {
        let digest = self.hasher.clone().finalize();
        hex::encode(digest)
    }

    /// The next line, or `None` at the end of the file.
    pub fn next_line(&mut self) -> io::Result<Option<InputLine>> {
        if self.done {
            return Ok(None);
        }
        let content = match self.format {
            InputFormat::JsonLines => self.read_line()?,
            InputFormat::Json => {
                self.done = true;
                self.read_all()?
            }
        };
        match content {
            None => {
                self.done = true;
                Ok(None)
            }
            Some(content) => {
                self.line += 1;
                Ok(Some(InputLine {
                    file: self.file,
                    line: self.line,
                    content,
                }))
            }
        }
    }

    /// Reads up to the next `\n`, keeping at most `max_line_bytes`.
    fn read_line(&mut self) -> io::Result<Option<LineContent>> {
        let max = self.options.max_line_bytes;
        let mut kept: Vec<u8> = Vec::new();
        let mut length: u64 = 0;
        let mut seen_any = false;
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                // End of file: a last line without `\n` is still a line.
                return Ok(seen_any.then(|| finish(kept, length, max)));
            }
            seen_any = true;
            // memchr: a byte-at-a-time search was a tenth of the reading thread's work.
            let (chunk, consumed, end) = match memchr::memchr(b'\n', buf) {
                Some(i) => (&buf[..i], i + 1, true),
                None => (buf, buf.len(), false),
            };
            length += chunk.len() as u64;
            if length <= max as u64 {
                kept.extend_from_slice(chunk);
            } else if !kept.is_empty() {
                kept = Vec::new(); // too long: stop holding it
            }
            self.hasher.update(&buf[..consumed]);
            self.bytes += consumed as u64;
            self.reader.consume(consumed);
            if end {
                return Ok(Some(finish(kept, length, max)));
            }
        }
    }

    /// Reads the whole file as one bundle (bounded by `max_line_bytes`).
    fn read_all(&mut self) -> io::Result<Option<LineContent>> {
        let max = self.options.max_line_bytes;
        let mut kept: Vec<u8> = Vec::new();
        let mut length: u64 = 0;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = self.reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            self.hasher.update(&buf[..n]);
            self.bytes += n as u64;
            length += n as u64;
            if length <= max as u64 {
                kept.extend_from_slice(&buf[..n]);
            } else {
                kept = Vec::new();
            }
        }
        Ok((length > 0).then(|| finish(kept, length, max)))
    }
}

fn finish(kept: Vec<u8>, length: u64, max: usize) -> LineContent {
    if length > max as u64 {
        LineContent::TooLong { length }
    } else {
        LineContent::Bytes(kept)
    }
}

/// The total size of the inputs, for progress bars (files that cannot be read count 0; they
/// fail with their own error when opened).
pub fn total_bytes(paths: &[PathBuf]) -> u64 {
    paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn lines(text: &[u8], max: usize) -> Vec<(u64, LineContent)> {
        let mut r = LineReader::new(
            io::BufReader::with_capacity(4, text),
            0,
            InputFormat::JsonLines,
            InputOptions {
                max_line_bytes: max,
            },
        );
        let mut out = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            out.push((l.line, l.content));
        }
        assert_eq!(r.bytes_read(), text.len() as u64);
        out
    }

    #[test]
    fn splits_lines_and_keeps_a_last_line_without_newline() {
        let got = lines(b"{\"a\":1}\n\n{\"b\":2}", 100);
        assert_eq!(
            got,
            vec![
                (1, LineContent::Bytes(b"{\"a\":1}".to_vec())),
                (2, LineContent::Bytes(Vec::new())),
                (3, LineContent::Bytes(b"{\"b\":2}".to_vec())),
            ]
        );
        assert!(lines(b"", 100).is_empty());
        assert_eq!(lines(b"x\n", 100).len(), 1);
    }

    #[test]
    fn a_long_line_is_skipped_not_held_and_the_next_line_survives() {
        let mut text = vec![b'x'; 50];
        text.extend_from_slice(b"\nshort\n");
        let got = lines(&text, 10);
        assert_eq!(
            got,
            vec![
                (1, LineContent::TooLong { length: 50 }),
                (2, LineContent::Bytes(b"short".to_vec())),
            ]
        );
    }

    #[test]
    fn digest_covers_every_byte() {
        let text = b"one\ntwo\n";
        let mut r = LineReader::new(
            &text[..],
            0,
            InputFormat::JsonLines,
            InputOptions::default(),
        );
        while r.next_line().unwrap().is_some() {}
        let expected = hex::encode(Sha256::digest(text));
        assert_eq!(r.digest(), expected);
        assert_eq!(r.lines_read(), 2);
    }

    #[test]
    fn a_json_file_is_one_bundle() {
        let text = b"{\n  \"a\": 1\n}\n";
        let mut r = LineReader::new(&text[..], 3, InputFormat::Json, InputOptions::default());
        let first = r.next_line().unwrap().unwrap();
        assert_eq!(first.file, 3);
        assert_eq!(first.content, LineContent::Bytes(text.to_vec()));
        assert!(r.next_line().unwrap().is_none());
        assert_eq!(InputFormat::of(Path::new("x.JSON")), InputFormat::Json);
        assert_eq!(
            InputFormat::of(Path::new("x.jsonl")),
            InputFormat::JsonLines
        );
    }
}
