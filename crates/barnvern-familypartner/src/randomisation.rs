//! Rolling 1:1 randomisation, seeded and reproducible.
//!
//! A [`Randomiser`] holds a ChaCha20 generator seeded with [`Randomiser::new`]'s seed. Its next
//! allocation cannot be read before [`Randomiser::assign`]: the type has no accessor for it, no
//! `Clone` (a copy could be run ahead) and a `Debug` that shows only how many allocations were
//! made. Keep the seed with the trial statistician; the trial data holds only allocations made.
//!
//! The algorithm (`chacha20-v1`) is fixed so a sequence can be regenerated years later from the
//! seed: `ChaCha20Rng::seed_from_u64(seed)`; an integer below `n` is drawn by rejection from
//! `next_u64` (`x < n * floor(2^64 / n)`, then `x % n`). Simple randomisation: the arm is
//! intervention when the draw below 2 is 0. Permuted blocks: at the start of each block its
//! size is drawn from the design's sizes (draw below their count), half of it is each arm, and
//! the block is shuffled by Fisher-Yates (from the last position down, swap with a draw below
//! position + 1).

use std::collections::VecDeque;
use std::fmt;

use barnvern_core::{Issue, Provenance, ValidationError};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A trial arm.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Arm {
    /// Family Partner in addition to ordinary services.
    Intervention,
    /// Ordinary services (SE sedvanliga insatser, NO ordinære tjenester).
    Control,
}

impl Arm {
    /// Both arms, intervention first.
    pub const ALL: [Arm; 2] = [Arm::Intervention, Arm::Control];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Arm::Intervention => "intervention",
            Arm::Control => "control",
        }
    }
}

/// The name of the only algorithm.
pub const ALGORITHM: &str = "chacha20-v1";

/// How allocations are made (the seed is not part of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RandomisationDesign {
    /// The algorithm; only [`ALGORITHM`].
    pub algorithm: String,
    /// Block sizes for permuted blocks (each even, at least 2), chosen at random per block;
    /// empty for simple randomisation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub block_sizes: Vec<u32>,
}

impl RandomisationDesign {
    /// Simple (unrestricted) 1:1 randomisation.
    pub fn simple() -> Self {
        RandomisationDesign {
            algorithm: ALGORITHM.to_owned(),
            block_sizes: Vec::new(),
        }
    }

    /// Permuted blocks of the given sizes.
    pub fn blocks(sizes: &[u32]) -> Self {
        RandomisationDesign {
            algorithm: ALGORITHM.to_owned(),
            block_sizes: sizes.to_vec(),
        }
    }

    /// Findings: a known algorithm; block sizes even and at least 2 (1:1 within each block).
    pub fn validate(&self) -> Vec<Issue> {
        let mut out = Vec::new();
        if self.algorithm != ALGORITHM {
            out.push(Issue::error(
                "algorithm",
                "randomisation.algorithm",
                format!(
                    "unknown algorithm {:?}; this barnvern has {ALGORITHM:?}",
                    self.algorithm
                ),
            ));
        }
        for (i, s) in self.block_sizes.iter().enumerate() {
            if *s < 2 || s % 2 != 0 || *s > 1000 {
                out.push(Issue::error(
                    format!("block_sizes[{i}]"),
                    "randomisation.block_size",
                    "a block size must be even, from 2 to 1000, so each block is 1:1",
                ));
            }
        }
        out
    }
}

/// One allocation as made by a [`Randomiser`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The arm.
    pub arm: Arm,
    /// Position in the allocation sequence, from 1.
    pub sequence: u32,
    /// The block it came from, from 1 (`None` under simple randomisation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<u32>,
}

/// A family's allocation, as kept in the trial record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    /// The arm.
    pub arm: Arm,
    /// Position in the allocation sequence, from 1.
    pub sequence: u32,
    /// The block, under permuted blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<u32>,
    /// The date of randomisation.
    pub on: NaiveDate,
    /// Who recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// The allocation sequence, revealed one allocation at a time.
