//! Rolling randomisation, seeded and reproducible: simple or in permuted blocks, at an
//! allocation ratio given as data (1:1 unless the design says otherwise), optionally within
//! strata declared in the design (site, child's age band).
//!
//! A [`Randomiser`] holds ChaCha20 generators seeded with [`Randomiser::new`]'s seed. Its next
//! allocation cannot be read before [`Randomiser::assign`] (or [`Randomiser::assign_in`]): the
//! type has no accessor for it, no `Clone` (a copy could be run ahead) and a `Debug` that shows
//! only how many allocations were made. Keep the seed with the trial statistician; the trial
//! data holds only allocations made.
//!
//! The algorithm (`chacha20-v1`) is fixed so a sequence can be regenerated years later from the
//! seed: `ChaCha20Rng::seed_from_u64(seed)`, on stream 0 without strata and, within a stratum,
//! on the stream numbered by the FNV-1a 64-bit hash of the stratum's id (so a stratum's
//! sequence does not depend on the order strata come up, nor on strata added later); an
//! integer below `n` is drawn by rejection from `next_u64` (`x < n * floor(2^64 / n)`, then
//! `x % n`). With ratio `i:c`, simple randomisation gives intervention when the draw below
//! `i + c` is below `i`. Permuted blocks: at the start of each block its size is drawn from the
//! design's sizes (draw below their count), `size * i / (i + c)` of it is intervention and the
//! rest control, and the block is shuffled by Fisher-Yates (from the last position down, swap
//! with a draw below position + 1). Under 1:1 without strata this is the sequence earlier
//! versions made from the same seed.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use barnvern_core::{Finding, Provenance, ValidationError};
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

/// The allocation ratio, intervention : control (1:1 unless the design says otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationRatio {
    /// Parts allocated to Family Partner.
    pub intervention: u32,
    /// Parts allocated to ordinary services.
    pub control: u32,
}

impl AllocationRatio {
    /// 1:1.
    pub const EQUAL: AllocationRatio = AllocationRatio {
        intervention: 1,
        control: 1,
    };

    fn is_equal(&self) -> bool {
        *self == AllocationRatio::EQUAL
    }

    /// intervention + control: every block size is a multiple of it.
    pub fn parts(&self) -> u32 {
        self.intervention.saturating_add(self.control)
    }
}

impl Default for AllocationRatio {
    fn default() -> Self {
        AllocationRatio::EQUAL
    }
}

/// A band of the child's age at screening (the youngest child, as screened), in whole years:
/// `from_years <= age < below_years`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgeBand {
    /// The band's id, part of the stratum id (`"0-5"`).
    pub id: String,
    /// Lowest age in the band.
    pub from_years: u8,
    /// First age above the band.
    pub below_years: u8,
}

/// A factor randomisation is stratified by. In JSON `{"factor": "site"}` or
/// `{"factor": "child_age_band", "bands": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "factor", rename_all = "snake_case", deny_unknown_fields)]
pub enum StratificationFactor {
    /// The family's site (one of the design's sites).
    Site,
    /// The child's age band at screening.
    ChildAgeBand {
        /// The bands: disjoint, together covering every age the trial takes.
        bands: Vec<AgeBand>,
    },
}

/// A stratum: one level of each factor, in the design's order, joined by `/`
/// (`"oslo-alna/0-5"`).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct Stratum(String);

impl Stratum {
    /// The stratum's id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The stratum named `id` (as in an allocation record).
    pub fn new(id: impl Into<String>) -> Stratum {
        Stratum(id.into())
    }

    /// The generator stream of this stratum: FNV-1a 64 of its id.
    fn stream(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.0.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }
}

