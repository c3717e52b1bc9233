//! Scoring columns of many respondents at memory speed: integer item columns borrowed as they
//! are stored (a slice of any integer width plus a validity bitmap, the layout Arrow and most
//! columnar formats use), scores written straight into dense columns (values plus a validity
//! bitmap, band keys plus a validity bitmap) that a caller can hand to Arrow without a copy.
//!
//! The kernel is compiled from the instrument's scoring plan, so it follows the one definition
//! of each rule ([`crate::scoring`]): each item column is mapped through a small table into byte
//! codes (the option's weight after reverse keying, or "not done", or "not an option"); each
//! scale adds `weight + stride` per answered item into a `u16` index `answered * stride + sum`
//! (a gate, such as the SDQ's "no difficulties", sets one more index); a table built with the
//! plan's own `finish_scale` (minimum answered, prorating or mean, exact half-up rounding,
//! conversion tables, impact policy) turns the index into the score, and a table per band table
//! turns it into the band. Composites add their scales column-wise. Plans the kernel cannot
//! represent (weights above a byte, indexes above `u16`), and any value that is not a response
//! option, go to the row-wise scorer, which reports the same findings as always.
//!
//! ```
//! use barnvern_outcomes::columnar::{IntColumn, IntValues, Validity, score_int_columns};
//! use barnvern_outcomes::{ScoreOptions, builtin};
//!
//! let aim = builtin("aim").expect("a built-in instrument");
//! // Two respondents; the second left aim2 out (bit 1 of the validity byte is clear).
//! let (a1, a2, a3, a4) = ([4i8, 5], [4i8, 0], [5i8, 5], [4i8, 5]);
//! let gap = [0b01u8];
//! let columns = [
//!     ("aim1", IntColumn::new(IntValues::I8(&a1), None)),
//!     ("aim2", IntColumn::new(IntValues::I8(&a2), Some(Validity::new(&gap, 0)))),
//!     ("aim3", IntColumn::new(IntValues::I8(&a3), None)),
//!     ("aim4", IntColumn::new(IntValues::I8(&a4), None)),
//! ];
//! let scores = score_int_columns(aim, &columns, None, &ScoreOptions::default())?;
//! let aim_score = &scores.columns[0];
//! assert_eq!(aim_score.values[0], 4.25);
//! assert!(aim_score.validity.is_set(0));
//! assert!(!aim_score.validity.is_set(1)); // fewer than four items answered
//! # Ok::<(), barnvern_core::ValidationError>(())
//! ```

use barnvern_core::{Finding, Findings, ValidationError};

use crate::bands::{BandTable, Candidates};
use crate::instrument::Instrument;
use crate::response::unknown_item;
use crate::scoring::{
    BandColumn, ENGINE_VERSION, ImpactMissingPolicy, NO_OPTION, Plan, ScoreColumn, ScoreColumns,
    ScoreOptions, finish_scale, informant, score_rows,
};

