//! Dataset I/O: everything that reads or writes files, one file per job.
//!
//! - [`table_file`]: one Parquet file of one research table, written with the table's
//!   properties and metadata and read back with its schema version and rows checked;
//! - [`dataset`]: a whole dataset folder (`TABLE/jurisdiction=SE/year=2024/part-0.parquet`,
//!   `manifest.json`, the data dictionary): the streaming [`DatasetWriter`](crate::DatasetWriter)
//!   and the reader [`Dataset`](crate::Dataset);
//! - [`table_read`]: one table of a dataset read when asked for, with column and partition
//!   selection, a batch at a time;
//! - `partition_buffers` (internal): the writer's rows waiting per hive partition and the
//!   Parquet files they go to, on writer threads, in bounded memory;
//! - `partitioned_rows` (internal, exported as [`PartitionedRows`](crate::PartitionedRows)):
//!   rows split by partition on the caller's threads, ready for the writer;
//! - [`output_dir`]: output folders written atomically (staged beside the target and moved
//!   onto it), and the one rule on what an existing folder may be replaced;
//! - `schema_upgrade` (internal): files of an older schema version brought up to this build's
//!   spec as they are read.

pub mod dataset;
pub mod output_dir;
mod partition_buffers;
pub(crate) mod partitioned_rows;
mod schema_upgrade;
pub mod table_file;
pub mod table_read;
