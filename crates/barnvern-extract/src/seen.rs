//! The cases a run has already read, to find a duplicate case id exactly in memory that is
//! small per case and never doubles.
//!
//! Every accepted case gets a [`CaseKey`] on the worker that parsed it: the first 24 bytes of
//! SHA-256 over a random salt drawn for the run, the case's jurisdiction and its id
//! ([`CaseKeyer`]). Two cases are duplicates when their keys are equal, which barring a
//! collision of SHA-256 cut to 192 bits is when their jurisdiction and id are.
//!
//! [`SeenCases`] keeps in memory only 8 bytes a slot: a 4-byte tag cut from a 64-bit
//! fingerprint of the key and the 4-byte ordinal of the case. The whole key and where the case
//! was first read (input file and line) go to a spill file of fixed-size records
//! ([`RECORD_BYTES`]), appended in input order, so the ordinal is the record's number. A tag that matches is only a candidate: its record is
//! read back with a positioned read and the whole keys compared, so two ids that share a
//! fingerprint are told apart, and a duplicate is never guessed from a fingerprint. The
//! fingerprint's top 8 bits pick the shard; the tag is its low 32 bits, whose low bits pick
//! the slot (so a shard can double without the key). Only cases of the same home slot can be
//! false candidates, and the tag's bits above the slot's tell those apart: at 10,000,000 cases
//! (16 bits of slot) about one lookup in 100,000 reads a record in vain, 36 bytes from the page
//! cache as a rule. A 4-byte tag so saves a third of the memory of an 8-byte fingerprint.
//!
//! The slots are open-addressing tables with linear probing, split into [`SHARDS`] shards by
//! the fingerprint's top bits. A shard doubles when it is 7/8 full, so each holds between 7/16
//! and 7/8 of its slots: 9.1 to 18.3 bytes a case in memory (134 MB for 10,000,000 cases, which
//! fill 65,536 slots of each shard), plus 36 bytes a case on disk. As shards fill at the same
//! rate but double one at a time, the set never needs twice its size while it grows, as one
//! large table would.
//!
//! The spill file has no name: `tempfile::tempfile_in` creates it unlinked (`O_TMPFILE` on
//! Linux; elsewhere it unlinks it at once) in the folder the run stages its output in (the
//! system's temporary folder for `validate`), so the operating system frees it however the run
//! ends, `kill -9` included, and it is never published with the dataset.

use std::fs::File;
use std::path::{Path, PathBuf};

use barnvern_case::Case;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Bytes of a case key.
pub const KEY_BYTES: usize = 24;

/// Bytes of one record of the spill file: the key, the input file's index (4 bytes) and the
/// line number (8 bytes), little-endian.
pub const RECORD_BYTES: usize = KEY_BYTES + 4 + 8;

/// Shards of the in-memory table.
pub const SHARDS: usize = 256;

/// A case's key for duplicate detection; see the module documentation.
pub type CaseKey = [u8; KEY_BYTES];

/// Where a case was read: the input file's index and the line number from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadAt {
    /// The input file's index among the run's inputs.
    pub file: usize,
    /// The line number from 1.
    pub line: u64,
}

/// Makes the [`CaseKey`]s of one run. The salt is random so that nobody can choose ids whose
/// fingerprints collide (each collision costs a read of the spill file), and so that the
/// spill file holds nothing that can be matched against a guessed case id.
#[derive(Clone)]
pub struct CaseKeyer {
    salt: [u8; 32],
}

impl std::fmt::Debug for CaseKeyer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CaseKeyer { .. }")
    }
}

impl Default for CaseKeyer {
    fn default() -> Self {
        Self::new()
    }
}

impl CaseKeyer {
    /// A keyer with a fresh random salt.
    pub fn new() -> CaseKeyer {
        CaseKeyer {
            salt: rand::random(),
        }
    }

    /// The key of `case`.
    pub fn key(&self, case: &Case) -> CaseKey {
        self.key_of(case.jurisdiction.code(), case.case_id.as_str())
    }

