//! The cases a run has already read, to find a duplicate case id exactly in memory that is
//! small per case and grows a shard at a time.
//!
//! Every accepted case gets a [`CaseKey`] on the worker that parsed it: the first 24 bytes of
//! SHA-256 over a random salt drawn for the run, the case's jurisdiction and its id
//! ([`CaseKeyer`]). Two cases are duplicates when their keys are equal, which barring a
//! collision of SHA-256 cut to 192 bits is when their jurisdiction and id are.
//!
//! [`SeenCases`] splits the cases into [`SHARDS`] shards by the top 8 bits of a 64-bit
//! fingerprint of the key, and keeps in memory only 4 bytes a slot: a 16-bit tag (the
//! fingerprint's low bits) and the case's 16-bit ordinal within its shard. The whole key and
//! where the case was first read (input file and line) go to a spill file of fixed-size
//! records ([`RECORD_BYTES`]). Each shard keeps its newest records in a small buffer and writes
//! them as one block when it is full; the shard's list of its blocks turns an ordinal into the
//! record's place in the file. A tag that matches is only a candidate: its record is read back
//! with a positioned read and the whole keys compared, so two ids that share a fingerprint are
//! told apart, and a duplicate is never guessed from a fingerprint. The home slot comes from
//! other bits of the fingerprint (32 of them) than the tag, so a probe meets a false candidate
//! about once in 65,536 slots it passes: at 10,000,000 cases about one lookup in 6,000 reads
//! a record in vain, 36 bytes from the page cache as a rule.
//!
//! The slots of a shard are an open-addressing table with linear probing, of any size (the
//! home slot is the 32 home bits scaled to the size). A shard grows by half when it is 7/8
//! full, so each holds between 7/12 and 7/8 of its slots: 4.6 to 6.9 bytes a case in memory
//! (51 MB for 10,000,000 cases, which fill 49,816 slots of each shard), plus 36 bytes a case
//! on disk. Growing needs each case's home slot, which the slots do not hold: the shard reads
//! its records back from the spill file (its blocks, in order, a block per read) and places
//! every case again. As shards fill at the same rate but grow one at a time, the set never
//! needs more than one shard's worth of memory above its size while it grows.
//!
//! A shard's 65,536th case (past 16,777,216 cases in all, as the shards fill evenly) widens
//! its ordinals to 32 bits: 6 bytes a slot from then on.
//!
//! The spill file has no name: `tempfile::tempfile_in` creates it unlinked (`O_TMPFILE` on
//! Linux; elsewhere it unlinks it at once) in the folder the run stages its output in (the
//! system's temporary folder for `validate`), so the operating system frees it however the run
//! ends, `kill -9` included, and it is never published with the dataset. It is read and written
//! with positioned reads and writes, never mapped, so it takes no memory of the process.

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

/// Records of one shard written to the spill file at a time (2,304 bytes): 590 kB of buffers
/// over all shards.
pub const BLOCK_RECORDS: usize = 64;

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
    /// Slots of each shard at the start.
    pub initial_slots: usize,
    /// Records of a shard held in memory before they are written to the spill file as one
    /// block.
    pub buffered_records: usize,
    /// The fingerprint of a key (tests make it collide on purpose).
    pub fingerprint: fn(&CaseKey) -> u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // 256 shards of 256 slots: 262 kB at the start.
            initial_slots: 256,
            buffered_records: BLOCK_RECORDS,
            fingerprint,
        }
    }
}

/// The parts of a fingerprint: its shard, its tag and its home position (a fraction of the
/// table, in 32 bits), from bits that do not overlap.
fn shard_of(fp: u64) -> usize {
    (fp >> 56) as usize % SHARDS
}

fn tag_of(fp: u64) -> u16 {
    fp as u16
}

fn home_of(fp: u64, slots: usize) -> usize {
    // The home bits scaled to the table: any size of table, no division.
    ((u64::from((fp >> 16) as u32) * slots as u64) >> 32) as usize
}

