//! The research tables: one file per table, each with its spec, its writer (research cases to
//! rows) and its reader (rows back to research records).

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
pub(crate) mod fp_interviews;
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
        fp_interviews::spec(),
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
    fp_interviews::write(case, sink)?;
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
    pub(crate) fn new(r: &TableReader<'a>, names: [&'static str; 2]) -> Result<Self> {
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
    pub(crate) fn new(r: &TableReader<'a>, names: [&'static str; 4]) -> Result<Self> {
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
