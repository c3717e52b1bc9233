//! Group commit of the access-log entries of reads.
//!
//! A read (of a case, its history, the worklist, the log itself) runs in a read snapshot, which
//! readers take at once and side by side. Its access-log entry must still be committed before
//! the caller sees what was read. Committing each entry in a transaction of its own would make
//! every read a write and serialise them all on the database's write lock (and on SQLite write
//! the same index pages to the WAL again for each entry). Instead, the entries of concurrent
//! reads are committed together: the first reader to find no batch being written writes every
//! entry that is waiting, in one transaction, and wakes the others; a reader whose entry is in
//! a batch being written waits for it. Each caller returns only once its own entry is
//! committed, so no read is ever returned unlogged; a crash between the commit and the answer
//! leaves a logged read that was not delivered, which errs on the side of the audit.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::backend::{LogRow, R};
use crate::error::StoreError;

/// Entries waiting to be committed, and the outcomes of those written.
#[derive(Default)]
struct Queue {
    /// Entries not yet in a batch, with their tickets, in arrival order.
    pending: Vec<(u64, LogRow)>,
    /// The next ticket.
    next: u64,
    /// Whether a batch is being written.
    writing: bool,
    /// The outcome of each written entry until its caller collects it (an error as its
    /// message: the batch's error, the same for every entry of the batch).
    settled: HashMap<u64, Result<(), String>>,
}

/// What a batch's writer calls, once it holds the write lock, to take the entries waiting.
pub(crate) type Take<'a> = dyn FnMut() -> Vec<LogRow> + 'a;

/// The queue of access-log entries of reads (one per store).
#[derive(Default)]
pub(crate) struct GroupLog {
    queue: Mutex<Queue>,
    written: Condvar,
}

impl GroupLog {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A panic while the lock was held cannot leave the queue inconsistent (every change
        // under it is a single push, take or insert), so a poisoned lock is used as it is.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Commits `row` (its chain, seq and hashes are filled in by `write`), together with the
    /// entries of other threads waiting at the same time. `write` writes a batch in one
    /// transaction: it calls the `take` it is given once it holds the database's write lock,
    /// and writes what `take` returns (every entry waiting at that moment, this one among
    /// them), so that the entries arriving while it waited for the lock join the batch. Returns
    /// once the entry is committed, or with the batch's error.
    pub(crate) fn commit(
        &self,
        row: LogRow,
        write: &dyn for<'a> Fn(&'a mut Take<'a>) -> R<()>,
    ) -> R<()> {
        let mut q = self.lock();
        let ticket = q.next;
        q.next += 1;
        q.pending.push((ticket, row));
        loop {
            if let Some(outcome) = q.settled.remove(&ticket) {
                return outcome.map_err(StoreError::Database);
            }
            if q.writing {
                q = self.written.wait(q).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            // No batch is being written: write every waiting entry (this one among them).
            q.writing = true;
            drop(q);
            let mut tickets: Vec<u64> = Vec::new();
            let outcome = write(&mut || {
                let batch = std::mem::take(&mut self.lock().pending);
                tickets.extend(batch.iter().map(|(t, _)| *t));
                batch.into_iter().map(|(_, r)| r).collect()
            })
            .map_err(|e| e.to_string());
            q = self.lock();
            q.writing = false;
            if tickets.is_empty() {
                // The write failed before it took the batch: its error is the answer of every
                // entry waiting (this one among them), as if they had been taken.
                tickets.extend(q.pending.drain(..).map(|(t, _)| t));
            }
            for t in tickets {
                q.settled.insert(t, outcome.clone());
            }
            self.written.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn row(n: usize) -> LogRow {
        LogRow {
            chain: format!("c{}", n % 7),
            seq: 0,
            at: String::new(),
            staff_id: format!("s{n}"),
            role: String::new(),
            purpose: String::new(),
            case_id: None,
            action: "read".into(),
            outcome: "allowed".into(),
            detail: String::new(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn every_entry_is_written_once_and_batches_form_under_concurrency() {
        let log = Arc::new(GroupLog::default());
        let written = Arc::new(Mutex::new(Vec::<String>::new()));
        let batches = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let (log, written, batches) = (log.clone(), written.clone(), batches.clone());
                std::thread::spawn(move || {
                    for i in 0..200 {
                        let write = |take: &mut dyn FnMut() -> Vec<LogRow>| -> R<()> {
                            batches.fetch_add(1, Ordering::Relaxed);
                            std::thread::yield_now();
                            let rows = take();
                            let mut w = written.lock().unwrap();
                            w.extend(rows.into_iter().map(|r| r.staff_id));
                            Ok(())
                        };
                        log.commit(row(t * 1000 + i), &write).unwrap();
                        // Committed before commit returned.
                        let id = format!("s{}", t * 1000 + i);
                        assert!(written.lock().unwrap().contains(&id));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let mut all = written.lock().unwrap().clone();
        assert_eq!(all.len(), 1600);
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 1600, "no entry written twice");
        assert!(batches.load(Ordering::Relaxed) <= 1600);
        assert!(log.lock().settled.is_empty() && log.lock().pending.is_empty());
    }

    #[test]
    fn a_failed_batch_fails_each_of_its_entries_and_the_next_batch_goes_on() {
        let log = GroupLog::default();
        let fail = |take: &mut dyn FnMut() -> Vec<LogRow>| -> R<()> {
            take();
            Err(StoreError::Database("disk full".into()))
        };
        let err = log.commit(row(1), &fail).unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
        // A write that fails before it takes its batch (no write lock) fails its entries too.
        let no_lock = |_: &mut dyn FnMut() -> Vec<LogRow>| -> R<()> {
            Err(StoreError::Database("database is locked".into()))
        };
        let err = log.commit(row(2), &no_lock).unwrap_err();
        assert!(err.to_string().contains("locked"), "{err}");
        assert!(log.lock().pending.is_empty() && log.lock().settled.is_empty());
        let ok = |take: &mut dyn FnMut() -> Vec<LogRow>| -> R<()> {
            assert_eq!(take().len(), 1);
            Ok(())
        };
        assert!(log.commit(row(3), &ok).is_ok());
    }
}
