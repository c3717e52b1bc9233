//! The research tables: one file per table, each declared once with [`table!`], plus the
//! code that turns research records into rows (`write`) and rows back into records (`read`).
//!
//! # Declaring a table
//!
//! ```text
//! table! {
//!     name: "fp_goals",
//!     grain: "one row per family goal",
//!     description: "Goals the family set with the Family Partner.",
//!     year: set_on,                              // the Date column whose year partitions
//!     key: [case_key, goal_index],               // the columns that identify a row
//!     columns: {
//!         family_key: Pseudonym = "Pseudonym of the family (joins fp_enrolments.family_key).",
//!         goal_index: u32 = "Position of the goal in the family's record (0, 1, ...).",
//!         set_on: NaiveDate = "Date the goal was set (its year is the partition year).",
//!         domain: Option<GoalDomain> = "What the goal is about.",
//!         minutes: Option<u32> as Measure [from(0, "minutes")] = "Length in minutes.",
//!     }
//! }
//! ```
//!
//! Every table starts with `case_key` and `jurisdiction` (not declared). A column is
//! `name: Type [as Sensitivity] [[range]] = "documentation"`. The Rust type says the Arrow type,
//! nullability (`Option<_>`), the default sensitivity and the codes ([`declare::Column`]):
//! `bool`, `i32` (a measure), `u32` (a position or count, never negative; `as Measure` for a
//! count), `u16`, `f64`, `NaiveDate`, `DateTime<Utc>`, any code enum ([`CodeEnum`]: a
//! dictionary column checked against the enum), `Pseudonym` (a join key), `MunicipalityCode`,
//! `SourceSystem`, [`declare::Dict`] and [`declare::Text`] (free codes), `Vec<u32>` (a list of
//! positions), and groups of columns: `ResearchCoded<T>` (four columns: code, source system,
//! source code, has_text; its documentation is what is coded), `Option<SourceCode>` (two)
//! and `ResearchProvenance` (the four provenance columns). A range (`[new(1, 12, "a month
//! 1-12")]`, `[from(0, "minutes")]`) is checked by `validate_table` and when reading; codes
//! that the type does not imply go in braces (`code: Dict {SystemInColumn("system".into())}`).
//!
//! From the declaration come the table's [`TableSpec`] (`spec()`: the Arrow schema, the Parquet
//! key-value metadata, the data dictionary entry, the codes and ranges that validation checks),
//! `NAME`, a `Row<'a>` struct (what a row holds when written: the case plus one field per
//! column, borrowing text), `put(sink, Row)` that writes it into its partition, and a `Rec`
//! struct with `read_rows(reader, ctx, |rec| ...)` that reads each row back. A column missing
//! from a `Row` literal, one that is not a column, or a value of the wrong type, fails to
//! compile.
//!
//! **Adding a column:** add its line to the table's `columns` (name, type, documentation), set
//! its field where the table's `write` builds the `Row`, and read it in `read` (the compiler
//! names both places); then regenerate the snapshots and, as the output changes, bump the
//! schema version, add the column to `spec::COLUMNS_ADDED` and regenerate the golden digests
//! (`BARNVERN_GOLDEN_UPDATE=1 cargo test -p barnvern-extract --test golden`).
//!
//! **Adding a table:** a file `tables/NAME.rs` with the declaration, a `write(case, sink)` that
//! builds its rows, and a `read` that `convert::from_batches` calls to put the records back;
//! then one line in [`registry!`] below (its place is the table's place in a dataset).

use std::collections::HashMap;

use barnvern_core::Jurisdiction;
use barnvern_core::codelist::SourceCode;
use barnvern_core::provenance::SourceSystem;

use crate::codes::CodeEnum;
use crate::columns::{Col, DictCol, TableReader, TableWriter, cell_path};
use crate::error::{Error, Result};
use crate::family::ResearchFamily;
use crate::pseudonym::Pseudonym;
use crate::research::{ResearchCase, ResearchCoded, ResearchProvenance};
use crate::spec::TableSpec;

