//! Group commit of the access-log entries of reads.
//!
//! A read (of a case, its history, the worklist, the log itself) must have its access-log entry
//! committed before the caller sees what was read. Committing each entry in a transaction of
//! its own would make every read a write and serialise them all on the database's write lock
//! (and on SQLite write the same index pages to the WAL again for each entry). Instead, the
//! jobs of concurrent reads are committed together: the first reader to find no batch being
//! written writes every job that is waiting, in one transaction, and wakes the others; a reader
//! whose job is in a batch being written waits for it. Each caller returns only once its own
//! job is committed, so no read is ever returned unlogged; a crash between the commit and the
//! answer leaves a logged read that was not delivered, which errs on the side of the audit.
//!
//! A job is either an access-log entry alone (the read ran in a snapshot of its own before:
//! [`GroupLog`]) or, on a backend that reads inside the write transaction of its entry
//! (SQLite), the whole read: the batch's writer reads each case and logs it in one
//! transaction, and hands each caller its own result.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::backend::{LogRow, R};
use crate::error::StoreError;

/// Jobs waiting to be committed, and the outcomes of those written.
struct Queue<J, O> {
    /// Jobs not yet in a batch, with their tickets, in arrival order.
    pending: Vec<(u64, J)>,
    /// The next ticket.
    next: u64,
    /// Whether a batch is being written.
    writing: bool,
    /// The outcome of each written job until its caller collects it (an error as its message:
    /// the batch's error, the same for every job of the batch).
    settled: HashMap<u64, Result<O, String>>,
    /// The condition each waiting caller sleeps on, by ticket: a batch wakes the callers of its
    /// own jobs and the first caller left waiting (to write the next batch), not every thread.
    sleepers: HashMap<u64, Arc<Condvar>>,
}

/// What a batch's writer calls, once it holds the write lock, to take the jobs waiting.
pub(crate) type Take<'a, J> = dyn FnMut() -> Vec<J> + 'a;

/// The queue of one kind of job (one per store and kind): jobs `J`, each answered with an `O`.
pub(crate) struct Group<J, O> {
    queue: Mutex<Queue<J, O>>,
}

/// The access-log entries of reads that ran in snapshots of their own.
pub(crate) type GroupLog = Group<LogRow, ()>;

impl<J, O> Default for Group<J, O> {
    fn default() -> Self {
        Group {
            queue: Mutex::new(Queue {
                pending: Vec::new(),
                next: 0,
                writing: false,
                settled: HashMap::new(),
                sleepers: HashMap::new(),
            }),
        }
    }
}

