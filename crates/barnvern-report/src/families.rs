//! The Family Partner trial families of a dataset, rebuilt for the trial metrics.
//!
//! Only the trial's cases are materialised (a trial has hundreds or thousands of families,
//! never millions): `fp_enrolments` gives the case keys of the trial families, then every
//! table is read with a row filter on `case_key`, so the Parquet reader passes only those
//! cases' rows on; they become research cases ([`barnvern_arrow::from_batches`]) and, per
//! trial, [`TrialData`] ([`barnvern_research::family::trial_data`]).

use std::collections::{BTreeSet, HashSet};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{Array, BooleanArray, RecordBatch, StringArray};
use arrow_schema::ArrowError;
use barnvern_arrow::io::dataset::with_partition;
use barnvern_arrow::{Manifest, TableBatch};
use barnvern_familypartner::{
    ProgrammeDefinition, RandomisationDesign, TrialDesign, WaveDefinition,
};
use barnvern_research::ResearchCase;
use barnvern_research::family::{ResearchFamily, trial_data};
use chrono::NaiveDate;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowPredicateFn, ParquetRecordBatchReaderBuilder, RowFilter};

use crate::error::Error;
use crate::scan::{self, Text};
use crate::trial::{FamilyCost, FamilyOutcomes, TrialInput, completed};

/// The table with one row per trial family.
const FAMILIES: &str = "fp_enrolments";

/// Every trial of the dataset with its families (none when the dataset has no Family Partner
/// tables or no families).
pub(crate) fn read(
    dir: &Path,
    manifest: &Manifest,
    as_of: NaiveDate,
    primary_wave: u32,
) -> Result<Vec<TrialInput>, Error> {
    if !manifest.tables.contains_key(FAMILIES) {
        return Ok(Vec::new());
    }
    let mut keys: HashSet<String> = HashSet::new();
    scan::for_each_batch(dir, manifest, FAMILIES, &["case_key"], |_, batch| {
        let k = Text::of(batch, FAMILIES, "case_key")?;
        for row in 0..batch.num_rows() {
            if let Some(key) = k.get(row) {
                keys.insert(key.to_owned());
            }
        }
        Ok(())
    })?;
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let keys = Arc::new(keys);
    let mut batches: Vec<TableBatch> = Vec::new();
    for (name, entry) in manifest.tables.iter().filter(|(n, _)| needed(n)) {
        let Some(spec) = barnvern_arrow::table(name) else {
            continue;
        };
        for file in &entry.files {
            let path = dir.join(&file.path);
            for b in read_filtered(&path, &keys)? {
                batches.push((spec, with_partition(spec, &b, file.jurisdiction)?));
            }
        }
    }
    let cases = barnvern_arrow::from_batches(&batches)?;
    drop(batches);
    trials(&cases, as_of, primary_wave)
}

/// Whether the trial metrics need table `name`: the cases and children (every research case
/// has them), the Family Partner tables, waves, questionnaires (the scores refer to them),
/// scores and costs, and the referrals, investigations, decisions with their status and
/// interventions the harms are derived from. Deadlines and the rest stay on disk; item
/// responses too (the scores are derived from them already).
fn needed(name: &str) -> bool {
    matches!(
        name,
        "cases"
            | "children"
            | "waves"
            | "questionnaires"
            | "scores"
            | "costs"
            // The harms and maltreatment outcomes after randomisation.
            | "referrals"
            | "investigations"
            | "decisions"
            | "decision_status"
            | "interventions"
    ) || name.starts_with("fp_")
}

/// The child-protection records of the research cases of trial `id` as the harms read them
/// (barnvern_case::harms), with each family's trial record.
fn harms(
    id: &str,
    cases: &[ResearchCase],
    as_of: NaiveDate,
) -> Result<barnvern_case::harms::TrialHarms, Error> {
    use barnvern_case::harms::{CaseRecords, DecisionEvent, InvestigationEvent};
    let trial_id =
        barnvern_familypartner::TrialId::new(id).map_err(|e| Error::Data(e.to_string()))?;
    let mut records = Vec::new();
    for c in cases {
        let Some(f) = c.family_partner.as_ref().filter(|f| f.trial_id == id) else {
            continue;
        };
        let record = f
            .to_family_record()
            .map_err(|e| Error::Data(format!("trial {id}: {e}")))?;
        records.push((c, record));
    }
    let inputs = records.iter().map(|(c, family)| CaseRecords {
        trial_id: &trial_id,
        family,
        referrals_received: c.referrals.iter().map(|r| r.received_on()).collect(),
        investigations: c
            .investigations
            .iter()
            .map(|i| InvestigationEvent {
                started_on: i.started_on,
                concluded_on: i.concluded_on,
                conclusion: i.conclusion.as_ref().map(|x| x.code),
            })
            .collect(),
        decisions: c
            .decisions
            .iter()
            .map(|d| DecisionEvent {
                decided_on: d.decided_on,
                kind: d.kind,
                status_on_decision_day: d
                    .status_history
                    .iter()
                    .rev()
                    .find(|x| x.on <= d.decided_on)
                    .map(|x| x.status.code),
            })
            .collect(),
        interventions: c
            .interventions
            .iter()
            .map(|x| (x.started_on, x.intervention_type.code.group()))
            .collect(),
    });
    Ok(barnvern_case::harms::trial_harms_of(
        inputs, &trial_id, as_of, None,
    ))
}