pub(crate) mod declare;

/// Declares a research table once: its spec, its row types, its writer and its reader (see
/// the module documentation).
macro_rules! table {
    (
        name: $name:literal,
        grain: $grain:expr,
        description: $desc:expr,
        year: $year:ident,
        key: [$($key:ident),* $(,)?],
        columns: {
            $( $col:ident : $ty:ty $(as $sens:ident)? $([$($range:tt)*])? $({$($codes:tt)*})? = $doc:expr ),* $(,)?
        } $(,)?
    ) => {
        /// The table's name, also its directory in a dataset.
        pub(crate) const NAME: &str = $name;

        /// One row as written: its case (whose key and jurisdiction are the first two
        /// columns) and the value of each column.
        pub(crate) struct Row<'a> {
            /// The case the row belongs to.
            pub(crate) case: &'a $crate::research::ResearchCase,
            $(pub(crate) $col: <$ty as $crate::tables::declare::Column>::In<'a>,)*
        }

        /// One row as read: the position of its case, its own row number, and the value of
        /// each column. Columns derived from others (the year's date) may go unused.
        #[allow(dead_code)]
        pub(crate) struct Rec {
            pub(crate) case: usize,
            pub(crate) row: usize,
            $(pub(crate) $col: $ty,)*
        }

        /// The table spec, from the declaration.
        pub(crate) fn spec() -> $crate::spec::TableSpec {
            let mut fields = $crate::spec::case_fields();
            $(
                #[allow(unused_mut)]
                let mut column = <$ty as $crate::tables::declare::Column>::fields(
                    stringify!($col),
                    $doc,
                    None $(.or(Some($crate::spec::Sensitivity::$sens)))?,
                    None $(.or(Some($crate::spec::Range::$($range)*)))?,
                );
                $(for c in &mut column {
                    c.codes = Some($crate::spec::Codes::$($codes)*);
                })?
                fields.extend(column);
            )*
            $crate::spec::TableSpec::new(
                NAME,
                $grain,
                $desc,
                stringify!($year),
                vec![$(stringify!($key)),*],
                fields,
            )
        }

        /// Writes `row` into its partition (jurisdiction of the case, year of the year column).
        pub(crate) fn put(
            sink: &mut dyn $crate::tables::Sink,
            row: Row<'_>,
        ) -> $crate::error::Result<()> {
            let on: chrono::NaiveDate = row.$year;
            let w = sink.writer(NAME, row.case.jurisdiction, chrono::Datelike::year(&on))?;
            $crate::tables::declare::put_case(w, row.case);
            $(<$ty as $crate::tables::declare::Column>::put(w, row.$col);)*
            w.end_row()
        }

        /// The typed columns of one batch.
        struct Cols<'a> {
            $($col: <$ty as $crate::tables::declare::Column>::Reader<'a>,)*
        }

        /// Reads every row of a batch, calling `each` with it.
        #[allow(dead_code)]
        pub(crate) fn read_rows(
            r: &$crate::columns::TableReader<'_>,
            ctx: &$crate::tables::Ctx,
            each: impl FnMut(Rec) -> $crate::error::Result<()>,
        ) -> $crate::error::Result<()> {
            let case = $crate::tables::CaseCol::new(r, NAME)?;
            read_with(r, |row| case.case(ctx, row), each)
        }

        /// Reads every row of a batch, its case's position given by `case`.
        pub(crate) fn read_with(
            r: &$crate::columns::TableReader<'_>,
            case: impl Fn(usize) -> $crate::error::Result<usize>,
            mut each: impl FnMut(Rec) -> $crate::error::Result<()>,
        ) -> $crate::error::Result<()> {
            let cols = Cols {
                $($col: <$ty as $crate::tables::declare::Column>::reader(r, stringify!($col))?,)*
            };
            for row in 0..r.rows() {
                each(Rec {
                    case: case(row)?,
                    row,
                    $($col: {
                        let v = <$ty as $crate::tables::declare::Column>::get(&cols.$col, row)?;
                        $($crate::tables::declare::in_range(
                            &v,
                            $crate::spec::Range::$($range)*,
                            NAME,
                            row,
                            stringify!($col),
                        )?;)?
                        v
                    },)*
                })?;
            }
            Ok(())
        }
    };
}
pub(crate) use table;

