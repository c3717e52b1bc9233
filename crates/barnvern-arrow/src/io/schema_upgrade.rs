//! Reading files of an older research schema version: the one place that brings an older
//! file's columns up to this build's spec. A column a later version added is either derived
//! from what the older file holds, where its meaning allows ([`DERIVED`]), or read as all null
//! ([`crate::spec::COLUMNS_ADDED`], nullable columns only); any other missing column is left
//! missing, and the column check refuses the file as before.
//!
//! - 1.2 added `deadlines.start_basis` and `deadlines.completed_same_day`. Up to 1.1 every
//!   period counted from the receipt (protection assessment, screening), the investigation's
//!   recorded start (investigation, in both countries) or the measure's start (evaluation), so
//!   the basis follows from `kind`; the same-day flag from `completed_on` and `start_on`.
//! - 1.2 added the trial's site and stratum columns of `fp_enrolments`: null in older files.

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, DictionaryArray, RecordBatch, RecordBatchOptions,
};
use arrow_schema::{Field, Schema, SchemaRef};
use barnvern_case::deadlines::{DeadlineKind, StartBasis};

use crate::codes::CodeEnum;
use crate::error::{Error, Result};
use crate::io::table_file::TextColumn;
use crate::spec::{FieldSpec, TableSpec, added_after, newer};

/// Columns derived from an older file: (the version that added it, table, column).
const DERIVED: &[(&str, &str, &str)] = &[
    ("1.2", "deadlines", "start_basis"),
    ("1.2", "deadlines", "completed_same_day"),
];

/// How a column absent from a file of `version` is filled, if it is.
#[derive(Clone, Copy)]
enum Fill {
    Derived,
    Null,
}

fn fill_of(spec: &TableSpec, field: &FieldSpec, version: &str) -> Option<Fill> {
    if DERIVED
        .iter()
        .any(|(v, t, c)| *t == spec.name && *c == field.name && newer(v, version))
    {
        Some(Fill::Derived)
    } else if added_after(version, spec.name, &field.name) {
        Some(Fill::Null)
    } else {
        None
    }
}

/// The schema and batches of a `version` file of `spec`, with the columns added since derived
/// or null, in the spec's order. A file with nothing to add is returned as it is.
pub(crate) fn upgrade(
    spec: &TableSpec,
    version: &str,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let mut fields: Vec<Arc<Field>> = Vec::new();
    let mut fills: Vec<Option<Fill>> = Vec::new();
    for f in &spec.fields {
        if let Some((_, found)) = schema.fields().find(&f.name) {
            fields.push(found.clone());
            fills.push(None);
        } else if let Some(fill) = fill_of(spec, f, version) {
            fields.push(Arc::new(f.arrow_field()));
            fills.push(Some(fill));
        }
    }
    if fills.iter().all(Option::is_none) {
        return Ok((schema, batches));
    }
    let new_schema: SchemaRef =
        Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let mut out = Vec::with_capacity(batches.len());
    for batch in batches {
        let mut columns: Vec<ArrayRef> = Vec::new();
        for (field, fill) in new_schema.fields().iter().zip(&fills) {
            let name = field.name().as_str();
            let column = match fill {
                None => batch
                    .column_by_name(name)
                    .cloned()
                    .ok_or_else(|| missing(spec, name))?,
                Some(Fill::Null) => {
                    arrow_array::new_null_array(field.data_type(), batch.num_rows())
                }
                Some(Fill::Derived) => match name {
                    "start_basis" => start_basis(spec, &batch)?,
                    "completed_same_day" => same_day(spec, &batch)?,
                    other => return Err(missing(spec, other)),
                },
            };
            columns.push(column);
        }
        let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
        out.push(RecordBatch::try_new_with_options(
            new_schema.clone(),
            columns,
            &options,
        )?);
    }
    Ok((new_schema, out))
}

fn missing(spec: &TableSpec, name: &str) -> Error {
    Error::Schema {
        table: spec.name.to_owned(),
        message: format!("column {name} is missing"),
    }
}

fn start_basis(spec: &TableSpec, batch: &RecordBatch) -> Result<ArrayRef> {
    let kinds = batch
        .column_by_name("kind")
        .map(|a| TextColumn::of(a.as_ref()))
        .ok_or_else(|| missing(spec, "kind"))?;
    let values: DictionaryArray<Int32Type> = (0..batch.num_rows())
        .map(|row| {
            kinds
                .get(row)
                .and_then(DeadlineKind::from_code)
                .map(|kind| {
                    match kind {
                        DeadlineKind::ProtectionAssessment | DeadlineKind::Screening => {
                            StartBasis::Receipt
                        }
                        DeadlineKind::Investigation => StartBasis::InvestigationStart,
                        DeadlineKind::MeasureEvaluation => StartBasis::MeasureStart,
                    }
                    .code()
                })
        })
        .collect();
    Ok(Arc::new(values))
}

fn same_day(spec: &TableSpec, batch: &RecordBatch) -> Result<ArrayRef> {
    let date = |name: &str| {
        batch
            .column_by_name(name)
            .and_then(|a| a.as_any().downcast_ref::<Date32Array>())
            .ok_or_else(|| missing(spec, name))
    };
    let start = date("start_on")?;
    let completed = date("completed_on")?;
    let values: BooleanArray = (0..batch.num_rows())
        .map(|row| {
            (completed.is_valid(row) && start.is_valid(row))
                .then(|| completed.value(row) == start.value(row))
        })
        .collect();
    Ok(Arc::new(values))
}