impl fmt::Display for Stratum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How allocations are made (the seed is not part of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RandomisationDesign {
    /// The algorithm; only [`ALGORITHM`].
    pub algorithm: String,
    /// Block sizes for permuted blocks (each a multiple of the ratio's parts, 2 to 1000),
    /// chosen at random per block; empty for simple randomisation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub block_sizes: Vec<u32>,
    /// The allocation ratio; 1:1 when absent.
    #[serde(default, skip_serializing_if = "AllocationRatio::is_equal")]
    pub ratio: AllocationRatio,
    /// The stratification factors, in order; none for one sequence over the whole trial.
    /// Each stratum has its own sequence (its own blocks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub strata: Vec<StratificationFactor>,
}

impl RandomisationDesign {
    /// Simple (unrestricted) 1:1 randomisation.
    pub fn simple() -> Self {
        RandomisationDesign {
            algorithm: ALGORITHM.to_owned(),
            block_sizes: Vec::new(),
            ratio: AllocationRatio::EQUAL,
            strata: Vec::new(),
        }
    }

    /// Permuted blocks of the given sizes.
    pub fn blocks(sizes: &[u32]) -> Self {
        RandomisationDesign {
            algorithm: ALGORITHM.to_owned(),
            block_sizes: sizes.to_vec(),
            ratio: AllocationRatio::EQUAL,
            strata: Vec::new(),
        }
    }

    /// The same design at `ratio`.
    pub fn with_ratio(mut self, ratio: AllocationRatio) -> Self {
        self.ratio = ratio;
        self
    }

    /// The same design stratified by `factors`.
    pub fn stratified(mut self, factors: Vec<StratificationFactor>) -> Self {
        self.strata = factors;
        self
    }

    /// Whether the design is stratified by site.
    pub fn by_site(&self) -> bool {
        self.strata
            .iter()
            .any(|f| matches!(f, StratificationFactor::Site))
    }

    /// The stratum of a family at `site` whose child is `child_age_years` old at screening;
    /// `Ok(None)` without strata. Refused (with the reason) when the design needs a site and
    /// there is none, or no band takes the age.
    pub fn stratum_of(
        &self,
        site: Option<&crate::site::SiteCode>,
        child_age_years: Option<u8>,
    ) -> Result<Option<Stratum>, &'static str> {
        if self.strata.is_empty() {
            return Ok(None);
        }
        let mut levels = Vec::new();
        for factor in &self.strata {
            match factor {
                StratificationFactor::Site => {
                    levels.push(
                        site.ok_or("the design stratifies by site and the family has no site")?
                            .as_str(),
                    );
                }
                StratificationFactor::ChildAgeBand { bands } => {
                    let age = child_age_years.ok_or(
                        "the design stratifies by age band and the family is not screened",
                    )?;
                    let band = bands
                        .iter()
                        .find(|b| b.from_years <= age && age < b.below_years)
                        .ok_or("no age band of the design takes the child's age")?;
                    levels.push(band.id.as_str());
                }
            }
        }
        Ok(Some(Stratum(levels.join("/"))))
    }

    /// Findings: a known algorithm; a ratio of 1 to 10 parts each side; block sizes multiples
    /// of the ratio's parts, 2 to 1000 (so each block keeps the ratio); at most one factor of
    /// each kind; age bands with ids, non-empty and disjoint.
    pub fn validate(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        if self.algorithm != ALGORITHM {
            out.push(Finding::error(
                "algorithm",
                "randomisation.algorithm",
                format!(
                    "unknown algorithm {:?}; this barnvern has {ALGORITHM:?}",
                    self.algorithm
                ),
            ));
        }
        let r = self.ratio;
        let ratio_ok = (1..=10).contains(&r.intervention) && (1..=10).contains(&r.control);
        if !ratio_ok {
            out.push(Finding::error(
                "ratio",
                "randomisation.ratio",
                "each side of the allocation ratio must be from 1 to 10",
            ));
        }
        let parts = r.parts().max(1);
        for (i, s) in self.block_sizes.iter().enumerate() {
            if *s < 2 || s % parts != 0 || *s > 1000 {
                out.push(Finding::error(
                    format!("block_sizes[{i}]"),
                    "randomisation.block_size",
                    format!(
                        "a block size must be a multiple of {parts}, from 2 to 1000, so each block keeps the {}:{} ratio",
                        r.intervention, r.control
                    ),
                ));
            }
        }
        let mut kinds = std::collections::HashSet::new();
        for (i, f) in self.strata.iter().enumerate() {
            if !kinds.insert(std::mem::discriminant(f)) {
                out.push(Finding::error(
                    format!("strata[{i}]"),
                    "randomisation.duplicate_factor",
                    "each stratification factor may appear once",
                ));
            }
            if let StratificationFactor::ChildAgeBand { bands } = f {
                if bands.is_empty() {
                    out.push(Finding::error(
                        format!("strata[{i}].bands"),
                        "randomisation.age_band",
                        "an age-band factor needs at least one band",
                    ));
                }
                for (j, b) in bands.iter().enumerate() {
                    let overlaps = bands[..j]
                        .iter()
                        .any(|o| o.from_years < b.below_years && b.from_years < o.below_years);
                    let bad_id = b.id.trim().is_empty() || b.id.contains('/');
                    if b.from_years >= b.below_years
                        || overlaps
                        || bad_id
                        || bands[..j].iter().any(|o| o.id == b.id)
                    {
                        out.push(Finding::error(
                            format!("strata[{i}].bands[{j}]"),
                            "randomisation.age_band",
                            "age bands need a unique id without '/', and are non-empty and disjoint",
                        ));
                    }
                }
            }
        }
        out
    }
}