pub(crate) mod cases;
pub(crate) mod child_participation;
pub(crate) mod children;
pub(crate) mod closures;
pub(crate) mod costs;
pub(crate) mod deadlines;
pub(crate) mod decision_status;
pub(crate) mod decisions;
pub(crate) mod follow_ups;
pub(crate) mod fp_contact_components;
pub(crate) mod fp_contacts;
pub(crate) mod fp_coordination;
pub(crate) mod fp_coordination_agencies;
pub(crate) mod fp_enrolments;
pub(crate) mod fp_goal_reviews;
pub(crate) mod fp_goals;
pub(crate) mod fp_guidance_sessions;
pub(crate) mod intervention_evaluations;
pub(crate) mod interventions;
pub(crate) mod investigation_extensions;
pub(crate) mod investigations;
pub(crate) mod item_responses;
pub(crate) mod meeting_agencies;
pub(crate) mod meetings;
pub(crate) mod people;
pub(crate) mod plan_evaluations;
pub(crate) mod plans;
pub(crate) mod protection_assessments;
pub(crate) mod questionnaires;
pub(crate) mod referral_reasons;
pub(crate) mod referrals;
pub(crate) mod risk_assessments;
pub(crate) mod scores;
pub(crate) mod screenings;
pub(crate) mod violence_disclosures;
pub(crate) mod violence_exposures;
pub(crate) mod waves;
// Norway's national reporting (SSB): records added in schema 1.2.
pub(crate) mod aftercare_conclusions;
pub(crate) mod board_referrals;
pub(crate) mod decision_claims;
pub(crate) mod decision_ends;
pub(crate) mod decision_grounds;
pub(crate) mod extension_applications;
pub(crate) mod moves;
pub(crate) mod placement_visit_frequencies;
pub(crate) mod placement_visits;
pub(crate) mod supervision_responsibility;

/// Every table spec, in dataset order.
pub(crate) fn specs() -> Vec<TableSpec> {
    vec![
        children::spec(),
        cases::spec(),
        people::spec(),
        referrals::spec(),
        referral_reasons::spec(),
        violence_exposures::spec(),
        protection_assessments::spec(),
        screenings::spec(),
        investigations::spec(),
        investigation_extensions::spec(),
        child_participation::spec(),
        risk_assessments::spec(),
        decisions::spec(),
        decision_status::spec(),
        follow_ups::spec(),
        violence_disclosures::spec(),
        closures::spec(),
        deadlines::spec(),
        interventions::spec(),
        intervention_evaluations::spec(),
        plans::spec(),
        plan_evaluations::spec(),
        meetings::spec(),
        meeting_agencies::spec(),
        fp_enrolments::spec(),
        fp_contacts::spec(),
        fp_contact_components::spec(),
        fp_guidance_sessions::spec(),
        fp_coordination::spec(),
        fp_coordination_agencies::spec(),
        fp_goals::spec(),
        fp_goal_reviews::spec(),
        waves::spec(),
        questionnaires::spec(),
        item_responses::spec(),
        scores::spec(),
        costs::spec(),
        decision_grounds::spec(),
        extension_applications::spec(),
        decision_ends::spec(),
        decision_claims::spec(),
        board_referrals::spec(),
        moves::spec(),
        placement_visit_frequencies::spec(),
        placement_visits::spec(),
        supervision_responsibility::spec(),
        aftercare_conclusions::spec(),
    ]
}

