//! Conversion both ways: research cases to one Arrow [`RecordBatch`] per table, and batches
//! back to research cases, losslessly.

use std::collections::HashMap;

use arrow_array::RecordBatch;
use barnvern_core::Jurisdiction;

use crate::columns::{TableReader, TableWriter, cell_path};
use crate::error::{Error, Result};
use crate::research::ResearchCase;
use crate::spec::{TableSpec, tables};
use crate::tables::{self, Ctx, Sink, Staged};

/// One batch of one table.
pub type TableBatch = (&'static TableSpec, RecordBatch);

/// Writes into one unpartitioned writer per table.
struct Unpartitioned {
    writers: Vec<TableWriter>,
}

impl Sink for Unpartitioned {
    fn writer(&mut self, table: &'static str, _: Jurisdiction, _: i32) -> Result<&mut TableWriter> {
        self.writers
            .iter_mut()
            .find(|w| w.spec().name == table)
            .ok_or_else(|| Error::Schema {
                table: table.to_owned(),
                message: "no such table".to_owned(),
            })
    }
}

/// One batch per table (every table, in [`tables`] order, empty ones included) holding the
/// rows of `cases`, with the schema of the table's spec.
pub fn to_batches(cases: &[ResearchCase]) -> Result<Vec<TableBatch>> {
    let mut sink = Unpartitioned {
        writers: tables().iter().map(TableWriter::new).collect(),
    };
    for case in cases {
        tables::write_case(case, &mut sink)?;
    }
    sink.writers
        .iter_mut()
        .map(|w| Ok((w.spec(), w.finish()?)))
        .collect()
}

/// The research cases held by `batches` (any number of batches per table, in any order; a
/// table with no batch has no rows). Cases come in the order of the `cases` table's rows.
///
/// Fails with [`Error::Data`] when the rows do not fit together: a record of a case that is
/// not in `cases`, a case without its `children` row, a gap or repeat in a record's position,
/// a required value missing or a code unknown; with [`Error::Schema`] when a batch lacks a
/// column of its spec.
pub fn from_batches(batches: &[TableBatch]) -> Result<Vec<ResearchCase>> {
    let readers = |name: &'static str| -> Result<Vec<TableReader<'_>>> {
        let spec = tables::spec_of(name)?;
        batches
            .iter()
            .filter(|(s, _)| s.name == name)
            .map(|(_, b)| TableReader::new(spec, b))
            .collect()
    };

    let mut rows = Vec::new();
    for r in readers(tables::cases::NAME)? {
        tables::cases::read(&r, &mut rows)?;
    }
    let mut by_key = HashMap::with_capacity(rows.len());
    for (i, (row, c)) in rows.iter().enumerate() {
        if by_key.insert(c.case_key.as_str().to_owned(), i).is_some() {
            return Err(Error::data(
                cell_path(tables::cases::NAME, *row, "case_key"),
                "research.duplicate_case",
                "the case appears twice in the cases table",
            ));
        }
    }
    let ctx = Ctx { by_key };

    let mut children = Vec::new();
    for r in readers(tables::children::NAME)? {
        tables::children::read(&r, &ctx, &mut children)?;
    }
    let mut child_of: Vec<Option<crate::research::ResearchChild>> = vec![None; rows.len()];
    for (case, row, child) in children {
        let path = || cell_path(tables::children::NAME, row, "child_key");
        let slot = child_of
            .get_mut(case)
            .ok_or_else(|| Error::data(path(), "research.unknown_case", "no such case"))?;
        if slot.is_some() {
            return Err(Error::data(
                path(),
                "research.duplicate_case",
                "the case has two children rows",
            ));
        }
        if rows.get(case).map(|(_, c)| &c.child_key) != Some(&child.key) {
            return Err(Error::data(
                path(),
                "research.child_mismatch",
                "the child differs from the child of the case in the cases table",
            ));
        }
        *slot = Some(child);
    }

    let mut cases = Vec::with_capacity(rows.len());
    for ((row, c), child) in rows.into_iter().zip(child_of) {
        let child = child.ok_or_else(|| {
            Error::data(
                cell_path(tables::cases::NAME, row, "case_key"),
                "research.missing_child",
                "the case has no row in the children table",
            )
        })?;
        cases.push(ResearchCase {
            case_key: c.case_key,
            jurisdiction: c.jurisdiction,
            municipality: c.municipality,
            opened_on: c.opened_on,
            child,
            people: Vec::new(),
            referrals: Vec::new(),
            protection_assessments: Vec::new(),
            screenings: Vec::new(),
            investigations: Vec::new(),
            decisions: Vec::new(),
            follow_ups: Vec::new(),
            closures: Vec::new(),
            deadlines_as_of: c.deadlines_as_of,
            deadlines: Vec::new(),
        });
    }

    macro_rules! read_into {
        ($module:ident, $pick:ident) => {{
            let mut staged = Staged::new(tables::$module::NAME);
            for r in readers(tables::$module::NAME)? {
                tables::$module::read(&r, &ctx, &mut staged)?;
            }
            staged.assemble(&mut cases, $pick)?;
        }};
    }

    read_into!(people, pick_people);
    read_into!(referrals, pick_referrals);
    read_into!(referral_reasons, pick_reasons);
    read_into!(violence_exposures, pick_violence);
    read_into!(protection_assessments, pick_assessments);
    read_into!(screenings, pick_screenings);
    read_into!(investigations, pick_investigations);
    read_into!(investigation_extensions, pick_extensions);
    read_into!(child_participation, pick_participation);
    read_into!(decisions, pick_decisions);
    read_into!(decision_status, pick_status);
    read_into!(follow_ups, pick_follow_ups);
    read_into!(closures, pick_closures);
    read_into!(deadlines, pick_deadlines);
    Ok(cases)
}

/// Where the records of a top-level table go.
macro_rules! top {
    ($name:ident, $field:ident, $t:ty) => {
        fn $name(c: &mut ResearchCase, _: u32) -> Option<&mut Vec<$t>> {
            Some(&mut c.$field)
        }
    };
}

/// Where the records of a nested table go: into the parent record at position `p`.
macro_rules! nested {
    ($name:ident, $parent:ident, $field:ident, $t:ty) => {
        fn $name(c: &mut ResearchCase, p: u32) -> Option<&mut Vec<$t>> {
            c.$parent
                .get_mut(usize::try_from(p).ok()?)
                .map(|x| &mut x.$field)
        }
    };
}

use crate::research::*;
top!(pick_people, people, ResearchPerson);
top!(pick_referrals, referrals, ResearchReferral);
nested!(
    pick_reasons,
    referrals,
    reasons,
    barnvern_core::codelist::SourceCode
);
nested!(pick_violence, referrals, violence, ResearchViolence);
top!(pick_assessments, protection_assessments, ResearchAssessment);
top!(pick_screenings, screenings, ResearchScreening);
top!(pick_investigations, investigations, ResearchInvestigation);
nested!(
    pick_extensions,
    investigations,
    extensions,
    ResearchExtension
);
nested!(
    pick_participation,
    investigations,
    child_participation,
    ResearchCoded<barnvern_case::investigation::ChildParticipation>
);
top!(pick_decisions, decisions, ResearchDecision);
nested!(pick_status, decisions, status_history, ResearchStatusChange);
top!(pick_follow_ups, follow_ups, ResearchFollowUp);
top!(pick_closures, closures, ResearchClosure);
top!(pick_deadlines, deadlines, ResearchDeadline);