impl<J, O> Group<J, O> {
    fn lock(&self) -> MutexGuard<'_, Queue<J, O>> {
        // A panic while the lock was held cannot leave the queue inconsistent (every change
        // under it is a single push, take or insert), so a poisoned lock is used as it is.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Commits `job` together with the jobs of other threads waiting at the same time, and
    /// returns its outcome. `write` writes a batch in one transaction: it calls the `take` it
    /// is given once it holds the database's write lock, does what `take` returns (every job
    /// waiting at that moment, this one among them), so that the jobs arriving while it waited
    /// for the lock join the batch, and returns one outcome per job, in the order taken. It may
    /// call `take` again before it commits, for the jobs that arrived since. Returns once
    /// the job is committed, or with the batch's error.
    pub(crate) fn commit(
        &self,
        job: J,
        write: &dyn for<'a> Fn(&'a mut Take<'a, J>) -> R<Vec<O>>,
    ) -> R<O> {
        let mut q = self.lock();
        let ticket = q.next;
        q.next += 1;
        q.pending.push((ticket, job));
        let mut sleeper: Option<Arc<Condvar>> = None;
        loop {
            if let Some(outcome) = q.settled.remove(&ticket) {
                q.sleepers.remove(&ticket);
                return outcome.map_err(StoreError::Database);
            }
            if q.writing {
                let cv = Arc::clone(sleeper.get_or_insert_with(|| Arc::new(Condvar::new())));
                q.sleepers.insert(ticket, Arc::clone(&cv));
                q = cv.wait(q).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            q.sleepers.remove(&ticket);
            // No batch is being written: write every waiting job (this one among them).
            q.writing = true;
            drop(q);
            let mut tickets: Vec<u64> = Vec::new();
            let outcome = write(&mut || {
                let batch = std::mem::take(&mut self.lock().pending);
                tickets.extend(batch.iter().map(|(t, _)| *t));
                batch.into_iter().map(|(_, j)| j).collect()
            })
            .map_err(|e| e.to_string());
            q = self.lock();
            q.writing = false;
            if tickets.is_empty() {
                // The write failed before it took the batch: its error is the answer of every
                // job waiting (this one among them), as if they had been taken.
                tickets.extend(q.pending.drain(..).map(|(t, _)| t));
            }
            match outcome {
                Ok(outs) if outs.len() == tickets.len() => {
                    for (&t, o) in tickets.iter().zip(outs) {
                        q.settled.insert(t, Ok(o));
                    }
                }
                Ok(outs) => {
                    let e = format!(
                        "a batch of {} jobs gave {} outcomes (a bug in the store)",
                        tickets.len(),
                        outs.len()
                    );
                    for &t in &tickets {
                        q.settled.insert(t, Err(e.clone()));
                    }
                }
                Err(e) => {
                    for &t in &tickets {
                        q.settled.insert(t, Err(e.clone()));
                    }
                }
            }
            // Wake the callers of this batch, and the first caller still waiting with a job
            // not yet taken, which writes the next batch (the others sleep on until theirs is).
            for t in &tickets {
                if let Some(cv) = q.sleepers.get(t) {
                    cv.notify_one();
                }
            }
            if let Some(cv) = q.pending.iter().find_map(|(t, _)| q.sleepers.get(t)) {
                cv.notify_one();
            }
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
                        let write = |take: &mut dyn FnMut() -> Vec<LogRow>| -> R<Vec<()>> {
                            batches.fetch_add(1, Ordering::Relaxed);
                            std::thread::yield_now();
                            let rows = take();
                            let n = rows.len();
                            let mut w = written.lock().unwrap();
                            w.extend(rows.into_iter().map(|r| r.staff_id));
                            Ok(vec![(); n])
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
        assert!(log.lock().sleepers.is_empty());
    }

    #[test]
    fn each_job_gets_its_own_outcome_also_when_taken_late() {
        let group = Arc::new(Group::<u64, u64>::default());
        let threads: Vec<_> = (0..8u64)
            .map(|t| {
                let group = group.clone();
                std::thread::spawn(move || {
                    for i in 0..200u64 {
                        let job = t * 1000 + i;
                        // Takes the jobs waiting, then those that arrived meanwhile, as the
                        // batch of reads does; answers each with its double.
                        let write = |take: &mut dyn FnMut() -> Vec<u64>| -> R<Vec<u64>> {
                            let mut jobs = take();
                            std::thread::yield_now();
                            jobs.extend(take());
                            Ok(jobs.into_iter().map(|j| j * 2).collect())
                        };
                        assert_eq!(group.commit(job, &write).unwrap(), job * 2);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(group.lock().settled.is_empty() && group.lock().pending.is_empty());
        assert!(group.lock().sleepers.is_empty());
    }

    #[test]
    fn a_failed_batch_fails_each_of_its_entries_and_the_next_batch_goes_on() {
        let log = GroupLog::default();
        let fail = |take: &mut dyn FnMut() -> Vec<LogRow>| -> R<Vec<()>> {
            take();
            Err(StoreError::Database("disk full".into()))
        };
        let err = log.commit(row(1), &fail).unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
        // A write that fails before it takes its batch (no write lock) fails its entries too.
        let no_lock = |_: &mut dyn FnMut() -> Vec<LogRow>| -> R<Vec<()>> {
            Err(StoreError::Database("database is locked".into()))
        };
        let err = log.commit(row(2), &no_lock).unwrap_err();
        assert!(err.to_string().contains("locked"), "{err}");
        assert!(log.lock().pending.is_empty() && log.lock().settled.is_empty());
        let ok = |take: &mut dyn FnMut() -> Vec<LogRow>| -> R<Vec<()>> {
            assert_eq!(take().len(), 1);
            Ok(vec![()])
        };
        assert!(log.commit(row(3), &ok).is_ok());
    }
}