/// The spec of `name`, which every table module names itself by.
pub(crate) fn spec_of(name: &str) -> Result<&'static TableSpec> {
    crate::spec::table(name).ok_or_else(|| Error::Schema {
        table: name.to_owned(),
        message: "no such table".to_owned(),
    })
}

/// Where rows go: the writer of a table's partition (jurisdiction, year).
pub(crate) trait Sink {
    /// The writer for rows of `table` in partition (`jurisdiction`, `year`).
    fn writer(
        &mut self,
        table: &'static str,
        jurisdiction: Jurisdiction,
        year: i32,
    ) -> Result<&mut TableWriter>;
}

/// Writes every row of `case` into `sink`, table by table.
pub(crate) fn write_case(case: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    children::write(case, sink)?;
    cases::write(case, sink)?;
    people::write(case, sink)?;
    referrals::write(case, sink)?;
    referral_reasons::write(case, sink)?;
    violence_exposures::write(case, sink)?;
    protection_assessments::write(case, sink)?;
    screenings::write(case, sink)?;
    investigations::write(case, sink)?;
    investigation_extensions::write(case, sink)?;
    child_participation::write(case, sink)?;
    risk_assessments::write(case, sink)?;
    decisions::write(case, sink)?;
    decision_status::write(case, sink)?;
    follow_ups::write(case, sink)?;
    violence_disclosures::write(case, sink)?;
    closures::write(case, sink)?;
    deadlines::write(case, sink)?;
    interventions::write(case, sink)?;
    intervention_evaluations::write(case, sink)?;
    plans::write(case, sink)?;
    plan_evaluations::write(case, sink)?;
    meetings::write(case, sink)?;
    meeting_agencies::write(case, sink)?;
    fp_enrolments::write(case, sink)?;
    fp_contacts::write(case, sink)?;
    fp_contact_components::write(case, sink)?;
    fp_guidance_sessions::write(case, sink)?;
    fp_coordination::write(case, sink)?;
    fp_coordination_agencies::write(case, sink)?;
    fp_goals::write(case, sink)?;
    fp_goal_reviews::write(case, sink)?;
    waves::write(case, sink)?;
    questionnaires::write(case, sink)?;
    item_responses::write(case, sink)?;
    scores::write(case, sink)?;
    costs::write(case, sink)?;
    decision_grounds::write(case, sink)?;
    extension_applications::write(case, sink)?;
    decision_ends::write(case, sink)?;
    decision_claims::write(case, sink)?;
    board_referrals::write(case, sink)?;
    moves::write(case, sink)?;
    placement_visit_frequencies::write(case, sink)?;
    placement_visits::write(case, sink)?;
    supervision_responsibility::write(case, sink)?;
    aftercare_conclusions::write(case, sink)
}

/// Finds a case's position by its key while reading.
pub(crate) struct Ctx {
    pub(crate) by_key: HashMap<String, usize>,
}

impl Ctx {
    pub(crate) fn case(&self, table: &str, row: usize, key: &str) -> Result<usize> {
        self.by_key.get(key).copied().ok_or_else(|| {
            Error::data(
                cell_path(table, row, "case_key"),
                "research.unknown_case",
                "the row's case is not in the cases table",
            )
        })
    }
}

/// Records read from a table, each with its case, parent position, own position and row.
pub(crate) struct Staged<T> {
    table: &'static str,
    items: Vec<(usize, u32, u32, usize, T)>,
}

