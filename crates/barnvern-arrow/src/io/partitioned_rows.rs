//! Research rows made ready for a [`DatasetWriter`](crate::DatasetWriter) away from it: one
//! compact Arrow batch per partition (table, jurisdiction, year), built straight from the
//! cases.
//!
//! The extract builds these on its worker threads, so the thread that owns the dataset writer
//! only hands whole batches to its partition buffers: no batch of a table is cut into its
//! partitions there (a `take` per partition), and no case is dropped there. Each batch has
//! dictionaries of its own rows only, so the memory the writer counts for it is what it holds.

use rustc_hash::FxHashMap;

use arrow_array::{BooleanArray, RecordBatch};
use barnvern_core::Jurisdiction;

use crate::columns::TableWriter;
use crate::error::{Error, Result};
use crate::io::partition_buffers::PartitionKey;
use crate::tables::{self, Sink};
use barnvern_research::case::ResearchCase;

/// The rows of some research cases, one batch per partition, each row knowing which of the
/// cases it belongs to (so that a case found to be a duplicate later can be left out).
///
/// ```
/// use barnvern_arrow::{DatasetOptions, DatasetWriter, PartitionedRows};
/// use barnvern_research::ResearchCase;
/// use barnvern_research::testing::TestPseudonymiser;
/// use barnvern_case::Case;
/// use chrono::NaiveDate;
///
/// let case = Case::from_json(include_str!("../../../../examples/se-case.json"))?;
/// let as_of = NaiveDate::from_ymd_opt(2025, 10, 1).ok_or("no such date")?;
/// let research = ResearchCase::from_case(&case, &TestPseudonymiser::new(1), as_of);
/// // Built anywhere (a worker thread, say), then handed to the writer.
/// let rows = PartitionedRows::from_cases(&[research.clone(), research])?;
/// assert_eq!(rows.cases(), 2);
/// let rows = rows.without_cases(&[1])?;
/// assert_eq!(rows.cases(), 1);
///
/// let dir = tempfile::tempdir()?;
/// let mut writer = DatasetWriter::create(dir.path().join("extract"), DatasetOptions::default())?;
/// writer.write_rows(rows)?;
/// let manifest = writer.finish()?;
/// assert_eq!((manifest.cases, manifest.tables["referrals"].rows), (1, 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PartitionedRows {
    parts: Vec<Part>,
    cases: usize,
}

#[derive(Debug, Clone)]
struct Part {
    key: PartitionKey,
    batch: RecordBatch,
    /// The index (in the cases given) of the case of each row.
    owners: Vec<u32>,
}

/// One writer per partition met, and the case each row belongs to.
struct Builder {
    writers: Vec<(PartitionKey, TableWriter, Vec<u32>)>,
    /// Partition keys are small and not attacker-chosen: a fast hash, not SipHash (which
    /// was a tenth of building the rows, callgrind).
    index: FxHashMap<PartitionKey, usize>,
    /// The writer of the last row: a case's rows of one table mostly share a partition, so
    /// most rows skip the hash lookup.
    last: usize,
    case: u32,
}

impl Sink for Builder {
    fn writer(
        &mut self,
        table: &'static str,
        jurisdiction: Jurisdiction,
        year: i32,
    ) -> Result<&mut TableWriter> {
        let key = (table, jurisdiction, year);
        let at = match self.writers.get(self.last) {
            Some((k, _, _)) if *k == key => self.last,
            _ => match self.index.get(&key) {
                Some(&i) => i,
                None => {
                    self.writers
                        .push((key, TableWriter::new(tables::spec_of(table)?), Vec::new()));
                    self.index.insert(key, self.writers.len() - 1);
                    self.writers.len() - 1
                }
            },
        };
        self.last = at;
        let Some((_, writer, owners)) = self.writers.get_mut(at) else {
            return Err(Error::Schema {
                table: table.to_owned(),
                message: "no writer for the partition".to_owned(),
            });
        };
        // Every call of `writer` writes one row.
        owners.push(self.case);
        Ok(writer)
    }
}

impl PartitionedRows {
    /// The rows of `cases`, partitioned. Fails only when a row does not fit its table (a
    /// number past the range of its column).
    pub fn from_cases(cases: &[ResearchCase]) -> Result<PartitionedRows> {
        let mut builder = Builder {
            writers: Vec::new(),
            index: FxHashMap::default(),
            last: 0,
            case: 0,
        };
        for (i, case) in cases.iter().enumerate() {
            builder.case = u32::try_from(i).map_err(|_| Error::Schema {
                table: tables::cases::NAME.to_owned(),
                message: "more than 2^32 cases in one batch".to_owned(),
            })?;
            tables::write_case(case, &mut builder)?;
        }
        let mut parts = builder
            .writers
            .into_iter()
            .map(|(key, mut writer, owners)| {
                Ok(Part {
                    key,
                    batch: writer.finish()?,
                    owners,
                })
            })
            .collect::<Result<Vec<Part>>>()?;
        // In partition order: which batch reaches the writer first (and so where a full
        // buffer cuts row groups) follows the partitions, not the order the cases met them.
        parts.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(PartitionedRows {
            parts,
            cases: cases.len(),
        })
    }

    /// The number of cases the rows are of.
    pub fn cases(&self) -> usize {
        self.cases
    }

    /// The number of rows over all tables.
    pub fn rows(&self) -> usize {
        self.parts.iter().map(|p| p.batch.num_rows()).sum()
    }

    /// The rows without those of the cases at `indexes` (positions in the cases given to
    /// [`PartitionedRows::from_cases`]; an index past them is ignored).
    pub fn without_cases(self, indexes: &[usize]) -> Result<PartitionedRows> {
        let gone: Vec<usize> = {
            let mut v: Vec<usize> = indexes
                .iter()
                .copied()
                .filter(|i| *i < self.cases)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        if gone.is_empty() {
            return Ok(self);
        }
        let kept_case =
            |owner: u32| usize::try_from(owner).map_or(true, |o| gone.binary_search(&o).is_err());
        let mut parts = Vec::with_capacity(self.parts.len());
        for part in self.parts {
            let mask: BooleanArray = part.owners.iter().map(|o| Some(kept_case(*o))).collect();
            if mask.true_count() == part.batch.num_rows() {
                parts.push(part);
                continue;
            }
            let batch =
                arrow_select::filter::filter_record_batch(&part.batch, &mask).map_err(|e| {
                    Error::Schema {
                        table: part.key.0.to_owned(),
                        message: e.to_string(),
                    }
                })?;
            let owners = part.owners.into_iter().filter(|o| kept_case(*o)).collect();
            if batch.num_rows() > 0 {
                parts.push(Part {
                    key: part.key,
                    batch,
                    owners,
                });
            }
        }
        Ok(PartitionedRows {
            parts,
            cases: self.cases - gone.len(),
        })
    }

    /// The batches with their partitions, for the dataset writer.
    pub(crate) fn into_parts(self) -> impl Iterator<Item = (PartitionKey, RecordBatch)> {
        self.parts.into_iter().map(|p| (p.key, p.batch))
    }
}
