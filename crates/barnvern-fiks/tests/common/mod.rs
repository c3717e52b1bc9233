//! Shared by the tests: the published examples and their identity numbers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use barnvern_fiks::MessageType;

/// The published examples (copied unchanged into `data/examples/`) and their message types.
pub const EXAMPLES: [(&str, MessageType); 4] = [
    (
        "offentligBekymringsmeldingV1.json",
        MessageType::OffentligV1,
    ),
    (
        "offentligBekymringsmeldingV2.json",
        MessageType::OffentligV2,
    ),
    ("privatBekymringsmeldingV1.json", MessageType::PrivatV1),
    ("privatBekymringsmeldingV2.json", MessageType::PrivatV2),
];

/// The synthetic identity numbers (month + 80) in the public examples, children 0 and 1.
pub const IDENTITY_NUMBERS: [&str; 2] = ["28871350045", "16881650049"];

/// An example's bytes.
pub fn example(file: &str) -> Vec<u8> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/examples");
    std::fs::read(dir.join(file)).unwrap()
}

/// An example as a JSON value, to change before parsing.
pub fn example_value(file: &str) -> serde_json::Value {
    serde_json::from_slice(&example(file)).unwrap()
}

/// The body of a `feilet` reply follows `feilmelding.json`: an object whose `melding` is a
/// string (and nothing else here).
pub fn assert_feilmelding(body: &[u8]) {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap();
    let object = value.as_object().unwrap();
    assert_eq!(object.len(), 1);
    assert!(object["melding"].is_string());
}
