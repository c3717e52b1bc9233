//! Jurisdictions: the countries whose law a case follows.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Finding;

/// The country whose law a case follows. Extensible: a new country is a new variant.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum Jurisdiction {
    /// Sweden (Sverige).
    #[serde(rename = "SE")]
    Se,
    /// Norway (Norge).
    #[serde(rename = "NO")]
    No,
}

impl Jurisdiction {
    /// Every jurisdiction, in a fixed order.
    pub const ALL: [Jurisdiction; 2] = [Jurisdiction::Se, Jurisdiction::No];

    /// The ISO 3166-1 alpha-2 code: `"SE"` or `"NO"`.
    pub fn code(self) -> &'static str {
        match self {
            Jurisdiction::Se => "SE",
            Jurisdiction::No => "NO",
        }
    }
}

impl fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Jurisdiction {
    type Err = Finding;

    /// Accepts `SE`/`NO` in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "SE" => Ok(Jurisdiction::Se),
            "NO" => Ok(Jurisdiction::No),
            _ => Err(Finding::error(
                "",
                "jurisdiction.unknown",
                format!(
                    "unknown jurisdiction {}: expected \"SE\" or \"NO\"",
                    crate::identifier::echo(s)
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_codes() {
        assert_eq!("se".parse::<Jurisdiction>().unwrap(), Jurisdiction::Se);
        assert_eq!(Jurisdiction::No.to_string(), "NO");
        assert_eq!(
            "DK".parse::<Jurisdiction>().unwrap_err().code,
            "jurisdiction.unknown"
        );
        assert_eq!(serde_json::to_string(&Jurisdiction::Se).unwrap(), "\"SE\"");
    }
}