    /// The key of the case `id` of `jurisdiction`.
    pub fn key_of(&self, jurisdiction: &str, id: &str) -> CaseKey {
        let mut h = Sha256::new();
        h.update(self.salt);
        h.update(jurisdiction.as_bytes());
        // A jurisdiction code holds no NUL, so the pair cannot be read two ways.
        h.update([0u8]);
        h.update(id.as_bytes());
        let d = h.finalize();
        let mut key = [0u8; KEY_BYTES];
        key.copy_from_slice(&d[..KEY_BYTES]);
        key
    }
}

/// The fingerprint of a key: its first 8 bytes (already keyed by the salt).
fn fingerprint(key: &CaseKey) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&key[..8]);
    u64::from_le_bytes(b)
}

/// The sizes of a [`SeenCases`]; small ones make the tests run every path with few cases.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Slots of each shard at the start (a power of two).
    pub initial_slots: usize,
    /// Records held in memory before they are written to the spill file.
    pub buffered_records: usize,
    /// The fingerprint of a key (tests make it collide on purpose).
    pub fingerprint: fn(&CaseKey) -> u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // 256 shards of 256 slots: 524 kB at the start.
            initial_slots: 256,
            // 147 kB of records written at a time.
            buffered_records: 4096,
            fingerprint,
        }
    }
}

/// The 32 bits of a fingerprint a slot keeps: the low ones (the top 8 pick the shard).
fn tag_of(fp: u64) -> u32 {
    fp as u32
}

/// One open-addressing table. A slot is empty when its ordinal is 0; otherwise it holds the
/// case with ordinal `ordinals[i] - 1` and fingerprint tag `tags[i]`: 8 bytes a slot.
struct Shard {
    tags: Vec<u32>,
    ordinals: Vec<u32>,
    len: usize,
}

impl Shard {
    fn new(slots: usize) -> Shard {
        Shard {
            tags: vec![0; slots],
            ordinals: vec![0; slots],
            len: 0,
        }
    }

    fn mask(&self) -> usize {
        self.ordinals.len() - 1
    }

    /// Puts a case in the first empty slot of its probe sequence, doubling first if the shard
    /// would be more than 7/8 full.
    fn insert(&mut self, tag: u32, ordinal: u32) {
        if (self.len + 1) * 8 > self.ordinals.len() * 7 {
            let mut bigger = Shard::new(self.ordinals.len() * 2);
            for (&t, &o) in self.tags.iter().zip(&self.ordinals) {
                if o != 0 {
                    bigger.place(t, o);
                }
            }
            bigger.len = self.len;
            *self = bigger;
        }
        self.place(tag, ordinal);
        self.len += 1;
    }

    /// Puts a case in the first empty slot from its home slot on (linear probing).
    fn place(&mut self, tag: u32, ordinal: u32) {
        let mask = self.mask();
        let mut i = tag as usize & mask;
        while self.ordinals[i] != 0 {
            i = (i + 1) & mask;
        }
        self.tags[i] = tag;
        self.ordinals[i] = ordinal;
    }
}

/// The records of the cases, in input order: the older ones in the spill file, the newest
/// few in memory until there are enough to write at once.
struct Spill {
    file: File,
    /// The folder the file is in, for error messages (the file has no name).
    dir: PathBuf,
    /// Records in the file.
    written: u64,
    /// Records not yet written, `RECORD_BYTES` each.
    buffer: Vec<u8>,
    buffered_records: usize,
}

impl Spill {
    fn create(dir: &Path, buffered_records: usize) -> Result<Spill> {
        let file = tempfile::tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
        Ok(Spill {
            file,
            dir: dir.to_owned(),
            written: 0,
            buffer: Vec::with_capacity(buffered_records.max(1) * RECORD_BYTES),
            buffered_records: buffered_records.max(1),
        })
    }

    fn error(&self, e: std::io::Error) -> Error {
        Error::io(
            &self.dir,
            std::io::Error::new(
                e.kind(),
                format!("the spill file of the duplicate case id check: {e}"),
            ),
        )
    }

