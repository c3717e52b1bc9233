//! The Fiks IO message types of the protocol `no.ks.fiks.bekymringsmelding.v1`.

use std::fmt;
use std::str::FromStr;

use barnvern_core::Finding;
use barnvern_core::identifier::echo;

use crate::error::FiksError;

/// The reply sent once a report is stored (empty body).
pub const RECEIVED: &str = "no.ks.fiks.bekymringsmelding.mottatt.v1";
/// The reply sent when a report could not be stored (body `{"melding": "..."}`).
pub const FAILED: &str = "no.ks.fiks.bekymringsmelding.feilet.v1";

/// The message type of a report of concern (NO bekymringsmelding) as Fiks IO names it: who
/// reported (a public employee or a private person) and the schema version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageType {
    /// `no.ks.fiks.bekymringsmelding.offentlig.v1`: from a public employee (school,
    /// kindergarten, health service, police), schema `offentlig.bekymringsmelding.v1.json`.
    OffentligV1,
    /// `no.ks.fiks.bekymringsmelding.offentlig.v2`: as v1, with `melding.andreSynspunkter`.
    OffentligV2,
    /// `no.ks.fiks.bekymringsmelding.privat.v1`: from a private person, schema
    /// `privat.bekymringsmelding.v1.json`.
    PrivatV1,
    /// `no.ks.fiks.bekymringsmelding.privat.v2`: the same fields as privat v1.
    PrivatV2,
}

impl MessageType {
    /// Every report message type, in the order above.
    pub const ALL: [MessageType; 4] = [
        MessageType::OffentligV1,
        MessageType::OffentligV2,
        MessageType::PrivatV1,
        MessageType::PrivatV2,
    ];

    /// The Fiks IO name (`no.ks.fiks.bekymringsmelding.offentlig.v1`).
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::OffentligV1 => "no.ks.fiks.bekymringsmelding.offentlig.v1",
            MessageType::OffentligV2 => "no.ks.fiks.bekymringsmelding.offentlig.v2",
            MessageType::PrivatV1 => "no.ks.fiks.bekymringsmelding.privat.v1",
            MessageType::PrivatV2 => "no.ks.fiks.bekymringsmelding.privat.v2",
        }
    }

    /// Whether the reporter is a public employee (offentlig) rather than a private person
    /// (privat).
    pub fn is_public(self) -> bool {
        matches!(self, MessageType::OffentligV1 | MessageType::OffentligV2)
    }

    /// The schema version: 1 or 2.
    pub fn version(self) -> u8 {
        match self {
            MessageType::OffentligV1 | MessageType::PrivatV1 => 1,
            MessageType::OffentligV2 | MessageType::PrivatV2 => 2,
        }
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MessageType {
    type Err = FiksError;

    /// Parses the Fiks IO message type exactly (no trimming, case-sensitive). The reply types
    /// (`mottatt`, `feilet`) and anything else are refused with code `fiks.message_type`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        MessageType::ALL
            .into_iter()
            .find(|t| t.as_str() == text)
            .ok_or_else(|| {
                let what = if text == RECEIVED || text == FAILED {
                    "a reply, not a report of concern".to_owned()
                } else {
                    format!("unknown ({})", echo(text))
                };
                FiksError::MessageType(Finding::error(
                    "",
                    "fiks.message_type",
                    format!(
                        "the message type is {what}; a report of concern is one of {}",
                        MessageType::ALL.map(MessageType::as_str).join(", ")
                    ),
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_parses_from_its_name_and_nothing_else_does() {
        for t in MessageType::ALL {
            assert_eq!(t.as_str().parse::<MessageType>(), Ok(t));
        }
        for bad in [
            "",
            RECEIVED,
            FAILED,
            "no.ks.fiks.bekymringsmelding.offentlig.v3",
            "NO.KS.FIKS.BEKYMRINGSMELDING.PRIVAT.V1",
            " no.ks.fiks.bekymringsmelding.privat.v1",
        ] {
            let err = bad.parse::<MessageType>().unwrap_err();
            assert_eq!(err.code(), "fiks.message_type", "{bad:?}");
            assert_eq!(err.path(), "");
        }
        let err = "28871350045".parse::<MessageType>().unwrap_err();
        assert!(!err.message().contains("28871350045"));
    }

    #[test]
    fn kind_and_version() {
        assert!(MessageType::OffentligV2.is_public());
        assert!(!MessageType::PrivatV1.is_public());
        assert_eq!(MessageType::PrivatV2.version(), 2);
        assert_eq!(MessageType::OffentligV1.version(), 1);
    }
}