/// The ordinals of a shard's slots, stored plus one (0 marks an empty slot): 16 bits until the
/// shard holds 65,535 cases, then 32.
enum Ordinals {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl Ordinals {
    fn get(&self, i: usize) -> u32 {
        match self {
            Ordinals::Narrow(v) => u32::from(v[i]),
            Ordinals::Wide(v) => v[i],
        }
    }

    /// Stores `o`, widening first if it does not fit in 16 bits.
    fn set(&mut self, i: usize, o: u32) {
        if let Ordinals::Narrow(v) = self {
            match u16::try_from(o) {
                Ok(o) => {
                    v[i] = o;
                    return;
                }
                Err(_) => *self = Ordinals::Wide(v.iter().map(|&o| u32::from(o)).collect()),
            }
        }
        if let Ordinals::Wide(v) = self {
            v[i] = o;
        }
    }

    /// Empty ordinals of `slots` slots, as wide as needed for `len` cases.
    fn empty(slots: usize, len: usize) -> Ordinals {
        if len < usize::from(u16::MAX) {
            Ordinals::Narrow(vec![0; slots])
        } else {
            Ordinals::Wide(vec![0; slots])
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Ordinals::Narrow(v) => v.capacity() * 2,
            Ordinals::Wide(v) => v.capacity() * 4,
        }
    }
}

/// One shard: an open-addressing table of tags and ordinals, and where its records are.
struct Shard {
    tags: Vec<u16>,
    ordinals: Ordinals,
    /// Cases in the shard; the next case's ordinal.
    len: usize,
    /// The spill file's blocks holding the shard's records, in order: the record of ordinal
    /// `o` is record `o % block` of block `blocks[o / block]`.
    blocks: Vec<u32>,
    /// The records after the last full block, `RECORD_BYTES` each.
    pending: Vec<u8>,
}

impl Shard {
    fn new(slots: usize, block: usize) -> Shard {
        Shard {
            tags: vec![0; slots],
            ordinals: Ordinals::empty(slots, 0),
            len: 0,
            blocks: Vec::new(),
            pending: Vec::with_capacity(block * RECORD_BYTES),
        }
    }

    /// The record of ordinal `o`.
    fn record(&self, spill: &Spill, o: usize) -> Result<(CaseKey, ReadAt)> {
        let block = spill.block_records;
        let mut record = [0u8; RECORD_BYTES];
        match self.blocks.get(o / block) {
            Some(&b) => {
                let offset =
                    (u64::from(b) * block as u64 + (o % block) as u64) * RECORD_BYTES as u64;
                spill.read(&mut record, offset)?;
            }
            None => {
                let start = (o - self.blocks.len() * block) * RECORD_BYTES;
                let bytes = self
                    .pending
                    .get(start..start + RECORD_BYTES)
                    .ok_or_else(|| {
                        Error::Worker("a duplicate check record is missing".to_owned())
                    })?;
                record.copy_from_slice(bytes);
            }
        }
        Ok(decode(&record))
    }

    /// Appends the record of the shard's next case, writing a full block to the spill file.
    fn push(&mut self, spill: &mut Spill, key: &CaseKey, at: ReadAt) -> Result<()> {
        let file = u32::try_from(at.file).map_err(|_| Error::TooManyCases)?;
        self.pending.extend_from_slice(key);
        self.pending.extend_from_slice(&file.to_le_bytes());
        self.pending.extend_from_slice(&at.line.to_le_bytes());
        if self.pending.len() >= spill.block_records * RECORD_BYTES {
            let b = spill.append(&self.pending)?;
            self.blocks.push(b);
            self.pending.clear();
        }
        self.len += 1;
        Ok(())
    }