/// One allocation as made by a [`Randomiser`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The arm.
    pub arm: Arm,
    /// Position in the trial's allocation sequence (over all strata), from 1.
    pub sequence: u32,
    /// The block it came from, from 1 within its stratum (`None` under simple randomisation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<u32>,
    /// The stratum, under a stratified design.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stratum: Option<Stratum>,
}

/// A family's allocation, as kept in the trial record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    /// The arm.
    pub arm: Arm,
    /// Position in the allocation sequence, from 1.
    pub sequence: u32,
    /// The block, under permuted blocks (numbered within the stratum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<u32>,
    /// The stratum, under a stratified design.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stratum: Option<Stratum>,
    /// The date of randomisation.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub on: NaiveDate,
    /// Who recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// One stratum's sequence (or the trial's, without strata).
struct Stream {
    rng: ChaCha20Rng,
    block: VecDeque<Arm>,
    blocks_started: u32,
    assigned: u32,
}

/// The allocation sequence, revealed one allocation at a time.
pub struct Randomiser {
    seed: u64,
    block_sizes: Vec<u32>,
    ratio: AllocationRatio,
    stratified: bool,
    streams: BTreeMap<Option<Stratum>, Stream>,
    assigned: u32,
}

impl fmt::Debug for Randomiser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never show the generators or the rest of a block: that would reveal what comes next.
        f.debug_struct("Randomiser")
            .field("assigned", &self.assigned)
            .finish_non_exhaustive()
    }
}

impl Randomiser {
    /// A randomiser at the start of the sequence of `seed` under `design`.
    pub fn new(seed: u64, design: &RandomisationDesign) -> Result<Randomiser, ValidationError> {
        let report: barnvern_core::Findings = design.validate().into_iter().collect();
        report.into_result()?;
        Ok(Randomiser {
            seed,
            block_sizes: design.block_sizes.clone(),
            ratio: design.ratio,
            stratified: !design.strata.is_empty(),
            streams: BTreeMap::new(),
            assigned: 0,
        })
    }

    /// A randomiser that has already made `assigned` allocations (after a restart: the same
    /// sequence continues). Unstratified designs only; see [`Randomiser::resume_strata`].
    pub fn resume(
        seed: u64,
        design: &RandomisationDesign,
        assigned: u32,
    ) -> Result<Randomiser, ValidationError> {
        Randomiser::resume_strata(seed, design, &[(None, assigned)])
    }

    /// A randomiser that has already made, in each stratum, the given number of allocations
    /// (`None` is the unstratified sequence).
    pub fn resume_strata(
        seed: u64,
        design: &RandomisationDesign,
        made: &[(Option<Stratum>, u32)],
    ) -> Result<Randomiser, ValidationError> {
        let mut r = Randomiser::new(seed, design)?;
        for (stratum, n) in made {
            for _ in 0..*n {
                r.draw(stratum.clone());
            }
        }
        Ok(r)
    }

    /// A randomiser at `trial`'s place in the sequence of `seed`: in each stratum, as many
    /// allocations made as the trial holds there.
    pub fn for_trial(
        seed: u64,
        trial: &crate::trial::TrialData,
    ) -> Result<Randomiser, ValidationError> {
        let mut made: BTreeMap<Option<Stratum>, u32> = BTreeMap::new();
        for a in trial.families.iter().filter_map(|f| f.allocation.as_ref()) {
            *made.entry(a.stratum.clone()).or_default() += 1;
        }
        let made: Vec<_> = made.into_iter().collect();
        Randomiser::resume_strata(seed, &trial.design.randomisation, &made)
    }

    /// How many allocations have been made, over all strata.
    pub fn assigned(&self) -> u32 {
        self.assigned
    }

    /// How many allocations have been made in `stratum` (`None`: the unstratified sequence).
    pub fn assigned_in(&self, stratum: Option<&Stratum>) -> u32 {
        self.streams
            .get(&stratum.cloned())
            .map_or(0, |s| s.assigned)
    }

    /// Makes and reveals the next allocation of an unstratified design.
    pub fn assign(&mut self) -> Assignment {
        self.draw(None)
    }

    /// Makes and reveals the next allocation in `stratum` (`None` for an unstratified design).
    /// Refused when the design is stratified and no stratum is given, or the other way round.
    pub fn assign_in(&mut self, stratum: Option<&Stratum>) -> Result<Assignment, ValidationError> {
        if stratum.is_some() != self.stratified {
            return Err(ValidationError::single(Finding::error(
                "stratum",
                "randomisation.stratum",
                if self.stratified {
                    "the design is stratified: name the family's stratum"
                } else {
                    "the design has no strata"
                },
            )));
        }
        Ok(self.draw(stratum.cloned()))
    }