impl<T> Staged<T> {
    pub(crate) fn new(table: &'static str) -> Self {
        Staged {
            table,
            items: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, case: usize, parent: u32, index: u32, row: usize, item: T) {
        self.items.push((case, parent, index, row, item));
    }

    /// Puts every record at its position in the vector `target` picks for its case and parent.
    /// Positions must run 0, 1, 2 ... with no gap and no repeat.
    pub(crate) fn assemble<F>(mut self, cases: &mut [ResearchCase], target: F) -> Result<()>
    where
        F: for<'c> Fn(&'c mut ResearchCase, u32) -> Option<&'c mut Vec<T>>,
    {
        self.items.sort_by_key(|(c, p, i, _, _)| (*c, *p, *i));
        for (c, parent, index, row, item) in self.items {
            let path = || cell_path(self.table, row, "");
            let list = cases
                .get_mut(c)
                .and_then(|case| target(case, parent))
                .ok_or_else(|| {
                    Error::data(
                        path(),
                        "research.unknown_parent",
                        "the record belongs to a record that is not in its table",
                    )
                })?;
            if usize::try_from(index).ok() != Some(list.len()) {
                return Err(Error::data(
                    path(),
                    "research.index",
                    format!(
                        "position {index} does not follow the case's {} earlier records (a gap or a repeat)",
                        list.len()
                    ),
                ));
            }
            list.push(item);
        }
        Ok(())
    }
}

/// Reads the case key of a row and finds its case.
pub(crate) struct CaseCol<'a> {
    key: Col<'a, arrow_array::StringArray>,
    table: &'static str,
}

impl<'a> CaseCol<'a> {
    pub(crate) fn new(r: &TableReader<'a>, table: &'static str) -> Result<Self> {
        Ok(CaseCol {
            key: r.utf8("case_key")?,
            table,
        })
    }
    pub(crate) fn case(&self, ctx: &Ctx, row: usize) -> Result<usize> {
        ctx.case(self.table, row, self.key.req(row)?)
    }
}

/// Writes `case_key` and `jurisdiction`, the first two columns of every table.
pub(crate) fn put_case(w: &mut TableWriter, case: &ResearchCase) {
    w.utf8("case_key", Some(case.case_key.as_str()))
        .code("jurisdiction", Some(case.jurisdiction));
}

/// Writes `case_key`, `jurisdiction` and `family_key`, the first columns of every Family
/// Partner table.
pub(crate) fn put_family(w: &mut TableWriter, case: &ResearchCase, family: &ResearchFamily) {
    put_case(w, case);
    w.utf8("family_key", Some(family.family_key.as_str()));
}

/// A count read back into a 16-bit field (minutes of a contact).
pub(crate) fn small(table: &str, row: usize, column: &str, v: Option<u32>) -> Result<Option<u16>> {
    v.map(|v| {
        u16::try_from(v).map_err(|_| {
            Error::data(
                cell_path(table, row, column),
                "research.range",
                format!("{v} does not fit the field (at most 65535)"),
            )
        })
    })
    .transpose()
}

/// Writes a source code into two columns (system, code).
pub(crate) fn put_source(w: &mut TableWriter, names: [&str; 2], v: Option<&SourceCode>) {
    w.dict(names[0], v.map(SourceCode::system))
        .dict(names[1], v.map(SourceCode::code));
}

/// Writes a coded value into four columns (code, source system, source code, has_text).
pub(crate) fn put_coded<T: CodeEnum>(
    w: &mut TableWriter,
    names: [&str; 4],
    v: Option<&ResearchCoded<T>>,
) {
    w.code(names[0], v.map(|c| c.code));
    put_source(w, [names[1], names[2]], v.and_then(|c| c.source.as_ref()));
    w.bool(names[3], v.map(|c| c.has_text));
}

/// Writes the provenance columns.
pub(crate) fn put_provenance(w: &mut TableWriter, p: &ResearchProvenance) {
    w.ts("recorded_at", Some(p.recorded_at))
        .code("recorded_by_role", Some(p.recorded_by_role))
        .utf8("recorded_by_key", Some(p.recorded_by.as_str()))
        .dict("source_system", Some(p.source_system.as_str()));
}

/// The two columns of a source code.
pub(crate) struct SourceCols<'a> {
    system: DictCol<'a>,
    code: DictCol<'a>,
}

