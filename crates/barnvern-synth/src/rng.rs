//! The seeded generator and the few ways of drawing from it that the cohort needs.
//!
//! Every child gets its own ChaCha8 stream (the seed is the key, the child's index the stream),
//! so a child's records do not depend on how many draws earlier children took, and the same seed
//! gives the same cohort byte for byte on every platform.

use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded random source with the draws the generator uses.
pub(crate) struct Draw {
    rng: ChaCha8Rng,
}

impl Draw {
    /// The stream `stream` of the generator keyed by `seed` and `purpose` (so the cohort, the
    /// faults and the trial draw from independent streams).
    pub(crate) fn new(seed: u64, purpose: u64, stream: u64) -> Draw {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(&purpose.to_le_bytes());
        key[16..24].copy_from_slice(b"barnvern");
        let mut rng = ChaCha8Rng::from_seed(key);
        rng.set_stream(stream);
        Draw { rng }
    }

    /// A whole number in `0..n` (0 when `n` is 0), by rejection so it is unbiased.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.rng.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }

    /// A whole number in `lo..=hi`.
    pub(crate) fn between(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below(hi - lo + 1)
    }

    /// A uniform fraction in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        // 53 random bits, the precision of an f64.
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One of `items`, each with its weight.
    pub(crate) fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut x = self.below(total.max(1));
        for (item, w) in items {
            let w = u64::from(*w);
            if x < w {
                return *item;
            }
            x -= w;
        }
        items[items.len() - 1].0
    }

    /// One of `items`, uniformly.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let n = u64::try_from(items.len()).unwrap_or(u64::MAX);
        &items[usize::try_from(self.below(n)).unwrap_or(0)]
    }

    /// `date` plus between `lo` and `hi` days.
    pub(crate) fn days_after(&mut self, date: NaiveDate, lo: u64, hi: u64) -> NaiveDate {
        add_days(date, self.between(lo, hi))
    }
}

/// `date` plus `n` days (saturating at the end of chrono's calendar, far beyond any case).
pub(crate) fn add_days(date: NaiveDate, n: u64) -> NaiveDate {
    date.checked_add_days(Days::new(n)).unwrap_or(date)
}

/// `date` minus `n` days.
pub(crate) fn sub_days(date: NaiveDate, n: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(n)).unwrap_or(date)
}

/// `date` plus `n` calendar months (31 January + 1 month = 28/29 February).
pub(crate) fn add_months(date: NaiveDate, n: u32) -> NaiveDate {
    barnvern_core::dates::add_months(date, n).unwrap_or(date)
}

/// Whole days from `a` to `b` (0 when `b` is not after `a`).
pub(crate) fn days_between(a: NaiveDate, b: NaiveDate) -> u64 {
    u64::try_from((b - a).num_days()).unwrap_or(0)
}