    fn push(&mut self, key: &CaseKey, at: ReadAt) -> Result<()> {
        let file = u32::try_from(at.file).map_err(|_| Error::TooManyCases)?;
        self.buffer.extend_from_slice(key);
        self.buffer.extend_from_slice(&file.to_le_bytes());
        self.buffer.extend_from_slice(&at.line.to_le_bytes());
        if self.buffer.len() >= self.buffered_records * RECORD_BYTES {
            let offset = self.written * RECORD_BYTES as u64;
            write_at(&self.file, &self.buffer, offset).map_err(|e| self.error(e))?;
            self.written += (self.buffer.len() / RECORD_BYTES) as u64;
            self.buffer.clear();
        }
        Ok(())
    }

    fn get(&self, ordinal: u64) -> Result<(CaseKey, ReadAt)> {
        let mut record = [0u8; RECORD_BYTES];
        if ordinal >= self.written {
            let start = (ordinal - self.written) as usize * RECORD_BYTES;
            let bytes = self
                .buffer
                .get(start..start + RECORD_BYTES)
                .ok_or_else(|| Error::Worker("a duplicate check record is missing".to_owned()))?;
            record.copy_from_slice(bytes);
        } else {
            read_at(&self.file, &mut record, ordinal * RECORD_BYTES as u64)
                .map_err(|e| self.error(e))?;
        }
        let mut key = [0u8; KEY_BYTES];
        key.copy_from_slice(&record[..KEY_BYTES]);
        let mut file = [0u8; 4];
        file.copy_from_slice(&record[KEY_BYTES..KEY_BYTES + 4]);
        let mut line = [0u8; 8];
        line.copy_from_slice(&record[KEY_BYTES + 4..]);
        let at = ReadAt {
            file: u32::from_le_bytes(file) as usize,
            line: u64::from_le_bytes(line),
        };
        Ok((key, at))
    }
}

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

#[cfg(unix)]
fn read_at(file: &File, bytes: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(not(unix))]
fn write_at(mut file: &File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    file.seek(SeekFrom::Start(offset))?;
    file.write_all(bytes)
}

#[cfg(not(unix))]
fn read_at(mut file: &File, bytes: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(bytes)
}

/// The set of cases read so far in a run; see the module documentation.
pub struct SeenCases {
    shards: Vec<Shard>,
    spill: Spill,
    /// Cases in the set.
    len: u64,
    fingerprint: fn(&CaseKey) -> u64,
}

impl std::fmt::Debug for SeenCases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeenCases")
            .field("len", &self.len)
            .field("memory_bytes", &self.memory_bytes())
            .finish_non_exhaustive()
    }
}

impl SeenCases {
    /// An empty set whose spill file is created (unnamed) in `dir`.
    pub fn create(dir: &Path) -> Result<SeenCases> {
        Self::with_limits(dir, Limits::default())
    }

    pub(crate) fn with_limits(dir: &Path, limits: Limits) -> Result<SeenCases> {
        let slots = limits.initial_slots.max(2).next_power_of_two();
        Ok(SeenCases {
            shards: (0..SHARDS).map(|_| Shard::new(slots)).collect(),
            spill: Spill::create(dir, limits.buffered_records)?,
            len: 0,
            fingerprint: limits.fingerprint,
        })
    }

    /// Adds the case `key` read at `at`, or, when a case with the same key was read before,
    /// returns where that one was read (and adds nothing).
    pub fn first_read(&mut self, key: &CaseKey, at: ReadAt) -> Result<Option<ReadAt>> {
        let fp = (self.fingerprint)(key);
        let shard = &mut self.shards[(fp >> 56) as usize % SHARDS];
        let tag = tag_of(fp);
        let mask = shard.mask();
        let mut i = tag as usize & mask;
        while shard.ordinals[i] != 0 {
            if shard.tags[i] == tag {
                let (seen, first) = self.spill.get(u64::from(shard.ordinals[i] - 1))?;
                if seen == *key {
                    return Ok(Some(first));
                }
            }
            i = (i + 1) & mask;
        }
        // Ordinals are stored plus one (0 marks an empty slot), so u32::MAX - 1 cases fit.
        let ordinal = u32::try_from(self.len + 1)
            .ok()
            .filter(|&o| o < u32::MAX)
            .ok_or(Error::TooManyCases)?;
        self.spill.push(key, at)?;
        shard.insert(tag, ordinal);
        self.len += 1;
        Ok(None)
    }