    /// Puts ordinal `o` (stored plus one) in the first empty slot from its home on.
    fn place(&mut self, fp: u64, o: u32) {
        let slots = self.tags.len();
        let mut i = home_of(fp, slots);
        while self.ordinals.get(i) != 0 {
            i += 1;
            if i == slots {
                i = 0;
            }
        }
        self.tags[i] = tag_of(fp);
        self.ordinals.set(i, o);
    }

    /// A table half as large again, every case placed anew from its record in the spill file.
    fn grow(&mut self, spill: &Spill, fingerprint: fn(&CaseKey) -> u64) -> Result<()> {
        let slots = self.tags.len();
        let bigger = (slots + slots / 2).max(slots + 1);
        self.tags = vec![0; bigger];
        self.ordinals = Ordinals::empty(bigger, self.len);
        let block = spill.block_records;
        let mut bytes = vec![0u8; block * RECORD_BYTES];
        let mut o = 0u32;
        // Taken and given back (with their room), as placing borrows the shard.
        let blocks = std::mem::take(&mut self.blocks);
        let pending = std::mem::take(&mut self.pending);
        for &b in &blocks {
            let offset = u64::from(b) * (block * RECORD_BYTES) as u64;
            spill.read(&mut bytes, offset)?;
            for record in bytes.chunks_exact(RECORD_BYTES) {
                o += 1;
                self.place(fingerprint(&decode(record).0), o);
            }
        }
        for record in pending.chunks_exact(RECORD_BYTES) {
            o += 1;
            self.place(fingerprint(&decode(record).0), o);
        }
        self.blocks = blocks;
        self.pending = pending;
        Ok(())
    }