impl<'a> SourceCols<'a> {
    /// The two columns of the source code `name`.
    pub(crate) fn named(r: &TableReader<'a>, name: &str) -> Result<Self> {
        Self::new(
            r,
            [
                &format!("{name}_source_system"),
                &format!("{name}_source_code"),
            ],
        )
    }
    pub(crate) fn new(r: &TableReader<'a>, names: [&str; 2]) -> Result<Self> {
        Ok(SourceCols {
            system: r.dict(names[0])?,
            code: r.dict(names[1])?,
        })
    }
    pub(crate) fn get(&self, row: usize) -> Result<Option<SourceCode>> {
        match (self.system.get(row), self.code.get(row)) {
            (None, None) => Ok(None),
            (Some(_), Some(_)) => {
                let system = self.system.req(row)?;
                self.code.parse(row, |code| SourceCode::new(system, code))
            }
            (None, Some(_)) => Err(self
                .system
                .req(row)
                .err()
                .unwrap_or_else(|| Error::data("", "research.null", "source system missing"))),
            (Some(_), None) => Err(self
                .code
                .req(row)
                .err()
                .unwrap_or_else(|| Error::data("", "research.null", "source code missing"))),
        }
    }
}

/// The four columns of a coded value.
pub(crate) struct CodedCols<'a> {
    code: DictCol<'a>,
    source: SourceCols<'a>,
    has_text: Col<'a, arrow_array::BooleanArray>,
}

impl<'a> CodedCols<'a> {
    /// The four columns of the coded value `name`.
    pub(crate) fn named(r: &TableReader<'a>, name: &str) -> Result<Self> {
        Self::new(
            r,
            [
                name,
                &format!("{name}_source_system"),
                &format!("{name}_source_code"),
                &format!("{name}_has_text"),
            ],
        )
    }
    pub(crate) fn new(r: &TableReader<'a>, names: [&str; 4]) -> Result<Self> {
        Ok(CodedCols {
            code: r.dict(names[0])?,
            source: SourceCols::new(r, [names[1], names[2]])?,
            has_text: r.bool(names[3])?,
        })
    }
    /// The coded value, or `None` when its code is null.
    pub(crate) fn get<T: CodeEnum>(&self, row: usize) -> Result<Option<ResearchCoded<T>>> {
        let Some(code) = self.code.code::<T>(row)? else {
            return Ok(None);
        };
        Ok(Some(ResearchCoded {
            code,
            source: self.source.get(row)?,
            has_text: self.has_text.req(row)?,
        }))
    }
    pub(crate) fn req<T: CodeEnum>(&self, row: usize) -> Result<ResearchCoded<T>> {
        match self.get(row)? {
            Some(v) => Ok(v),
            None => self.code.req_code::<T>(row).map(|code| ResearchCoded {
                code,
                source: None,
                has_text: false,
            }),
        }
    }
}

/// The provenance columns.
pub(crate) struct ProvCols<'a> {
    at: Col<'a, arrow_array::TimestampMicrosecondArray>,
    role: DictCol<'a>,
    key: Col<'a, arrow_array::StringArray>,
    system: DictCol<'a>,
}

impl<'a> ProvCols<'a> {
    pub(crate) fn new(r: &TableReader<'a>) -> Result<Self> {
        Ok(ProvCols {
            at: r.ts("recorded_at")?,
            role: r.dict("recorded_by_role")?,
            key: r.utf8("recorded_by_key")?,
            system: r.dict("source_system")?,
        })
    }
    pub(crate) fn get(&self, row: usize) -> Result<ResearchProvenance> {
        Ok(ResearchProvenance {
            recorded_at: self.at.req(row)?,
            recorded_by_role: self.role.req_code(row)?,
            recorded_by: self.key.req_parse(row, Pseudonym::new)?,
            source_system: self.system.req_parse(row, SourceSystem::new)?,
        })
    }
}

/// The names of a coded value's four columns, as [`crate::spec::coded_fields`] makes them.
macro_rules! coded_names {
    ($name:literal) => {
        [
            $name,
            concat!($name, "_source_system"),
            concat!($name, "_source_code"),
            concat!($name, "_has_text"),
        ]
    };
}
pub(crate) use coded_names;