/// The rows of one file whose `case_key` is in `keys`.
fn read_filtered(path: &Path, keys: &Arc<HashSet<String>>) -> Result<Vec<RecordBatch>, Error> {
    let handle = File::open(path).map_err(|e| Error::io(path, e))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(handle).map_err(|e| Error::parquet(path, e))?;
    let mask = ProjectionMask::columns(builder.parquet_schema(), ["case_key"]);
    let wanted = Arc::clone(keys);
    let predicate = ArrowPredicateFn::new(mask, move |batch: RecordBatch| {
        let column = batch
            .column_by_name("case_key")
            .and_then(|c| c.as_any().downcast_ref::<StringArray>())
            .ok_or_else(|| ArrowError::SchemaError("case_key is not a text column".into()))?;
        Ok(BooleanArray::from_iter(
            column
                .iter()
                .map(|k| Some(k.is_some_and(|k| wanted.contains(k)))),
        ))
    });
    let reader = builder
        .with_row_filter(RowFilter::new(vec![Box::new(predicate)]))
        .with_batch_size(65_536)
        .build()
        .map_err(|e| Error::parquet(path, e))?;
    let mut out = Vec::new();
    for b in reader {
        let b = b.map_err(|e| Error::parquet(path, e.into()))?;
        if b.num_rows() > 0 {
            out.push(b);
        }
    }
    Ok(out)
}

/// The parent-report SDQ (4-17 form) total difficulties of a family at wave `month`.
fn sdq_total(f: &ResearchFamily, month: u32) -> Option<f64> {
    f.scores
        .iter()
        .filter(|s| s.score_id == "total")
        .find_map(|s| {
            let q = f
                .questionnaires
                .get(usize::try_from(s.questionnaire_index).ok()?)?;
            let w = f.waves.get(usize::try_from(q.wave_index).ok()?)?;
            // The 4-17 form only: the 2-4 form's totals are not pooled with it (its items and
            // bands are not verified against the 4-17 form's).
            (q.instrument == "sdq-p-4-17" && w.wave == month).then_some(s.value?)
        })
}

/// One [`TrialInput`] per trial of the research cases.
pub(crate) fn trials(
    cases: &[ResearchCase],
    as_of: NaiveDate,
    primary_wave: u32,
) -> Result<Vec<TrialInput>, Error> {
    let ids: BTreeSet<&str> = cases
        .iter()
        .filter_map(|c| c.family_partner.as_ref())
        .map(|f| f.trial_id.as_str())
        .collect();
    let programme = ProgrammeDefinition::builtin_default()
        .map_err(|e| Error::Data(e.to_string()))?
        .clone();
    let mut out = Vec::new();
    for id in ids {
        let design = TrialDesign {
            randomisation: RandomisationDesign::blocks(&[2, 4]),
            waves: WaveDefinition::fampart(),
            primary_wave,
            // Filled from the sites the families name (barnvern_research::family::trial_data).
            sites: Vec::new(),
            usual_care: None,
            instruments: Vec::new(),
        };
        let data = trial_data(id, cases, programme.clone(), design)
            .map_err(|e| Error::Data(format!("trial {id}: {e}")))?;
        let mut seen = HashSet::new();
        let mut outcomes = Vec::new();
        for f in cases.iter().filter_map(|c| c.family_partner.as_ref()) {
            if f.trial_id != id || !seen.insert(f.family_key.clone()) {
                continue;
            }
            let record = f
                .to_family_record()
                .map_err(|e| Error::Data(format!("trial {id}: {e}")))?;
            let view_completed = completed(&record, as_of);
            outcomes.push(FamilyOutcomes {
                arm: f
                    .allocation
                    .as_ref()
                    .filter(|a| a.on <= as_of)
                    .map(|a| a.arm),
                sdq_baseline: sdq_total(f, 0),
                sdq_12m: sdq_total(f, 12),
                cost: f.costs.as_ref().map(|c| FamilyCost {
                    total: c.total,
                    contacts_delivered: u64::from(c.contacts_delivered),
                    currency: c.currency.clone(),
                    price_year: c.price_year,
                }),
                completed: view_completed,
            });
        }
        let harms = Some(harms(id, cases, as_of)?);
        out.push(TrialInput {
            data,
            outcomes,
            harms,
        });
    }
    Ok(out)
}
