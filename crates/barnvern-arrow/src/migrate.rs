//! Reading files of an older research schema version: the columns a later version added are
//! derived from what the older file holds, where its meaning allows; otherwise the file is
//! refused by the column check as before.
//!
//! - 1.2 added `deadlines.start_basis` and `deadlines.completed_same_day`. Up to 1.1 every
//!   period counted from the receipt (protection assessment, screening), the investigation's
//!   recorded start (investigation, in both countries) or the measure's start (evaluation), so
//!   the basis follows from `kind`; the same-day flag from `completed_on` and `start_on`.

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, DictionaryArray, RecordBatch, RecordBatchOptions,
};
use arrow_schema::{Field, Schema, SchemaRef};
use barnvern_case::deadlines::{DeadlineKind, StartBasis};

use crate::codes::CodeEnum;
use crate::error::{Error, Result};
use crate::parquet::TextColumn;
use crate::spec::TableSpec;

/// Whether files of `version` lack columns of `spec` that [`upgrade`] derives.
fn needs_upgrade(spec: &TableSpec, version: &str) -> bool {
    spec.name == crate::tables::deadlines::NAME && matches!(version, "1.0" | "1.1")
}

/// The schema and batches of a `version` file of `spec`, with the columns added since derived.
pub(crate) fn upgrade(
    spec: &TableSpec,
    version: &str,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    if !needs_upgrade(spec, version) {
        return Ok((schema, batches));
    }
    let added = ["start_basis", "completed_same_day"];
    let mut fields: Vec<Arc<Field>> = Vec::new();
    for f in &spec.fields {
        if let Some((_, found)) = schema.fields().find(&f.name) {
            fields.push(found.clone());
        } else if added.contains(&f.name.as_str()) {
            fields.push(Arc::new(f.arrow_field()));
        }
    }
    let new_schema: SchemaRef =
        Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let mut out = Vec::with_capacity(batches.len());
    for batch in batches {
        let mut columns: Vec<ArrayRef> = Vec::new();
        for field in new_schema.fields() {
            let column = match field.name().as_str() {
                "start_basis" if batch.column_by_name("start_basis").is_none() => {
                    start_basis(spec, &batch)?
                }
                "completed_same_day" if batch.column_by_name("completed_same_day").is_none() => {
                    same_day(spec, &batch)?
                }
                name => batch
                    .column_by_name(name)
                    .cloned()
                    .ok_or_else(|| missing(spec, name))?,
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
