//! Item responses: what a respondent answered, or that an item was not done and why (CDISC SDTM
//! QS: QSORRES, or QSSTAT `NOT DONE` with QSREASND).
//!
//! In JSON a response set is an object from item name to a whole number (answered), `null` (not
//! done, no reason) or `{"status": "not_done", "reason": "..."}`:
//!
//! ```json
//! {"consid": 2, "restles": null, "somatic": {"status": "not_done", "reason": "refused"}}
//! ```
//!
//! Anything else (text, a fraction, `true`) is refused with code `outcomes.wrong_type` and the
//! path `responses.<item>`: a value is never guessed.

use std::collections::BTreeMap;
use std::fmt;

use barnvern_core::{Finding, Findings, ValidationError};
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::instrument::Instrument;

/// The response to one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemResponse {
    /// Answered: the recorded response code (QSORRES).
    Answered(i64),
    /// Not done (QSSTAT `NOT DONE`), with the reason when known (QSREASND).
    NotDone {
        /// Why the item was not done, e.g. `refused`, `skipped by routing`.
        reason: Option<String>,
    },
}

impl ItemResponse {
    /// The recorded value, if answered.
    pub fn value(&self) -> Option<i64> {
        match self {
            ItemResponse::Answered(v) => Some(*v),
            ItemResponse::NotDone { .. } => None,
        }
    }
}

impl From<Option<i64>> for ItemResponse {
    fn from(value: Option<i64>) -> Self {
        match value {
            Some(v) => ItemResponse::Answered(v),
            None => ItemResponse::NotDone { reason: None },
        }
    }
}

/// One respondent's responses to one instrument, by item name. An item that is not in the map was
/// not recorded and counts as not done.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Responses {
    items: BTreeMap<String, ItemResponse>,
}

impl Responses {
    /// No responses.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an answer to `item`.
    pub fn answer(&mut self, item: impl Into<String>, value: i64) -> &mut Self {
        self.items
            .insert(item.into(), ItemResponse::Answered(value));
        self
    }

    /// Records that `item` was not done, with an optional reason.
    pub fn not_done(&mut self, item: impl Into<String>, reason: Option<String>) -> &mut Self {
        self.items
            .insert(item.into(), ItemResponse::NotDone { reason });
        self
    }

    /// Records a response.
    pub fn insert(&mut self, item: impl Into<String>, response: ItemResponse) -> &mut Self {
        self.items.insert(item.into(), response);
        self
    }

    /// The response to `item`, if recorded.
    pub fn get(&self, item: &str) -> Option<&ItemResponse> {
        self.items.get(item)
    }

    /// Every recorded response, by item name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ItemResponse)> {
        self.items.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The number of recorded responses.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Reads responses from JSON (see the module documentation). Paths are `responses.<item>`.
    pub fn from_json(text: &str) -> Result<Responses, ValidationError> {
        barnvern_core::json::from_str::<Responses>(text).map_err(|e| {
            let report: Findings = e
                .findings
                .into_iter()
                .map(|i| i.under("responses"))
                .collect();
            ValidationError { findings: report }
        })
    }

    /// The responses as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks the responses against `instrument`: every item must exist and every answer must be
    /// one of the item's response options. Returns the recorded values in the instrument's item
    /// order, or every finding (`outcomes.unknown_item`, `outcomes.out_of_range`).
    pub fn check(&self, instrument: &Instrument) -> Result<Vec<Option<i64>>, ValidationError> {
        let mut report = Findings::new();
        for name in self.items.keys() {
            if instrument.item(name).is_none() {
                report.push(unknown_item(instrument, name, &format!("responses.{name}")));
            }
        }
        let mut values = Vec::with_capacity(instrument.items().len());
        for (index, item) in instrument.items().iter().enumerate() {
            let value = self
                .items
                .get(item.name.as_str())
                .and_then(ItemResponse::value);
            if let Some(v) = value
                && instrument.plan.weight(index, v).is_none()
            {
                report.push(out_of_range(
                    instrument,
                    index,
                    v,
                    &format!("responses.{}", item.name),
                ));
            }
            values.push(value);
        }
        report.into_result()?;
        Ok(values)
    }
}

pub(crate) fn unknown_item(instrument: &Instrument, name: &str, path: &str) -> Finding {
    // The name is input: the path (`responses.NAME`, `columns.NAME`) shows it only where the
    // message may (a short code-like name), else `(item)`.
    let shown = barnvern_core::identifier::echo(name);
    let path = match path.strip_suffix(name) {
        Some(prefix) if !shown.starts_with('"') => format!("{prefix}(item)"),
        _ => path.to_owned(),
    };
    Finding::error(
        path,
        "outcomes.unknown_item",
        format!(
            "{} is not an item of {} (version {})",
            shown,
            instrument.id(),
            instrument.version()
        ),
    )
}

pub(crate) fn out_of_range(
    instrument: &Instrument,
    index: usize,
    value: i64,
    path: &str,
) -> Finding {
    let item = &instrument.items()[index];
    Finding::error(
        path,
        "outcomes.out_of_range",
        format!(
            "item {}: {value} is not a response option; allowed: {}",
            item.name,
            instrument.plan.allowed(index)
        ),
    )
}