    fn bytes(&self) -> usize {
        self.tags.capacity() * 2
            + self.ordinals.bytes()
            + self.blocks.capacity() * 4
            + self.pending.capacity()
    }
}

/// The key and place of a record.
fn decode(record: &[u8]) -> (CaseKey, ReadAt) {
    let mut key = [0u8; KEY_BYTES];
    key.copy_from_slice(&record[..KEY_BYTES]);
    let mut file = [0u8; 4];
    file.copy_from_slice(&record[KEY_BYTES..KEY_BYTES + 4]);
    let mut line = [0u8; 8];
    line.copy_from_slice(&record[KEY_BYTES + 4..RECORD_BYTES]);
    let at = ReadAt {
        file: u32::from_le_bytes(file) as usize,
        line: u64::from_le_bytes(line),
    };
    (key, at)
}

/// The spill file: blocks of records, each of one shard, appended as the shards fill them.
struct Spill {
    file: File,
    /// The folder the file is in, for error messages (the file has no name).
    dir: PathBuf,
    /// Blocks in the file.
    blocks: u32,
    /// Records in a block.
    block_records: usize,
}

impl Spill {
    fn create(dir: &Path, block_records: usize) -> Result<Spill> {
        let file = tempfile::tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
        Ok(Spill {
            file,
            dir: dir.to_owned(),
            blocks: 0,
            block_records: block_records.max(1),
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

    /// Writes a full block at the end of the file; returns its number.
    fn append(&mut self, block: &[u8]) -> Result<u32> {
        let b = self.blocks;
        let next = b.checked_add(1).ok_or(Error::TooManyCases)?;
        let offset = u64::from(b) * (self.block_records * RECORD_BYTES) as u64;
        write_at(&self.file, block, offset).map_err(|e| self.error(e))?;
        self.blocks = next;
        Ok(b)
    }

    fn read(&self, bytes: &mut [u8], offset: u64) -> Result<()> {
        read_at(&self.file, bytes, offset).map_err(|e| self.error(e))
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
        let slots = limits.initial_slots.max(2);
        let spill = Spill::create(dir, limits.buffered_records)?;
        Ok(SeenCases {
            shards: (0..SHARDS)
                .map(|_| Shard::new(slots, spill.block_records))
                .collect(),
            spill,
            len: 0,
            fingerprint: limits.fingerprint,
        })
    }

    /// Adds the case `key` read at `at`, or, when a case with the same key was read before,
    /// returns where that one was read (and adds nothing).
    pub fn first_read(&mut self, key: &CaseKey, at: ReadAt) -> Result<Option<ReadAt>> {
        let fp = (self.fingerprint)(key);
        let shard = &mut self.shards[shard_of(fp)];
        let tag = tag_of(fp);
        let slots = shard.tags.len();
        let mut i = home_of(fp, slots);
        loop {
            let o = shard.ordinals.get(i);
            if o == 0 {
                break;
            }
            if shard.tags[i] == tag {
                let (seen, first) = shard.record(&self.spill, o as usize - 1)?;
                if seen == *key {
                    return Ok(Some(first));
                }
            }
            i += 1;
            if i == slots {
                i = 0;
            }
        }
        // Ordinals are stored plus one (0 marks an empty slot).
        let o = u32::try_from(shard.len + 1)
            .ok()
            .filter(|&o| o < u32::MAX)
            .ok_or(Error::TooManyCases)?;
        shard.push(&mut self.spill, key, at)?;
        if shard.len * 8 > slots * 7 {
            // Placed with the others, from its record.
            shard.grow(&self.spill, self.fingerprint)?;
        } else {
            shard.tags[i] = tag;
            shard.ordinals.set(i, o);
        }
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

    /// Bytes of memory the set holds: its slots, the lists of blocks and the records not yet
    /// written to disk.
    pub fn memory_bytes(&self) -> usize {
        self.shards.iter().map(Shard::bytes).sum()
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
        // The real fingerprint with tiny shards that grow many times, reading their records
        // back from blocks of three.
        let set = agrees_with_a_map(tiny(fingerprint), &ids());
        assert!(set.spill.blocks > 0);
        assert!(set.shards.iter().any(|s| s.tags.len() > 8));
    }

    #[test]
    fn a_shard_past_65535_cases_widens_its_ordinals() {
        // Every case in shard 0: its ordinals outgrow 16 bits.
        fn one_shard(k: &CaseKey) -> u64 {
            fingerprint(k) >> 8
        }
        let mut ids: Vec<String> = (0..70_000).map(|n| format!("c{n}")).collect();
        // Repeats from before and after the widening.
        ids.extend((0..70_000).step_by(997).map(|n| format!("c{n}")));
        let set = agrees_with_a_map(
            Limits {
                fingerprint: one_shard,
                ..Limits::default()
            },
            &ids,
        );
        assert!(matches!(set.shards[0].ordinals, Ordinals::Wide(_)));
        assert!(matches!(set.shards[1].ordinals, Ordinals::Narrow(_)));
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
    fn a_slot_is_four_bytes_and_shards_stay_between_seven_twelfths_and_seven_eighths_full() {
        let dir = tempfile::tempdir().unwrap();
        let keyer = CaseKeyer::new();
        let mut set = SeenCases::create(dir.path()).unwrap();
        let buffers = SHARDS * BLOCK_RECORDS * RECORD_BYTES;
        assert_eq!(set.memory_bytes(), SHARDS * 256 * 4 + buffers);
        let cases = 300_000;
        for n in 0..cases {
            let at = ReadAt { file: 0, line: n };
            set.first_read(&keyer.key_of("NO", &n.to_string()), at)
                .unwrap();
        }
        for s in &set.shards {
            assert!(s.len * 8 <= s.tags.len() * 7);
            // Grown by half when it passed 7/8: at least 7/12 full, less rounding.
            assert!(
                s.len * 12 + 12 >= s.tags.len() * 7,
                "{} in {}",
                s.len,
                s.tags.len()
            );
        }
        let per_case = (set.memory_bytes() - buffers) as f64 / cases as f64;
        assert!((4.5..=7.0).contains(&per_case), "{per_case} bytes a case");
    }
}