/// The values of one integer column, borrowed in the width they are stored in.
#[derive(Debug, Clone, Copy)]
pub enum IntValues<'a> {
    /// Signed 8-bit values.
    I8(&'a [i8]),
    /// Signed 16-bit values.
    I16(&'a [i16]),
    /// Signed 32-bit values.
    I32(&'a [i32]),
    /// Signed 64-bit values.
    I64(&'a [i64]),
    /// Unsigned 8-bit values.
    U8(&'a [u8]),
    /// Unsigned 16-bit values.
    U16(&'a [u16]),
    /// Unsigned 32-bit values.
    U32(&'a [u32]),
    /// Unsigned 64-bit values; one above `i64::MAX` is read as `i64::MAX`, which no instrument
    /// has as a response option, so it is reported as out of range rather than wrapped.
    U64(&'a [u64]),
    /// Values that carry their own "not done" (`None`), as [`crate::score_columns`] takes them.
    Optional(&'a [Option<i64>]),
}

impl IntValues<'_> {
    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            IntValues::I8(v) => v.len(),
            IntValues::I16(v) => v.len(),
            IntValues::I32(v) => v.len(),
            IntValues::I64(v) => v.len(),
            IntValues::U8(v) => v.len(),
            IntValues::U16(v) => v.len(),
            IntValues::U32(v) => v.len(),
            IntValues::U64(v) => v.len(),
            IntValues::Optional(v) => v.len(),
        }
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value stored at `row` (whatever the validity says), `None` past the end or for a
    /// `None` of [`IntValues::Optional`].
    fn get(&self, row: usize) -> Option<i64> {
        match self {
            IntValues::I8(v) => v.get(row).map(|&x| i64::from(x)),
            IntValues::I16(v) => v.get(row).map(|&x| i64::from(x)),
            IntValues::I32(v) => v.get(row).map(|&x| i64::from(x)),
            IntValues::I64(v) => v.get(row).copied(),
            IntValues::U8(v) => v.get(row).map(|&x| i64::from(x)),
            IntValues::U16(v) => v.get(row).map(|&x| i64::from(x)),
            IntValues::U32(v) => v.get(row).map(|&x| i64::from(x)),
            IntValues::U64(v) => v.get(row).map(|&x| i64::try_from(x).unwrap_or(i64::MAX)),
            IntValues::Optional(v) => v.get(row).copied().flatten(),
        }
    }
}

/// A validity bitmap: row `r` is present when bit `offset + r` is set, bits numbered from the
/// least significant bit of each byte (Arrow's layout). A row past the end of the bytes counts as
/// not present.
#[derive(Debug, Clone, Copy)]
pub struct Validity<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Validity<'a> {
    /// The bitmap in `bytes`, row 0 at bit `offset`.
    pub fn new(bytes: &'a [u8], offset: usize) -> Self {
        Validity { bytes, offset }
    }

    /// Whether row `row` is present.
    pub fn is_valid(&self, row: usize) -> bool {
        let bit = self.offset + row;
        self.bytes
            .get(bit / 8)
            .is_some_and(|b| b & (1 << (bit % 8)) != 0)
    }

    /// The bits of rows `row..row + 8` as one byte (row `row` in the lowest bit).
    #[inline]
    fn byte(&self, row: usize) -> u8 {
        let bit = self.offset + row;
        let (at, shift) = (bit / 8, bit % 8);
        let lo = self.bytes.get(at).copied().unwrap_or(0);
        if shift == 0 {
            return lo;
        }
        let hi = self.bytes.get(at + 1).copied().unwrap_or(0);
        ((u16::from(hi) << 8 | u16::from(lo)) >> shift) as u8
    }
}

/// One integer item column: its values and, when some are missing, which rows are present.
#[derive(Debug, Clone, Copy)]
pub struct IntColumn<'a> {
    /// The stored values; a value in a row that is not present is never read as an answer.
    pub values: IntValues<'a>,
    /// Which rows are present; none means every row (of a non-optional column).
    pub validity: Option<Validity<'a>>,
}

impl<'a> IntColumn<'a> {
    /// A column of `values`, present where `validity` says (everywhere without one).
    pub fn new(values: IntValues<'a>, validity: Option<Validity<'a>>) -> Self {
        IntColumn { values, validity }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The answer in row `row`, `None` when not done.
    pub fn get(&self, row: usize) -> Option<i64> {
        match self.validity {
            Some(v) if !v.is_valid(row) => None,
            _ => self.values.get(row),
        }
    }
}

/// A validity bitmap being built or handed out: bit `r` (least significant bit first within a
/// byte, Arrow's layout) is set when row `r` has a value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bitmap {
    bytes: Vec<u8>,
    len: usize,
    nulls: usize,
}

impl Bitmap {
    fn with_capacity(rows: usize) -> Self {
        Bitmap {
            bytes: Vec::with_capacity(rows.div_ceil(8)),
            len: 0,
            nulls: 0,
        }
    }

    /// The packed bits, `len().div_ceil(8)` bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The packed bits, handed over without a copy.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number of rows without a value.
    pub fn null_count(&self) -> usize {
        self.nulls
    }

    /// Whether row `row` has a value.
    pub fn is_set(&self, row: usize) -> bool {
        row < self.len
            && self
                .bytes
                .get(row / 8)
                .is_some_and(|b| b & (1 << (row % 8)) != 0)
    }

    /// Appends one row.
    fn push(&mut self, set: bool) {
        if self.len.is_multiple_of(8) {
            self.bytes.push(0);
        }
        if set {
            if let Some(last) = self.bytes.last_mut() {
                *last |= 1 << (self.len % 8);
            }
        } else {
            self.nulls += 1;
        }
        self.len += 1;
    }

    /// Appends one row per flag of `flags` (0 or 1). When the rows so far fill whole bytes
    /// (a chunk of the kernel starts a byte), eight rows are packed by one multiplication and
    /// counted by another; otherwise row by row.
    fn extend_from_flags(&mut self, flags: &[u8]) {
        if !self.len.is_multiple_of(8) {
            for &f in flags {
                self.push(f != 0);
            }
            return;
        }
        let mut groups = flags.chunks_exact(8);
        let mut set = 0u64;
        self.bytes.extend((&mut groups).map(|group| {
            let mut word = [0u8; 8];
            word.copy_from_slice(group);
            let word = u64::from_le_bytes(word);
            // The bytes' sum lands in the top byte (each byte is 0 or 1, so it is at most 8).
            set += word.wrapping_mul(0x0101_0101_0101_0101) >> 56;
            // Byte j (0 or 1) lands on bit 56 + j: the products' bits never overlap.
            (word.wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8
        }));
        let rest = groups.remainder();
        if !rest.is_empty() {
            let byte = rest
                .iter()
                .enumerate()
                .fold(0, |b, (j, &f)| b | (u8::from(f != 0) << j));
            set += u64::from(byte.count_ones());
            self.bytes.push(byte);
        }
        self.len += flags.len();
        self.nulls += flags.len().saturating_sub(set as usize);
    }

    /// Appends the rows of `other`.
    fn append(&mut self, other: &Bitmap) {
        if self.len.is_multiple_of(8) {
            self.bytes.extend_from_slice(&other.bytes);
            self.len += other.len;
            self.nulls += other.nulls;
        } else {
            for row in 0..other.len {
                self.push(other.is_set(row));
            }
        }
    }
}

/// The bands of one score column: dictionary keys into `labels`.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseBands {
    /// The band labels of every table that can apply, without repeats.
    pub labels: Vec<String>,
    /// Per row, the index of its label (0 where the row has no band). There are at most 255
    /// labels, so a key is a byte.
    pub keys: Vec<u8>,
    /// Which rows have a band (none for a missing score or no table for the age).
    pub validity: Bitmap,
    /// True when every table that can apply is verified.
    pub verified: bool,
}

/// One score over many respondents, dense.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseColumn {
    /// The score id, e.g. `total`.
    pub id: String,
    /// Per row, the value (0 where the row has none).
    pub values: Vec<f64>,
    /// Which rows have a value.
    pub validity: Bitmap,
    /// The bands, when the instrument has band tables for this score.
    pub bands: Option<DenseBands>,
}

/// The scores of many respondents, a dense column per score.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseScores {
    /// The instrument id.
    pub instrument: String,
    /// The scoring algorithm's name.
    pub algorithm: String,
    /// The version of the instrument definition that was applied.
    pub version: String,
    /// The version of the scoring engine ([`ENGINE_VERSION`]).
    pub engine_version: String,
    /// The number of rows.
    pub rows: usize,
    /// A column per score, scales first then composites.
    pub columns: Vec<DenseColumn>,
}

impl DenseScores {
    /// The parts of one call in row order as one set of columns (the first part's buffers,
    /// with the others' rows appended).
    pub fn concat(parts: Vec<DenseScores>) -> DenseScores {
        let mut parts = parts.into_iter();
        let Some(mut whole) = parts.next() else {
            return DenseScores {
                instrument: String::new(),
                algorithm: String::new(),
                version: String::new(),
                engine_version: ENGINE_VERSION.to_owned(),
                rows: 0,
                columns: Vec::new(),
            };
        };
        for part in parts {
            whole.rows += part.rows;
            for (to, from) in whole.columns.iter_mut().zip(part.columns) {
                to.values.extend_from_slice(&from.values);
                to.validity.append(&from.validity);
                if let (Some(to), Some(from)) = (to.bands.as_mut(), from.bands) {
                    to.keys.extend_from_slice(&from.keys);
                    to.validity.append(&from.validity);
                }
            }
        }
        whole
    }

    /// The same scores with a value per row (`None` when missing), as [`crate::score_columns`]
    /// gives them.
    pub fn into_score_columns(self) -> ScoreColumns {
        let columns = self
            .columns
            .into_iter()
            .map(|c| {
                let values = c
                    .values
                    .iter()
                    .enumerate()
                    .map(|(r, &v)| c.validity.is_set(r).then_some(v))
                    .collect();
                let bands = c.bands.map(|b| BandColumn {
                    codes: b
                        .keys
                        .iter()
                        .enumerate()
                        .map(|(r, &k)| if b.validity.is_set(r) { Some(k) } else { None })
                        .collect(),
                    labels: b.labels,
                    verified: b.verified,
                });
                ScoreColumn {
                    id: c.id,
                    values,
                    bands,
                }
            })
            .collect();
        ScoreColumns {
            instrument: self.instrument,
            algorithm: self.algorithm,
            version: self.version,
            engine_version: self.engine_version,
            rows: self.rows,
            columns,
        }
    }
}

/// [`score_int_columns_from`] for a table that starts at row 0.
pub fn score_int_columns(
    instrument: &Instrument,
    columns: &[(&str, IntColumn<'_>)],
    ages: Option<&[Option<u32>]>,
    options: &ScoreOptions,
) -> Result<DenseScores, ValidationError> {
    score_int_columns_from(instrument, columns, ages, options, 0)
}

/// Scores many respondents given as integer columns: `columns` pairs an item name with its
/// column, all of the same length. An item without a column counts as not done in every row.
/// `ages`, when given, is the age per row and overrides `options.age`. `first_row` is the row
/// of the whole table the columns start at, for the paths of findings.
///
/// The scores, the checks and the findings are those of [`crate::score_columns_from`] (which
/// calls this): an unknown column name (`outcomes.unknown_item`), a value that is not a
/// response option (`outcomes.out_of_range`, path `columns.<item>[<row>]`) or columns of
/// different lengths (`outcomes.column_length`) refuse the whole call.
pub fn score_int_columns_from(
    instrument: &Instrument,
    columns: &[(&str, IntColumn<'_>)],
    ages: Option<&[Option<u32>]>,
    options: &ScoreOptions,
    first_row: usize,
) -> Result<DenseScores, ValidationError> {
    let parts =
        score_int_columns_in_parts(instrument, columns, ages, options, first_row, &|_, s| s)?;
    Ok(DenseScores::concat(parts))
}

/// [`score_int_columns_from`] in parts: a call of many rows is scored on every core, a part of
/// whole rows per core, and each part's scores go to `each`, with the row of the call the part
/// starts at, on the thread that scored them. The results come back in row order; together
/// the parts hold every row once. Build what you need of a part (Arrow arrays, say) in `each`,
/// and that work is spread over the cores too.
///
/// The checks and findings are those of [`score_int_columns_from`]. When a call is refused,
/// what `each` made of parts scored before the refusal was found is dropped.
pub fn score_int_columns_in_parts<T: Send>(
    instrument: &Instrument,
    columns: &[(&str, IntColumn<'_>)],
    ages: Option<&[Option<u32>]>,
    options: &ScoreOptions,
    first_row: usize,
    each: &(dyn Fn(usize, DenseScores) -> T + Sync),
) -> Result<Vec<T>, ValidationError> {
    let plan = &instrument.plan;
    let informant = informant(instrument, options)?;
    let rows = columns
        .first()
        .map(|(_, c)| c.len())
        .or(ages.map(<[_]>::len))
        .unwrap_or(0);

    let mut report = Findings::new();
    let mut by_item: Vec<Option<IntColumn<'_>>> = vec![None; instrument.items().len()];
    for (name, column) in columns {
        let path = format!("columns.{name}");
        match instrument
            .items()
            .iter()
            .position(|i| i.name.as_str() == *name)
        {
            None => report.push(unknown_item(instrument, name, &path)),
            Some(index) => {
                if by_item[index].replace(*column).is_some() {
                    report.push(Finding::error(
                        path.clone(),
                        "outcomes.duplicate_item",
                        format!("item {name} is given twice"),
                    ));
                }
            }
        }
        if column.len() != rows {
            report.push(Finding::error(
                path,
                "outcomes.column_length",
                format!("column {name} has {} rows, expected {rows}", column.len()),
            ));
        }
    }
    if let Some(ages) = ages
        && ages.len() != rows
    {
        report.push(Finding::error(
            "ages",
            "outcomes.column_length",
            format!("the ages have {} rows, expected {rows}", ages.len()),
        ));
    }
    report.into_result()?;

    let def = instrument.def();
    let candidates: Vec<Candidates<'_>> = instrument
        .score_ids()
        .map(|id| Candidates::new(&def.band_tables, id, informant, options.country.as_ref()))
        .collect();
    let policy = options.impact_missing_policy;
    let named = |parts: Vec<DenseParts>, rows: usize| DenseScores {
        instrument: instrument.id().to_owned(),
        algorithm: instrument.algorithm().to_owned(),
        version: instrument.version().to_owned(),
        engine_version: ENGINE_VERSION.to_owned(),
        rows,
        columns: instrument
            .score_ids()
            .zip(parts)
            .map(|(id, (values, validity, bands))| DenseColumn {
                id: id.to_owned(),
                values,
                validity,
                bands,
            })
            .collect(),
    };
    let kernel = ColumnKernel::new(plan, policy, rows, &candidates);
    let scored = kernel.and_then(|k| {
        k.score(&by_item, ages, options.age, rows, &|start, parts, rows| {
            each(start, named(parts, rows))
        })
    });
    if let Some(parts) = scored {
        return Ok(parts);
    }
    // The row-wise scorer lists every value that is not an option, or scores a plan the
    // kernel cannot represent.
    let owned: Vec<Option<Vec<Option<i64>>>> = by_item
        .iter()
        .map(|c| c.map(|c| (0..rows).map(|r| c.get(r)).collect()))
        .collect();
    let slices: Vec<Option<&[Option<i64>]>> = owned.iter().map(|c| c.as_deref()).collect();
    let (values, bands) = score_rows(
        instrument,
        &slices,
        ages,
        options,
        &candidates,
        first_row,
        rows,
    )?;
    let parts = values
        .into_iter()
        .zip(bands)
        .map(|(values, bands)| dense_of(values, bands))
        .collect();
    Ok(vec![each(0, named(parts, rows))])
}

/// A score column's parts before it is named: values, their validity, bands.
type DenseParts = (Vec<f64>, Bitmap, Option<DenseBands>);

/// The row-wise scorer's column in dense form.
fn dense_of(values: Vec<Option<f64>>, bands: Option<BandColumn>) -> DenseParts {
    let mut validity = Bitmap::with_capacity(values.len());
    let mut dense = Vec::with_capacity(values.len());
    for v in &values {
        validity.push(v.is_some());
        dense.push(v.unwrap_or(0.0));
    }
    let bands = bands.map(|b| {
        let mut band_validity = Bitmap::with_capacity(b.codes.len());
        let keys = b
            .codes
            .iter()
            .map(|c| {
                band_validity.push(c.is_some());
                c.unwrap_or(0)
            })
            .collect();
        DenseBands {
            labels: b.labels,
            keys,
            validity: band_validity,
            verified: b.verified,
        }
    });
    (dense, validity, bands)
}

/// Rows per chunk of the kernel: the byte codes of one chunk (a byte per item and row) and the
/// per-score buffers stay in the L1/L2 cache.
pub(crate) const CHUNK_ROWS: usize = 2048;

/// A compact item code: the option's weight (0..=[`MAX_CODE_WEIGHT`]), or one of these markers.
const CODE_MISSING: u8 = 255;
const CODE_INVALID: u8 = 254;
const MAX_CODE_WEIGHT: i64 = 253;
/// No band (in a band-by-index table), no table (in a row's table choice).
const NO_BAND: u8 = u8::MAX;

/// Ages below this have their band table looked up once per call.
const AGE_CACHE: u32 = 32;

/// A map from an item's recorded values to byte codes.
struct ByteMap {
    /// The lowest value of the compact range.
    min: i64,
    /// The code of "not done" at 0, of `value - min` at `1 + value - min`, and the code of every
    /// value outside the range last.
    wide: Vec<u8>,
    /// The code of each 8-bit value, by its byte: of an `i8` and of a `u8` column.
    by_i8: [u8; 256],
    by_u8: [u8; 256],
    /// When the codes of the compact range are `base + step * (value - lo)` for `lo..=hi` (SDQ
    /// items: 0, 1, 2 or reversed 2, 1, 0) and every other value codes as `outside`: those as
    /// bytes (`[lo, hi - lo, base, step]`, wrapping) and `outside`, for `i8` and for `u8`
    /// columns, so 8-bit columns are coded with byte arithmetic the compiler vectorises (16
    /// values an instruction) instead of a table lookup per value.
    affine_i8: Option<([u8; 4], u8)>,
    affine_u8: Option<([u8; 4], u8)>,
    /// When the compact range has at most [`SELECT_CODES`] values and every other value codes
    /// as `outside` (the SDQ's impact items: 0, 0, 1, 2), the lowest value as a byte and the
    /// codes of `lo..lo + SELECT_CODES`, for `i8` and for `u8` columns: a few compares a value
    /// that the compiler vectorises, instead of a table lookup per value.
    select_i8: Option<Select>,
    select_u8: Option<Select>,
}

/// Which of a [`ByteMap`]'s 8-bit forms a column's bytes are read with.
#[derive(Debug, Clone, Copy)]
enum ByteKind {
    I8,
    U8,
}

/// The most values of a compact range coded by compares ([`select_code`]).
const SELECT_CODES: usize = 4;

/// A map of bytes coded by compares: the lowest value of the range as a byte, the codes of
/// `lo..lo + SELECT_CODES`, and the code of every other byte.
#[derive(Debug, Clone, Copy)]
struct Select {
    lo: u8,
    codes: [u8; SELECT_CODES],
    outside: u8,
}

impl ByteMap {
    /// `code(value)` over the compact range `min..min + len`, `outside` for any other value and
    /// `missing` for "not done".
    fn new(min: i64, len: usize, code: impl Fn(i64) -> u8, missing: u8, outside: u8) -> Self {
        let mut wide = Vec::with_capacity(len + 2);
        wide.push(missing);
        wide.extend((min..).take(len).map(&code));
        wide.push(outside);
        let mut map = ByteMap {
            min,
            wide,
            by_i8: [outside; 256],
            by_u8: [outside; 256],
            affine_i8: None,
            affine_u8: None,
            select_i8: None,
            select_u8: None,
        };
        for b in 0..=255u8 {
            map.by_i8[usize::from(b)] = map.code(i64::from(b as i8));
            map.by_u8[usize::from(b)] = map.code(i64::from(b));
        }
        map.affine_i8 = map.find_affine(outside, &map.by_i8);
        map.affine_u8 = map.find_affine(outside, &map.by_u8);
        map.select_i8 = map.find_select(outside, &map.by_i8);
        map.select_u8 = map.find_select(outside, &map.by_u8);
        map
    }

    /// The compare form of the map over the bytes of an 8-bit column, checked against its
    /// `table` for all 256 bytes (so a form that does not fit is never used).
    fn find_select(&self, outside: u8, table: &[u8; 256]) -> Option<Select> {
        let codes = self.wide.get(1..self.wide.len() - 1)?;
        if codes.len() > SELECT_CODES {
            return None;
        }
        let mut select = Select {
            lo: self.min as u8,
            codes: [outside; SELECT_CODES],
            outside,
        };
        select.codes.get_mut(..codes.len())?.copy_from_slice(codes);
        (0..=255u8)
            .all(|b| select_code(&select, b) == table[usize::from(b)])
            .then_some(select)
    }

    /// The affine form of the map over the bytes of an 8-bit column, checked against its
    /// `table` for all 256 bytes (so a form that does not fit is never used).
    fn find_affine(&self, outside: u8, table: &[u8; 256]) -> Option<([u8; 4], u8)> {
        let codes = self.wide.get(1..self.wide.len() - 1)?;
        let span = u8::try_from(codes.len().checked_sub(1)?).ok()?;
        let base = *codes.first()?;
        let step = match codes.get(1) {
            Some(&next) => next.wrapping_sub(base),
            None => 0,
        };
        // The lowest value as the byte it is stored as (wrapping: -1 is 255 in an i8 column).
        let affine = [self.min as u8, span, base, step];
        (0..=255u8)
            .all(|b| affine_code(affine, outside, b) == table[usize::from(b)])
            .then_some((affine, outside))
    }

    #[inline]
    fn missing(&self) -> u8 {
        self.wide.first().copied().unwrap_or(CODE_MISSING)
    }

    #[inline]
    fn code(&self, value: i64) -> u8 {
        let last = self.wide.len() as u64 - 1;
        let at = (value.wrapping_sub(self.min) as u64)
            .saturating_add(1)
            .min(last);
        self.wide.get(at as usize).copied().unwrap_or(CODE_INVALID)
    }

    /// Codes rows `start..start + out.len()` of `column` into `out`.
    fn map(&self, column: &IntColumn<'_>, start: usize, out: &mut [u8]) {
        let end = start + out.len();
        if column.len() < end {
            out.fill(self.missing());
            return;
        }
        match column.values {
            IntValues::I8(v) => self.map_bytes(v, start, out, |x| x as u8, ByteKind::I8),
            IntValues::U8(v) => self.map_bytes(v, start, out, |x| x, ByteKind::U8),
            IntValues::I16(v) => self.map_wide(v, start, out, i64::from),
            IntValues::I32(v) => self.map_wide(v, start, out, i64::from),
            IntValues::I64(v) => self.map_wide(v, start, out, |x| x),
            IntValues::U16(v) => self.map_wide(v, start, out, i64::from),
            IntValues::U32(v) => self.map_wide(v, start, out, i64::from),
            IntValues::U64(v) => {
                self.map_wide(v, start, out, |x| i64::try_from(x).unwrap_or(i64::MAX))
            }
            IntValues::Optional(v) => {
                let missing = self.missing();
                match v.get(start..end) {
                    Some(v) => {
                        for (o, x) in out.iter_mut().zip(v) {
                            *o = x.map_or(missing, |x| self.code(x));
                        }
                    }
                    None => out.fill(missing),
                }
            }
        }
        if let Some(validity) = column.validity {
            apply_validity(&validity, start, out, self.missing());
        }
    }

    /// Codes an 8-bit column in the cheapest form its map has for the column's type.
    #[inline]
    fn map_bytes<T: Copy>(
        &self,
        v: &[T],
        start: usize,
        out: &mut [u8],
        to: impl Fn(T) -> u8,
        kind: ByteKind,
    ) {
        let (affine, select, table) = match kind {
            ByteKind::I8 => (self.affine_i8, self.select_i8, &self.by_i8),
            ByteKind::U8 => (self.affine_u8, self.select_u8, &self.by_u8),
        };
        match (affine, select) {
            (Some((affine, outside)), _) => {
                map_byte_column(v, start, out, to, |b| affine_code(affine, outside, b))
            }
            (None, Some(select)) => map_byte_column(v, start, out, to, |b| select_code(&select, b)),
            (None, None) => map_byte_column(v, start, out, to, |b| table[usize::from(b)]),
        }
    }

    #[inline]
    fn map_wide<T: Copy>(&self, v: &[T], start: usize, out: &mut [u8], to: impl Fn(T) -> i64) {
        match v.get(start..start + out.len()) {
            Some(v) => {
                for (o, &x) in out.iter_mut().zip(v) {
                    *o = self.code(to(x));
                }
            }
            None => out.fill(self.missing()),
        }
    }
}

/// Codes rows `start..start + out.len()` of the 8-bit column `v` into `out`: `code` of each
/// value's byte. Every form of `code` (a table, affine arithmetic, compares) inlines here into
/// one loop of its own.
#[inline]
fn map_byte_column<T: Copy>(
    v: &[T],
    start: usize,
    out: &mut [u8],
    to: impl Fn(T) -> u8,
    code: impl Fn(u8) -> u8,
) {
    match v.get(start..start + out.len()) {
        Some(v) => {
            for (o, &x) in out.iter_mut().zip(v) {
                *o = code(to(x));
            }
        }
        None => out.fill(code(0)),
    }
}

/// The code of the stored byte `value` under `[lo, span, base, step]`: `base + step * (value -
/// lo)` where `value - lo` is at most `span`, `outside` elsewhere, all wrapping byte arithmetic.
/// Branch-free, so a loop over it vectorises.
#[inline]
fn affine_code([lo, span, base, step]: [u8; 4], outside: u8, value: u8) -> u8 {
    let d = value.wrapping_sub(lo);
    let code = base.wrapping_add(step.wrapping_mul(d));
    if d <= span { code } else { outside }
}

/// The code of the stored byte `value` under `select`: a compare with each value of the range
/// and a select, no branch and no lookup, so a loop over it vectorises.
#[inline]
fn select_code(select: &Select, value: u8) -> u8 {
    let d = value.wrapping_sub(select.lo);
    let mut code = select.outside;
    for (k, &c) in select.codes.iter().enumerate() {
        code = if usize::from(d) == k { c } else { code };
    }
    code
}

/// For each byte of a validity bitmap, the mask of its eight rows: byte `j` of the mask is
/// 0xFF when bit `j` is set (the row is present), 0 when not.
const ROW_MASKS: [u64; 256] = {
    let mut masks = [0u64; 256];
    let mut bits = 0;
    while bits < 256 {
        let mut j = 0;
        while j < 8 {
            if (bits >> j) & 1 == 1 {
                masks[bits] |= 0xFF << (8 * j);
            }
            j += 1;
        }
        bits += 1;
    }
    masks
};

/// Sets `missing` in every row of `out` (rows `start..`) that `validity` says is not present,
/// eight rows at a time by a mask looked up per validity byte, without a branch per row.
fn apply_validity(validity: &Validity<'_>, start: usize, out: &mut [u8], missing: u8) {
    let fill = u64::from_le_bytes([missing; 8]);
    let mask_in = |group: &mut [u8], bits: u8| {
        let mask = ROW_MASKS[usize::from(bits)];
        let mut word = [0u8; 8];
        word.copy_from_slice(group);
        let codes = u64::from_le_bytes(word);
        group.copy_from_slice(&((codes & mask) | (fill & !mask)).to_le_bytes());
    };
    let mut groups = out.chunks_exact_mut(8);
    let first_bit = validity.offset + start;
    let mut row = start;
    if first_bit.is_multiple_of(8) {
        // The rows start a byte of the bitmap: its bytes are the groups' bits as they are.
        let bytes = validity.bytes.get(first_bit / 8..).unwrap_or(&[]);
        let mut bytes = bytes.iter();
        for group in &mut groups {
            // A row past the end of the bitmap counts as not present.
            mask_in(group, bytes.next().copied().unwrap_or(0));
            row += 8;
        }
    } else {
        for group in &mut groups {
            mask_in(group, validity.byte(row));
            row += 8;
        }
    }
    for o in groups.into_remainder() {
        if !validity.is_valid(row) {
            *o = missing;
        }
        row += 1;
    }
}

/// The column-wise form of a plan; see the module docs.
struct ColumnKernel<'p> {
    /// Per item, its weight codes.
    weights: Vec<ByteMap>,
    scales: Vec<ScaleKernel>,
    composites: &'p [Vec<usize>],
    /// Per score (scales then composites), its band tables.
    bands: Vec<Option<BandKernel<'p>>>,
}

struct ScaleKernel {
    items: Vec<usize>,
    stride: u16,
    /// The gate item, the code of each of its values (1 for a gate value), and the index that
    /// stands for "gated".
    gate: Option<(usize, ByteMap, u16)>,
    /// The value and presence (0 or 1) of each index `answered * stride + sum`, then of the
    /// gated index.
    values: Vec<f64>,
    present: Vec<u8>,
    /// The same tables padded to 256 entries when every index is below 256 (the SDQ's short
    /// scales): a lookup by a byte needs no bounds check, so it costs a load.
    small: Option<Box<SmallScale>>,
}

/// A scale's value and presence by an index below 256.
struct SmallScale {
    values: [f64; 256],
    present: [u8; 256],
}

/// The band tables of one score.
struct BandKernel<'p> {
    candidates: &'p Candidates<'p>,
    labels: Vec<String>,
    /// Per table, each band's (min, max, label key).
    ranges: Vec<Vec<(f64, f64, u8)>>,
    /// For a scale, per table, the label key of each index ([`NO_BAND`] for none).
    by_index: Vec<Vec<u8>>,
    /// For a scale whose indexes are all below 256, `by_index` padded to 256 entries; for a
    /// composite whose values are all whole numbers from 0 to 255, per table the label key of
    /// each value. A lookup by a byte needs no bounds check.
    small: Vec<[u8; 256]>,
    /// Per table, when a row has a band exactly when it has a score (the table covers every
    /// value the score can take), `small` with 0 for no band: the keys need no flags of their
    /// own, and the band column shares the score's validity.
    dense: Vec<Option<[u8; 256]>>,
    /// The table of each age below [`AGE_CACHE`], and of an unknown age.
    by_age: Vec<u8>,
    no_age: u8,
}

impl<'p> BandKernel<'p> {
    /// `None` when the tables or their labels are too many to key with a byte.
    fn new(candidates: &'p Candidates<'p>) -> Option<Self> {
        if candidates.tables.len() >= usize::from(NO_BAND) {
            return None;
        }
        let mut labels: Vec<String> = Vec::new();
        let mut key_of = |label: &str| {
            let at = labels.iter().position(|l| l == label).unwrap_or_else(|| {
                labels.push(label.to_owned());
                labels.len() - 1
            });
            u8::try_from(at).unwrap_or(NO_BAND)
        };
        let ranges: Vec<Vec<(f64, f64, u8)>> = candidates
            .tables
            .iter()
            .map(|t: &&BandTable| {
                t.bands
                    .iter()
                    .map(|b| (b.min, b.max, key_of(&b.label)))
                    .collect()
            })
            .collect();
        if labels.len() >= usize::from(NO_BAND) {
            return None;
        }
        let table_of = |age| {
            candidates
                .select(age)
                .map_or(NO_BAND, |(t, _)| u8::try_from(t).unwrap_or(NO_BAND))
        };
        Some(BandKernel {
            candidates,
            labels,
            ranges,
            by_index: Vec::new(),
            small: Vec::new(),
            dense: Vec::new(),
            by_age: (0..AGE_CACHE).map(|a| table_of(Some(a))).collect(),
            no_age: table_of(None),
        })
    }

    /// The band key of `value` in table `table` ([`NO_BAND`] for none): the first band holding
    /// it, as [`BandTable::band_of`].
    #[inline]
    fn key(&self, table: u8, value: f64) -> u8 {
        let Some(ranges) = self.ranges.get(usize::from(table)) else {
            return NO_BAND;
        };
        let mut key = NO_BAND;
        for &(min, max, k) in ranges.iter().rev() {
            // Both comparisons, then a select: no branch per band.
            key = if (min <= value) & (value <= max) {
                k
            } else {
                key
            };
        }
        key
    }

    /// The table for `age` ([`NO_BAND`] for none).
    fn table_of(&self, age: Option<u32>) -> u8 {
        match age {
            None => self.no_age,
            Some(a) => match self.by_age.get(a as usize) {
                Some(t) => *t,
                None => self
                    .candidates
                    .select(Some(a))
                    .map_or(NO_BAND, |(t, _)| u8::try_from(t).unwrap_or(NO_BAND)),
            },
        }
    }

    /// The table of each row of a chunk.
    fn tables(&self, ages: Option<&[Option<u32>]>, default: Option<u32>, out: &mut [u8]) {
        match ages {
            Some(ages) => {
                for (o, a) in out.iter_mut().zip(ages) {
                    *o = self.table_of(a.or(default));
                }
            }
            None => out.fill(self.table_of(default)),
        }
    }
}

impl<'p> ColumnKernel<'p> {
    fn new(
        plan: &'p Plan,
        policy: ImpactMissingPolicy,
        rows: usize,
        candidates: &'p [Candidates<'p>],
    ) -> Option<Self> {
        // Building the tables must not cost more than scoring a few calls' rows.
        let mut budget = rows.saturating_mul(4).saturating_add(1 << 12);
        let mut weights = Vec::with_capacity(plan.items.len());
        let mut max_weight = Vec::with_capacity(plan.items.len());
        for item in &plan.items {
            if item.dense.is_empty() {
                return None;
            }
            let mut top = 0i64;
            for &w in &item.dense {
                if w == NO_OPTION {
                    continue;
                }
                if !(0..=MAX_CODE_WEIGHT).contains(&w) {
                    return None;
                }
                top = top.max(w);
            }
            let code = |v: i64| {
                usize::try_from(v - item.min)
                    .ok()
                    .and_then(|at| item.dense.get(at))
                    .filter(|&&w| w != NO_OPTION)
                    .and_then(|&w| u8::try_from(w).ok())
                    .unwrap_or(CODE_INVALID)
            };
            weights.push(ByteMap::new(
                item.min,
                item.dense.len(),
                code,
                CODE_MISSING,
                CODE_INVALID,
            ));
            max_weight.push(top);
        }
        let mut bands: Vec<Option<BandKernel<'p>>> = Vec::with_capacity(candidates.len());
        for c in candidates {
            // A score with more tables or labels than a byte can key scores row by row.
            bands.push(if c.tables.is_empty() {
                None
            } else {
                Some(BandKernel::new(c)?)
            });
        }
        let mut scales = Vec::with_capacity(plan.scales.len());
        // Per scale, which indexes a row can reach (every index, unless its tables are small);
        // needed only here, for the composites' bands.
        let mut reachable_of: Vec<Vec<bool>> = Vec::with_capacity(plan.scales.len());
        for (s, scale) in plan.scales.iter().enumerate() {
            let mut max_sum = 0i64;
            for &i in &scale.items {
                max_sum += *max_weight.get(i)?;
            }
            let n = i64::try_from(scale.items.len()).ok()?;
            let stride = max_sum + 1;
            // Every index up to n * stride + max_sum, and the gated index after them, must fit
            // a u16.
            let gated = (n + 1).checked_mul(stride)?;
            if gated > i64::from(u16::MAX) {
                return None;
            }
            let entries = usize::try_from(gated + 1).ok()?;
            budget = budget.checked_sub(entries)?;
            let mut table = Vec::with_capacity(entries);
            for answered in 0..=n {
                for sum in 0..stride {
                    table.push(finish_scale(scale, sum, answered, policy));
                }
            }
            let gate = match &scale.gate {
                Some((item, values, score)) => {
                    table.push(Some(*score));
                    let plan_item = plan.items.get(*item)?;
                    let flags = ByteMap::new(
                        plan_item.min,
                        plan_item.dense.len(),
                        |v| u8::from(values.contains(&v)),
                        0,
                        0,
                    );
                    Some((*item, flags, u16::try_from(gated).ok()?))
                }
                None => {
                    table.push(None);
                    None
                }
            };
            let small = table.len() <= 256;
            let values: Vec<f64> = table.iter().map(|v| v.unwrap_or(0.0)).collect();
            let present: Vec<u8> = table.iter().map(|v| u8::from(v.is_some())).collect();
            let reachable = small
                .then(|| reachable_indexes(plan, &scale.items, stride, table.len(), gate.is_some()))
                .flatten()
                .unwrap_or_else(|| vec![true; table.len()]);
            if let Some(Some(band)) = bands.get_mut(s) {
                band.by_index = band
                    .candidates
                    .tables
                    .iter()
                    .enumerate()
                    .map(|(t, _)| {
                        let t = u8::try_from(t).unwrap_or(NO_BAND);
                        table
                            .iter()
                            .map(|v| v.map_or(NO_BAND, |v| band.key(t, v)))
                            .collect()
                    })
                    .collect();
                if small {
                    band.small = band
                        .by_index
                        .iter()
                        .map(|keys| padded(keys, NO_BAND))
                        .collect();
                    let present = padded(&present, 0);
                    let reachable = padded(&reachable, false);
                    band.dense = band
                        .small
                        .iter()
                        .map(|keys| {
                            let covers = (0..256).all(|x| {
                                !reachable[x] || (keys[x] != NO_BAND) == (present[x] != 0)
                            });
                            covers.then(|| without_no_band(keys))
                        })
                        .collect();
                }
            }
            scales.push(ScaleKernel {
                items: scale.items.clone(),
                stride: u16::try_from(stride).ok()?,
                gate,
                small: small.then(|| {
                    Box::new(SmallScale {
                        values: padded(&values, 0.0),
                        present: padded(&present, 0),
                    })
                }),
                values,
                present,
            });
            reachable_of.push(reachable);
        }
        // A composite of scales whose values are whole numbers with a sum below 256 has its
        // bands looked up by value.
        for (c, parts) in plan.composites.iter().enumerate() {
            // The largest value of the composite, over every index and over the indexes a row
            // can reach.
            let (mut top, mut reached_top) = (0.0, 0.0);
            for &p in parts {
                // A part that is itself a composite: bands by value row by row.
                let (Some(scale), Some(reachable)) = (scales.get(p), reachable_of.get(p)) else {
                    top = f64::INFINITY;
                    continue;
                };
                let (mut max, mut reached_max) = (0.0f64, 0.0f64);
                for ((&v, &ok), &reached) in scale.values.iter().zip(&scale.present).zip(reachable)
                {
                    if ok != 0 {
                        if !(v >= 0.0 && v.fract() == 0.0) {
                            top = f64::INFINITY;
                        }
                        max = max.max(v);
                        if reached {
                            reached_max = reached_max.max(v);
                        }
                    }
                }
                top += max;
                reached_top += reached_max;
            }
            if let Some(Some(band)) = bands.get_mut(scales.len() + c)
                && top <= 255.0
            {
                band.small = (0..band.candidates.tables.len())
                    .map(|t| {
                        let t = u8::try_from(t).unwrap_or(NO_BAND);
                        let keys: Vec<u8> =
                            (0..=255u8).map(|v| band.key(t, f64::from(v))).collect();
                        padded(&keys, NO_BAND)
                    })
                    .collect();
                // A row's value is a whole number from 0 to `reached_top`.
                band.dense = band
                    .small
                    .iter()
                    .map(|keys| {
                        let covers = keys
                            .iter()
                            .take(reached_top as usize + 1)
                            .all(|&k| k != NO_BAND);
                        covers.then(|| without_no_band(keys))
                    })
                    .collect();
            }
        }
        Some(ColumnKernel {
            weights,
            scales,
            composites: &plan.composites,
            bands,
        })
    }

    /// Scores every row and hands the scores of each part, with the row it starts at, to `each`
    /// on the thread that scored it; `None` when a value is not a response option. Many rows
    /// are split into parts of whole chunks, one per core. A part appends to buffers of its own,
    /// chunk by chunk, so no buffer is zeroed first or copied after, and what `each` makes of
    /// its scores (Arrow arrays, say) is made on both cores too.
    fn score<T: Send>(
        &self,
        by_item: &[Option<IntColumn<'_>>],
        ages: Option<&[Option<u32>]>,
        default_age: Option<u32>,
        rows: usize,
        each: &(dyn Fn(usize, Vec<DenseParts>, usize) -> T + Sync),
    ) -> Option<Vec<T>> {
        let parts = if rows >= 2 * PARALLEL_ROWS {
            std::thread::available_parallelism()
                .map_or(1, usize::from)
                .min(rows / PARALLEL_ROWS)
        } else {
            1
        };
        // Whole chunks per part: a part starts at a multiple of eight rows, so its bitmaps are
        // whole bytes of the table's.
        let per_part = rows.div_ceil(parts.max(1)).div_ceil(CHUNK_ROWS) * CHUNK_ROWS;
        let mut spans = Vec::with_capacity(parts);
        let mut start = 0;
        while start < rows {
            let len = per_part.min(rows - start);
            spans.push((start, len));
            start += len;
        }
        if spans.is_empty() {
            // No rows: one empty part, so the caller still gets its (empty) columns.
            spans.push((0, 0));
        }
        let dense = self.dense_bands(ages, default_age);
        let dense = dense.as_slice();
        let part = |(start, len): (usize, usize)| -> Option<T> {
            let mut out = self.out_runs(len, dense);
            self.try_score_run(by_item, ages, default_age, start, len, &mut out)?;
            Some(each(start, self.dense_parts(out), len))
        };
        let part = &part;
        std::thread::scope(|scope| {
            let mut spans = spans.into_iter();
            let first = spans.next();
            let others: Vec<_> = spans.map(|span| scope.spawn(move || part(span))).collect();
            let mut done = Vec::with_capacity(others.len() + 1);
            done.push(first.and_then(part));
            for other in others {
                // A part that panicked is scored again row by row, as a refused value is.
                done.push(other.join().ok().flatten());
            }
            done.into_iter().collect()
        })
    }

    /// Empty buffers for `rows` rows of every score.
    fn out_runs(&self, rows: usize, dense: &[Option<&[u8; 256]>]) -> Vec<OutRun> {
        (0..self.scales.len() + self.composites.len())
            .map(|s| OutRun {
                values: Vec::with_capacity(rows),
                valid: Bitmap::with_capacity(rows),
                keys: self.bands.get(s).and_then(Option::as_ref).map(|_| {
                    let shared = dense.get(s).copied().flatten().is_some();
                    let valid = (!shared).then(|| Bitmap::with_capacity(rows));
                    (Vec::with_capacity(rows), valid)
                }),
            })
            .collect()
    }

    /// Per score, the band keys by index or by value ([`BandKernel::dense`]) when every row of a
    /// call is banded with the one table they give (no row has an age of its own), so a row
    /// has a band exactly when it has a score.
    fn dense_bands(
        &self,
        ages: Option<&[Option<u32>]>,
        default_age: Option<u32>,
    ) -> Vec<Option<&[u8; 256]>> {
        self.bands
            .iter()
            .map(|band| {
                let band = band.as_ref().filter(|_| ages.is_none())?;
                band.dense
                    .get(usize::from(band.table_of(default_age)))?
                    .as_ref()
            })
            .collect()
    }

    /// The buffers of a part as score columns.
    fn dense_parts(&self, out: Vec<OutRun>) -> Vec<DenseParts> {
        out.into_iter()
            .enumerate()
            .map(|(s, run)| {
                let validity = run.valid;
                let bands = run.keys.and_then(|(keys, keys_valid)| {
                    self.bands.get(s)?.as_ref().map(|b| DenseBands {
                        labels: b.labels.clone(),
                        keys,
                        validity: keys_valid.unwrap_or_else(|| validity.clone()),
                        verified: b.candidates.tables.iter().all(|t| t.verified),
                    })
                });
                (run.values, validity, bands)
            })
            .collect()
    }

    /// Scores rows `first..first + rows`, appending them to `out` (a run per score); `None`
    /// when a value is not a response option.
    fn try_score_run(
        &self,
        by_item: &[Option<IntColumn<'_>>],
        ages: Option<&[Option<u32>]>,
        default_age: Option<u32>,
        first: usize,
        rows: usize,
        out: &mut [OutRun],
    ) -> Option<()> {
        // As `out_runs` chose them: a band with dense keys has no flags of its own.
        let dense = self.dense_bands(ages, default_age);
        let n_scales = self.scales.len();
        let n_scores = n_scales + self.composites.len();
        let mut codes = vec![CODE_MISSING; CHUNK_ROWS * by_item.len().max(1)];
        let mut index = vec![vec![0u16; CHUNK_ROWS]; n_scales];
        let mut flags = vec![0u8; CHUNK_ROWS];
        let mut sums = vec![0f64; CHUNK_ROWS];
        let mut present = vec![vec![0u8; CHUNK_ROWS]; n_scores];
        let mut tables = vec![0u8; CHUNK_ROWS];
        let end_of_run = first + rows;
        let mut start = first;
        while start < end_of_run {
            let len = (end_of_run - start).min(CHUNK_ROWS);
            let end = start + len;
            // Where the chunk lies in the run's buffers, which hold the rows before it.
            let at = start - first;
            let mut invalid = false;
            for (i, (column, map)) in by_item.iter().zip(&self.weights).enumerate() {
                if let Some(column) = column {
                    let out = codes.get_mut(i * CHUNK_ROWS..i * CHUNK_ROWS + len)?;
                    map.map(column, start, out);
                    invalid |= out.iter().fold(false, |a, &c| a | (c == CODE_INVALID));
                }
            }
            if invalid {
                return None;
            }
            // Scales: the index of each row, then its value and presence straight into the
            // result.
            for (s, scale) in self.scales.iter().enumerate() {
                let index = index.get_mut(s)?.get_mut(..len)?;
                index.fill(0);
                for &i in &scale.items {
                    if by_item.get(i).copied().flatten().is_none() {
                        continue;
                    }
                    let item = codes.get(i * CHUNK_ROWS..i * CHUNK_ROWS + len)?;
                    // Arithmetic, not a branch: a branch per value mispredicts on real data
                    // and keeps the loop from being vectorised.
                    for (x, &c) in index.iter_mut().zip(item) {
                        let answered = u16::from(c != CODE_MISSING);
                        *x = x.wrapping_add(answered.wrapping_mul(u16::from(c) + scale.stride));
                    }
                }
                if let Some((gate, map, gated)) = &scale.gate
                    && let Some(Some(column)) = by_item.get(*gate)
                {
                    let flags = &mut flags[..len];
                    map.map(column, start, flags);
                    // A mask, not a branch: the gate's answer varies row by row.
                    let gated = *gated;
                    for (x, &f) in index.iter_mut().zip(flags.iter()) {
                        let take = 0u16.wrapping_sub(u16::from(f != 0));
                        *x = (*x & !take) | (gated & take);
                    }
                }
                let run = out.get_mut(s)?;
                let ok = present.get_mut(s)?.get_mut(..len)?;
                match scale.small.as_deref() {
                    Some(small) => {
                        // Every index is below 256 here, so the byte is the whole index.
                        for (o, &x) in ok.iter_mut().zip(index.iter()) {
                            *o = small.present[usize::from(x as u8)];
                        }
                        run.values
                            .extend(index.iter().map(|&x| small.values[usize::from(x as u8)]));
                    }
                    None => {
                        let (values, present) = (scale.values.as_slice(), scale.present.as_slice());
                        for (o, &x) in ok.iter_mut().zip(index.iter()) {
                            *o = present.get(usize::from(x)).copied().unwrap_or(0);
                        }
                        run.values.extend(
                            index
                                .iter()
                                .map(|&x| values.get(usize::from(x)).copied().unwrap_or(0.0)),
                        );
                    }
                }
                run.valid.extend_from_flags(ok);
            }
            // Composites: the sum of their scales' values just written, present when all are.
            for (c, parts) in self.composites.iter().enumerate() {
                let (done, rest) = out.split_at_mut(n_scales + c);
                let (done_ok, rest_ok) = present.split_at_mut(n_scales + c);
                let run = rest.first_mut()?;
                let ok = rest_ok.first_mut()?.get_mut(..len)?;
                let dst = &mut sums[..len];
                dst.fill(0.0);
                ok.fill(1);
                for &p in parts {
                    let (Some(src), Some(src_ok)) = (
                        done.get(p).and_then(|d| d.values.get(at..at + len)),
                        done_ok.get(p),
                    ) else {
                        ok.fill(0);
                        continue;
                    };
                    for (d, &v) in dst.iter_mut().zip(src) {
                        *d += v;
                    }
                    for (o, &v) in ok.iter_mut().zip(&src_ok[..len]) {
                        *o &= v;
                    }
                }
                // A missing composite holds 0, as a missing scale does.
                run.values.extend(
                    dst.iter()
                        .zip(ok.iter())
                        .map(|(&d, &o)| if o != 0 { d } else { 0.0 }),
                );
                run.valid.extend_from_flags(ok);
            }
            // Bands: for a scale by its index (one table lookup a row), for a composite by its
            // value.
            for (s, run) in out.iter_mut().enumerate() {
                let OutRun { values, keys, .. } = run;
                let (Some((keys_out, keys_valid)), Some(Some(band))) =
                    (keys.as_mut(), self.bands.get(s))
                else {
                    continue;
                };
                let by_index = index.get(s).filter(|_| !band.by_index.is_empty());
                if let Some(keys) = dense.get(s).copied().flatten() {
                    // A band exactly where a score is: a lookup a row, no flags.
                    match by_index {
                        // Every index is below 256 here, so the byte is the whole index.
                        Some(index) => keys_out.extend(
                            index
                                .get(..len)?
                                .iter()
                                .map(|&x| keys[usize::from(x as u8)]),
                        ),
                        None => {
                            // A composite of whole numbers below 256; 0 where it is missing.
                            let values = values.get(at..at + len)?;
                            let ok = present.get(s)?.get(..len)?;
                            keys_out.extend(
                                values.iter().zip(ok).map(|(&v, &ok)| {
                                    keys[(v as usize) & 255] & 0u8.wrapping_sub(ok)
                                }),
                            );
                        }
                    }
                    continue;
                }
                // Without dense keys the band has flags of its own (`out_runs`).
                let keys_valid = keys_valid.as_mut()?;
                let flags = &mut flags[..len];
                let row_ages = ages.and_then(|a| a.get(start..end));
                // One table for every row when no row has its own age.
                let table = band.table_of(default_age);
                let small = band.small.get(usize::from(table));
                // The key of a band (0 for none, with its flag clear).
                let key = |k: u8, f: &mut u8| {
                    *f = u8::from(k != NO_BAND);
                    if k == NO_BAND { 0 } else { k }
                };
                match (by_index, row_ages) {
                    (Some(index), None) => {
                        let index = &index[..len];
                        match small {
                            // Every index is below 256 here, so the byte is the whole index.
                            Some(keys) => keys_out.extend(
                                index
                                    .iter()
                                    .zip(flags.iter_mut())
                                    .map(|(&x, f)| key(keys[usize::from(x as u8)], f)),
                            ),
                            None => {
                                let keys = band
                                    .by_index
                                    .get(usize::from(table))
                                    .map_or(&[][..], Vec::as_slice);
                                keys_out.extend(index.iter().zip(flags.iter_mut()).map(
                                    |(&x, f)| {
                                        key(keys.get(usize::from(x)).copied().unwrap_or(NO_BAND), f)
                                    },
                                ));
                            }
                        }
                    }
                    (None, None) if !band.small.is_empty() => {
                        // A composite of whole numbers below 256, one table for every row.
                        let values = values.get(at..at + len)?;
                        let ok = present.get(s)?.get(..len)?;
                        match small {
                            Some(keys) => {
                                keys_out.extend(values.iter().zip(ok).zip(flags.iter_mut()).map(
                                    |((&v, &ok), f)| {
                                        let k = if ok != 0 {
                                            keys[(v as usize) & 255]
                                        } else {
                                            NO_BAND
                                        };
                                        key(k, f)
                                    },
                                ))
                            }
                            None => {
                                keys_out.extend(std::iter::repeat_n(0, len));
                                flags.fill(0);
                            }
                        }
                    }
                    (by_index, row_ages) => {
                        let tables = &mut tables[..len];
                        band.tables(row_ages, default_age, tables);
                        let values = values.get(at..at + len)?;
                        let ok = present.get(s)?.get(..len)?;
                        keys_out.extend(tables.iter().enumerate().zip(flags.iter_mut()).map(
                            |((r, &t), f)| {
                                let k = match by_index {
                                    Some(index) => band
                                        .by_index
                                        .get(usize::from(t))
                                        .and_then(|b| b.get(usize::from(index[r])))
                                        .copied()
                                        .unwrap_or(NO_BAND),
                                    None if ok[r] != 0 => band.key(t, values[r]),
                                    None => NO_BAND,
                                };
                                key(k, f)
                            },
                        ));
                    }
                }
                keys_valid.extend_from_flags(flags);
            }
            start = end;
        }
        Some(())
    }
}

/// Which of a scale's `len` indexes a row can reach: each answered item adds `stride` and one of
/// its weights to the index, and the last index is the gated one when the scale has a gate.
/// Some sums cannot be reached (three items of weight at most 2 never sum to 10), and their
/// entries of the tables hold values no row has.
fn reachable_indexes(
    plan: &Plan,
    items: &[usize],
    stride: i64,
    len: usize,
    gated: bool,
) -> Option<Vec<bool>> {
    let stride = usize::try_from(stride).ok()?;
    let mut reachable = vec![false; len];
    *reachable.first_mut()? = true;
    for &i in items {
        let weights: Vec<usize> = plan
            .items
            .get(i)?
            .dense
            .iter()
            .filter(|&&w| w != NO_OPTION)
            .map(|&w| usize::try_from(w).ok())
            .collect::<Option<_>>()?;
        let before = reachable.clone();
        for (x, _) in before.iter().enumerate().filter(|(_, r)| **r) {
            for w in &weights {
                if let Some(r) = reachable.get_mut(x + stride + w) {
                    *r = true;
                }
            }
        }
    }
    if gated {
        *reachable.last_mut()? = true;
    }
    Some(reachable)
}

/// Band keys with 0 for [`NO_BAND`].
fn without_no_band(keys: &[u8; 256]) -> [u8; 256] {
    keys.map(|k| if k == NO_BAND { 0 } else { k })
}

/// `table` followed by `fill` up to 256 entries (`table` has at most 256).
fn padded<T: Copy>(table: &[T], fill: T) -> [T; 256] {
    let mut out = [fill; 256];
    for (o, &v) in out.iter_mut().zip(table) {
        *o = v;
    }
    out
}

/// Rows per run of the kernel when a call is split over cores: below twice this many a call is
/// scored on one thread, as a second thread costs about what scoring a few thousand rows does.
const PARALLEL_ROWS: usize = 1 << 15;

/// One score's buffers over a part of the rows: values, their validity bytes and, for a
/// banded score, band keys and their validity bytes, each appended to a chunk at a time. A part
/// starts at a multiple of eight rows, and every chunk but its last holds a multiple of eight,
/// so a chunk's flags start a byte of their own.
struct OutRun {
    values: Vec<f64>,
    valid: Bitmap,
    /// The band keys and their validity; `None` for the validity when a row has a band exactly
    /// when it has a score (the band tables cover every value), so the score's bitmap is
    /// shared.
    keys: Option<(Vec<u8>, Option<Bitmap>)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::Responses;
    use crate::scoring::{score, score_columns};

    /// The band tables of each score of `instrument` for its own informant, any country.
    fn candidates_of(instrument: &Instrument) -> Vec<Candidates<'_>> {
        let def = instrument.def();
        instrument
            .score_ids()
            .map(|s| Candidates::new(&def.band_tables, s, def.informant, None))
            .collect()
    }

    /// Flags appended a chunk at a time give the bitmap and null count that row-by-row pushes
    /// give, whether the chunk starts a byte (packed eight at a time) or not.
    #[test]
    fn flags_extend_a_bitmap_packed_or_row_by_row() {
        let flags: Vec<u8> = (0..21).map(|i| u8::from(i % 3 != 0)).collect();
        let mut one = Bitmap::with_capacity(0);
        for &f in &flags {
            one.push(f != 0);
        }
        assert_eq!(one.null_count(), 7);
        for split in [0, 3, 8, 16, 21] {
            let mut chunks = Bitmap::with_capacity(0);
            chunks.extend_from_flags(&flags[..split]);
            chunks.extend_from_flags(&flags[split..]);
            assert_eq!(chunks, one, "split at {split}");
        }
    }

    /// Every banded SDQ score has a band in each row that has the score, over the indexes a row
    /// can reach, so its band column shares the score's validity when no row has an age of its
    /// own; with ages per row, the bands keep flags of their own.
    #[test]
    fn sdq_bands_share_their_scores_validity() {
        for id in ["sdq-p-4-17", "sdq-t-4-17"] {
            let instrument = crate::builtin::builtin(id).unwrap();
            let candidates = candidates_of(instrument);
            let kernel = ColumnKernel::new(
                &instrument.plan,
                ImpactMissingPolicy::default(),
                1,
                &candidates,
            )
            .unwrap();
            let dense = kernel.dense_bands(None, None);
            let banded = kernel.bands.iter().filter(|b| b.is_some()).count();
            assert!(banded >= 7, "{id}: {banded} banded scores");
            for ((score, band), dense) in instrument.score_ids().zip(&kernel.bands).zip(&dense) {
                assert_eq!(band.is_some(), dense.is_some(), "{id} {score}");
            }
            let ages = [Some(9)];
            assert!(
                kernel
                    .dense_bands(Some(&ages), None)
                    .iter()
                    .all(Option::is_none)
            );
        }
        // Three items of weight 0 to 2 with stride 11: one answered reaches 11..=13, two
        // 22..=26, three 33..=39; and the gated index, the last.
        let sdq = crate::builtin::builtin("sdq-p-4-17").unwrap();
        let reachable = reachable_indexes(&sdq.plan, &[0, 1, 2], 11, 45, true).unwrap();
        let expected: Vec<bool> = (0..45)
            .map(|x| {
                [0..=0, 11..=13, 22..=26, 33..=39, 44..=44]
                    .iter()
                    .any(|r| r.contains(&x))
            })
            .collect();
        assert_eq!(reachable, expected);
    }

    /// The column-wise kernel over several chunks, with missing answers, an absent column and
    /// varying ages or one age for all, equals scoring one respondent at a time, for every
    /// built-in instrument; the SDQ also over enough rows to be split over threads.
    #[test]
    fn column_kernel_equals_scoring_one_by_one() {
        let many = [("sdq-p-4-17", 2 * PARALLEL_ROWS + CHUNK_ROWS + 13)];
        let few = crate::builtin::builtin_ids().map(|id| (id, 2 * CHUNK_ROWS + 37));
        for (id, rows) in few.chain(many) {
            let instrument = crate::builtin::builtin(id).unwrap();
            let candidates = candidates_of(instrument);
            assert!(
                ColumnKernel::new(
                    &instrument.plan,
                    ImpactMissingPolicy::default(),
                    1,
                    &candidates
                )
                .is_some(),
                "{id} takes the row-wise path"
            );
            let mut state = 0x9e37_79b9_7f4a_7c15u64;
            let mut next = move || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            };
            let names: Vec<&str> = instrument.items().iter().map(|i| i.name.as_str()).collect();
            let columns: Vec<Vec<Option<i64>>> = (0..names.len())
                .map(|i| {
                    let options = &instrument.plan.items[i].options;
                    (0..rows)
                        .map(|_| {
                            let r = next();
                            (r % 7 != 0).then(|| options[(r >> 8) as usize % options.len()].0)
                        })
                        .collect()
                })
                .collect();
            let ages: Vec<Option<u32>> = (0..rows)
                .map(|r| (r % 11 != 0).then_some(2 + (r % 19) as u32))
                .collect();
            for (policy, with_ages) in [
                (ImpactMissingPolicy::AllItemsRequired, true),
                (ImpactMissingPolicy::SumAnswered, true),
                (ImpactMissingPolicy::AllItemsRequired, false),
            ] {
                let ages = with_ages.then_some(ages.as_slice());
                // The second item's column is left out: not done in every row.
                let pairs: Vec<(&str, &[Option<i64>])> = names
                    .iter()
                    .zip(&columns)
                    .enumerate()
                    .filter(|(i, _)| *i != 1)
                    .map(|(_, (n, c))| (*n, c.as_slice()))
                    .collect();
                let options = ScoreOptions {
                    impact_missing_policy: policy,
                    age: Some(9),
                    ..ScoreOptions::default()
                };
                let bulk = score_columns(instrument, &pairs, ages, &options).unwrap();
                for row in (0..rows).step_by(7) {
                    let responses: Responses = pairs.iter().map(|(n, c)| (*n, c[row])).collect();
                    let age = ages.and_then(|a| a[row]).or(options.age);
                    let one = score(
                        instrument,
                        &responses,
                        &ScoreOptions {
                            age,
                            ..options.clone()
                        },
                    )
                    .unwrap();
                    for (s, column) in one.scores.iter().zip(&bulk.columns) {
                        assert_eq!(s.value, column.values[row], "{id} {} row {row}", s.id);
                        let band = column
                            .bands
                            .as_ref()
                            .and_then(|b| b.codes[row].map(|c| b.labels[usize::from(c)].as_str()));
                        assert_eq!(s.band.as_ref().map(|b| b.label.as_str()), band);
                    }
                }
            }
        }
    }
}