impl Serialize for ItemResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ItemResponse::Answered(v) => serializer.serialize_i64(*v),
            ItemResponse::NotDone { reason: None } => serializer.serialize_none(),
            ItemResponse::NotDone { reason: Some(r) } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("status", "not_done")?;
                map.serialize_entry("reason", r)?;
                map.end()
            }
        }
    }
}

impl Serialize for Responses {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.items.iter())
    }
}

/// Reads one item's response; knows the item name so messages can say which item.
struct ItemSeed<'a>(&'a str);

fn wrong_type<E: de::Error>(item: &str, got: &str) -> E {
    barnvern_core::json::de_error(Finding::error(
        "",
        "outcomes.wrong_type",
        format!(
            "item {item}: expected a whole number, null or {{\"status\": \"not_done\"}}, got {got}"
        ),
    ))
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_> {
    type Value = ItemResponse;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<ItemResponse, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemSeed<'_> {
    type Value = ItemResponse;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the response to item {}", self.0)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ItemResponse, E> {
        Ok(ItemResponse::Answered(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ItemResponse, E> {
        i64::try_from(v)
            .map(ItemResponse::Answered)
            .map_err(|_| wrong_type(self.0, "a number too large"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<ItemResponse, E> {
        Err(wrong_type(self.0, "a number with a fraction"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<ItemResponse, E> {
        Err(wrong_type(self.0, "true or false"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<ItemResponse, E> {
        Err(wrong_type(self.0, "text"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<ItemResponse, E> {
        Ok(ItemResponse::NotDone { reason: None })
    }

    fn visit_none<E: de::Error>(self) -> Result<ItemResponse, E> {
        Ok(ItemResponse::NotDone { reason: None })
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<ItemResponse, A::Error> {
        Err(wrong_type(self.0, "a list"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ItemResponse, A::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Status {
            NotDone,
        }
        let mut status = None;
        let mut reason: Option<Option<String>> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "status" => status = Some(map.next_value::<Status>()?),
                "reason" => reason = Some(map.next_value()?),
                _ => return Err(wrong_type(self.0, &format!("an object with field {key:?}"))),
            }
        }
        match status {
            Some(Status::NotDone) => Ok(ItemResponse::NotDone {
                reason: reason.flatten(),
            }),
            None => Err(wrong_type(self.0, "an object without \"status\"")),
        }
    }
}

impl<'de> Deserialize<'de> for Responses {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Responses, D::Error> {
        struct ResponsesVisitor;
        impl<'de> Visitor<'de> for ResponsesVisitor {
            type Value = Responses;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object from item name to response")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Responses, A::Error> {
                let mut items = BTreeMap::new();
                while let Some(name) = map.next_key::<String>()? {
                    let value = map.next_value_seed(ItemSeed(&name))?;
                    if items.insert(name.clone(), value).is_some() {
                        return Err(barnvern_core::json::de_error(Finding::error(
                            "",
                            "outcomes.duplicate_item",
                            format!("item {name} is given twice"),
                        )));
                    }
                }
                Ok(Responses { items })
            }
        }
        deserializer.deserialize_map(ResponsesVisitor)
    }
}

impl<K: Into<String>, V: Into<ItemResponse>> FromIterator<(K, V)> for Responses {
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        Responses {
            items: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

impl From<i64> for ItemResponse {
    fn from(value: i64) -> Self {
        ItemResponse::Answered(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_forms_are_read() {
        let r = Responses::from_json(
            r#"{"a": 2, "b": null, "c": {"status": "not_done", "reason": "refused"}}"#,
        )
        .unwrap();
        assert_eq!(r.get("a"), Some(&ItemResponse::Answered(2)));
        assert_eq!(r.get("b"), Some(&ItemResponse::NotDone { reason: None }));
        assert_eq!(
            r.get("c"),
            Some(&ItemResponse::NotDone {
                reason: Some("refused".into())
            })
        );
        let again = Responses::from_json(&r.to_json()).unwrap();
        assert_eq!(again, r);
    }

    #[test]
    fn wrong_types_name_the_item() {
        for (json, got) in [
            (r#"{"obeys": "2"}"#, "text"),
            (r#"{"obeys": 1.5}"#, "fraction"),
            (r#"{"obeys": true}"#, "true or false"),
            (r#"{"obeys": {"x": 1}}"#, "field"),
        ] {
            let err = Responses::from_json(json).unwrap_err();
            let finding = &err.findings()[0];
            assert_eq!(finding.code, "outcomes.wrong_type", "{json}");
            assert_eq!(finding.path, "responses.obeys", "{json}");
            assert!(finding.message.contains("obeys"), "{finding}");
            assert!(finding.message.contains(got), "{finding}");
        }
    }

    #[test]
    fn duplicate_items_are_refused() {
        let err = Responses::from_json(r#"{"a": 1, "a": 2}"#).unwrap_err();
        assert_eq!(err.findings()[0].code, "outcomes.duplicate_item");
    }
}
