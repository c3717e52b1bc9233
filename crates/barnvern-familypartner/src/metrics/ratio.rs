//! A ratio that shows its parts.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// numerator / denominator, with both named. `value` is `None` when the denominator is 0:
/// there is no figure, and none is made up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ratio {
    /// The count above the line.
    pub numerator: u64,
    /// The count below the line.
    pub denominator: u64,
    /// numerator / denominator; `None` when the denominator is 0.
    pub value: Option<f64>,
    /// What the numerator counts (`"delivered contacts"`).
    pub numerator_label: String,
    /// What the denominator counts (`"expected contacts"`).
    pub denominator_label: String,
    /// For a proportion (a part of a whole: retention, consent, eligibility, completion), its
    /// 95% Wilson score interval ([`wilson`]); absent for ratios that are not proportions
    /// (dose, caseload) and when the denominator is 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci95: Option<Interval>,
}

/// A confidence interval of a proportion.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    /// Lower bound, from 0 to 1.
    pub lower: f64,
    /// Upper bound, from 0 to 1.
    pub upper: f64,
}

/// z for a two-sided 95% interval: the 0.975 quantile of the standard normal.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval of `successes` out of `trials` at `z` (Wilson 1927; Newcombe 1998
/// method 3): with p = successes / trials and n = trials,
/// `(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`. Unlike the Wald interval it stays
/// inside [0, 1] and is not empty at 0 or n successes, which matters at a pilot's sizes.
/// `None` when `trials` is 0 or `successes > trials`.
pub fn wilson(successes: u64, trials: u64, z: f64) -> Option<Interval> {
    if trials == 0 || successes > trials {
        return None;
    }
    // Counts in a trial are far below 2^53, so the conversions are exact.
    #[allow(clippy::cast_precision_loss)]
    let (k, n) = (successes as f64, trials as f64);
    let p = k / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(Interval {
        lower: (centre - half).max(0.0),
        upper: (centre + half).min(1.0),
    })
}

impl Ratio {
    /// A ratio with its labels.
    pub fn new(
        numerator: u64,
        denominator: u64,
        numerator_label: impl Into<String>,
        denominator_label: impl Into<String>,
    ) -> Ratio {
        // Counts in a trial are far below 2^53, so the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let value = (denominator > 0).then(|| numerator as f64 / denominator as f64);
        Ratio {
            numerator,
            denominator,
            value,
            numerator_label: numerator_label.into(),
            denominator_label: denominator_label.into(),
            ci95: None,
        }
    }

    /// A proportion (the numerator counts a part of the denominator's whole), with its 95%
    /// Wilson score interval.
    pub fn proportion(
        numerator: u64,
        denominator: u64,
        numerator_label: impl Into<String>,
        denominator_label: impl Into<String>,
    ) -> Ratio {
        Ratio {
            ci95: wilson(numerator, denominator, Z_95),
            ..Ratio::new(numerator, denominator, numerator_label, denominator_label)
        }
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.value {
            Some(v) => {
                write!(
                    f,
                    "{} {} / {} {} = {v:.3}",
                    self.numerator, self.numerator_label, self.denominator, self.denominator_label
                )?;
                match self.ci95 {
                    Some(i) => write!(f, " (95% CI {:.3} to {:.3})", i.lower, i.upper),
                    None => Ok(()),
                }
            }
            None => write!(
                f,
                "{} {} / 0 {} = n/a",
                self.numerator, self.numerator_label, self.denominator_label
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_worked_values() {
        // 3 of 10: p = 0.3, z² = 3.841459; centre = (0.3 + 0.192073) / 1.384146 = 0.355506;
        // half = 1.959964 / 1.384146 * sqrt(0.021 + 0.009604) = 1.416009 * 0.174939 = 0.247716;
        // so 0.107790 to 0.603222.
        let i = wilson(3, 10, Z_95).unwrap();
        assert!((i.lower - 0.107_79).abs() < 1e-4, "{i:?}");
        assert!((i.upper - 0.603_22).abs() < 1e-4, "{i:?}");
        // 0 of 10 is not an empty interval: 0 to 0.2775.
        let i = wilson(0, 10, Z_95).unwrap();
        assert_eq!(i.lower, 0.0);
        assert!((i.upper - 0.277_53).abs() < 1e-4, "{i:?}");
        assert!(wilson(0, 0, Z_95).is_none());
        assert!(wilson(3, 2, Z_95).is_none());
    }
}
