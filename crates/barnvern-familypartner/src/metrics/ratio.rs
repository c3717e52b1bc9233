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
        }
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.value {
            Some(v) => write!(
                f,
                "{} {} / {} {} = {v:.3}",
                self.numerator, self.numerator_label, self.denominator, self.denominator_label
            ),
            None => write!(
                f,
                "{} {} / 0 {} = n/a",
                self.numerator, self.numerator_label, self.denominator_label
            ),
        }
    }
}