    fn draw(&mut self, stratum: Option<Stratum>) -> Assignment {
        let seed = self.seed;
        let stream = self.streams.entry(stratum.clone()).or_insert_with(|| {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            if let Some(s) = &stratum {
                rng.set_stream(s.stream());
            }
            Stream {
                rng,
                block: VecDeque::new(),
                blocks_started: 0,
                assigned: 0,
            }
        });
        let (i, parts) = (
            u64::from(self.ratio.intervention),
            u64::from(self.ratio.parts().max(1)),
        );
        let (arm, block) = if self.block_sizes.is_empty() {
            let arm = if below(&mut stream.rng, parts) < i {
                Arm::Intervention
            } else {
                Arm::Control
            };
            (arm, None)
        } else {
            if stream.block.is_empty() {
                fill_block(stream, &self.block_sizes, self.ratio);
            }
            let arm = stream.block.pop_front().unwrap_or(Arm::Intervention);
            (arm, Some(stream.blocks_started))
        };
        stream.assigned += 1;
        self.assigned += 1;
        Assignment {
            arm,
            sequence: self.assigned,
            block,
            stratum,
        }
    }
}

fn fill_block(stream: &mut Stream, sizes: &[u32], ratio: AllocationRatio) {
    let count = u64::try_from(sizes.len()).unwrap_or(1);
    let index = usize::try_from(below(&mut stream.rng, count)).unwrap_or(0);
    let size = sizes.get(index).copied().unwrap_or(2);
    let to_intervention = size * ratio.intervention / ratio.parts().max(1);
    let mut arms: Vec<Arm> = (0..size)
        .map(|i| {
            if i < to_intervention {
                Arm::Intervention
            } else {
                Arm::Control
            }
        })
        .collect();
    for i in (1..arms.len()).rev() {
        let j = usize::try_from(below(&mut stream.rng, i as u64 + 1)).unwrap_or(0);
        arms.swap(i, j);
    }
    stream.block = arms.into();
    stream.blocks_started += 1;
}

/// A uniform integer below `n` (n >= 1), by rejection.
fn below(rng: &mut ChaCha20Rng, n: u64) -> u64 {
    let zone = (u64::MAX / n) * n;
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % n;
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
        assert_eq!(err.findings()[0].code, "randomisation.block_size");
        let two_to_one = RandomisationDesign::blocks(&[4]).with_ratio(AllocationRatio {
            intervention: 2,
            control: 1,
        });
        let err = Randomiser::new(1, &two_to_one).unwrap_err();
        assert_eq!(err.findings()[0].code, "randomisation.block_size");
    }

    #[test]
    fn blocks_keep_the_ratio_within_each_stratum() {
        let design = RandomisationDesign::blocks(&[3, 6])
            .with_ratio(AllocationRatio {
                intervention: 2,
                control: 1,
            })
            .stratified(vec![StratificationFactor::Site]);
        let mut r = Randomiser::new(11, &design).unwrap();
        let (a, b) = (Stratum::new("a"), Stratum::new("b"));
        let mut per_block: BTreeMap<(String, u32), (u32, u32)> = BTreeMap::new();
        for k in 0..60 {
            let s = if k % 3 == 0 { &a } else { &b };
            let x = r.assign_in(Some(s)).unwrap();
            assert_eq!(x.sequence, k + 1);
            let e = per_block
                .entry((s.as_str().to_owned(), x.block.unwrap()))
                .or_default();
            if x.arm == Arm::Intervention {
                e.0 += 1
            } else {
                e.1 += 1
            }
        }
        // Every completed block is 2:1; a stratum's sequence does not depend on the others.
        let complete: Vec<_> = per_block
            .values()
            .filter(|(i, c)| i + c == 3 || i + c == 6)
            .collect();
        assert!(complete.len() >= 8);
        assert!(complete.iter().all(|(i, c)| *i == 2 * *c));
        let mut alone = Randomiser::new(11, &design).unwrap();
        let mut again = Randomiser::new(11, &design).unwrap();
        let first: Vec<Arm> = (0..20)
            .map(|_| alone.assign_in(Some(&a)).unwrap().arm)
            .collect();
        for _ in 0..7 {
            again.assign_in(Some(&b)).unwrap();
        }
        let second: Vec<Arm> = (0..20)
            .map(|_| again.assign_in(Some(&a)).unwrap().arm)
            .collect();
        assert_eq!(first, second);
        assert!(r.assign_in(None).is_err());
    }
}
