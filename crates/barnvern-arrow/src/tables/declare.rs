//! What a column declaration of [`table!`](crate::tables::table) means: each Rust type a row
//! field may have is a [`Column`], which knows its Arrow column(s), how a value is written
//! into them and read back. The macro puts one declaration per table together from these.

use barnvern_core::codelist::SourceCode;
use barnvern_core::municipality::MunicipalityCode;
use barnvern_core::provenance::SourceSystem;
use chrono::{DateTime, NaiveDate, Utc};

use arrow_array::{BooleanArray, Date32Array, Float64Array, Int32Array, StringArray};
use arrow_array::{ListArray, TimestampMicrosecondArray};

use super::{CodedCols, ProvCols, SourceCols};
use crate::codes::CodeEnum;
use crate::columns::{Col, DictCol, TableReader, TableWriter};
use crate::error::{Error, Result};
use crate::spec::{
    Codes, ColumnType, FieldSpec, Range, Sensitivity, coded_fields, f, provenance_fields,
    source_fields,
};
use barnvern_research::case::{ResearchCoded, ResearchProvenance};
use barnvern_research::pseudonym::Pseudonym;

/// A value held in one Arrow column. The Rust type says the Arrow type, the default
/// sensitivity and the codes; `Option<T>` makes the column nullable.
pub(crate) trait Cell: Sized {
    /// The Arrow column type.
    const TY: ColumnType;
    /// What kind of information it is, unless the declaration says otherwise.
    const SENSITIVITY: Sensitivity;
    /// The value as a row being written holds it (a reference for owned text).
    type In<'a>: Copy;
    /// The column of a batch being read.
    type Reader<'a>;
    /// The codes the column may hold.
    fn codes() -> Option<Codes> {
        None
    }
    /// Appends the value (or a null) to the writer's next column.
    fn put(w: &mut TableWriter, v: Option<Self::In<'_>>);
    /// The column `name` of a batch.
    fn reader<'a>(r: &TableReader<'a>, name: &'static str) -> Result<Self::Reader<'a>>;
    /// The value at `row`, or `None` for a null.
    fn get(r: &Self::Reader<'_>, row: usize) -> Result<Option<Self>>;
    /// The finding for a null where a value is required.
    fn null(r: &Self::Reader<'_>, row: usize) -> Error;
}

/// The type of a row field: one column ([`Cell`], or `Option` of one) or a group of columns
/// (a coded value, a source code, provenance).
pub(crate) trait Column: Sized {
    /// The value as a row being written holds it.
    type In<'a>: Copy;
    /// The columns of a batch being read.
    type Reader<'a>;
    /// The field specs of the column(s) named after `name`.
    fn fields(
        name: &str,
        doc: &str,
        sensitivity: Option<Sensitivity>,
        range: Option<Range>,
    ) -> Vec<FieldSpec>;
    /// Appends the value to the writer's next column(s).
    fn put(w: &mut TableWriter, v: Self::In<'_>);
    /// The column(s) named after `name` of a batch.
    fn reader<'a>(r: &TableReader<'a>, name: &'static str) -> Result<Self::Reader<'a>>;
    /// The value at `row`.
    fn get(r: &Self::Reader<'_>, row: usize) -> Result<Self>;
}

fn cell_field<C: Cell>(
    name: &str,
    doc: &str,
    nullable: bool,
    sensitivity: Option<Sensitivity>,
    range: Option<Range>,
) -> Vec<FieldSpec> {
    let mut field = f(name, C::TY, sensitivity.unwrap_or(C::SENSITIVITY), doc);
    field.nullable = nullable;
    field.codes = C::codes();
    field.range = range;
    vec![field]
}

impl<C: Cell> Column for C {
    type In<'a> = C::In<'a>;
    type Reader<'a> = C::Reader<'a>;
    fn fields(
        name: &str,
        doc: &str,
        sensitivity: Option<Sensitivity>,
        range: Option<Range>,
    ) -> Vec<FieldSpec> {
        cell_field::<C>(name, doc, false, sensitivity, range)
    }
    fn put(w: &mut TableWriter, v: C::In<'_>) {
        C::put(w, Some(v));
    }
    fn reader<'a>(r: &TableReader<'a>, name: &'static str) -> Result<C::Reader<'a>> {
        C::reader(r, name)
    }
    fn get(r: &C::Reader<'_>, row: usize) -> Result<C> {
        C::get(r, row)?.ok_or_else(|| C::null(r, row))
    }
}

impl<C: Cell> Column for Option<C> {
    type In<'a> = Option<C::In<'a>>;
    type Reader<'a> = C::Reader<'a>;
    fn fields(
        name: &str,
        doc: &str,
        sensitivity: Option<Sensitivity>,
        range: Option<Range>,
    ) -> Vec<FieldSpec> {
        cell_field::<C>(name, doc, true, sensitivity, range)
    }
    fn put(w: &mut TableWriter, v: Option<C::In<'_>>) {
        C::put(w, v);
    }
    fn reader<'a>(r: &TableReader<'a>, name: &'static str) -> Result<C::Reader<'a>> {
        C::reader(r, name)
    }
    fn get(r: &C::Reader<'_>, row: usize) -> Result<Option<C>> {
        C::get(r, row)
    }
}

/// A primitive cell: the Rust type is the Arrow value.
macro_rules! primitive_cell {
    ($t:ty, $ty:ident, $sens:ident, $array:ty, $put:ident, $read:ident, |$r:ident, $row:ident| $get:expr) => {
        impl Cell for $t {
            const TY: ColumnType = ColumnType::$ty;
            const SENSITIVITY: Sensitivity = Sensitivity::$sens;
            type In<'a> = $t;
            type Reader<'a> = Col<'a, $array>;
            fn put(w: &mut TableWriter, v: Option<$t>) {
                w.$put(v);
            }
            fn reader<'a>(r: &TableReader<'a>, name: &'static str) -> Result<Col<'a, $array>> {
                r.$read(name)
            }
            fn get($r: &Col<'_, $array>, $row: usize) -> Result<Option<$t>> {
                $get
            }
            fn null(r: &Col<'_, $array>, row: usize) -> Error {
                r.null(row)
            }
        }
    };
}

primitive_cell!(bool, Bool, Flag, BooleanArray, put_bool, bool, |r, row| Ok(
    r.get(row)
));
primitive_cell!(i32, Int32, Measure, Int32Array, put_i32, i32, |r, row| Ok(
    r.get(row)
));
primitive_cell!(
    f64,
    Float64,
    Measure,
    Float64Array,
    put_f64,
    f64,
    |r, row| Ok(r.get(row))
);
// A position or count: an `i32` that is not negative.
primitive_cell!(u32, Int32, Index, Int32Array, put_u32, i32, |r, row| r
    .index(row));
// A small number (a paragraph of a legal basis).
primitive_cell!(u8, Int32, Measure, Int32Array, put_u8, i32, |r, row| r
    .tiny(row));
// A short count (minutes of a contact).
primitive_cell!(u16, Int32, Measure, Int32Array, put_u16, i32, |r, row| r
    .small(row));
primitive_cell!(
    NaiveDate,
    Date32,
    Date,
    Date32Array,
    put_date,
    date,
    |r, row| r.get(row)
);
primitive_cell!(
    DateTime<Utc>,
    TimestampUtc,
    Timestamp,
    TimestampMicrosecondArray,
    put_ts,
    ts,
    |r, row| r.get(row)
);

/// A list of positions (never null).
impl Column for Vec<u32> {
    type In<'a> = &'a [u32];
    type Reader<'a> = Col<'a, ListArray>;
    fn fields(
        name: &str,
        doc: &str,
        sensitivity: Option<Sensitivity>,
        range: Option<Range>,
    ) -> Vec<FieldSpec> {
        let mut field = f(
            name,
            ColumnType::ListInt32,
            sensitivity.unwrap_or(Sensitivity::Index),
            doc,
        );
        field.range = range;
        vec![field]
    }
    fn put(w: &mut TableWriter, v: &[u32]) {
        w.put_list_u32(v);
    }
    fn reader<'a>(r: &TableReader<'a>, name: &'static str) -> Result<Col<'a, ListArray>> {
        r.list(name)
    }
    fn get(r: &Col<'_, ListArray>, row: usize) -> Result<Vec<u32>> {
        r.indices(row)
    }
}

/// A canonical code of a domain enum: dictionary-encoded text, checked against the enum.
impl<T: CodeEnum> Cell for T {
    const TY: ColumnType = ColumnType::Dict;
    const SENSITIVITY: Sensitivity = Sensitivity::Code;
    type In<'a> = T;
    type Reader<'a> = DictCol<'a>;
    fn codes() -> Option<Codes> {
        Some(Codes::canonical::<T>())
    }
    fn put(w: &mut TableWriter, v: Option<T>) {
        w.put_code(v.map(CodeEnum::code));
    }
    fn reader<'a>(r: &TableReader<'a>, name: &'static str) -> Result<DictCol<'a>> {
        r.dict(name)
    }
    fn get(r: &DictCol<'_>, row: usize) -> Result<Option<T>> {
        r.code(row)
    }
    fn null(r: &DictCol<'_>, row: usize) -> Error {
        r.null(row)
    }
}

/// A validated text type held in a string column: plain text (`utf8`) for keys that rarely
/// repeat, dictionary-encoded (`dict`) for codes.
macro_rules! text_cell {
    ($t:ty, utf8, $sens:ident, $codes:expr) => {
        text_cell!(@ $t, Utf8, $sens, $codes, Col<'a, StringArray>, utf8, put_utf8);
    };
    ($t:ty, dict, $sens:ident, $codes:expr) => {
        text_cell!(@ $t, Dict, $sens, $codes, DictCol<'a>, dict, put_dict);
    };
    (@ $t:ty, $ty:ident, $sens:ident, $codes:expr, $reader:ty, $read:ident, $put:ident) => {
        impl Cell for $t {
            const TY: ColumnType = ColumnType::$ty;
            const SENSITIVITY: Sensitivity = Sensitivity::$sens;
            type In<'a> = &'a $t;
            type Reader<'a> = $reader;
            fn codes() -> Option<Codes> {
                $codes
            }
            fn put(w: &mut TableWriter, v: Option<&$t>) {
                w.$put(v.map(|v| v.as_str()));
            }
            fn reader<'a>(r: &TableReader<'a>, name: &'static str) -> Result<$reader> {
                r.$read(name)
            }
            fn get(r: &Self::Reader<'_>, row: usize) -> Result<Option<$t>> {
                r.parse(row, <$t>::new)
            }
            fn null(r: &Self::Reader<'_>, row: usize) -> Error {
                r.null(row)
            }
        }
    };
}

text_cell!(Pseudonym, utf8, Pseudonym, None);
text_cell!(MunicipalityCode, dict, Code, Some(Codes::Municipality));
text_cell!(SourceSystem, dict, Code, None);

/// Text that repeats (a component code, an instrument id): dictionary-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dict(pub(crate) String);

impl Cell for Dict {
    const TY: ColumnType = ColumnType::Dict;
    const SENSITIVITY: Sensitivity = Sensitivity::Code;
    type In<'a> = &'a str;
    type Reader<'a> = DictCol<'a>;
    fn put(w: &mut TableWriter, v: Option<&str>) {
        w.put_dict(v);
    }
    fn reader<'a>(r: &TableReader<'a>, name: &'static str) -> Result<DictCol<'a>> {
        r.dict(name)
    }
    fn get(r: &DictCol<'_>, row: usize) -> Result<Option<Dict>> {
        Ok(r.get(row).map(|s| Dict(s.to_owned())))
    }
    fn null(r: &DictCol<'_>, row: usize) -> Error {
        r.null(row)
    }
}

/// A coded value, required: four columns `{name}`, `{name}_source_system`,
/// `{name}_source_code`, `{name}_has_text`; the declaration's doc says what is coded.
impl<T: CodeEnum> Column for ResearchCoded<T> {
    type In<'a> = &'a ResearchCoded<T>;
    type Reader<'a> = CodedCols<'a>;
    fn fields(name: &str, what: &str, _: Option<Sensitivity>, _: Option<Range>) -> Vec<FieldSpec> {
        coded_fields::<T>(name, what, false)
    }
    fn put(w: &mut TableWriter, v: &ResearchCoded<T>) {
        put_coded(w, Some(v));
    }
    fn reader<'a>(r: &TableReader<'a>, name: &'static str) -> Result<CodedCols<'a>> {
        CodedCols::named(r, name)
    }
    fn get(r: &CodedCols<'_>, row: usize) -> Result<ResearchCoded<T>> {
        r.req(row)
    }
}

/// A coded value that may be absent (its code and has_text null).
impl<T: CodeEnum> Column for Option<ResearchCoded<T>> {
    type In<'a> = Option<&'a ResearchCoded<T>>;
    type Reader<'a> = CodedCols<'a>;
    fn fields(name: &str, what: &str, _: Option<Sensitivity>, _: Option<Range>) -> Vec<FieldSpec> {
        coded_fields::<T>(name, what, true)
    }
    fn put(w: &mut TableWriter, v: Option<&ResearchCoded<T>>) {
        put_coded(w, v);
    }
    fn reader<'a>(r: &TableReader<'a>, name: &'static str) -> Result<CodedCols<'a>> {
        CodedCols::named(r, name)
    }
    fn get(r: &CodedCols<'_>, row: usize) -> Result<Option<ResearchCoded<T>>> {
        r.get(row)
    }
}

/// A source code as recorded: two columns `{name}_source_system`, `{name}_source_code`.
impl Column for Option<SourceCode> {
    type In<'a> = Option<&'a SourceCode>;
    type Reader<'a> = SourceCols<'a>;
    fn fields(name: &str, what: &str, _: Option<Sensitivity>, _: Option<Range>) -> Vec<FieldSpec> {
        source_fields(&format!("{name}_"), what)
    }
    fn put(w: &mut TableWriter, v: Option<&SourceCode>) {
        put_source(w, v);
    }
    fn reader<'a>(r: &TableReader<'a>, name: &'static str) -> Result<SourceCols<'a>> {
        SourceCols::named(r, name)
    }
    fn get(r: &SourceCols<'_>, row: usize) -> Result<Option<SourceCode>> {
        r.get(row)
    }
}

/// Provenance: the columns `recorded_at`, `recorded_by_role`, `recorded_by_key`,
/// `source_system` (the field's own name is not used).
impl Column for ResearchProvenance {
    type In<'a> = &'a ResearchProvenance;
    type Reader<'a> = ProvCols<'a>;
    fn fields(_: &str, _: &str, _: Option<Sensitivity>, _: Option<Range>) -> Vec<FieldSpec> {
        provenance_fields()
    }
    fn put(w: &mut TableWriter, v: &ResearchProvenance) {
        put_provenance(w, v);
    }
    fn reader<'a>(r: &TableReader<'a>, _: &'static str) -> Result<ProvCols<'a>> {
        ProvCols::new(r)
    }
    fn get(r: &ProvCols<'_>, row: usize) -> Result<ResearchProvenance> {
        r.get(row)
    }
}

/// The position of the `i`-th record as a row holds it; a position past `u32` (which no case
/// has) becomes `u32::MAX`, which the writer refuses as too large for the column.
pub(crate) fn pos(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Writes `case_key` and `jurisdiction`, the first two columns of every table.
pub(crate) fn put_case(w: &mut TableWriter, case: &barnvern_research::case::ResearchCase) {
    w.put_utf8(Some(case.case_key.as_str()));
    w.put_code(Some(case.jurisdiction.code()));
}

/// Writes a source code into the next two columns (system, code).
fn put_source(w: &mut TableWriter, v: Option<&SourceCode>) {
    w.put_dict(v.map(SourceCode::system));
    w.put_dict(v.map(SourceCode::code));
}

/// Writes a coded value into the next four columns (code, source system, source code,
/// has_text).
fn put_coded<T: CodeEnum>(w: &mut TableWriter, v: Option<&ResearchCoded<T>>) {
    w.put_code(v.map(|c| c.code.code()));
    put_source(w, v.and_then(|c| c.source.as_ref()));
    w.put_bool(v.map(|c| c.has_text));
}

/// Writes the four provenance columns.
fn put_provenance(w: &mut TableWriter, p: &ResearchProvenance) {
    w.put_ts(Some(p.recorded_at));
    w.put_code(Some(p.recorded_by_role.code()));
    w.put_utf8(Some(p.recorded_by.as_str()));
    w.put_dict(Some(p.source_system.as_str()));
}

/// An integer value whose declared range is checked when read.
pub(crate) trait Ranged {
    /// The value, or `None` for a null.
    fn value(&self) -> Option<i64>;
}

impl Ranged for i32 {
    fn value(&self) -> Option<i64> {
        Some(i64::from(*self))
    }
}

impl Ranged for u32 {
    fn value(&self) -> Option<i64> {
        Some(i64::from(*self))
    }
}

impl<T: Ranged> Ranged for Option<T> {
    fn value(&self) -> Option<i64> {
        self.as_ref().and_then(T::value)
    }
}

/// Fails when `v` is outside its column's declared range.
pub(crate) fn in_range(
    v: &impl Ranged,
    range: Range,
    table: &str,
    row: usize,
    column: &str,
) -> Result<()> {
    match v.value() {
        Some(x) if x < range.min || x > range.max => Err(Error::data(
            crate::columns::cell_path(table, row, column),
            "research.range",
            format!("{x} is not {}", range.what),
        )),
        _ => Ok(()),
    }
}

impl Ranged for u16 {
    fn value(&self) -> Option<i64> {
        Some(i64::from(*self))
    }
}

/// The source code of a row from its system and code columns (read as text).
pub(crate) fn source_code(
    table: &str,
    row: usize,
    column: &str,
    system: &str,
    code: &str,
) -> Result<SourceCode> {
    parsed(table, row, column, SourceCode::new(system, code))
}

/// A value parsed from a cell, its refusal a finding at the cell.
pub(crate) fn parsed<T>(
    table: &str,
    row: usize,
    column: &str,
    v: std::result::Result<T, barnvern_core::Finding>,
) -> Result<T> {
    v.map_err(|i| {
        Error::data(
            crate::columns::cell_path(table, row, column),
            &i.code,
            i.message,
        )
    })
}

impl Ranged for u8 {
    fn value(&self) -> Option<i64> {
        Some(i64::from(*self))
    }
}

/// A value that the row's other columns make required (an allocation's date once it has an
/// arm): a null is a finding at the cell.
pub(crate) fn required<T>(v: Option<T>, table: &str, row: usize, column: &str) -> Result<T> {
    v.ok_or_else(|| {
        Error::data(
            crate::columns::cell_path(table, row, column),
            "research.null",
            "a required value is missing",
        )
    })
}
