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
//! `SourceSystem`, [`declare::Dict`] (free text that repeats), `Vec<u32>` (a list of
//! positions), and groups of columns: `ResearchCoded<T>` (four columns: code, source system,
//! source code, has_text; its documentation is what is coded), `Option<SourceCode>` (two)
//! and `ResearchProvenance` (the four provenance columns). A range (`[new(1, 12, "a month
//! 1-12")]`, `[from(0, "minutes")]`) is checked by `validate_table` (reading checks only what
//! the research types cannot hold, as a month of birth; see `children::read`); codes
//! that the type does not imply go in braces (`code: Dict {SystemInColumn("system".into())}`).
//!
//! From the declaration come the table's [`TableSpec`] (`spec()`: the Arrow schema, the Parquet
//! key-value metadata, the data dictionary entry, the codes and ranges that validation checks),
//! `NAME`, a `Row<'a>` struct (what a row holds when written: the case plus one field per
//! column, borrowing text), `put(sink, Row)` that writes it into its partition, and a `Rec`
//! struct with `read_rows(reader, ctx, |rec| ...)` that reads each row back. A column missing
//! from a `Row` literal, one that is not a column, or a value of the wrong type, fails to
//! compile (doc tests of `crate::compile_checks`). A group of columns shared by tables is a
//! type implementing [`declare::Column`] (`ResearchViolence` in `violence_exposures`, the
//! withdrawals in `fp_enrolments`).
//!
//! **Adding a column:** add its line to the table's `columns` (name, type, documentation), set
//! its field where the table's `write` builds the `Row` (the compiler names the place: E0063),
//! and use `rec.NAME` in `read` where the research record has a field for it. The output
//! changes, so: bump `spec::SCHEMA_VERSION`, add the column to `spec::COLUMNS_ADDED` (older
//! files read it as null) or derive it in `migrate.rs`, update the schema snapshot test, and
//! regenerate the golden digests (`BARNVERN_GOLDEN_UPDATE=1 cargo test -p barnvern-extract
//! --test golden`).
//!
//! **Adding a table:** a file `tables/NAME.rs` with the declaration, a `write(case, sink)` that
//! builds its rows (`put(sink, Row { .. })`), and a `read` (`read_rows(r, ctx, |x| ..)`) that
//! `convert::from_batches` calls to put the records back (most push into a `Staged` list:
//! one `read_into!` line there);
//! then one line in [`registry!`] below (its place is the table's place in a dataset).

use std::collections::HashMap;

use barnvern_core::Jurisdiction;
use barnvern_core::codelist::SourceCode;
use barnvern_core::provenance::SourceSystem;

use crate::codes::CodeEnum;
use crate::columns::{Col, DictCol, TableReader, TableWriter, cell_path};
use crate::error::{Error, Result};
use crate::spec::TableSpec;
use barnvern_research::case::{ResearchCase, ResearchCoded, ResearchProvenance};
use barnvern_research::pseudonym::Pseudonym;

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
        /// columns) and the value of each column. (Public only so that the compile-fail
        /// tests of `crate::compile_checks` can build one.)
        #[allow(private_interfaces, unreachable_pub)]
        pub struct Row<'a> {
            /// The case the row belongs to.
            pub case: &'a barnvern_research::case::ResearchCase,
            $(
                #[doc = concat!("Column `", stringify!($col), "`.")]
                pub $col: <$ty as $crate::tables::declare::Column>::In<'a>,
            )*
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
                    $($col: <$ty as $crate::tables::declare::Column>::get(&cols.$col, row)?,)*
                })?;
            }
            Ok(())
        }
    };
}

/// The research tables, in dataset order: one line each. From this list come the table
/// modules, [`specs`] (and so `spec::tables()`, the dictionary and validation) and
/// [`write_case`].
macro_rules! registry {
    ($($table:ident),* $(,)?) => {
        $(pub(crate) mod $table;)*

        /// Every table spec, in dataset order.
        pub(crate) fn specs() -> Vec<TableSpec> {
            vec![$($table::spec()),*]
        }

        /// Writes every row of `case` into `sink`, table by table.
        pub(crate) fn write_case(case: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
            $($table::write(case, sink)?;)*
            Ok(())
        }
    };
}

registry! {
    // The case process.
    children,
    cases,
    people,
    referrals,
    referral_reasons,
    violence_exposures,
    protection_assessments,
    screenings,
    investigations,
    investigation_extensions,
    child_participation,
    risk_assessments,
    decisions,
    decision_status,
    follow_ups,
    violence_disclosures,
    closures,
    deadlines,
    // Services.
    interventions,
    intervention_evaluations,
    plans,
    plan_evaluations,
    meetings,
    meeting_agencies,
    // The Family Partner programme and its trial.
    fp_enrolments,
    fp_contacts,
    fp_contact_components,
    fp_guidance_sessions,
    fp_coordination,
    fp_coordination_agencies,
    fp_goals,
    fp_goal_reviews,
    fp_interviews,
    waves,
    questionnaires,
    item_responses,
    scores,
    costs,
    // Norway's national reporting (SSB): records added in schema 1.2.
    decision_grounds,
    extension_applications,
    decision_ends,
    decision_claims,
    board_referrals,
    moves,
    placement_visit_frequencies,
    placement_visits,
    supervision_responsibility,
    aftercare_conclusions,
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