    /// Cases in the set.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when the set holds no case.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes of memory the set holds: its slots and the records not yet written to disk.
    pub fn memory_bytes(&self) -> usize {
        let slots: usize = self.shards.iter().map(|s| s.ordinals.len()).sum();
        slots * (4 + 4) + self.spill.buffer.capacity()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::HashMap;

    use super::*;

    fn tiny(fingerprint: fn(&CaseKey) -> u64) -> Limits {
        Limits {
            initial_slots: 2,
            buffered_records: 3,
            fingerprint,
        }
    }

    /// Feeds `ids` to a set and to a plain map, and checks they agree on every line.
    fn agrees_with_a_map(limits: Limits, ids: &[String]) -> SeenCases {
        let dir = tempfile::tempdir().unwrap();
        let keyer = CaseKeyer::new();
        let mut set = SeenCases::with_limits(dir.path(), limits).unwrap();
        let mut map: HashMap<&str, ReadAt> = HashMap::new();
        for (n, id) in ids.iter().enumerate() {
            let at = ReadAt {
                file: n % 3,
                line: n as u64 + 1,
            };
            let got = set.first_read(&keyer.key_of("SE", id), at).unwrap();
            let want = match map.get(id.as_str()) {
                Some(&first) => Some(first),
                None => {
                    map.insert(id, at);
                    None
                }
            };
            assert_eq!(got, want, "line {} ({id})", n + 1);
        }
        assert_eq!(set.len(), map.len() as u64);
        set
    }

    /// A few hundred ids, about a third of them repeats, some far back and some right after.
    fn ids() -> Vec<String> {
        (0..600u64)
            .map(|n| {
                let m = n * 7919 % 600;
                let id = if m % 3 == 0 { m / 2 } else { m };
                format!("case-{id}")
            })
            .collect()
    }

    #[test]
    fn finds_exactly_the_duplicates() {
        let set = agrees_with_a_map(Limits::default(), &ids());
        assert!(set.len() < 600 && set.len() > 300, "{}", set.len());
    }

    #[test]
    fn tells_apart_ids_whose_fingerprints_collide() {
        // Every key has the same fingerprint: each lookup walks one probe chain and reads every
        // record back from the spill file or its buffer.
        agrees_with_a_map(tiny(|_| 42), &ids());
        // A few fingerprints, all in one shard: many matches that are not duplicates.
        agrees_with_a_map(tiny(|k| u64::from(k[0] % 4)), &ids());
        // The real fingerprint with tiny shards that double many times.
        let set = agrees_with_a_map(tiny(fingerprint), &ids());
        assert!(set.spill.written > 0);
    }

    #[test]
    fn keys_depend_on_jurisdiction_id_and_run() {
        let keyer = CaseKeyer::new();
        assert_eq!(keyer.key_of("SE", "1"), keyer.key_of("SE", "1"));
        assert_ne!(keyer.key_of("SE", "1"), keyer.key_of("NO", "1"));
        assert_ne!(keyer.key_of("SE", "1"), keyer.key_of("SE", "2"));
        // Another run, another salt.
        assert_ne!(keyer.key_of("SE", "1"), CaseKeyer::new().key_of("SE", "1"));
    }

    #[test]
    fn a_slot_is_eight_bytes_and_shards_stay_at_most_seven_eighths_full() {
        let dir = tempfile::tempdir().unwrap();
        let keyer = CaseKeyer::new();
        let mut set = SeenCases::create(dir.path()).unwrap();
        let start = set.memory_bytes();
        assert_eq!(start, SHARDS * 256 * 8 + 4096 * RECORD_BYTES);
        for n in 0..200_000 {
            let at = ReadAt { file: 0, line: n };
            set.first_read(&keyer.key_of("NO", &n.to_string()), at)
                .unwrap();
        }
        for s in &set.shards {
            assert!(s.len * 8 <= s.ordinals.len() * 7);
        }
        let per_case = (set.memory_bytes() - 4096 * RECORD_BYTES) as f64 / 200_000.0;
        assert!((9.0..=18.5).contains(&per_case), "{per_case} bytes a case");
    }
}