pub struct Randomiser {
    rng: ChaCha20Rng,
    block_sizes: Vec<u32>,
    block: VecDeque<Arm>,
    blocks_started: u32,
    assigned: u32,
}

impl fmt::Debug for Randomiser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never show the generator or the rest of the block: that would reveal what comes next.
        f.debug_struct("Randomiser")
            .field("assigned", &self.assigned)
            .finish_non_exhaustive()
    }
}

impl Randomiser {
    /// A randomiser at the start of the sequence of `seed` under `design`.
    pub fn new(seed: u64, design: &RandomisationDesign) -> Result<Randomiser, ValidationError> {
        let report: barnvern_core::Report = design.validate().into_iter().collect();
        report.into_result()?;
        Ok(Randomiser {
            rng: ChaCha20Rng::seed_from_u64(seed),
            block_sizes: design.block_sizes.clone(),
            block: VecDeque::new(),
            blocks_started: 0,
            assigned: 0,
        })
    }

    /// A randomiser that has already made `assigned` allocations (after a restart: the same
    /// sequence continues).
    pub fn resume(
        seed: u64,
        design: &RandomisationDesign,
        assigned: u32,
    ) -> Result<Randomiser, ValidationError> {
        let mut r = Randomiser::new(seed, design)?;
        for _ in 0..assigned {
            r.assign();
        }
        Ok(r)
    }

    /// How many allocations have been made.
    pub fn assigned(&self) -> u32 {
        self.assigned
    }

    /// Makes and reveals the next allocation.
    pub fn assign(&mut self) -> Assignment {
        let (arm, block) = if self.block_sizes.is_empty() {
            let arm = if self.below(2) == 0 {
                Arm::Intervention
            } else {
                Arm::Control
            };
            (arm, None)
        } else {
            if self.block.is_empty() {
                self.fill_block();
            }
            let arm = self.block.pop_front().unwrap_or(Arm::Intervention);
            (arm, Some(self.blocks_started))
        };
        self.assigned += 1;
        Assignment {
            arm,
            sequence: self.assigned,
            block,
        }
    }

    fn fill_block(&mut self) {
        let count = u64::try_from(self.block_sizes.len()).unwrap_or(1);
        let index = usize::try_from(self.below(count)).unwrap_or(0);
        let size = self.block_sizes.get(index).copied().unwrap_or(2);
        let half = size / 2;
        let mut arms: Vec<Arm> = (0..size)
            .map(|i| {
                if i < half {
                    Arm::Intervention
                } else {
                    Arm::Control
                }
            })
            .collect();
        for i in (1..arms.len()).rev() {
            let j = usize::try_from(self.below(i as u64 + 1)).unwrap_or(0);
            arms.swap(i, j);
        }
        self.block = arms.into();
        self.blocks_started += 1;
    }

    /// A uniform integer below `n` (n >= 1), by rejection.
    fn below(&mut self, n: u64) -> u64 {
        let zone = (u64::MAX / n) * n;
        loop {
            let x = self.rng.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_resume_continues_it() {
        let design = RandomisationDesign::blocks(&[2, 4]);
        let mut a = Randomiser::new(7, &design).unwrap();
        let first: Vec<Assignment> = (0..20).map(|_| a.assign()).collect();
        let mut b = Randomiser::resume(7, &design, 10).unwrap();
        let rest: Vec<Assignment> = (0..10).map(|_| b.assign()).collect();
        assert_eq!(&first[10..], &rest[..]);
        assert_eq!(format!("{b:?}"), "Randomiser { assigned: 20, .. }");
    }

    #[test]
    fn bad_block_sizes_are_refused() {
        let err = Randomiser::new(1, &RandomisationDesign::blocks(&[3])).unwrap_err();
        assert_eq!(err.issues()[0].code, "randomisation.block_size");
    }
}
