//! A small connection pool: connections are taken for one transaction and given back, so a
//! store is shared by many threads (`Send + Sync`) and never holds more connections than
//! threads use it at once. A connection that failed mid-transaction is dropped, not returned.

use std::sync::Mutex;

pub(crate) struct Pool<C> {
    idle: Mutex<Vec<C>>,
    max_idle: usize,
}

impl<C> Pool<C> {
    pub(crate) fn new(max_idle: usize) -> Pool<C> {
        Pool {
            idle: Mutex::new(Vec::new()),
            max_idle,
        }
    }

    /// An idle connection, or `None` (the caller opens a new one).
    pub(crate) fn take(&self) -> Option<C> {
        self.idle.lock().ok().and_then(|mut v| v.pop())
    }

    /// Gives a healthy connection back.
    pub(crate) fn give(&self, conn: C) {
        if let Ok(mut v) = self.idle.lock()
            && v.len() < self.max_idle
        {
            v.push(conn);
        }
    }
}
